package analysis

import (
	"net/netip"
	"strings"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/policy"
)

// conditions summarises a statement's Condition block.
type conditions struct {
	present   bool
	narrowing bool     // some condition really narrows who or what
	narrowBy  []string // the keys that narrow, as written
	weakBy    []string // keys present that do not narrow access

	passedToService []string // values of iam:PassedToService
	oidcSubject     bool     // a *:sub condition on an OIDC provider
	oidcAudience    bool
}

// Keys that never narrow who can act or on what: transport, time, client
// strings anyone can set, and keys whose usual values admit every resource
// (the AWSCURRENT version of a secret, a recursive read of parameters).
var weakKeys = map[string]bool{
	"aws:securetransport":             true,
	"aws:currenttime":                 true,
	"aws:epochtime":                   true,
	"aws:useragent":                   true,
	"aws:referer":                     true,
	"aws:tokenissuetime":              true,
	"aws:requestedregion":             true,
	"ec2:region":                      true,
	"secretsmanager:versionstage":     true, // AWSCURRENT is the version every read gets
	"ssm:recursive":                   true,
	"aws:tagkeys":                     true,
	"s3:x-amz-acl":                    true,
	"s3:x-amz-server-side-encryption": true,
	"s3:x-amz-server-side-encryption-aws-kms-key-id": true,
	"s3:signatureversion":                            true,
	"s3:authtype":                                    true,
	"s3:tlsversion":                                  true,
	"s3:signatureage":                                true,
}

// callerKeys describe the caller itself: its account, organization, name,
// tags, and how it signed in. In a policy attached to the caller they tell
// which holders get the access, or when, never what it reaches: a holder
// that matches gets all of it. (In a resource or trust policy they are how
// the callers are chosen, and narrow.)
var callerKeys = map[string]bool{
	"aws:principalaccount":             true,
	"aws:principalorgid":               true,
	"aws:principalorgpaths":            true,
	"aws:principalarn":                 true,
	"aws:principaltype":                true,
	"aws:principalisawsservice":        true,
	"aws:userid":                       true,
	"aws:username":                     true,
	"aws:multifactorauthpresent":       true,
	"aws:multifactorauthage":           true,
	"aws:federatedprovider":            true,
	"aws:sourceidentity":               true,
	"aws:principalservicename":         true,
	"aws:ec2instancesourcevpc":         true,
	"aws:ec2instancesourceprivateipv4": true,
	"ec2:sourceinstancearn":            true,
}

// accountKeys test which account or organization the caller or the
// resource belongs to. A policy attached to its callers reaches only their
// own account's resources unless another account's resource policy lets
// them in: in it these keys shut out other accounts and narrow nothing
// within the caller's own.
var accountKeys = map[string]bool{
	"aws:principalaccount":  true,
	"aws:principalorgid":    true,
	"aws:principalorgpaths": true,
	"aws:resourceaccount":   true,
	"aws:resourceorgid":     true,
	"aws:resourceorgpaths":  true,
	"s3:resourceaccount":    true,
	"kms:calleraccount":     true,
}

// identifierKeys take identifiers (accounts, organizations, VPCs): a
// pattern such as "vpc-*" or "????????????" admits any of them.
var identifierKeys = map[string]bool{
	"aws:principalaccount": true, "aws:principalorgid": true, "aws:resourceaccount": true, "aws:resourceorgid": true,
	"aws:sourceaccount": true, "aws:sourceorgid": true, "aws:sourceowner": true, "aws:sourcevpc": true, "aws:sourcevpce": true,
	"kms:calleraccount": true, "s3:resourceaccount": true,
}

// isCallerKey reports whether key describes the caller (see callerKeys).
func isCallerKey(key string) bool {
	return callerKeys[key] || strings.HasPrefix(key, "aws:principaltag/")
}

// tiedToResource reports whether condition values name a key of the
// request that is neither the caller's nor an account's, as in
// "aws:PrincipalTag/team": "${aws:ResourceTag/team}": the caller must then
// match the resource, which narrows what it reaches.
func tiedToResource(vals []string) bool {
	tied := false
	for _, v := range vals {
		replaceVars(v, func(name string) string {
			k := strings.ToLower(name)
			tied = tied || strings.Contains(k, ":") && !isCallerKey(k) && !accountKeys[k]
			return ""
		})
	}
	return tied
}

