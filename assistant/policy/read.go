package policy

import "fmt"

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
}
