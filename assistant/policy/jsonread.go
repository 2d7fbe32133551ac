package policy

import (
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"
)

// maxDepth bounds the nesting of objects and lists; IAM policies need
// five levels, templates a few more.
const maxDepth = 256

// offNote is a note at an offset of the text being parsed, kept apart until
// the parse is known to be used.
type offNote struct {
	off int
	msg string
}

// syntaxError is a parse failure at an offset of the text being parsed.
type syntaxError struct {
	off int
	msg string
}

// jsonParser reads one JSON value from s[i:end] into nodes. It is strict
// JSON with a few repairs, each noted: trailing commas, comments, single
// quotes.
type jsonParser struct {
	s     string
	i     int
	end   int
	depth int
	loc   locator // names places in messages
	notes []offNote
	err   *syntaxError
	quote bool // single quotes were noted
	blank int  // characters of white space and comments skipped

	// Values are made from the slabs of an arena, and the members and
	// items of the objects and lists being read wait on stacks until
	// they are closed: a parse makes few allocations.
	a       *arena
	members []member
	items   []*node
}

// arena holds the slabs the values of one Read are made from. Nothing a
// Read returns refers to a value (the model's types hold none), so that
// once it returns, the arena serves the next Read (see arenas).
type arena struct {
	nodes slab[node]
	ptrs  slab[*node]
	mems  slab[member]
}

// arenas are the arenas of Reads that have returned, their chunks
// cleared.
var arenas = sync.Pool{New: func() any { return new(arena) }}

// maxArenaChunks bounds the chunks of each slab an arena keeps for the
// next Read: a large input's do not stay in memory.
const maxArenaChunks = 32

// release clears a's chunks and pools it, unless it grew large.
func (a *arena) release() {
	if !a.nodes.reset() || !a.ptrs.reset() || !a.mems.reset() {
		return
	}
	arenas.Put(a)
}

// slab hands out slices of T from chunks that grow from 8 elements to
// 512. Its chunks serve again once reset.
type slab[T any] struct {
	free   []T
	last   int
	chunks [][]T // every chunk made; chunks[next:] are yet to be used
	next   int
}

func (s *slab[T]) take(k int) []T {
	if k > len(s.free) {
		s.refill(k)
	}
	out := s.free[:k:k]
	s.free = s.free[k:]
	return out
}

// refill makes s.free a chunk of at least k elements: the next kept one
// that is large enough, or a new one.
func (s *slab[T]) refill(k int) {
	for s.next < len(s.chunks) {
		c := s.chunks[s.next]
		s.next++
		if len(c) >= k {
			s.free = c
			return
		}
	}
	s.last = max(min(max(2*s.last, 8), 512), k)
	s.free = make([]T, s.last)
	s.chunks = append(s.chunks, s.free)
	s.next = len(s.chunks)
}

// reset clears the chunks used, so that they hold nothing of the last
// Read, and makes them free to use again; it reports false, doing
// nothing, when s has more chunks than an arena keeps.
func (s *slab[T]) reset() bool {
	if len(s.chunks) > maxArenaChunks {
		return false
	}
	for _, c := range s.chunks[:s.next] {
		clear(c)
	}
	s.free, s.next = nil, 0
	return true
}

func (p *jsonParser) node(kind nodeKind, off int) *node {
	n := &p.a.nodes.take(1)[0]
	n.kind, n.off = kind, off
	return n
}

// parsed is a JSON value read.
type parsed struct {
	n     *node
	end   int // offset after the value
	notes []offNote
	blank int // characters of white space and comments inside the value
}

// parseJSON reads the value that starts at s[start], which must not be
// white space, and stops after it.
func parseJSON(a *arena, s string, start, end int, loc locator) (parsed, *syntaxError) {
	p := &jsonParser{s: s, end: end, loc: loc, a: a}
	return p.parse(start)
}

// parse reads the value that starts at p.s[start]. A parser can read one
// value after another, from the same chunks of nodes.
func (p *jsonParser) parse(start int) (parsed, *syntaxError) {
	p.i, p.depth, p.notes, p.err, p.quote, p.blank = start, 0, nil, nil, false, 0
	p.members, p.items = p.members[:0], p.items[:0]
	n := p.value()
	if p.err != nil {
		return parsed{end: p.i}, p.err
	}
	return parsed{n: n, end: p.i, notes: p.notes, blank: p.blank}, nil
}

