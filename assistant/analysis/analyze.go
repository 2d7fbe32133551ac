package analysis

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/norm"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/rules"
)

// Result is the engine's review of one policy document.
type Result struct {
	// Score is also the highest score the findings allow: another
	// reviewer (the model) may lower it but never raise it.
	Score    int
	Summary  string
	Findings []report.Finding
	// Implied are the findings folded into a stronger one (see
	// report.Finding.Implies): not listed, but still known to what
	// works on each of them (the suggestion breaks every escalation
	// path).
	Implied []report.Finding
	// Policy is the document normalized (norm.New) as the analysis read
	// it, for what works on the same document next (the gate's proof) to
	// reuse rather than normalize it again. Never change it.
	Policy *norm.Policy
}

// finding is a report.Finding with what the score needs.
type finding struct {
	report.Finding
	rule   *rules.Rule // its ceiling is the highest score a policy with this problem can get
	phrase string      // a few words for the one-sentence summary
	scored bool        // counts toward the score (false for findings in Denies)
}

// review holds one document under analysis.
type review struct {
	kb    *iamref.KB
	cat   *catalog
	doc   *policy.Document
	stmts []*stmt
	out   []*finding
	// textless leaves out the findings' texts, and the checks whose
	// findings do not lower the score: only the score is wanted (Score).
	textless bool
	// scratch are sets a check works out and drops (wildcardResources).
	scratch [2]iamref.ActionSet
}

// Analyze reviews one document against the knowledge base.
func Analyze(kb *iamref.KB, doc *policy.Document) Result {
	return AnalyzePolicy(kb, norm.New(kb, doc))
}

// AnalyzePolicy is Analyze for a document already normalized with
// norm.New(kb, doc), which it does not change.
func AnalyzePolicy(kb *iamref.KB, p *norm.Policy) Result {
	var res Result
	if read, used := referenceReading(p.Doc); read != nil {
		res = analyzeRead(kb, p, read, used)
	} else {
		res = reviewDoc(kb, p).finish()
	}
	res.Policy = p
	return res
}

// Score is AnalyzePolicy(kb, p).Score, worked out without writing the
// findings' texts: what the gate needs of a candidate it has proven no
// broader.
func Score(kb *iamref.KB, p *norm.Policy) int {
	if read, _ := referenceReading(p.Doc); read != nil {
		return AnalyzePolicy(kb, p).Score
	}
	r := newReview(kb, p)
	r.textless = true
	r.run()
	r.fold()
	return r.score()
}

// finish folds the findings that stronger ones imply and works out the
// result.
func (r *review) finish() Result {
	folded := r.fold()
	res := r.result()
	for _, f := range folded {
		res.Implied = append(res.Implied, f.Finding)
	}
	return res
}

// reviewDoc runs every check on one document.
func reviewDoc(kb *iamref.KB, p *norm.Policy) *review {
	r := newReview(kb, p)
	r.run()
	return r
}

func newReview(kb *iamref.KB, p *norm.Policy) *review {
	doc := p.Doc
	r := &review{kb: kb, cat: catalogFor(kb), doc: doc}
	attached := doc.Type != policy.Trust && doc.Type != policy.Resource && doc.Type != policy.Endpoint
	for _, s := range p.Statements {
		r.stmts = append(r.stmts, newStmt(kb, s, attached))
	}
	return r
}

// run runs every check.
func (r *review) run() {
	doc := r.doc
	r.applyDenies()
	r.validate()
	switch {
	case doc.Type.Control():
		r.scp()
	case doc.Type == policy.Endpoint:
		r.endpoint()
	default:
		r.risks()
		r.escalation()
		if doc.Type == policy.Trust || doc.Type == policy.Resource {
			r.principals()
		}
	}
	r.redundancy()
	if !r.textless {
		r.injection() // its findings do not lower the score
	}
}

