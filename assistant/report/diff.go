package report

import (
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unsafe"
)

// diffContext is how many unchanged lines surround each change.
const diffContext = 2

// maxDiffCells bounds the size of the LCS problem (lines of a times
// lines of b); longer texts are compared after their common head and
// tail are cut, and beyond that shown as replaced. The table is now kept
// in bits, but the bound stays: it decides what a diff shows.
const maxDiffCells = 4 << 20

// Diff is a compact line diff of two texts (two JSON policies) for the
// terminal: changed lines prefixed "-" (only in a) and "+" (only in b),
// with two lines of context, hunks headed "@@ -l,n +l,n @@" as in a
// unified diff. It is empty when the texts are equal.
func Diff(a, b []byte) string {
	// The texts are read in place, not copied: the lines and operations
	// refer to them only until render has copied what it shows.
	w := diffBufs.Get().(*diffWork)
	defer w.release()
	w.x = appendLines(w.x[:0], unsafe.String(unsafe.SliceData(a), len(a)))
	w.y = appendLines(w.y[:0], unsafe.String(unsafe.SliceData(b), len(b)))
	w.ops = appendDiff(w.ops[:0], w.x, w.y)
	return render(w.ops)
}

// diffWork holds the lines and operations of a diff, reused from one
// diff to the next: a review diffs every policy it rewrites.
type diffWork struct {
	x, y []string
	ops  []diffOp
}

var diffBufs = sync.Pool{New: func() any { return new(diffWork) }}

// release returns w to the pool, dropping the texts it refers to.
func (w *diffWork) release() {
	clear(w.x)
	clear(w.y)
	clear(w.ops)
	diffBufs.Put(w)
}

// render writes the hunks of the operations.
func render(ops []diffOp) string {
	hunks := hunksOf(ops)
	// The text is sized first and written into one buffer.
	size := 0
	for _, h := range hunks {
		size += len("@@ -,0 +,0 @@\n") + 4*10
		for _, op := range ops[h[0]:h[1]] {
			size += len(op.text) + 2
		}
	}
	var out strings.Builder
	out.Grow(size)
	for _, h := range hunks {
		lo, hi := h[0], h[1]
		aStart, bStart, aN, bN := ops[lo].ai, ops[lo].bi, 0, 0
		for _, op := range ops[lo:hi] {
			if op.kind != '+' {
				aN++
			}
			if op.kind != '-' {
				bN++
			}
		}
		// As in unified diffs, an empty range names the line before it.
		if aN > 0 {
			aStart++
		}
		if bN > 0 {
			bStart++
		}
		// "@@ -%d,%d +%d,%d @@\n"
		var num [20]byte
		out.WriteString("@@ -")
		out.Write(strconv.AppendInt(num[:0], int64(aStart), 10))
		out.WriteByte(',')
		out.Write(strconv.AppendInt(num[:0], int64(aN), 10))
		out.WriteString(" +")
		out.Write(strconv.AppendInt(num[:0], int64(bStart), 10))
		out.WriteByte(',')
		out.Write(strconv.AppendInt(num[:0], int64(bN), 10))
		out.WriteString(" @@\n")
		for _, op := range ops[lo:hi] {
			out.WriteByte(op.kind)
			out.WriteString(op.text)
			out.WriteByte('\n')
		}
	}
	return out.String()
}

// hunksOf returns the ranges [lo, hi) of the operations each hunk shows:
// changes close together with their context.
func hunksOf(ops []diffOp) [][2]int {
	var hunks [][2]int
	for start := 0; start < len(ops); {
		// Find the next change.
		for start < len(ops) && ops[start].kind == ' ' {
			start++
		}
		if start == len(ops) {
			break
		}
		lo := max(0, start-diffContext)
		end := start
		// Extend the hunk while changes are close together.
		for end < len(ops) {
			if ops[end].kind != ' ' {
				end++
				continue
			}
			run := end
			for run < len(ops) && ops[run].kind == ' ' {
				run++
			}
			if run == len(ops) || run-end > 2*diffContext {
				break
			}
			end = run
		}
		hi := min(len(ops), end+diffContext)
		hunks = append(hunks, [2]int{lo, hi})
		start = hi
	}
	return hunks
}

