package suggest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/policycheck/policycheck/assistant/analysis"
	"github.com/policycheck/policycheck/assistant/gate"
	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
)

// Suggestion is the engine's tightened version of a policy.
type Suggestion struct {
	// Suggestion is what the gate accepted, as it is shown; nil when
	// nothing can be improved.
	*report.Suggestion
	// Doc is the suggested policy as it reads back; nil with Suggestion.
	Doc *policy.Document
	// Reason says why there is none.
	Reason string
}

// NothingToTighten is the Reason when the policy has nothing the engine
// knows how to tighten.
const NothingToTighten = "nothing to tighten: every action is named and every resource scoped"

// attempts are the suggestions tried in turn, boldest first; the first
// that the gate accepts is offered.
var attempts = []options{
	{narrow: true, scope: true, passRole: true, escalation: true, principals: true},
	{narrow: true, passRole: true, escalation: true, principals: true},
	{scope: true, passRole: true, principals: true},
	{narrow: true, escalation: true},
	{escalation: true},
	{principals: true},
	{passRole: true},
}

// statementBufs hold the statements of attempts as build writes them.
var statementBufs = sync.Pool{New: func() any { return new([]policy.Statement) }}

// newShared is what the attempts at a suggestion for doc share.
func newShared(kb *iamref.KB, doc *policy.Document, res analysis.Result) *shared {
	f := &shared{
		kb:       kb,
		doc:      doc,
		res:      res,
		arn:      factsOf(doc),
		remove:   escalationRemovals(kb, append(slices.Clip(res.Findings), res.Implied...)),
		passRole: kb.Action("iam:PassRole"),
		denied:   deniedBy(kb, doc),
		scopes:   scopesOf(kb),
	}
	f.removeIDs = slices.Sorted(maps.Keys(f.remove))
	f.buf = statementBufs.Get().(*[]policy.Statement)
	f.scratch = *f.buf
	return f
}

// release gives the statement buffer back, cleared as far as it was
// written: it keeps no statement alive.
func (f *shared) release() {
	clear(f.scratch[:f.written])
	*f.buf = f.scratch[:0]
	statementBufs.Put(f.buf)
	f.buf, f.scratch = nil, nil
}

// Suggest writes a tightened version of doc, given the engine's review of
// it, and offers it only if the gate accepts it (it reads back, is proven
// to grant nothing doc does not, fits AWS's quota and scores at least as
// high); if the boldest suggestion is refused, more conservative ones are
// tried, and finally none, with the reason.
func Suggest(ctx context.Context, g *gate.Gate, kb *iamref.KB, doc *policy.Document, res analysis.Result) Suggestion {
	if doc.Type.Control() {
		return Suggestion{Reason: "nothing to tighten: a service or resource control policy grants nothing; it only limits what can be granted"}
	}
	if doc.Type == policy.Endpoint {
		return Suggestion{Reason: "no suggestion: an endpoint policy grants nothing, it limits what passes through the endpoint; " +
			"narrowing its actions would break the callers, so name your organization or accounts in its conditions instead"}
	}
	if doc.Branched {
		return Suggestion{Reason: "no suggestion: the template's Fn::If conditions were read as true, so a rewrite could not be proven for every deployment"}
	}
	// Rewriting grows a policy (wildcards become lists) and costs in
	// proportion: one already far over AWS's quota gets none.
	if q := policy.SizeQuota(doc.Type); doc.Size > 4*q.Limit {
		return Suggestion{Reason: fmt.Sprintf("no suggestion: the policy is %d characters, far over AWS's limit of %d for this kind of policy; split it first", doc.Size, q.Limit)}
	}
	f := newShared(kb, doc, res)
	defer f.release()
	firstFailure := ""
	for _, opts := range attempts {
		d, changes := build(f, opts)
		if len(changes) == 0 {
			continue
		}
		sug, got, err := g.Accept(ctx, gate.Original{Doc: doc, Score: res.Score, Norm: res.Policy},
			gate.Candidate{Source: gate.Engine, Doc: d, Changes: changes})
		if err == nil {
			return Suggestion{Suggestion: sug, Doc: got}
		}
		var r *gate.Refusal
		if !errors.As(err, &r) {
			return Suggestion{Reason: "no suggestion: " + err.Error()}
		}
		if firstFailure == "" {
			firstFailure = r.Reason
		}
	}
	if firstFailure == "" {
		if res.Score < 10 {
			return Suggestion{Reason: "nothing the engine can tighten without knowing the application: " + res.Summary}
		}
		return Suggestion{Reason: NothingToTighten}
	}
	return Suggestion{Reason: "no safe suggestion: " + firstFailure}
}
