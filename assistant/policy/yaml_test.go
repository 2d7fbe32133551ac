package policy

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// nested is n levels of YAML flow lists around x.
func nested(n int, x string) string { return strings.Repeat("[", n) + x + strings.Repeat("]", n) }

// TestYAMLAliases reads YAML whose anchors are used with reason, and YAML
// whose aliases expand past the bounds: the error names the limit and
// points at the alias that crosses it.
func TestYAMLAliases(t *testing.T) {
	long := strings.Repeat("x", 2000)
	for _, tc := range []struct {
		name  string
		in    string
		stmts int    // statements read, when no error
		note  string // a note, "line:column: message", when no error
		pos   Pos    // where the error is
		err   string // the error's message
	}{
		{
			name:  "statement anchored and reused",
			in:    "Statement:\n  - &s {Effect: Allow, Action: s3:GetObject, Resource: '*'}\n  - *s\n  - *s\n",
			stmts: 3,
		},
		{
			name:  "merge keys",
			in:    "X: &d {Effect: Allow, Resource: '*'}\nStatement:\n  - {<<: *d, Action: s3:GetObject}\n  - {<<: *d, Action: s3:PutObject, Effect: Deny}\n",
			stmts: 2,
		},
		{
			name:  "an alias read before its anchor, which is in a merge key",
			in:    "Statement:\n  - {<<: &d {Effect: Allow, Resource: '*'}, Action: s3:GetObject, Condition: {Bool: *d}}\n  - *d\n",
			stmts: 2,
		},
		{
			name: "anchors in a large policy: ten times what is written is plenty",
			in: "Version: '2012-10-17'\nX: &r [" + strings.Repeat("arn:aws:s3:::b/*, ", 50) + "]\nStatement:\n" +
				strings.Repeat("  - {Effect: Allow, Action: [s3:GetObject, s3:PutObject], Resource: *r}\n", 30),
			stmts: 30,
		},
		{
			name: "values",
			in: "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n" +
				"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\nStatement: *d\n",
			pos: Pos{4, 8},
			err: "the aliases in this YAML expand it to more than 1000 values, the limit for it (10 times the 42 values written, and at least 1000)",
		},
		{
			name: "values in a second document",
			in: "Statement: []\n---\na: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n" +
				"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\nStatement: *d\n",
			note: "6:8: skipped a part of the input that could not be read: the aliases in this YAML expand it to more than 1000 values, the limit for it (10 times the 44 values written, and at least 1000)",
		},
		{
			name: "bytes",
			in:   "a: &a " + long + "\nStatement: [{Effect: Allow, Action: [" + strings.Repeat("*a, ", 20) + "]}]\n",
			pos:  Pos{2, 74},
			err:  "the aliases in this YAML expand it to more than 21280 bytes of text, the limit for it (10 times its size, and at least 16384)",
		},
		{
			name: "bytes of keys",
			in:   "a: &a {" + long[:1000] + ": 1}\nStatement: [" + strings.Repeat("*a, ", 40) + "]\n",
			pos:  Pos{2, 73},
			err:  "the aliases in this YAML expand it to more than 16384 bytes of text, the limit for it (10 times its size, and at least 16384)",
		},
		{
			name: "a cycle",
			in:   "a: &a [x, *a]\nStatement: *a\n",
			pos:  Pos{1, 11},
			err:  "the alias *a is inside the value it stands for",
		},
		{
			name: "depth through an alias",
			in:   "a: &a " + nested(200, "x") + "\nStatement: " + nested(100, "*a") + "\n",
			pos:  Pos{2, 112},
			err:  "the alias *a makes the YAML nested more than 256 levels deep",
		},
		{
			name: "depth",
			in:   "Statement: " + nested(300, "x") + "\n",
			pos:  Pos{1, 267},
			err:  "the YAML is nested more than 256 levels deep",
		},
		{
			// The text before the bomb is not prose to skip.
			name: "no second reading from the Statement key",
			in: "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n" +
				"d: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\nStatement: []\n",
			pos: Pos{4, 5},
			err: "the aliases in this YAML expand it to more than 1000 values, the limit for it (10 times the 42 values written, and at least 1000)",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Read([]byte(tc.in), Options{Name: "in.yaml"})
			if tc.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if n := len(res.Documents[0].Statements); n != tc.stmts {
					t.Errorf("%d statements, want %d", n, tc.stmts)
				}
				var notes []string
				for _, n := range res.Notes {
					notes = append(notes, posString(n.Pos)+": "+n.Message)
				}
				if tc.note != "" && !slices.Contains(notes, tc.note) {
					t.Errorf("notes %q, want %q", notes, tc.note)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want an *Error", err)
			}
			if e.Kind != ErrSyntax || e.Pos != tc.pos || e.Msg != tc.err {
				t.Errorf("got %s at %v: %s\nwant %s at %v: %s", e.Kind, e.Pos, e.Msg, ErrSyntax, tc.pos, tc.err)
			}
		})
	}
}

// TestYAMLWork converts YAML full of aliases and merge keys: each value
// written is converted once, however many aliases use it, and a long line
// is read once to place them all.
func TestYAMLWork(t *testing.T) {
	keys := make([]string, 3000)
	for i := range keys {
		keys[i] = fmt.Sprintf("k%d: 1", i)
	}
	big := "{" + strings.Join(keys, ",") + "}"
	actions := make([]string, 11000)
	for i := range actions {
		actions[i] = fmt.Sprintf("s3:G€t%d", i)
	}
	for _, tc := range []struct {
		name string
		in   string
	}{
		{"merge keys on one long line", "b: &b " + big + "\nm: [" + strings.Repeat("{<<: *b}, ", 3) + "]\nStatement: []\n"},
		{"merge keys over the limit", "b: &b " + big + "\n" + strings.Repeat("m: {<<: *b}\n", 1500) + "Statement: []\n"},
		{"aliases of a long line", "b: &b " + big + "\nc: [" + strings.Repeat("*b,", 100) + "]\nStatement: []\n"},
		{"one long flow line", "Statement: [{Effect: Allow, Resource: '*', Action: [" + strings.Join(actions, ",") + "]}]\n"},
		{"aliases of a long string", "a: &a '" + strings.Repeat("é", 9000) + "'\nStatement: [{Action: [" + strings.Repeat("*a,", 300) + "]}]\n"},
		{"nested anchors", "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n" +
			"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\nStatement: *d\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &reader{text: tc.in, lines: newLineIndex(tc.in)}
			r.loc = r.lines
			c := r.newYAMLConv(0, len(tc.in))
			dec := yaml.NewDecoder(strings.NewReader(tc.in))
			written := 0
			for {
				var root yaml.Node
				err := dec.Decode(&root)
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				c.document(&root)
				written = c.written
			}
			if c.converted > written {
				t.Errorf("converted %d values, more than the %d written", c.converted, written)
			}
			if c.lines.scanned > len(tc.in) {
				t.Errorf("read %d bytes to place values, more than the %d of the text", c.lines.scanned, len(tc.in))
			}
		})
	}
}