type diffOp struct {
	kind   byte // ' ', '-', '+'
	text   string
	ai, bi int // line numbers (0-based) in a and b where the op stands
}

// appendLines appends the lines of s to out: strings.Split(s, "\n") less
// the empty line after a final newline.
func appendLines(out []string, s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return out
	}
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			return append(out, s)
		}
		out = append(out, s[:i])
		s = s[i+1:]
	}
}

// appendDiff aligns two line lists by their longest common subsequence
// and appends the operations to ops.
func appendDiff(ops []diffOp, x, y []string) []diffOp {
	// Common head and tail need no table.
	head := 0
	for head < len(x) && head < len(y) && x[head] == y[head] {
		head++
	}
	tail := 0
	for tail < len(x)-head && tail < len(y)-head && x[len(x)-1-tail] == y[len(y)-1-tail] {
		tail++
	}
	// Of the common head and tail, only the lines next to the middle
	// can be shown, as context: the others are left out. render gives
	// the same hunks, since each operation carries its line numbers and
	// a run of unchanged lines that reaches the end is cut at the
	// context either way.
	keepHead, keepTail := min(head, diffContext), min(tail, diffContext)
	mx, my := x[head:len(x)-tail], y[head:len(y)-tail]
	ops = slices.Grow(ops, keepHead+len(mx)+len(my)+keepTail)
	for i := head - keepHead; i < head; i++ {
		ops = append(ops, diffOp{' ', x[i], i, i})
	}
	ops = lcsOps(ops, mx, my, head, head)
	for k := 0; k < keepTail; k++ {
		i, j := len(x)-tail+k, len(y)-tail+k
		ops = append(ops, diffOp{' ', x[i], i, j})
	}
	return ops
}

// lcsOps appends to ops the diff of the middle parts; ao and bo are their
// offsets.
func lcsOps(ops []diffOp, x, y []string, ao, bo int) []diffOp {
	n, m := len(x), len(y)
	if n*m > maxDiffCells || n == 0 || m == 0 {
		for i, s := range x {
			ops = append(ops, diffOp{'-', s, ao + i, bo})
		}
		for j, s := range y {
			ops = append(ops, diffOp{'+', s, ao + n, bo + j})
		}
		return ops
	}
	// Lines are compared as numbers: equal lines get the same one.
	ids := make(map[string]int32, n) // y's lines are mostly x's
	xi, yi := make([]int32, n), make([]int32, m)
	for i, line := range x {
		id, ok := ids[line]
		if !ok {
			id = int32(len(ids))
			ids[line] = id
		}
		xi[i] = id
	}
	nx := int32(len(ids)) // ids below nx are lines of x
	inY := make([]bool, nx)
	for j, line := range y {
		id, ok := ids[line]
		if !ok {
			id = int32(len(ids))
			ids[line] = id
		} else if id < nx {
			inY[id] = true
		}
		yi[j] = id
	}
	// A line of one text that the other lacks is in no common
	// subsequence: the LCS of x[i:] and y[j:] is that of the two with
	// such lines left out. The table is made over what is left, kx and
	// ky, and read at the original places through cx and cy (cx[i] is
	// how many lines of x before i are kept), so that the walk below
	// takes the very steps it took over the full table of lengths
	// (lcsOpsRef in the tests).
	var kx, ky []int32
	cx, cy := make([]int32, n+1), make([]int32, m+1)
	for i, id := range xi {
		cx[i] = int32(len(kx))
		if inY[id] {
			kx = append(kx, id)
		}
	}
	cx[n] = int32(len(kx))
	for j, id := range yi {
		cy[j] = int32(len(ky))
		if id < nx {
			ky = append(ky, id)
		}
	}
	cy[m] = int32(len(ky))
	// The kept lines are numbered anew, densely, for the table's masks.
	dense := make([]int32, nx)
	for i := range dense {
		dense[i] = -1
	}
	k := int32(0)
	for j, id := range ky {
		if dense[id] < 0 {
			dense[id] = k
			k++
		}
		ky[j] = dense[id]
	}
	for i, id := range kx {
		kx[i] = dense[id] // every kept line of x is in y
	}
	// l(i, j) is the LCS length of x[i:] and y[j:].
	lcs := newLCSRows(kx, ky, k)
	l := func(i, j int) int32 { return lcs.at(int(cx[i]), int(cy[j])) }
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && xi[i] == yi[j]:
			ops = append(ops, diffOp{' ', x[i], ao + i, bo + j})
			i++
			j++
		case j == m || (i < n && l(i+1, j) >= l(i, j+1)):
			ops = append(ops, diffOp{'-', x[i], ao + i, bo + j})
			i++
		default:
			ops = append(ops, diffOp{'+', y[j], ao + i, bo + j})
			j++
		}
	}
	return ops
}

