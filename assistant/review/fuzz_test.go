package review

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/policycheck/policycheck/assistant/iamref"
)

// FuzzReview runs the whole offline review (read, analyse, suggest, prove)
// on arbitrary input: it may refuse the input, never panic, and a report
// always has a score from 1 to 10.
func FuzzReview(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("..", "..", "examples", "*"))
	for _, p := range seeds {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"Statement":[{"Effect":"Allow","NotAction":"s3:*","NotResource":"arn:aws:s3:::b","Principal":{"AWS":"*"},"Condition":{"ForAllValues:StringLike":{"aws:TagKeys":["*"]}}}]}`))
	f.Add([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":"*","Resource":"*"},{"Effect":"Allow","Action":"*:*","Resource":"arn:aws:*:*:*:*"}]}`))
	rv := New(iamref.Default())
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := rv.Review(context.Background(), Input{Name: "fuzz", Data: data})
		if err != nil {
			return
		}
		if rep.Score < 1 || rep.Score > 10 {
			t.Fatalf("score %d", rep.Score)
		}
	})
}
