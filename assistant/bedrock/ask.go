package bedrock

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Ask asks the model a follow-up question about a policy.
func (c *Client) Ask(ctx context.Context, req AskRequest) (*Answer, error) {
	if len(req.Policy) > maxPolicyBytes {
		return nil, &Unavailable{Cause: fmt.Sprintf("the policy is too large for the model (%d KB, limit %d KB)", len(req.Policy)>>10, maxPolicyBytes>>10)}
	}
	if strings.TrimSpace(req.Question) == "" {
		return nil, &Unavailable{Cause: "the question is empty"}
	}
	user, _ := askPrompt(req)
	out, err := c.converse(ctx, "ask", answerToolName, askSystemPrompt, user)
	if err != nil {
		return nil, err
	}
	raw, err := toolInput(out, answerToolName, "the answer tool")
	if err != nil {
		return nil, err
	}
	a, err := decodeAnswer(raw)
	if err != nil {
		return nil, err
	}
	a.ModelID = c.cfg.ModelID
	a.Usage = usageOf(out)
	return a, nil
}

type answerInput struct {
	Text   *string `json:"text"`
	Policy *string `json:"policy"`
}

func decodeAnswer(raw []byte) (*Answer, error) {
	var in answerInput
	if err := decodeStrict(raw, &in); err != nil {
		return nil, &Unavailable{Cause: "the model's answer was not valid JSON", Err: err}
	}
	if in.Text == nil {
		return nil, &Unavailable{Cause: "the model's answer was not valid JSON", Err: errors.New("the text field is missing")}
	}
	a := &Answer{Text: clip(*in.Text, maxAnswer)}
	a.Policy, a.PolicyRejected = policyText(deref(in.Policy))
	if a.Text == "" && a.Policy == "" {
		return nil, &Unavailable{Cause: "the model gave an empty answer"}
	}
	return a, nil
}
