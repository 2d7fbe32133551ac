package iamref

// This file is the contract the rest of policycheck compiles against.
// Bodies marked "unimplemented" are filled in by the knowledge-base work.

import "math/bits"

// Level is an action's access level in the AWS Service Authorization Reference.
type Level uint8

const (
	LevelUnknown Level = iota
	List
	Read
	Write
	PermissionsManagement
	Tagging
)

// String returns the level as AWS writes it ("Permissions management").
func (l Level) String() string {
	switch l {
	case List:
		return "List"
	case Read:
		return "Read"
	case Write:
		return "Write"
	case PermissionsManagement:
		return "Permissions management"
	case Tagging:
		return "Tagging"
	}
	return "Unknown"
}

// ActionID indexes an action in a KB: 0 .. kb.NumActions()-1.
type ActionID int32

// Service is one AWS service (an action prefix such as "s3").
type Service struct {
	Prefix        string // canonical, lower case: "s3"
	Name          string // "Amazon S3"; may be empty when descriptions are not embedded
	Actions       []*Action
	ResourceTypes []*ResourceType
	ConditionKeys []*ConditionKey

	// fullNames are its actions' "service:Action", one after another,
	// set when a KB is indexed: FullName slices it rather than allocate.
	fullNames string
}

// Action is one IAM action.
type Action struct {
	ID ActionID
	// fullAt is 1 + where FullName starts in Service.fullNames; 0 for an
	// action no KB indexed (FullName then concatenates).
	fullAt        int32
	Service       *Service
	Name          string // canonical case: "GetObject"
	Level         Level
	Resources     []ResourceRef // empty: the action supports only Resource "*"
	ConditionKeys []string      // action-level condition keys, canonical case
}

// FullName is "service:Action" in canonical case. For an action of a KB
// it allocates nothing.
func (a *Action) FullName() string {
	if a.fullAt > 0 {
		start := int(a.fullAt) - 1
		if end := start + len(a.Service.Prefix) + 1 + len(a.Name); end <= len(a.Service.fullNames) {
			return a.Service.fullNames[start:end]
		}
	}
	return a.Service.Prefix + ":" + a.Name
}

// ResourceLevel reports whether the action supports resource-level
// permissions (names at least one resource type).
func (a *Action) ResourceLevel() bool { return len(a.Resources) > 0 }

// ResourceRef is a resource type an action accepts.
type ResourceRef struct {
	Type          *ResourceType
	Required      bool
	ConditionKeys []string
}

// ResourceType is a kind of resource with its ARN formats.
type ResourceType struct {
	Service       *Service
	Name          string   // "object"
	ARNFormats    []string // "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
	ConditionKeys []string
}

// ConditionKey is a condition key with its type.
type ConditionKey struct {
	Name   string // canonical case; templates kept: "aws:RequestTag/${TagKey}"
	Type   string // "String", "ARN", "Bool", "Numeric", "Date", "IPAddress", "Binary", "ArrayOfString", "ArrayOfARN", ...
	Global bool   // an aws: key that applies to every action
}

// ActionSet is a set of actions of one KB as a bit set. The zero value is
// the empty set. Sets returned by a KB are shared: Clone before changing.
type ActionSet []uint64

// Has reports whether id is in the set.
func (s ActionSet) Has(id ActionID) bool {
	w := int(id) >> 6
	return w < len(s) && s[w]&(1<<(uint(id)&63)) != 0
}

// Add puts id into the set.
func (s *ActionSet) Add(id ActionID) {
	w := int(id) >> 6
	for len(*s) <= w {
		*s = append(*s, 0)
	}
	(*s)[w] |= 1 << (uint(id) & 63)
}

// Len is the number of actions in the set.
func (s ActionSet) Len() int {
	n := 0
	for _, w := range s {
		n += bits.OnesCount64(w)
	}
	return n
}

// IsEmpty reports whether the set has no action. It looks from the end:
// the sets a KB returns end with a non-zero word, and a service's actions
// may start hundreds of words in.
func (s ActionSet) IsEmpty() bool {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] != 0 {
			return false
		}
	}
	return true
}

// Clone returns a copy that can be changed.
func (s ActionSet) Clone() ActionSet { return append(ActionSet(nil), s...) }

// Intersection returns the actions in both s and o as a new set, nil
// when they share none; neither is changed. It allocates only for a
// non-empty result, and no more words than the result needs.
func Intersection(s, o ActionSet) ActionSet {
	n := min(len(s), len(o))
	for n > 0 && s[n-1]&o[n-1] == 0 {
		n--
	}
	if n == 0 {
		return nil
	}
	out := make(ActionSet, n)
	for i := range out {
		out[i] = s[i] & o[i]
	}
	return out
}

// Remove takes id out of the set.
func (s ActionSet) Remove(id ActionID) {
	if w := int(id) >> 6; w < len(s) {
		s[w] &^= 1 << (uint(id) & 63)
	}
}

// Or adds every action of o.
func (s *ActionSet) Or(o ActionSet) {
	if len(*s) < len(o) {
		*s = append(*s, make(ActionSet, len(o)-len(*s))...)
	}
	for i, w := range o {
		(*s)[i] |= w
	}
}

// And keeps only the actions also in o.
func (s *ActionSet) And(o ActionSet) {
	for i := range *s {
		if i < len(o) {
			(*s)[i] &= o[i]
		} else {
			(*s)[i] = 0
		}
	}
}

// AndNot removes every action of o.
func (s *ActionSet) AndNot(o ActionSet) {
	for i := range *s {
		if i < len(o) {
			(*s)[i] &^= o[i]
		}
	}
}

// Intersects reports whether s and o share an action.
func (s ActionSet) Intersects(o ActionSet) bool {
	for i := 0; i < len(s) && i < len(o); i++ {
		if s[i]&o[i] != 0 {
			return true
		}
	}
	return false
}

// SubsetOf reports whether every action of s is in o.
func (s ActionSet) SubsetOf(o ActionSet) bool {
	for i, w := range s {
		var ow uint64
		if i < len(o) {
			ow = o[i]
		}
		if w&^ow != 0 {
			return false
		}
	}
	return true
}

// EachIn calls fn for every action in both s and o, in ascending order,
// until fn returns false. Unlike Intersection(s, o).Each it allocates
// nothing.
func (s ActionSet) EachIn(o ActionSet, fn func(ActionID) bool) {
	for i := range min(len(s), len(o)) {
		for w := s[i] & o[i]; w != 0; w &= w - 1 {
			if !fn(ActionID(i<<6 | bits.TrailingZeros64(w))) {
				return
			}
		}
	}
}

// Each calls fn for every action in ascending order until fn returns false.
func (s ActionSet) Each(fn func(ActionID) bool) {
	for i, w := range s {
		for w != 0 {
			b := bits.TrailingZeros64(w)
			if !fn(ActionID(i<<6 | b)) {
				return
			}
			w &= w - 1
		}
	}
}
