package analysis

import (
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
// strings anyone can set.
var weakKeys = map[string]bool{
	"aws:securetransport":             true,
	"aws:currenttime":                 true,
	"aws:epochtime":                   true,
	"aws:useragent":                   true,
	"aws:referer":                     true,
	"aws:tokenissuetime":              true,
	"aws:requestedregion":             true,
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
	"aws:principalaccount":       true,
	"aws:principalorgid":         true,
	"aws:principalorgpaths":      true,
	"aws:principalarn":           true,
	"aws:principaltype":          true,
	"aws:principalisawsservice":  true,
	"aws:userid":                 true,
	"aws:username":               true,
	"aws:multifactorauthpresent": true,
	"aws:multifactorauthage":     true,
	"aws:federatedprovider":      true,
	"aws:sourceidentity":         true,
}

// isCallerKey reports whether key describes the caller (see callerKeys).
func isCallerKey(key string) bool {
	return callerKeys[key] || strings.HasPrefix(key, "aws:principaltag/")
}

// tiedToResource reports whether condition values name a key of the
// request that is not the caller's, as in "aws:PrincipalAccount":
// "${aws:ResourceAccount}": the caller must then match the resource, which
// narrows what it reaches.
func tiedToResource(vals []string) bool {
	for _, v := range vals {
		for rest := v; ; {
			i := strings.Index(rest, "${")
			if i < 0 {
				break
			}
			rest = rest[i+2:]
			name, after, ok := strings.Cut(rest, "}")
			if !ok {
				break
			}
			if k := strings.ToLower(name); strings.Contains(k, ":") && !isCallerKey(k) {
				return true
			}
			rest = after
		}
	}
	return false
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
		if key == "iam:passedtoservice" {
			out.passedToService = append(out.passedToService, vals...)
		}
		if strings.HasSuffix(key, ":sub") && !strings.HasPrefix(key, "aws:") {
			out.oidcSubject = out.oidcSubject || narrowValues(vals)
		}
		if strings.HasSuffix(key, ":aud") && !strings.HasPrefix(key, "aws:") {
			out.oidcAudience = true
		}
		if narrows(c, key, vals) && !(attached && isCallerKey(key) && !tiedToResource(vals)) {
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
	return narrowValues(vals)
}

// narrowValues is false when a value list admits anything ("*").
func narrowValues(vals []string) bool {
	if len(vals) == 0 {
		return false
	}
	for _, v := range vals {
		if isAllWildcard(strings.TrimSpace(v)) || v == "" {
			return false
		}
	}
	return true
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
