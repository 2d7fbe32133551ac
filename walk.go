package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/review"
	"github.com/policycheck/policycheck/assistant/suppress"
	"github.com/policycheck/policycheck/internal/gitignore"
)

// noPolicyFiles says why a directory gave nothing to review; it names
// the extensions read and what skipDir skips.
var noPolicyFiles = "no policy file found: searched for " + policy.ExtensionList("and") + " files, " +
	"outside hidden directories, node_modules, testdata and what .gitignore and exclusions leave out"

// errUnreadable is the kind of error of an input that could not be opened
// or read at all; the reader's own kinds are about what it holds.
const errUnreadable policy.ErrorKind = "unreadable"

// defaultMaxSize is the largest file read: every AWS managed policy as
// people save it (AWSSupportServiceRolePolicy pretty-printed with four
// spaces is 226 KB) with room to spare. Slack keeps the reader's 100 KB.
const defaultMaxSize = 512 << 10

// maxScan is how much of a file over the size limit is searched for
// anything IAM before it is skipped as not a policy.
const maxScan = 64 << 20

// input is one thing to review, and where it came from.
type input struct {
	review.Input
	// walked is true for a file found in a directory: one that is not a
	// policy is skipped there, and an error when named.
	walked bool
	// src is the index of the argument it comes from.
	src int
	// cfg is the configuration that applies to it (nil: none).
	cfg *suppress.Config
	// load, when not nil, reads the file: a file found in a directory is
	// read by the worker that reviews it, so that reading and reviewing
	// overlap.
	load func() review.Input
}

// source is one argument: a file, a directory or standard input.
type source struct {
	path string
	dir  bool
	cfg  *suppress.Config
	err  error // why it cannot be read, found when it was looked at
}

// walker gathers the inputs of a run.
type walker struct {
	maxSize  int64
	excludes []string // --exclude patterns, relative to each directory walked
	stdin    io.Reader
	// folders are the module files of the folders of Terraform files
	// named alone, read once each (see siblings).
	folders map[string][]moduleFile
}

// collect gathers the named inputs; directories are searched recursively
// for policy files. An input that cannot be read is kept, with its error,
// so that it is reported in its place (also in JSON) and gives status 2.
func (w *walker) collect(srcs []source) []input {
	var inputs []input
	for i, s := range srcs {
		switch {
		case s.err != nil:
			inputs = append(inputs, input{Input: review.Input{Name: s.path, Err: s.err}, src: i, cfg: s.cfg})
		case s.path == "-":
			inputs = append(inputs, input{Input: w.readAll("-", w.stdin, 0), src: i, cfg: s.cfg})
		case s.dir:
			inputs = append(inputs, w.walk(s.path, i, s.cfg)...)
		default:
			in := w.readInput(s.path, false)
			if k, ok := policy.KindOf(filepath.Base(s.path)); ok && k == policy.KindTerraform && in.Err == nil {
				in.Module = w.siblings(s.path)
			}
			inputs = append(inputs, input{Input: in, src: i, cfg: s.cfg})
		}
	}
	return inputs
}

// siblings is what a Terraform file named alone (as pre-commit names the
// files that changed) is read with: the other files of its folder that
// declare variables or locals, within the size limit. A folder is read
// once however many of its files are named.
func (w *walker) siblings(path string) [][]byte {
	dir := filepath.Dir(path)
	files, ok := w.folders[dir]
	if !ok {
		entries, _ := os.ReadDir(dir) // an unreadable folder has none
		for _, e := range entries {
			name := filepath.Join(dir, e.Name())
			if k, ok := policy.KindOf(e.Name()); !ok || k != policy.KindTerraform || !e.Type().IsRegular() {
				continue
			}
			if info, err := e.Info(); err != nil || info.Size() > w.maxSize {
				continue
			}
			if data, err := os.ReadFile(name); err == nil && declares(data) {
				files = append(files, moduleFile{name, data})
			}
		}
		if w.folders == nil {
			w.folders = map[string][]moduleFile{}
		}
		w.folders[dir] = files
	}
	return moduleOf(files, filepath.Join(dir, filepath.Base(path)))
}