// baseOperator strips the set prefix and IfExists suffix:
// "ForAnyValue:StringLikeIfExists" gives ("StringLike", "ForAnyValue", true).
func baseOperator(op string) (base, set string, ifExists bool) {
	base = op
	if i := strings.IndexByte(base, ':'); i >= 0 {
		set, base = base[:i], base[i+1:]
	}
	if strings.HasSuffix(base, "IfExists") {
		base, ifExists = strings.TrimSuffix(base, "IfExists"), true
	}
	return base, set, ifExists
}

// summarize reads a statement's conditions; attached is true for a policy
// attached to its callers (see newStmt).
func summarize(kb *iamref.KB, cs []policy.Condition, attached bool) conditions {
	var out conditions
	for _, c := range cs {
		out.present = true
		key := strings.ToLower(c.Key)
		vals := c.Values.Strings()
		if key == "iam:passedtoservice" && positive(c.Operator) && allValues(vals, literal) {
			out.passedToService = append(out.passedToService, vals...)
		}
		if strings.HasSuffix(key, ":sub") && !strings.HasPrefix(key, "aws:") && positive(c.Operator) && allValues(vals, func(v string) bool { return pinsSubject(key, v) }) {
			out.oidcSubject = true
		}
		if strings.HasSuffix(key, ":aud") && !strings.HasPrefix(key, "aws:") && positive(c.Operator) && allValues(vals, literal) {
			out.oidcAudience = true
		}
		if narrows(c, key, vals) && !(attached && (accountKeys[key] || isCallerKey(key) && !tiedToResource(vals))) {
			out.narrowing = true
			out.narrowBy = append(out.narrowBy, c.Key)
		} else {
			out.weakBy = append(out.weakBy, c.Key)
		}
	}
	return out
}

// narrows decides whether one condition really limits access.
func narrows(c policy.Condition, key string, vals []string) bool {
	base, set, ifExists := baseOperator(c.Operator)
	if ifExists || strings.EqualFold(set, "ForAllValues") {
		// Both pass when the key is absent from the request.
		return false
	}
	lb := strings.ToLower(base)
	switch {
	case lb == "null":
		return false
	case strings.Contains(lb, "not"):
		// "everything except": does not narrow an Allow.
		return false
	case lb == "bool":
		switch key {
		case "aws:multifactorauthpresent", "aws:viaawsservice", "aws:principalisawsservice":
			return len(vals) > 0 && allEqualFold(vals, "true")
		}
		return false
	}
	if weakKeys[key] {
		return false
	}
	switch {
	case identifierKeys[key]:
		return allValues(vals, literal)
	case key == "aws:sourceip" || key == "aws:vpcsourceip":
		return allValues(vals, narrowCIDR)
	case key == "iam:policyarn":
		// "arn:aws:iam::aws:policy/*" admits AdministratorAccess; a
		// prefix of the account's own policies is a real limit.
		return allValues(vals, func(v string) bool {
			f := strings.SplitN(v, ":", 6)
			return literal(v) || len(f) == 6 && len(f[4]) == 12 && literal(f[4])
		})
	}
	return allValues(vals, func(v string) bool {
		if strings.HasPrefix(strings.ToLower(v), "arn:") {
			return narrowARN(v)
		}
		return strings.Trim(v, "*?") != ""
	})
}

// narrowARN reports an ARN pattern that names less than every resource of
// its type: "arn:aws:secretsmanager:*:123456789012:secret:*" or
// "arn:aws:s3:*:*:accesspoint/*" admit them all.
func narrowARN(v string) bool {
	f := strings.SplitN(v, ":", 6)
	if len(f) < 6 {
		return literal(v)
	}
	res := f[5]
	prefix := literalPrefix(res)
	if prefix == res {
		return true
	}
	return strings.ContainsAny(strings.TrimRight(prefix, ":/"), ":/")
}

