package policy

import (
	"errors"
	"testing"
	"unicode/utf16"
)

// utf16Bytes writes s in UTF-16, little- or big-endian, after bom.
func utf16Bytes(s string, little bool, bom bool) []byte {
	units := utf16.Encode([]rune(s))
	if bom {
		units = append([]uint16{0xFEFF}, units...)
	}
	out := make([]byte, 0, 2*len(units))
	for _, u := range units {
		if little {
			out = append(out, byte(u), byte(u>>8))
		} else {
			out = append(out, byte(u>>8), byte(u))
		}
	}
	return out
}

func TestReadUTF16(t *testing.T) {
	policy := "{\r\n  \"Version\": \"2012-10-17\",\r\n  \"Statement\": [{\"Sid\": \"caf\u00e9\U0001F600\", \"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]\r\n}\r\n"
	for _, tc := range []struct {
		name string
		in   []byte
		note string // the note saying how the input was read
		err  string // or the error
	}{
		{"little-endian", utf16Bytes(policy, true, true), "1:1: read the input as UTF-16 text (little-endian)", ""},
		{"big-endian", utf16Bytes(policy, false, true), "1:1: read the input as UTF-16 text (big-endian)", ""},
		{"half a character at the end", append(utf16Bytes(policy, true, true), '\n'), "1:1: read the input as UTF-16 text (little-endian)", ""},
		{"little-endian without a byte-order mark", utf16Bytes(policy, true, false), "", "the file looks like UTF-16; save it as UTF-8"},
		{"big-endian without a byte-order mark", utf16Bytes(policy, false, false), "", "the file looks like UTF-16; save it as UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Read(tc.in, Options{})
			if tc.err != "" {
				var e *Error
				if !errors.As(err, &e) || e.Kind != ErrSyntax || e.Msg != tc.err || e.Pos != (Pos{}) {
					t.Fatalf("got %v, want a syntax error %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Notes) != 1 || posString(res.Notes[0].Pos)+": "+res.Notes[0].Message != tc.note {
				t.Errorf("notes %v, want %q", res.Notes, tc.note)
			}
			s := res.Documents[0].Statements[0]
			// Positions are in the decoded text, in characters.
			if s.Sid != "caf\u00e9\U0001F600" || s.Pos != (Pos{3, 17}) || s.Action.Values[0].Pos != (Pos{3, 63}) {
				t.Errorf("Sid %q at %v, Action at %v; want %q at 3:17, Action at 3:63", s.Sid, s.Pos, s.Action.Values[0].Pos, "caf\u00e9\U0001F600")
			}
			if got := res.Line(2); got != `  "Version": "2012-10-17",` {
				t.Errorf("Line(2) = %q", got)
			}
		})
	}
}

func TestFromUTF16(t *testing.T) {
	for _, tc := range []struct {
		in          []byte
		want, order string
	}{
		{[]byte{0xFF, 0xFE, 'a', 0, 0x3D, 0xD8, 0x00, 0xDE}, "a\U0001F600", "little-endian"},
		{[]byte{0xFE, 0xFF, 0, 'a', 0xD8, 0x3D, 0xDE, 0x00}, "a\U0001F600", "big-endian"},
		{[]byte{0xFF, 0xFE, 0x3D, 0xD8, 'a', 0}, "\uFFFDa", "little-endian"}, // a lone surrogate
		{[]byte{0xFF, 0xFE, 0x00, 0xDE}, "\uFFFD", "little-endian"},
		{[]byte{0xFF, 0xFE, 'a', 0, 'b'}, "a\uFFFD", "little-endian"},
		{[]byte{0xFF, 0xFE}, "", "little-endian"},
		{[]byte("{}"), "", ""},
		{[]byte{0xEF, 0xBB, 0xBF, '{', '}'}, "", ""}, // UTF-8 with a byte-order mark
	} {
		got, order := fromUTF16(tc.in)
		if got != tc.want || order != tc.order {
			t.Errorf("fromUTF16(% x) = %q, %q; want %q, %q", tc.in, got, order, tc.want, tc.order)
		}
	}
}

func TestLooksUTF16(t *testing.T) {
	for _, tc := range []struct {
		in   []byte
		want bool
	}{
		{utf16Bytes(`{"Statement": []}`, true, false), true},
		{utf16Bytes(`{"Statement": []}`, false, false), true},
		{utf16Bytes("Statement:\n  - Effect: Allow\n", true, false), true},
		{[]byte("{\"Statement\": \"\x00\"}"), false}, // a NUL in UTF-8 text
		{[]byte{'a', 0}, false},
		{[]byte{}, false},
		{[]byte{0x7F, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, '>', 0}, false},
		{utf16Bytes("日本語のポリシー", true, false), false}, // no NULs to tell: read as it is
	} {
		if got := looksUTF16(tc.in); got != tc.want {
			t.Errorf("looksUTF16(% x) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
