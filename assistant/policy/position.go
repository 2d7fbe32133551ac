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
// Both directions cost O(log n) at most, whatever the order of the
// questions: a line of ASCII text maps columns to bytes by arithmetic, and
// a line with other characters gets a table of where each of its
// characters starts, made the first time it is asked about and kept.
// (Walking a line for each question made long one-line inputs quadratic,
// and YAML aliases, which send the reader back to an anchor, worse.)
type lineIndex struct {
	s      string
	starts []int // byte offset of each line's start
	ascii  bool  // the whole text is ASCII: no tables needed
	bom    bool  // the text starts with a byte-order mark

	// runes holds, for each line with a character that is not ASCII
	// (0-based), the offset from the line's start of each character
	// and of the line's end; an ASCII line maps to nil.
	runes   map[int][]int32
	last    int // the line of the last answer, tried first
	scanned int // bytes read to make tables: at most the text's length
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
	return &lineIndex{s: s, starts: starts, ascii: isASCII(s), bom: strings.HasPrefix(s, "\uFEFF")}
}

// lineOf returns the 0-based line of a byte offset within the text.
func (x *lineIndex) lineOf(off int) int {
	if l := x.last; off >= x.starts[l] && (l+1 == len(x.starts) || off < x.starts[l+1]) {
		return l
	}
	// The reader asks mostly in order: the next line is tried next.
	if l := x.last + 1; l < len(x.starts) && off >= x.starts[l] && (l+1 == len(x.starts) || off < x.starts[l+1]) {
		x.last = l
		return l
	}
	x.last = sort.SearchInts(x.starts, off+1) - 1
	return x.last
}

// lineEnd is the offset of the end of a 0-based line: its '\n', or the end
// of the text.
func (x *lineIndex) lineEnd(l int) int {
	if l+1 < len(x.starts) {
		return x.starts[l+1] - 1
	}
	return len(x.s)
}

// table returns the character table of a 0-based line, or nil when the
// line is ASCII.
func (x *lineIndex) table(l int) []int32 {
	if x.ascii {
		return nil
	}
	t, ok := x.runes[l]
	if ok {
		return t
	}
	line := x.s[x.starts[l]:x.lineEnd(l)]
	x.scanned += len(line)
	if !isASCII(line) {
		t = make([]int32, 0, utf8.RuneCountInString(line)+1)
		for i := range line {
			t = append(t, int32(i))
		}
		t = append(t, int32(len(line)))
	}
	if x.runes == nil {
		x.runes = make(map[int][]int32)
	}
	x.runes[l] = t
	return t
}

func (x *lineIndex) pos(off int) Pos {
	off = min(max(off, 0), len(x.s))
	l := x.lineOf(off)
	rel := off - x.starts[l]
	col := 1 + rel
	if t := x.table(l); t != nil {
		// The characters that start before off, as counting them would.
		col = 1 + sort.Search(len(t)-1, func(i int) bool { return int(t[i]) >= rel })
	}
	if l == 0 && col > 1 && x.bom {
		col-- // editors do not count a byte-order mark
	}
	return Pos{Line: l + 1, Col: col}
}

// offset is the byte offset of a 1-based line and column, clamped to the
// text and to the line (a column past the end of a line is its end).
func (x *lineIndex) offset(line, col int) int {
	if line < 1 {
		return 0
	}
	if line > len(x.starts) {
		return len(x.s)
	}
	l := line - 1
	start, end := x.starts[l], x.lineEnd(l)
	c := max(col, 1) - 1
	if t := x.table(l); t != nil {
		return start + int(t[min(c, len(t)-1)])
	}
	return start + min(c, end-start)
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

func isASCII(s string) bool { return asciiPrefix(s) == len(s) }

func runeCount(s string) int {
	i := asciiPrefix(s)
	return i + utf8.RuneCountInString(s[i:])
}

// asciiPrefix returns the offset of the first byte of s that is not
// ASCII, or len(s). It tests eight bytes at a time: the reader asks it
// of every input, which is nearly always ASCII throughout.
func asciiPrefix(s string) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		b := s[i : i+8]
		w := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
		if w&0x8080808080808080 != 0 {
			break
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return i
		}
	}
	return i
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
