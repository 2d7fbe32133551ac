package policy

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestExcerpt(t *testing.T) {
	long := strings.Repeat("a", 100) + "X" + strings.Repeat("b", 100) // X at column 101
	euro := strings.Repeat("€", 100) + "X" + strings.Repeat("€", 100)
	for _, tc := range []struct {
		name string
		line string
		col  int
		want string
		at   int // column of the error in want
	}{
		{"short", `{"a": }`, 7, `{"a": }`, 7},
		{"short, no column", `{"a": }`, 0, `{"a": }`, 0},
		{"short, past the end", `{"a": `, 9, `{"a": `, 7},
		{"middle", long, 101, "…" + strings.Repeat("a", 60) + "X" + strings.Repeat("b", 60) + "…", 62},
		{"start", long, 1, strings.Repeat("a", 61) + "…", 1},
		{"near the start", long, 30, strings.Repeat("a", 90) + "…", 30},
		{"end", long, 201, "…" + strings.Repeat("b", 61), 62},
		{"past the end", long, 300, "…" + strings.Repeat("b", 60), 62},
		{"no column", long, 0, long[:121] + "…", 0},
		{"characters, not bytes", euro, 101, "…" + strings.Repeat("€", 60) + "X" + strings.Repeat("€", 60) + "…", 62},
		{"exactly 121 characters", long[40:161], 61, long[40:161], 61},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, at := excerpt(tc.line, tc.col)
			if got != tc.want || at != tc.at {
				t.Errorf("excerpt(%.20q…, %d) = %q, %d; want %q, %d", tc.line, tc.col, got, at, tc.want, tc.at)
			}
			if at > 0 && tc.col <= utf8.RuneCountInString(tc.line) {
				// The caret is under the character the column names.
				want, _ := utf8.DecodeRuneInString(tc.line[len(string([]rune(tc.line)[:tc.col-1])):])
				if r := []rune(got)[at-1]; r != want {
					t.Errorf("column %d of the excerpt is %q, want %q", at, r, want)
				}
			}
		})
	}
}

// TestErrorExcerpt reads a syntax error at the end of a 100 KB line.
func TestErrorExcerpt(t *testing.T) {
	in := `{"Statement": [{"Effect": "Allow", "Resource": "*", "Action": [` + strings.Repeat(`"s3:GetObject", `, 6000) + `"s3:PutObject" "x"]}]}`
	_, err := Read([]byte(in), Options{})
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v, want an *Error", err)
	}
	if e.Line != in {
		t.Errorf("Line is not the whole line")
	}
	text, col := e.Excerpt()
	// 60 characters before the error ("x"), and the rest of the line.
	want := `…` + strings.Repeat(`"s3:GetObject", `, 3)[3:] + `"s3:PutObject" "x"]}]}`
	if text != want || col != 62 {
		t.Errorf("Excerpt() = %q, %d; want %q, 62", text, col, want)
	}
}
