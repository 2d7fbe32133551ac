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
	"strings"

	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/review"
)

// policyExtensions are the files a directory is searched for.
var policyExtensions = map[string]bool{
	".json": true, ".yaml": true, ".yml": true, ".tf": true, ".txt": true, ".template": true,
}

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
	typ := fs.String("type", "", "policy type: identity, resource, trust or scp (default: detect)")
	fs.BoolVar(&cf.offline, "offline", false, "use only the built-in engine, even when Bedrock is configured")
	fs.IntVar(&cf.failUnder, "fail-under", 0, "exit 1 when a score is below N")
	fs.Usage = func() { fmt.Fprint(stderr, usage) }

	// Flags may come before or after the files.
	var paths []string
	for {
		if err := fs.Parse(args); err != nil {
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
		fmt.Fprintf(stderr, "policycheck check: --type must be identity, resource, trust or scp, not %q\n", *typ)
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

	cfg, err := review.ConfigFromEnv()
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
	inputs, code := collect(paths, stdin, stderr)
	jsonLines := len(inputs) > 1 || len(paths) > 1
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	if !jsonLines {
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

// collect reads every named input; directories are searched recursively
// for policy files. Unreadable paths are reported and give status 2.
func collect(paths []string, stdin io.Reader, stderr io.Writer) ([]review.Input, int) {
	var inputs []review.Input
	code := 0
	for _, p := range paths {
		if p == "-" {
			data, err := io.ReadAll(io.LimitReader(stdin, policy.MaxInputBytes+1))
			if err != nil {
				fmt.Fprintf(stderr, "policycheck: read standard input: %v\n", err)
				code = 2
				continue
			}
			in := review.Input{Name: "-", Data: data}
			if len(data) > policy.MaxInputBytes {
				in.Err = tooLarge("standard input", "more than 100 KB")
			}
			inputs = append(inputs, in)
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			fmt.Fprintf(stderr, "policycheck: %v\n", err)
			code = 2
			continue
		}
		if !info.IsDir() {
			in, err := readInput(p)
			if err != nil {
				fmt.Fprintf(stderr, "policycheck: %v\n", err)
				code = 2
				continue
			}
			inputs = append(inputs, in)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if d.IsDir() {
				if path != p && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "testdata") {
					return filepath.SkipDir
				}
				return nil
			}
			if !policyExtensions[strings.ToLower(filepath.Ext(name))] {
				return nil
			}
			in, err := readInput(path)
			if err != nil {
				return err
			}
			inputs = append(inputs, in)
			return nil
		})
		if err != nil {
			fmt.Fprintf(stderr, "policycheck: %v\n", err)
			code = 2
		}
	}
	return inputs, code
}

// readInput reads a file, refusing one over the reader's limit before
// reading it whole.
func readInput(path string) (review.Input, error) {
	f, err := os.Open(path)
	if err != nil {
		return review.Input{}, err
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && info.Size() > policy.MaxInputBytes {
		return review.Input{Name: path, Err: tooLarge(path, fmt.Sprintf("%d KB", (info.Size()+1023)/1024))}, nil
	}
	data, err := io.ReadAll(io.LimitReader(f, policy.MaxInputBytes+1))
	if err != nil {
		return review.Input{}, fmt.Errorf("read %s: %w", path, err)
	}
	return review.Input{Name: path, Data: data}, nil
}

// reportError tells why an input could not be reviewed: on stderr, and in
// JSON mode also as an object on stdout so that scripts see every input.
func reportError(stderr io.Writer, enc *json.Encoder, format, name string, err error) {
	var pe *policy.Error
	msg := err.Error()
	if errors.As(err, &pe) && pe.Line != "" {
		msg = fmt.Sprintf("%s\n    %s", msg, strings.TrimRight(pe.Line, "\r\n"))
	}
	fmt.Fprintf(stderr, "policycheck: %s: %s\n", name, msg)
	if format != "json" {
		return
	}
	out := map[string]any{"file": name, "error": map[string]any{"message": err.Error()}}
	if pe != nil {
		e := out["error"].(map[string]any)
		e["kind"] = pe.Kind
		e["message"] = pe.Msg
		if pe.Pos.Line > 0 {
			e["line"], e["column"] = pe.Pos.Line, pe.Pos.Col
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

// tooLarge is the error for an input over the reader's limit, found before
// reading it whole.
func tooLarge(name, size string) error {
	return &policy.Error{Kind: policy.ErrTooLarge, Msg: fmt.Sprintf("%s is %s; the limit is %d KB", name, size, policy.MaxInputBytes/1024)}
}