// narrowCIDR reports an address range smaller than a /8 (IPv4) or a /16
// (IPv6): 0.0.0.0/0, or its two halves, admit every caller.
func narrowCIDR(v string) bool {
	p, err := netip.ParsePrefix(v)
	if err != nil {
		a, err := netip.ParseAddr(v)
		return err == nil && a.IsValid()
	}
	if p.Addr().Is4() {
		return p.Bits() >= 8
	}
	return p.Bits() >= 16
}

// positive reports whether an operator admits only requests whose value
// matches one it lists: not negated, not IfExists, not ForAllValues
// (which also matches an absent key), not Null.
func positive(op string) bool {
	base, set, ifExists := baseOperator(op)
	lb := strings.ToLower(base)
	return !ifExists && !strings.EqualFold(set, "ForAllValues") && lb != "null" && !strings.Contains(lb, "not")
}

// allValues reports whether there are values and ok holds for each.
func allValues(vals []string, ok func(string) bool) bool {
	if len(vals) == 0 {
		return false
	}
	for _, v := range vals {
		if !ok(strings.TrimSpace(v)) {
			return false
		}
	}
	return true
}

// literal reports a non-empty value without wildcards.
func literal(v string) bool { return v != "" && !hasWildcard(v) }

// literalPrefix is the part of a pattern before its first wildcard.
func literalPrefix(v string) string {
	if i := strings.IndexAny(v, "*?"); i >= 0 {
		return v[:i]
	}
	return v
}

// pinsSubject reports whether an OIDC sub value names one tenant of the
// provider: for GitHub an owner ("repo:acme/..."; "repo:*" or
// "repo:acme*" admit anyone who creates such an owner), for EKS a
// namespace ("system:serviceaccount:prod:..."), elsewhere a value whose
// wildcard comes after two separators.
func pinsSubject(key, v string) bool {
	v = strings.ToLower(v)
	if literal(v) {
		return true
	}
	prefix := literalPrefix(v)
	switch {
	case strings.HasPrefix(key, "token.actions.githubusercontent.com"):
		if rest, ok := strings.CutPrefix(prefix, "repo:"); ok {
			owner, _, found := strings.Cut(rest, "/")
			return found && owner != ""
		}
		return strings.Count(prefix, ":") >= 2
	case strings.Contains(key, "oidc.eks."):
		parts := strings.Split(prefix, ":")
		return len(parts) >= 4 && parts[0] == "system" && parts[1] == "serviceaccount" && parts[2] != ""
	}
	return strings.Count(prefix, ":")+strings.Count(prefix, "/")+strings.Count(prefix, "|") >= 2
}

// callerPins lists the conditions that pin who the callers can be to an
// account, an organization or a network, which is what makes a statement
// naming every principal private. Conditions that any caller can meet
// (MFA, a tag, a principal type, a wildcard account) are not among them.
func callerPins(cs []policy.Condition) []string {
	var out []string
	for _, c := range cs {
		key := strings.ToLower(c.Key)
		ok := func(string) bool { return false }
		switch key {
		case "aws:principalorgid", "aws:sourceorgid", "aws:sourcevpce", "aws:sourcevpc", "aws:principalaccount", "aws:sourceaccount",
			"aws:sourceowner", "kms:calleraccount":
			ok = literal
		case "aws:principalorgpaths", "aws:sourceorgpaths":
			ok = func(v string) bool {
				first, _, found := strings.Cut(literalPrefix(v), "/")
				return found && strings.HasPrefix(first, "o-")
			}
		case "aws:principalarn", "aws:sourcearn":
			ok = pinnedARN
		case "aws:sourceip", "aws:vpcsourceip":
			ok = narrowCIDR
		}
		if positive(c.Operator) && allValues(c.Values.Strings(), ok) {
			out = append(out, c.Key)
		}
	}
	return out
}

// principalPins lists the conditions that pin the callers to one account
// or to named principals: the account (aws:PrincipalAccount,
// aws:SourceAccount, kms:CallerAccount), a principal's ARN in one account
// (aws:PrincipalArn), a principal's unique id (aws:userid: "AROA...:*"
// is one role's sessions), or, for a service, the resource it acts for
// (aws:SourceArn). A statement naming every principal with such a
// condition names them as surely as its Principal would.
func principalPins(cs []policy.Condition) []string {
	var out []string
	for _, c := range cs {
		ok := func(string) bool { return false }
		switch strings.ToLower(c.Key) {
		case "aws:principalaccount", "aws:sourceaccount", "kms:calleraccount", "aws:sourceowner":
			ok = literal
		case "aws:principalarn", "aws:sourcearn":
			ok = pinnedARN
		case "aws:userid":
			ok = pinnedUserID
		}
		if positive(c.Operator) && allValues(c.Values.Strings(), ok) {
			out = append(out, c.Key)
		}
	}
	return out
}

