// Package review runs the whole review of one input: read the policies,
// analyse each document with the built-in engine, tighten it, and (when a
// model is configured) let the model explain and propose, within the
// bounds the engine sets.
package review

import (
	"context"
	"fmt"

	"github.com/policycheck/policycheck/assistant/analysis"
	"github.com/policycheck/policycheck/assistant/iamref"
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
}

// Reviewer reviews inputs. The zero value is not usable; build one with New.
type Reviewer struct {
	kb *iamref.KB
}

// New returns a Reviewer over a knowledge base.
func New(kb *iamref.KB) *Reviewer {
	return &Reviewer{kb: kb}
}

// KB returns the knowledge base the reviewer uses.
func (rv *Reviewer) KB() *iamref.KB { return rv.kb }

// Review reads and reviews one input. An input that cannot be read as a
// policy gives a *policy.Error.
func (rv *Reviewer) Review(ctx context.Context, in Input) (*report.Report, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res, err := policy.Read(in.Data, policy.Options{Name: in.Name, Type: in.Type, MaxBytes: in.MaxBytes})
	if err != nil {
		return nil, err
	}
	return rv.reviewDocuments(ctx, in.Name, res)
}

func (rv *Reviewer) reviewDocuments(ctx context.Context, name string, res *policy.Result) (*report.Report, error) {
	rep := &report.Report{
		File:        name,
		Score:       10,
		Findings:    []report.Finding{},
		Documents:   []report.Document{},
		Analyzers:   []string{Engine},
		DataVersion: rv.kb.Version(),
	}
	for _, n := range res.Notes {
		rep.Notes = append(rep.Notes, noteText(n))
	}
	for i, doc := range res.Documents {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		a := analysis.Analyze(rv.kb, doc)
		rep.Documents = append(rep.Documents, report.Document{
			Name:       doc.Name,
			PolicyType: string(doc.Type),
			Score:      a.Score,
			Summary:    a.Summary,
			Findings:   a.Findings,
		})
		rep.Findings = append(rep.Findings, a.Findings...)
		if i == 0 || a.Score < rep.Score {
			rep.Score = a.Score
			rep.Summary = a.Summary
		}
	}
	if len(res.Documents) > 0 {
		rep.PolicyType = string(res.Documents[0].Type)
		for _, d := range res.Documents[1:] {
			if string(d.Type) != rep.PolicyType {
				rep.PolicyType = "mixed"
			}
		}
	}
	if len(res.Documents) > 1 {
		rep.Summary = fmt.Sprintf("%s (lowest of %d documents)", rep.Summary, len(res.Documents))
	}
	return rep, nil
}

func noteText(n policy.Note) string {
	if n.Pos.Line > 0 {
		return fmt.Sprintf("line %d: %s", n.Pos.Line, n.Message)
	}
	return n.Message
}
