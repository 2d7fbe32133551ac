package card

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// The text functions copy runs of ordinary characters instead of writing
// rune by rune. These references are the rune-by-rune versions they
// replaced; the output must be the same for any input.

func cleanRef(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t':
			return ' '
		case unicode.IsControl(r):
			return -1
		case r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069':
			return -1
		}
		return r
	}, strings.ReplaceAll(s, "\r\n", "\n"))
}

func escapeRef(s string) string {
	if !strings.ContainsAny(s, "&<>") {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		writeEscaped(&b, r)
	}
	return b.String()
}

func fitRef(s string, max int, cut bool, render func(s string, cut bool) string) string {
	if max <= 0 {
		return ""
	}
	runes := []rune(s)
	if len(runes) > max {
		runes, cut = runes[:max], true
	}
	if !cut {
		if out := render(s, false); utf8.RuneCountInString(out) <= max {
			return out
		}
	}
	ok := func(n int) bool {
		return utf8.RuneCountInString(render(string(runes[:n]), true)) <= max
	}
	lo, hi := 0, len(runes)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if ok(mid) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	if out := render(string(runes[:lo]), true); utf8.RuneCountInString(out) <= max {
		return out
	}
	return ""
}

var textSeeds = []string{
	"", "plain", "a & b < c > d", "*bold* _it_ ~st~", "> quote\n  > again\nnot > here", " \n > x",
	"a\x00b\tc\r\nd\u202Ee\u2067f\u0085g\x7fh", "a\xffb<\xfe>", "ˋcode` `x` ```y```", "\n\n>>", "é*ü_ö~",
	"\xe2\x80", "line\r\nline\rline", "\uFFFD&\uFEFF",
}

func FuzzTextReference(f *testing.F) {
	for _, s := range textSeeds {
		f.Add(s, "", 20)
		f.Add(s, "x\n", 3)
	}
	f.Fuzz(func(t *testing.T, s, _ string, max int) {
		if got, want := clean(s), cleanRef(s); got != want {
			t.Errorf("clean(%q) = %q, want %q", s, got, want)
		}
		if got, want := escape(s), escapeRef(s); got != want {
			t.Errorf("escape(%q) = %q, want %q", s, got, want)
		}
		max = max%200 - 2
		for _, cut := range []bool{false, true} {
			if got, want := fit(s, max, cut, renderProse), fitRef(s, max, cut, renderProse); got != want {
				t.Errorf("fit(%q, %d, %v) = %q, want %q", s, max, cut, got, want)
			}
		}
	})
}
