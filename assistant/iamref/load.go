package iamref

import (
	"errors"
	"fmt"
	"hash/maphash"
	"strings"
)

// dataHeader is the first line of the embedded data format.
const dataHeader = "iamref-data 1"

// lineReader walks the lines and tab-separated fields of the data without
// copying: every name the KB holds is a substring of the data.
type lineReader struct {
	data string
	n    int    // line number of the current line
	line string // what is left of the current line
	more bool   // line still holds a field (perhaps empty)
}

func (r *lineReader) next() bool {
	if len(r.data) == 0 {
		return false
	}
	i := strings.IndexByte(r.data, '\n')
	if i < 0 {
		r.line, r.data = r.data, ""
	} else {
		r.line, r.data = r.data[:i], r.data[i+1:]
	}
	r.n++
	r.more = true
	return true
}

// field returns the next tab-separated field of the current line.
func (r *lineReader) field() (string, bool) {
	if !r.more {
		return "", false
	}
	i := strings.IndexByte(r.line, '\t')
	if i < 0 {
		f := r.line
		r.line, r.more = "", false
		return f, true
	}
	f := r.line[:i]
	r.line = r.line[i+1:]
	return f, true
}

// rest returns what is left of the current line.
func (r *lineReader) rest() string {
	f := r.line
	r.line, r.more = "", false
	return f
}

func (r *lineReader) errorf(format string, args ...any) error {
	return fmt.Errorf("line %d: %s", r.n, fmt.Sprintf(format, args...))
}

