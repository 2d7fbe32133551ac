package policy

import (
	"errors"
	"fmt"
	"strings"
)

// summary writes what Read returned in a form golden files can hold:
// documents with the position of every statement and element, notes, or
// the error.
func summary(res *Result, err error) string {
	var b strings.Builder
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return fmt.Sprintf("error (not *Error): %v\n", err)
		}
		fmt.Fprintf(&b, "error: %s\n", e.Kind)
		fmt.Fprintf(&b, "pos: %s\n", posString(e.Pos))
		fmt.Fprintf(&b, "message: %s\n", e.Msg)
		if e.Pos.Line > 0 {
			fmt.Fprintf(&b, "line: |%s|\n", e.Line)
		}
		return b.String()
	}
	fmt.Fprintf(&b, "format: %s\n", res.Format)
	for _, n := range res.Notes {
		fmt.Fprintf(&b, "note %s: %s\n", posString(n.Pos), n.Message)
	}
	for _, d := range res.Documents {
		fmt.Fprintf(&b, "\ndocument %q\n", d.Name)
		fmt.Fprintf(&b, "  type %s, source %s, at %s, size %d\n", d.Type, d.Source, posString(d.Pos), d.Size)
		fmt.Fprintf(&b, "  json %s\n", d.MinifiedJSON())
		if d.Version != "" || d.VersionPos.Line > 0 {
			fmt.Fprintf(&b, "  Version %q at %s\n", d.Version, posString(d.VersionPos))
		}
		if d.ID != "" {
			fmt.Fprintf(&b, "  Id %q\n", d.ID)
		}
		if d.StatementSingle {
			b.WriteString("  Statement written as an object\n")
		}
		for _, u := range d.Unknown {
			fmt.Fprintf(&b, "  unknown %q at %s\n", u.Text, posString(u.Pos))
		}
		for _, s := range d.Statements {
			fmt.Fprintf(&b, "  statement %d at %s", s.Index, posString(s.Pos))
			if s.Sid != "" {
				fmt.Fprintf(&b, " sid %q", s.Sid)
			}
			b.WriteString("\n")
			if s.Effect != "" || s.EffectPos.Line > 0 {
				fmt.Fprintf(&b, "    Effect %q at %s\n", s.Effect, posString(s.EffectPos))
			}
			writePrincipal(&b, "Principal", s.Principal)
			writePrincipal(&b, "NotPrincipal", s.NotPrincipal)
			writeList(&b, "    Action", s.Action)
			writeList(&b, "    NotAction", s.NotAction)
			writeList(&b, "    Resource", s.Resource)
			writeList(&b, "    NotResource", s.NotResource)
			if s.ConditionPos.Line > 0 || len(s.Conditions) > 0 {
				fmt.Fprintf(&b, "    Condition at %s\n", posString(s.ConditionPos))
			}
			for _, c := range s.Conditions {
				writeList(&b, fmt.Sprintf("      %s %s (at %s)", c.Operator, c.Key, posString(c.Pos)), c.Values)
			}
			for _, u := range s.Unknown {
				fmt.Fprintf(&b, "    unknown %q at %s\n", u.Text, posString(u.Pos))
			}
		}
	}
	return b.String()
}

func writePrincipal(b *strings.Builder, name string, p *Principal) {
	if p == nil {
		return
	}
	fmt.Fprintf(b, "    %s at %s", name, posString(p.Pos))
	if p.Any {
		b.WriteString(" \"*\"")
	}
	b.WriteString("\n")
	for _, e := range p.Entries {
		writeList(b, "      "+e.Kind, e.Values)
	}
}

func writeList(b *strings.Builder, name string, l List) {
	if !l.Set {
		return
	}
	fmt.Fprintf(b, "%s at %s", name, posString(l.Pos))
	if l.Single {
		b.WriteString(" single")
	}
	b.WriteString(":")
	for _, v := range l.Values {
		fmt.Fprintf(b, " %q@%s", v.Text, posString(v.Pos))
	}
	b.WriteString("\n")
}

func posString(p Pos) string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }
