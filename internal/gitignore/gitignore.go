// Package gitignore decides which paths the .gitignore files of a tree
// ignore, with git's pattern syntax: a pattern without a slash (but for a
// trailing one) matches a name at any depth, one with a slash matches from
// the directory of its .gitignore; "*" and "?" do not match a slash, "**"
// matches any number of directories, a trailing slash matches only
// directories, and a leading "!" takes a path back.
package gitignore

import (
	"path"
	"strings"
)

// Matcher holds the patterns of the .gitignore files read so far.
type Matcher struct {
	rules []rule
}

type rule struct {
	base     string   // directory of the .gitignore, slash-separated; "" for the root
	segs     []string // the pattern split at slashes
	negate   bool
	dirOnly  bool
	anchored bool // matches from base, not at any depth
}

// Add reads the patterns of the .gitignore file in the directory base,
// given relative to the root with slashes ("" or "." for the root). Files
// must be added from the root down, as a walk finds them: a pattern read
// later wins over an earlier one.
func (m *Matcher) Add(base string, data []byte) {
	base = strings.Trim(path.Clean("/"+base), "/")
	for _, line := range strings.Split(string(data), "\n") {
		if r, ok := parse(line); ok {
			r.base = base
			m.rules = append(m.rules, r)
		}
	}
}

// Ignored reports whether the path, relative to the root with slashes,
// is ignored. A path inside an ignored directory is not reported as
// ignored here: the walk does not enter the directory.
func (m *Matcher) Ignored(name string, isDir bool) bool {
	if m == nil {
		return false
	}
	name = strings.Trim(path.Clean("/"+name), "/")
	ignored := false
	for _, r := range m.rules {
		if r.negate == !ignored {
			continue // cannot change the outcome
		}
		if r.matches(name, isDir) {
			ignored = !r.negate
		}
	}
	return ignored
}

// Match reports whether one pattern, read as a .gitignore at the root
// reads it, matches the path (relative to the root, with slashes). A
// negation is read as the pattern itself.
func Match(pattern, name string, isDir bool) bool {
	r, ok := parse(strings.TrimPrefix(pattern, "!"))
	return ok && r.matches(strings.Trim(path.Clean("/"+name), "/"), isDir)
}

// parse reads one line of a .gitignore.
func parse(line string) (rule, bool) {
	line = strings.TrimSuffix(line, "\r")
	line = trimTrailingSpaces(line)
	if line == "" || strings.HasPrefix(line, "#") {
		return rule{}, false
	}
	var r rule
	switch {
	case strings.HasPrefix(line, "!"):
		r.negate, line = true, line[1:]
	case strings.HasPrefix(line, `\!`), strings.HasPrefix(line, `\#`):
		line = line[1:]
	}
	if strings.HasSuffix(line, "/") {
		r.dirOnly, line = true, strings.TrimRight(line, "/")
	}
	if line == "" {
		return rule{}, false
	}
	r.anchored = strings.Contains(line, "/")
	line = strings.TrimPrefix(line, "/")
	r.segs = strings.Split(line, "/")
	return r, true
}

// trimTrailingSpaces drops the spaces at the end of a line that are not
// escaped with a backslash.
func trimTrailingSpaces(s string) string {
	for strings.HasSuffix(s, " ") && !strings.HasSuffix(s, `\ `) {
		s = s[:len(s)-1]
	}
	return s
}

func (r rule) matches(name string, isDir bool) bool {
	if r.dirOnly && !isDir {
		return false
	}
	if r.base != "" {
		if !strings.HasPrefix(name, r.base+"/") {
			return false
		}
		name = name[len(r.base)+1:]
	}
	segs := strings.Split(name, "/")
	if !r.anchored {
		// A name at any depth: the last segment.
		return matchSegment(r.segs[0], segs[len(segs)-1])
	}
	return matchSegments(r.segs, segs)
}

// matchSegments matches a path's segments against a pattern's, where
// "**" stands for any number of segments, none included.
func matchSegments(pat, segs []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			if len(pat) == 1 {
				return len(segs) > 0 // "dir/**" matches what is inside dir
			}
			for i := 0; i <= len(segs); i++ {
				if matchSegments(pat[1:], segs[i:]) {
					return true
				}
			}
			return false
		}
		if len(segs) == 0 || !matchSegment(pat[0], segs[0]) {
			return false
		}
		pat, segs = pat[1:], segs[1:]
	}
	return len(segs) == 0
}

// matchSegment matches one segment with "*", "?", "[...]" and
// backslash escapes. A malformed class matches nothing.
func matchSegment(pat, s string) bool {
	if pat == "**" {
		pat = "*"
	}
	// git writes a negated class [!a-z]; path.Match [^a-z].
	pat = strings.ReplaceAll(pat, "[!", "[^")
	ok, err := path.Match(pat, s)
	return err == nil && ok
}

// Valid reports whether a pattern can be read: its character classes are
// closed. A pattern that cannot be matches nothing.
func Valid(pattern string) bool {
	_, err := path.Match(strings.ReplaceAll(pattern, "[!", "[^"), "")
	return err == nil
}
