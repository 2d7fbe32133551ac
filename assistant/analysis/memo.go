package analysis

import (
	"sync"
	"sync/atomic"
)

// maxMemo bounds each memo: the knowledge base gives a few thousand
// distinct keys, but a server fed arbitrary policies could give any
// number. Past the bound, answers are worked out each time.
const maxMemo = 65536

// memo remembers the answers of a pure function, safe for concurrent
// use and bounded by maxMemo entries.
type memo[K comparable, V any] struct {
	m sync.Map // K -> V
	n atomic.Int64
}

// get returns f(k), remembered.
func (c *memo[K, V]) get(k K, f func(K) V) V {
	if v, ok := c.m.Load(k); ok {
		return v.(V)
	}
	v := f(k)
	if c.n.Load() < maxMemo {
		if _, loaded := c.m.LoadOrStore(k, v); !loaded {
			c.n.Add(1)
		}
	}
	return v
}
