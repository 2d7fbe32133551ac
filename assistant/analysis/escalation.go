package analysis

import (
	"fmt"
	"slices"
	"strings"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/rules"
)

var (
	ruleEscalation = rules.Register(&rules.Rule{
		ID: "PC201", Name: "privilege-escalation", Category: report.PrivilegeEscalation, Severity: report.Critical, Ceiling: 2,
		Title:  "Privilege escalation: {actions}",
		Detail: "Together these actions let the holder {effect}.{statements? They come from statements {statements}.}",
		Fix:    "{advice}",
		Phrase: "privilege escalation ({actions})",
		Why: "A known escalation path turns the policy into administrator access in a few API calls: whatever else it " +
			"is scoped to, the holder can reach everything the account allows.",
		Example: `{"Effect": "Allow", "Action": ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"}`,
		References: []string{
			"https://pathfinding.cloud",
			"https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/",
		},
	})
	ruleEscalationLimited = rules.Register(&rules.Rule{
		ID: "PC202", Name: "privilege-escalation-limited", Category: report.PrivilegeEscalation, Severity: report.Medium, Ceiling: 6,
		Title: "Privilege escalation: {actions}",
		Detail: "Together these actions let the holder {effect}.{statements? They come from statements {statements}.} " +
			"The path is limited: {limited} reach only named resources or are narrowed by conditions, so the holder can escalate only to what those resources allow.",
		Fix:    "{advice}",
		Phrase: "a limited privilege-escalation path ({actions})",
		Why: "The escalation path exists but reaches only named resources: the holder gains what those roles or " +
			"resources allow, which may still be more than the policy grants directly.",
		Example: `{"Effect": "Allow", "Action": ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": [
  "arn:aws:iam::111122223333:role/app-function", "arn:aws:lambda:us-east-1:111122223333:function:app-*"]}`,
		References: []string{"https://pathfinding.cloud"},
	})
)

// escalation reports every known privilege-escalation method whose actions
// the policy allows, across statements, judging how far each action reaches.
func (r *review) escalation() {
	if !r.allowsAny(r.cat.escalationAny) {
		return
	}
	// Most methods are not there: what one would report waits on the
	// stack until it is.
	var usedBuf [8]int
	var limitedBuf [8]string
	for _, m := range r.cat.escalation {
		worst := reachBroad
		used, limitedBy := usedBuf[:0], limitedBuf[:0]
		for _, a := range m.actions {
			best, at := r.policyReach(m, a)
			if best == reachNone {
				worst = reachNone
				break
			}
			if best < worst {
				worst = best
			}
			if best == reachLimited {
				limitedBy = append(limitedBy, a.FullName())
			}
			used = appendUnique(used, at)
		}
		if worst == reachNone {
			continue
		}
		// Assuming named roles is what sts:AssumeRole is for; a pattern
		// (role/*Admin*, arn:aws:iam::*:role/OrganizationAccountAccessRole)
		// is not.
		if worst == reachLimited && len(m.actions) == 1 && m.Category == "principal-access" && m.actions[0].Service.Prefix == "sts" && r.namedOnly(m.actions[0]) {
			continue
		}
		r.addEscalation(m, worst, used, limitedBy)
	}
}

// allowsAny reports whether some Allow grants an action of s.
func (r *review) allowsAny(s iamref.ActionSet) bool {
	for _, st := range r.stmts {
		if st.Allow && st.eff.Intersects(s) {
			return true
		}
	}
	return false
}

// namedOnly reports whether every Allow of a lists its resources by name,
// without wildcards.
func (r *review) namedOnly(a *iamref.Action) bool {
	for _, st := range r.stmts {
		if !st.Allow || !st.eff.Has(a.ID) {
			continue
		}
		if st.notResource() || wildcardNames(st.ResourceList) {
			return false
		}
	}
	return true
}

