package analysis

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/lang"
	"github.com/policycheck/policycheck/assistant/norm"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/rules"
)

// References: a template's "${var.who}" is not a value. A document whose
// principals, resources or conditions hold references the input does not
// resolve (policy.Unresolved) is judged as if each could be any value,
// "*" included, or its declared default; what that reading adds to the
// findings is noted on them, and when it decides the score a finding
// says so.

var ruleReferenceDecides = rules.Register(&rules.Rule{
	ID: "PC701", Name: "unresolved-reference", Category: report.ConditionCategory, Severity: report.Low, Ceiling: 9,
	Title: "The score rests on {refs}, which this input does not set",
	Detail: "{what}: read as possibly any value (\"*\" included) or as its declared default, the policy scores {broad}/10; " +
		"if each is the one specific value it is meant to be, {specific}/10.",
	Fix: "Check the values given at deployment, or review the policy as deployed (terraform show -json, the " +
		"processed template); a variable's default is read as its value.",
	Phrase: "unresolved references",
	Why: "A principal, resource or condition that comes from a parameter, a variable, a data source or another " +
		"module's output is chosen by whoever deploys the template: \"*\", another account or a list of every role " +
		"are all possible values, so the review cannot call it a specific principal or resource.",
	Example: `variable "who" { type = string }
resource "aws_s3_bucket_policy" "shared" {
  bucket = "shared-reports"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = var.who }, Action = "s3:PutObject", Resource = "arn:aws:s3:::shared-reports/*" }]
  })
}`,
	References: []string{"https://developer.hashicorp.com/terraform/language/values/variables",
		"https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html"},
})

// referenceReading returns doc as the engine judges it when its Allow
// statements' principals, actions, resources or conditions hold unresolved
// references, and the names of those references; nil when they hold
// none.
func referenceReading(doc *policy.Document) (*policy.Document, *refUse) {
	if len(doc.Refs) == 0 {
		return nil, nil
	}
	used := &refUse{byStmt: map[int][]string{}}
	cur := 0 // the statement being read
	use := func(name string) {
		if !slices.Contains(used.all, name) {
			used.all = append(used.all, name)
		}
		if !slices.Contains(used.byStmt[cur], name) {
			used.byStmt[cur] = append(used.byStmt[cur], name)
		}
	}
	unresolved := func(name string) (policy.Reference, bool) {
		ref, ok := doc.Refs[name]
		return ref, ok && !ref.Specific()
	}
	// read reads the values of a list, each reference as its default or
	// "*"; a value that is one reference with a list for default becomes
	// the list. In ARNs (arns), a value that starts with a reference may
	// be anything: "${var.bucket_arn}/*".
	read := func(l policy.List, arns bool) (policy.List, bool) {
		changed := false
		var out []policy.Value
		for _, v := range l.Values {
			t := strings.TrimSpace(v.Text)
			if name, whole := wholeRef(t); whole {
				if ref, ok := unresolved(name); ok {
					use(name)
					changed = true
					if ref.Default == nil {
						out = append(out, policy.Value{Text: "*", Pos: v.Pos})
					}
					for _, d := range ref.Default {
						out = append(out, policy.Value{Text: d, Pos: v.Pos})
					}
					continue
				}
			}
			if name, ok := leadingRef(t); ok && arns {
				if _, ok := unresolved(name); ok {
					// "${var.bucket_arn}/*": the reference is the start of
					// the ARN, which may be anything.
					use(name)
					changed = true
					out = append(out, policy.Value{Text: "*", Pos: v.Pos})
					continue
				}
			}
			text := policy.ReplaceRefs(v.Text, func(name string) string {
				ref, ok := unresolved(name)
				if !ok {
					return "${" + name + "}"
				}
				use(name)
				changed = true
				if len(ref.Default) == 1 {
					return ref.Default[0]
				}
				return "*"
			})
			out = append(out, policy.Value{Text: text, Pos: v.Pos})
		}
		if !changed {
			return l, false
		}
		l.Values = out
		l.Single = l.Single && len(out) == 1
		return l, true
	}
	stmts := make([]policy.Statement, len(doc.Statements))
	copy(stmts, doc.Statements)
	for i := range stmts {
		s := &stmts[i]
		cur = s.Index
		if !strings.EqualFold(strings.TrimSpace(s.Effect), "Allow") {
			continue // a Deny read broadly would only take more away
		}
		if p := s.Principal; p != nil {
			np := *p
			np.Entries = nil
			changed := false
			for _, e := range p.Entries {
				if strings.EqualFold(e.Kind, "AWS") {
					// Only a whole value can be "*": AWS refuses wildcards
					// inside a principal's ARN, so a reference there names
					// one principal, unknown.
					e.Values = readWhole(e.Values, unresolved, use, &changed)
				}
				np.Entries = append(np.Entries, e)
			}
			if changed {
				s.Principal = &np
			}
		}
		if l, ok := read(s.Resource, true); ok {
			s.Resource = l
		}
		// An action list that is a variable ("actions = var.actions"), or
		// a service chosen at deployment ("${var.svc}:GetObject"), may
		// be anything too. (A NotAction read so would only grant less.)
		if l, ok := read(s.Action, false); ok {
			s.Action = l
		}
		var conds []policy.Condition
		changed := false
		for _, c := range s.Conditions {
			// An exact operator (StringEquals, Bool) compares with the
			// one value given, whatever it is: only those that match
			// patterns or ranges can admit anything.
			base, _, _ := baseOperator(c.Operator)
			lb := strings.ToLower(base)
			switch {
			case strings.HasSuffix(lb, "like") || strings.HasPrefix(lb, "arn"):
				if l, ok := read(c.Values, true); ok {
					c.Values, changed = l, true
				}
			case lb == "ipaddress":
				if l, ok := read(c.Values, true); ok {
					for i := range l.Values {
						if strings.Contains(l.Values[i].Text, "*") {
							l.Values[i].Text = "0.0.0.0/0"
						}
					}
					c.Values, changed = l, true
				}
			}
			conds = append(conds, c)
		}
		if changed {
			s.Conditions = conds
		}
	}
	if len(used.all) == 0 {
		return nil, nil
	}
	d := *doc
	d.Statements = stmts
	return &d, used
}

