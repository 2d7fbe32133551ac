package report

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// AppendJSON appends r to b as policycheck check writes it: the very bytes
// encoding/json gives for r with HTML escaping off and the findings' Args
// left out (they are not part of the JSON contract), written without
// reflection. Suggestion.Policy must be valid JSON, as the gate writes it;
// it is compacted, as encoding/json compacts a json.RawMessage.
//
// A file of one policy lists the same findings in the report and in its
// document: they are escaped once and the bytes copied.
func AppendJSON(b []byte, r *Report) []byte {
	e := jsonEncoder{b: b, last: -1}
	e.report(r)
	return e.b
}

type jsonEncoder struct {
	b []byte
	// The findings last written, and where their array lies in b.
	written     []Finding
	last, lastN int
}

func (e *jsonEncoder) report(r *Report) {
	e.key('{', "file")
	e.string(r.File)
	e.key(',', "policy_type")
	e.string(r.PolicyType)
	e.key(',', "score")
	e.int(r.Score)
	e.key(',', "summary")
	e.string(r.Summary)
	e.key(',', "findings")
	e.findings(r.Findings)
	e.key(',', "documents")
	if r.Documents == nil {
		e.null()
	} else {
		e.b = append(e.b, '[')
		for i := range r.Documents {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.document(&r.Documents[i])
		}
		e.b = append(e.b, ']')
	}
	if len(r.Principals) > 0 {
		e.key(',', "principals")
		e.b = append(e.b, '[')
		for i := range r.Principals {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.principal(&r.Principals[i])
		}
		e.b = append(e.b, ']')
	}
	if len(r.UnusedPolicies) > 0 {
		e.key(',', "unused_policies")
		e.strings(r.UnusedPolicies)
	}
	if r.ManagedPoliciesVersion != "" {
		e.key(',', "managed_policies_version")
		e.string(r.ManagedPoliciesVersion)
	}
	e.key(',', "suggested_policy")
	e.suggestion(r.SuggestedPolicy)
	if r.NoSuggestionReason != "" {
		e.key(',', "no_suggestion_reason")
		e.string(r.NoSuggestionReason)
	}
	e.key(',', "analyzers")
	e.strings(r.Analyzers)
	if r.Explanation != "" {
		e.key(',', "explanation")
		e.string(r.Explanation)
	}
	e.key(',', "data_version")
	e.string(r.DataVersion)
	if r.Lang != "" {
		e.key(',', "lang")
		e.string(r.Lang)
	}
	if len(r.Notes) > 0 {
		e.key(',', "notes")
		e.strings(r.Notes)
	}
	if len(r.SuppressionProblems) > 0 {
		e.key(',', "suppression_problems")
		e.b = append(e.b, '[')
		for i := range r.SuppressionProblems {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.suppression(&r.SuppressionProblems[i])
		}
		e.b = append(e.b, ']')
	}
	if u := r.Usage; u != nil {
		e.key(',', "usage")
		e.key('{', "input_tokens")
		e.int(u.InputTokens)
		e.key(',', "output_tokens")
		e.int(u.OutputTokens)
		e.key(',', "cache_read_input_tokens")
		e.int(u.CacheReadInputTokens)
		e.key(',', "cache_write_input_tokens")
		e.int(u.CacheWriteInputTokens)
		e.key(',', "calls")
		e.int(u.Calls)
		e.b = append(e.b, '}')
	}
	e.b = append(e.b, '}')
}

func (e *jsonEncoder) document(d *Document) {
	e.key('{', "name")
	e.string(d.Name)
	e.key(',', "policy_type")
	e.string(d.PolicyType)
	e.key(',', "score")
	e.int(d.Score)
	e.key(',', "summary")
	e.string(d.Summary)
	e.key(',', "findings")
	e.findings(d.Findings)
	if len(d.AttachedTo) > 0 {
		e.key(',', "attached_to")
		e.strings(d.AttachedTo)
	}
	if d.SuggestedPolicy != nil {
		e.key(',', "suggested_policy")
		e.suggestion(d.SuggestedPolicy)
	}
	if d.NoSuggestionReason != "" {
		e.key(',', "no_suggestion_reason")
		e.string(d.NoSuggestionReason)
	}
	e.b = append(e.b, '}')
}

