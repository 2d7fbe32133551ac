package bedrock

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/policycheck/policycheck/assistant/report"
)

// Bounds enforced on the model's answer (the schema cannot carry them).
const (
	minScore       = 1
	maxScore       = 10
	maxSummary     = 500
	maxTitle       = 200
	maxDetail      = 1000
	maxFindings    = 50
	maxSuggestion  = 20 << 10
	maxAnswer      = 3000
	maxCited       = 20
	maxCitedLen    = 256
	truncationMark = "…"
)

// Review asks the model to review req.Policy.
func (c *Client) Review(ctx context.Context, req Request) (*Review, error) {
	if len(req.Policy) > maxPolicyBytes {
		return nil, &Unavailable{Cause: fmt.Sprintf("the policy is too large for the model review (%d KB, limit %d KB)", len(req.Policy)>>10, maxPolicyBytes>>10)}
	}
	user, _ := reviewPrompt(req)
	user += writeIn(ctx, "Write the summary and every finding's title, detail and recommendation in %s, the language of the person who asked for the review.")
	out, usage, err := c.converse(ctx, call{op: "review", tool: reviewToolName, system: reviewSystemPrompt, user: user,
		inputBytes: len(req.Policy)})
	if err != nil {
		return nil, err
	}
	rv, err := decodeReviewOutput(out, req.StatementCount)
	if err != nil {
		if u, ok := err.(*Unavailable); ok {
			u.Usage = usage
		}
		return nil, err
	}
	rv.ModelID = c.cfg.ModelID
	rv.Usage = usage
	return rv, nil
}

// decodeReviewOutput checks the shape of the answer and decodes the tool
// input; an answer cut off at its token limit keeps what was complete.
func decodeReviewOutput(out *bedrockruntime.ConverseOutput, statements int) (*Review, error) {
	raw, cut, err := toolInput(out, reviewToolName, "the review tool")
	if err != nil {
		return nil, err
	}
	return decodeReview(raw, statements, cut)
}

// errCutOff is the cause of an answer cut off at its token limit with
// nothing usable in it.
const errCutOff = "the answer was cut off (max_tokens)"

// toolInput accepts only stop reason tool_use with exactly one toolUse
// block calling want, and returns its input as JSON. A max_tokens stop
// with such a block returns what the block holds, with cut true: the
// members that were complete when the limit struck.
func toolInput(out *bedrockruntime.ConverseOutput, want, what string) (raw []byte, cut bool, err error) {
	switch out.StopReason {
	case types.StopReasonToolUse:
	case types.StopReasonMaxTokens:
		cut = true
	case types.StopReasonGuardrailIntervened:
		return nil, false, &Unavailable{Cause: "a guardrail intervened"}
	case types.StopReasonContentFiltered:
		return nil, false, &Unavailable{Cause: "the answer was blocked by Bedrock's content filters"}
	case types.StopReasonMalformedToolUse, types.StopReasonMalformedModelOutput:
		return nil, false, &Unavailable{Cause: "the model's answer was not valid JSON"}
	case types.StopReasonEndTurn, types.StopReasonStopSequence:
		return nil, false, &Unavailable{Cause: "the model answered with text instead of " + what}
	default:
		return nil, false, &Unavailable{Cause: fmt.Sprintf("the model stopped unexpectedly (%s)", clip(string(out.StopReason), 64))}
	}
	msg, ok := out.Output.(*types.ConverseOutputMemberMessage)
	if !ok || msg == nil {
		if cut {
			return nil, false, &Unavailable{Cause: errCutOff}
		}
		return nil, false, &Unavailable{Cause: "the model returned no message"}
	}
	var calls []*types.ToolUseBlock
	for _, b := range msg.Value.Content {
		if tu, ok := b.(*types.ContentBlockMemberToolUse); ok && tu != nil {
			calls = append(calls, &tu.Value)
		}
		// Other blocks (text, reasoning, kinds unknown to the SDK, which
		// arrive as nil) are ignored.
	}
	switch {
	case cut && len(calls) != 1:
		return nil, false, &Unavailable{Cause: errCutOff}
	case len(calls) == 0:
		return nil, false, &Unavailable{Cause: "the model answered with text instead of " + what}
	case len(calls) > 1:
		return nil, false, &Unavailable{Cause: "the model called its tool more than once"}
	}
	call := calls[0]
	if call.Name == nil || *call.Name != want {
		return nil, false, &Unavailable{Cause: "the model called an unknown tool"}
	}
	if call.Input == nil {
		if cut {
			return nil, false, &Unavailable{Cause: errCutOff}
		}
		return nil, false, &Unavailable{Cause: "the model's answer was not valid JSON"}
	}
	raw, err = call.Input.MarshalSmithyDocument()
	if err != nil {
		return nil, false, &Unavailable{Cause: "the model's answer was not valid JSON", Err: err}
	}
	return raw, cut, nil
}

