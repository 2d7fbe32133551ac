package accessanalyzer

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"

	"github.com/policycheck/policycheck/assistant/review"
)

// statementOf is the statement index a location's path leads into: a
// path that starts with the key "Statement" and an index; -1 otherwise
// (a single statement written as an object has no index: 0).
func statementOf(path []types.PathElement) int {
	if len(path) == 0 {
		return -1
	}
	if k, ok := path[0].(*types.PathElementMemberKey); !ok || k.Value != "Statement" {
		return -1
	}
	if len(path) > 1 {
		if i, ok := path[1].(*types.PathElementMemberIndex); ok && i.Value >= 0 {
			return int(i.Value)
		}
	}
	return 0
}

// ValidatePolicy is Validate as a review asks it (review.PolicyValidator):
// the findings with the statement each is about. A policy type that
// ValidatePolicy does not check gives an error wrapping
// review.ErrUnsupportedType.
func (c *Client) ValidatePolicy(ctx context.Context, policyJSON, policyType string) ([]review.ValidatorFinding, error) {
	fs, err := c.Validate(ctx, policyJSON, policyType)
	if err != nil {
		var u *Unavailable
		if errors.As(err, &u) && u.Cause == CauseUnsupportedType {
			return nil, fmt.Errorf("%w: %v", review.ErrUnsupportedType, err)
		}
		return nil, err
	}
	out := make([]review.ValidatorFinding, len(fs))
	for i, f := range fs {
		out[i] = review.ValidatorFinding{Type: f.Type, IssueCode: f.IssueCode, Message: f.Message, Statement: f.Statement}
	}
	return out, nil
}