func (e *jsonEncoder) principal(p *Principal) {
	e.key('{', "name")
	e.string(p.Name)
	e.key(',', "kind")
	e.string(p.Kind)
	e.key(',', "declared")
	e.b = strconv.AppendBool(e.b, p.Declared)
	e.key(',', "documents")
	e.strings(p.Documents)
	if len(p.Unknown) > 0 {
		e.key(',', "unknown_policies")
		e.strings(p.Unknown)
	}
	e.key(',', "score")
	e.int(p.Score)
	e.key(',', "summary")
	e.string(p.Summary)
	e.key(',', "findings")
	e.findings(p.Findings)
	e.b = append(e.b, '}')
}

// findings writes a list of findings, copying the bytes of the list
// written last when fs equals it.
func (e *jsonEncoder) findings(fs []Finding) {
	if fs == nil {
		e.null()
		return
	}
	if e.last >= 0 && sameFindings(fs, e.written) {
		e.b = append(e.b, e.b[e.last:e.last+e.lastN]...)
		return
	}
	start := len(e.b)
	e.b = append(e.b, '[')
	for i := range fs {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.finding(&fs[i])
	}
	e.b = append(e.b, ']')
	e.written, e.last, e.lastN = fs, start, len(e.b)-start
}

func (e *jsonEncoder) finding(f *Finding) {
	e.key('{', "id")
	e.string(f.ID)
	if f.Rule != "" {
		e.key(',', "rule")
		e.string(f.Rule)
	}
	e.key(',', "category")
	e.string(string(f.Category))
	e.key(',', "severity")
	e.string(string(f.Severity))
	e.key(',', "document")
	e.string(f.Document)
	if f.Principal != "" {
		e.key(',', "principal")
		e.string(f.Principal)
	}
	e.key(',', "statement")
	e.int(f.Statement)
	e.key(',', "sid")
	e.string(f.Sid)
	e.key(',', "line")
	e.int(f.Line)
	e.key(',', "title")
	e.string(f.Title)
	e.key(',', "detail")
	e.string(f.Detail)
	e.key(',', "recommendation")
	e.string(f.Recommendation)
	if f.Note != "" {
		e.key(',', "note")
		e.string(f.Note)
	}
	e.key(',', "actions")
	e.strings(f.Actions)
	if f.Source != "" {
		e.key(',', "source")
		e.string(f.Source)
	}
	if f.Count != 0 {
		e.key(',', "count")
		e.int(f.Count)
	}
	if len(f.Implies) > 0 {
		e.key(',', "implies")
		e.b = append(e.b, '[')
		for i, im := range f.Implies {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.key('{', "rule")
			e.string(im.Rule)
			e.key(',', "category")
			e.string(string(im.Category))
			e.key(',', "count")
			e.int(im.Count)
			e.b = append(e.b, '}')
		}
		e.b = append(e.b, ']')
	}
	if f.Suppressed != nil {
		e.key(',', "suppressed")
		e.suppression(f.Suppressed)
	}
	if f.Baseline != "" {
		e.key(',', "baseline")
		e.string(f.Baseline)
	}
	e.b = append(e.b, '}')
}

func (e *jsonEncoder) suppression(s *Suppression) {
	e.key('{', "rule")
	e.string(s.Rule)
	e.key(',', "reason")
	e.string(s.Reason)
	if s.Expires != "" {
		e.key(',', "expires")
		e.string(s.Expires)
	}
	e.key(',', "source")
	e.string(s.Source)
	if s.Problem != "" {
		e.key(',', "problem")
		e.string(s.Problem)
	}
	e.b = append(e.b, '}')
}

func (e *jsonEncoder) suggestion(s *Suggestion) {
	if s == nil {
		e.null()
		return
	}
	e.key('{', "document")
	e.string(s.Document)
	e.key(',', "policy")
	e.raw(s.Policy)
	e.key(',', "score")
	e.int(s.Score)
	e.key(',', "changes")
	if s.Changes == nil {
		e.null()
	} else {
		e.b = append(e.b, '[')
		for i, c := range s.Changes {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.key('{', "statement")
			e.int(c.Statement)
			e.key(',', "what")
			e.string(c.What)
			e.key(',', "why")
			e.string(c.Why)
			e.b = append(e.b, '}')
		}
		e.b = append(e.b, ']')
	}
	e.key(',', "source")
	e.string(s.Source)
	if len(s.Verdicts) > 0 {
		e.key(',', "verdicts")
		e.strings(s.Verdicts)
	}
	if s.Diff != "" {
		e.key(',', "diff")
		e.string(s.Diff)
	}
	e.b = append(e.b, '}')
}