// wholeNumber decodes a JSON number that is an integer, also when written
// with a fractional part of zero (7.0).
type wholeNumber int

func (n *wholeNumber) UnmarshalJSON(b []byte) error {
	var f json.Number
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	if i, err := f.Int64(); err == nil {
		if i < -1<<31 || i > 1<<31-1 {
			return fmt.Errorf("number %s out of range", f)
		}
		*n = wholeNumber(i)
		return nil
	}
	v, err := f.Float64()
	if err != nil || v != float64(int32(v)) {
		return fmt.Errorf("number %s is not an integer", f)
	}
	*n = wholeNumber(int32(v))
	return nil
}

type reviewInput struct {
	Score           *wholeNumber   `json:"score"`
	Summary         *string        `json:"summary"`
	Findings        []findingInput `json:"findings"`
	SuggestedPolicy *string        `json:"suggested_policy"`
	// Instructions is required by the schema; an answer without it (an
	// older prompt's, a cut one) reads as false.
	Instructions *bool `json:"embedded_instructions"`
}

type findingInput struct {
	Severity       *string      `json:"severity"`
	Category       *string      `json:"category"`
	Statement      *wholeNumber `json:"statement"`
	Title          *string      `json:"title"`
	Detail         *string      `json:"detail"`
	Recommendation *string      `json:"recommendation"`
	Actions        []string     `json:"actions"`
	Resources      []string     `json:"resources"`
}

// decodeStrict decodes exactly one JSON value into v, refusing unknown
// fields and trailing data.
func decodeStrict(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}

// decodeReview decodes and validates the submit_review input. A cut
// answer (cut) needs only its complete findings: a missing score reads as
// 10 (it can lower nothing), a missing suggestion as none.
func decodeReview(raw []byte, statements int, cut bool) (*Review, error) {
	var in reviewInput
	if err := decodeStrict(raw, &in); err != nil {
		if cut {
			return nil, &Unavailable{Cause: errCutOff, Err: err}
		}
		return nil, &Unavailable{Cause: "the model's answer was not valid JSON", Err: err}
	}
	if cut {
		if in.Findings == nil && in.Score == nil {
			return nil, &Unavailable{Cause: errCutOff}
		}
		if in.Score == nil {
			in.Score = new(wholeNumber)
			*in.Score = maxScore
		}
		if in.Summary == nil {
			in.Summary = new(string)
		}
		if in.Findings == nil {
			in.Findings = []findingInput{}
		}
		// A suggestion that was complete is still only as good as the
		// rest of the answer: it is dropped with the cut.
		in.SuggestedPolicy = new(string)
	}
	if in.Score == nil || in.Summary == nil || in.Findings == nil || in.SuggestedPolicy == nil {
		return nil, &Unavailable{Cause: "the model's answer was not valid JSON", Err: errors.New("a required field is missing")}
	}
	score := int(*in.Score)
	if score < minScore || score > maxScore {
		return nil, &Unavailable{Cause: fmt.Sprintf("the model's score %d is outside %d..%d", score, minScore, maxScore)}
	}
	rv := &Review{Score: score, Summary: clip(*in.Summary, maxSummary), Findings: []Finding{}, Truncated: cut,
		Instructions: in.Instructions != nil && *in.Instructions}
	for _, f := range in.Findings {
		if len(rv.Findings) == maxFindings {
			rv.DroppedFindings++
			continue
		}
		sev, ok := parseSeverity(f.Severity)
		cat, catOK := parseCategory(f.Category)
		if !ok || !catOK || f.Statement == nil || f.Title == nil {
			rv.DroppedFindings++
			continue
		}
		st := int(*f.Statement)
		if st < -1 || st >= statements {
			rv.DroppedFindings++
			continue
		}
		title := clip(*f.Title, maxTitle)
		if strings.TrimSpace(title) == "" {
			rv.DroppedFindings++
			continue
		}
		rv.Findings = append(rv.Findings, Finding{
			Severity:       sev,
			Category:       cat,
			Statement:      st,
			Title:          title,
			Detail:         clip(deref(f.Detail), maxDetail),
			Recommendation: clip(deref(f.Recommendation), maxDetail),
			Actions:        cited(f.Actions),
			Resources:      cited(f.Resources),
		})
	}
	if cut {
		rv.SuggestionRejected = "the answer was cut off at its token limit before the suggested policy was complete"
		return rv, nil
	}
	rv.SuggestedPolicy, rv.SuggestionRejected = policyText(*in.SuggestedPolicy)
	return rv, nil
}

