package analysis

import (
	"hash/maphash"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/policycheck/policycheck/assistant/iamref"
)

// patternReach remembers how far one resource pattern reaches each
// resource type it was asked about. A statement looks its patterns up
// once and then asks them of every type its actions take, which costs a
// small map's look-up rather than a shared cache's keyed by pattern and
// type, twice over (iamref.KB.MatchResource, BroadFor).
type patternReach struct {
	pattern string
	// shared is set for those of the table: their answers count against
	// maxPatternAnswers.
	shared bool
	mu     sync.Mutex
	types  map[*iamref.ResourceType]reach
}

// maxPatternAnswers bounds the answers the table's patterns keep, all
// together: a server fed arbitrary policies could otherwise have every
// pattern asked of every resource type. Past it, answers are worked out
// each time, as MatchResource and BroadFor remember theirs.
const maxPatternAnswers = 1 << 18

// patternAnswers counts the answers the table's patterns keep.
var patternAnswers atomic.Int64

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
	if p.shared && patternAnswers.Add(1) > maxPatternAnswers {
		patternAnswers.Add(-1)
		return r
	}
	p.mu.Lock()
	if _, dup := p.types[rt]; dup && p.shared {
		patternAnswers.Add(-1) // another goroutine kept it first
	}
	if p.types == nil {
		p.types = make(map[*iamref.ResourceType]reach)
	}
	p.types[rt] = r
	p.mu.Unlock()
	return r
}

// patternReaches holds a patternReach for each pattern met, up to
// maxMemo of them and of at most maxSharedPattern bytes; other patterns
// get one of their own that only their statement uses.
var patternReaches patternTable

const patternShards = 16

// maxSharedPattern is the longest pattern the table keeps: ARNs are far
// shorter, and the table's memory stays bounded.
const maxSharedPattern = 512

type patternTable struct {
	seed   maphash.Seed
	once   sync.Once
	shards [patternShards]struct {
		mu sync.RWMutex
		m  map[string]*patternReach
	}
}

func (t *patternTable) of(pattern string) *patternReach {
	if len(pattern) > maxSharedPattern {
		return &patternReach{pattern: pattern}
	}
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
		p.shared = true
		sh.m[p.pattern] = p
	}
	return p
}
