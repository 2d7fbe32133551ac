package analysis

import (
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
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.types[rt]; ok || p.shared && patternAnswers.Load() >= maxPatternAnswers {
		return r
	}
	if p.shared {
		patternAnswers.Add(1)
	}
	if p.types == nil {
		p.types = make(map[*iamref.ResourceType]reach)
	}
	p.types[rt] = r
	return r
}

// patternReaches holds a patternReach for each pattern met, up to
// maxMemo of them and of at most maxSharedPattern bytes; other patterns
// get one of their own that only their statement uses. A statement
// looks its patterns up once, so one lock serves.
var patternReaches struct {
	mu sync.RWMutex
	m  map[string]*patternReach
}

// maxSharedPattern is the longest pattern the table keeps: ARNs are far
// shorter, and the table's memory stays bounded.
const maxSharedPattern = 512

// sharedPattern is the table's patternReach for pattern.
func sharedPattern(pattern string) *patternReach {
	if len(pattern) > maxSharedPattern {
		return &patternReach{pattern: pattern}
	}
	t := &patternReaches
	t.mu.RLock()
	p := t.m[pattern]
	t.mu.RUnlock()
	if p != nil {
		return p
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if p = t.m[pattern]; p != nil {
		return p
	}
	// The pattern is copied: it may be part of a large input that the
	// table would otherwise keep alive.
	p = &patternReach{pattern: strings.Clone(pattern)}
	if len(t.m) < maxMemo {
		if t.m == nil {
			t.m = make(map[string]*patternReach)
		}
		p.shared = true
		t.m[p.pattern] = p
	}
	return p
}
