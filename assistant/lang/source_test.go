package lang

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// sourceMessages finds the messages the code translates: the literal
// format of every call to a Tag's Sprintf and Plural in the module (the
// calls to fmt.Sprintf aside), with where each is.
func sourceMessages(t *testing.T) (messages map[string]string, plurals map[string]bool) {
	t.Helper()
	root := filepath.Join("..", "..")
	messages, plurals = map[string]string{}, map[string]bool{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			// This package's own calls format messages given to it.
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata") ||
				path == filepath.Join(root, "assistant", "lang") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == "fmt" {
				return true
			}
			arg := -1
			switch sel.Sel.Name {
			case "Sprintf":
				arg = 0
			case "Plural":
				arg = 1
			}
			if arg < 0 || len(call.Args) <= arg {
				return true
			}
			s, ok := literal(call.Args[arg])
			if !ok {
				t.Errorf("%s: the message of %s is not a literal: it cannot be checked against the catalogs", fset.Position(call.Pos()), sel.Sel.Name)
				return true
			}
			messages[s] = fset.Position(call.Pos()).String()
			if arg == 1 {
				plurals[s] = true
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return messages, plurals
}

// literal is the value of a string literal, or of literals joined by +.
func literal(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		a, ok1 := literal(e.X)
		b, ok2 := literal(e.Y)
		return a + b, ok1 && ok2
	case *ast.ParenExpr:
		return literal(e.X)
	}
	return "", false
}