func (p *jsonParser) fail(off int, format string, args ...any) *node {
	if off >= p.end {
		// Point after the last thing written, not at trailing blank lines.
		off = len(strings.TrimRight(p.s[:p.end], " \t\r\n"))
	}
	if p.err == nil {
		p.err = &syntaxError{off: off, msg: fmt.Sprintf(format, args...)}
	}
	p.i = off
	return nil
}

func (p *jsonParser) note(off int, msg string) {
	p.notes = append(p.notes, offNote{off: off, msg: msg})
}

// found describes what is at off, for messages.
func (p *jsonParser) found(off int) string {
	if off >= p.end {
		return "the end of the input"
	}
	r, _ := utf8.DecodeRuneInString(p.s[off:p.end])
	if r < 0x20 {
		return fmt.Sprintf("the control character %U", r)
	}
	return fmt.Sprintf("%q", r)
}

func (p *jsonParser) where(off int) string {
	pos := p.loc.pos(off)
	return fmt.Sprintf("line %d, column %d", pos.Line, pos.Col)
}

// space skips white space and comments.
func (p *jsonParser) space() {
	for p.i < p.end {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			// A run of blanks (an indented text's margin) in one loop.
			j := p.i + 1
			for j < p.end && (p.s[j] == ' ' || p.s[j] == '\n' || p.s[j] == '\t' || p.s[j] == '\r') {
				j++
			}
			p.blank += j - p.i
			p.i = j
		case '/':
			if p.i+1 >= p.end {
				return
			}
			switch p.s[p.i+1] {
			case '/':
				p.note(p.i, "removed a comment (JSON has no comments)")
				k := strings.IndexByte(p.s[p.i:p.end], '\n')
				if k < 0 {
					k = p.end - p.i
				}
				p.blank += runeCount(p.s[p.i : p.i+k])
				p.i += k
			case '*':
				k := strings.Index(p.s[p.i+2:p.end], "*/")
				if k < 0 {
					p.fail(p.i, "the comment that starts here is not closed with */")
					p.i = p.end
					return
				}
				p.note(p.i, "removed a comment (JSON has no comments)")
				p.blank += runeCount(p.s[p.i : p.i+2+k+2])
				p.i += 2 + k + 2
			default:
				return
			}
		default:
			return
		}
	}
}

func (p *jsonParser) value() *node {
	if p.err != nil {
		return nil
	}
	if p.i >= p.end {
		return p.fail(p.i, "expected a value but found the end of the input")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"' || c == '\'':
		off := p.i
		s, ok := p.string()
		if !ok {
			return nil
		}
		n := p.node(kindString, off)
		n.end, n.str = p.i, s
		return n
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	default:
		return p.word()
	}
}

func (p *jsonParser) object() *node {
	open := p.i
	if p.depth++; p.depth > maxDepth {
		return p.fail(open, "the JSON is nested more than %d levels deep", maxDepth)
	}
	n := p.objectIn(open)
	p.depth--
	return n
}

