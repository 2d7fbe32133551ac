package policy

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// naivePos and naiveOffset are the obvious, slow answers lineIndex must
// give: walking the text character by character.
func naivePos(s string, off int) Pos {
	off = min(max(off, 0), len(s))
	start := strings.LastIndexByte(s[:off], '\n') + 1
	p := Pos{Line: 1 + strings.Count(s[:start], "\n"), Col: 1 + utf8.RuneCountInString(s[start:off])}
	if p.Line == 1 && p.Col > 1 && strings.HasPrefix(s, "\uFEFF") {
		p.Col--
	}
	return p
}

func naiveOffset(s string, line, col int) int {
	if line < 1 {
		return 0
	}
	off := 0
	for l := 1; l < line; l++ {
		k := strings.IndexByte(s[off:], '\n')
		if k < 0 {
			return len(s)
		}
		off += k + 1
	}
	for c := 1; c < col && off < len(s) && s[off] != '\n'; c++ {
		_, n := utf8.DecodeRuneInString(s[off:])
		off += n
	}
	return off
}

// checkLineIndex asks x about every offset and every line and column of
// its text, in an order that jumps back and forth.
func checkLineIndex(t *testing.T, s string) {
	t.Helper()
	x := newLineIndex(s)
	for k := 0; k <= len(s)+1; k++ {
		off := k
		if k%2 == 1 {
			off = len(s) - k // from the end
		}
		if off >= 0 && off <= len(s) && (off == len(s) || utf8.RuneStart(s[off])) {
			if got, want := x.pos(off), naivePos(s, off); got != want {
				t.Fatalf("%q: pos(%d) = %v, want %v", s, off, got, want)
			}
		}
	}
	lines := strings.Split(s, "\n")
	for line := len(lines) + 1; line >= 0; line-- {
		width := 0
		if line >= 1 && line <= len(lines) {
			width = utf8.RuneCountInString(lines[line-1])
		}
		for col := 0; col <= width+2; col++ {
			if got, want := x.offset(line, col), naiveOffset(s, line, col); got != want {
				t.Fatalf("%q: offset(%d, %d) = %d, want %d", s, line, col, got, want)
			}
		}
	}
	if x.scanned > len(s) {
		t.Errorf("%q: read %d bytes to make tables, more than the text's %d", s, x.scanned, len(s))
	}
}

func TestLineIndex(t *testing.T) {
	for _, s := range []string{
		"",
		"\n",
		"a",
		`{"Statement": []}`,
		"ab\ncd\n",
		"ab\r\ncd\r\n\r\n",
		"\uFEFF{\n}",
		"\uFEFF",
		"naïve\ncafé crème\nascii\n日本語のテキスト",
		"😀😀 x\n\n😀",
		"bad \xff\xfe bytes\nand \xe2\x80 a cut one",
		"Statement: [{Effect: Allow, Sid: “x”, Action: [s3:A, s3:B, s3:C]}]",
	} {
		checkLineIndex(t, s)
	}
}

// TestLineIndexWork asks about every character of a long line with
// characters that are not ASCII, the worst case of the walking index:
// the line must be read once.
func TestLineIndexWork(t *testing.T) {
	s := strings.Repeat(`"s3:Get€bject", `, 5000)
	x := newLineIndex(s)
	n := 0
	for off := len(s); off >= 0; off-- {
		if off < len(s) && !utf8.RuneStart(s[off]) {
			continue
		}
		p := x.pos(off)
		if back := x.offset(p.Line, p.Col); back != off {
			t.Fatalf("offset(pos(%d)) = %d", off, back)
		}
		n++
	}
	if x.scanned != len(s) {
		t.Errorf("%d questions read %d bytes to make tables, want the line's %d once", 2*n, x.scanned, len(s))
	}
}

// FuzzLineIndex compares lineIndex with the walking answers.
func FuzzLineIndex(f *testing.F) {
	for _, s := range []string{"ab\r\ncd", "\uFEFFé\n€x", "\xff\n\xe2\x80", "日本\n\n語"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 200 {
			s = s[:200]
		}
		checkLineIndex(t, s)
	})
}
