// Package npmpack fetches a pinned npm package and unpacks it, for the
// generators of the data the binary embeds, and writes their output in
// one step.
package npmpack

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Package is the directory of package name at version: src when given
// (a package unpacked beforehand), else the package fetched with npm into
// a temporary directory, which done removes.
func Package(src, name, version string) (dir string, done func(), err error) {
	if src != "" {
		return src, func() {}, nil
	}
	tmp, err := os.MkdirTemp("", "npmpack")
	if err != nil {
		return "", nil, fmt.Errorf("temporary directory: %w", err)
	}
	dir, err = Fetch(tmp, name, version)
	if err != nil {
		os.RemoveAll(tmp)
		return "", nil, err
	}
	return dir, func() { os.RemoveAll(tmp) }, nil
}

// Fetch downloads the tarball of package name at version into dir with npm
// and unpacks it there, returning the package directory.
func Fetch(dir, name, version string) (string, error) {
	cmd := exec.Command("npm", "pack", name+"@"+version, "--pack-destination", dir)
	cmd.Stderr = os.Stderr
	outb, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("npm pack %s@%s: %w", name, version, err)
	}
	lines := strings.Fields(string(outb))
	if len(lines) == 0 {
		return "", fmt.Errorf("npm pack %s@%s: no tarball named", name, version)
	}
	tgz := filepath.Join(dir, lines[len(lines)-1])
	dest := filepath.Join(dir, "x")
	if err := untar(tgz, dest); err != nil {
		return "", fmt.Errorf("unpack %s: %w", tgz, err)
	}
	pkg := filepath.Join(dest, "package")
	var meta struct{ Version string }
	if err := ReadJSON(filepath.Join(pkg, "package.json"), &meta); err != nil {
		return "", err
	}
	if meta.Version != version {
		return "", fmt.Errorf("npm pack gave version %s, want %s", meta.Version, version)
	}
	return pkg, nil
}

// untar unpacks the regular files of the gzipped tarball tgz under dest,
// refusing a path that would leave it.
func untar(tgz, dest string) error {
	f, err := os.Open(tgz)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		name := filepath.Clean(h.Name)
		if filepath.IsAbs(name) || name == ".." || strings.HasPrefix(name, ".."+string(filepath.Separator)) {
			return fmt.Errorf("unsafe path %q in archive", h.Name)
		}
		p := filepath.Join(dest, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		w, err := os.Create(p)
		if err != nil {
			return err
		}
		if _, err := io.Copy(w, tr); err != nil {
			w.Close()
			return err
		}
		if err := w.Close(); err != nil {
			return err
		}
	}
}

// WriteFile writes data to name through a temporary file, so that an
// interrupted run leaves the old file whole.
func WriteFile(name string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, name)
}

// ReadJSON decodes the JSON file name into v.
func ReadJSON(name string, v any) error {
	b, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode %s: %w", name, err)
	}
	return nil
}
