package lang

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/rules"
)

// Report returns r in the language: a copy whose findings are rendered
// again from their rules' templates in the language, and whose summary,
// notes and suggested changes are translated where the catalog knows the
// sentence. Identifiers (rule ids, categories, severities, actions, ARNs)
// and what a model wrote are left as they are. In English, Report returns
// r itself.
func (t Tag) Report(r *report.Report) *report.Report {
	if r == nil || t.norm() == English {
		return r
	}
	out := *r
	out.Findings = t.findings(r.Findings)
	out.Documents = make([]report.Document, len(r.Documents))
	for i, d := range r.Documents {
		d.Findings = t.findings(d.Findings)
		d.Summary = t.summary(d.Summary, r.Documents[i].Findings)
		d.SuggestedPolicy = t.suggestion(d.SuggestedPolicy)
		d.NoSuggestionReason = t.summary(d.NoSuggestionReason, r.Documents[i].Findings)
		out.Documents[i] = d
	}
	all := r.Findings
	for _, d := range r.Documents {
		all = append(all[:len(all):len(all)], d.Findings...)
	}
	if r.Principals != nil {
		out.Principals = make([]report.Principal, len(r.Principals))
		for i, p := range r.Principals {
			p.Findings = t.findings(p.Findings)
			p.Summary = t.summary(p.Summary, r.Principals[i].Findings)
			out.Principals[i] = p
			all = append(all[:len(all):len(all)], r.Principals[i].Findings...)
		}
	}
	out.Summary = t.summary(r.Summary, all)
	// The reason may quote the summary ("…: 4/10: public read access").
	out.NoSuggestionReason = t.summary(r.NoSuggestionReason, all)
	out.Notes = t.Texts(r.Notes)
	out.SuggestedPolicy = t.suggestion(r.SuggestedPolicy)
	if len(r.SuppressionProblems) > 0 {
		out.SuppressionProblems = make([]report.Suppression, len(r.SuppressionProblems))
		for i, s := range r.SuppressionProblems {
			s.Problem = t.Text(s.Problem)
			out.SuppressionProblems[i] = s
		}
	}
	return &out
}

// suggestion is s with what changed and why in the language.
func (t Tag) suggestion(s *report.Suggestion) *report.Suggestion {
	if s == nil {
		return nil
	}
	c := *s
	c.Changes = make([]report.Change, len(s.Changes))
	for i, ch := range s.Changes {
		ch.What, ch.Why = t.Text(ch.What), t.Text(ch.Why)
		c.Changes[i] = ch
	}
	return &c
}

// Texts translates each sentence of in where the catalog knows it (see
// Text); nil stays nil.
func (t Tag) Texts(in []string) []string {
	if in == nil {
		return nil
	}
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = t.Text(s)
	}
	return out
}

func (t Tag) findings(in []report.Finding) []report.Finding {
	if in == nil {
		return nil
	}
	out := make([]report.Finding, len(in))
	for i, f := range in {
		if f.Rule != "" && f.Source != "model" {
			// The sentence on the findings folded into this one follows
			// the rule's detail: it is rendered again after it.
			detail, implied := f.Detail, ""
			if s := " " + English.Implied(f.Implies); len(f.Implies) > 0 && strings.HasSuffix(detail, s) {
				detail, implied = strings.TrimSuffix(detail, s), " "+t.Implied(f.Implies)
			}
			f.Title, f.Detail, f.Recommendation = t.Finding(f.Rule, f.Args, f.Title, detail, f.Recommendation)
			f.Detail += implied
		}
		f.Note = t.Text(f.Note)
		out[i] = f
	}
	return out
}

// Finding renders the title, detail and fix of a finding of rule id in
// the language, from the finding's args. Where the catalog has no
// translation, or the rule is unknown, the English texts given are kept.
func (t Tag) Finding(id string, args map[string]string, title, detail, fix string) (string, string, string) {
	r, ok := rules.Lookup(id)
	if !ok || args == nil && placeholders.MatchString(r.Title+r.Detail+r.Fix) {
		// Without its arguments (a review stored before they were),
		// a template cannot be filled: the English stays.
		return title, detail, fix
	}
	a := t.args(args)
	render := func(field, english string) string {
		tmpl, ok := t.RuleText(id, field)
		if !ok {
			return english
		}
		return rules.Expand(tmpl, a)
	}
	return render("title", title), render("detail", detail), render("fix", fix)
}

