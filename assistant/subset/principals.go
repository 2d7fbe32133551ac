package subset

import (
	"strings"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/norm"
	"github.com/policycheck/policycheck/assistant/policy"
)

// principalGap returns the first principal the inner statement lets in
// that the outer one does not, or ok when the outer statement's
// principals include all of the inner's. Identity policies name no
// principal: the one the policy is attached to is meant.
func principalGap(outer, inner *stmt) (who string, ok bool) {
	o, on := outer.Principal, outer.NotPrincipal
	i, in := inner.Principal, inner.NotPrincipal
	switch {
	case o != nil && o.Any:
		return "", true
	case on != nil:
		// Everyone but N_outer includes everyone but N_inner when
		// N_outer lies within N_inner.
		if in == nil {
			return describe(i), false
		}
		for _, e := range on.Entries {
			for _, v := range e.Values.Values {
				if !listed(in, e.Kind, strings.TrimSpace(v.Text)) {
					return "everyone except " + strings.Join(entryValues(in), ", "), false
				}
			}
		}
		return "", true
	case o == nil:
		if i == nil && in == nil {
			return "", true
		}
		return describe(i), false
	case in != nil:
		return "everyone except " + strings.Join(entryValues(in), ", "), false
	case i == nil:
		return "the principal the policy is attached to", false
	case i.Any:
		return "every principal (\"*\")", false
	}
	for _, e := range i.Entries {
		for _, v := range e.Values.Values {
			t := strings.TrimSpace(v.Text)
			if !principalCovered(o, e.Kind, t) {
				return t, false
			}
		}
	}
	return "", true
}

func describe(p *policy.Principal) string {
	switch {
	case p == nil:
		return "the principal the policy is attached to"
	case p.Any:
		return "every principal (\"*\")"
	}
	if vs := entryValues(p); len(vs) > 0 {
		return vs[0]
	}
	return "no principal"
}

func entryValues(p *policy.Principal) []string {
	var out []string
	for _, e := range p.Entries {
		for _, v := range e.Values.Values {
			out = append(out, strings.TrimSpace(v.Text))
		}
	}
	return out
}

// listed reports whether the principal element names exactly this value.
func listed(p *policy.Principal, kind, v string) bool {
	for _, e := range p.Entries {
		if !strings.EqualFold(e.Kind, kind) {
			continue
		}
		for _, w := range e.Values.Values {
			if strings.TrimSpace(w.Text) == v {
				return true
			}
		}
	}
	return false
}

// principalCovered reports whether the Principal element p lets in every
// principal the value v of the given kind names.
func principalCovered(p *policy.Principal, kind, v string) bool {
	for _, e := range p.Entries {
		if !strings.EqualFold(e.Kind, kind) {
			continue
		}
		for _, x := range e.Values.Values {
			if principalValueCovers(kind, strings.TrimSpace(x.Text), v) {
				return true
			}
		}
	}
	return false
}

func principalValueCovers(kind, w, v string) bool {
	if w == v {
		return true
	}
	switch strings.ToLower(kind) {
	case "aws":
		if iamref.IsAllWildcard(w) {
			return true
		}
		// An account (its ID or root ARN) covers the account in its other
		// spelling, not the account's roles and users: naming the account
		// delegates to its IAM policies, while naming a role lets the
		// resource policy grant on its own.
		if acct := rootAccount(w); acct != "" && rootAccount(v) == acct {
			return partitionOf(w) == partitionOf(v)
		}
	case "service":
		return strings.EqualFold(w, v)
	}
	return false
}

// partitionOf is the partition of an ARN principal; "" for a bare
// account ID, which AWS reads in the policy's own partition.
func partitionOf(v string) string {
	if f := strings.SplitN(v, ":", 3); len(f) == 3 && f[0] == "arn" {
		if f[1] == "aws" {
			return ""
		}
		return f[1]
	}
	return ""
}

// rootAccount returns the account an account principal names
// ("123456789012", "arn:aws:iam::123456789012:root"), or "".
func rootAccount(w string) string {
	if norm.IsAccountID(w) {
		return w
	}
	f := strings.Split(w, ":")
	if len(f) == 6 && f[0] == "arn" && f[2] == "iam" && f[5] == "root" && norm.IsAccountID(f[4]) {
		return f[4]
	}
	return ""
}

// accountOf returns the account of an AWS principal: an account ID, or
// an IAM or STS ARN.
func accountOf(v string) string {
	if norm.IsAccountID(v) {
		return v
	}
	f := strings.SplitN(v, ":", 6)
	if len(f) == 6 && f[0] == "arn" && (f[2] == "iam" || f[2] == "sts") && norm.IsAccountID(f[4]) {
		return f[4]
	}
	return ""
}
