package analysis

import (
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
				pr := patternReaches.of(p)
				if again := patternReaches.of(p); again != pr {
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