// proseArgs are the arguments of findings that hold words rather than
// identifiers: a description, a piece of advice, a place, a kind.
var proseArgs = map[string]bool{
	"effect": true, "advice": true, "where": true, "kind": true, "data": true,
	"expect": true, "why": true, "what": true, "pair": true, "fix": true, "checked": true, "unchecked": true,
}

// listArgs are the arguments that join words and identifiers with ", ":
// "account 111122223333 in us-east-1, account 444455556666 in eu-west-1",
// "the principals named, aws:PrincipalAccount".
var listArgs = map[string]bool{"scope": true, "pinned": true}

// placeholders matches a template's placeholders.
var placeholders = regexp.MustCompile(`\{[A-Za-z0-9_-]+[}?]`)

// andMore is the end of a list of identifiers cut short: "s3:GetObject,
// s3:PutObject and 3 more".
var andMore = regexp.MustCompile(` and ([0-9]+) more$`)

// args are a finding's arguments with those in words translated where
// the catalog knows them, and the "and 3 more" of lists.
func (t Tag) args(args map[string]string) rules.Args {
	a := make(rules.Args, len(args))
	for k, v := range args {
		switch {
		case proseArgs[k]:
			v = t.Text(v)
		case listArgs[k]:
			v = t.items(v, ", ")
		case k == "reasons":
			v = t.reasons(v)
		default:
			if m, ok := catalogs[t.norm()].Messages[v]; ok && len(m.Forms) == 0 {
				v = m.Text // a few words in place of a list: "every action"
			} else {
				v, _ = t.more(v)
			}
		}
		a[k] = v
	}
	return a
}

// phrase is a finding's words in a summary, in English and in the
// language.
func (t Tag) phrase(f report.Finding) (english, translated string) {
	r, ok := rules.Lookup(f.Rule)
	if !ok || f.Args == nil && placeholders.MatchString(r.Title+r.Phrase) {
		return "", ""
	}
	english = rules.Expand(r.Phrase, f.Args)
	tmpl, ok := t.RuleText(f.Rule, "phrase")
	if !ok {
		tmpl, ok = t.RuleText(f.Rule, "title")
		if ok {
			tmpl = lowerFirst(tmpl)
		}
	}
	if english == "" {
		english = lowerFirst(rules.Expand(r.Title, f.Args))
	}
	if !ok {
		return english, english
	}
	return english, rules.Expand(tmpl, t.args(f.Args))
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// summary translates a summary: the phrases of the findings it names,
// then the sentence around them.
func (t Tag) summary(s string, fs []report.Finding) string {
	if s == "" {
		return s
	}
	type pair struct{ en, tr string }
	var pairs []pair
	seen := map[string]bool{}
	for _, f := range fs {
		if f.Source == "model" {
			continue
		}
		en, tr := t.phrase(f)
		if en != "" && !seen[en] && strings.Contains(s, en) {
			seen[en] = true
			pairs = append(pairs, pair{en, tr})
		}
	}
	// The longest first, so that a phrase inside another is not
	// replaced in it.
	sort.SliceStable(pairs, func(i, j int) bool { return len(pairs[i].en) > len(pairs[j].en) })
	for _, p := range pairs {
		s = strings.ReplaceAll(s, p.en, p.tr)
	}
	return t.Text(s)
}

// Text translates a sentence that policycheck wrote in English from one
// of the catalog's messages: exactly, or by reading back the values of
// its %d and %s (each %s translated in turn). A sentence the catalog does
// not know is returned as it is: it is the engine's or the model's own.
func (t Tag) Text(s string) string {
	if t.norm() == English || s == "" {
		return s
	}
	return t.text(s, 0)
}

func (t Tag) text(s string, depth int) string {
	c := catalogs[t.norm()]
	if m, ok := c.Messages[s]; ok && len(m.Forms) == 0 {
		return m.Text
	}
	if depth > 3 {
		return s
	}
	if l, ok := t.list(s); ok {
		return l
	}
	if l, ok := t.refs(s, depth); ok {
		return l
	}
	if m := lineNote.FindStringSubmatch(s); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil {
			return t.Sprintf("line %d: %s", n, t.text(m[2], depth+1))
		}
	}
	for _, p := range patterns() {
		if !strings.HasPrefix(s, p.prefix) || !strings.HasSuffix(s, p.suffix) || !strings.Contains(s, p.longest) {
			continue // cheaper than the expression
		}
		m := p.re.FindStringSubmatch(s)
		if m == nil {
			continue
		}
		if _, ok := c.Messages[p.key]; !ok {
			continue
		}
		args := make([]any, len(p.verbs))
		n := -1
		for i, v := range p.verbs {
			if v == 'd' {
				k, err := strconv.Atoi(m[i+1])
				if err != nil {
					args = nil
					break
				}
				args[i] = k
				if n < 0 {
					n = k
				}
				continue
			}
			if v == 'q' {
				u, err := strconv.Unquote(m[i+1])
				if err != nil {
					args = nil
					break
				}
				args[i] = u
				continue
			}
			args[i] = t.text(m[i+1], depth+1)
		}
		if args == nil {
			continue
		}
		return t.Plural(n, p.key, args...)
	}
	if m, ok := t.more(s); ok {
		return m
	}
	return s
}