// walk searches dir recursively for policy files. A file or directory that
// cannot be read is kept as an input with its error and the walk goes on:
// one bad entry must not hide the others. Hidden directories,
// node_modules, testdata, the configuration file, what the .gitignore
// files inside dir ignore and what the exclusions name are left out.
func (w *walker) walk(dir string, src int, cfg *suppress.Config) []input {
	var inputs []input
	var ignore gitignore.Matcher
	add := func(in review.Input) { inputs = append(inputs, input{Input: in, walked: true, src: src, cfg: cfg}) }
	// os.DirFS, unlike filepath.WalkDir, follows dir itself when it is a
	// symbolic link. The callback never fails, so neither does WalkDir.
	fsys := os.DirFS(dir)
	_ = fs.WalkDir(fsys, ".", func(rel string, d fs.DirEntry, err error) error {
		path := filepath.Join(dir, filepath.FromSlash(rel))
		if err != nil {
			// A directory that cannot be listed: WalkDir goes on with its
			// siblings.
			add(review.Input{Name: path, Err: unreadable(err)})
			return nil
		}
		if d.IsDir() {
			if rel != "." && (skipDir(d.Name()) || ignore.Ignored(rel, true) || w.excluded(rel, path, true, cfg)) {
				return fs.SkipDir
			}
			if data, err := fs.ReadFile(fsys, filepath.ToSlash(filepath.Join(rel, ".gitignore"))); err == nil {
				ignore.Add(rel, data)
			}
			return nil
		}
		k, ok := policy.KindOf(d.Name())
		if !ok || d.Name() == suppress.ConfigName || ignore.Ignored(rel, false) || w.excluded(rel, path, false, cfg) {
			return nil
		}
		if k == policy.KindTerraform {
			// Read now: the files they load as policies take their type
			// (loadedTypes) before any review starts.
			add(w.readEntry(path, d))
			return nil
		}
		inputs = append(inputs, input{Input: review.Input{Name: path}, walked: true, src: src, cfg: cfg,
			load: func() review.Input { return w.readEntry(path, d) }})
		return nil
	})
	modules(inputs)
	return inputs
}

// maxModuleFiles bounds the other files a Terraform file is read with.
const maxModuleFiles = 32

// moduleFile is a .tf file of a module that declares variables or locals
// (variables.tf and locals.tf, usually): what the module's other files
// are read with.
type moduleFile struct {
	path string
	data []byte
}

// declares reports a Terraform file that declares variables or locals.
func declares(data []byte) bool {
	return bytes.Contains(data, []byte("variable")) || bytes.Contains(data, []byte("locals"))
}

// moduleOf is what the file at path is read with: the module's other
// files that declare, at most maxModuleFiles.
func moduleOf(files []moduleFile, path string) [][]byte {
	var out [][]byte
	for _, f := range files {
		if f.path != path && len(out) < maxModuleFiles {
			out = append(out, f.data)
		}
	}
	return out
}

// modules gives each Terraform file found in a directory the other files
// of its module (the .tf files of the same directory): Terraform reads a
// module as one.
func modules(inputs []input) {
	var tf []int
	byDir := map[string][]moduleFile{}
	for i, in := range inputs {
		if k, ok := policy.KindOf(filepath.Base(in.Name)); ok && k == policy.KindTerraform && in.Err == nil && in.load == nil {
			tf = append(tf, i)
			if declares(in.Data) {
				dir := filepath.Dir(in.Name)
				byDir[dir] = append(byDir[dir], moduleFile{in.Name, in.Data})
			}
		}
	}
	for _, i := range tf {
		inputs[i].Module = moduleOf(byDir[filepath.Dir(inputs[i].Name)], inputs[i].Name)
	}
}

// excluded reports whether --exclude (relative to the directory walked)
// or the configuration's exclude (relative to its own directory) names a
// path.
func (w *walker) excluded(rel, path string, isDir bool, cfg *suppress.Config) bool {
	for _, p := range w.excludes {
		if gitignore.Match(p, rel, isDir) {
			return true
		}
	}
	if cfg == nil || len(cfg.Exclude) == 0 {
		return false
	}
	abs, err1 := filepath.Abs(path)
	base, err2 := filepath.Abs(cfg.Dir)
	if err1 != nil || err2 != nil {
		return false
	}
	crel, err := filepath.Rel(base, abs)
	if err != nil || strings.HasPrefix(crel, "..") {
		return false
	}
	for _, p := range cfg.Exclude {
		if gitignore.Match(p, filepath.ToSlash(crel), isDir) {
			return true
		}
	}
	return false
}

// skipDir tells the directories a search does not enter: hidden ones and
// those that hold others' files.
func skipDir(name string) bool {
	return strings.HasPrefix(name, ".") || name == "node_modules" || name == "testdata"
}

