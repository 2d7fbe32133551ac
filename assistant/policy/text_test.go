package policy

import (
	"errors"
	"strings"
	"testing"
)

// TestClean checks what clean changes: typographic quotes outside strings
// in straight double quotes, and nothing at all in valid JSON.
func TestClean(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		notes    []string
		chat     bool
	}{
		{
			in:    `{“Sid”: “x”}`,
			want:  `{"Sid": "x"}`,
			notes: []string{"1:2: replaced typographic quotes with straight quotes (4 places)"},
		},
		{
			// Valid JSON: its strings are what the user wrote.
			in:   `{"Sid": "“smart” it’s"}`,
			want: `{"Sid": "“smart” it’s"}`,
		},
		{
			// Valid JSON with Slack's markup, in a chat message: the
			// markup is undone, the quotes in strings are kept.
			in:    `{"Service": "<http://lambda.amazonaws.com|lambda.amazonaws.com>", "Sid": "“a” &amp; b"}`,
			want:  `{"Service": "lambda.amazonaws.com", "Sid": "“a” & b"}`,
			notes: []string{"1:79: decoded Slack's escapes (&amp; &lt; &gt;)", "1:14: removed Slack link markup (<http://x|x> became x)"},
			chat:  true,
		},
		{
			// The same in a file: what is written.
			in:   `{"Resource": "arn:aws:s3:::reports/R&amp;D/*"}`,
			want: `{"Resource": "arn:aws:s3:::reports/R&amp;D/*"}`,
		},
		{
			in:    "\uFEFF{\"Sid\": \"“x”\"}",
			want:  `{"Sid": "“x”"}`,
			notes: []string{"1:1: removed a byte-order mark"},
		},
		{
			// Not valid JSON: Slack's markup is removed, and quotes
			// inside straight-quoted strings are kept.
			in:    `{"Sid": "“smart” &amp; <http://x.com|x>", "Resource": *}`,
			want:  `{"Sid": "“smart” & x", "Resource": *}`,
			notes: []string{"1:18: decoded Slack's escapes (&amp; &lt; &gt;)", "1:24: removed Slack link markup (<http://x|x> became x)"},
		},
		{
			// Mixed: quotes outside strings are repaired.
			in:    `{“Sid”: "it’s \"“x”\"", “Effect”: "Allow",}`,
			want:  `{"Sid": "it’s \"“x”\"", "Effect": "Allow",}`,
			notes: []string{"1:2: replaced typographic quotes with straight quotes (4 places)"},
		},
		{
			// A straight quote not closed on its line opens no string.
			in:    "It's \"great:\n{“Effect”: “Allow”}",
			want:  "It's \"great:\n{\"Effect\": \"Allow\"}",
			notes: []string{"2:2: replaced typographic quotes with straight quotes (4 places)"},
		},
		{
			// Prose: apostrophes are repaired as before.
			in:    "It’s “done”\n```\n{\"Statement\": []}\n```",
			want:  "It's \"done\"\n```\n{\"Statement\": []}\n```",
			notes: []string{"1:3: replaced typographic quotes with straight quotes (3 places)"},
		},
		{
			// Valid JSON with bytes that are not UTF-8 is repaired.
			in:    "{\"Sid\": \"f\xfcr\"}",
			want:  "{\"Sid\": \"f\uFFFDr\"}",
			notes: []string{"1:11: replaced bytes that are not UTF-8 text with U+FFFD"},
		},
	} {
		r := &reader{lines: newLineIndex(tc.in), opts: Options{Chat: tc.chat}}
		got, orig := r.clean(tc.in)
		if got != tc.want {
			t.Errorf("clean(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if (orig == nil) != (got == tc.in) || orig != nil && len(orig) != len(got)+1 {
			t.Errorf("clean(%q): %d offsets for %d bytes", tc.in, len(orig), len(got))
		}
		var notes []string
		for _, n := range r.notes {
			notes = append(notes, posString(n.Pos)+": "+n.Message)
		}
		if strings.Join(notes, "\n") != strings.Join(tc.notes, "\n") {
			t.Errorf("clean(%q): notes\n%s\nwant\n%s", tc.in, strings.Join(notes, "\n"), strings.Join(tc.notes, "\n"))
		}
	}
}

// TestReadQuotesInStrings reads JSON whose strings hold typographic
// quotes: valid JSON is read as it is, and an error elsewhere is placed
// where it is.
func TestReadQuotesInStrings(t *testing.T) {
	valid := `{"Version": "2012-10-17", "Statement": [{"Sid": "“quoted” it’s", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", ` +
		`"Condition": {"StringEquals": {"aws:PrincipalTag/team": "“a&b”"}}}]}`
	res, err := Read([]byte(valid), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Documents[0].Statements[0]
	if s.Sid != "“quoted” it’s" || s.Conditions[0].Values.Values[0].Text != "“a&b”" || len(res.Notes) != 0 {
		t.Errorf("Sid %q, condition %q, notes %v: want the strings as written, and no notes", s.Sid, s.Conditions[0].Values.Values[0].Text, res.Notes)
	}
	_, err = Read([]byte(`{"Sid": "“smart” &amp; <http://x.com|x>", "Statement": [{"Effect": "Allow", "Resource": *}]}`), Options{})
	var e *Error
	if !errors.As(err, &e) || e.Pos != (Pos{1, 89}) {
		t.Errorf("got %v, want an error at 1:89", err)
	}
}
