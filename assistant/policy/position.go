package policy

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// A locator turns a byte offset in the text being parsed into a position
// in the text the user supplied. Each parse (the cleaned input, a heredoc,
// a JSON string inside a template) has its own.
type locator interface {
	pos(off int) Pos
}

// lineIndex finds lines and columns (counted in characters) in one text.
// It remembers the last answer, so that the mostly increasing offsets a
// parser asks about cost time in proportion to the text, not its square.
type lineIndex struct {
	s      string
	starts []int // byte offset of each line's start

	curOff, curLine, curCol int // last answer; curLine is 0-based
}

func newLineIndex(s string) *lineIndex {
	starts := make([]int, 1, 1+strings.Count(s, "\n"))
	for i := 0; ; {
		j := strings.IndexByte(s[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
		starts = append(starts, i)
	}
	return &lineIndex{s: s, starts: starts, curCol: 1}
}

func (x *lineIndex) pos(off int) Pos {
	off = min(max(off, 0), len(x.s))
	switch {
	case off >= x.curOff && (x.curLine+1 >= len(x.starts) || off < x.starts[x.curLine+1]):
		x.curCol += runeCount(x.s[x.curOff:off])
		x.curOff = off
		return x.result()
	case off < x.curOff && off >= x.starts[x.curLine]:
		// A little back on the same line: a long one-line policy.
		x.curCol -= runeCount(x.s[off:x.curOff])
		x.curOff = off
		return x.result()
	}
	line := sort.SearchInts(x.starts, off+1) - 1
	x.curLine, x.curOff = line, off
	x.curCol = 1 + runeCount(x.s[x.starts[line]:off])
	return x.result()
}

func (x *lineIndex) result() Pos {
	p := Pos{Line: x.curLine + 1, Col: x.curCol}
	if x.curLine == 0 && p.Col > 1 && strings.HasPrefix(x.s, "\uFEFF") {
		p.Col-- // editors do not count a byte-order mark
	}
	return p
}

// offset is the byte offset of a 1-based line and column, clamped to the
// text.
func (x *lineIndex) offset(line, col int) int {
	if line < 1 {
		return 0
	}
	if line > len(x.starts) {
		return len(x.s)
	}
	off := x.starts[line-1]
	for c := 1; c < col && off < len(x.s) && x.s[off] != '\n'; c++ {
		_, n := utf8.DecodeRuneInString(x.s[off:])
		off += n
	}
	return off
}

// line returns the text of a 1-based line without its line ending.
func (x *lineIndex) line(n int) string {
	if n < 1 || n > len(x.starts) {
		return ""
	}
	end := len(x.s)
	if n < len(x.starts) {
		end = x.starts[n] - 1
	}
	return strings.TrimSuffix(x.s[x.starts[n-1]:end], "\r")
}

func runeCount(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return i + utf8.RuneCountInString(s[i:])
		}
	}
	return len(s)
}

// mapLoc locates offsets of a cleaned text through the offset each of its
// bytes had in the text it was cleaned from.
type mapLoc struct {
	orig []int32 // len(cleaned)+1 entries
	base locator
}

func (m mapLoc) pos(off int) Pos {
	return m.base.pos(int(m.orig[min(max(off, 0), len(m.orig)-1)]))
}

// shiftLoc locates offsets of a text that is a piece of another one.
type shiftLoc struct {
	delta int
	base  locator
}

func (s shiftLoc) pos(off int) Pos { return s.base.pos(off + s.delta) }

// fixedLoc puts everything at one place: used for a policy read from a
// string whose escapes make exact positions impractical.
type fixedLoc Pos

func (f fixedLoc) pos(int) Pos { return Pos(f) }

// blockLoc locates offsets in the content of a YAML block scalar (|):
// content line i is line first+i of the outer text, indented by indent
// more characters.
type blockLoc struct {
	inner  *lineIndex
	outer  *lineIndex // the YAML text
	first  int        // outer line of the content's first line
	indent int
	base   locator // locates offsets of the YAML text
}

func (b blockLoc) pos(off int) Pos {
	p := b.inner.pos(off)
	return b.base.pos(b.outer.offset(b.first+p.Line-1, p.Col+b.indent))
}
