package bedrock

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Ask asks the model a follow-up question about the documents of an
// input.
func (c *Client) Ask(ctx context.Context, req AskRequest) (*Answer, error) {
	size := 0
	for _, d := range req.Documents {
		size += len(d.Policy)
	}
	switch {
	case len(req.Documents) == 0:
		return nil, &Unavailable{Cause: "there is no policy to ask about"}
	case size > maxPolicyBytes:
		return nil, &Unavailable{Cause: fmt.Sprintf("the policy is too large for the model (%d KB, limit %d KB)", size>>10, maxPolicyBytes>>10)}
	case strings.TrimSpace(req.Question) == "":
		return nil, &Unavailable{Cause: "the question is empty"}
	}
	user, _ := askPrompt(req)
	user += writeIn(ctx, "Answer in %s, the language of the person asking.")
	largest := 0
	for _, d := range req.Documents {
		largest = max(largest, len(d.Policy))
	}
	out, usage, err := c.converse(ctx, call{op: "ask", tool: answerToolName, system: askSystemPrompt, user: user, inputBytes: largest})
	if err != nil {
		return nil, err
	}
	raw, cut, err := toolInput(out, answerToolName, "the answer tool")
	if err == nil && cut {
		err = &Unavailable{Cause: errCutOff}
	}
	if err != nil {
		if u, ok := err.(*Unavailable); ok {
			u.Usage = usage
		}
		return nil, err
	}
	a, err := decodeAnswer(raw)
	if err != nil {
		if u, ok := err.(*Unavailable); ok {
			u.Usage = usage
		}
		return nil, err
	}
	a.ModelID = c.cfg.ModelID
	a.Usage = usage
	return a, nil
}

type answerInput struct {
	Text     *string `json:"text"`
	Policy   *string `json:"policy"`
	Document *string `json:"document"`
}

func decodeAnswer(raw []byte) (*Answer, error) {
	var in answerInput
	if err := decodeStrict(raw, &in); err != nil {
		return nil, &Unavailable{Cause: "the model's answer was not valid JSON", Err: err}
	}
	if in.Text == nil {
		return nil, &Unavailable{Cause: "the model's answer was not valid JSON", Err: errors.New("the text field is missing")}
	}
	a := &Answer{Text: clip(*in.Text, maxAnswer), Document: clip(deref(in.Document), 200)}
	a.Policy, a.PolicyRejected = policyText(deref(in.Policy))
	if a.Text == "" && a.Policy == "" {
		return nil, &Unavailable{Cause: "the model gave an empty answer"}
	}
	return a, nil
}
