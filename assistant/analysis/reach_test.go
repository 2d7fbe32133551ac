package analysis

import (
	"strings"
	"sync"
	"testing"

	"github.com/policycheck/policycheck/assistant/iamref"
)

// TestPatternReach: a pattern's reach of a type, asked from several
// goroutines, is what MatchResource and BroadFor say of the two, and a
// pattern is looked up to the same patternReach each time.
func TestPatternReach(t *testing.T) {
	kb := iamref.Default()
	patterns := []string{
		"arn:aws:s3:::bucket", "arn:aws:s3:::bucket/*", "arn:aws:s3:::*", "arn:*:s3:::b*/k?y",
		"arn:aws:iam::123456789012:role/*", "arn:aws:iam::*:role/service-role/app-*",
		"arn:aws:iam::123456789012:user/${aws:username}", "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:q",
		"arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:us-east-1:123456789012:instance/i-0abc", "arn:aws:*:*:*:*",
		"arn:aws:dynamodb:*:*:table/t/index/*", "not-an-arn", "arn:aws:lambda:*:*:function:f:*", "",
	}
	var types []*iamref.ResourceType
	for _, prefix := range []string{"s3", "iam", "ec2", "sqs", "dynamodb", "lambda", "kms"} {
		types = append(types, kb.Service(prefix).ResourceTypes...)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for _, p := range patterns {
				pr := sharedPattern(p)
				if again := sharedPattern(p); again != pr {
					t.Errorf("%q looked up to two patternReach", p)
				}
				for _, rt := range types {
					want := reachNone
					if kb.MatchResource(p, rt) {
						want = reachLimited
						if BroadFor(p, rt) {
							want = reachBroad
						}
					}
					if got := pr.of(kb, rt); got != want {
						t.Errorf("reach of %q over %s = %d, want %d", p, rt.Name, got, want)
					}
				}
			}
		})
	}
	wg.Wait()
}

// TestPatternReachBounds: a long pattern is not kept in the table, and
// the table's patterns keep no more answers than maxPatternAnswers.
func TestPatternReachBounds(t *testing.T) {
	long := "arn:aws:s3:::" + strings.Repeat("b", maxSharedPattern)
	if p := sharedPattern(long); p.shared || sharedPattern(long) == p {
		t.Errorf("a pattern of %d bytes is kept in the table", len(long))
	}
	kb := iamref.Default()
	before := patternAnswers.Load()
	p := sharedPattern("arn:aws:s3:::bounds-test/*")
	for _, rt := range kb.Service("s3").ResourceTypes {
		p.of(kb, rt)
		p.of(kb, rt)
	}
	if got, want := patternAnswers.Load()-before, int64(len(kb.Service("s3").ResourceTypes)); got != want {
		t.Errorf("%d answers counted for %d types", got, want)
	}
	patternAnswers.Add(maxPatternAnswers)
	defer patternAnswers.Add(-maxPatternAnswers)
	q := sharedPattern("arn:aws:s3:::bounds-test-full/*")
	q.of(kb, kb.Service("s3").ResourceTypes[0])
	if len(q.types) != 0 {
		t.Errorf("an answer was kept past the bound")
	}
}
