package bedrock

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/policycheck/policycheck/assistant/report"
)

// Turn is one earlier question and answer of a thread.
type Turn struct {
	Question string
	Answer   string
}

// AskRequest is a follow-up question about a reviewed policy.
type AskRequest struct {
	Policy         string // minified JSON
	PolicyType     string
	EngineScore    int
	EngineFindings []report.Finding
	// History is the thread so far, oldest first; only the last 10 turns
	// are sent.
	History  []Turn
	Question string
}

// Answer is the model's answer, validated.
type Answer struct {
	// Text is at most 3,000 characters of plain prose.
	Text string
	// Policy is a rewritten policy as compact JSON, or "". It is not yet
	// proven to be no broader than the original.
	Policy  string
	ModelID string
	Usage   Usage
	// PolicyRejected says why a policy in the answer was discarded.
	PolicyRejected string
}

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