// refUse lists the unresolved references a reading replaced, in order:
// all of them, and those of each statement (by index).
type refUse struct {
	all    []string
	byStmt map[int][]string
}

// readWhole reads the values of a principal entry that are one reference
// each as their default, or "*".
func readWhole(l policy.List, unresolved func(string) (policy.Reference, bool), use func(string), changed *bool) policy.List {
	var out []policy.Value
	hit := false
	for _, v := range l.Values {
		name, whole := wholeRef(strings.TrimSpace(v.Text))
		ref, ok := unresolved(name)
		if !whole || !ok {
			out = append(out, v)
			continue
		}
		use(name)
		hit = true
		if ref.Default == nil {
			out = append(out, policy.Value{Text: "*", Pos: v.Pos})
		}
		for _, d := range ref.Default {
			out = append(out, policy.Value{Text: d, Pos: v.Pos})
		}
	}
	if !hit {
		return l
	}
	*changed = true
	l.Values = out
	l.Single = l.Single && len(out) == 1
	return l
}

// leadingRef reports a value that starts with a reference, and its name.
func leadingRef(t string) (string, bool) {
	if !strings.HasPrefix(t, "${") {
		return "", false
	}
	names := policy.RefNames(t)
	if len(names) == 0 || !strings.HasPrefix(t, "${"+names[0]+"}") {
		return "", false
	}
	return names[0], true
}

// wholeRef reports a value that is one reference, "${name}", and its name.
func wholeRef(t string) (string, bool) {
	if !strings.HasPrefix(t, "${") || !strings.HasSuffix(t, "}") {
		return "", false
	}
	names := policy.RefNames(t)
	if len(names) != 1 || "${"+names[0]+"}" != t {
		return "", false
	}
	return names[0], true
}

