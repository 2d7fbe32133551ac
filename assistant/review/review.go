// Package review runs the whole review of one input: read the policies,
// analyse each document with the built-in engine, tighten it, and (when a
// model is configured) let the model explain and propose, within the
// bounds the engine sets.
package review

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/policycheck/policycheck/assistant/analysis"
	"github.com/policycheck/policycheck/assistant/gate"
	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/managed"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
)

// Engine is the name of the built-in analyzer in Report.Analyzers.
const Engine = "built-in engine"

// Input is one thing to review.
type Input struct {
	Name string      // file name or where the text came from
	Data []byte      // the text as the user supplied it
	Type policy.Type // forced policy type; empty detects it
	// MaxBytes is the largest input accepted; 0 means policy.MaxInputBytes.
	MaxBytes int
	// Offline skips the model even when one is configured.
	Offline bool
	// Chat says Data is a chat message's text (see policy.Options.Chat).
	Chat bool
	// Module holds the other files of a Terraform file's module (see
	// policy.Options.Module).
	Module [][]byte
	// Err, when set, is why the input could not be read; Review returns
	// it without reading Data.
	Err error
}

// Reviewer reviews inputs. Build one with New.
type Reviewer struct {
	kb        *iamref.KB
	model     Model
	access    gate.NoNewAccessChecker
	validator PolicyValidator
	gate      *gate.Gate
}

// Option configures a Reviewer.
type Option func(*Reviewer)

// WithModel adds a language model to the review (nil: none).
func WithModel(m Model) Option { return func(rv *Reviewer) { rv.model = m } }

// WithAccessAnalyzer adds IAM Access Analyzer's verdict on suggestions
// (nil: none). When c also validates policies (PolicyValidator), its
// findings are shown beside the engine's.
func WithAccessAnalyzer(c gate.NoNewAccessChecker) Option {
	return func(rv *Reviewer) {
		rv.access = c
		rv.validator, _ = c.(PolicyValidator)
	}
}

// New returns a Reviewer over a knowledge base.
func New(kb *iamref.KB, opts ...Option) *Reviewer {
	rv := &Reviewer{kb: kb}
	for _, o := range opts {
		o(rv)
	}
	rv.gate = gate.New(kb, rv.access)
	return rv
}

// ModelID names the configured model, or "" when there is none.
func (rv *Reviewer) ModelID() string {
	if rv.model == nil {
		return ""
	}
	return rv.model.ModelID()
}

// KB returns the knowledge base the reviewer uses.
func (rv *Reviewer) KB() *iamref.KB { return rv.kb }

