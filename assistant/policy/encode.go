package policy

import (
	"unicode/utf8"
)

// NewList returns a List holding values, as the suggestion engine builds
// them: a single value is written as a bare string.
func NewList(values ...string) List {
	l := List{Set: true, Single: len(values) == 1, Values: make([]Value, len(values))}
	for i, v := range values {
		l.Values[i].Text = v
	}
	return l
}

// JSON writes the document as canonical IAM JSON, indented with two
// spaces: Version, Id, then Statement as a list, each statement's elements
// in IAM's order. Elements IAM does not know are left out.
func (d *Document) JSON() []byte {
	return indent(d.MinifiedJSON())
}

// spaces indents a line of indent's output.
const spaces = "                                "

// indent is json.Indent(dst, src, "", "  ") for the valid JSON without
// white space that MinifiedJSON writes, byte for byte, at a fraction of
// its cost: it need not validate what it indents.
func indent(src []byte) []byte {
	out := make([]byte, 0, 2*len(src))
	depth := 0
	newline := func() {
		out = append(out, '\n')
		for n := 2 * depth; n > 0; n -= len(spaces) {
			out = append(out, spaces[:min(n, len(spaces))]...)
		}
	}
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch c {
		case '"':
			// A string, escapes and all, is copied as it is.
			j := i + 1
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			out = append(out, src[i:min(j+1, len(src))]...)
			i = j
		case '{', '[':
			out = append(out, c)
			if i+1 < len(src) && (src[i+1] == '}' || src[i+1] == ']') {
				// An empty object or list stays on its line.
				out = append(out, src[i+1])
				i++
				continue
			}
			depth++
			newline()
		case '}', ']':
			depth--
			newline()
			out = append(out, c)
		case ',':
			out = append(out, c)
			newline()
		case ':':
			out = append(out, ':', ' ')
		default:
			out = append(out, c)
		}
	}
	return out
}

// MinifiedJSON is JSON without white space.
func (d *Document) MinifiedJSON() []byte {
	// A document read has its size, which the text written is close to:
	// the buffer is seldom grown.
	b := make([]byte, 0, max(256, d.Size+d.Size/8+64))
	b = append(b, '{')
	comma := false
	if d.Version != "" {
		b = appendKey(b, "Version", &comma)
		b = appendString(b, d.Version)
	}
	if d.ID != "" {
		b = appendKey(b, "Id", &comma)
		b = appendString(b, d.ID)
	}
	b = appendKey(b, "Statement", &comma)
	b = append(b, '[')
	for i := range d.Statements {
		if i > 0 {
			b = append(b, ',')
		}
		b = d.Statements[i].appendJSON(b)
	}
	return append(b, ']', '}')
}

func (s *Statement) appendJSON(b []byte) []byte {
	b = append(b, '{')
	comma := false
	if s.Sid != "" {
		b = appendKey(b, "Sid", &comma)
		b = appendString(b, s.Sid)
	}
	if s.Effect != "" {
		b = appendKey(b, "Effect", &comma)
		b = appendString(b, s.Effect)
	}
	b = appendPrincipal(b, "Principal", s.Principal, &comma)
	b = appendPrincipal(b, "NotPrincipal", s.NotPrincipal, &comma)
	b = appendList(b, "Action", s.Action, &comma)
	b = appendList(b, "NotAction", s.NotAction, &comma)
	b = appendList(b, "Resource", s.Resource, &comma)
	b = appendList(b, "NotResource", s.NotResource, &comma)
	if len(s.Conditions) > 0 {
		b = appendKey(b, "Condition", &comma)
		b = appendConditions(b, s.Conditions)
	}
	return append(b, '}')
}

func appendKey(b []byte, key string, comma *bool) []byte {
	if *comma {
		b = append(b, ',')
	}
	*comma = true
	b = appendString(b, key)
	return append(b, ':')
}

func appendList(b []byte, key string, l List, comma *bool) []byte {
	if !l.Set && len(l.Values) == 0 {
		return b
	}
	b = appendKey(b, key, comma)
	return appendValues(b, l)
}

func appendValues(b []byte, l List) []byte {
	if l.Single && len(l.Values) == 1 {
		return appendString(b, l.Values[0].Text)
	}
	b = append(b, '[')
	for i, v := range l.Values {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, v.Text)
	}
	return append(b, ']')
}

func appendPrincipal(b []byte, key string, p *Principal, comma *bool) []byte {
	if p == nil {
		return b
	}
	b = appendKey(b, key, comma)
	if p.Any {
		return appendString(b, "*")
	}
	b = append(b, '{')
	for i, e := range p.Entries {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, e.Kind)
		b = append(b, ':')
		b = appendValues(b, e.Values)
	}
	return append(b, '}')
}

// appendConditions writes conditions grouped by operator, operators in
// the order they first appear.
func appendConditions(b []byte, cs []Condition) []byte {
	b = append(b, '{')
	done := make([]bool, len(cs))
	for i := range cs {
		if done[i] {
			continue
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, cs[i].Operator)
		b = append(b, ':', '{')
		for j := i; j < len(cs); j++ {
			if done[j] || cs[j].Operator != cs[i].Operator {
				continue
			}
			if j > i {
				b = append(b, ',')
			}
			done[j] = true
			b = appendString(b, cs[j].Key)
			b = append(b, ':')
			b = appendValues(b, cs[j].Values)
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// plainASCII holds the ASCII characters appendString copies as they are
// without looking further.
var plainASCII = func() (t [utf8.RuneSelf]bool) {
	for c := byte(0x20); c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '`' && c != '&' && c != '<'
	}
	return t
}()

// appendString writes s as a JSON string. It leaves <, > and & alone,
// which policies use in conditions, unless Read would take them for
// Slack's markup; it escapes the characters Read repairs (typographic
// quotes, unusual spaces) and backquotes, so that Read gives back what
// was written.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case plainASCII[c]:
				i++
				continue
			case c == '&':
				if _, n := slackEntity(s[i:]); n == 0 {
					i++
					continue
				}
			case c == '<':
				if _, ok := slackMarkup(s[i:]); !ok {
					i++
					continue
				}
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		// Invalid UTF-8 decodes as U+FFFD and is written so.
		if _, fix := runeFix(r); fix < 0 && r != '\u2028' && r != '\u2029' && !(r == utf8.RuneError && n == 1) {
			i += n
			continue
		}
		b = append(b, s[start:i]...)
		b = append(b, '\\', 'u', hexDigits[r>>12&0xF], hexDigits[r>>8&0xF], hexDigits[r>>4&0xF], hexDigits[r&0xF])
		i += n
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
