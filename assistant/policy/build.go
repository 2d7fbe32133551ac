package policy

import (
	"fmt"
	"strings"
)

// docSpec says what the builder needs to know about where a document was
// found.
type docSpec struct {
	name   string // empty: named by the reader from Options.Name
	source string // "json", "yaml", "cloudformation", "terraform"
	hint   Type   // decided by the property or resource; empty detects
}

// builder turns nodes into a Document.
type builder struct {
	r   *reader
	loc locator
}

func (r *reader) build(n *node, o origin, spec docSpec) *Document {
	b := &builder{r: r, loc: o.loc}
	d := &Document{Name: spec.name, Source: spec.source, Pos: o.loc.pos(n.off)}
	branches := r.branches
	defer func() { d.Branched = r.branches > branches }()
	for _, m := range n.members {
		key, ok := b.element(m, docElements)
		if !ok {
			d.Unknown = append(d.Unknown, Value{Text: m.key, Pos: b.pos(m.keyOff)})
			continue
		}
		switch key {
		case "Version":
			d.VersionPos = b.pos(m.keyOff)
			d.Version, _ = b.scalar(m, "Version")
		case "Id":
			d.ID, _ = b.scalar(m, "Id")
		case "Statement":
			b.statements(d, m)
		}
	}
	d.Type, d.TypeKnown = spec.hint, spec.hint != ""
	if d.Type == "" {
		d.Type = detectType(d)
	}
	if spec.source == "cloudformation" || spec.source == "terraform" {
		r.collectRefs(d)
	}
	switch {
	case n.end <= n.off || n.end > len(o.text):
		// Built from values that were not written as one piece of text.
		d.Text = string(d.JSON())
		d.Size = runeCount(string(d.MinifiedJSON()))
	case o.json && n == o.root:
		d.Text = o.text[n.off:n.end]
		d.Size = runeCount(d.Text) - o.blank
	case o.json:
		d.Text = o.text[n.off:n.end]
		d.Size = jsonSize(d.Text)
	default:
		// YAML or HCL: the lines it was written on; AWS counts the JSON
		// it becomes.
		d.Text = o.text[strings.LastIndexByte(o.text[:n.off], '\n')+1 : n.end]
		d.Size = runeCount(string(d.MinifiedJSON()))
	}
	return d
}

var (
	docElements  = elementSet("Version", "Id", "Statement")
	stmtElements = elementSet("Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition")
)

// elementSet maps element names, and their lower-case forms, to the name.
func elementSet(names ...string) map[string]string {
	m := make(map[string]string, 2*len(names))
	for _, n := range names {
		m[n] = n
		m[strings.ToLower(n)] = n
	}
	return m
}

func (b *builder) pos(off int) Pos { return b.loc.pos(off) }

func (b *builder) note(off int, format string, args ...any) {
	b.r.note(b.loc, off, fmt.Sprintf(format, args...))
}

// element names the IAM element a key stands for. A key that differs from
// the element only in case is read with a note.
func (b *builder) element(m member, set map[string]string) (string, bool) {
	if name, ok := set[m.key]; ok && name == m.key {
		return name, true
	}
	if name, ok := set[strings.ToLower(m.key)]; ok {
		b.note(m.keyOff, "read %q as %q: IAM element names are case-sensitive", m.key, name)
		return name, true
	}
	return "", false
}

// scalar reads an element that must be a single string.
func (b *builder) scalar(m member, what string) (string, bool) {
	v := b.r.resolve(m.val, b.loc)
	switch {
	case v == nil:
		return "", false
	case v.kind == kindString:
		return v.str, true
	case v.kind == kindNumber || v.kind == kindBool:
		b.note(v.off, "%s should be a string; read %s as %q", what, v.str, v.str)
		return v.str, true
	}
	b.note(v.off, "%s should be a string, not %s; ignored it", what, v.kind)
	return "", false
}

func (b *builder) statements(d *Document, m member) {
	v := b.r.resolve(m.val, b.loc)
	if v == nil {
		return
	}
	switch v.kind {
	case kindObject:
		d.StatementSingle = true
		b.statement(d, v)
	case kindArray:
		d.Statements = make([]Statement, 0, len(v.items))
		for _, written := range v.items {
			it := b.r.resolve(written, b.loc)
			switch {
			case it == nil:
			case it.kind == kindObject:
				b.statement(d, it)
			case it.kind == kindArray:
				// Fn::If can stand for several statements, or none.
				if len(it.items) == 0 && it == written {
					b.note(it.off, "a statement should be an object, not an empty list; skipped it")
				}
				for _, s := range it.items {
					switch s = b.r.resolve(s, b.loc); {
					case s == nil:
					case s.kind == kindObject:
						b.statement(d, s)
					default:
						b.note(s.off, "a statement should be an object, not %s; skipped it", s.kind)
					}
				}
			default:
				b.note(it.off, "a statement should be an object, not %s; skipped it", it.kind)
			}
		}
	default:
		b.note(v.off, "Statement should be an object or a list of objects, not %s; the policy has no statements", v.kind)
	}
}

