package npmpack

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"
)

// tarball writes a gzipped tarball of files (name -> content) to a file.
func tarball(t *testing.T, files map[string]string) string {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	tw := tar.NewWriter(zw)
	for name, body := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "p.tgz")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestUntar(t *testing.T) {
	dest := t.TempDir()
	if err := untar(tarball(t, map[string]string{"package/package.json": `{"version": "1.0.0"}`, "package/dist/a.json": "[]"}), dest); err != nil {
		t.Fatal(err)
	}
	var meta struct{ Version string }
	if err := ReadJSON(filepath.Join(dest, "package", "package.json"), &meta); err != nil || meta.Version != "1.0.0" {
		t.Fatalf("package.json: %+v, %v", meta, err)
	}
	if b, err := os.ReadFile(filepath.Join(dest, "package", "dist", "a.json")); err != nil || string(b) != "[]" {
		t.Fatalf("dist/a.json: %q, %v", b, err)
	}
}

func TestUntarRefusesEscape(t *testing.T) {
	for _, name := range []string{"../evil", "package/../../evil", "/etc/evil"} {
		dest := t.TempDir()
		if err := untar(tarball(t, map[string]string{name: "x"}), dest); err == nil {
			t.Errorf("%s: unpacked, want it refused", name)
		}
	}
}

func TestWriteFile(t *testing.T) {
	name := filepath.Join(t.TempDir(), "data", "out.dat")
	if err := WriteFile(name, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(name, []byte("two")); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(name); err != nil || string(b) != "two" {
		t.Fatalf("%q, %v", b, err)
	}
	if _, err := os.Stat(name + ".tmp"); !os.IsNotExist(err) {
		t.Errorf("the temporary file is left: %v", err)
	}
}
