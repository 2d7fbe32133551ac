package policy

import (
	"fmt"
	"unicode/utf8"
)

// MaxInputBytes is the largest input the reader accepts.
const MaxInputBytes = 100 * 1024

// ErrorKind tells a caller what went wrong when reading failed.
type ErrorKind string

const (
	ErrSyntax   ErrorKind = "syntax"    // invalid JSON, YAML or HCL
	ErrNoPolicy ErrorKind = "no-policy" // readable, but no policy in it
	ErrTooLarge ErrorKind = "too-large" // over MaxInputBytes
)

// Error is a reading failure the user can act on.
type Error struct {
	Kind ErrorKind
	Pos  Pos    // zero when the error is not about one place
	Msg  string // plain words, without the position
	Line string // the offending line of input, when Pos is set
}

func (e *Error) Error() string {
	if e.Pos.Line > 0 {
		return fmt.Sprintf("line %d, column %d: %s", e.Pos.Line, e.Pos.Col, e.Msg)
	}
	return e.Msg
}

// excerptSide is the most characters Excerpt keeps on each side of the
// column.
const excerptSide = 60

// Excerpt is the offending line cut to at most 60 characters on each side
// of the error's column, with "…" where it was cut, for showing Line when
// it may be long (a minified policy is one line of up to 100 KB). col is
// the error's column in the excerpt, in characters from 1, for putting a
// caret under it; it is 0 when the error has no column.
func (e *Error) Excerpt() (text string, col int) {
	return excerpt(e.Line, e.Pos.Col)
}

// excerpt cuts line around the 1-based column col (0: none).
func excerpt(line string, col int) (string, int) {
	n := utf8.RuneCountInString(line)
	at := min(max(col, 1), n+1) - 1 // 0-based, at most just after the end
	from, to := max(at-excerptSide, 0), min(at+excerptSide+1, n)
	if col < 1 {
		from, to = 0, min(n, 2*excerptSide+1)
	}
	if from == 0 && to == n {
		return line, min(col, n+1)
	}
	// Byte offsets of the characters from and to.
	start, end, k := 0, len(line), 0
	for i := range line {
		if k == from {
			start = i
		}
		if k == to {
			end = i
			break
		}
		k++
	}
	text := line[start:end]
	if col > 0 {
		col = at - from + 1
	}
	if from > 0 {
		text = "…" + text
		if col > 0 {
			col++
		}
	}
	if to < n {
		text += "…"
	}
	return text, col
}

// Options change how Read reads.
type Options struct {
	// Name names the input (a file name, "slack message"); documents
	// are named after it.
	Name string
	// Type forces the policy type of every document; empty detects it.
	Type Type
	// MaxBytes is the largest input accepted; 0 means MaxInputBytes.
	// Reading larger documents (some AWS managed policies are) needs it.
	MaxBytes int
	// Chat says the text is a chat message's, where Slack escapes &, <
	// and > and turns domain names into links even inside JSON strings:
	// that markup is undone even when the text is valid JSON. A file's
	// valid JSON is read as it is written.
	Chat bool
	// Module holds the other files of a Terraform module (the .tf files
	// of the same directory): the variables' defaults and the locals
	// they declare as plain values are read as Terraform reads them,
	// from any file of the module.
	Module [][]byte
}
