package policy

import (
	"fmt"
	"strconv"
	"strings"
)

// isIntrinsic reports whether n is a CloudFormation intrinsic function in
// long form, {"Ref": "X"} or {"Fn::Sub": ...}. YAML short forms (!Sub) are
// read into the same shape.
func isIntrinsic(n *node) bool {
	if n == nil || n.kind != kindObject || len(n.members) != 1 {
		return false
	}
	switch k := n.members[0].key; {
	case k == "Ref":
		return true
	case k == "Condition":
		return n.members[0].val.isString()
	default:
		return strings.HasPrefix(k, "Fn::")
	}
}

// resolve returns n with an intrinsic function replaced by what it stands
// for: a readable placeholder in a string ("${Bucket.Arn}"), a branch of
// Fn::If, or nil for AWS::NoValue. Anything else is returned as it is.
func (r *reader) resolve(n *node, loc locator) *node {
	for depth := 0; isIntrinsic(n) && depth < maxDepth; depth++ {
		fn, arg := n.members[0].key, n.members[0].val
		switch fn {
		case "Ref":
			if arg.isString() && arg.str == "AWS::NoValue" {
				return nil
			}
		case "Fn::Sub":
			if arg.isString() {
				// The template is the value, ${X} and all; returning the
				// node keeps a policy written in it locatable.
				return arg
			}
		case "Fn::If":
			if arg.kind == kindArray && len(arg.items) == 3 {
				cond, _ := r.text1(arg.items[0], loc)
				r.note(loc, n.off, fmt.Sprintf("Fn::If %q: read the value for when the condition is true", cond))
				r.branches++
				n = arg.items[1]
				continue
			}
		case "Fn::Select":
			if v := r.selectItem(arg, loc); v != nil {
				n = v
				continue
			}
		case "Fn::Split":
			if v := r.split(arg, loc); v != nil {
				return v
			}
		}
		s, ok := r.intrinsicText(fn, arg, loc)
		if !ok {
			s = "${" + fn + "}"
		}
		return &node{kind: kindString, off: n.off, str: s}
	}
	return n
}

// text1 reads n as one string, resolving intrinsics.
func (r *reader) text1(n *node, loc locator) (string, bool) {
	n = r.resolve(n, loc)
	if n.scalar() {
		return n.str, true
	}
	return "", false
}

// intrinsicText writes the functions that make a string.
func (r *reader) intrinsicText(fn string, arg *node, loc locator) (string, bool) {
	switch fn {
	case "Ref":
		if arg.isString() {
			return "${" + arg.str + "}", true
		}
	case "Fn::GetAtt":
		switch {
		case arg.isString():
			return "${" + arg.str + "}", true
		case arg.kind == kindArray && len(arg.items) > 0:
			parts := make([]string, len(arg.items))
			for i, it := range arg.items {
				s, ok := r.text1(it, loc)
				if !ok {
					return "", false
				}
				parts[i] = strings.TrimSuffix(strings.TrimPrefix(s, "${"), "}")
			}
			return "${" + strings.Join(parts, ".") + "}", true
		}
	case "Fn::Sub":
		// [template, {name: value}]
		if arg.kind != kindArray || len(arg.items) != 2 || !arg.items[0].isString() {
			return "", false
		}
		s := arg.items[0].str
		if vars := arg.items[1]; vars.kind == kindObject {
			for _, m := range vars.members {
				if v, ok := r.text1(m.val, loc); ok {
					s = strings.ReplaceAll(s, "${"+m.key+"}", v)
				}
			}
		}
		return s, true
	case "Fn::FindInMap":
		return r.findInMap(arg, loc)
	case "Fn::Join":
		if arg.kind != kindArray || len(arg.items) != 2 {
			return "", false
		}
		sep, ok := r.text1(arg.items[0], loc)
		list := r.resolve(arg.items[1], loc)
		if !ok || list == nil || list.kind != kindArray {
			return "", false
		}
		parts := make([]string, 0, len(list.items))
		for _, it := range list.items {
			it = r.resolve(it, loc)
			if it == nil {
				continue
			}
			if !it.scalar() {
				return "", false
			}
			parts = append(parts, it.str)
		}
		return strings.Join(parts, sep), true
	}
	return "", false
}

// selectItem reads Fn::Select [index, list] when both are written out.
func (r *reader) selectItem(arg *node, loc locator) *node {
	if arg.kind != kindArray || len(arg.items) != 2 {
		return nil
	}
	s, ok := r.text1(arg.items[0], loc)
	i, err := strconv.Atoi(s)
	list := r.resolve(arg.items[1], loc)
	if !ok || err != nil || list == nil || list.kind != kindArray || i < 0 || i >= len(list.items) {
		return nil
	}
	return list.items[i]
}

// split reads Fn::Split [delimiter, string] when both are written out.
func (r *reader) split(arg *node, loc locator) *node {
	if arg.kind != kindArray || len(arg.items) != 2 {
		return nil
	}
	sep, ok1 := r.text1(arg.items[0], loc)
	s, ok2 := r.text1(arg.items[1], loc)
	if !ok1 || !ok2 || sep == "" {
		return nil
	}
	out := &node{kind: kindArray, off: arg.off}
	for _, part := range strings.Split(s, sep) {
		out.items = append(out.items, &node{kind: kindString, off: arg.off, str: part})
	}
	return out
}

// findInMap reads Fn::FindInMap [map, top key, second key] from the
// template's Mappings: the value when both keys are written out, or a
// reference "${Fn::FindInMap map/key/key}" (a key that is itself a
// reference, such as AWS::Region, without its "${}") that stands for one
// of the values the map holds for the other key.
func (r *reader) findInMap(arg *node, loc locator) (string, bool) {
	if arg.kind != kindArray || len(arg.items) != 3 {
		return "", false
	}
	var keys [3]string
	literal := true
	for i, it := range arg.items {
		s, ok := r.text1(it, loc)
		if !ok {
			return "", false
		}
		if strings.Contains(s, "${") {
			literal = false
			s = strings.NewReplacer("${", "", "}", "", "/", "").Replace(s)
		}
		keys[i] = s
	}
	if literal {
		if v := r.mappings.get(keys[0]).get(keys[1]).get(keys[2]); v.scalar() {
			return v.str, true
		}
	}
	return "${Fn::FindInMap " + strings.Join(keys[:], "/") + "}", true
}
