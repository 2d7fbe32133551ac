package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/review"
)

// noPolicyFiles says why a directory gave nothing to review; it names
// the extensions read and what skipDir skips.
var noPolicyFiles = "no policy file found: searched for " + policy.ExtensionList("and") + " files, " +
	"outside hidden directories, node_modules and testdata"

// errUnreadable is the kind of error of an input that could not be opened
// or read at all; the reader's own kinds are about what it holds.
const errUnreadable policy.ErrorKind = "unreadable"

type checkFlags struct {
	format    string
	typ       policy.Type
	offline   bool
	failUnder int
}

// check runs `policycheck check`.
func check(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var cf checkFlags
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cf.format, "format", "text", "output format: text or json")
	typ := fs.String("type", "", "policy type: identity, resource, trust, scp or rcp (default: detect)")
	fs.BoolVar(&cf.offline, "offline", false, "use only the built-in engine, even when Bedrock is configured")
	fs.IntVar(&cf.failUnder, "fail-under", 0, "exit 1 when a score is below N")
	fs.Usage = func() { fmt.Fprint(stderr, usage) }

	// Flags may come before or after the files.
	var paths []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0 // asked for: the usage is the answer
			}
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		paths = append(paths, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if cf.format != "text" && cf.format != "json" {
		fmt.Fprintf(stderr, "policycheck check: --format must be text or json, not %q\n", cf.format)
		return 2
	}
	t, ok := policy.ParseType(*typ)
	if !ok {
		fmt.Fprintf(stderr, "policycheck check: --type must be identity, resource, trust, scp or rcp, not %q\n", *typ)
		return 2
	}
	cf.typ = t
	if cf.failUnder < 0 || cf.failUnder > 10 {
		fmt.Fprintf(stderr, "policycheck check: --fail-under must be between 0 and 10\n")
		return 2
	}
	if len(paths) == 0 {
		fmt.Fprint(stderr, "policycheck check: name a file, a directory, or - for standard input\n\n", usage)
		return 2
	}

	cfg, err := reviewConfigFromEnv()
	if err != nil {
		fmt.Fprintf(stderr, "policycheck: %v\n", err)
		return 2
	}
	kb, err := cfg.KB(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "policycheck: %v\n", err)
		return 2
	}
	rv, err := cfg.Build(ctx, kb, cf.offline)
	if err != nil {
		fmt.Fprintf(stderr, "policycheck: %v (or review with the built-in engine only: --offline)\n", err)
		return 2
	}
	inputs, several := collect(paths, stdin)
	code := 0
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	if !several {
		enc.SetIndent("", "  ")
	}
	color := cf.format == "text" && isTerminal(stdout)
	results := reviewAll(ctx, rv, inputs, cf)
	for i, in := range inputs {
		res := <-results[i]
		rep, err := res.rep, res.err
		if err != nil {
			code = 2
			reportError(stderr, enc, cf.format, in.Name, err)
			continue
		}
		if cf.failUnder > 0 && rep.Score < cf.failUnder && code == 0 {
			code = 1
		}
		if cf.format == "json" {
			if err := enc.Encode(rep); err != nil {
				fmt.Fprintf(stderr, "policycheck: write: %v\n", err)
				return 2
			}
			continue
		}
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		if err := report.WriteText(stdout, rep, report.TextOptions{Color: color}); err != nil {
			fmt.Fprintf(stderr, "policycheck: write: %v\n", err)
			return 2
		}
	}
	return code
}

type result struct {
	rep *report.Report
	err error
}

// reviewAll reviews the inputs on as many goroutines as there are CPUs
// and hands each result back on its own channel, so that they are printed
// in the order of the inputs.
func reviewAll(ctx context.Context, rv *review.Reviewer, inputs []review.Input, cf checkFlags) []chan result {
	results := make([]chan result, len(inputs))
	for i := range results {
		results[i] = make(chan result, 1)
	}
	next := make(chan int)
	go func() {
		defer close(next)
		for i := range inputs {
			next <- i
		}
	}()
	for w := 0; w < min(runtime.GOMAXPROCS(0), len(inputs)); w++ {
		go func() {
			for i := range next {
				in := inputs[i]
				in.Type, in.Offline = cf.typ, cf.offline
				rep, err := rv.Review(ctx, in)
				results[i] <- result{rep, err}
			}
		}()
	}
	return results
}

// collect gathers the named inputs; directories are searched recursively
// for policy files. An input that cannot be read is kept, with its error,
// so that it is reported in its place (also in JSON) and gives status 2.
// several is true when more than one input or a directory was named: the
// JSON output is then one object per line, however many files were found,
// so that a script can rely on its shape.
func collect(paths []string, stdin io.Reader) (inputs []review.Input, several bool) {
	for _, p := range paths {
		if p == "-" {
			inputs = append(inputs, readAll("-", stdin))
			continue
		}
		info, err := os.Stat(p)
		switch {
		case err != nil:
			inputs = append(inputs, review.Input{Name: p, Err: unreadable(err)})
		case info.IsDir():
			several = true
			inputs = append(inputs, walk(p)...)
		default:
			inputs = append(inputs, readInput(p))
		}
	}
	return inputs, several || len(paths) > 1
}

