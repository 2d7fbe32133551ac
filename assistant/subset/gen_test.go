package subset

import (
	"fmt"
	"math/rand"
	"slices"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/norm"
	"github.com/policycheck/policycheck/assistant/policy"
)

// A generator of random identity policies from pools of actions,
// resources and conditions, with edits that narrow or widen them.

var (
	poolActions = []string{
		"s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject", "s3:Get*", "s3:*", "s3:getobject",
		"sqs:SendMessage", "sqs:ReceiveMessage", "sqs:*",
		"dynamodb:GetItem", "dynamodb:Query", "dynamodb:Get*",
		"iam:PassRole", "iam:GetRole", "ec2:DescribeInstances", "ec2:Describe*",
		"lambda:InvokeFunction", "kms:Decrypt", "logs:PutLogEvents",
	}
	poolResources = []string{
		"*", "arn:aws:s3:::*", "arn:aws:s3:::bucket-a", "arn:aws:s3:::bucket-a/*", "arn:aws:s3:::bucket-a/logs/*",
		"arn:aws:s3:::bucket-b/*", "arn:aws:s3:::bucket-a/${aws:username}/*",
		"arn:aws:sqs:us-east-1:123456789012:queue-a", "arn:aws:sqs:*:123456789012:*",
		"arn:aws:dynamodb:us-east-1:123456789012:table/t1", "arn:aws:iam::123456789012:role/app-*",
	}
	poolConditions = []policy.Condition{
		{Operator: "StringEquals", Key: "aws:SourceVpc", Values: policy.NewList("vpc-1", "vpc-2")},
		{Operator: "Bool", Key: "aws:SecureTransport", Values: policy.NewList("true")},
		{Operator: "IpAddress", Key: "aws:SourceIp", Values: policy.NewList("10.0.0.0/8")},
		{Operator: "StringLike", Key: "s3:prefix", Values: policy.NewList("home/*")},
	}
	poolDenies = []struct{ action, resource string }{
		{"iam:*", "*"}, {"s3:DeleteObject", "arn:aws:s3:::bucket-a/*"}, {"kms:*", "*"},
	}
	narrowerResource = map[string][]string{
		"arn:aws:s3:::*":                       {"arn:aws:s3:::bucket-a/*", "arn:aws:s3:::bucket-a", "arn:aws:s3:::bucket-b/*"},
		"arn:aws:s3:::bucket-a/*":              {"arn:aws:s3:::bucket-a/logs/*", "arn:aws:s3:::bucket-a/${aws:username}/*", "arn:aws:s3:::bucket-a/logs/2024/*.gz"},
		"arn:aws:s3:::bucket-a/logs/*":         {"arn:aws:s3:::bucket-a/logs/a?c"},
		"arn:aws:sqs:*:123456789012:*":         {"arn:aws:sqs:us-east-1:123456789012:queue-a", "arn:aws:sqs:eu-west-1:123456789012:q*"},
		"arn:aws:iam::123456789012:role/app-*": {"arn:aws:iam::123456789012:role/app-web"},
	}
	narrowerAction = map[string][]string{
		"s3:*":          {"s3:Get*", "s3:GetObject", "s3:PutObject", "s3:*Object"},
		"s3:Get*":       {"s3:GetObject", "s3:GetObject*"},
		"sqs:*":         {"sqs:SendMessage", "sqs:Receive*"},
		"dynamodb:Get*": {"dynamodb:GetItem"},
		"ec2:Describe*": {"ec2:DescribeInstances", "ec2:DescribeInstance?"},
	}
	narrowerCondition = map[string][]string{
		"aws:SourceVpc": {"vpc-1"},
		"aws:SourceIp":  {"10.1.0.0/16"},
		"s3:prefix":     {"home/alice/*"},
	}
)

type gen struct{ r *rand.Rand }

func newGen(seed int64) *gen { return &gen{rand.New(rand.NewSource(seed))} }

func (g *gen) pick(s []string) string { return s[g.r.Intn(len(s))] }

