package policy

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// maxYAMLValues bounds the values a YAML text may expand to through
// aliases.
const maxYAMLValues = 200_000

// readYAML reads the YAML documents of a region: policies or
// CloudFormation templates.
func (r *reader) readYAML(rg region) error {
	mark, n := len(r.notes), len(r.docs)
	err := r.readYAMLFrom(rg.start, rg.end)
	if err == nil || len(r.docs) > n {
		return err
	}
	// Prose before the YAML: try again from its first top-level key.
	text := r.text[rg.start:rg.end]
	if m := yamlTop.FindStringIndex(text); m != nil && m[0] > 0 && strings.TrimSpace(text[:m[0]]) != "" {
		r.notes = r.notes[:mark]
		if r.readYAMLFrom(rg.start+m[0], rg.end) == nil {
			r.note(r.loc, rg.start, "ignored the text before the policy")
			return nil
		}
		r.notes, r.docs = r.notes[:mark], r.docs[:n]
	}
	return err
}

func (r *reader) readYAMLFrom(start, end int) error {
	text := r.text[start:end]
	c := &yamlConv{r: r, lines: newLineIndex(text), base: start, budget: maxYAMLValues}
	dec := yaml.NewDecoder(strings.NewReader(text))
	o := origin{text: r.text, loc: r.loc}
	n := len(r.docs)
	var treeErr *Error
	for {
		var root yaml.Node
		err := decodeYAML(dec, &root)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return c.error(err)
		}
		v := c.convert(&root, 0)
		if c.err != nil {
			return c.err
		}
		if err := r.fromTree(v, o, "yaml"); err != nil && treeErr == nil {
			treeErr = err
		}
	}
	if len(r.docs) == n && treeErr != nil {
		return treeErr
	}
	if len(r.docs) == n {
		return errNoPolicy("this YAML has no Statement element or CloudFormation Resources; it does not look like an IAM policy")
	}
	return nil
}

// decodeYAML decodes one document, turning a panic of the decoder into an
// error: a hostile input must not take the process down.
func decodeYAML(dec *yaml.Decoder, root *yaml.Node) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("yaml: %v", p)
		}
	}()
	return dec.Decode(root)
}

