package review

import (
	"github.com/policycheck/policycheck/assistant/analysis"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
)

// principals judges each entity of the input with everything attached
// to it: its identity policies as one (analysis.Principal), and its
// trust policy as reviewed on its own. byDoc are the reviews of the
// input's documents.
func (rv *Reviewer) principals(res *policy.Result, byDoc map[*policy.Document]*docReview) []report.Principal {
	out := make([]report.Principal, 0, len(res.Entities))
	for _, e := range res.Entities {
		p := report.Principal{Name: e.Name, Kind: string(e.Kind), Declared: e.Declared, Documents: []string{}}
		for _, d := range e.Documents() {
			p.Documents = append(p.Documents, d.Name)
		}
		for _, u := range e.Unknown {
			p.Unknown = append(p.Unknown, u.Ref)
		}
		var a analysis.Result
		pol := e.Effective()
		if d := byDoc[single(pol)]; d != nil && len(e.Unknown) == 0 {
			// One document of the input: its own review is the
			// principal's.
			a = d.analysis
			a.Findings = withPrincipal(a.Findings, e.Name)
		} else {
			a = analysis.Principal(rv.kb, e)
		}
		p.Score, p.Summary, p.Findings = a.Score, a.Summary, a.Findings
		if t := byDoc[e.Trust]; t != nil {
			p.Findings = append(p.Findings, withPrincipal(t.findings, e.Name)...)
			if t.score < p.Score {
				p.Score, p.Summary = t.score, t.summary
			}
		}
		out = append(out, p)
	}
	return out
}

// single is the only document of ds, or nil.
func single(ds []*policy.Document) *policy.Document {
	if len(ds) != 1 {
		return nil
	}
	return ds[0]
}

func withPrincipal(fs []report.Finding, name string) []report.Finding {
	out := make([]report.Finding, len(fs))
	for i, f := range fs {
		f.Principal = name
		out[i] = f
	}
	return out
}

// attachedTo maps each document of the input to the principals it is
// attached to.
func attachedTo(res *policy.Result) map[*policy.Document][]string {
	out := map[*policy.Document][]string{}
	for _, e := range res.Entities {
		for _, d := range e.Documents() {
			out[d] = append(out[d], e.Name)
		}
	}
	return out
}

// managedUsed reports whether an entity of the input has an AWS managed
// policy attached, read from this binary's copy.
func managedUsed(res *policy.Result) bool {
	for _, e := range res.Entities {
		for _, d := range e.Effective() {
			if d.Managed != "" {
				return true
			}
		}
	}
	return false
}
