package report

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// encodingJSON is what AppendJSON must give: encoding/json's encoding of r
// without the findings' Args, HTML left unescaped.
func encodingJSON(t *testing.T, r *Report) []byte {
	t.Helper()
	strip := func(fs []Finding) []Finding {
		if fs == nil {
			return nil
		}
		out := make([]Finding, len(fs))
		for i, f := range fs {
			f.Args = nil
			out[i] = f
		}
		return out
	}
	c := *r
	c.Findings = strip(r.Findings)
	if r.Documents != nil {
		c.Documents = make([]Document, len(r.Documents))
		for i, d := range r.Documents {
			d.Findings = strip(d.Findings)
			c.Documents[i] = d
		}
	}
	if r.Principals != nil {
		c.Principals = make([]Principal, len(r.Principals))
		for i, p := range r.Principals {
			p.Findings = strip(p.Findings)
			c.Principals[i] = p
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&c); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// TestAppendJSON: reports with every field filled at random, strings
// full of what JSON escapes, give encoding/json's bytes; so do the
// reports of the examples.
func TestAppendJSON(t *testing.T) {
	check := func(t *testing.T, r *Report) {
		t.Helper()
		got, want := AppendJSON([]byte("prefix"), r), encodingJSON(t, r)
		if !bytes.HasPrefix(got, []byte("prefix")) || !bytes.Equal(got[len("prefix"):], want) {
			t.Fatalf("AppendJSON:\n%s\nencoding/json:\n%s", got[len("prefix"):], want)
		}
	}
	t.Run("zero", func(t *testing.T) { check(t, &Report{}) })
	t.Run("shared findings", func(t *testing.T) {
		f := Finding{ID: "a-1", Title: "t", Actions: []string{"s3:GetObject"}, Args: map[string]string{"x": "y"}}
		g := f
		g.Actions = []string{"s3:PutObject"} // same length, another action
		check(t, &Report{Findings: []Finding{f}, Documents: []Document{{Findings: []Finding{f}}, {Findings: []Finding{g}}, {Findings: []Finding{f}}}})
	})
	r := rand.New(rand.NewPCG(7, 11))
	for i := range 3000 {
		var rep Report
		fill(r, reflect.ValueOf(&rep).Elem(), 0)
		if i%3 == 0 && len(rep.Documents) > 0 {
			// A file of one policy: the document's findings are the report's.
			rep.Documents[0].Findings = append([]Finding(nil), rep.Findings...)
		}
		check(t, &rep)
	}
}

// fill sets v to a random value: nil, empty or filled lists, strings of
// plain and special characters, numbers of any sign.
func fill(r *rand.Rand, v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(randomString(r))
	case reflect.Int:
		v.SetInt(r.Int64N(2000) - 1000)
		if r.IntN(3) == 0 {
			v.SetInt(0)
		}
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 0)
	case reflect.Pointer:
		if r.IntN(3) == 0 || depth > 3 {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(r, v.Elem(), depth+1)
	case reflect.Map:
		if r.IntN(2) == 0 {
			return
		}
		m := reflect.MakeMap(v.Type())
		for range r.IntN(3) {
			m.SetMapIndex(reflect.ValueOf(randomString(r)), reflect.ValueOf(randomString(r)))
		}
		v.Set(m)
	case reflect.Slice:
		if v.Type() == reflect.TypeFor[json.RawMessage]() {
			if r.IntN(4) > 0 {
				v.SetBytes(randomJSON(r))
			}
			return
		}
		switch r.IntN(4) {
		case 0:
			return // nil
		case 1:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
			return
		}
		n := 1 + r.IntN(3)
		if depth > 2 {
			n = 1
		}
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			fill(r, s.Index(i), depth+1)
		}
		v.Set(s)
	case reflect.Struct:
		for i := range v.NumField() {
			fill(r, v.Field(i), depth+1)
		}
	default:
		panic("fill: no case for " + v.Type().String())
	}
}

// pieces are what strings are made of: what JSON escapes, what
// encoding/json escapes beyond it, invalid UTF-8, and plain text long
// enough to take the eight-byte path.
var pieces = []string{
	"", "s3:GetObject", "arn:aws:s3:::my-bucket/*", `"`, `\`, "\n", "\t", "\r", "\b", "\f", "\x00", "\x1f", "\x7f",
	"<", ">", "&", "\u2028", "\u2029", "é", "日本", "\xff", "\xe2\x80", "\xed\xa0\x80", "😀",
	"The policy grants every action", "0123456789abcdef0123456789",
}

func randomString(r *rand.Rand) string {
	if r.IntN(4) == 0 {
		return ""
	}
	var b strings.Builder
	for range r.IntN(6) {
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	return b.String()
}

// randomJSON is a valid JSON text, indented or not, with white space in
// and around its strings.
func randomJSON(r *rand.Rand) []byte {
	v := map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{map[string]any{
			"Sid":      randomString(r),
			"Effect":   "Allow",
			"Action":   []string{randomString(r), " s3:Get * \t"},
			"Resource": randomString(r),
			"N":        r.IntN(100),
		}},
	}
	var data []byte
	var err error
	switch r.IntN(3) {
	case 0:
		data, err = json.Marshal(v)
	case 1:
		data, err = json.MarshalIndent(v, "", "  ")
	default:
		data, err = json.MarshalIndent(v, " \r\n", "\t")
		data = append(append([]byte(" \n"), data...), '\t')
	}
	if err != nil {
		panic(err)
	}
	return data
}

// TestNeedsLook: the eight-byte test lets a word through exactly when
// none of its bytes needs a look.
func TestNeedsLook(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	for range 200000 {
		var w uint64
		want := false
		for k := range 8 {
			c := byte(r.IntN(256))
			if r.IntN(2) == 0 {
				c = byte(0x20 + r.IntN(0x60)) // mostly plain
			}
			want = want || c < 0x20 || c == '"' || c == '\\' || c >= 0x80
			w |= uint64(c) << (8 * k)
		}
		if got := needsLook(w); got != want {
			t.Fatalf("needsLook(%#x) = %v, want %v", w, got, want)
		}
	}
}

func BenchmarkAppendJSON(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	reps := make([]Report, 200)
	for i := range reps {
		fill(r, reflect.ValueOf(&reps[i]).Elem(), 0)
	}
	var buf []byte
	for b.Loop() {
		for i := range reps {
			buf = AppendJSON(buf[:0], &reps[i])
		}
	}
}
