package report

import (
	"fmt"
	"strings"
)

// diffContext is how many unchanged lines surround each change.
const diffContext = 2

// maxDiffCells bounds the LCS table; longer texts are compared after
// their common head and tail are cut, and beyond that shown as replaced.
const maxDiffCells = 4 << 20

// Diff is a compact line diff of two texts (two JSON policies) for the
// terminal: changed lines prefixed "-" (only in a) and "+" (only in b),
// with two lines of context, hunks headed "@@ -l,n +l,n @@" as in a
// unified diff. It is empty when the texts are equal.
func Diff(a, b []byte) string {
	x, y := lines(string(a)), lines(string(b))
	ops := diffLines(x, y)
	var out strings.Builder
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
		fmt.Fprintf(&out, "@@ -%d,%d +%d,%d @@\n", aStart, aN, bStart, bN)
		for _, op := range ops[lo:hi] {
			out.WriteByte(op.kind)
			out.WriteString(op.text)
			out.WriteByte('\n')
		}
		start = hi
	}
	return out.String()
}

type diffOp struct {
	kind   byte // ' ', '-', '+'
	text   string
	ai, bi int // line numbers (0-based) in a and b where the op stands
}

func lines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// diffLines aligns two line lists by their longest common subsequence.
func diffLines(x, y []string) []diffOp {
	// Common head and tail need no table.
	head := 0
	for head < len(x) && head < len(y) && x[head] == y[head] {
		head++
	}
	tail := 0
	for tail < len(x)-head && tail < len(y)-head && x[len(x)-1-tail] == y[len(y)-1-tail] {
		tail++
	}
	var ops []diffOp
	for i := 0; i < head; i++ {
		ops = append(ops, diffOp{' ', x[i], i, i})
	}
	mx, my := x[head:len(x)-tail], y[head:len(y)-tail]
	ops = append(ops, lcsOps(mx, my, head, head)...)
	for k := 0; k < tail; k++ {
		i, j := len(x)-tail+k, len(y)-tail+k
		ops = append(ops, diffOp{' ', x[i], i, j})
	}
	return ops
}

// lcsOps diffs the middle parts; ao and bo are their offsets.
func lcsOps(x, y []string, ao, bo int) []diffOp {
	n, m := len(x), len(y)
	var ops []diffOp
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
	ids := make(map[string]int32, n+m)
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
	// takes the very steps it took over the full table. Texts whose
	// changes add or drop whole lines (an action list narrowed) leave
	// a much smaller table.
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
	// t(i, j) is the LCS length of kx[i:] and ky[j:], in one table.
	rn, rm := len(kx), len(ky)
	w := rm + 1
	table := make([]int32, (rn+1)*w)
	t := func(i, j int) int32 { return table[i*w+j] }
	for i := rn - 1; i >= 0; i-- {
		for j := rm - 1; j >= 0; j-- {
			switch {
			case kx[i] == ky[j]:
				table[i*w+j] = t(i+1, j+1) + 1
			case t(i+1, j) >= t(i, j+1):
				table[i*w+j] = t(i+1, j)
			default:
				table[i*w+j] = t(i, j+1)
			}
		}
	}
	// l(i, j) is the LCS length of x[i:] and y[j:].
	l := func(i, j int) int32 { return table[int(cx[i])*w+int(cy[j])] }
	ops = make([]diffOp, 0, n+m)
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
