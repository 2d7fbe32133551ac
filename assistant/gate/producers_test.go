package gate

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// producers are the functions that propose a rewritten policy. Each passes
// its candidates through Gate.Accept; each has a test that the gate's
// refusals reach the user (a template read through Fn::If, a rewrite over
// AWS's quota):
//   - suggest.Suggest, the engine's suggestion: TestSuggestGoesThroughGate
//     in assistant/suggest;
//   - review.consultModel, the model's suggestion in a review, and
//     review.Ask, a rewrite in a follow-up answer: TestProducersUseGate in
//     assistant/review, and TestFollowUpRewriteWithheld in bot/e2e;
//   - review.Generate, a policy compiled from an intent (a description
//     the model turned into a spec, or a spec file), through
//     Gate.AcceptGenerated: TestGenerateGoesThroughGate in
//     assistant/review.
var producers = []string{
	"assistant/review.(*Reviewer).Ask",
	"assistant/review.(*Reviewer).Generate",
	"assistant/review.(*Reviewer).consultModel",
	"assistant/suggest.Suggest",
}

const gateImport = "github.com/policycheck/policycheck/assistant/gate"

// TestEveryProducerCallsTheGate reads the module's source: the functions
// that call Gate.Accept (or another of its Accept methods) are exactly
// the producers above, and no code
// outside this package builds a report.Suggestion, so that nothing shown
// as a suggestion can bypass the gate.
func TestEveryProducerCallsTheGate(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	var callers []string
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		pkg := filepath.ToSlash(filepath.Dir(rel))
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		gateName := ""
		reportName := ""
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			name := filepath.Base(p)
			if imp.Name != nil {
				name = imp.Name.Name
			}
			switch p {
			case gateImport:
				gateName = name
			case "github.com/policycheck/policycheck/assistant/report":
				reportName = name
			}
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			calls := false
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CallExpr:
					if sel, ok := n.Fun.(*ast.SelectorExpr); ok && strings.HasPrefix(sel.Sel.Name, "Accept") && gateName != "" {
						calls = true
					}
				case *ast.CompositeLit:
					if sel, ok := n.Type.(*ast.SelectorExpr); ok && reportName != "" && pkg != "assistant/gate" {
						if x, ok := sel.X.(*ast.Ident); ok && x.Name == reportName && sel.Sel.Name == "Suggestion" {
							t.Errorf("%s: %s builds a report.Suggestion outside the gate", fset.Position(n.Pos()), funcName(fn))
						}
					}
				}
				return true
			})
			if calls {
				callers = append(callers, pkg+"."+funcName(fn))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(callers)
	if !slices.Equal(callers, producers) {
		t.Errorf("the functions calling Gate.Accept are\n\t%s\nwant the producers\n\t%s\n(a new producer goes in the list, with a test that the gate's refusals reach the user)",
			strings.Join(callers, "\n\t"), strings.Join(producers, "\n\t"))
	}
}

func funcName(fn *ast.FuncDecl) string {
	if fn.Recv == nil || len(fn.Recv.List) == 0 {
		return fn.Name.Name
	}
	typ := fn.Recv.List[0].Type
	star := ""
	if s, ok := typ.(*ast.StarExpr); ok {
		typ, star = s.X, "*"
	}
	if id, ok := typ.(*ast.Ident); ok {
		return "(" + star + id.Name + ")." + fn.Name.Name
	}
	return fn.Name.Name
}
