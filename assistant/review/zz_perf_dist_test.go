package review

import (
	"context"
	"fmt"
	"testing"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/suggest"
	"github.com/policycheck/policycheck/internal/corpus"
)

func TestPerfDist(t *testing.T) {
	docs, _ := corpus.Load(corpus.Path(t))
	rv := New(iamref.Default())
	for n, d := range docs {
		rv.Review(context.Background(), Input{Name: n, Data: d, MaxBytes: corpusMaxBytes})
	}
	for k, v := range suggest.DebugCounts {
		fmt.Println(v, k)
	}
}