func (b *builder) statement(d *Document, n *node) {
	s := Statement{Index: len(d.Statements), Pos: b.pos(n.off)}
	for _, m := range n.members {
		key, ok := b.element(m, stmtElements)
		if !ok {
			s.Unknown = append(s.Unknown, Value{Text: m.key, Pos: b.pos(m.keyOff)})
			continue
		}
		switch key {
		case "Sid":
			s.Sid, _ = b.scalar(m, "Sid")
		case "Effect":
			s.EffectPos = b.pos(m.keyOff)
			s.Effect, _ = b.scalar(m, "Effect")
		case "Action":
			s.Action = b.list(m, false)
		case "NotAction":
			s.NotAction = b.list(m, false)
		case "Resource":
			s.Resource = b.list(m, false)
		case "NotResource":
			s.NotResource = b.list(m, false)
		case "Principal":
			s.Principal = b.principal(m)
		case "NotPrincipal":
			s.NotPrincipal = b.principal(m)
		case "Condition":
			s.ConditionPos = b.pos(m.keyOff)
			s.Conditions = b.conditions(m)
		}
	}
	d.Statements = append(d.Statements, s)
}

// list reads an element written as a string or a list of strings. In a
// condition, numbers and booleans are legal and read as their text.
func (b *builder) list(m member, condition bool) List {
	l := List{Pos: b.pos(m.keyOff), Set: true}
	v := b.r.resolve(m.val, b.loc)
	if v == nil {
		return l
	}
	if v.kind == kindArray {
		l.Values = make([]Value, 0, len(v.items))
		for _, it := range v.items {
			b.listValue(&l, m.key, b.r.resolve(it, b.loc), condition, 0)
		}
		return l
	}
	l.Single = v.scalar()
	b.listValue(&l, m.key, v, condition, 0)
	return l
}

func (b *builder) listValue(l *List, key string, v *node, condition bool, depth int) {
	switch {
	case v == nil:
	case v.kind == kindString:
		l.Values = append(l.Values, Value{Text: v.str, Pos: b.pos(v.off)})
	case v.kind == kindNumber || v.kind == kindBool:
		if !condition {
			b.note(v.off, "%q should hold strings; read %s as %q", key, v.str, v.str)
		}
		l.Values = append(l.Values, Value{Text: v.str, Pos: b.pos(v.off)})
	case v.kind == kindArray && depth == 0:
		// Fn::If or Fn::Split stood for a list.
		for _, it := range v.items {
			b.listValue(l, key, b.r.resolve(it, b.loc), condition, depth+1)
		}
	default:
		b.note(v.off, "%q should hold strings, not %s; skipped it", key, v.kind)
	}
}

func (b *builder) principal(m member) *Principal {
	p := &Principal{Pos: b.pos(m.keyOff)}
	v := b.r.resolve(m.val, b.loc)
	switch {
	case v == nil:
	case v.kind == kindString && v.str == "*":
		p.Any = true
	case v.kind == kindString:
		b.note(v.off, "%s should be \"*\" or an object such as {\"AWS\": ...}; read %q as an AWS principal", m.key, v.str)
		p.Entries = append(p.Entries, PrincipalEntry{Kind: "AWS", Values: b.list(member{key: "AWS", keyOff: m.keyOff, val: v}, false)})
	case v.kind == kindObject:
		for _, e := range v.members {
			p.Entries = append(p.Entries, PrincipalEntry{Kind: e.key, Values: b.list(e, false)})
		}
	default:
		b.note(v.off, "%s should be \"*\" or an object, not %s; ignored it", m.key, v.kind)
	}
	return p
}

func (b *builder) conditions(m member) []Condition {
	v := b.r.resolve(m.val, b.loc)
	if v == nil {
		return nil
	}
	if v.kind != kindObject {
		b.note(v.off, "Condition should be an object of operators, not %s; ignored it", v.kind)
		return nil
	}
	var out []Condition
	for _, op := range v.members {
		ov := b.r.resolve(op.val, b.loc)
		if ov == nil {
			continue
		}
		if ov.kind != kindObject {
			b.note(ov.off, "the condition operator %q should have an object of keys and values, not %s; ignored it", op.key, ov.kind)
			continue
		}
		for _, k := range ov.members {
			c := Condition{Operator: op.key, Key: k.key, Pos: b.pos(k.keyOff)}
			c.Values = b.list(k, true)
			out = append(out, c)
		}
	}
	return out
}

// jsonSize counts the characters of JSON text outside white space that
// is not in a string: the figure AWS's policy size quotas count.
func jsonSize(s string) int {
	n, in, esc := 0, false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c&0xC0 == 0x80 {
			continue // inside a multi-byte character, counted at its start
		}
		switch {
		case in:
			n++
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				in = false
			}
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
		default:
			n++
			in = c == '"'
		}
	}
	return n
}
