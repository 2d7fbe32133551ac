package policy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestArenaReuse: what a Read returns is intact after later Reads have
// reused its arena: it writes as JSON as it did when it was returned.
func TestArenaReuse(t *testing.T) {
	var paths []string
	for _, dir := range []string{"testdata/read", "testdata/account", "testdata/entities"} {
		files, err := filepath.Glob(filepath.Join(dir, "*"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if !strings.HasSuffix(f, ".golden") {
				paths = append(paths, f)
			}
		}
	}
	if len(paths) < 50 {
		t.Fatalf("only %d inputs", len(paths))
	}
	results := make([]*Result, len(paths))
	written := make([]string, len(paths))
	for i, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if results[i], err = Read(data, Options{}); err != nil {
			continue
		}
		b, err := json.Marshal(results[i])
		if err != nil {
			t.Fatal(err)
		}
		written[i] = string(b)
	}
	for i, p := range paths {
		if results[i] == nil {
			continue
		}
		if b, _ := json.Marshal(results[i]); string(b) != written[i] {
			t.Errorf("%s: the result changed after later reads", p)
		}
	}
}
