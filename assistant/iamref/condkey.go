package iamref

import "strings"

// keyTemplate is a condition key with variable parts, such as
// "aws:RequestTag/${TagKey}" or "s3:ExistingObjectTag/<key>": each
// variable matches a non-empty run of any text.
type keyTemplate struct {
	lits  []string // lower-case literal text around the variables
	score int      // specificity: a longer literal wins
	key   *ConditionKey
}

// splitTemplate cuts a condition key name at its variables: "${...}" and
// "<...>" anywhere, and the placeholder suffixes some services write
// ("secretsmanager:ResourceTag/tag-key", "glacier:ResourceTag/"). It
// returns nil for a plain name.
func splitTemplate(lname string) (lits []string, braced bool) {
	rest := lname
	var lit strings.Builder
	for rest != "" {
		i := strings.IndexAny(rest, "$<")
		if i < 0 {
			lit.WriteString(rest)
			break
		}
		lit.WriteString(rest[:i])
		rest = rest[i:]
		closer := byte('>')
		open := 1
		if rest[0] == '$' {
			if !strings.HasPrefix(rest, "${") {
				lit.WriteByte('$')
				rest = rest[1:]
				continue
			}
			closer, open = '}', 2
		}
		j := strings.IndexByte(rest[open:], closer)
		if j < 0 {
			lit.WriteString(rest)
			break
		}
		lits = append(lits, lit.String())
		lit.Reset()
		rest = rest[open+j+1:]
		braced = true
	}
	last := lit.String()
	if !braced {
		switch {
		case strings.HasSuffix(last, "/tag-key"):
			return []string{strings.TrimSuffix(last, "tag-key"), ""}, false
		case strings.HasSuffix(last, "/"):
			return []string{last, ""}, false
		}
		return nil, false
	}
	return append(lits, last), true
}

func (kb *KB) indexKeys(keys []*ConditionKey) {
	kb.keys = make(map[string]*ConditionKey, len(keys))
	for _, k := range keys {
		lname := lowerASCII(k.Name)
		kb.keys[lname] = k
		lits, braced := splitTemplate(lname)
		if lits == nil {
			continue
		}
		score := 0
		for _, l := range lits {
			score += 2 * len(l)
		}
		if braced {
			score++
		}
		kb.templates = append(kb.templates, keyTemplate{lits: lits, score: score, key: k})
	}
}

// match reports whether the lower-case name s fits the template.
func (t *keyTemplate) match(s string) bool {
	l := t.lits
	if !strings.HasPrefix(s, l[0]) {
		return false
	}
	s = s[len(l[0]):]
	last := l[len(l)-1]
	if !strings.HasSuffix(s, last) {
		return false
	}
	s = s[:len(s)-len(last)]
	// Each variable takes at least one byte; the leftmost place for each
	// middle literal leaves the most room for the rest.
	for _, p := range l[1 : len(l)-1] {
		if len(s) < 1 {
			return false
		}
		i := strings.Index(s[1:], p)
		if i < 0 {
			return false
		}
		s = s[1+i+len(p):]
	}
	return len(s) >= 1
}

// ConditionKey returns the condition key with this name (any case), global
// ("aws:SourceIp") or of a service ("s3:prefix"), matching templates:
// "aws:RequestTag/team" finds "aws:RequestTag/${TagKey}". Nil if unknown.
// When several templates fit, the one with the most literal text wins.
func (kb *KB) ConditionKey(name string) *ConditionKey {
	var buf [128]byte
	lname := appendLower(buf[:0], name)
	if k, ok := kb.keys[string(lname)]; ok {
		return k
	}
	ls := string(lname)
	var best *keyTemplate
	for i := range kb.templates {
		t := &kb.templates[i]
		if (best == nil || t.score > best.score) && t.match(ls) {
			best = t
		}
	}
	if best == nil {
		return nil
	}
	return best.key
}

// ConditionKeyApplies reports whether the condition key can be used with
// the action: global keys always; a service key when the action or one of
// its resource types lists it.
func (kb *KB) ConditionKeyApplies(key string, a *Action) bool {
	if a == nil {
		return false
	}
	k := kb.ConditionKey(key)
	if k == nil {
		return false
	}
	if k.Global {
		return true
	}
	if hasKey(a.ConditionKeys, k.Name) {
		return true
	}
	for i := range a.Resources {
		r := &a.Resources[i]
		if hasKey(r.ConditionKeys, k.Name) || hasKey(r.Type.ConditionKeys, k.Name) {
			return true
		}
	}
	return false
}

func hasKey(keys []string, name string) bool {
	for _, k := range keys {
		if k == name {
			return true
		}
	}
	return false
}
