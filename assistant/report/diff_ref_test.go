package report

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// lcsOpsRef is lcsOps as it was first written, comparing lines as
// strings in a table of rows; lcsOps must give the same operations.
func lcsOpsRef(x, y []string, ao, bo int) []diffOp {
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
	l := make([][]int32, n+1)
	for i := range l {
		l[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			switch {
			case x[i] == y[j]:
				l[i][j] = l[i+1][j+1] + 1
			case l[i+1][j] >= l[i][j+1]:
				l[i][j] = l[i+1][j]
			default:
				l[i][j] = l[i][j+1]
			}
		}
	}
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && x[i] == y[j]:
			ops = append(ops, diffOp{' ', x[i], ao + i, bo + j})
			i++
			j++
		case j == m || (i < n && l[i+1][j] >= l[i][j+1]):
			ops = append(ops, diffOp{'-', x[i], ao + i, bo + j})
			i++
		default:
			ops = append(ops, diffOp{'+', y[j], ao + i, bo + j})
			j++
		}
	}
	return ops
}

func TestLCSOpsReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	words := []string{"{", "}", `"a": 1,`, `"b": 2`, "", "  ]", `"Action": "s3:*",`}
	gen := func() []string {
		out := make([]string, r.IntN(12))
		for i := range out {
			out[i] = words[r.IntN(len(words))]
		}
		return out
	}
	for range 5000 {
		x, y := gen(), gen()
		ao, bo := r.IntN(5), r.IntN(5)
		if got, want := lcsOps(nil, x, y, ao, bo), lcsOpsRef(x, y, ao, bo); !slices.Equal(got, want) {
			t.Fatalf("lcsOps(%q, %q) = %v, want %v", x, y, got, want)
		}
	}
}

// TestLCSOpsReferenceEdits compares lcsOps with lcsOpsRef on texts like
// the gate's: a policy with some lines replaced by runs of lines the
// original lacks, some dropped, some repeated, some moved.
func TestLCSOpsReferenceEdits(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	common := []string{"{", "}", "},", "  ]", `"Effect": "Allow",`, `"Resource": "*"`, `"Action": [`, `"s3:GetObject",`, ""}
	fresh := 0
	line := func() string {
		if r.IntN(3) == 0 {
			fresh++
			return fmt.Sprintf(`"svc:Action%d",`, fresh)
		}
		return common[r.IntN(len(common))]
	}
	for range 3000 {
		x := make([]string, r.IntN(40))
		for i := range x {
			x[i] = line()
		}
		y := slices.Clone(x)
		for range 1 + r.IntN(4) {
			k := r.IntN(len(y) + 1)
			switch r.IntN(4) {
			case 0: // a line replaced by new ones
				run := make([]string, 1+r.IntN(6))
				for i := range run {
					fresh++
					run[i] = fmt.Sprintf(`"svc:New%d",`, fresh)
				}
				if k < len(y) {
					y = slices.Delete(y, k, k+1)
				}
				y = slices.Insert(y, min(k, len(y)), run...)
			case 1: // lines dropped
				y = slices.Delete(y, k, min(len(y), k+1+r.IntN(3)))
			case 2: // a line repeated elsewhere
				if len(y) > 0 {
					y = slices.Insert(y, k, y[r.IntN(len(y))])
				}
			default:
				y = slices.Insert(y, k, line())
			}
		}
		ao, bo := r.IntN(5), r.IntN(5)
		if got, want := lcsOps(nil, x, y, ao, bo), lcsOpsRef(x, y, ao, bo); !slices.Equal(got, want) {
			t.Fatalf("lcsOps(%q, %q) = %v, want %v", x, y, got, want)
		}
	}
}

func FuzzLCSOps(f *testing.F) {
	f.Add("a\nb\nc", "b\nc\na")
	f.Add("{\n\"s3:*\",\n}", "{\n\"s3:GetObject\",\n\"s3:PutObject\",\n}")
	f.Fuzz(func(t *testing.T, a, b string) {
		x, y := lines(a), lines(b)
		if len(x)*len(y) > 1<<16 {
			return
		}
		if got, want := lcsOps(nil, x, y, 0, 0), lcsOpsRef(x, y, 0, 0); !slices.Equal(got, want) {
			t.Fatalf("lcsOps(%q, %q) = %v, want %v", x, y, got, want)
		}
	})
}

// TestLCSOpsReferenceLong compares lcsOps with lcsOpsRef on texts of
// several words of lines, where the bit vectors carry from word to word.
func TestLCSOpsReferenceLong(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for range 300 {
		vocab := 2 + r.IntN(30)
		gen := func(n int) []string {
			out := make([]string, n)
			for i := range out {
				out[i] = fmt.Sprint(r.IntN(vocab))
			}
			return out
		}
		x := gen(r.IntN(300))
		y := slices.Clone(x)
		for range r.IntN(20) {
			k := r.IntN(len(y) + 1)
			if r.IntN(2) == 0 && k < len(y) {
				y = slices.Delete(y, k, min(len(y), k+1+r.IntN(5)))
			} else {
				y = slices.Insert(y, k, gen(1+r.IntN(5))...)
			}
		}
		if r.IntN(4) == 0 {
			y = gen(r.IntN(300))
		}
		if got, want := lcsOps(nil, x, y, 0, 0), lcsOpsRef(x, y, 0, 0); !slices.Equal(got, want) {
			t.Fatalf("lcsOps differs from lcsOpsRef on %d and %d lines", len(x), len(y))
		}
	}
}

// diffLinesFull is appendDiff keeping every line of the common head and
// tail; Diff must show the same hunks.
func diffLinesFull(x, y []string) []diffOp {
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
	ops = append(ops, lcsOpsRef(x[head:len(x)-tail], y[head:len(y)-tail], head, head)...)
	for k := 0; k < tail; k++ {
		i, j := len(x)-tail+k, len(y)-tail+k
		ops = append(ops, diffOp{' ', x[i], i, j})
	}
	return ops
}

// TestDiffReference compares Diff with the hunks of every operation, on
// edits near the ends and in the middle of texts of a few words.
func TestDiffReference(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for range 3000 {
		x := make([]string, r.IntN(60))
		for i := range x {
			x[i] = fmt.Sprint(r.IntN(8))
		}
		y := slices.Clone(x)
		for range r.IntN(4) {
			k := r.IntN(len(y) + 1)
			switch r.IntN(3) {
			case 0:
				if k < len(y) {
					y = slices.Delete(y, k, k+1)
				}
			case 1:
				y = slices.Insert(y, k, fmt.Sprint(r.IntN(10)))
			default:
				y = slices.Insert(y, k, "new")
			}
		}
		a, b := strings.Join(x, "\n"), strings.Join(y, "\n")
		if got, want := Diff([]byte(a), []byte(b)), renderRef(diffLinesFull(lines(a), lines(b))); got != want {
			t.Fatalf("Diff(%q, %q) =\n%s\nwant\n%s", a, b, got, want)
		}
	}
}

// renderRef is render as first written, with fmt and a strings.Builder.
func renderRef(ops []diffOp) string {
	var out strings.Builder
	for start := 0; start < len(ops); {
		for start < len(ops) && ops[start].kind == ' ' {
			start++
		}
		if start == len(ops) {
			break
		}
		lo := max(0, start-diffContext)
		end := start
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