// objectIn reads the object opened at open, within the depth counted.
func (p *jsonParser) objectIn(open int) *node {
	n := p.node(kindObject, open)
	base := len(p.members)
	p.i++
	comma := -1
	for {
		p.space()
		if p.err != nil {
			return nil
		}
		if p.i >= p.end {
			return p.fail(p.i, "the input ends before the object opened at %s is closed with '}'", p.where(open))
		}
		c := p.s[p.i]
		if c == '}' {
			if comma >= 0 {
				p.note(comma, "removed a trailing comma before '}'")
			}
			p.i++
			n.end = p.i
			n.members = p.a.mems.take(len(p.members) - base)
			copy(n.members, p.members[base:])
			p.members = p.members[:base]
			return n
		}
		if c != '"' && c != '\'' {
			if len(p.members) > base && comma < 0 {
				return p.fail(p.i, "expected ',' or '}' after an object value but found %s", p.found(p.i))
			}
			if isWordStart(c) {
				return p.fail(p.i, "expected a key in double quotes but found %s; keys must be in double quotes", p.found(p.i))
			}
			return p.fail(p.i, "expected a key in double quotes but found %s", p.found(p.i))
		}
		keyOff := p.i
		key, ok := p.string()
		if !ok {
			return nil
		}
		p.space()
		if p.i >= p.end || p.s[p.i] != ':' {
			if p.err != nil {
				return nil
			}
			return p.fail(p.i, "expected ':' after the key %q but found %s", key, p.found(p.i))
		}
		p.i++
		p.space()
		v := p.value()
		if v == nil {
			return nil
		}
		p.add(base, member{key: key, keyOff: keyOff, val: v})
		after := p.i
		p.space()
		if p.err != nil {
			return nil
		}
		comma = -1
		switch {
		case p.i >= p.end:
			return p.fail(p.i, "the input ends before the object opened at %s is closed with '}'", p.where(open))
		case p.s[p.i] == ',':
			comma = p.i
			p.i++
		case p.s[p.i] == '}':
		case p.s[p.i] == '"' && strings.Contains(p.s[after:p.i], "\n"):
			return p.fail(after, "expected ',' or '}' after the value of %q; is a comma missing at the end of this line?", key)
		case p.s[p.i] == '"':
			return p.fail(p.i, "expected ',' or '}' after the value of %q; is a comma missing before this key?", key)
		default:
			return p.fail(p.i, "expected ',' or '}' after the value of %q but found %s", key, p.found(p.i))
		}
	}
}

// add appends m to the members of the object being read, which start at
// base; a repeated key replaces the earlier value, as JSON decoders do,
// with a note.
func (p *jsonParser) add(base int, m member) {
	for i := base; i < len(p.members); i++ {
		if p.members[i].key == m.key {
			p.note(m.keyOff, fmt.Sprintf("duplicate key %q (first at %s): the last value is used; AWS may reject the policy", m.key, p.where(p.members[i].keyOff)))
			p.members[i] = m
			return
		}
	}
	p.members = append(p.members, m)
}

func (p *jsonParser) array() *node {
	open := p.i
	if p.depth++; p.depth > maxDepth {
		return p.fail(open, "the JSON is nested more than %d levels deep", maxDepth)
	}
	n := p.arrayIn(open)
	p.depth--
	return n
}

// arrayIn reads the array opened at open, within the depth counted.
func (p *jsonParser) arrayIn(open int) *node {
	n := p.node(kindArray, open)
	base := len(p.items)
	p.i++
	comma := -1
	for {
		p.space()
		if p.err != nil {
			return nil
		}
		if p.i >= p.end {
			return p.fail(p.i, "the input ends before the list opened at %s is closed with ']'", p.where(open))
		}
		if p.s[p.i] == ']' {
			if comma >= 0 {
				p.note(comma, "removed a trailing comma before ']'")
			}
			p.i++
			n.end = p.i
			n.items = p.a.ptrs.take(len(p.items) - base)
			copy(n.items, p.items[base:])
			p.items = p.items[:base]
			return n
		}
		if len(p.items) > base && comma < 0 {
			return p.fail(p.i, "expected ',' or ']' after a list item but found %s", p.found(p.i))
		}
		v := p.value()
		if v == nil {
			return nil
		}
		p.items = append(p.items, v)
		after := p.i
		p.space()
		if p.err != nil {
			return nil
		}
		comma = -1
		switch {
		case p.i >= p.end:
			return p.fail(p.i, "the input ends before the list opened at %s is closed with ']'", p.where(open))
		case p.s[p.i] == ',':
			comma = p.i
			p.i++
		case p.s[p.i] == ']':
		case p.s[p.i] == '"' && strings.Contains(p.s[after:p.i], "\n"):
			return p.fail(after, "expected ',' or ']' after a list item; is a comma missing at the end of this line?")
		case p.s[p.i] == '"':
			return p.fail(p.i, "expected ',' or ']' after a list item; is a comma missing here?")
		default:
			return p.fail(p.i, "expected ',' or ']' after a list item but found %s", p.found(p.i))
		}
	}
}

// string reads a string in double (or, repaired, single) quotes.
func (p *jsonParser) string() (string, bool) {
	open := p.i
	q := p.s[open]
	if q == '\'' && !p.quote {
		p.quote = true
		p.note(open, "read single-quoted strings; JSON needs double quotes")
	}
	p.i++
	for j := p.i; j < p.end; j++ {
		switch c := p.s[j]; {
		case c == q:
			s := p.s[p.i:j]
			p.i = j + 1
			return s, true
		case c == '\\' || c == '\n' || c == '\r':
			return p.slowString(open, q)
		}
	}
	p.fail(open, "the string that starts here is not closed before the end of the input")
	return "", false
}

