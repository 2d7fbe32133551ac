//go:build !race

// This file is CPU-heavy and runs in the test pass without the race
// detector (README, "Run the tests"): the package has no concurrency
// for -race to check.

package review

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/internal/corpus"
)

// corpusMaxBytes lets the corpus through the reader's size limit: one AWS
// managed policy, AWSSupportServiceRolePolicy, is 152 KB even minified,
// over the 100 KB that users may paste.
const corpusMaxBytes = 256 << 10

// TestManagedPolicies reviews every AWS managed policy, checks the anchors
// a security engineer expects, and logs the distribution of scores and
// categories (go test -v -run TestManagedPolicies ./assistant/review).
func TestManagedPolicies(t *testing.T) {
	docs, err := corpus.Load(corpus.Path(t))
	if err != nil {
		t.Fatal(err)
	}
	rv := New(iamref.Default())
	scores := map[string]int{}
	reports := map[string]*report.Report{}
	for name, data := range docs {
		rep, err := rv.Review(context.Background(), Input{Name: name, Data: data, MaxBytes: corpusMaxBytes})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		scores[name] = rep.Score
		reports[name] = rep
	}
	anchors := []struct {
		name     string
		min, max int
		want     report.Category
	}{
		{"AdministratorAccess", 1, 1, report.FullAdmin},
		{"IAMFullAccess", 1, 3, report.PrivilegeEscalation},
		{"PowerUserAccess", 1, 3, report.FullAdmin},
		{"ReadOnlyAccess", 1, 5, report.DataExfiltration},
		{"AmazonS3FullAccess", 1, 5, report.ServiceWildcard},
		{"AmazonS3ReadOnlyAccess", 1, 5, report.DataExfiltration},
	}
	for _, a := range anchors {
		rep, ok := reports[a.name]
		if !ok {
			t.Errorf("%s missing from the corpus", a.name)
			continue
		}
		if rep.Score < a.min || rep.Score > a.max {
			t.Errorf("%s scored %d, want %d-%d: %s", a.name, rep.Score, a.min, a.max, rep.Summary)
		}
		if !hasCategory(rep, a.want) {
			t.Errorf("%s has no %s finding", a.name, a.want)
		}
	}
	t.Log(distribution(reports))
}

func hasCategory(r *report.Report, c report.Category) bool {
	for _, f := range r.Findings {
		if f.Category == c {
			return true
		}
	}
	return false
}

// distribution summarises scores and categories over a set of reports.
func distribution(reports map[string]*report.Report) string {
	var b strings.Builder
	byScore := make([]int, 11)
	byCategory := map[report.Category]int{}
	for _, r := range reports {
		byScore[r.Score]++
		seen := map[report.Category]bool{}
		for _, f := range r.Findings {
			if f.Severity != report.Info && !seen[f.Category] {
				seen[f.Category] = true
				byCategory[f.Category]++
			}
		}
	}
	fmt.Fprintf(&b, "%d policies\nscore  policies\n", len(reports))
	for s := 1; s <= 10; s++ {
		fmt.Fprintf(&b, "%5d  %5d %s\n", s, byScore[s], strings.Repeat("#", (byScore[s]+9)/10))
	}
	fmt.Fprintf(&b, "policies with a finding (above info), by category:\n")
	cats := append([]report.Category(nil), report.Categories...)
	sort.SliceStable(cats, func(i, j int) bool { return byCategory[cats[i]] > byCategory[cats[j]] })
	for _, c := range cats {
		fmt.Fprintf(&b, "%24s  %d\n", c, byCategory[c])
	}
	return b.String()
}

// BenchmarkManagedPolicies reviews the whole corpus per iteration and
// reports the slowest single policy.
func BenchmarkManagedPolicies(b *testing.B) {
	docs, err := corpus.Load(corpus.Path(b))
	if err != nil {
		b.Fatal(err)
	}
	rv := New(iamref.Default())
	names := make([]string, 0, len(docs))
	for n := range docs {
		names = append(names, n)
	}
	sort.Strings(names)
	var slowest time.Duration
	var slowName string
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, n := range names {
			start := time.Now()
			if _, err := rv.Review(context.Background(), Input{Name: n, Data: docs[n], MaxBytes: corpusMaxBytes}); err != nil {
				b.Fatalf("%s: %v", n, err)
			}
			if d := time.Since(start); d > slowest {
				slowest, slowName = d, n
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/corpus")
	b.ReportMetric(float64(slowest.Microseconds())/1000, "ms-slowest-policy")
	b.Logf("slowest policy: %s (%v)", slowName, slowest)
}
