package review

import (
	"context"
	"errors"
	"fmt"

	"github.com/policycheck/policycheck/assistant/analysis"
	"github.com/policycheck/policycheck/assistant/gate"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
)

// Model is a language model that reviews a policy (Bedrock's Claude, in
// package bedrock). Its answers are untrusted: the review bounds and
// checks them.
type Model interface {
	ModelID() string
	Review(ctx context.Context, req ModelRequest) (*ModelReview, error)
}

// ModelRequest is what the model reviews.
type ModelRequest struct {
	// Policy is the policy document as minified JSON.
	Policy string
	// PolicyType is "identity", "resource", "trust", "scp" or "rcp".
	PolicyType string
	// EngineScore and EngineFindings are the engine's review, given to the
	// model as ground truth.
	EngineScore    int
	EngineFindings []report.Finding
	// EngineSuggestion is the engine's suggested policy as compact JSON,
	// already accepted by the gate, or "": the model improves on it rather
	// than redoing it.
	EngineSuggestion string
	// StatementCount is the number of statements of the policy; model
	// findings must point into [-1, StatementCount).
	StatementCount int
}

// ModelReview is the model's review, decoded and within bounds, but not
// yet trusted.
type ModelReview struct {
	Score    int
	Summary  string
	Findings []ModelFinding
	// SuggestedPolicy is the model's tightened policy as compact JSON, or
	// "". The gate decides whether it is shown.
	SuggestedPolicy string
	// Instructions is the model's report that the policy holds text
	// addressed to it or to a reviewer.
	Instructions bool
	ModelID      string
	Usage        Usage
	// DroppedFindings counts the model's findings discarded for breaking
	// the rules (unknown severity, statement index out of range, too many).
	DroppedFindings int
	// SuggestionRejected says why the model's suggested policy was
	// discarded before the gate ("" when it was kept or there was none).
	SuggestionRejected string
	// Truncated says the answer was cut off at its token limit: what it
	// holds was complete, the rest (often the suggestion) is missing.
	Truncated bool
}

// ModelFinding is one problem the model reports.
type ModelFinding struct {
	Severity       report.Severity
	Category       report.Category
	Statement      int // 0-based, -1 for the whole document
	Title          string
	Detail         string
	Recommendation string
	// Actions and Resources are what the finding cites from its
	// statement; a finding is shown only when they are found there.
	Actions   []string
	Resources []string
}

// Usage is the token count of model calls.
type Usage = report.Usage

// Unavailable is every failure of a model call: the model's opinion is
// not available, and Cause says why in words a user can read.
type Unavailable struct {
	// Cause is plain words for the card, e.g. "the model timed out after
	// 60s". It never contains policy text.
	Cause string
	// Temporary is true when trying again later may work (throttling,
	// timeouts, service errors).
	Temporary bool
	// Err is the underlying error (an SDK error, a decoding error), or nil.
	Err error
	// Usage counts the tokens of the calls made, billed even though the
	// answer could not be used (cut off, malformed).
	Usage Usage
}

func (e *Unavailable) Error() string {
	if e.Err == nil {
		return "model unavailable: " + e.Cause
	}
	return fmt.Sprintf("model unavailable: %s: %v", e.Cause, e.Err)
}

func (e *Unavailable) Unwrap() error { return e.Err }

// causeOf says in plain words why a model call failed.
func causeOf(err error) string {
	var u *Unavailable
	if errors.As(err, &u) {
		return u.Cause
	}
	return err.Error()
}

// consultModel asks the model and merges what survives the checks: its
// score never rises above the engine's ceiling, its findings are added
// (never replacing the engine's), and its suggestion is shown only when
// the gate accepts it against the engine's.
func (rv *Reviewer) consultModel(ctx context.Context, doc *policy.Document, a analysis.Result, d *docReview) {
	mr, err := rv.model.Review(ctx, ModelRequest{
		Policy:         string(doc.MinifiedJSON()),
		PolicyType:     string(doc.Type),
		EngineScore:    a.Score,
		EngineFindings: a.Findings,
		StatementCount: len(doc.Statements),
	})
	if err != nil {
		d.notes = append(d.notes, fmt.Sprintf("Bedrock model unavailable (%s); the built-in review is shown.", causeOf(err)))
		return
	}
	d.modelRan = true
	steered := false
	for _, f := range a.Findings {
		if f.Title == analysis.InstructionsTitle {
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
		sug, _, err := rv.gate.Accept(ctx, gate.Original{Doc: doc, Score: a.Score, Rival: d.suggestion}, gate.Candidate{
			Source:  gate.Model,
			Text:    []byte(mr.SuggestedPolicy),
			Changes: []report.Change{{Statement: -1, What: "rewritten by the model", Why: "proven no broader than the original by the built-in subset check"}},
		})
		if err != nil {
			d.notes = append(d.notes, "The model's suggested policy was rejected: "+err.Error()+".")
			return
		}
		d.suggestion, d.noSuggestion = sug, ""
	}
}
