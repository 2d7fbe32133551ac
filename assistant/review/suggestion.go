package review

import (
	"context"

	"github.com/policycheck/policycheck/assistant/analysis"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/suggest"
)

// engineSuggestion is the engine's own tightened policy, as the gate
// accepted it, or the reason there is none.
func (rv *Reviewer) engineSuggestion(ctx context.Context, doc *policy.Document, a analysis.Result) (*report.Suggestion, string) {
	s := suggest.Suggest(ctx, rv.gate, rv.kb, doc, a)
	if s.Suggestion == nil {
		return nil, s.Reason
	}
	return s.Suggestion, ""
}