func (p *jsonParser) slowString(open int, q byte) (string, bool) {
	var b strings.Builder
	i := open + 1
	for i < p.end {
		c := p.s[i]
		switch {
		case c == q:
			p.i = i + 1
			return b.String(), true
		case c == '\n' || c == '\r':
			p.fail(open, "the string that starts here is not closed before the end of the line")
			return "", false
		case c != '\\':
			b.WriteByte(c)
			i++
			continue
		}
		if i+1 >= p.end {
			break
		}
		switch e := p.s[i+1]; e {
		case '"', '\\', '/', '\'':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, n := p.unicode(i)
			if n == 0 {
				return "", false
			}
			b.WriteRune(r)
			i += n
			continue
		default:
			p.fail(i, "invalid escape %s in a string", p.found(i+1))
			return "", false
		}
		i += 2
	}
	p.fail(open, "the string that starts here is not closed before the end of the input")
	return "", false
}

// unicode reads \uXXXX at i, and a second one for a surrogate pair. It
// returns the character and the bytes read, or 0 after a failure.
func (p *jsonParser) unicode(i int) (rune, int) {
	r, ok := hex4(p.s, i+2, p.end)
	if !ok {
		p.fail(i, "invalid escape in a string: \\u must be followed by four hexadecimal digits")
		return 0, 0
	}
	if r >= 0xD800 && r < 0xDC00 && i+12 <= p.end && p.s[i+6] == '\\' && p.s[i+7] == 'u' {
		if r2, ok := hex4(p.s, i+8, p.end); ok && r2 >= 0xDC00 && r2 < 0xE000 {
			return (r-0xD800)<<10 | (r2 - 0xDC00) + 0x10000, 12
		}
	}
	if r >= 0xD800 && r < 0xE000 {
		r = utf8.RuneError
	}
	return r, 6
}

func hex4(s string, i, end int) (rune, bool) {
	if i+4 > end {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

func (p *jsonParser) number() *node {
	start := p.i
	i := start
	digits := func() int {
		n := 0
		for i < p.end && p.s[i] >= '0' && p.s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if p.s[i] == '-' {
		i++
	}
	intStart := i
	if digits() == 0 {
		return p.fail(start, "invalid number: expected a digit after '-'")
	}
	if p.s[intStart] == '0' && i-intStart > 1 {
		return p.fail(start, "invalid number %s: numbers do not start with 0", p.s[start:i])
	}
	if i < p.end && p.s[i] == '.' {
		i++
		if digits() == 0 {
			return p.fail(start, "invalid number: expected a digit after '.'")
		}
	}
	if i < p.end && (p.s[i] == 'e' || p.s[i] == 'E') {
		i++
		if i < p.end && (p.s[i] == '+' || p.s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return p.fail(start, "invalid number: expected a digit in the exponent")
		}
	}
	p.i = i
	n := p.node(kindNumber, start)
	n.end, n.str = i, p.s[start:i]
	return n
}

func isWordStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '$'
}

// word reads true, false or null, and explains anything else.
func (p *jsonParser) word() *node {
	start := p.i
	i := start
	for i < p.end && (isWordStart(p.s[i]) || p.s[i] >= '0' && p.s[i] <= '9') {
		i++
	}
	w := p.s[start:i]
	switch w {
	case "true", "false", "null":
		p.i = i
		n := p.node(kindBool, start)
		if w == "null" {
			n.kind = kindNull
		}
		n.end, n.str = i, w
		return n
	case "":
		return p.fail(start, "expected a value (a string in double quotes, a number, true, false, null, an object or a list) but found %s", p.found(start))
	}
	switch strings.ToLower(w) {
	case "true", "false", "null", "none":
		return p.fail(start, "expected a value but found %s; JSON writes true, false and null in lower case", w)
	}
	if len(w) > 40 {
		w = w[:40] + "..."
	}
	return p.fail(start, "expected a value but found %s; strings must be in double quotes", w)
}