// walk searches dir recursively for policy files. A file or directory that
// cannot be read is kept as an input with its error and the walk goes on:
// one bad entry must not hide the others. A directory with nothing to
// review is an error too, or CI would pass having checked nothing.
func walk(dir string) []review.Input {
	var inputs []review.Input
	// os.DirFS, unlike filepath.WalkDir, follows dir itself when it is a
	// symbolic link. The callback never fails, so neither does WalkDir.
	_ = fs.WalkDir(os.DirFS(dir), ".", func(rel string, d fs.DirEntry, err error) error {
		path := filepath.Join(dir, filepath.FromSlash(rel))
		if err != nil {
			// A directory that cannot be listed: WalkDir goes on with its
			// siblings.
			inputs = append(inputs, review.Input{Name: path, Err: unreadable(err)})
			return nil
		}
		if d.IsDir() {
			if rel != "." && skipDir(d.Name()) {
				return fs.SkipDir
			}
			return nil
		}
		if _, ok := policy.KindOf(d.Name()); !ok {
			return nil
		}
		inputs = append(inputs, readEntry(path, d))
		return nil
	})
	if len(inputs) == 0 {
		inputs = append(inputs, review.Input{Name: dir, Err: &policy.Error{Kind: policy.ErrNoPolicy, Msg: noPolicyFiles}})
	}
	return inputs
}

// skipDir tells the directories a search does not enter: hidden ones and
// those that hold others' files.
func skipDir(name string) bool {
	return strings.HasPrefix(name, ".") || name == "node_modules" || name == "testdata"
}

// readEntry reads a file found in a directory. Only regular files are
// read, also through a symbolic link: a named pipe would stop the walk
// until someone writes to it, and a device may never end.
func readEntry(path string, d fs.DirEntry) review.Input {
	if !d.Type().IsRegular() {
		info, err := os.Stat(path)
		if err != nil {
			return review.Input{Name: path, Err: unreadable(err)}
		}
		if !info.Mode().IsRegular() {
			return review.Input{Name: path, Err: &policy.Error{Kind: errUnreadable, Msg: "not a regular file"}}
		}
	}
	return readInput(path)
}

// readInput reads a named file, refusing a regular file over the reader's
// limit before reading it. Anything else (a pipe, a process substitution)
// is read up to the limit.
func readInput(path string) review.Input {
	f, err := os.Open(path)
	if err != nil {
		return review.Input{Name: path, Err: unreadable(err)}
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && info.Mode().IsRegular() && info.Size() > policy.MaxInputBytes {
		return review.Input{Name: path, Err: tooLarge(info.Size())}
	}
	return readAll(path, f)
}

// readAll reads r up to one byte over the reader's limit, enough to tell
// that an input is too large without reading all of it.
func readAll(name string, r io.Reader) review.Input {
	in := review.Input{Name: name}
	data, err := io.ReadAll(io.LimitReader(r, policy.MaxInputBytes+1))
	switch {
	case err != nil:
		in.Err = unreadable(err)
	case len(data) > policy.MaxInputBytes:
		in.Err = tooLarge(-1)
	default:
		in.Data = data
	}
	return in
}

// reportError tells why an input could not be reviewed: on stderr, and in
// JSON mode also as an object on stdout so that scripts see every input.
func reportError(stderr io.Writer, enc *json.Encoder, format, name string, err error) {
	var pe *policy.Error
	msg := err.Error()
	if errors.As(err, &pe) && pe.Line != "" {
		// The line in error, cut around the column (a minified policy is
		// one line of up to 100 KB), and a caret under the column.
		// Control characters in it are shown escaped, the caret counted
		// on the escaped text.
		text, col := pe.Excerpt()
		text = strings.TrimRight(text, "\r\n")
		msg = report.Printable(msg, false) + "\n    " + report.Printable(text, false)
		if col > 0 && !strings.Contains(text, "\t") {
			before := []rune(text)[:min(col-1, utf8.RuneCountInString(text))]
			msg += "\n    " + strings.Repeat(" ", utf8.RuneCountInString(report.Printable(string(before), false))) + "^"
		}
	} else {
		msg = report.Printable(msg, false)
	}
	fmt.Fprintf(stderr, "policycheck: %s: %s\n", report.Printable(name, false), msg)
	if format != "json" {
		return
	}
	type inputError struct {
		Kind    policy.ErrorKind `json:"kind,omitempty"`
		Message string           `json:"message"`
		Line    int              `json:"line,omitempty"`
		Column  int              `json:"column,omitempty"`
	}
	out := struct {
		File  string     `json:"file"`
		Error inputError `json:"error"`
	}{File: name, Error: inputError{Message: err.Error()}}
	if pe != nil {
		out.Error = inputError{Kind: pe.Kind, Message: pe.Msg}
		if pe.Pos.Line > 0 {
			out.Error.Line, out.Error.Column = pe.Pos.Line, pe.Pos.Col
		}
	}
	_ = enc.Encode(out)
}

func isTerminal(w io.Writer) bool {
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// tooLarge is the error for an input over the reader's limit. size is -1
// when the input was cut off after the limit (standard input, a pipe): the
// message then claims nothing about a size it did not measure.
func tooLarge(size int64) error {
	what := fmt.Sprintf("more than %d KB", policy.MaxInputBytes/1024)
	if size >= 0 {
		what = fmt.Sprintf("%s bytes (%s KB)", thousands(size), thousands((size+1023)/1024))
	}
	return &policy.Error{Kind: policy.ErrTooLarge, Msg: fmt.Sprintf("the input is %s; the limit is %d KB (%s bytes)",
		what, policy.MaxInputBytes/1024, thousands(policy.MaxInputBytes))}
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
