package policy

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestNothingToFix: text nothingToFix passes is text clean gives back
// as it is, without a note, whether it is valid JSON or not, in a chat
// message or a file.
func TestNothingToFix(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	parts := []string{`{"a":"`, `"}`, "&", "&amp;", "&lt;", "<", "<http://x|y>", "<@U1>", "<b>", "a<b", "x", " ", "\n", "é", "“", "”", "\u00a0", "\u200b", "\uFEFF", "\xff", "`", `\"`, "Statement", "[", "]", ","}
	passed := 0
	for range 20000 {
		var b strings.Builder
		for range r.IntN(12) {
			b.WriteString(parts[r.IntN(len(parts))])
		}
		s := b.String()
		for _, chat := range []bool{false, true} {
			fast := &reader{opts: Options{Chat: chat}, lines: newLineIndex(s)}
			slow := &reader{opts: Options{Chat: chat}, lines: newLineIndex(s)}
			out, orig := fast.clean(s)
			wout, worig := slow.slowClean(s)
			if out != wout || !slices.Equal(orig, worig) || !slices.Equal(fast.notes, slow.notes) {
				t.Fatalf("clean(%q, chat %v) = %q, %v, %v; without the quick tests %q, %v, %v", s, chat, out, orig, fast.notes, wout, worig, slow.notes)
			}
		}
		if !nothingToFix(s) {
			continue
		}
		passed++
		for _, chat := range []bool{false, true} {
			rd := &reader{opts: Options{Chat: chat}, lines: newLineIndex(s)}
			out, orig := rd.slowClean(s)
			if out != s || orig != nil || len(rd.notes) > 0 {
				t.Fatalf("clean(%q, chat %v) = %q, %v, notes %v", s, chat, out, orig, rd.notes)
			}
		}
	}
	if passed < 1000 {
		t.Errorf("only %d texts had nothing to fix", passed)
	}
}

// slowClean is clean without the test for nothing to fix.
func (r *reader) slowClean(in string) (string, []int32) {
	for i := 0; i < len(in); i++ {
		if c := in[i]; c == '&' || c == '<' || c >= utf8.RuneSelf {
			return r.cleanText(in)
		}
	}
	return in, nil
}

// looksUTF16Ref is looksUTF16 counting every pair.
func looksUTF16Ref(data []byte) bool {
	data = data[:min(len(data), 4096)&^1]
	pairs, even, odd := len(data)/2, 0, 0
	for i := 0; i < len(data); i += 2 {
		switch {
		case data[i] == 0 && data[i+1] != 0:
			even++
		case data[i] != 0 && data[i+1] == 0:
			odd++
		}
	}
	return pairs >= 2 && 4*max(even, odd) >= 3*pairs
}

func TestLooksUTF16Early(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for range 20000 {
		data := make([]byte, r.IntN(40))
		p := r.Float64()
		for i := range data {
			if r.Float64() < p {
				data[i] = byte(r.IntN(3))
			} else {
				data[i] = 'a'
			}
		}
		if got, want := looksUTF16(data), looksUTF16Ref(data); got != want {
			t.Fatalf("looksUTF16(%q) = %v, want %v", data, got, want)
		}
	}
}

// TestScans compares the reader's scans of whole texts with their
// definitions, byte by byte.
func TestScans(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	bytes := []byte("a{\"&<\n \x7f\x80\xc3\xa9\xe2\x80\x9c\xff")
	for range 20000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			if r.IntN(8) == 0 {
				b[i] = bytes[r.IntN(len(bytes))]
			} else {
				b[i] = 'x'
			}
		}
		s := string(b)
		first, clean := len(s), false
		for i := 0; i < len(s); i++ {
			if c := s[i]; c == '&' || c == '<' || c >= utf8.RuneSelf {
				clean = true
			}
			if s[i] >= utf8.RuneSelf && first == len(s) {
				first = i
			}
		}
		if got := asciiPrefix(s); got != first {
			t.Fatalf("asciiPrefix(%q) = %d, want %d", s, got, first)
		}
		if got := isASCII(s); got != (first == len(s)) {
			t.Fatalf("isASCII(%q) = %v", s, got)
		}
		if got, want := runeCount(s), utf8.RuneCountInString(s); got != want {
			t.Fatalf("runeCount(%q) = %d, want %d", s, got, want)
		}
		if got := needsCleaning(s); got != clean {
			t.Fatalf("needsCleaning(%q) = %v, want %v", s, got, clean)
		}
	}
}
