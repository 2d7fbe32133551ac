package review

import (
	"context"
	"errors"
	"fmt"

	"github.com/policycheck/policycheck/assistant/analysis"
	"github.com/policycheck/policycheck/assistant/bedrock"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
)

// Model is a language model that reviews a policy (Bedrock's Claude).
type Model interface {
	ModelID() string
	Review(ctx context.Context, req bedrock.Request) (*bedrock.Review, error)
}

// consultModel asks the model and merges what survives the checks: its
// score never rises above the engine's ceiling, its findings are added
// (never replacing the engine's), and its suggestion is shown only when
// proven no broader and scoring at least as high as the original.
func (rv *Reviewer) consultModel(ctx context.Context, doc *policy.Document, a analysis.Result, d *docReview) {
	mr, err := rv.model.Review(ctx, bedrock.Request{
		Policy:         string(doc.MinifiedJSON()),
		PolicyType:     string(doc.Type),
		EngineScore:    a.Score,
		EngineFindings: a.Findings,
		StatementCount: len(doc.Statements),
	})
	if err != nil {
		cause := err.Error()
		var u *bedrock.Unavailable
		if errors.As(err, &u) {
			cause = u.Cause
		}
		d.notes = append(d.notes, fmt.Sprintf("Bedrock model unavailable (%s); the built-in review is shown.", cause))
		return
	}
	d.modelRan = true
	steered := false
	for _, f := range a.Findings {
		if f.Rule == analysis.RuleInstructions.ID {
			steered = true
		}
	}
	// The model's words are shown only when its verdict stands: not when
	// the policy tried to steer it, nor when it scored above what the
	// engine's findings allow.
	switch {
	case steered:
		d.notes = append(d.notes, "The policy contains instructions to its reviewer; the model's score and summary were ignored.")
	case mr.Score > a.Score:
		d.notes = append(d.notes, fmt.Sprintf("The model scored %d; the engine's findings cap the score at %d, so its summary is not shown.", mr.Score, a.Score))
	case mr.Score < d.score:
		d.score = mr.Score
		d.summary = fmt.Sprintf("%d/10 (model): %s", mr.Score, mr.Summary)
		d.explanation = mr.Summary
	default:
		d.explanation = mr.Summary
	}
	for _, f := range mr.Findings {
		mf := report.Finding{
			ID:             fmt.Sprintf("model-%d", len(d.findings)+1),
			Category:       f.Category,
			Severity:       f.Severity,
			Document:       doc.Name,
			Statement:      f.Statement,
			Title:          f.Title,
			Detail:         f.Detail,
			Recommendation: f.Recommendation,
			Actions:        []string{},
			Source:         "model",
			Line:           doc.Pos.Line,
		}
		if f.Statement >= 0 && f.Statement < len(doc.Statements) {
			st := doc.Statements[f.Statement]
			mf.Sid, mf.Line = st.Sid, st.Pos.Line
		}
		d.findings = append(d.findings, mf)
	}
	if mr.DroppedFindings > 0 {
		d.notes = append(d.notes, fmt.Sprintf("%d model findings were dropped (unknown statement or malformed).", mr.DroppedFindings))
	}
	switch {
	case mr.SuggestionRejected != "":
		d.notes = append(d.notes, "The model's suggested policy was rejected: "+mr.SuggestionRejected+".")
	case mr.SuggestedPolicy != "":
		sug, err := rv.verify(ctx, doc, a.Score, []byte(mr.SuggestedPolicy), "model")
		if err != nil {
			d.notes = append(d.notes, "The model's suggested policy was rejected: "+err.Error()+".")
			return
		}
		if d.suggestion != nil && sug.Score < d.suggestion.Score {
			d.notes = append(d.notes, fmt.Sprintf("The model's suggested policy scores %d, below the built-in suggestion's %d; the built-in one is shown.", sug.Score, d.suggestion.Score))
			return
		}
		sug.Changes = []report.Change{{Statement: -1, What: "rewritten by the model", Why: "proven no broader than the original by the built-in subset check"}}
		d.suggestion, d.noSuggestion = sug, ""
	}
}
