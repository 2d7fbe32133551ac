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

// Aliases let a few lines of YAML stand for millions of values (the
// "billion laughs"). Each anchored value is converted once and shared by
// its aliases, so reading costs time in proportion to the text; what the
// documents expand to is bounded as well, since everything done with them
// afterwards (checks, JSON, a model's prompt) costs in proportion to that.
// A policy written out in full expands to exactly what is written, and
// anchors that spare a few repetitions stay far below ten times it.
const (
	yamlExpansion = 10       // times the values written, and the size of the text
	minYAMLValues = 1_000    // values any text may expand to
	minYAMLBytes  = 16 << 10 // bytes of keys and scalars any text may expand to
)

// readYAML reads the YAML documents of a region: policies or
// CloudFormation templates. It reports whether the region was YAML whose
// values could not be read (too deep, or expanding too much): reading it
// some other way must not hide that.
func (r *reader) readYAML(rg region) (bool, error) {
	mark, n := len(r.notes), len(r.docs)
	read, err := r.readYAMLFrom(rg.start, rg.end)
	if err == nil || len(r.docs) > n || read {
		return read, err
	}
	// Prose before the YAML: try again from its first top-level key.
	text := r.text[rg.start:rg.end]
	if m := yamlTop.FindStringIndex(text); m != nil && m[0] > 0 && strings.TrimSpace(text[:m[0]]) != "" {
		r.notes = r.notes[:mark]
		if _, err := r.readYAMLFrom(rg.start+m[0], rg.end); err == nil {
			r.note(r.loc, rg.start, "ignored the text before the policy")
			return false, nil
		}
		r.notes, r.docs = r.notes[:mark], r.docs[:n]
	}
	return false, err
}

// readYAMLFrom reads the YAML documents of r.text[start:end]. It reports
// whether a failure was not in the syntax but in the values (too deep, or
// expanding too much): reading less of the text must not hide it.
func (r *reader) readYAMLFrom(start, end int) (bool, error) {
	text := r.text[start:end]
	c := r.newYAMLConv(start, end)
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
			return false, c.error(err)
		}
		v := c.document(&root)
		if c.err != nil {
			return true, c.err
		}
		if err := r.fromTree(v, o, "yaml"); err != nil && treeErr == nil {
			treeErr = err
		}
	}
	if len(r.docs) == n && treeErr != nil {
		return false, treeErr
	}
	if len(r.docs) == n {
		return false, errNoPolicy("this YAML has no Statement element or CloudFormation Resources; it does not look like an IAM policy")
	}
	return false, nil
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
	r     *reader
	lines *lineIndex // over the YAML text
	base  int        // offset of the YAML text in r.text
	err   *Error

	// The documents read so far: the values written in them (an alias
	// counts one), and what they expand to, in values and in bytes of
	// keys and scalars, with the bounds.
	written, values, bytes int
	maxValues, maxBytes    int

	anchors   map[*yaml.Node]*anchored
	deepest   int // the deepest level converted so far
	converted int // values converted: the work done, which aliases do not multiply
}

func (r *reader) newYAMLConv(start, end int) *yamlConv {
	return &yamlConv{r: r, lines: newLineIndex(r.text[start:end]), base: start,
		maxBytes: max(yamlExpansion*(end-start), minYAMLBytes)}
}

// document converts the next document of the text.
func (c *yamlConv) document(root *yaml.Node) *node {
	c.written += written(root)
	c.maxValues = max(yamlExpansion*c.written, minYAMLValues)
	return c.convert(root, 0)
}

// anchored is an anchored value (&a), converted once for all its aliases.
type anchored struct {
	n             *node
	values, bytes int  // what it expands to
	height        int  // levels under it
	done          bool // false while it is converted: an alias to it then is a cycle
}

// written counts the values written in a YAML document, an alias as one.
func written(root *yaml.Node) int {
	n := 0
	stack := []*yaml.Node{root}
	for len(stack) > 0 {
		y := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if y.Kind != yaml.DocumentNode {
			n++
		}
		if y.Kind == yaml.MappingNode {
			for i := 1; i < len(y.Content); i += 2 {
				stack = append(stack, y.Content[i])
			}
			continue
		}
		stack = append(stack, y.Content...)
	}
	return n
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
	switch {
	case c.err != nil:
		return &node{kind: kindNull}
	case y.Kind == yaml.DocumentNode:
		if len(y.Content) == 0 {
			return &node{kind: kindNull}
		}
		return c.convert(y.Content[0], depth+1)
	case y.Kind == yaml.AliasNode:
		if y.Alias == nil {
			return &node{kind: kindNull}
		}
		if a := c.anchors[y.Alias]; a != nil {
			return c.reuse(a, y, depth)
		}
		// An alias met before its anchor is converted: the anchor
		// is in a merge key, read after the other keys.
		return c.convert(y.Alias, depth)
	case y.Anchor != "":
		if a := c.anchors[y]; a != nil {
			return c.reuse(a, y, depth)
		}
		a := &anchored{}
		if c.anchors == nil {
			c.anchors = make(map[*yaml.Node]*anchored)
		}
		c.anchors[y] = a
		values, bytes, deepest := c.values, c.bytes, c.deepest
		c.deepest = depth
		a.n = c.fresh(y, depth)
		a.values, a.bytes, a.height = c.values-values, c.bytes-bytes, c.deepest-depth
		c.deepest = max(c.deepest, deepest)
		a.done = true
		return a.n
	}
	return c.fresh(y, depth)
}

