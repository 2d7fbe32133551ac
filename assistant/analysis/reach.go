package analysis

import (
	"hash/maphash"
	"strings"
	"sync"

	"github.com/policycheck/policycheck/assistant/iamref"
)

// patternReach remembers how far one resource pattern reaches each
// resource type it was asked about. A statement looks its patterns up
// once and then asks them of every type its actions take, which costs a
// small map's look-up rather than a shared cache's keyed by pattern and
// type, twice over (iamref.KB.MatchResource, BroadFor).
type patternReach struct {
	pattern string
	mu      sync.Mutex
	types   map[*iamref.ResourceType]reach
}

// of is how far the pattern reaches resources of the type: not at all,
// named ones, or all of them (BroadFor).
func (p *patternReach) of(kb *iamref.KB, rt *iamref.ResourceType) reach {
	p.mu.Lock()
	r, ok := p.types[rt]
	p.mu.Unlock()
	if ok {
		return r
	}
	switch {
	case !kb.MatchResource(p.pattern, rt):
		r = reachNone
	case BroadFor(p.pattern, rt):
		r = reachBroad
	default:
		r = reachLimited
	}
	p.mu.Lock()
	if len(p.types) < maxMemo {
		if p.types == nil {
			p.types = make(map[*iamref.ResourceType]reach)
		}
		p.types[rt] = r
	}
	p.mu.Unlock()
	return r
}

// patternReaches holds a patternReach for each pattern met, up to
// maxMemo of them; past that, new patterns get one of their own that
// only their statement uses.
var patternReaches patternTable

const patternShards = 16

type patternTable struct {
	seed   maphash.Seed
	once   sync.Once
	shards [patternShards]struct {
		mu sync.RWMutex
		m  map[string]*patternReach
	}
}

func (t *patternTable) of(pattern string) *patternReach {
	t.once.Do(func() { t.seed = maphash.MakeSeed() })
	sh := &t.shards[maphash.String(t.seed, pattern)%patternShards]
	sh.mu.RLock()
	p := sh.m[pattern]
	sh.mu.RUnlock()
	if p != nil {
		return p
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if p = sh.m[pattern]; p != nil {
		return p
	}
	// The pattern is copied: it may be part of a large input that the
	// table would otherwise keep alive.
	p = &patternReach{pattern: strings.Clone(pattern)}
	if len(sh.m) < maxMemo/patternShards {
		if sh.m == nil {
			sh.m = make(map[string]*patternReach)
		}
		sh.m[p.pattern] = p
	}
	return p
}
