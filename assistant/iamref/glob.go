package iamref

import (
	"hash/maphash"
	"strings"
	"sync"
)

// A glob is compiled to tokens: a literal byte, one byte of any value, or
// a run of any bytes. "Any" tokens may exclude one byte (the delimiter
// after an ARN format variable), which keeps "${BucketName}" from taking
// the "/" of "bucket/key".
type tok struct {
	kind byte // tLit, tOne, tRun
	c    byte // the literal, or the excluded byte (0: none)
}

const (
	tLit = iota
	tOne
	tRun
)

// varEnd returns the length of the policy or format variable "${...}" at
// the start of s, or 0 when s does not start with one.
func varEnd(s string) int {
	if len(s) < 3 || s[0] != '$' || s[1] != '{' {
		return 0
	}
	if i := strings.IndexByte(s[2:], '}'); i >= 0 {
		return i + 3
	}
	return 0
}

// compileGlob appends the tokens of a policy pattern: "*" a run, "?" one
// byte, "${...}" (a policy variable or template placeholder) a run. fold
// lowers literals.
func compileGlob(dst []tok, s string, fold bool) []tok {
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '*':
			dst = appendRun(dst, 0)
			i++
		case c == '?':
			dst = append(dst, tok{tOne, 0})
			i++
		case c == '$' && varEnd(s[i:]) > 0:
			dst = appendRun(dst, 0)
			i += varEnd(s[i:])
		default:
			if fold && c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, tok{tLit, c})
			i++
		}
	}
	return dst
}

func appendRun(dst []tok, excl byte) []tok {
	if n := len(dst); n > 0 && dst[n-1].kind == tRun && dst[n-1].c == excl {
		return dst // "**" is "*"
	}
	return append(dst, tok{tRun, excl})
}

// compileFormat appends the tokens of one segment of an ARN format
// ("arn:${Partition}:s3:::${BucketName}/${ObjectName}"). A variable
// matches a non-empty run; it cannot hold the "/" or ":" that follows it
// in the format, and when it is the whole segment and wholeNoSlash is set
// it cannot hold "/" (a bucket name is not "bucket/key").
func compileFormat(dst []tok, s string, fold, wholeNoSlash bool) []tok {
	for i := 0; i < len(s); {
		c := s[i]
		if n := varEnd(s[i:]); n > 0 {
			var excl byte
			switch {
			case i+n < len(s) && (s[i+n] == '/' || s[i+n] == ':'):
				excl = s[i+n]
			case i == 0 && n == len(s) && wholeNoSlash:
				excl = '/'
			}
			dst = append(dst, tok{tOne, excl})
			dst = appendRun(dst, excl)
			i += n
			continue
		}
		switch c {
		case '*':
			dst = appendRun(dst, 0)
		case '?':
			dst = append(dst, tok{tOne, 0})
		default:
			if fold && c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, tok{tLit, c})
		}
		i++
	}
	return dst
}

// maxStates bounds the work and memory of intersect (2 MiB of bits).
const maxStates = 1 << 24

// compatible reports whether some byte is accepted by both tokens.
func compatible(a, b tok) bool {
	switch {
	case a.kind == tLit && b.kind == tLit:
		return a.c == b.c
	case a.kind == tLit:
		return a.c != b.c || b.c == 0
	case b.kind == tLit:
		return b.c != a.c || a.c == 0
	}
	return true // two wildcards share all but at most two bytes
}

// intersect reports whether some string matches both token lists: a
// search of the product of the two automata, state (i, j) meaning a[:i]
// and b[:j] have matched the same prefix.
//
// Past maxStates states (patterns thousands of characters long on both
// sides) it answers true: such patterns are taken to overlap.
func intersect(a, b []tok) bool {
	n, m := len(a)+1, len(b)+1
	if n*m > maxStates {
		return true
	}
	var seenBuf [64]uint64
	var seen []uint64
	if w := (n*m + 63) / 64; w <= len(seenBuf) {
		seen = seenBuf[:w]
	} else {
		seen = make([]uint64, w)
	}
	var stackBuf [64]int32
	stack := append(stackBuf[:0], 0)
	seen[0] = 1
	push := func(i, j int) {
		s := i*m + j
		if seen[s>>6]&(1<<(uint(s)&63)) == 0 {
			seen[s>>6] |= 1 << (uint(s) & 63)
			stack = append(stack, int32(s))
		}
	}
	for len(stack) > 0 {
		s := int(stack[len(stack)-1])
		stack = stack[:len(stack)-1]
		i, j := s/m, s%m
		if i == len(a) && j == len(b) {
			return true
		}
		// A run may match nothing.
		if i < len(a) && a[i].kind == tRun {
			push(i+1, j)
		}
		if j < len(b) && b[j].kind == tRun {
			push(i, j+1)
		}
		// Or both consume one byte.
		if i < len(a) && j < len(b) && compatible(a[i], b[j]) {
			ni, nj := i+1, j+1
			if a[i].kind == tRun {
				ni = i
			}
			if b[j].kind == tRun {
				nj = j
			}
			if ni != i || nj != j {
				push(ni, nj)
			}
		}
	}
	return false
}

