package compose

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/suggest"
)

// Result is a compiled spec.
type Result struct {
	// Policy is the least-privilege policy, indented JSON.
	Policy []byte
	// Denoted is the policy the spec denotes at its coarsest reading:
	// Policy grants nothing outside it.
	Denoted []byte
	// Assumptions say what the compiler assumed: placeholders to fill,
	// names corrected, how an ARN was read.
	Assumptions []string
	// Problems say what the spec asked that could not be granted: unknown
	// services or actions, ARNs of no known resource type. None of it is
	// in Policy.
	Problems []string
}

// ErrNothing is returned when a spec grants nothing.
var ErrNothing = errors.New("the spec grants nothing: name ARNs under read, write, list, tagging or permissions-management, or actions")

// Statement is one statement of a compiled policy, as JSON writes it.
type statement struct {
	Sid       string                         `json:"Sid,omitempty"`
	Effect    string                         `json:"Effect"`
	Action    []string                       `json:"Action"`
	Resource  []string                       `json:"Resource"`
	Condition map[string]map[string]any      `json:"Condition,omitempty"`
	conds     map[string]map[string][]string // operator, key, values
}

type document struct {
	Version   string      `json:"Version"`
	Statement []statement `json:"Statement"`
}

// levels are the CRUD sections, in the template's order.
var levels = []struct {
	level iamref.Level
	name  string
	arns  func(*Spec) []string
	svc   func(*WildcardOnly) []string
}{
	{iamref.Read, "read", func(s *Spec) []string { return s.Read }, func(w *WildcardOnly) []string { return w.ServiceRead }},
	{iamref.Write, "write", func(s *Spec) []string { return s.Write }, func(w *WildcardOnly) []string { return w.ServiceWrite }},
	{iamref.List, "list", func(s *Spec) []string { return s.List }, func(w *WildcardOnly) []string { return w.ServiceList }},
	{iamref.Tagging, "tagging", func(s *Spec) []string { return s.Tagging }, func(w *WildcardOnly) []string { return w.ServiceTagging }},
	{iamref.PermissionsManagement, "permissions-management", func(s *Spec) []string { return s.PermissionsManagement },
		func(w *WildcardOnly) []string { return w.ServicePermissionsManagement }},
}

// compiler holds the state of one Compile.
type compiler struct {
	kb          *iamref.KB
	spec        *Spec
	assumptions []string
	problems    []string
	said        map[string]bool
	// grants: the compiled statements by key, in order.
	stmts map[string]*statement
	order []string
	// denoted: the coarse statements.
	denoted []statement
	// arns: every ARN of the spec that names a known resource type.
	arns []string
}

func (c *compiler) assume(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	if !c.said[s] {
		c.said[s] = true
		c.assumptions = append(c.assumptions, s)
	}
}

func (c *compiler) problem(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	if !c.said[s] {
		c.said[s] = true
		c.problems = append(c.problems, s)
	}
}

// grant adds actions on resources to the statement named sid.
func (c *compiler) grant(sid string, actions []string, resources ...string) {
	st := c.stmts[sid]
	if st == nil {
		st = &statement{Sid: sid, Effect: "Allow"}
		c.stmts[sid] = st
		c.order = append(c.order, sid)
	}
	for _, a := range actions {
		if !slices.Contains(st.Action, a) {
			st.Action = append(st.Action, a)
		}
	}
	for _, r := range resources {
		if !slices.Contains(st.Resource, r) {
			st.Resource = append(st.Resource, r)
		}
	}
}