// key writes sep, then the name of a field and its colon; the names are
// plain ASCII.
func (e *jsonEncoder) key(sep byte, name string) {
	e.b = append(e.b, sep, '"')
	e.b = append(e.b, name...)
	e.b = append(e.b, '"', ':')
}

func (e *jsonEncoder) null() { e.b = append(e.b, "null"...) }

func (e *jsonEncoder) int(n int) { e.b = strconv.AppendInt(e.b, int64(n), 10) }

func (e *jsonEncoder) strings(ss []string) {
	if ss == nil {
		e.null()
		return
	}
	e.b = append(e.b, '[')
	for i, s := range ss {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.string(s)
	}
	e.b = append(e.b, ']')
}

// raw writes a JSON text without its insignificant white space.
func (e *jsonEncoder) raw(m json.RawMessage) {
	if len(m) == 0 {
		e.null()
		return
	}
	b := e.b
	start := 0
	for i := 0; i < len(m); i++ {
		switch m[i] {
		case '"':
			for i++; i < len(m) && m[i] != '"'; i++ {
				if m[i] == '\\' {
					i++
				}
			}
		case ' ', '\t', '\n', '\r':
			b = append(b, m[start:i]...)
			for i+1 < len(m) && isJSONSpace(m[i+1]) {
				i++
			}
			start = i + 1
		}
	}
	e.b = append(b, m[start:]...)
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// string writes s as encoding/json does with HTML escaping off: '"', '\\'
// and control characters escaped, invalid UTF-8 as U+FFFD, and U+2028
// and U+2029 escaped. Eight bytes at a time are let through while none
// needs a look.
func (e *jsonEncoder) string(s string) {
	b := append(e.b, '"')
	start, i := 0, 0
	for i < len(s) {
		if i+8 <= len(s) {
			t := s[i : i+8]
			w := uint64(t[0]) | uint64(t[1])<<8 | uint64(t[2])<<16 | uint64(t[3])<<24 |
				uint64(t[4])<<32 | uint64(t[5])<<40 | uint64(t[6])<<48 | uint64(t[7])<<56
			if !needsLook(w) {
				i += 8
				continue
			}
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if plainByte[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigit[c>>4], hexDigit[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigit[r&0xF])
		default:
			i += n
			continue
		}
		i += n
		start = i
	}
	b = append(b, s[start:]...)
	e.b = append(b, '"')
}

// needsLook reports whether any of the eight bytes of w is a control
// character, '"', '\\' or not ASCII.
func needsLook(w uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	hasZero := func(v uint64) uint64 { return (v - ones) & ^v & highs }
	return (w&highs | (w-0x20*ones)&^w&highs | hasZero(w^('"'*ones)) | hasZero(w^('\\'*ones))) != 0
}

const hexDigit = "0123456789abcdef"

// plainByte tells the ASCII bytes written as they are.
var plainByte = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// sameFindings reports whether two lists hold the same findings, field
// by field, Args aside.
func sameFindings(a, b []Finding) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameFinding(&a[i], &b[i]) {
			return false
		}
	}
	return true
}

func sameFinding(a, b *Finding) bool {
	if a.ID != b.ID || a.Rule != b.Rule || a.Category != b.Category || a.Severity != b.Severity ||
		a.Document != b.Document || a.Principal != b.Principal || a.Statement != b.Statement ||
		a.Sid != b.Sid || a.Line != b.Line || a.Title != b.Title || a.Detail != b.Detail ||
		a.Recommendation != b.Recommendation || a.Note != b.Note || a.Source != b.Source ||
		a.Count != b.Count || a.Baseline != b.Baseline ||
		(a.Actions == nil) != (b.Actions == nil) || len(a.Actions) != len(b.Actions) ||
		len(a.Implies) != len(b.Implies) || (a.Suppressed == nil) != (b.Suppressed == nil) {
		return false
	}
	for i := range a.Actions {
		if a.Actions[i] != b.Actions[i] {
			return false
		}
	}
	for i := range a.Implies {
		if a.Implies[i] != b.Implies[i] {
			return false
		}
	}
	return a.Suppressed == nil || *a.Suppressed == *b.Suppressed
}