// pinnedUserID reports an aws:userid value that names one principal: its
// unique id (or an account id, for the root) before any ":", without
// wildcards ("AROAEXAMPLEID:*" is every session of one role).
func pinnedUserID(v string) bool {
	id, _, _ := strings.Cut(v, ":")
	return len(id) >= 12 && literal(id) && !strings.Contains(id, "${")
}

// sourcePins lists the conditions that pin, for a service principal, the
// account or resource it acts for (the confused-deputy guard).
func sourcePins(cs []policy.Condition) []string {
	var out []string
	for _, k := range callerPins(cs) {
		switch strings.ToLower(k) {
		case "aws:sourceaccount", "aws:sourcearn", "aws:sourceowner", "aws:sourceorgid", "aws:sourceorgpaths":
			out = append(out, k)
		}
	}
	return out
}

// pinnedARN reports whether an ARN pattern names one account (or, for
// ARNs without an account such as S3 buckets, one resource).
func pinnedARN(v string) bool {
	f := strings.SplitN(v, ":", 6)
	if len(f) != 6 {
		return false
	}
	if f[4] == "" {
		return literal(f[5])
	}
	return literal(f[4])
}

func allEqualFold(vals []string, want string) bool {
	for _, v := range vals {
		if !strings.EqualFold(strings.TrimSpace(v), want) {
			return false
		}
	}
	return true
}

// operatorFamily names the key type an operator works on.
func operatorFamily(base string) string {
	lb := strings.ToLower(base)
	switch {
	case strings.HasPrefix(lb, "string"):
		return "String"
	case strings.HasPrefix(lb, "numeric"):
		return "Numeric"
	case strings.HasPrefix(lb, "date"):
		return "Date"
	case lb == "bool":
		return "Bool"
	case lb == "binaryequals":
		return "Binary"
	case lb == "ipaddress" || lb == "notipaddress":
		return "IPAddress"
	case strings.HasPrefix(lb, "arn"):
		return "ARN"
	case lb == "null":
		return "Null"
	}
	return ""
}

var knownOperators = map[string]bool{
	"stringequals": true, "stringnotequals": true, "stringequalsignorecase": true,
	"stringnotequalsignorecase": true, "stringlike": true, "stringnotlike": true,
	"numericequals": true, "numericnotequals": true, "numericlessthan": true,
	"numericlessthanequals": true, "numericgreaterthan": true, "numericgreaterthanequals": true,
	"dateequals": true, "datenotequals": true, "datelessthan": true, "datelessthanequals": true,
	"dategreaterthan": true, "dategreaterthanequals": true, "bool": true, "binaryequals": true,
	"ipaddress": true, "notipaddress": true, "arnequals": true, "arnlike": true,
	"arnnotequals": true, "arnnotlike": true, "null": true,
}

// typeFits reports whether an operator family may be used on a key type.
func typeFits(family, keyType string) bool {
	kt := strings.TrimPrefix(keyType, "ArrayOf")
	switch family {
	case "", "Null":
		return true
	case "String":
		// String operators work on ARNs too.
		return kt == "String" || kt == "ARN" || kt == "ArN"
	case "ARN":
		// ARN operators on a String key that holds ARNs work, and AWS's
		// own policies use them (kms:EncryptionContext:aws:s3:arn).
		return kt == "ARN" || kt == "ArN" || kt == "String"
	case "Numeric":
		return kt == "Numeric" || kt == "Long" || kt == "Integer"
	case "Date":
		return kt == "Date"
	case "Bool":
		return kt == "Bool" || kt == "Boolean"
	case "IPAddress":
		return kt == "IPAddress"
	case "Binary":
		return kt == "Binary"
	}
	return true
}
