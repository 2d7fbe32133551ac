package review

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/policycheck/policycheck/assistant/accessanalyzer"
	"github.com/policycheck/policycheck/assistant/analysis"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/subset"
	"github.com/policycheck/policycheck/assistant/suggest"
)

// BuiltinProof names the built-in subset check in Suggestion.Verdicts.
const BuiltinProof = "built-in subset check: grants nothing the original does not"

// NoNewAccessChecker is IAM Access Analyzer's CheckNoNewAccess.
type NoNewAccessChecker interface {
	CheckNoNewAccess(ctx context.Context, existing, candidate, policyType string) (accessanalyzer.Verdict, error)
}

// engineSuggestion is the engine's own tightened policy. Suggest proves
// it before returning it (it re-reads, passes the subset check and scores
// no lower); only Access Analyzer's verdict is added here.
func (rv *Reviewer) engineSuggestion(ctx context.Context, doc *policy.Document, a analysis.Result) (*report.Suggestion, string) {
	s := suggest.Suggest(rv.kb, doc, a)
	if s.Doc == nil {
		return nil, s.Reason
	}
	sug := &report.Suggestion{
		Document: doc.Name,
		Policy:   json.RawMessage(s.Doc.JSON()),
		Score:    s.Score,
		Changes:  s.Changes,
		Source:   "engine",
		Verdicts: []string{BuiltinProof},
	}
	if err := rv.confirm(ctx, doc, s.Doc, sug); err != nil {
		return nil, "the built-in suggestion was withheld: " + err.Error()
	}
	sug.Diff = suggest.Diff(doc.JSON(), sug.Policy)
	return sug, ""
}

// verify accepts a suggested policy only if it reads as one policy
// document, is proven no broader than the original, and scores at least
// as high. Every suggestion, the engine's or the model's, goes through it.
func (rv *Reviewer) verify(ctx context.Context, orig *policy.Document, origScore int, text []byte, source string) (*report.Suggestion, error) {
	if orig.Branched {
		return nil, errors.New("the template's Fn::If conditions were read as true, so no rewrite can be proven for every deployment")
	}
	res, err := policy.Read(text, policy.Options{Name: orig.Name, Type: orig.Type})
	if err != nil {
		return nil, fmt.Errorf("it is not a valid policy (%v)", err)
	}
	if len(res.Documents) != 1 {
		return nil, fmt.Errorf("it holds %d policy documents instead of one", len(res.Documents))
	}
	cand := res.Documents[0]
	v := subset.Check(rv.kb, orig, cand)
	if !v.Proven {
		return nil, errors.New(v.Reason)
	}
	score := analysis.Analyze(rv.kb, cand).Score
	if score < origScore {
		return nil, fmt.Errorf("it scores %d, below the original's %d", score, origScore)
	}
	sug := &report.Suggestion{
		Document: orig.Name,
		Policy:   json.RawMessage(cand.JSON()),
		Score:    score,
		Changes:  []report.Change{},
		Source:   source,
		Verdicts: []string{BuiltinProof},
	}
	if err := rv.confirm(ctx, orig, cand, sug); err != nil {
		return nil, err
	}
	sug.Diff = suggest.Diff(orig.JSON(), sug.Policy)
	return sug, nil
}

// confirm asks IAM Access Analyzer, when configured, whether the
// suggestion grants new access, and records its verdict. A FAIL withholds
// the suggestion; an unavailable service is noted.
func (rv *Reviewer) confirm(ctx context.Context, orig, cand *policy.Document, sug *report.Suggestion) error {
	if rv.access == nil {
		return nil
	}
	av, err := rv.access.CheckNoNewAccess(ctx, string(orig.MinifiedJSON()), string(cand.MinifiedJSON()), string(orig.Type))
	switch {
	case err != nil:
		sug.Verdicts = append(sug.Verdicts, "IAM Access Analyzer CheckNoNewAccess unavailable: "+err.Error())
	case !av.Pass:
		return fmt.Errorf("IAM Access Analyzer found new access: %s", av.Message)
	default:
		sug.Verdicts = append(sug.Verdicts, "IAM Access Analyzer CheckNoNewAccess: PASS")
	}
	return nil
}
