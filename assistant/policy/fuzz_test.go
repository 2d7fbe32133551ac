package policy

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzRead reads anything without panicking: it returns documents that
// survive a round trip through JSON, with positions inside the input, or
// an *Error. Seeds are under testdata/fuzz/FuzzRead, one for each format.
func FuzzRead(f *testing.F) {
	f.Add([]byte(`{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Read(data, Options{Name: "fuzz"})
		lines := strings.Count(string(data), "\n") + 1
		if err != nil {
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("error %T %v is not an *Error", err, err)
			}
			switch e.Kind {
			case ErrSyntax, ErrNoPolicy, ErrTooLarge:
			default:
				t.Fatalf("error kind %q", e.Kind)
			}
			if e.Msg == "" || e.Pos.Line > lines || e.Pos.Line < 0 {
				t.Fatalf("error %#v: no message or a position outside the input", e)
			}
			return
		}
		if len(res.Documents) == 0 {
			t.Fatal("no documents and no error")
		}
		for _, n := range res.Notes {
			if n.Pos.Line > lines || n.Message == "" {
				t.Fatalf("note %+v outside the input", n)
			}
		}
		for _, d := range res.Documents {
			if !json.Valid(d.JSON()) {
				t.Fatalf("JSON() is not valid JSON: %s", d.JSON())
			}
			for _, s := range d.Statements {
				if s.Pos.Line > lines || s.Pos.Line < 1 || s.Pos.Col < 1 {
					t.Fatalf("statement %d at %v, outside the input", s.Index, s.Pos)
				}
			}
			checkRoundTrip(t, d.Name, d)
		}
	})
}
