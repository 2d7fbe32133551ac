package policy

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// describe writes what an entity holds in one line per fact.
func describe(e *Entity) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", e.Kind, e.Name)
	if !e.Declared {
		b.WriteString(" (not declared)")
	}
	b.WriteString("\n")
	for _, d := range e.Policies {
		fmt.Fprintf(&b, "  policy %s line %d\n", d.Name, d.Pos.Line)
	}
	for _, g := range e.Groups {
		fmt.Fprintf(&b, "  group %s\n", g.Name)
	}
	if e.Trust != nil {
		fmt.Fprintf(&b, "  trust %s\n", e.Trust.Name)
	}
	for _, u := range e.Unknown {
		fmt.Fprintf(&b, "  unknown %s line %d\n", u.Ref, u.Pos.Line)
	}
	return b.String()
}

func TestEntities(t *testing.T) {
	for _, name := range []string{"app.yaml", "app.tf"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", "entities", name)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Read(data, Options{Name: name})
			if err != nil {
				t.Fatal(err)
			}
			var got strings.Builder
			for _, e := range res.Entities {
				got.WriteString(describe(e))
			}
			for _, n := range res.Notes {
				fmt.Fprintf(&got, "note line %d: %s\n", n.Pos.Line, n.Message)
			}
			golden(t, path+".golden", got.String())
		})
	}
}

// golden compares got with a golden file; -update rewrites it.
func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("%s: got\n%s\nwant\n%s", path, got, want)
	}
}