// readEntry reads a file found in a directory. Only regular files are
// read, also through a symbolic link: a named pipe would stop the walk
// until someone writes to it, and a device may never end.
func (w *walker) readEntry(path string, d fs.DirEntry) review.Input {
	if !d.Type().IsRegular() {
		info, err := os.Stat(path)
		if err != nil {
			return review.Input{Name: path, Err: unreadable(err)}
		}
		if !info.Mode().IsRegular() {
			return review.Input{Name: path, Err: &policy.Error{Kind: errUnreadable, Msg: "not a regular file"}}
		}
	}
	return w.readInput(path, true)
}

// readInput reads a named file, refusing a regular file over the limit
// before reading it. Anything else (a pipe, a process substitution) is
// read up to the limit. A file found in a directory that is over the
// limit and holds nothing IAM (a package-lock.json) is not a policy.
func (w *walker) readInput(path string, walked bool) review.Input {
	f, err := os.Open(path)
	if err != nil {
		return review.Input{Name: path, Err: unreadable(err)}
	}
	defer f.Close()
	var size int64
	if info, err := f.Stat(); err == nil && info.Mode().IsRegular() {
		if size = info.Size(); size > w.maxSize {
			err := w.tooLarge(size)
			if walked && !policy.MentionsIAM(bufio.NewReader(io.LimitReader(f, maxScan))) {
				err = &policy.Error{Kind: policy.ErrNoPolicy, Msg: err.Msg + ", and nothing in it looks like an IAM policy"}
			}
			return review.Input{Name: path, Err: err}
		}
	}
	return w.readAll(path, f, size)
}

// readAll reads r up to one byte over the limit, enough to tell that an
// input is too large without reading all of it; size is what r is
// expected to hold (0: unknown), read into one buffer.
func (w *walker) readAll(name string, r io.Reader, size int64) review.Input {
	in := review.Input{Name: name, MaxBytes: int(w.maxSize)}
	b := bytes.NewBuffer(make([]byte, 0, size+bytes.MinRead))
	_, err := b.ReadFrom(io.LimitReader(r, w.maxSize+1))
	data := b.Bytes()
	switch {
	case err != nil:
		in.Err = unreadable(err)
	case int64(len(data)) > w.maxSize:
		in.Err = w.tooLarge(-1)
	default:
		in.Data = data
	}
	return in
}

// tooLarge is the error for an input over the limit. size is -1 when the
// input was cut off after the limit (standard input, a pipe): the message
// then claims nothing about a size it did not measure.
func (w *walker) tooLarge(size int64) *policy.Error {
	what := "more than " + kb(w.maxSize)
	if size >= 0 {
		what = fmt.Sprintf("%s bytes (%s KB)", thousands(size), thousands((size+1023)/1024))
	}
	return &policy.Error{Kind: policy.ErrTooLarge, Msg: fmt.Sprintf("the input is %s; the limit is %s (%s bytes): raise it with --max-size",
		what, kb(w.maxSize), thousands(w.maxSize))}
}

// kb writes a size in KB when it is a whole number of them, else in
// bytes.
func kb(n int64) string {
	if n%1024 == 0 {
		return thousands(n/1024) + " KB"
	}
	return thousands(n) + " bytes"
}

// thousands writes n with commas between groups of three digits, so that
// a size in bytes can be read at a glance.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// parseSize reads --max-size: bytes, or a number of KB or MB (of 1,024),
// "300000", "512KB", "1M".
func parseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"K", 1 << 10}, {"M", 1 << 20}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 || n > (1<<40)/mult {
		return 0, fmt.Errorf("--max-size must be a size such as 300000, 512KB or 1MB, not %q", s)
	}
	return n * mult, nil
}

// unreadable is the error for an input that could not be opened or read.
// The path in err is dropped: the input's name is printed before it.
func unreadable(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &policy.Error{Kind: errUnreadable, Msg: fmt.Sprintf("cannot %s: %v", pathOp(pe.Op), pe.Err)}
	}
	return &policy.Error{Kind: errUnreadable, Msg: fmt.Sprintf("cannot read: %v", err)}
}

// pathOp says in words what a system call named in a *fs.PathError was
// doing.
func pathOp(op string) string {
	switch op {
	case "stat", "lstat":
		return "access"
	case "readdirent", "readdir":
		return "list"
	}
	return op
}