func (r *review) addEscalation(m *escalationMethod, worst reach, used []int, limitedBy []string) {
	slices.Sort(used)
	names := make([]string, len(m.actions))
	for i, a := range m.actions {
		names[i] = a.FullName()
	}
	args := rules.Args{"actions": strings.Join(names, " + "), "effect": methodEffect(m), "advice": escalationAdvice(m)}
	if len(used) > 1 {
		args["statements"] = joinInts(used)
	}
	rule := ruleEscalation
	if worst == reachLimited {
		rule = ruleEscalationLimited
		args["limited"] = strings.Join(limitedBy, ", ")
	}
	r.add(r.stmtByIndex(used[0]), rule, args, names...)
}

func escalationAdvice(m *escalationMethod) string {
	switch m.Category {
	case "new-passrole":
		return "Scope iam:PassRole to the roles this workload must pass, with an iam:PassedToService condition, or remove the actions that create the resource."
	case "existing-passrole":
		return "Scope these actions to the named resources this workload owns, or remove them."
	case "self-escalation":
		return "Remove these IAM actions, or scope them to other named principals and require a permissions boundary (iam:PermissionsBoundary condition)."
	case "principal-access":
		return "Scope these actions to the named users or roles that need them, or remove them."
	case "new-principal":
		return "Remove the ability to create users or roles, or require a permissions boundary on them (an iam:PermissionsBoundary condition on iam:CreateUser / iam:CreateRole)."
	}
	return "Remove one of these actions or scope it to named resources."
}

// escalationTargets names, for actions that accept several resource types
// none of which is required, the types a method takes over: a session
// document reached with "*" gives nothing, an instance does.
var escalationTargets = map[string][]string{
	"ssm:startsession": {"instance", "managed-instance", "task"},
	"ssm:sendcommand":  {"instance", "managed-instance"},
}

// policyReach is how far all the Allows together let an escalation method
// use an action, and the statement that reaches furthest. Each resource
// type the action requires may come from a different statement; the
// action reaches as far as its least reached required type.
func (r *review) policyReach(m *escalationMethod, a *iamref.Action) (reach, int) {
	if targets, ok := r.cat.targets[a.ID]; ok {
		// Only some resource types are what the method takes over.
		best, at := reachNone, -1
		for _, ref := range a.Resources {
			if !slices.Contains(targets, ref.Type.Name) {
				continue
			}
			if rr, i := r.bestStatement(m, a, ref.Type); rr > best {
				best, at = rr, i
			}
		}
		return best, at
	}
	var required []*iamref.ResourceType
	for _, ref := range a.Resources {
		if ref.Required {
			required = append(required, ref.Type)
		}
	}
	if len(required) == 0 {
		return r.bestStatement(m, a, nil)
	}
	worst, at := reachBroad, -1
	for _, rt := range required {
		rr, i := r.bestStatement(m, a, rt)
		if rr < worst {
			worst = rr
		}
		if at < 0 || rr == reachBroad {
			at = i
		}
		if worst == reachNone {
			return reachNone, -1
		}
	}
	return worst, at
}

// bestStatement finds the Allow that reaches furthest for the action (for
// one required resource type, or for the action as a whole when rt is nil).
func (r *review) bestStatement(m *escalationMethod, a *iamref.Action, rt *iamref.ResourceType) (reach, int) {
	best, at := reachNone, -1
	for _, st := range r.stmts {
		if !st.Allow || !st.eff.Has(a.ID) {
			continue
		}
		rr, done := st.trivialReach(a)
		if !done {
			if rt != nil {
				rr = st.typeReach(rt)
			} else {
				rr = st.resourceReach(a)
			}
			if rr != reachNone && m.Category == "principal-access" && r.cat.ownCreds[a.ID] && onlySelf(st, a) {
				// Managing one's own access keys or password gives
				// nothing the caller does not already have.
				rr = reachNone
			}
			if rr != reachNone && m.Category == "self-escalation" && selfScoped(st.ResourceList) {
				// An escalation of the caller itself is a full one.
				rr = reachBroad
			}
			if rr == reachLimited && m.Category == "new-principal" && wildcardNames(st.ResourceList) {
				// The holder creates the principal, under any name the
				// pattern allows: user/svc-* limits nothing.
				rr = reachBroad
			}
		}
		if rr == reachBroad && st.cond.narrowing && !passesToMethod(m, a, st) {
			rr = reachLimited
		}
		if rr > best {
			best, at = rr, st.Src.Index
			if best == reachBroad {
				break
			}
		}
	}
	return best, at
}