// lcsRows answers "how long is the LCS of a[i:] and b[j:]?" for two
// sequences of line numbers, from the rows of the LCS table kept as bit
// vectors (Allison and Dix; Hyyrö): a row of b's length costs a word
// operation per 64 lines instead of one per line, and little memory.
//
// The sequences are taken backwards, a' = reverse(a) and b' = reverse(b),
// so that the suffixes asked about are prefixes: the LCS of a[i:] and
// b[j:] is that of a'[:len(a)-i] and b'[:len(b)-j]. Row k, after k lines
// of a', has bit c clear when the LCS of a'[:k] with b'[:c+1] is one more
// than with b'[:c]: the LCS with b'[:c] is the number of clear bits below
// c.
type lcsRows struct {
	n, m, words int
	rows        []uint64 // row k at rows[k*words:]
	// ones[k*(words+1)+w] counts the set bits of row k below word w.
	ones []int32
}

// newLCSRows builds the rows for a and b, whose line numbers are below
// k.
func newLCSRows(a, b []int32, k int32) *lcsRows {
	n, m := len(a), len(b)
	words := (m + 63) / 64
	t := &lcsRows{n: n, m: m, words: words, rows: make([]uint64, (n+1)*words), ones: make([]int32, (n+1)*(words+1))}
	// match[id*words:] has bit c set when b'[c] is line id.
	match := make([]uint64, int(k)*words)
	for c := 0; c < m; c++ {
		id := int(b[m-1-c])
		match[id*words+c/64] |= 1 << (c % 64)
	}
	row := t.rows[:words]
	for w := range row {
		row[w] = ^uint64(0)
	}
	t.count(0)
	for k := 1; k <= n; k++ {
		prev, cur := t.rows[(k-1)*words:k*words], t.rows[k*words:(k+1)*words]
		id := int(a[n-k])
		mask := match[id*words : (id+1)*words]
		var carry uint64
		for w := range cur {
			v := prev[w]
			sum, c := bits.Add64(v, v&mask[w], carry)
			carry = c
			cur[w] = sum | v&^mask[w]
		}
		t.count(k)
	}
	return t
}

func (t *lcsRows) count(k int) {
	row, ones := t.rows[k*t.words:(k+1)*t.words], t.ones[k*(t.words+1):(k+1)*(t.words+1)]
	for w, v := range row {
		ones[w+1] = ones[w] + int32(bits.OnesCount64(v))
	}
}

// at is the LCS length of a[i:] and b[j:].
func (t *lcsRows) at(i, j int) int32 {
	k, c := t.n-i, t.m-j // the LCS of a'[:k] and b'[:c]
	w, r := c/64, c%64
	set := t.ones[k*(t.words+1)+w]
	if r > 0 {
		set += int32(bits.OnesCount64(t.rows[k*t.words+w] & (1<<r - 1)))
	}
	return int32(c) - set
}