var (
	ruleDenyConditional = rules.Register(&rules.Rule{
		ID: "PC401", Name: "deny-conditional", Category: report.ConditionCategory, Severity: report.Info, Ceiling: 10,
		Title:  "Conditional Deny is a limit, not a removal",
		Detail: "This Deny applies only when its conditions ({conditions}) hold, so the review does not subtract it from what the Allow statements grant.",
		Why: "A Deny with conditions removes access only in the requests that meet them; the score is computed from what the Allows grant " +
			"in every other request. The finding says why a Deny you expected to help did not raise the score.",
		Example: `[{"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
 {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}]`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"},
	})
	ruleDenySomePrincipals = rules.Register(&rules.Rule{
		ID: "PC402", Name: "deny-some-principals", Category: report.ConditionCategory, Severity: report.Info, Ceiling: 10,
		Title:  "Deny for some principals is a limit, not a removal",
		Detail: "This Deny applies only to the principals it names (or does not exclude), so the review does not subtract it from what the Allow statements grant to everyone else.",
		Why: "In a resource or trust policy a Deny that names principals leaves the Allows in force for every other principal; " +
			"the score is computed from what those others get.",
		Example: `[{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:*", "Resource": "arn:aws:s3:::my-bucket/*"},
 {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::111122223333:user/intern"}, "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::my-bucket/*"}]`,
		ExampleType: "resource",
	})
	ruleOmitted = rules.Register(&rules.Rule{
		ID: "PC901", Name: "findings-omitted", Category: report.Syntax, Severity: report.Info, Ceiling: 10,
		Title:  "{omitted} more findings not listed",
		Detail: "The policy has {total} findings; the {listed} worst are listed. The score counts them all.",
		Why: "A result lists at most 200 findings, the worst first, so that a hostile policy of thousands of statements " +
			"cannot produce megabytes of report. The score still counts every finding.",
		Example: omittedExample,
	})
)

// omittedExample has 201 condition values that are not numbers.
var omittedExample = `{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*",
 "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": ` + exampleList(`"x"`, 201, 20) + `}}}`

// exampleList is a JSON list of n copies of a value, perLine to a line,
// for the examples of rules that take many values to trigger.
func exampleList(v string, n, perLine int) string {
	var b strings.Builder
	b.WriteString("[")
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		if i%perLine == 0 {
			b.WriteString("\n  ")
		} else {
			b.WriteString(" ")
		}
		b.WriteString(v)
	}
	b.WriteString("]")
	return b.String()
}

// applyDenies computes each Allow's effective actions: what it designates
// minus every unconditional Deny that covers all of its resources.
// Conditional Denies are reported as limits.
func (r *review) applyDenies() {
	for _, a := range r.stmts {
		if a.Allow {
			a.eff = a.Actions
		}
	}
	for _, d := range r.stmts {
		if !d.Deny || d.Actions.IsEmpty() {
			continue
		}
		if !d.unconditional() {
			r.add(d, ruleDenyConditional, rules.Args{"conditions": strings.Join(condKeys(d.Src.Conditions), ", ")})
			continue
		}
		if !everyone(d.Src) {
			r.add(d, ruleDenySomePrincipals, nil)
			continue
		}
		for _, a := range r.stmts {
			if a.Allow && a.eff.Intersects(d.Actions) && denyCovers(d, a) {
				eff := a.eff.Clone()
				eff.AndNot(d.Actions)
				a.eff = eff
			}
		}
	}
}

// everyone reports whether a statement applies to every principal: it
// names none (an identity policy), or names "*" and excludes none.
func everyone(s *policy.Statement) bool {
	if s.NotPrincipal != nil {
		return false
	}
	p := s.Principal
	if p == nil || p.Any {
		return true
	}
	for _, e := range p.Entries {
		if strings.EqualFold(e.Kind, "AWS") {
			for _, v := range e.Values.Values {
				if iamref.IsAllWildcard(strings.TrimSpace(v.Text)) {
					return true
				}
			}
		}
	}
	return false
}

// denyCovers reports whether an unconditional Deny applies to every
// resource the Allow names.
func denyCovers(d, a *stmt) bool {
	if d.notResource() || d.noResource() {
		return d.noResource() && a.noResource()
	}
	if d.AnyResource {
		return true
	}
	if a.notResource() || a.noResource() {
		return false
	}
	for _, p := range a.ResourceList {
		covered := false
		for _, q := range d.ResourceList {
			if iamref.PatternCovers(q, p) {
				covered = true
				break
			}
		}
		if !covered {
			return false
		}
	}
	return true
}

func condKeys(cs []policy.Condition) []string {
	var keys []string
	for _, c := range cs {
		keys = append(keys, c.Operator+" "+c.Key)
	}
	return keys
}