// pattern reads back a message with verbs.
type pattern struct {
	key   string
	re    *regexp.Regexp
	verbs []byte
	// prefix and suffix are the literal text before the first verb and
	// after the last; longest is the longest literal text between verbs.
	prefix, suffix, longest string
}

// minLiteral is the fewest characters besides verbs that a message needs
// to be read back: "%s (%s)" would match anything; "Removed %s" is
// specific enough.
const minLiteral = 8

var patterns = sync.OnceValue(func() []pattern {
	var out []pattern
	for key := range catalogs[English].Messages {
		verbs, re, literal := compile(key)
		if len(verbs) == 0 || literal < minLiteral {
			continue
		}
		parts := verbs2.Split(strings.ReplaceAll(key, "%%", "%"), -1)
		p := pattern{key: key, re: re, verbs: verbs, prefix: parts[0], suffix: parts[len(parts)-1]}
		for _, s := range parts {
			if len(s) > len(p.longest) {
				p.longest = s
			}
		}
		out = append(out, p)
	}
	// The most specific first.
	sort.Slice(out, func(i, j int) bool {
		if a, b := len(out[i].key)-2*len(out[i].verbs), len(out[j].key)-2*len(out[j].verbs); a != b {
			return a > b
		}
		return out[i].key < out[j].key
	})
	return out
})

// verbs2 splits a format at its verbs.
var verbs2 = regexp.MustCompile(`%[dsq]`)

// compile turns a format with %d and %s into an anchored expression.
func compile(format string) (verbs []byte, re *regexp.Regexp, literal int) {
	var b strings.Builder
	b.WriteString(`^`)
	for i := 0; i < len(format); i++ {
		if format[i] == '%' && i+1 < len(format) {
			switch format[i+1] {
			case 'd':
				b.WriteString(`(-?\d+)`)
				verbs = append(verbs, 'd')
				i++
				continue
			case 's':
				b.WriteString(`(.+?)`)
				verbs = append(verbs, 's')
				i++
				continue
			case 'q':
				b.WriteString(`("(?:[^"\\]|\\.)*")`)
				verbs = append(verbs, 'q')
				i++
				continue
			case '%':
				b.WriteString(`%`)
				i++
				literal++
				continue
			}
		}
		b.WriteString(regexp.QuoteMeta(format[i : i+1]))
		literal++
	}
	b.WriteString(`$`)
	return verbs, regexp.MustCompile(`(?s)` + b.String()), literal
}