func atoi(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// parse reads the embedded data format; see internal/gen for its grammar.
func parse(data string) (*KB, error) {
	kb, err := parseData(data)
	if err != nil {
		return nil, fmt.Errorf("parse knowledge base: %w", err)
	}
	return kb, nil
}

func parseData(data string) (*KB, error) {
	r := &lineReader{data: data}
	if !r.next() || r.line != dataHeader {
		return nil, errors.New("not iamref data (bad header)")
	}
	if !r.next() {
		return nil, r.errorf("missing version")
	}
	if tag, _ := r.field(); tag != "version" {
		return nil, r.errorf("want version")
	}
	version := r.rest()

	if !r.next() {
		return nil, r.errorf("missing sizes")
	}
	if tag, _ := r.field(); tag != "sizes" {
		return nil, r.errorf("want sizes")
	}
	var sz [8]int
	for i := range sz {
		f, _ := r.field()
		n, ok := atoi(f)
		if !ok {
			return nil, r.errorf("bad size %q", f)
		}
		sz[i] = n
	}
	nKeys, nSvc, nTypes, nARNs, nActions, nRefs, nSvcKeys, nKeyRefs := sz[0], sz[1], sz[2], sz[3], sz[4], sz[5], sz[6], sz[7]

	// Everything is allocated in a few slabs, sized by the header.
	keySlab := make([]ConditionKey, nKeys)
	keys := make([]*ConditionKey, nKeys)
	svcSlab := make([]Service, nSvc)
	services := make([]*Service, nSvc)
	typeSlab := make([]ResourceType, nTypes)
	types := make([]*ResourceType, nTypes)
	arnSlab := make([]string, nARNs)
	actSlab := make([]Action, nActions)
	actions := make([]*Action, nActions)
	refSlab := make([]ResourceRef, nRefs)
	svcKeySlab := make([]*ConditionKey, nSvcKeys)
	keyRefSlab := make([]string, nKeyRefs)
	var nType, nARN, nAct, nRef, nSvcKey, nKeyRef int

	// keyList turns "3,17,40" into the keys' names, taken from keyRefSlab.
	keyList := func(f string) ([]string, error) {
		start := nKeyRef
		for f != "" {
			var item string
			item, f, _ = strings.Cut(f, ",")
			i, ok := atoi(item)
			if !ok || i >= nKeys {
				return nil, r.errorf("bad condition key index %q", item)
			}
			if nKeyRef >= nKeyRefs {
				return nil, r.errorf("more condition key references than sized")
			}
			keyRefSlab[nKeyRef] = keys[i].Name
			nKeyRef++
		}
		if start == nKeyRef {
			return nil, nil
		}
		return keyRefSlab[start:nKeyRef:nKeyRef], nil
	}

	for i := 0; i < nKeys; i++ {
		if !r.next() {
			return nil, r.errorf("missing condition key")
		}
		tag, _ := r.field()
		name, _ := r.field()
		typ, _ := r.field()
		g, ok := r.field()
		if tag != "k" || name == "" || !ok {
			return nil, r.errorf("bad condition key line")
		}
		k := &keySlab[i]
		k.Name, k.Type, k.Global = name, typ, g == "g"
		keys[i] = k
	}

	var svc *Service
	var svcTypes []*ResourceType // of svc
	var act *Action
	actRefs := 0 // index in refSlab of act's first reference
	nService := 0
	closeService := func() {
		if svc != nil {
			svc.ResourceTypes = svcTypes[:len(svcTypes):len(svcTypes)]
		}
	}
	for {
		if !r.next() {
			return nil, r.errorf("missing end")
		}
		tag, _ := r.field()
		switch tag {
		case "s":
			closeService()
			if nService >= nSvc {
				return nil, r.errorf("more services than sized")
			}
			svc = &svcSlab[nService]
			services[nService] = svc
			nService++
			svc.Prefix, _ = r.field()
			svc.Name, _ = r.field()
			if svc.Prefix == "" || hasUpper(svc.Prefix) {
				return nil, r.errorf("bad service prefix %q", svc.Prefix)
			}
			start := nSvcKey
			for f := r.rest(); f != ""; {
				var item string
				item, f, _ = strings.Cut(f, ",")
				i, ok := atoi(item)
				if !ok || i >= nKeys || nSvcKey >= nSvcKeys {
					return nil, r.errorf("bad service condition key %q", item)
				}
				svcKeySlab[nSvcKey] = keys[i]
				nSvcKey++
			}
			if nSvcKey > start {
				svc.ConditionKeys = svcKeySlab[start:nSvcKey:nSvcKey]
			}
			svcTypes = types[nType:nType]
			act = nil
		case "t":
			if svc == nil || nType >= nTypes {
				return nil, r.errorf("resource type out of place")
			}
			t := &typeSlab[nType]
			types[nType] = t
			nType++
			svcTypes = svcTypes[:len(svcTypes)+1]
			t.Service = svc
			t.Name, _ = r.field()
			f, _ := r.field()
			var err error
			if t.ConditionKeys, err = keyList(f); err != nil {
				return nil, err
			}
			start := nARN
			for {
				arn, ok := r.field()
				if !ok {
					break
				}
				if nARN >= nARNs {
					return nil, r.errorf("more ARN formats than sized")
				}
				arnSlab[nARN] = arn
				nARN++
			}
			if nARN > start {
				t.ARNFormats = arnSlab[start:nARN:nARN]
			}
		case "a":
			if svc == nil || nAct >= nActions {
				return nil, r.errorf("action out of place")
			}
			act = &actSlab[nAct]
			actions[nAct] = act
			actRefs = nRef
			act.ID = ActionID(nAct)
			nAct++
			act.Service = svc
			act.Name, _ = r.field()
			lv, _ := r.field()
			l, ok := atoi(lv)
			if act.Name == "" || !ok || l < int(List) || l > int(Tagging) {
				return nil, r.errorf("bad action")
			}
			act.Level = Level(l)
			f, _ := r.field()
			var err error
			if act.ConditionKeys, err = keyList(f); err != nil {
				return nil, err
			}
		case "r":
			if act == nil || nRef >= nRefs {
				return nil, r.errorf("resource reference out of place")
			}
			ti, _ := r.field()
			req, _ := r.field()
			f, _ := r.field()
			i, ok := atoi(ti)
			if !ok || i >= len(svcTypes) {
				return nil, r.errorf("bad resource type index %q", ti)
			}
			ref := &refSlab[nRef]
			nRef++
			ref.Type = svcTypes[i]
			ref.Required = req == "1"
			var err error
			if ref.ConditionKeys, err = keyList(f); err != nil {
				return nil, err
			}
			// An action's references are consecutive in refSlab.
			act.Resources = refSlab[actRefs:nRef:nRef]
		case "end":
			closeService()
			if nService != nSvc || nType != nTypes || nARN != nARNs || nAct != nActions ||
				nRef != nRefs || nSvcKey != nSvcKeys || nKeyRef != nKeyRefs {
				return nil, r.errorf("counts differ from sizes")
			}
			kb := &KB{version: version}
			if err := kb.index(services, actions, keys); err != nil {
				return nil, err
			}
			return kb, nil
		default:
			return nil, r.errorf("unknown line %q", tag)
		}
	}
}

// index builds the look-up tables. services must be sorted by prefix and
// each service's actions sorted by lower-case name, consecutive in actions.
func (kb *KB) index(services []*Service, actions []*Action, keys []*ConditionKey) error {
	kb.services = services
	kb.actions = actions
	kb.svcIndex = make(map[string]int32, len(services))
	kb.svcRange = make([]idRange, len(services))
	n := len(actions)

	// Per service: its action range, and its Actions slice.
	next := 0
	for i, s := range services {
		if i > 0 && services[i-1].Prefix >= s.Prefix {
			return fmt.Errorf("services out of order at %q", s.Prefix)
		}
		kb.svcIndex[s.Prefix] = int32(i)
		lo := next
		for next < n && actions[next].Service == s {
			next++
		}
		kb.svcRange[i] = idRange{ActionID(lo), ActionID(next)}
		s.Actions = actions[lo:next:next]
	}
	if next != n {
		return fmt.Errorf("actions not grouped by service at %q", actions[next].FullName())
	}

	// Lower-case "service:action" names, one after another in one
	// string: a look-up compares one slice of it, and a pattern's
	// action part matches the slice after the colon.
	size := 0
	for _, a := range actions {
		size += len(a.Service.Prefix) + 1 + len(a.Name)
	}
	buf := make([]byte, 0, size)
	kb.ends = make([]int32, n)
	for i, a := range actions {
		buf = appendLower(append(append(buf, a.Service.Prefix...), ':'), a.Name)
		kb.ends[i] = int32(len(buf))
	}
	kb.names = string(buf)
	indexFullNames(services)

	// The name table, at most 3/8 full.
	size = 1
	for size < n*8/3 {
		size <<= 1
	}
	kb.slots = make([]int32, size)
	kb.slotMask = uint64(size - 1)
	kb.seed = maphash.MakeSeed()
	for i := range actions {
		slot := maphash.String(kb.seed, kb.fullLower(ActionID(i))) & kb.slotMask
		for kb.slots[slot] != 0 {
			slot = (slot + 1) & kb.slotMask
		}
		kb.slots[slot] = int32(i) + 1
	}
	for i := 1; i < n; i++ {
		id := ActionID(i)
		if actions[i-1].Service == actions[i].Service && kb.actName(id-1) >= kb.actName(id) {
			return fmt.Errorf("actions out of order at %q", actions[i].FullName())
		}
	}

	// Sets.
	words := (n + 63) / 64
	kb.all = make(ActionSet, words)
	for i := 0; i < n; i++ {
		kb.all[i>>6] |= 1 << (uint(i) & 63)
	}
	for l := range kb.levels {
		kb.levels[l] = make(ActionSet, words)
	}
	for i, a := range actions {
		kb.levels[a.Level][i>>6] |= 1 << (uint(i) & 63)
	}
	for l := range kb.levels {
		kb.levels[l] = trim(kb.levels[l])
	}
	if words > 0 {
		slab := make([]uint64, 64*words)
		for b := range kb.single {
			s := slab[b*words : (b+1)*words : (b+1)*words]
			s[words-1] = 1 << uint(b)
			kb.single[b] = s
		}
	}

	kb.indexKeys(keys)
	return nil
}

// indexFullNames writes each service's canonical "service:Action" names
// into one string, so that FullName allocates nothing.
// They share one allocation.
func indexFullNames(services []*Service) {
	size := 0
	for _, s := range services {
		for _, a := range s.Actions {
			size += len(s.Prefix) + 1 + len(a.Name)
		}
	}
	buf := make([]byte, 0, size)
	ends := make([]int, len(services))
	for i, s := range services {
		start := len(buf)
		for _, a := range s.Actions {
			a.fullAt = int32(len(buf)-start) + 1
			buf = append(append(append(buf, s.Prefix...), ':'), a.Name...)
		}
		ends[i] = len(buf)
	}
	all := string(buf)
	start := 0
	for i, s := range services {
		s.fullNames = all[start:ends[i]]
		start = ends[i]
	}
}

// trim drops trailing zero words.
func trim(s ActionSet) ActionSet {
	i := len(s)
	for i > 0 && s[i-1] == 0 {
		i--
	}
	if i == 0 {
		return nil
	}
	return s[:i:i]
}