// Compile compiles a spec into a least-privilege policy with the
// knowledge base. It fails only when nothing can be granted.
func Compile(kb *iamref.KB, spec *Spec) (*Result, error) {
	c := &compiler{kb: kb, spec: spec, said: map[string]bool{}, stmts: map[string]*statement{}}
	for _, l := range levels {
		for _, arn := range clean(l.arns(spec)) {
			c.arnAt(l.level, l.name, arn)
		}
	}
	for _, l := range levels {
		for _, prefix := range clean(l.svc(&spec.WildcardOnly)) {
			c.serviceWide(l.level, l.name, prefix)
		}
	}
	for _, name := range clean(spec.WildcardOnly.SingleActions) {
		if a := c.action(name, "wildcard-only single-actions"); a != nil {
			c.named(a, "wildcard-only single-actions")
		}
	}
	for _, name := range clean(spec.SkipResourceConstraints) {
		if strings.ContainsAny(name, "*?") {
			c.problem("skip-resource-constraints lists %s: name the actions one by one, without wildcards", name)
			continue
		}
		if a := c.action(name, "skip-resource-constraints"); a != nil {
			c.grant("SkipResourceConstraints", []string{a.FullName()}, "*")
			c.denoted = append(c.denoted, statement{Action: []string{a.FullName()}, Resource: []string{"*"}})
			if a.ResourceLevel() {
				c.assume("%s is granted on every resource (\"*\"), as skip-resource-constraints asks, although it can be limited to %s", a.FullName(), resourceNames(a))
			}
		}
	}
	c.sts()
	for _, name := range clean(spec.Actions) {
		if strings.ContainsAny(name, "*?") {
			c.problem("actions lists %s: name the actions one by one, without wildcards", name)
			continue
		}
		if a := c.action(name, "actions"); a != nil {
			c.named(a, "actions")
		}
	}
	c.exclude()
	c.conditions()
	c.placeholders()

	var doc document
	doc.Version = "2012-10-17"
	for _, sid := range c.order {
		st := c.stmts[sid]
		if len(st.Action) == 0 || len(st.Resource) == 0 {
			continue
		}
		sort.Strings(st.Action)
		sort.Strings(st.Resource)
		doc.Statement = append(doc.Statement, *st)
	}
	if len(doc.Statement) == 0 {
		return &Result{Assumptions: c.assumptions, Problems: c.problems}, ErrNothing
	}
	for i := range doc.Statement {
		doc.Statement[i].Condition = conditionJSON(doc.Statement[i].conds)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // "<placeholders>" stay readable
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encode the policy: %w", err)
	}
	policy := bytes.TrimSpace(buf.Bytes())
	den := document{Version: "2012-10-17", Statement: c.denoted}
	for i := range den.Statement {
		den.Statement[i].Effect = "Allow"
	}
	denoted, err := json.Marshal(den)
	if err != nil {
		return nil, fmt.Errorf("encode the denoted policy: %w", err)
	}
	return &Result{Policy: policy, Denoted: denoted, Assumptions: c.assumptions, Problems: c.problems}, nil
}

