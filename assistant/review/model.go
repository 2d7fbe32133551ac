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
	// PolicyType is "identity", "resource", "trust", "scp", "rcp" or "endpoint".
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

// consultModel asks the model about one document and keeps of its answer
// only what can be checked (see trust.go): findings that cite a statement
// of the document and what that statement holds, a score lowered only
// through such a finding, and a suggestion the gate accepts against the
// engine's. When the policy addresses its reviewer, the model is not
// asked; when the model says it does, or its own words read as steered,
// nothing of its answer is shown.
func (rv *Reviewer) consultModel(ctx context.Context, doc *policy.Document, d *docReview) {
	a := d.analysis
	for _, f := range a.Findings {
		if f.Rule == analysis.RuleInstructions.ID {
			d.notes = append(d.notes, fmt.Sprintf("The policy%s contains text addressed to its reviewer (see the finding %q), so the model was not asked: "+
				"a model that reads it may follow it. The built-in review is shown.", d.of(), analysis.RuleInstructions.Title))
			return
		}
	}
	req := ModelRequest{
		Policy:         string(doc.MinifiedJSON()),
		PolicyType:     string(doc.Type),
		EngineScore:    a.Score,
		EngineFindings: a.Findings,
		StatementCount: len(doc.Statements),
	}
	if d.suggestion != nil {
		req.EngineSuggestion = string(d.suggestion.Policy)
	}
	mr, err := rv.model.Review(ctx, req)
	if err != nil {
		var u *Unavailable
		if errors.As(err, &u) {
			d.usage.Add(u.Usage)
		}
		d.fallbacks = append(d.fallbacks, fmt.Sprintf("Bedrock model unavailable%s (%s); the built-in review is shown.", d.of(), causeOf(err)))
		return
	}
	d.usage.Add(mr.Usage)
	d.modelRan = true

	if why := steered(mr); why != "" {
		d.notes = append(d.notes, fmt.Sprintf("The model's answer%s was not shown: %s. The built-in review is shown.", d.of(), why))
		return
	}
	if mr.Truncated {
		d.notes = append(d.notes, fmt.Sprintf("The model's answer%s was cut off at its token limit (BEDROCK_MAX_TOKENS); its complete findings are kept and its suggested policy was dropped.", d.of()))
	}

	kept, dropped := rv.checkFindings(doc, mr.Findings, len(d.findings))
	if dropped += mr.DroppedFindings; dropped > 0 {
		d.notes = append(d.notes, fmt.Sprintf("%d model findings%s were dropped: they cite no statement of the policy, or actions or resources their statement does not hold.", dropped, d.of()))
	}

	// The score: the engine's, unless a finding of the model that passed
	// the checks explains a lower one.
	switch {
	case mr.Score > a.Score:
		d.notes = append(d.notes, fmt.Sprintf("The model scored %d; the engine's findings cap the score at %d, so its summary is not shown.", mr.Score, a.Score))
	default:
		d.explanation = mr.Summary
		if mr.Score < a.Score {
			by, score := lowering(kept, mr.Score, a.Score)
			if by == nil {
				d.notes = append(d.notes, fmt.Sprintf("The model scored %d%s, but none of its findings that passed the checks explains a score below the engine's %d, which stands.", mr.Score, d.of(), a.Score))
				break
			}
			d.score = score
			d.summary = fmt.Sprintf("%d/10: lowered from the engine's %d by the model's finding %q (statement %d, %s). %s",
				score, a.Score, by.Title, by.Statement, by.Severity, a.Summary)
		}
	}
	d.findings = append(d.findings, kept...)

	switch {
	case mr.SuggestionRejected != "":
		d.notes = append(d.notes, "The model's suggested policy was rejected: "+mr.SuggestionRejected+".")
	case mr.SuggestedPolicy != "":
		sug, _, err := rv.gate.Accept(ctx, gate.Original{Doc: doc, Score: a.Score, Rival: d.suggestion, Norm: a.Policy}, gate.Candidate{
			Source:  gate.Model,
			Text:    []byte(mr.SuggestedPolicy),
			Changes: modelChanges(rv.kb, doc, mr.SuggestedPolicy),
		})
		switch {
		case err != nil && ctx.Err() != nil:
			d.notes = append(d.notes, "The model's suggested policy was not checked: the review ran out of time.")
		case err != nil:
			d.notes = append(d.notes, "The model's suggested policy was rejected: "+err.Error()+".")
		default:
			d.suggestion, d.noSuggestion = sug, ""
		}
	}
}