func (g *gen) some(s []string, max int) []string {
	n := 1 + g.r.Intn(max)
	var out []string
	for len(out) < n {
		if v := g.pick(s); !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func (g *gen) policy() *policy.Document { return g.policyN(1 + g.r.Intn(5)) }

// policyN is a policy of n Allows and up to two Denies.
func (g *gen) policyN(n int) *policy.Document {
	d := &policy.Document{Version: "2012-10-17", Type: policy.Identity}
	for ; n > 0; n-- {
		s := policy.Statement{Effect: "Allow", Action: policy.NewList(g.some(poolActions, 4)...), Resource: policy.NewList(g.some(poolResources, 3)...)}
		if g.r.Intn(3) == 0 {
			s.Conditions = []policy.Condition{cloneCond(poolConditions[g.r.Intn(len(poolConditions))])}
		}
		d.Statements = append(d.Statements, s)
	}
	for _, i := range g.r.Perm(len(poolDenies))[:g.r.Intn(3)] {
		dn := poolDenies[i]
		d.Statements = append(d.Statements, policy.Statement{Effect: "Deny", Action: policy.NewList(dn.action), Resource: policy.NewList(dn.resource)})
	}
	reindex(d)
	return d
}

func cloneCond(c policy.Condition) policy.Condition {
	c.Values = policy.NewList(c.Values.Strings()...)
	return c
}

func clone(d *policy.Document) *policy.Document {
	c := *d
	c.Statements = make([]policy.Statement, len(d.Statements))
	for i, s := range d.Statements {
		s.Action = policy.NewList(s.Action.Strings()...)
		s.Resource = policy.NewList(s.Resource.Strings()...)
		conds := make([]policy.Condition, len(s.Conditions))
		for j, cd := range s.Conditions {
			conds[j] = cloneCond(cd)
		}
		s.Conditions = conds
		c.Statements[i] = s
	}
	return &c
}

func reindex(d *policy.Document) {
	for i := range d.Statements {
		d.Statements[i].Index = i
	}
}

func (g *gen) allows(d *policy.Document) []int {
	var out []int
	for i, s := range d.Statements {
		if s.Effect == "Allow" {
			out = append(out, i)
		}
	}
	return out
}

func without(l policy.List, i int) policy.List {
	v := l.Strings()
	return policy.NewList(append(v[:i:i], v[i+1:]...)...)
}

type edit func(g *gen, b *policy.Document) (string, bool)

// narrowings each give a policy that grants no more.
var narrowings = []edit{
	func(g *gen, b *policy.Document) (string, bool) {
		idx := g.pick1(g.allows(b))
		s := &b.Statements[idx]
		if len(s.Action.Values) < 2 {
			return "", false
		}
		k := g.r.Intn(len(s.Action.Values))
		what := fmt.Sprintf("remove action %s of statement %d", s.Action.Values[k].Text, idx)
		s.Action = without(s.Action, k)
		return what, true
	},
	func(g *gen, b *policy.Document) (string, bool) {
		idx := g.pick1(g.allows(b))
		b.Statements = append(b.Statements[:idx:idx], b.Statements[idx+1:]...)
		return fmt.Sprintf("remove statement %d", idx), true
	},
	func(g *gen, b *policy.Document) (string, bool) {
		idx := g.pick1(g.allows(b))
		s := &b.Statements[idx]
		k := g.r.Intn(len(s.Resource.Values))
		old := s.Resource.Values[k].Text
		choices := narrowerResource[old]
		if old == "*" {
			choices = poolResources[1:]
		}
		if len(choices) == 0 {
			return "", false
		}
		v := s.Resource.Strings()
		v[k] = g.pick(choices)
		s.Resource = policy.NewList(v...)
		return fmt.Sprintf("narrow resource %s to %s in statement %d", old, v[k], idx), true
	},
	func(g *gen, b *policy.Document) (string, bool) {
		idx := g.pick1(g.allows(b))
		s := &b.Statements[idx]
		if len(s.Resource.Values) < 2 {
			return "", false
		}
		k := g.r.Intn(len(s.Resource.Values))
		s.Resource = without(s.Resource, k)
		return fmt.Sprintf("remove resource %d of statement %d", k, idx), true
	},
	func(g *gen, b *policy.Document) (string, bool) {
		idx := g.pick1(g.allows(b))
		s := &b.Statements[idx]
		c := cloneCond(poolConditions[g.r.Intn(len(poolConditions))])
		s.Conditions = append(slices.Clone(s.Conditions), c)
		return fmt.Sprintf("add condition %s to statement %d", c.Key, idx), true
	},
	func(g *gen, b *policy.Document) (string, bool) {
		idx := g.pick1(g.allows(b))
		s := &b.Statements[idx]
		if len(s.Conditions) == 0 {
			return "", false
		}
		c := &s.Conditions[0]
		vals, ok := narrowerCondition[c.Key]
		if !ok {
			return "", false
		}
		c.Values = policy.NewList(vals...)
		return fmt.Sprintf("narrow condition %s of statement %d", c.Key, idx), true
	},
	func(g *gen, b *policy.Document) (string, bool) {
		dn := poolDenies[g.r.Intn(len(poolDenies))]
		b.Statements = append(b.Statements, policy.Statement{Effect: "Deny", Action: policy.NewList(dn.action), Resource: policy.NewList(dn.resource)})
		return "add Deny of " + dn.action, true
	},
	func(g *gen, b *policy.Document) (string, bool) {
		idx := g.pick1(g.allows(b))
		s := &b.Statements[idx]
		k := g.r.Intn(len(s.Action.Values))
		old := s.Action.Values[k].Text
		choices := narrowerAction[old]
		if len(choices) == 0 {
			return "", false
		}
		v := s.Action.Strings()
		v[k] = g.pick(choices)
		s.Action = policy.NewList(v...)
		return fmt.Sprintf("narrow action %s to %s in statement %d", old, v[k], idx), true
	},
	func(g *gen, b *policy.Document) (string, bool) {
		idx := g.pick1(g.allows(b))
		s := b.Statements[idx]
		if len(s.Action.Values) < 2 {
			return "", false
		}
		acts := s.Action.Strings()
		k := 1 + g.r.Intn(len(acts)-1)
		first, second := s, s
		first.Action = policy.NewList(acts[:k]...)
		second.Action = policy.NewList(acts[k:]...)
		second.Conditions = slices.Clone(s.Conditions)
		b.Statements[idx] = first
		b.Statements = append(b.Statements, second)
		return fmt.Sprintf("split statement %d", idx), true
	},
	func(g *gen, b *policy.Document) (string, bool) {
		g.r.Shuffle(len(b.Statements), func(i, j int) { b.Statements[i], b.Statements[j] = b.Statements[j], b.Statements[i] })
		return "reorder statements", true
	},
}

// widenings each give a policy that grants something more.
var widenings = []edit{
	func(g *gen, b *policy.Document) (string, bool) {
		b.Statements = append(b.Statements, policy.Statement{Effect: "Allow", Action: policy.NewList("ec2:TerminateInstances"), Resource: policy.NewList("*")})
		return "add ec2:TerminateInstances", true
	},
	func(g *gen, b *policy.Document) (string, bool) {
		var denies []int
		for i, s := range b.Statements {
			if s.Effect == "Deny" {
				denies = append(denies, i)
			}
		}
		if len(denies) == 0 {
			return "", false
		}
		idx := g.pick1(denies)
		what := "remove Deny of " + b.Statements[idx].Action.Values[0].Text
		b.Statements = append(b.Statements[:idx:idx], b.Statements[idx+1:]...)
		return what, true
	},
	func(g *gen, b *policy.Document) (string, bool) {
		if anyResource(b, "*") {
			return "", false
		}
		idx := g.pick1(g.allows(b))
		s := &b.Statements[idx]
		if !grantsSomething(iamref.Default(), b, s) {
			return "", false
		}
		s.NotResource, s.Resource = s.Resource, policy.List{}
		return fmt.Sprintf("Resource to NotResource in statement %d", idx), true
	},
	func(g *gen, b *policy.Document) (string, bool) {
		if anyResource(b, "*", "arn:aws:s3:::*", "arn:aws:s3:::bucket-a/*") {
			return "", false
		}
		for _, idx := range g.allows(b) {
			s := &b.Statements[idx]
			k := slices.Index(s.Resource.Strings(), "arn:aws:s3:::bucket-a/logs/*")
			if k < 0 || !hasObjectAction(s) {
				continue
			}
			v := s.Resource.Strings()
			v[k] = "arn:aws:s3:::bucket-a/*"
			s.Resource = policy.NewList(v...)
			return fmt.Sprintf("widen bucket-a/logs/* in statement %d", idx), true
		}
		return "", false
	},
	func(g *gen, b *policy.Document) (string, bool) {
		kb := iamref.Default()
		for _, idx := range g.allows(b) {
			s := &b.Statements[idx]
			if len(s.Conditions) == 0 {
				continue
			}
			// Only this statement may grant its actions, on a resource
			// that applies to one of them.
			mine := expand(kb, s.Action)
			alone := true
			for _, j := range g.allows(b) {
				if j != idx && expand(kb, b.Statements[j].Action).Intersects(mine) {
					alone = false
				}
			}
			if !alone || !grantsSomething(kb, b, s) {
				continue
			}
			s.Conditions = nil
			return fmt.Sprintf("drop conditions of statement %d", idx), true
		}
		return "", false
	},
	func(g *gen, b *policy.Document) (string, bool) {
		for _, idx := range g.allows(b) {
			if slices.Contains(b.Statements[idx].Action.Strings(), "s3:*") {
				return "", false
			}
		}
		b.Statements = append(b.Statements, policy.Statement{Effect: "Allow", Action: policy.NewList("s3:DeleteBucket"), Resource: policy.NewList("arn:aws:s3:::bucket-a")})
		return "add s3:DeleteBucket", true
	},
}

func (g *gen) pick1(s []int) int { return s[g.r.Intn(len(s))] }

func anyResource(d *policy.Document, rs ...string) bool {
	for _, s := range d.Statements {
		if s.Effect != "Allow" {
			continue
		}
		for _, r := range s.Resource.Strings() {
			if slices.Contains(rs, r) {
				return true
			}
		}
	}
	return false
}

func hasObjectAction(s *policy.Statement) bool {
	for _, a := range s.Action.Strings() {
		switch a {
		case "s3:GetObject", "s3:PutObject", "s3:Get*", "s3:*", "s3:getobject":
			return true
		}
	}
	return false
}

func expand(kb *iamref.KB, l policy.List) iamref.ActionSet {
	var s iamref.ActionSet
	for _, v := range l.Values {
		s.Or(kb.Expand(v.Text))
	}
	return s
}

// grantsSomething reports whether one of the statement's actions that
// no Deny of d takes away everywhere applies to one of its resources.
func grantsSomething(kb *iamref.KB, d *policy.Document, s *policy.Statement) bool {
	st := newStmt(norm.NewStatement(kb, s, true))
	acts := st.actions.set()
	for i := range d.Statements {
		if dn := newStmt(norm.NewStatement(kb, &d.Statements[i], true)); dn.unconditionalEverywhere() {
			acts.AndNot(dn.actions.set())
		}
	}
	found := false
	acts.Each(func(id iamref.ActionID) bool {
		for u := 0; u < st.units(); u++ {
			if relevant(kb, kb.ActionByID(id), st, u) {
				found = true
				return false
			}
		}
		return true
	})
	return found
}

// derive applies edit op (narrowings first, then widenings) to a copy
// of a.
func (g *gen) derive(a *policy.Document, op int) (b *policy.Document, what string, narrowing, ok bool) {
	b = clone(a)
	if op < len(narrowings) {
		what, ok = narrowings[op](g, b)
		narrowing = true
	} else {
		what, ok = widenings[op-len(narrowings)](g, b)
	}
	reindex(b)
	return b, what, narrowing, ok
}
