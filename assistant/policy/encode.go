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

// AppendText appends the document as JSON (see JSON) to b and sets Size
// to the size of that text, as Read would: a document built rather than
// read, with Text set to what was appended, then holds what reading it
// back would give it.
func (d *Document) AppendText(b []byte) []byte {
	out, blank := d.appendJSON(b)
	d.Size = len(out) - len(b) - blank
	return out
}

// AppendJSON appends the document's JSON (see JSON) to b, changing
// nothing of d.
func (d *Document) AppendJSON(b []byte) []byte {
	out, _ := d.appendJSON(b)
	return out
}

// appendJSON appends the document's JSON to b and says how much of what
// it appended is white space.
func (d *Document) appendJSON(b []byte) (out []byte, blank int) {
	w := jsonWriter{pretty: true, b: b}
	d.write(&w)
	return w.b, w.blank
}

// JSON writes the document as canonical IAM JSON, indented with two
// spaces: Version, Id, then Statement as a list, each statement's elements
// in IAM's order. Elements IAM does not know are left out. It is
// MinifiedJSON indented as json.Indent(dst, src, "", "  ") would, byte
// for byte, written in one pass.
func (d *Document) JSON() []byte {
	return d.AppendJSON(make([]byte, 0, max(256, 2*d.Size+64)))
}

// MinifiedJSON is JSON without white space.
func (d *Document) MinifiedJSON() []byte {
	// A document read has its size, which the text written is close to:
	// the buffer is seldom grown.
	w := jsonWriter{b: make([]byte, 0, max(256, d.Size+d.Size/8+64))}
	d.write(&w)
	return w.b
}

// spaces indents a line of the indented JSON.
const spaces = "                                "

// jsonWriter writes JSON without white space, or indented with two
// spaces as json.Indent does: a line for each member and item, an empty
// object or list on its line ("{}", "[]"), ": " after a key.
type jsonWriter struct {
	b      []byte
	pretty bool
	depth  int
	// empty is true while the object or list just opened has no member.
	empty bool
	// blank counts the bytes written that are not characters of AWS's
	// size count: white space outside strings, and the bytes after the
	// first of a character of several.
	blank int
}

func (w *jsonWriter) open(c byte) {
	w.b = append(w.b, c)
	w.depth++
	w.empty = true
}

func (w *jsonWriter) close(c byte) {
	w.depth--
	if w.pretty && !w.empty {
		w.newline()
	}
	w.b = append(w.b, c)
	w.empty = false
}

// item starts a member or an item: a comma before all but the first.
func (w *jsonWriter) item() {
	if !w.empty {
		w.b = append(w.b, ',')
	}
	w.empty = false
	if w.pretty {
		w.newline()
	}
}

func (w *jsonWriter) newline() {
	w.blank += 1 + 2*w.depth
	w.b = append(w.b, '\n')
	for n := 2 * w.depth; n > 0; n -= len(spaces) {
		w.b = append(w.b, spaces[:min(n, len(spaces))]...)
	}
}

// key starts a member.
func (w *jsonWriter) key(k string) {
	w.item()
	w.string(k)
	w.b = append(w.b, ':')
	if w.pretty {
		w.b = append(w.b, ' ')
		w.blank++
	}
}

func (d *Document) write(w *jsonWriter) {
	w.open('{')
	if d.Version != "" {
		w.key("Version")
		w.string(d.Version)
	}
	if d.ID != "" {
		w.key("Id")
		w.string(d.ID)
	}
	w.key("Statement")
	w.open('[')
	for i := range d.Statements {
		w.item()
		d.Statements[i].write(w)
	}
	w.close(']')
	w.close('}')
}

func (s *Statement) write(w *jsonWriter) {
	w.open('{')
	if s.Sid != "" {
		w.key("Sid")
		w.string(s.Sid)
	}
	if s.Effect != "" {
		w.key("Effect")
		w.string(s.Effect)
	}
	w.principal("Principal", s.Principal)
	w.principal("NotPrincipal", s.NotPrincipal)
	w.list("Action", s.Action)
	w.list("NotAction", s.NotAction)
	w.list("Resource", s.Resource)
	w.list("NotResource", s.NotResource)
	if len(s.Conditions) > 0 {
		w.key("Condition")
		w.conditions(s.Conditions)
	}
	w.close('}')
}

func (w *jsonWriter) list(key string, l List) {
	if !l.Set && len(l.Values) == 0 {
		return
	}
	w.key(key)
	w.values(l)
}

func (w *jsonWriter) values(l List) {
	if l.Single && len(l.Values) == 1 {
		w.string(l.Values[0].Text)
		return
	}
	w.open('[')
	for _, v := range l.Values {
		w.item()
		w.string(v.Text)
	}
	w.close(']')
}

func (w *jsonWriter) principal(key string, p *Principal) {
	if p == nil {
		return
	}
	w.key(key)
	if p.Any {
		w.string("*")
		return
	}
	w.open('{')
	for _, e := range p.Entries {
		w.key(e.Kind)
		w.values(e.Values)
	}
	w.close('}')
}

// conditions writes conditions grouped by operator, operators in the
// order they first appear.
func (w *jsonWriter) conditions(cs []Condition) {
	w.open('{')
	done := make([]bool, len(cs))
	for i := range cs {
		if done[i] {
			continue
		}
		w.key(cs[i].Operator)
		w.open('{')
		for j := i; j < len(cs); j++ {
			if done[j] || cs[j].Operator != cs[i].Operator {
				continue
			}
			done[j] = true
			w.key(cs[j].Key)
			w.values(cs[j].Values)
		}
		w.close('}')
	}
	w.close('}')
}

const hexDigits = "0123456789abcdef"

// plainASCII holds the ASCII characters jsonWriter.string copies as they are
// without looking further.
var plainASCII = func() (t [utf8.RuneSelf]bool) {
	for c := byte(0x20); c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '`' && c != '&' && c != '<'
	}
	return t
}()

// string writes s as a JSON string. It leaves <, > and & alone,
// which policies use in conditions, unless Read would take them for
// Slack's markup; it escapes the characters Read repairs (typographic
// quotes, unusual spaces) and backquotes, so that Read gives back what
// was written.
func (w *jsonWriter) string(s string) {
	b := append(w.b, '"')
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
			w.blank += n - 1
			i += n
			continue
		}
		b = append(b, s[start:i]...)
		b = append(b, '\\', 'u', hexDigits[r>>12&0xF], hexDigits[r>>8&0xF], hexDigits[r>>4&0xF], hexDigits[r&0xF])
		i += n
		start = i
	}
	b = append(b, s[start:]...)
	w.b = append(b, '"')
}
