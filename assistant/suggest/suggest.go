package suggest

import (
	"fmt"
	"maps"
	"slices"

	"github.com/policycheck/policycheck/assistant/analysis"
	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/subset"
)

// Suggestion is the engine's tightened version of a policy.
type Suggestion struct {
	// Doc is the suggested policy, read back from its JSON; nil when
	// nothing can be improved.
	Doc *policy.Document
	// Changes say what changed and why, by statement of the original.
	Changes []report.Change
	// Reason says why Doc is nil.
	Reason string
	// Score is the suggested policy's score (0 when Doc is nil).
	Score int
}

// NothingToTighten is the Reason when the policy has nothing the engine
// knows how to tighten.
const NothingToTighten = "nothing to tighten: every action is named and every resource scoped"

// attempts are the suggestions tried in turn, boldest first; the first
// that is proven no broader and scores no lower is offered.
var attempts = []options{
	{narrow: true, scope: true, passRole: true, escalation: true, principals: true},
	{narrow: true, passRole: true, escalation: true, principals: true},
	{scope: true, passRole: true, principals: true},
	{narrow: true, escalation: true},
	{escalation: true},
	{principals: true},
	{passRole: true},
}

// Size quotas AWS enforces, counted without white space: a suggestion
// must not break one the original kept.
var sizeQuota = map[policy.Type]int{
	policy.Identity: 6144,
	policy.Trust:    2048,
	policy.SCP:      5120,
	policy.Resource: 20480,
}

// quota is the size quota of a type of policy; an identity policy's when
// the type is unknown.
func quota(t policy.Type) int {
	if q, ok := sizeQuota[t]; ok {
		return q
	}
	return sizeQuota[policy.Identity]
}

// Suggest writes a tightened version of doc, given the engine's review of
// it. The suggestion re-reads from its own JSON, is proven by
// subset.Check to grant nothing doc does not, and scores at least as high
// as doc; if the boldest suggestion fails one of these, more
// conservative ones are tried, and finally none, with the reason.
func Suggest(kb *iamref.KB, doc *policy.Document, res analysis.Result) Suggestion {
	if doc.Type.Control() {
		return Suggestion{Reason: "nothing to tighten: a service or resource control policy grants nothing; it only limits what can be granted"}
	}
	if doc.Branched {
		return Suggestion{Reason: "no suggestion: the template's Fn::If conditions were read as true, so a rewrite could not be proven for every deployment"}
	}
	// Rewriting grows a policy (wildcards become lists) and costs in
	// proportion: one already far over AWS's quota gets none.
	if q := quota(doc.Type); doc.Size > 4*q {
		return Suggestion{Reason: fmt.Sprintf("no suggestion: the policy is %d characters, far over AWS's limit of %d for this kind of policy; split it first", doc.Size, q)}
	}
	f := &shared{
		kb:       kb,
		doc:      doc,
		res:      res,
		arn:      factsOf(doc),
		remove:   escalationRemovals(kb, res.Findings),
		services: passRoleServices(kb, doc),
		passRole: kb.Action("iam:PassRole"),
		denied:   deniedBy(kb, doc),
	}
	f.removeIDs = slices.Sorted(maps.Keys(f.remove))
	firstFailure := ""
	for _, opts := range attempts {
		d, changes := build(f, opts)
		if len(changes) == 0 {
			continue
		}
		got, score, why := verify(kb, doc, res, d)
		if got != nil {
			return Suggestion{Doc: got, Changes: changes, Score: score}
		}
		if firstFailure == "" {
			firstFailure = why
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

// verify reads the suggestion back from its JSON and checks that it
// grants nothing more, scores no lower and still fits AWS's size quota.
func verify(kb *iamref.KB, orig *policy.Document, res analysis.Result, d *policy.Document) (*policy.Document, int, string) {
	data := d.JSON()
	if len(data) > policy.MaxInputBytes {
		// The indentation alone can push a large policy over the
		// reader's limit; the minified text is the same policy.
		data = d.MinifiedJSON()
	}
	rr, err := policy.Read(data, policy.Options{Name: orig.Name, Type: orig.Type})
	if err != nil {
		return nil, 0, fmt.Sprintf("the suggestion does not read back (%v)", err)
	}
	if len(rr.Documents) != 1 {
		return nil, 0, fmt.Sprintf("the suggestion reads back as %d documents", len(rr.Documents))
	}
	got := rr.Documents[0]
	got.Name = orig.Name
	if v := subset.Check(kb, orig, got); !v.Proven {
		return nil, 0, v.Reason
	}
	r := analysis.Analyze(kb, got)
	if r.Score < res.Score {
		return nil, 0, fmt.Sprintf("the suggestion would score %d, lower than the original's %d (%s)", r.Score, res.Score, r.Summary)
	}
	if q := quota(orig.Type); got.Size > q && got.Size > orig.Size {
		return nil, 0, fmt.Sprintf("the suggestion would be %d characters, over AWS's limit of %d", got.Size, q)
	}
	return got, r.Score, ""
}