func hasWildcard(s string) bool { return strings.ContainsAny(s, "*?") || strings.Contains(s, "${") }

// PatternsIntersect reports whether some string matches both glob
// patterns ("*" any run of characters, "?" one character; policy
// variables "${...}" count as "*"). It compares case-sensitively, as IAM
// compares resources; lower action patterns first.
func PatternsIntersect(a, b string) bool {
	wa, wb := hasWildcard(a), hasWildcard(b)
	switch {
	case !wa && !wb:
		return a == b
	case a == "*" || b == "*":
		return true
	}
	n := 0
	if (len(a)+1)*(len(b)+1) <= maxStates {
		// Within intersect's bound with or without the prefix, so it
		// answers the same.
		n = plainPrefix(a, b)
	}
	var ab, bb [128]tok
	return intersect(compileGlob(ab[:0], a[n:], false), compileGlob(bb[:0], b[n:], false))
}

// PatternCovers reports whether every string matching b also matches a.
// It is sound: when it cannot prove coverage it answers false. It
// compares case-sensitively; lower action patterns first.
//
// A policy variable ("${aws:username}") in a stands for one value unknown
// here, so it covers only the same variable at the same place in b; in b
// it may be anything, like "*". So "home/*" covers
// "home/${aws:username}/x", but "home/${aws:username}/*" does not cover
// "home/alice/x".
//
// The proof walks a over b's tokens taken as symbols. Each run of a's
// wildcards ("*", "?", "?*?"...) stands for "exactly k characters" or,
// with a "*", "at least k"; it may take a stretch of b's symbols whose
// every expansion has that many characters. A literal of a takes only the
// same literal of b.
func PatternCovers(a, b string) bool {
	if a == "*" || a == b {
		return true
	}
	n := plainPrefix(a, b)
	var ab, bb [128]ctok
	return covers(compileCover(ab[:0], a[n:]), compileCover(bb[:0], b[n:]))
}

// plainPrefix is the length of the longest common prefix of a and b
// without "*", "?" or "$". Its bytes are literals on both sides, which
// match only each other: PatternsIntersect and PatternCovers answer for
// what follows it (ARNs share long prefixes, "arn:aws:s3:::bucket/").
func plainPrefix(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if c := a[i]; c != b[i] || c == '*' || c == '?' || c == '$' {
			return i
		}
	}
	return n
}

// ctok is a token of PatternCovers: tLit, tOne, tRun, or tVar, a policy
// variable named v.
type ctok struct {
	kind byte
	c    byte
	v    string
}

const tVar = tRun + 1

func compileCover(dst []ctok, s string) []ctok {
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == '*':
			dst = append(dst, ctok{kind: tRun})
			i++
		case c == '?':
			dst = append(dst, ctok{kind: tOne})
			i++
		case c == '$' && varEnd(s[i:]) > 0:
			n := varEnd(s[i:])
			dst = append(dst, ctok{kind: tVar, v: s[i : i+n]})
			i += n
		default:
			dst = append(dst, ctok{kind: tLit, c: c})
			i++
		}
	}
	return dst
}

// covers tracks the set of positions in b that a's prefix can end at.
func covers(a, b []ctok) bool {
	m := len(b)
	var buf [2][130]bool
	var cur, next []bool
	if m+1 <= len(buf[0]) {
		cur, next = buf[0][:m+1], buf[1][:m+1]
	} else {
		cur, next = make([]bool, m+1), make([]bool, m+1)
	}
	// sure reports whether b's symbol always stands for one character.
	sure := func(t ctok) bool { return t.kind == tLit || t.kind == tOne }
	cur[0] = true
	for i := 0; i < len(a); {
		clear(next)
		any := false
		if a[i].kind == tLit || a[i].kind == tVar {
			for j := 0; j < m; j++ {
				if cur[j] && b[j].kind == a[i].kind && b[j].c == a[i].c && b[j].v == a[i].v {
					next[j+1], any = true, true
				}
			}
			i++
		} else {
			k, star := 0, false
			for ; i < len(a) && (a[i].kind == tOne || a[i].kind == tRun); i++ {
				if a[i].kind == tOne {
					k++
				} else {
					star = true
				}
			}
			for j := 0; j <= m; j++ {
				if !cur[j] {
					continue
				}
				if !star {
					// Exactly k characters: k symbols of b that are one each.
					e := j
					for e < m && e-j < k && sure(b[e]) {
						e++
					}
					if e-j == k {
						next[e], any = true, true
					}
					continue
				}
				// At least k characters: every end from the first
				// where b's stretch surely has k characters.
				n, e := 0, j
				for e < m && n < k {
					if sure(b[e]) {
						n++
					}
					e++
				}
				if n < k {
					continue
				}
				for ; e <= m; e++ {
					next[e], any = true, true
				}
				break // later starts reach no new ends
			}
		}
		if !any {
			return false
		}
		cur, next = next, cur
	}
	return cur[m]
}