// cited cleans the actions or resources a finding cites: at most
// maxCited, each clipped, blanks dropped.
func cited(vs []string) []string {
	out := []string{}
	for _, v := range vs {
		if len(out) == maxCited {
			break
		}
		if v = clip(v, maxCitedLen); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func parseCategory(s *string) (report.Category, bool) {
	if s == nil {
		return "", false
	}
	v := report.Category(strings.ToLower(strings.TrimSpace(*s)))
	for _, c := range report.Categories {
		if v == c {
			return v, true
		}
	}
	return "", false
}

func parseSeverity(s *string) (report.Severity, bool) {
	if s == nil {
		return "", false
	}
	v := report.Severity(strings.ToLower(strings.TrimSpace(*s)))
	for _, want := range severities {
		if v == want {
			return v, true
		}
	}
	return "", false
}

// policyText checks a policy the model wrote: a JSON object of at most
// 20 KB, returned compact. A surrounding Markdown code fence is tolerated.
// It returns the policy, or "" and why it was refused.
func policyText(s string) (policy, rejected string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", ""
	}
	if len(s) > maxSuggestion {
		return "", fmt.Sprintf("the suggested policy is larger than %d KB", maxSuggestion>>10)
	}
	s = stripFence(s)
	if !strings.HasPrefix(s, "{") || !json.Valid([]byte(s)) {
		return "", "the suggested policy was not valid JSON"
	}
	var out bytes.Buffer
	if err := json.Compact(&out, []byte(s)); err != nil {
		return "", "the suggested policy was not valid JSON"
	}
	return out.String(), ""
}

func stripFence(s string) string {
	if !strings.HasPrefix(s, "```") || !strings.HasSuffix(s, "```") || len(s) < 6 {
		return s
	}
	body := strings.TrimSuffix(s, "```")
	if i := strings.IndexByte(body, '\n'); i >= 0 {
		body = body[i+1:]
	} else {
		return s
	}
	return strings.TrimSpace(body)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// clip cleans s (valid UTF-8, no control or bidi-override characters but
// newline and tab, no surrounding space) and cuts it to at most n characters, ending with
// an ellipsis when cut.
func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.IndexFunc(s, isUnwanted) >= 0 {
		s = strings.Map(func(r rune) rune {
			if isUnwanted(r) {
				return -1
			}
			return r
		}, s)
	}
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut := n - utf8.RuneCountInString(truncationMark)
	i := 0
	for j := range s {
		if i == cut {
			return strings.TrimSpace(s[:j]) + truncationMark
		}
		i++
	}
	return s
}

func isUnwanted(r rune) bool {
	if r == '\n' || r == '\t' {
		return false
	}
	switch {
	case unicode.IsControl(r), r == '\u2028', r == '\u2029':
		return true
	case r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069': // bidi overrides and isolates
		return true
	}
	return false
}
