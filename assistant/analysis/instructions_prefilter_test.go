package analysis

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/internal/corpus"
)

// slowMayInstruct is mayInstruct written as one search per word: the
// word index must answer as it does.
func slowMayInstruct(sq []byte) bool {
	has := func(words []string) bool {
		for _, w := range words {
			if bytes.Contains(sq, []byte(w)) {
				return true
			}
		}
		return false
	}
	for _, c := range instructCases {
		if has(c[0]) && (c[1] == nil || has(c[1])) {
			return true
		}
	}
	return false
}

// prefilterTexts are texts built from the words of the prefilter and of
// the patterns, joined in the ways policies write them, with the values
// of the managed policies when the corpus is there.
func prefilterTexts(t *testing.T) []string {
	var words []string
	for _, c := range instructCases {
		words = append(words, c[0]...)
		words = append(words, c[1]...)
	}
	words = append(words, "ignore", "previous", "all", "the", "your", "rules", "findings", "new", "system", "you", "are",
		"now", "a", "an", "as", "ai", "llm", "language", "automated", "reviewers", "it", "this", "policy", "of", "at",
		"out", "least", "privilege", "is", "confirmed", "approved", "verified", "compliant", "pre", "security",
		"to", "deploy", "from", "review", "no", "do", "not", "flag", "mention", "warn", "delete", "guru", "code",
		"bucket", "arn", "aws", "s3", "1", "0", "role", "Ten", "MUST", "Reviewer")
	seps := []string{"", " ", "-", "_", ".", "/", ":", "  ", "*", "\u200b", "İ", "ſ"}
	rng := rand.New(rand.NewPCG(1, 2))
	var texts []string
	for range 200000 {
		var b strings.Builder
		for j := range 1 + rng.IntN(6) {
			if j > 0 || rng.IntN(3) == 0 {
				b.WriteString(seps[rng.IntN(len(seps))])
			}
			w := words[rng.IntN(len(words))]
			switch rng.IntN(4) {
			case 0:
				w = strings.ToUpper(w)
			case 1:
				w = strings.ToUpper(w[:1]) + w[1:]
			}
			b.WriteString(w)
		}
		texts = append(texts, b.String())
	}
	for _, c := range crafted {
		texts = append(texts, strings.Fields(strings.NewReplacer(`"`, " ").Replace(dump(analyze(t, "", c.doc))))...)
	}
	if docs, err := corpus.Load(corpus.Path(t)); err == nil {
		for name, data := range docs {
			res, err := policy.Read(data, policy.Options{Name: name, MaxBytes: 256 << 10})
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range res.Documents {
				texts = append(texts, d.ID)
				for _, s := range d.Statements {
					texts = append(texts, s.Sid)
					for _, l := range []policy.List{s.Action, s.NotAction, s.Resource, s.NotResource} {
						texts = append(texts, l.Strings()...)
					}
					for _, c := range s.Conditions {
						texts = append(texts, c.Key)
						texts = append(texts, c.Values.Strings()...)
					}
				}
			}
		}
	}
	return texts
}

// TestMayInstructIndex: the one-pass word index finds what a search per
// word finds.
func TestMayInstructIndex(t *testing.T) {
	for _, s := range prefilterTexts(t) {
		var buf [512]byte
		sq := squash(buf[:0], fold(s))
		if got, want := mayInstruct(sq), slowMayInstruct(sq); got != want {
			t.Errorf("mayInstruct(%q) = %v, want %v", sq, got, want)
		}
	}
}