// clean drops blank entries and surrounding spaces.
func clean(vs []string) []string {
	var out []string
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// arnAt grants the actions of a level that act on the resource type of arn.
func (c *compiler) arnAt(level iamref.Level, section, arn string) {
	svc := c.serviceOfARN(arn, section)
	if svc == nil {
		return
	}
	var types []*iamref.ResourceType
	for _, rt := range svc.ResourceTypes {
		if len(rt.ARNFormats) > 0 && c.kb.MatchResource(arn, rt) {
			types = append(types, rt)
		}
	}
	if len(types) == 0 {
		c.problem("%s (under %s) matches no resource type of %s; it was left out", arn, section, svc.Prefix)
		return
	}
	c.arns = append(c.arns, arn)
	var all []string
	for _, a := range svc.Actions {
		if a.Level != level {
			continue
		}
		all = append(all, a.FullName())
		for _, rt := range types {
			if actsOn(a, rt) {
				c.grant(sid(svc.Prefix, section, rt.Name), []string{a.FullName()}, arn)
			}
		}
	}
	if len(all) > 0 {
		c.denoted = append(c.denoted, statement{Action: all, Resource: []string{arn}})
	} else {
		c.problem("%s has no %s actions; %s was left out of %s", svc.Prefix, section, arn, section)
	}
	if len(types) > 1 {
		var names []string
		for _, rt := range types {
			names = append(names, rt.Name)
		}
		c.assume("%s was read as a %s of %s", arn, strings.Join(names, " or "), svc.Prefix)
	}
}

// serviceOfARN is the service an ARN names, or nil with the problem said.
func (c *compiler) serviceOfARN(arn, section string) *iamref.Service {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || !strings.EqualFold(parts[0], "arn") {
		if arn == "*" {
			c.problem("%s lists \"*\": name the resources' ARNs, or use wildcard-only for actions that take none", section)
		} else {
			c.problem("%s (under %s) is not an ARN; it was left out", arn, section)
		}
		return nil
	}
	svc := c.kb.Service(strings.ToLower(parts[2]))
	if svc == nil {
		c.problem("%s (under %s): %q is not an AWS service; it was left out", arn, section, parts[2])
	}
	return svc
}

// actsOn reports whether action a takes resources of type rt.
func actsOn(a *iamref.Action, rt *iamref.ResourceType) bool {
	for _, r := range a.Resources {
		if r.Type == rt {
			return true
		}
	}
	return false
}

// serviceWide grants a service's actions of a level that take no resource.
func (c *compiler) serviceWide(level iamref.Level, section, prefix string) {
	svc := c.kb.Service(strings.ToLower(prefix))
	if svc == nil {
		c.problem("wildcard-only service-%s lists %q, which is not an AWS service; it was left out", section, prefix)
		return
	}
	var only, all []string
	for _, a := range svc.Actions {
		if a.Level != level {
			continue
		}
		all = append(all, a.FullName())
		if !a.ResourceLevel() {
			only = append(only, a.FullName())
		}
	}
	if len(only) == 0 {
		c.problem("%s has no %s actions that take no resource; wildcard-only service-%s %s grants nothing", svc.Prefix, section, section, svc.Prefix)
		return
	}
	c.grant("WildcardOnly", only, "*")
	c.denoted = append(c.denoted, statement{Action: all, Resource: []string{"*"}})
}

// action resolves an action name, correcting a near miss; nil (with the
// problem said) when it is not an action.
func (c *compiler) action(name, section string) *iamref.Action {
	if a := c.kb.Action(name); a != nil {
		return a
	}
	if fixed, ok := c.kb.Closest(name); ok {
		c.assume("%s (under %s) is not an action; %s was used", name, section, fixed)
		return c.kb.Action(fixed)
	}
	c.problem("%s (under %s) is not an AWS action; it was left out", name, section)
	return nil
}

// named grants an action named one by one: on the spec's ARNs that fit
// its resource types, else on placeholders, or on "*" when it takes no
// resource.
func (c *compiler) named(a *iamref.Action, section string) {
	c.denoted = append(c.denoted, statement{Action: []string{a.FullName()}, Resource: []string{"*"}})
	if !a.ResourceLevel() {
		c.grant("WildcardOnly", []string{a.FullName()}, "*")
		return
	}
	var fit, left []string
	for _, arn := range c.arns {
		for _, r := range a.Resources {
			if c.kb.MatchResource(arn, r.Type) {
				fit = append(fit, arn)
				if !c.granted(a.FullName(), arn) {
					left = append(left, arn)
				}
				break
			}
		}
	}
	if len(fit) > 0 {
		if len(left) > 0 {
			c.grant(sid(a.Service.Prefix, "named", ""), []string{a.FullName()}, left...)
		}
		return
	}
	// No ARN of the spec fits: a placeholder of its (first required)
	// resource type.
	ref := a.Resources[0]
	for _, r := range a.Resources {
		if r.Required {
			ref = r
			break
		}
	}
	if len(ref.Type.ARNFormats) == 0 {
		c.grant("WildcardOnly", []string{a.FullName()}, "*")
		return
	}
	arn := suggest.PlaceholderARN(ref.Type.ARNFormats[0])
	c.grant(sid(a.Service.Prefix, "named", ref.Type.Name), []string{a.FullName()}, arn)
	c.assume("%s (under %s) acts on a %s and the spec names none: %s is a placeholder to fill", a.FullName(), section, ref.Type.Name, arn)
}

// granted reports whether a statement grants action on resource already.
func (c *compiler) granted(action, resource string) bool {
	for _, st := range c.stmts {
		if slices.Contains(st.Action, action) && slices.Contains(st.Resource, resource) {
			return true
		}
	}
	return false
}

// sts grants the assume-role actions of the sts section.
func (c *compiler) sts() {
	for _, s := range []struct {
		action string
		arns   []string
	}{
		{"sts:AssumeRole", c.spec.STS.AssumeRole},
		{"sts:AssumeRoleWithSAML", c.spec.STS.AssumeRoleWithSAML},
		{"sts:AssumeRoleWithWebIdentity", c.spec.STS.AssumeRoleWithWebIdentity},
	} {
		var roles []string
		for _, arn := range clean(s.arns) {
			parts := strings.SplitN(arn, ":", 6)
			if len(parts) < 6 || parts[0] != "arn" || parts[2] != "iam" || !strings.HasPrefix(parts[5], "role/") {
				c.problem("%s (under sts) is not a role ARN; it was left out", arn)
				continue
			}
			roles = append(roles, arn)
		}
		if len(roles) > 0 {
			c.grant(strings.TrimPrefix(s.action, "sts:"), []string{s.action}, roles...)
			c.denoted = append(c.denoted, statement{Action: []string{s.action}, Resource: roles})
		}
	}
}

// exclude removes the actions exclude-actions names.
func (c *compiler) exclude() {
	for _, p := range clean(c.spec.ExcludeActions) {
		set := c.kb.Expand(p)
		if set.IsEmpty() {
			c.problem("exclude-actions lists %s, which matches no action", p)
			continue
		}
		for _, st := range c.stmts {
			st.Action = slices.DeleteFunc(st.Action, func(name string) bool {
				a := c.kb.Action(name)
				return a != nil && set.Has(a.ID)
			})
		}
	}
}

// conditions adds the spec's conditions to the statements whose every
// action the key applies to.
func (c *compiler) conditions() {
	for _, cond := range c.spec.Conditions {
		op, key := strings.TrimSpace(cond.Operator), strings.TrimSpace(cond.Key)
		values := clean(cond.Values)
		switch {
		case !validOperator(op):
			c.problem("condition operator %q is not an IAM condition operator; the condition was left out", op)
			continue
		case key == "" || len(values) == 0:
			c.problem("a condition without a key or values was left out")
			continue
		}
		ck := c.kb.ConditionKey(key)
		if ck == nil {
			c.problem("condition key %s is not an AWS condition key; the condition was left out", key)
			continue
		}
		added := false
		for _, sid := range c.order {
			st := c.stmts[sid]
			if cond.Service != "" && !allOfService(st.Action, cond.Service) {
				continue
			}
			applies := len(st.Action) > 0
			for _, name := range st.Action {
				if a := c.kb.Action(name); a == nil || !c.kb.ConditionKeyApplies(key, a) {
					applies = false
					break
				}
			}
			if !applies {
				continue
			}
			if st.conds == nil {
				st.conds = map[string]map[string][]string{}
			}
			if st.conds[op] == nil {
				st.conds[op] = map[string][]string{}
			}
			st.conds[op][key] = append(st.conds[op][key], values...)
			added = true
		}
		if !added {
			c.problem("condition %s %s applies to no statement's every action; it was left out", op, key)
		}
	}
}

func allOfService(actions []string, prefix string) bool {
	for _, a := range actions {
		if !strings.EqualFold(strings.SplitN(a, ":", 2)[0], prefix) {
			return false
		}
	}
	return len(actions) > 0
}

// validOperator reports whether op is an IAM condition operator, with
// its IfExists and set qualifiers.
func validOperator(op string) bool {
	op = strings.TrimSuffix(op, "IfExists")
	for _, q := range []string{"ForAllValues:", "ForAnyValue:"} {
		op = strings.TrimPrefix(op, q)
	}
	switch op {
	case "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike",
		"NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals",
		"DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals",
		"Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null":
		return true
	}
	return false
}

func conditionJSON(conds map[string]map[string][]string) map[string]map[string]any {
	if len(conds) == 0 {
		return nil
	}
	out := map[string]map[string]any{}
	for op, keys := range conds {
		out[op] = map[string]any{}
		for k, vs := range keys {
			vs = slices.Compact(slices.Sorted(slices.Values(vs)))
			if len(vs) == 1 {
				out[op][k] = vs[0]
			} else {
				out[op][k] = vs
			}
		}
	}
	return out
}

// placeholders says which placeholders the policy holds.
func (c *compiler) placeholders() {
	seen := map[string]bool{}
	var names []string
	for _, sid := range c.order {
		for _, r := range c.stmts[sid].Resource {
			for rest := r; ; {
				i := strings.IndexByte(rest, '<')
				j := strings.IndexByte(rest[max(i, 0):], '>')
				if i < 0 || j < 0 {
					break
				}
				p := rest[i : i+j+1]
				if !seen[p] {
					seen[p] = true
					names = append(names, p)
				}
				rest = rest[i+j+1:]
			}
		}
	}
	if len(names) > 0 {
		c.assume("Fill in the placeholders %s with your own values: the description or the spec did not give them", strings.Join(names, ", "))
	}
}

// resourceNames lists an action's resource types.
func resourceNames(a *iamref.Action) string {
	var names []string
	for _, r := range a.Resources {
		names = append(names, r.Type.Name)
	}
	return strings.Join(names, ", ")
}

// sid names a statement as policy_sentry does, in CamelCase: service,
// access level, resource type ("S3ReadObject").
func sid(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		up := true
		for _, r := range p {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				up = true
				continue
			}
			if up {
				r = unicode.ToUpper(r)
				up = false
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}