// yamlConv turns yaml.v3 nodes into nodes with offsets in r.text.
type yamlConv struct {
	r      *reader
	lines  *lineIndex // over the YAML text
	base   int        // offset of the YAML text in r.text
	budget int
	err    *Error
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// error explains a YAML syntax error at its line.
func (c *yamlConv) error(err error) *Error {
	msg := err.Error()
	m := yamlLine.FindStringSubmatch(msg)
	if m == nil {
		return &Error{Kind: ErrSyntax, Msg: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
	}
	line, _ := strconv.Atoi(m[1])
	if parserProblem(m[2]) {
		// yaml.v3 writes the 0-based line for the parser's errors and
		// the 1-based line for the scanner's.
		line++
	}
	line = min(max(line, 1), len(c.lines.starts))
	text := c.lines.line(line)
	// At the start of the line's content; past the end of the input,
	// after the last thing written.
	off := c.lines.offset(line, 1+runeCount(text[:len(text)-len(strings.TrimLeft(text, " "))]))
	if strings.TrimSpace(text) == "" {
		off = len(strings.TrimRight(c.lines.s[:off], " \t\r\n"))
	}
	return c.r.errorAt(ErrSyntax, c.r.loc.pos(c.base+off), "invalid YAML: "+m[2])
}

// parserProblem tells the parser's messages from the scanner's.
func parserProblem(msg string) bool {
	if strings.HasPrefix(msg, "did not find expected ") {
		for _, scanner := range []string{"alphabetic", "tag URI", "hexdecimal", "comment or line break"} {
			if strings.Contains(msg, scanner) {
				return false
			}
		}
		return true
	}
	return strings.HasPrefix(msg, "found duplicate %YAML") || strings.HasPrefix(msg, "found incompatible YAML")
}

// off is the offset in r.text of a YAML line and column.
func (c *yamlConv) off(line, col int) int { return c.base + c.lines.offset(line, col) }

// lineEnd is the offset in r.text of the end of a YAML line.
func (c *yamlConv) lineEnd(line int) int {
	return c.off(line, 1) + len(c.lines.line(line))
}

func (c *yamlConv) convert(y *yaml.Node, depth int) *node {
	if c.budget--; c.budget < 0 || depth > maxDepth {
		if c.err == nil {
			c.err = c.r.errorAt(ErrSyntax, c.r.loc.pos(c.off(y.Line, y.Column)), "the YAML is nested too deeply or expands to too many values through aliases")
		}
		return &node{kind: kindNull}
	}
	switch y.Kind {
	case yaml.DocumentNode:
		if len(y.Content) == 0 {
			return &node{kind: kindNull}
		}
		return c.convert(y.Content[0], depth+1)
	case yaml.AliasNode:
		if y.Alias == nil {
			return &node{kind: kindNull}
		}
		return c.convert(y.Alias, depth+1)
	}
	if tag := y.Tag; strings.HasPrefix(tag, "!") && !strings.HasPrefix(tag, "!!") && len(tag) > 1 {
		// A CloudFormation short form, !Sub "x": read as {"Fn::Sub": "x"}.
		fn := tag[1:]
		if fn != "Ref" && fn != "Condition" {
			fn = "Fn::" + fn
		}
		arg := c.value(y, depth, true)
		return &node{kind: kindObject, off: arg.off, end: arg.end, members: []member{{key: fn, keyOff: arg.off, val: arg}}}
	}
	return c.value(y, depth, false)
}

// value converts a scalar, mapping or sequence; tagged says its tag was a
// CloudFormation function's, so a scalar is a string.
func (c *yamlConv) value(y *yaml.Node, depth int, tagged bool) *node {
	n := &node{off: c.off(y.Line, y.Column), end: c.lineEnd(y.Line)}
	switch y.Kind {
	case yaml.ScalarNode:
		n.kind, n.str = kindString, y.Value
		if !tagged {
			switch y.ShortTag() {
			case "!!null":
				n.kind = kindNull
			case "!!bool":
				n.kind = kindBool
			case "!!int", "!!float":
				n.kind = kindNumber
			}
		}
		if y.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 || y.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			n.end = c.lineEnd(y.Line + strings.Count(y.Value, "\n"))
		}
		if y.Style&yaml.LiteralStyle != 0 {
			n.inner = c.blockLoc(y)
		}
	case yaml.MappingNode:
		n.kind = kindObject
		var merges []*yaml.Node
		for i := 0; i+1 < len(y.Content); i += 2 {
			k, v := y.Content[i], y.Content[i+1]
			if k.Kind == yaml.ScalarNode && k.Value == "<<" && k.ShortTag() == "!!merge" {
				merges = append(merges, v)
				continue
			}
			val := c.convert(v, depth+1)
			c.add(n, member{key: k.Value, keyOff: c.off(k.Line, k.Column), val: val})
			n.end = max(n.end, val.end)
		}
		// Keys written in the mapping win over merged ones.
		for _, v := range merges {
			c.merge(n, v, depth)
		}
	case yaml.SequenceNode:
		n.kind = kindArray
		n.items = make([]*node, 0, len(y.Content))
		for _, it := range y.Content {
			v := c.convert(it, depth+1)
			n.items = append(n.items, v)
			n.end = max(n.end, v.end)
		}
	default:
		n.kind = kindNull
	}
	return n
}

// merge reads a merge key (<<: *defaults) into the mapping n.
func (c *yamlConv) merge(n *node, v *yaml.Node, depth int) {
	src := c.convert(v, depth+1)
	var maps []*node
	switch src.kind {
	case kindObject:
		maps = []*node{src}
	case kindArray:
		maps = src.items
	}
	for _, m := range maps {
		if m.kind != kindObject {
			continue
		}
		for _, mm := range m.members {
			if n.get(mm.key) == nil {
				n.members = append(n.members, mm)
			}
		}
	}
}

// add appends m to the mapping n; a repeated key replaces the earlier
// value, with a note.
func (c *yamlConv) add(n *node, m member) {
	for i := range n.members {
		if n.members[i].key == m.key {
			c.r.note(c.r.loc, m.keyOff, fmt.Sprintf("duplicate key %q: the last value is used; AWS may reject the policy", m.key))
			n.members[i] = m
			return
		}
	}
	n.members = append(n.members, m)
}

// blockLoc locates the content of a literal block scalar: it starts on
// the line after the indicator, indented like its first non-blank line.
func (c *yamlConv) blockLoc(y *yaml.Node) locator {
	first := y.Line + 1
	indent := 0
	for l := first; l <= len(c.lines.starts); l++ {
		s := c.lines.line(l)
		if strings.TrimSpace(s) != "" {
			indent = len(s) - len(strings.TrimLeft(s, " "))
			break
		}
	}
	return blockLoc{
		inner:  newLineIndex(y.Value),
		outer:  c.lines,
		first:  first,
		indent: indent,
		base:   shiftLoc{delta: c.base, base: c.r.loc},
	}
}