// reuse returns the value of an anchor for one more place, at, where it
// is used: an alias, or the anchor itself after an alias that came first.
func (c *yamlConv) reuse(a *anchored, at *yaml.Node, depth int) *node {
	c.values += a.values
	c.bytes += a.bytes
	c.deepest = max(c.deepest, depth+a.height)
	name := at.Value
	if at.Kind != yaml.AliasNode {
		name = at.Anchor
	}
	switch {
	case !a.done:
		c.fail(at, fmt.Sprintf("the alias *%s is inside the value it stands for", name))
	case depth+a.height > maxDepth:
		c.fail(at, fmt.Sprintf("the alias *%s makes the YAML nested more than %d levels deep", name, maxDepth))
	default:
		c.checkSize(at)
	}
	if c.err != nil {
		return &node{kind: kindNull}
	}
	return a.n
}

// fresh converts a value that is not an alias.
func (c *yamlConv) fresh(y *yaml.Node, depth int) *node {
	c.converted++
	c.values++
	switch y.Kind {
	case yaml.ScalarNode:
		c.bytes += len(y.Value)
	case yaml.MappingNode:
		for i := 0; i < len(y.Content); i += 2 {
			c.bytes += len(y.Content[i].Value)
		}
	}
	c.deepest = max(c.deepest, depth)
	if depth > maxDepth {
		c.fail(y, fmt.Sprintf("the YAML is nested more than %d levels deep", maxDepth))
	}
	if c.checkSize(y); c.err != nil {
		return &node{kind: kindNull}
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

// checkSize fails when the documents expand past the bounds, at the
// value being read.
func (c *yamlConv) checkSize(at *yaml.Node) {
	switch {
	case c.values > c.maxValues:
		c.fail(at, fmt.Sprintf("the aliases in this YAML expand it to more than %d values, the limit for it (%d times the %d values written, and at least %d)",
			c.maxValues, yamlExpansion, c.written, minYAMLValues))
	case c.bytes > c.maxBytes:
		c.fail(at, fmt.Sprintf("the aliases in this YAML expand it to more than %d bytes of text, the limit for it (%d times its size, and at least %d)",
			c.maxBytes, yamlExpansion, minYAMLBytes))
	}
}

// fail records the first error, at a YAML node.
func (c *yamlConv) fail(at *yaml.Node, msg string) {
	if c.err == nil {
		c.err = c.r.errorAt(ErrSyntax, c.r.loc.pos(c.off(at.Line, at.Column)), msg)
	}
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
		keys := make(map[string]int, len(y.Content)/2) // index of each key in n.members
		var merges []*yaml.Node
		for i := 0; i+1 < len(y.Content); i += 2 {
			k, v := y.Content[i], y.Content[i+1]
			if k.Kind == yaml.ScalarNode && k.Value == "<<" && k.ShortTag() == "!!merge" {
				merges = append(merges, v)
				continue
			}
			val := c.convert(v, depth+1)
			c.add(n, keys, member{key: k.Value, keyOff: c.off(k.Line, k.Column), val: val})
			n.end = max(n.end, val.end)
		}
		// Keys written in the mapping win over merged ones.
		for _, v := range merges {
			c.merge(n, keys, v, depth)
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

// merge reads a merge key (<<: *defaults) into the mapping n, whose keys
// are indexed in keys.
func (c *yamlConv) merge(n *node, keys map[string]int, v *yaml.Node, depth int) {
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
			if _, ok := keys[mm.key]; !ok {
				keys[mm.key] = len(n.members)
				n.members = append(n.members, mm)
			}
		}
	}
}

// add appends m to the mapping n, whose keys are indexed in keys; a
// repeated key replaces the earlier value, with a note.
func (c *yamlConv) add(n *node, keys map[string]int, m member) {
	if i, ok := keys[m.key]; ok {
		c.r.note(c.r.loc, m.keyOff, fmt.Sprintf("duplicate key %q: the last value is used; AWS may reject the policy", m.key))
		n.members[i] = m
		return
	}
	keys[m.key] = len(n.members)
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