// add records a finding of a rule for a statement (nil: the whole
// document), its texts rendered from the rule's templates with args.
func (r *review) add(st *stmt, rule *rules.Rule, args rules.Args, actions ...string) {
	f := &finding{rule: rule}
	if r.textless {
		f.Rule, f.Category, f.Severity = rule.ID, rule.Category, rule.Severity
	} else {
		f.Finding, f.phrase = rule.Finding(args), rules.Expand(rule.Phrase, args)
	}
	f.Actions = actions
	f.Document = r.doc.Name
	f.Statement = -1
	f.Line = r.doc.Pos.Line
	f.Source = "engine"
	f.scored = true
	if st != nil {
		f.Statement = st.Src.Index
		f.Sid = st.Src.Sid
		f.Line = st.Src.Pos.Line
		f.scored = !st.Deny
	}
	if f.Actions == nil {
		f.Actions = []string{}
	}
	r.out = append(r.out, f)
}

// names lists the canonical names of a set's actions, at most max of them
// (0: all), sorted.
func (r *review) names(s iamref.ActionSet, max int) []string {
	n := s.Len()
	if max > 0 {
		n = min(n, max)
	}
	if n == 0 {
		return nil
	}
	ids := make([]iamref.ActionID, 0, n)
	s.Each(func(id iamref.ActionID) bool {
		ids = append(ids, id)
		return max == 0 || len(ids) < max
	})
	r.kb.SortByName(ids)
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = r.kb.ActionByID(id).FullName()
	}
	return out
}

// maxFindings is the most findings a result lists, the worst first: a
// hostile policy of a thousand statements would otherwise give tens of
// thousands, and megabytes of report.
const maxFindings = 200

func (r *review) result() Result {
	sort.SliceStable(r.out, func(i, j int) bool {
		a, b := r.out[i], r.out[j]
		if a.Severity.Rank() != b.Severity.Rank() {
			return a.Severity.Rank() < b.Severity.Rank()
		}
		if a.rule.Ceiling != b.rule.Ceiling {
			return a.rule.Ceiling < b.rule.Ceiling
		}
		if a.Statement != b.Statement {
			return a.Statement < b.Statement
		}
		if a.Category != b.Category {
			return a.Category < b.Category
		}
		return a.Title < b.Title
	})
	res := Result{Score: 10}
	if len(r.out) > 0 {
		res.Findings = make([]report.Finding, 0, len(r.out))
	}
	var worst []*finding
	seq := map[report.Category]int{}
	for _, f := range r.out {
		seq[f.Category]++
		f.ID = string(f.Category) + "-" + strconv.Itoa(seq[f.Category])
		res.Findings = append(res.Findings, f.Finding)
		if !f.scored {
			continue
		}
		if c := f.rule.Ceiling; c < res.Score {
			res.Score = c
			worst = worst[:0]
		}
		if c := f.rule.Ceiling; c == res.Score && c < 10 {
			worst = append(worst, f)
		}
	}
	res.Summary = summary(res.Score, worst)
	if n := len(res.Findings); n > maxFindings {
		f := ruleOmitted.Finding(rules.Args{
			"omitted": strconv.Itoa(n - maxFindings + 1), "total": strconv.Itoa(n), "listed": strconv.Itoa(maxFindings - 1),
		})
		f.ID, f.Statement = "syntax-omitted", -1
		res.Findings = append(res.Findings[:maxFindings-1], f)
	}
	if res.Findings == nil {
		res.Findings = []report.Finding{}
	}
	return res
}

// summary is the one sentence that explains the score.
func summary(score int, worst []*finding) string {
	if len(worst) == 0 {
		return fmt.Sprintf("%d/10: every action is named and every resource scoped; nothing to tighten.", score)
	}
	var phrases []string
	seen := map[string]bool{}
	for _, f := range worst {
		p := f.phrase
		if p == "" {
			p = strings.ToLower(f.Title[:1]) + f.Title[1:]
		}
		if !seen[p] {
			seen[p] = true
			phrases = append(phrases, p)
		}
	}
	more := ""
	if len(phrases) > 2 {
		more = fmt.Sprintf(" (and %d more)", len(phrases)-2)
		phrases = phrases[:2]
	}
	return fmt.Sprintf("%d/10: %s%s.", score, strings.Join(phrases, "; "), more)
}
