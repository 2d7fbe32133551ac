package subset

import (
	"net/netip"
	"strings"

	"github.com/policycheck/policycheck/assistant/policy"
)

// condGap returns the first condition of outer that inner does not keep:
// inner must test the same key with the same operator, with values that
// admit no more requests. loosened is true when inner has the test but
// with broader values. ok is true when inner keeps every condition.
//
// Conditions of a statement all have to hold, so inner may add tests of
// its own; it may not drop or widen outer's.
func condGap(outer, inner *stmt) (c *policy.Condition, loosened, ok bool) {
	for i := range outer.Conditions {
		oc := &outer.Conditions[i]
		kept, same := false, false
		for j := range inner.Conditions {
			ic := &inner.Conditions[j]
			if !strings.EqualFold(oc.Operator, ic.Operator) || !strings.EqualFold(oc.Key, ic.Key) {
				continue
			}
			same = true
			if stricter(oc, outer.Vars, ic, inner.Vars) {
				kept = true
				break
			}
		}
		if !kept {
			return oc, same, false
		}
	}
	return nil, false, true
}

// baseOperator strips the set prefix and IfExists suffix:
// "ForAnyValue:StringLikeIfExists" gives "StringLike".
func baseOperator(op string) string {
	if i := strings.IndexByte(op, ':'); i >= 0 {
		op = op[i+1:]
	}
	return strings.TrimSuffix(op, "IfExists")
}

// stricter reports whether the inner test (same operator and key as the
// outer one) matches only requests the outer test matches. The operator,
// set prefix and IfExists are the same on both sides, so the key's
// absence is judged the same way; only the values are compared.
func stricter(outer *policy.Condition, outerVars bool, inner *policy.Condition, innerVars bool) bool {
	ov, iv := outer.Values.Trimmed(), inner.Values.Trimmed()
	if outerVars != innerVars && (anyVar(ov) || anyVar(iv)) {
		return false
	}
	if sameSet(ov, iv) {
		return true
	}
	exact := func(a, b string) bool { return a == b }
	switch strings.ToLower(baseOperator(outer.Operator)) {
	case "stringequals", "arnequals", "numericequals", "dateequals", "binaryequals":
		// One of fewer values.
		return within(iv, ov, exact)
	case "stringequalsignorecase", "bool":
		return within(iv, ov, strings.EqualFold)
	case "stringlike":
		return within(iv, ov, func(i, o string) bool { return covers(o, outerVars, i, innerVars) })
	case "stringnotequals", "arnnotequals", "numericnotequals", "datenotequals", "stringnotlike", "arnnotlike":
		// None of more values.
		return within(ov, iv, exact)
	case "stringnotequalsignorecase":
		return within(ov, iv, strings.EqualFold)
	case "ipaddress":
		return within(iv, ov, func(i, o string) bool { return cidrWithin(i, o) })
	case "notipaddress":
		return within(ov, iv, func(o, i string) bool { return cidrWithin(o, i) })
	}
	// Numeric and date comparisons, Null and anything unknown: only the
	// same values are known to mean the same.
	return false
}

// within reports whether every value of a matches some value of b.
func within(a, b []string, match func(a, b string) bool) bool {
	for _, x := range a {
		ok := false
		for _, y := range b {
			if match(x, y) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func sameSet(a, b []string) bool {
	eq := func(x, y string) bool { return x == y }
	return within(a, b, eq) && within(b, a, eq)
}

func anyVar(vals []string) bool {
	for _, v := range vals {
		if strings.Contains(v, "${") {
			return true
		}
	}
	return false
}

// cidrWithin reports whether every address of the block a (a CIDR or a
// single address) is in the block b.
func cidrWithin(a, b string) bool {
	pa, ok1 := parsePrefix(a)
	pb, ok2 := parsePrefix(b)
	if !ok1 || !ok2 || pa.Addr().Is4() != pb.Addr().Is4() {
		return false
	}
	return pb.Bits() <= pa.Bits() && pb.Contains(pa.Addr())
}

func parsePrefix(s string) (netip.Prefix, bool) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, a.BitLen()), true
}
