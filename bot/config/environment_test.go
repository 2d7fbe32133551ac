package config

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

// envReaders are the functions that read the environment, by import path.
var envReaders = map[string][]string{
	"os":      {"Getenv", "LookupEnv", "Environ", "ExpandEnv"},
	"syscall": {"Getenv", "Environ"},
}

// envPackages read the environment as a whole: envconfig, and the AWS
// SDK's configuration chain (config.LoadDefaultConfig).
var envPackages = []string{
	"github.com/kelseyhightower/envconfig",
	"github.com/aws/aws-sdk-go-v2/config",
}

// TestAssistantReadsNoEnvironment: configuration is read here, at the
// edge; no program file under assistant/ reads the environment, so that
// what a review needs is handed to it. (Tests may set or read variables.)
func TestAssistantReadsNoEnvironment(t *testing.T) {
	root := filepath.Join("..", "..", "assistant")
	fset := token.NewFileSet()
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files++
		for _, p := range envUses(f) {
			t.Errorf("%s reads the environment (%s); read it in bot/config and hand the value in", fset.Position(p.pos), p.what)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 20 {
		t.Fatalf("only %d files scanned under %s", files, root)
	}
}

type envUse struct {
	pos  token.Pos
	what string
}

// envUses lists where f reads the environment.
func envUses(f *ast.File) []envUse {
	var uses []envUse
	names := map[string]string{} // local name → import path of envReaders
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		for _, p := range envPackages {
			if path == p {
				uses = append(uses, envUse{imp.Pos(), "imports " + path})
			}
		}
		if _, ok := envReaders[path]; ok {
			name := filepath.Base(path)
			if imp.Name != nil {
				name = imp.Name.Name
			}
			names[name] = path
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		x, ok := sel.X.(*ast.Ident)
		if !ok {
			return true
		}
		path, ok := names[x.Name]
		if !ok {
			return true
		}
		for _, fn := range envReaders[path] {
			if sel.Sel.Name == fn {
				uses = append(uses, envUse{sel.Pos(), path + "." + fn})
			}
		}
		return true
	})
	return uses
}

func TestEnvUses(t *testing.T) {
	const src = `package p

import (
	"os"
	sys "syscall"
	"github.com/kelseyhightower/envconfig"
)

var a = os.Getenv("A")
var b, _ = sys.Getenv("B")
var c = os.Args
func d() { envconfig.Process("", nil) }
`
	f, err := parser.ParseFile(token.NewFileSet(), "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range envUses(f) {
		got = append(got, u.what)
	}
	want := "imports github.com/kelseyhightower/envconfig, os.Getenv, syscall.Getenv"
	if strings.Join(got, ", ") != want {
		t.Errorf("envUses = %v, want %s", got, want)
	}
}
