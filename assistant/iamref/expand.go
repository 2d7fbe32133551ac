package iamref

import (
	"hash/maphash"
	"strings"
	"sync"
)

// Expand returns the actions a policy's action pattern matches: "*",
// "s3:*", "s3:Get*", "*:Describe*", "s3:*Object*", "ec2:Describe?pcs", in
// any case. An unknown service or a pattern matching nothing gives the
// empty set. Results are cached and shared: do not change them.
//
// A name without wildcards costs a map look-up and allocates nothing. A
// pattern whose service part is plain scans only that service's actions;
// others scan every name once; either result is then cached.
func (kb *KB) Expand(pattern string) ActionSet {
	if !hasWild(pattern) {
		id, ok := kb.actionID(pattern)
		if !ok {
			return nil
		}
		return kb.singleton(id)
	}
	if pattern == "*" {
		return kb.all
	}
	var buf [128]byte
	lp := appendLower(buf[:0], pattern)
	sh := kb.expandCache.shard(lp)
	sh.mu.RLock()
	s, ok := sh.m[string(lp)]
	sh.mu.RUnlock()
	if ok {
		return s
	}
	key := string(lp)
	s = kb.expand(key)
	return kb.expandCache.store(sh, key, s)
}

// expand computes Expand for a lower-case pattern with a wildcard.
func (kb *KB) expand(p string) ActionSet {
	svc, act, ok := strings.Cut(p, ":")
	if !ok {
		return kb.expandFull(p) // "*" is handled by the caller
	}
	if strings.IndexByte(act, ':') >= 0 {
		return nil // names hold a single colon
	}
	m := compileName(act)
	if !hasWild(svc) {
		i, ok := kb.svcIndex[svc]
		if !ok {
			return nil
		}
		return kb.collect(int(i), int(i)+1, nil, m)
	}
	sm := compileName(svc)
	return kb.collect(0, len(kb.services), func(i int) bool {
		return sm.match(kb.services[i].Prefix)
	}, m)
}

// collect gathers the actions of services lo..hi-1 (those keep accepts,
// or all when keep is nil) whose lower-case name m matches.
func (kb *KB) collect(lo, hi int, keep func(int) bool, m nameMatcher) ActionSet {
	var set ActionSet
	for i := lo; i < hi; i++ {
		if keep != nil && !keep(i) {
			continue
		}
		r := kb.svcRange[i]
		if r.lo == r.hi {
			continue
		}
		if set == nil {
			// Sized for the last service that can contribute.
			last := kb.svcRange[hi-1].hi - 1
			set = make(ActionSet, int(last)>>6+1)
		}
		if m.kind == matchAll {
			setRange(set, r.lo, r.hi)
			continue
		}
		skip := len(kb.services[i].Prefix) + 1 // "service:"
		for id := r.lo; id < r.hi; id++ {
			if m.match(kb.fullLower(id)[skip:]) {
				set[id>>6] |= 1 << (uint(id) & 63)
			}
		}
	}
	return trim(set)
}

// expandFull matches a pattern without a colon ("*GetObject") against
// whole "service:action" names.
func (kb *KB) expandFull(p string) ActionSet {
	var set ActionSet
	for id := range ActionID(len(kb.actions)) {
		if globMatch(p, kb.fullLower(id)) {
			if set == nil {
				set = make(ActionSet, (len(kb.actions)+63)/64)
			}
			set[id>>6] |= 1 << (uint(id) & 63)
		}
	}
	return trim(set)
}

// hasWild reports whether s holds "*" or "?".
func hasWild(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '*' || s[i] == '?' {
			return true
		}
	}
	return false
}

// setRange adds the ids lo..hi-1.
func setRange(s ActionSet, lo, hi ActionID) {
	for id := lo; id < hi; {
		w := id >> 6
		if id&63 == 0 && hi-id >= 64 {
			s[w] = ^uint64(0)
			id += 64
			continue
		}
		s[w] |= 1 << (uint(id) & 63)
		id++
	}
}

// nameMatcher is a compiled glob for names: the common shapes ("*",
// "Get*", "*Object", "*Object*") are plain string tests.
type nameMatcher struct {
	kind byte
	lit  string // the literal part, or the whole pattern for matchGlob
}

const (
	matchAll = iota
	matchExact
	matchPrefix
	matchSuffix
	matchContains
	matchGlob
)

func compileName(p string) nameMatcher {
	n := len(p)
	inner := func(s string) bool { return !hasWild(s) }
	switch {
	case p == "*":
		return nameMatcher{matchAll, ""}
	case inner(p):
		return nameMatcher{matchExact, p}
	case n >= 2 && p[0] == '*' && p[n-1] == '*' && inner(p[1:n-1]):
		return nameMatcher{matchContains, p[1 : n-1]}
	case p[n-1] == '*' && inner(p[:n-1]):
		return nameMatcher{matchPrefix, p[:n-1]}
	case p[0] == '*' && inner(p[1:]):
		return nameMatcher{matchSuffix, p[1:]}
	}
	return nameMatcher{matchGlob, p}
}

func (m nameMatcher) match(s string) bool {
	switch m.kind {
	case matchAll:
		return true
	case matchExact:
		return s == m.lit
	case matchPrefix:
		return strings.HasPrefix(s, m.lit)
	case matchSuffix:
		return strings.HasSuffix(s, m.lit)
	case matchContains:
		return strings.Contains(s, m.lit)
	}
	return globMatch(m.lit, s)
}

// globMatch reports whether s matches pattern p, where "*" matches any run
// of bytes and "?" any one byte.
func globMatch[S string | []byte](p string, s S) bool {
	var pi, si int
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]):
			pi++
			si++
		case star >= 0:
			mark++
			pi, si = star+1, mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// maxCached bounds each cache, so that a long-running server fed
// arbitrary patterns keeps bounded memory; past it results are computed
// each time.
const maxCached = 1 << 16

const cacheShards = 32

// setCache maps lower-case action patterns to their expansion.
type setCache struct {
	shards [cacheShards]setShard
}

type setShard struct {
	mu sync.RWMutex
	m  map[string]ActionSet
}

func (c *setCache) shard(key []byte) *setShard {
	return &c.shards[maphash.Bytes(cacheSeed, key)%cacheShards]
}

func (c *setCache) store(sh *setShard, key string, s ActionSet) ActionSet {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if old, ok := sh.m[key]; ok {
		return old
	}
	if len(sh.m) < maxCached/cacheShards {
		if sh.m == nil {
			sh.m = make(map[string]ActionSet)
		}
		sh.m[key] = s
	}
	return s
}