// MatchResource reports whether a policy's resource pattern (with "*",
// "?" and policy variables such as "${aws:username}", which match any
// text) can match some ARN of the resource type.
//
// The partition, service, region and account segments are compared
// without regard to case, each within its segment; the resource segment
// case-sensitively, where a policy "*" may span "/" and ":". A format
// variable matches a non-empty run that does not hold the "/" or ":"
// following it, and a variable that is a whole resource segment (an S3
// bucket name) holds no "/". "${...}" in the pattern, a policy variable
// or a CloudFormation placeholder left by the reader, counts as "*". A
// resource type without ARN formats matches any pattern. Results are
// cached per pattern and type.
func (kb *KB) MatchResource(pattern string, rt *ResourceType) bool {
	switch {
	case rt == nil:
		return false
	case pattern == "*" || len(rt.ARNFormats) == 0:
		return true
	}
	k := matchKey{pattern, rt}
	sh := kb.matchCache.shard(pattern)
	sh.mu.RLock()
	res, ok := sh.m[k]
	sh.mu.RUnlock()
	if ok {
		return res
	}
	for _, f := range rt.ARNFormats {
		if res = matchARN(pattern, f); res {
			break
		}
	}
	kb.matchCache.store(sh, k, res)
	return res
}

// splitARN cuts an ARN or ARN pattern into its six segments. It fails
// unless s starts with "arn:" and has at least five colons.
func splitARN(s string) (seg [6]string, ok bool) {
	if len(s) < 4 || !strings.EqualFold(s[:4], "arn:") {
		return seg, false
	}
	for i := 0; i < 5; i++ {
		j := strings.IndexByte(s, ':')
		if j < 0 {
			return seg, false
		}
		seg[i], s = s[:j], s[j+1:]
	}
	seg[5] = s
	return seg, true
}

// replaceVars turns each "${...}" of a pattern into "*", so that the
// colons inside "${AWS::AccountId}" do not split segments.
func replaceVars(s string) string {
	return ReplaceVars(s, func(string) string { return "*" })
}

// ReplaceVars replaces every policy variable or template placeholder
// "${name}" of s by what with(name) says; an unclosed "${" is left as it
// is.
func ReplaceVars(s string, with func(name string) string) string {
	if !strings.Contains(s, "${") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if n := varEnd(s[i:]); n > 0 {
			b.WriteString(with(s[i+2 : i+n-1]))
			i += n
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// IsAllWildcard reports whether a pattern matches any text: "*", "**".
func IsAllWildcard(p string) bool {
	if p == "" {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] != '*' {
			return false
		}
	}
	return true
}

// matchARN reports whether pattern and the ARN format f share an ARN.
func matchARN(pattern, f string) bool {
	p := replaceVars(pattern)
	ps, okp := splitARN(p)
	fs, okf := splitARN(f)
	if !okp || !okf {
		// Not a six-segment ARN pattern ("arn:*", "*bucket*"): compare as
		// whole strings, ignoring case.
		var ab, bb [256]tok
		return intersect(compileGlob(ab[:0], p, true), compileFormat(bb[:0], f, true, false))
	}
	for i := 0; i < 6; i++ {
		if !matchSegment(ps[i], fs[i], i < 5) {
			return false
		}
	}
	return true
}

func matchSegment(p, f string, fold bool) bool {
	if !strings.ContainsAny(p, "*?") && !strings.ContainsAny(f, "$*?") {
		if fold {
			return strings.EqualFold(p, f)
		}
		return p == f
	}
	if p == "*" {
		return true
	}
	var ab, bb [128]tok
	return intersect(compileGlob(ab[:0], p, fold), compileFormat(bb[:0], f, fold, !fold))
}

// matchCache maps (pattern, resource type) to MatchResource's answer.
type matchCache struct {
	shards [cacheShards]matchShard
}

type matchKey struct {
	pattern string
	rt      *ResourceType
}

type matchShard struct {
	mu sync.RWMutex
	m  map[matchKey]bool
}

func (c *matchCache) shard(pattern string) *matchShard {
	return &c.shards[maphash.String(cacheSeed, pattern)%cacheShards]
}

func (c *matchCache) store(sh *matchShard, k matchKey, v bool) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if len(sh.m) < maxCached/cacheShards*4 {
		if sh.m == nil {
			sh.m = make(map[matchKey]bool)
		}
		sh.m[k] = v
	}
}