// passesToMethod reports an iam:PassRole whose only narrowing condition,
// iam:PassedToService, names the service the method hands the role to
// (ec2.amazonaws.com for ec2:RunInstances): it limits nothing on that path.
func passesToMethod(m *escalationMethod, a *iamref.Action, st *stmt) bool {
	if !strings.EqualFold(a.FullName(), "iam:PassRole") || len(st.cond.passedToService) == 0 {
		return false
	}
	for _, k := range st.cond.narrowBy {
		if !strings.EqualFold(k, "iam:PassedToService") {
			return false
		}
	}
	for _, other := range m.actions {
		prefix := strings.ToLower(other.Service.Prefix)
		if prefix == "iam" {
			continue
		}
		for _, v := range st.cond.passedToService {
			if v := strings.ToLower(v); hasWildcard(v) || strings.Contains(v, prefix) {
				return true
			}
		}
	}
	return false
}

func allAWSManaged(patterns []string) bool {
	for _, p := range patterns {
		if f, ok := arnFields(p); !ok || f[4] != "aws" {
			return false
		}
	}
	return len(patterns) > 0
}

// wildcardNames reports a resource pattern that leaves the name open
// (user/svc-*): whoever creates the resource picks a name that matches.
func wildcardNames(patterns []string) bool {
	for _, p := range patterns {
		if hasWildcard(p) {
			return true
		}
	}
	return false
}

// selfScoped reports a resource written for the caller itself
// (user/${aws:username}): an escalation to itself is a full one.
func selfScoped(patterns []string) bool {
	for _, p := range patterns {
		if strings.Contains(strings.ToLower(p), "${aws:username}") || strings.Contains(strings.ToLower(p), "${aws:userid}") {
			return true
		}
	}
	return false
}

// ownCredentials are the actions that give the holder a way to sign in
// as a user (keys, passwords, service credentials): on the caller itself
// they are how a user manages its own credentials, and give nothing new.
var ownCredentials = map[string]bool{
	"iam:createaccesskey": true, "iam:deleteaccesskey": true, "iam:updateaccesskey": true,
	"iam:createloginprofile": true, "iam:updateloginprofile": true,
	"iam:createservicespecificcredential": true, "iam:resetservicespecificcredential": true,
	"iam:uploadsshpublickey": true,
}

// onlySelf reports whether every resource of the statement that the
// action applies to is the caller itself (user/${aws:username}).
func onlySelf(st *stmt, a *iamref.Action) bool {
	if st.AnyResource || st.notResource() || st.noResource() {
		return false
	}
	n := 0
	for _, p := range st.ResourceList {
		matches := false
		for _, ref := range a.Resources {
			matches = matches || st.kb.MatchResource(p, ref.Type)
		}
		if !matches {
			continue
		}
		// The account may be a wildcard: IAM users are reached only in
		// the caller's own account.
		f := strings.SplitN(p, ":", 6)
		if len(f) != 6 || !selfScoped([]string{f[5]}) || hasWildcard(specificVars(f[5])) {
			return false
		}
		n++
	}
	return n > 0
}

func (r *review) stmtByIndex(i int) *stmt {
	for _, st := range r.stmts {
		if st.Src.Index == i {
			return st
		}
	}
	return nil
}

func appendUnique(s []int, v int) []int {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

func joinInts(s []int) string {
	parts := make([]string, len(s))
	for i, v := range s {
		parts[i] = fmt.Sprint(v)
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}
