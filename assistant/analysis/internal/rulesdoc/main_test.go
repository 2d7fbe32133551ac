package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/rules"
)

// docFile is docs/rules.md from this package's directory.
const docFile = "../../../../docs/rules.md"

func TestDocIsCurrent(t *testing.T) {
	var b bytes.Buffer
	if err := write(&b, iamref.Default(), rules.All()); err != nil {
		t.Fatal(err)
	}
	have, err := os.ReadFile(docFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(have, b.Bytes()) {
		t.Errorf("docs/rules.md is stale: run go generate ./assistant/analysis")
	}
}

// TestExamples reviews every rule's example and checks that it triggers
// the rule.
func TestExamples(t *testing.T) {
	all := rules.All()
	if len(all) == 0 {
		t.Fatal("no rule registered")
	}
	for _, r := range all {
		if r.Retired != "" {
			continue
		}
		if _, _, err := runExample(iamref.Default(), r); err != nil {
			t.Error(err)
		}
	}
}

// TestAreas checks that every id falls in an area docs/rules.md names.
func TestAreas(t *testing.T) {
	for _, r := range rules.All() {
		found := false
		for _, a := range areas {
			found = found || strings.HasPrefix(r.ID, a.prefix)
		}
		if !found {
			t.Errorf("%s %s: no area for its id", r.ID, r.Name)
		}
	}
}

func TestAbbreviate(t *testing.T) {
	short := "a\nb\nc"
	if got := abbreviate(short); got != short {
		t.Errorf("abbreviate(short) = %q", got)
	}
	long := strings.Repeat("x\n", 20) + "end"
	if got, want := abbreviate(long), "x\nx\nx\n  …\nx\nend"; got != want {
		t.Errorf("abbreviate(long) = %q, want %q", got, want)
	}
}
