package report

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestDiff(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want string
	}{
		{"equal", "a\nb\n", "a\nb\n", ""},
		{"empty to text", "", "a\n", "@@ -0,0 +1,1 @@\n+a\n"},
		{"text to empty", "a\n", "", "@@ -1,1 +0,0 @@\n-a\n"},
		{"one line changed", "1\n2\n3\n4\n5\n6\n7\n", "1\n2\n3\nX\n5\n6\n7\n",
			"@@ -2,5 +2,5 @@\n 2\n 3\n-4\n+X\n 5\n 6\n"},
		{"added at end", "1\n2\n3\n", "1\n2\n3\n4\n", "@@ -2,2 +2,3 @@\n 2\n 3\n+4\n"},
		{"two hunks", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n", "X\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\nY\n",
			"@@ -1,3 +1,3 @@\n-1\n+X\n 2\n 3\n@@ -10,3 +10,3 @@\n 10\n 11\n-12\n+Y\n"},
		{"close changes join", "1\n2\n3\n4\n5\n", "X\n2\n3\n4\nY\n", "@@ -1,5 +1,5 @@\n-1\n+X\n 2\n 3\n 4\n-5\n+Y\n"},
		{"moved line", "a\nb\nc\n", "b\nc\na\n", "@@ -1,3 +1,3 @@\n-a\n b\n c\n+a\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Diff([]byte(tt.a), []byte(tt.b)); got != tt.want {
				t.Errorf("Diff:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// TestDiffApplies checks that applying the diff to a gives b, and that
// it changes no more lines than the longest common subsequence needs.
func TestDiffApplies(t *testing.T) {
	a := strings.Repeat("line\n", 50) + "x\n" + strings.Repeat("tail\n", 30)
	b := "head\n" + strings.Repeat("line\n", 48) + "y\nx\n" + strings.Repeat("tail\n", 29) + "end\n"
	d := Diff([]byte(a), []byte(b))
	if got := apply(t, a, d); got != b {
		t.Fatalf("applying the diff gives\n%s\nwant\n%s\ndiff:\n%s", got, b, d)
	}
	// a and b have 81 lines each and 78 in common.
	if n := strings.Count(d, "\n-"); n != 3 {
		t.Errorf("%d lines removed, want 3:\n%s", n, d)
	}
}

// apply applies a Diff to a.
func apply(t *testing.T, a, d string) string {
	t.Helper()
	src := lines(a)
	var out []string
	at := 0
	for _, l := range lines(d) {
		if strings.HasPrefix(l, "@@") {
			var la, na, lb, nb int
			if _, err := fmt.Sscanf(l, "@@ -%d,%d +%d,%d @@", &la, &na, &lb, &nb); err != nil {
				t.Fatalf("bad hunk header %q", l)
			}
			start := la - 1
			if na == 0 {
				start = la
			}
			out = append(out, src[at:start]...)
			at = start
			continue
		}
		switch l[0] {
		case ' ':
			if src[at] != l[1:] {
				t.Fatalf("context %q does not match %q", l[1:], src[at])
			}
			out = append(out, src[at])
			at++
		case '-':
			at++
		case '+':
			out = append(out, l[1:])
		}
	}
	out = append(out, src[at:]...)
	return strings.Join(out, "\n") + "\n"
}

// lines are the lines of s, as Diff reads them.
func lines(s string) []string { return appendLines(nil, s) }

// TestAppendLines: the lines are strings.Split's, less the empty line
// after a final newline.
func TestAppendLines(t *testing.T) {
	for _, s := range []string{"", "\n", "\n\n", "a", "a\n", "a\n\nb", "\na\n", "a\nb\n\n", "{\n  \"x\": 1\n}"} {
		var want []string
		if u := strings.TrimSuffix(s, "\n"); u != "" {
			want = strings.Split(u, "\n")
		}
		if got := appendLines([]string{"kept"}, s); !slices.Equal(got[1:], want) || got[0] != "kept" {
			t.Errorf("appendLines(%q) = %q, want %q after the first", s, got, want)
		}
	}
}
