package corpus

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

const (
	npmFormat = `{
  "AdministratorAccess": {
    "arn": "arn:aws:iam::aws:policy/AdministratorAccess",
    "latestVersionId": "v2",
    "versions": {
      "v1": {"document": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}},
      "v2": {"document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}
    }
  },
  "ReadOnly": {"latestVersionId": "v1", "versions": {"v1": {"document": {"Statement": {"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}}}}}
}`
	flatFormat = `{
  "AdministratorAccess": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
  "ReadOnly": {"Statement": {"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}}
}`
)

func TestLoad(t *testing.T) {
	want := map[string]string{
		"AdministratorAccess": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
		"ReadOnly":            `{"Statement":{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}}`,
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		data string
		gz   bool
	}{
		{"npm.json", npmFormat, false},
		{"npm.json.gz", npmFormat, true},
		{"flat.json", flatFormat, false},
		{"flat.json.gz", flatFormat, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte(tc.data)
			if tc.gz {
				var b bytes.Buffer
				zw := gzip.NewWriter(&b)
				zw.Write(data)
				zw.Close()
				data = b.Bytes()
			}
			path := filepath.Join(dir, tc.name)
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("Load returned %d policies, want %d", len(got), len(want))
			}
			for name, w := range want {
				var b bytes.Buffer
				if err := json.Compact(&b, got[name]); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if b.String() != w {
					t.Errorf("%s = %s, want %s", name, b.String(), w)
				}
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{
		"not-json.json":     `{"a": `,
		"no-document.json":  `{"P": {"latestVersionId": "v2", "versions": {"v1": {"document": {}}}}}`,
		"not-a-policy.json": `{"P": {"name": "x"}}`,
		"bad-gzip.json.gz":  "\x1f\x8b\x00garbage",
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(path); err == nil {
			t.Errorf("Load(%s) succeeded, want an error", name)
		}
	}
	if _, err := Load(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("Load of a missing file succeeded")
	}
}

func TestPath(t *testing.T) {
	// The corpus may or may not have been fetched; Path either returns
	// an existing file or skips.
	p := Path(t)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("Path returned %s: %v", p, err)
	}
}