// Review reads and reviews one input. An input that cannot be read as a
// policy gives a *policy.Error; a model or Access Analyzer failure never
// fails the review: it is a note on the report.
func (rv *Reviewer) Review(ctx context.Context, in Input) (*report.Report, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if in.Err != nil {
		return nil, in.Err
	}
	res, err := policy.Read(in.Data, policy.Options{Name: in.Name, Type: in.Type, MaxBytes: in.MaxBytes, Chat: in.Chat, Module: in.Module})
	if err != nil {
		return nil, err
	}
	rep := &report.Report{
		File:        in.Name,
		Score:       10,
		Findings:    []report.Finding{},
		Documents:   []report.Document{},
		Analyzers:   []string{Engine},
		DataVersion: rv.kb.Version(),
	}
	for _, n := range res.Notes {
		rep.Notes = append(rep.Notes, noteText(n))
	}
	// The engine first, document by document: its review is complete
	// before any model is asked, so that no model can lose it.
	drs := make([]*docReview, len(res.Documents))
	for i, doc := range res.Documents {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		drs[i] = rv.engineReview(ctx, doc)
	}
	rv.consult(ctx, res.Documents, drs, !in.Offline)
	if errors.Is(ctx.Err(), context.Canceled) {
		return nil, ctx.Err()
	}
	var worst *docReview
	var usage report.Usage
	// What fell back to the engine is said first: a card shows only so
	// many notes.
	var notes, fallbacks []string
	attached := attachedTo(res)
	// The judged: each principal with everything attached to it, and
	// each document attached to none.
	byDoc := make(map[*policy.Document]*docReview, len(drs))
	for i, d := range drs {
		byDoc[res.Documents[i]] = d
	}
	rep.Principals = rv.principals(res, byDoc)
	judged := struct {
		score         int
		summary, name string
		n             int
	}{score: 11}
	for _, p := range rep.Principals {
		rep.Findings = append(rep.Findings, p.Findings...)
		if judged.n++; p.Score < judged.score {
			judged.score, judged.summary, judged.name = p.Score, p.Summary, p.Name
		}
	}
	for i, d := range drs {
		doc := res.Documents[i]
		rep.Documents = append(rep.Documents, report.Document{
			Name:       doc.Name,
			PolicyType: string(doc.Type),
			Score:      d.score,
			Summary:    d.summary,
			Findings:   d.findings,
			AttachedTo: attached[doc],
		})
		if len(drs) > 1 {
			last := &rep.Documents[len(rep.Documents)-1]
			last.SuggestedPolicy, last.NoSuggestionReason = d.suggestion, d.noSuggestion
		}
		if attached[doc] == nil {
			rep.Findings = append(rep.Findings, d.findings...)
			if judged.n++; d.score < judged.score {
				judged.score, judged.summary, judged.name = d.score, d.summary, d.name
			}
		}
		notes = append(notes, d.notes...)
		fallbacks = append(fallbacks, d.fallbacks...)
		if i == 0 || d.score < worst.score {
			worst = d
		}
		if d.modelRan && !slices.Contains(rep.Analyzers, "bedrock:"+rv.model.ModelID()) {
			rep.Analyzers = append(rep.Analyzers, "bedrock:"+rv.model.ModelID())
		}
		if d.validated && !slices.Contains(rep.Analyzers, AccessAnalyzer) {
			rep.Analyzers = append(rep.Analyzers, AccessAnalyzer)
		}
		usage.Add(d.usage)
	}
	rep.Notes = append(append(rep.Notes, fallbacks...), notes...)
	if usage.Calls > 0 {
		rep.Usage = &usage
	}
	if worst != nil {
		rep.Score, rep.Summary, rep.Explanation = worst.score, worst.summary, worst.explanation
		rep.SuggestedPolicy, rep.NoSuggestionReason = worst.suggestion, worst.noSuggestion
	}
	if len(res.Documents) > 0 {
		rep.PolicyType = string(res.Documents[0].Type)
		for _, d := range res.Documents[1:] {
			if string(d.Type) != rep.PolicyType {
				rep.PolicyType = "mixed"
			}
		}
	}
	switch {
	case len(rep.Principals) > 0:
		rep.Score, rep.Summary = judged.score, judged.summary
		if judged.n > 1 {
			rep.Summary = fmt.Sprintf("%s (lowest of %d principals and documents: %s)", rep.Summary, judged.n, judged.name)
		}
	case len(res.Documents) > 1:
		rep.Summary = fmt.Sprintf("%s (lowest of %d documents: %s)", rep.Summary, len(res.Documents), worst.name)
	}
	for _, d := range res.Unused {
		rep.UnusedPolicies = append(rep.UnusedPolicies, d.Name)
	}
	if managedUsed(res) {
		rep.ManagedPoliciesVersion = managed.Version()
	}
	return rep, nil
}

// docReview is the review of one document.
type docReview struct {
	name         string
	analysis     analysis.Result
	score        int
	summary      string
	explanation  string
	findings     []report.Finding
	suggestion   *report.Suggestion
	noSuggestion string
	notes        []string
	fallbacks    []string // notes of what fell back to the engine
	modelRan     bool
	validated    bool // Access Analyzer's ValidatePolicy answered
	usage        report.Usage
	several      bool // the input has other documents: notes name this one
}

// of names the document in a note when the input has several: "" or
// " for document NAME".
func (d *docReview) of() string {
	if !d.several {
		return ""
	}
	return fmt.Sprintf(" for %s", d.name)
}

// engineReview is the engine's review of one document, with its
// suggestion.
func (rv *Reviewer) engineReview(ctx context.Context, doc *policy.Document) *docReview {
	a := analysis.Analyze(rv.kb, doc)
	d := &docReview{name: doc.Name, analysis: a, score: a.Score, summary: a.Summary, findings: a.Findings}
	d.suggestion, d.noSuggestion = rv.engineSuggestion(ctx, doc, a)
	return d
}

// consult asks the model (when useModel) and IAM Access Analyzer (when
// configured) about every document at once, within the model's
// concurrency limit and before the caller's deadline. A document whose
// answer does not come in time keeps the engine's review, with a note: a
// slow model never costs the review.
func (rv *Reviewer) consult(ctx context.Context, docs []*policy.Document, drs []*docReview, useModel bool) {
	useModel = useModel && rv.model != nil
	if !useModel && rv.validator == nil {
		return
	}
	mctx, cancel := consultContext(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for i, doc := range docs {
		d := drs[i]
		d.several = len(docs) > 1
		wg.Go(func() {
			if useModel {
				rv.consultModel(mctx, doc, d)
			}
			if rv.validator != nil {
				rv.validate(mctx, doc, d)
			}
		})
	}
	wg.Wait()
}

// consultContext is ctx with its deadline brought forward by a margin for
// the work that follows the answers (the gate, the report): what has not
// answered by then is given up.
func consultContext(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	margin := min(time.Until(deadline)/10, 500*time.Millisecond)
	return context.WithDeadline(ctx, deadline.Add(-margin))
}

func noteText(n policy.Note) string {
	if n.Pos.Line > 0 {
		return fmt.Sprintf("line %d: %s", n.Pos.Line, n.Message)
	}
	return n.Message
}
