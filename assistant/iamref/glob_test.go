package iamref

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

func TestPatternsIntersect(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"abc", "abc", true},
		{"abc", "abd", false},
		{"*", "anything", true},
		{"", "", true},
		{"", "*", true},
		{"", "?", false},
		{"s3:Get*", "s3:*Object", true},
		{"s3:Get*", "s3:Put*", false},
		{"a*", "b*", false},
		{"*a", "*b", false},
		{"a*b", "*c*", true},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"a??", "*c", true},
		{"??", "a*b*c", false},
		{"${aws:username}", "x", true},
		{"arn:aws:s3:::bucket/${aws:username}/*", "arn:aws:s3:::bucket/alice/notes.txt", true},
		{"arn:aws:s3:::bucket/*", "arn:aws:s3:::other/*", false},
		{"arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/*", false}, // case-sensitive
		{"arn:aws:iam::*:role/*", "arn:aws:iam::123456789012:role/admin", true},
	}
	for _, tt := range tests {
		if got := PatternsIntersect(tt.a, tt.b); got != tt.want {
			t.Errorf("PatternsIntersect(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := PatternsIntersect(tt.b, tt.a); got != tt.want {
			t.Errorf("PatternsIntersect(%q, %q) = %v, want %v (swapped)", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestPatternCovers(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"*", "anything*", true},
		{"abc", "abc", true},
		{"s3:*", "s3:Get*", true},
		{"s3:Get*", "s3:*", false},
		{"s3:Get*", "s3:GetObject", true},
		{"s3:GetObject", "s3:Get*", false},
		{"a*", "a?*", true},
		{"?*", "*?", true}, // both: at least one character
		{"*?", "?*", true},
		{"a?", "a*", false},
		{"a*", "a", true},
		{"a*c", "ab*c", true},
		{"a*b*c", "a*c", false},
		{"a*c", "a*b*c", true},
		{"??", "?", false},
		{"?", "*", false},
		{"*", "", true},
		{"", "*", false},
		{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/${aws:username}/*", true},
		{"arn:aws:s3:::bucket/${aws:username}/*", "arn:aws:s3:::bucket/*", false}, // needs a second "/"
		{"arn:aws:s3:::bucket/home/*", "arn:aws:s3:::bucket/*", false},
		// A variable in a is one unknown value; in b it may be anything.
		{"home/${aws:username}/*", "home/alice/x", false},
		{"home/${aws:username}/*", "home/${aws:username}/x", true},
		{"home/${aws:username}/*", "home/${aws:userid}/x", false},
		{"home/*", "home/${aws:username}/x", true},
		{"home/?/x", "home/${aws:username}/x", false},
		{"home/*?", "home/${aws:username}", false},
		{"home/*", "home/${aws:username}", true},
		{"${aws:username}", "${aws:username}", true},
		{"arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/x", false},
	}
	for _, tt := range tests {
		if got := PatternCovers(tt.a, tt.b); got != tt.want {
			t.Errorf("PatternCovers(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestGlobProperties checks both functions against brute force: every
// pattern over {a, b, *, ?} up to 4 long, against every string over
// {a, b, c} up to 6 long.
func TestGlobProperties(t *testing.T) {
	var patterns []string
	var grow func(p string)
	grow = func(p string) {
		patterns = append(patterns, p)
		if len(p) < 4 {
			for _, c := range "ab*?" {
				grow(p + string(c))
			}
		}
	}
	grow("")
	var words []string
	var spell func(w string)
	spell = func(w string) {
		words = append(words, w)
		if len(w) < 6 {
			for _, c := range "abc" {
				spell(w + string(c))
			}
		}
	}
	spell("")
	matches := make([][]bool, len(patterns))
	for i, p := range patterns {
		re := regexp.MustCompile("^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(p)) + "$")
		matches[i] = make([]bool, len(words))
		for j, w := range words {
			matches[i][j] = re.MatchString(w)
		}
	}
	incomplete := 0
	for i, a := range patterns {
		for j, b := range patterns {
			common, bInA := false, true
			for k := range words {
				common = common || matches[i][k] && matches[j][k]
				bInA = bInA && (!matches[j][k] || matches[i][k])
			}
			if got := PatternsIntersect(a, b); got != common {
				t.Errorf("PatternsIntersect(%q, %q) = %v, brute force %v", a, b, got, common)
			}
			got := PatternCovers(a, b)
			if got && !bInA {
				t.Errorf("PatternCovers(%q, %q) = true, but some string matches only %q", a, b, b)
			}
			if !got && bInA {
				if incomplete < 20 {
					t.Logf("missed: %q covers %q", a, b)
				}
				incomplete++
			}
		}
	}
	// Sound, and on these patterns also complete.
	if incomplete > 0 {
		t.Errorf("PatternCovers missed %d inclusions", incomplete)
	}
}

// TestPlainPrefix: leaving out the literal prefix two patterns share
// changes neither answer. Patterns are built from a few pieces, so that
// they share prefixes and differ in every way after them.
func TestPlainPrefix(t *testing.T) {
	pieces := []string{"arn:aws:s3:::", "bucket", "/", "*", "?", "${aws:username}", "${", "$", "a", "A", "key", ":", "**", "}"}
	rng := rand.New(rand.NewPCG(3, 4))
	pattern := func() string {
		var b strings.Builder
		for range rng.IntN(6) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return b.String()
	}
	for range 200000 {
		prefix := pattern()
		a, b := prefix+pattern(), prefix+pattern()
		if rng.IntN(4) == 0 {
			b = a + pattern()
		}
		var ab, bb [128]ctok
		if got, want := PatternCovers(a, b), a == "*" || a == b || covers(compileCover(ab[:0], a), compileCover(bb[:0], b)); got != want {
			t.Fatalf("PatternCovers(%q, %q) = %v, without the prefix left out %v", a, b, got, want)
		}
		var at, bt [128]tok
		wa, wb := hasWildcard(a), hasWildcard(b)
		want := a == b
		if wa || wb {
			want = a == "*" || b == "*" || intersect(compileGlob(at[:0], a, false), compileGlob(bt[:0], b, false))
		}
		if got := PatternsIntersect(a, b); got != want {
			t.Fatalf("PatternsIntersect(%q, %q) = %v, without the prefix left out %v", a, b, got, want)
		}
	}
}
