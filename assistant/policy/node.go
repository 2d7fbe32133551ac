package policy

// node is a value read from JSON, YAML or HCL, with where it was written.
// Every format is turned into nodes, and documents are built from nodes.
type node struct {
	kind    nodeKind
	off     int    // offset of the value's first byte in the text parsed
	end     int    // offset after the value when known, else 0
	str     string // a scalar's text: a string's value, a number as written
	members []member
	items   []*node
	// inner locates offsets within a string's value when its characters
	// keep their place in the input (a YAML block scalar, a heredoc);
	// nil when they do not.
	inner locator
}

// place puts n and everything in it at off (to end): a value read from
// elsewhere, shown where it is used.
func (n *node) place(off, end int) {
	n.off, n.end, n.inner = off, end, nil
	for i := range n.members {
		n.members[i].keyOff = off
		n.members[i].val.place(off, end)
	}
	for _, it := range n.items {
		it.place(off, end)
	}
}

type nodeKind uint8

const (
	kindNull nodeKind = iota
	kindString
	kindNumber
	kindBool
	kindObject
	kindArray
)

func (k nodeKind) String() string {
	switch k {
	case kindString:
		return "a string"
	case kindNumber:
		return "a number"
	case kindBool:
		return "a boolean"
	case kindObject:
		return "an object"
	case kindArray:
		return "a list"
	}
	return "null"
}

// member is one key of an object.
type member struct {
	key    string
	keyOff int
	val    *node
}

// get returns the value of key, or nil.
func (n *node) get(key string) *node {
	if n == nil {
		return nil
	}
	for i := range n.members {
		if n.members[i].key == key {
			return n.members[i].val
		}
	}
	return nil
}

// isString reports whether n is a string.
func (n *node) isString() bool { return n != nil && n.kind == kindString }

// scalar reports whether n is a string, number or boolean.
func (n *node) scalar() bool {
	return n != nil && (n.kind == kindString || n.kind == kindNumber || n.kind == kindBool)
}