// analyzeRead reviews a document whose references the input does not
// resolve: the findings are those of the broad reading; those it alone
// gives carry a note naming the references, and when it lowers the score
// a low finding says by how much.
func analyzeRead(kb *iamref.KB, p *norm.Policy, read *policy.Document, used *refUse) Result {
	doc := p.Doc
	specific := reviewDoc(kb, p)
	r := reviewDoc(kb, norm.New(kb, read))
	r.doc = doc
	had := map[string]bool{}
	for _, f := range specific.out {
		had[findingKey(f)] = true
	}
	var worst *finding
	kept := r.out[:0]
	for _, f := range r.out {
		if had[findingKey(f)] {
			kept = append(kept, f)
			continue
		}
		if strings.HasPrefix(f.rule.ID, "PC0") {
			// What "*" in place of a reference breaks in the syntax is
			// not the policy's.
			continue
		}
		kept = append(kept, f)
		names := used.byStmt[f.Statement]
		if names == nil {
			names = used.all
		}
		refs, what := describeRefs(doc, names)
		f.Note = lang.English.Sprintf("Judged with %s as possibly any value (\"*\" included), or a declared default: %s.", refs, what)
		if f.scored && (worst == nil || f.rule.Ceiling < worst.rule.Ceiling) {
			worst = f
		}
	}
	r.out = kept
	broadScore, specificScore := r.score(), specific.score()
	if worst != nil && broadScore < specificScore {
		var st *stmt
		for _, s := range r.stmts {
			if s.Src.Index == worst.Statement {
				st = s
			}
		}
		// Every reference behind a finding at the score decides it.
		var names []string
		for _, f := range kept {
			if f.Note == "" || !f.scored || f.rule.Ceiling != broadScore {
				continue
			}
			for _, n := range used.byStmt[f.Statement] {
				if !slices.Contains(names, n) {
					names = append(names, n)
				}
			}
		}
		if names == nil {
			names = used.all
		}
		refs, what := describeRefs(doc, names)
		r.add(st, ruleReferenceDecides, rules.Args{
			"refs": refs, "what": capitalize(what),
			"broad": strconv.Itoa(broadScore), "specific": strconv.Itoa(specificScore),
		})
		// It explains the score; it does not lower it further.
		r.out[len(r.out)-1].scored = false
	}
	return r.finish()
}

// describeRefs names references, and says what each is.
func describeRefs(doc *policy.Document, names []string) (refs, what string) {
	r := make([]string, len(names))
	w := make([]string, len(names))
	for i, name := range names {
		ref := doc.Refs[name]
		r[i] = "${" + name + "}"
		if ref.Default != nil {
			w[i] = lang.English.Sprintf("%s is %s, read as its default", r[i], ref.What)
		} else {
			w[i] = lang.English.Sprintf("%s is %s", r[i], ref.What)
		}
	}
	return strings.Join(r, ", "), strings.Join(w, "; ")
}

func findingKey(f *finding) string { return f.rule.ID + "/" + strconv.Itoa(f.Statement) }

// score is the lowest ceiling of the scored findings.
func (r *review) score() int {
	s := 10
	for _, f := range r.out {
		if f.scored && f.rule.Ceiling < s {
			s = f.rule.Ceiling
		}
	}
	return s
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// thisAccountRef matches the references that stand for the account
// deployed in.
var thisAccountRef = regexp.MustCompile(`^(AWS::AccountId|data\.aws_caller_identity\.[A-Za-z0-9_-]+\.account_id)$`)

// rootAccount returns the account a principal value names as a whole: a
// 12-digit id, the root ARN of an account however its partition and
// account are written ("arn:${AWS::Partition}:iam::${AWS::AccountId}:root",
// "arn:aws:iam::${var.account_id}:root"), or a reference to the account
// deployed in. The account is returned as written.
func rootAccount(t string) (string, bool) {
	t = strings.TrimSpace(t)
	if norm.IsAccountID(t) {
		return t, true
	}
	if name, ok := wholeRef(t); ok && thisAccountRef.MatchString(name) {
		return t, true
	}
	var refs []string
	masked := policy.ReplaceRefs(t, func(name string) string {
		refs = append(refs, "${"+name+"}")
		return "\x00" + strconv.Itoa(len(refs)-1) + "\x00"
	})
	f := strings.Split(masked, ":")
	if len(f) != 6 || f[0] != "arn" || f[2] != "iam" || f[3] != "" || f[5] != "root" {
		return "", false
	}
	if norm.IsAccountID(f[4]) {
		return f[4], true
	}
	if k, err := strconv.Atoi(strings.Trim(f[4], "\x00")); err == nil && f[4] == "\x00"+strconv.Itoa(k)+"\x00" {
		return refs[k], true
	}
	return "", false
}
