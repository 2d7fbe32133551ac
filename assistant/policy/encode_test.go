package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// content is what of a document survives JSON(): everything but
// positions, names, the written text and elements IAM does not know.
func content(d *Document) Document {
	c := Document{Version: d.Version, ID: d.ID}
	for i, s := range d.Statements {
		s.Index = i
		s.Pos, s.EffectPos, s.ConditionPos, s.Unknown = Pos{}, Pos{}, Pos{}, nil
		s.Action, s.NotAction = listContent(s.Action), listContent(s.NotAction)
		s.Resource, s.NotResource = listContent(s.Resource), listContent(s.NotResource)
		s.Principal, s.NotPrincipal = principalContent(s.Principal), principalContent(s.NotPrincipal)
		// JSON groups conditions by operator, in the order operators first
		// appear.
		var conds []Condition
		for i, k := range s.Conditions {
			if slices.ContainsFunc(s.Conditions[:i], func(c Condition) bool { return c.Operator == k.Operator }) {
				continue
			}
			for _, k2 := range s.Conditions[i:] {
				if k2.Operator == k.Operator {
					conds = append(conds, Condition{Operator: k2.Operator, Key: k2.Key, Values: listContent(k2.Values)})
				}
			}
		}
		s.Conditions = conds
		c.Statements = append(c.Statements, s)
	}
	return c
}

func listContent(l List) List {
	if !l.Set && len(l.Values) == 0 {
		return List{}
	}
	out := List{Set: true, Single: l.Single && len(l.Values) == 1}
	for _, v := range l.Values {
		out.Values = append(out.Values, Value{Text: v.Text})
	}
	return out
}

func principalContent(p *Principal) *Principal {
	if p == nil {
		return nil
	}
	out := &Principal{Any: p.Any}
	if !p.Any {
		for _, e := range p.Entries {
			out.Entries = append(out.Entries, PrincipalEntry{Kind: e.Kind, Values: listContent(e.Values)})
		}
	}
	return out
}

// checkRoundTrip reads d.JSON() back and compares it with d.
func checkRoundTrip(t testing.TB, name string, d *Document) {
	t.Helper()
	out := d.JSON()
	if !json.Valid(out) {
		t.Errorf("%s: JSON() is not valid JSON:\n%s", name, out)
		return
	}
	if min := d.MinifiedJSON(); !json.Valid(min) || strings.ContainsAny(string(min), "\n") {
		t.Errorf("%s: MinifiedJSON() is not one line of valid JSON:\n%s", name, min)
	}
	res, err := Read(out, Options{Name: name, MaxBytes: 1 << 20})
	if err != nil {
		t.Errorf("%s: reading JSON() back: %v\n%s", name, err, out)
		return
	}
	if len(res.Documents) != 1 {
		t.Errorf("%s: reading JSON() back gave %d documents", name, len(res.Documents))
		return
	}
	if got, want := content(res.Documents[0]), content(d); !reflect.DeepEqual(got, want) {
		t.Errorf("%s: the round trip through JSON() changed the document\n--- JSON\n%s\n--- got\n%+v\n--- want\n%+v", name, out, got, want)
	}
	// A document written rather than read holds what reading it gives.
	w := *d
	if text := w.AppendText([]byte("prefix")); string(text) != "prefix"+string(out) || w.Size != res.Documents[0].Size {
		t.Errorf("%s: AppendText gives size %d, reading it back %d", name, w.Size, res.Documents[0].Size)
	}
}

// TestJSONRoundTrip reads every golden input's documents back from their
// JSON.
func TestJSONRoundTrip(t *testing.T) {
	inputs, _ := filepath.Glob("testdata/read/*")
	for _, in := range inputs {
		if strings.HasSuffix(in, ".golden") {
			continue
		}
		data, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Read(data, Options{Name: filepath.Base(in)})
		if err != nil {
			continue
		}
		for _, d := range res.Documents {
			checkRoundTrip(t, d.Name, d)
		}
	}
}

// TestJSONCanonical writes elements in IAM's order whatever the order
// they were written in, Statement as a list, and single values as strings.
func TestJSONCanonical(t *testing.T) {
	in := `{"Statement": {"Condition": {"StringEquals": {"aws:PrincipalTag/team": ["a", "b"]}, "Bool": {"aws:SecureTransport": true}},
	  "NotResource": "arn:aws:s3:::x", "NotAction": ["iam:*"], "Resource": ["*"], "Action": "s3:*",
	  "NotPrincipal": {"AWS": ["arn:aws:iam::1:root"]}, "Principal": {"Service": "s3.amazonaws.com", "AWS": "*"},
	  "Effect": "Allow", "Sid": "S1", "Extra": 1}, "Id": "doc", "Version": "2012-10-17"}`
	want := `{
  "Version": "2012-10-17",
  "Id": "doc",
  "Statement": [
    {
      "Sid": "S1",
      "Effect": "Allow",
      "Principal": {
        "Service": "s3.amazonaws.com",
        "AWS": "*"
      },
      "NotPrincipal": {
        "AWS": [
          "arn:aws:iam::1:root"
        ]
      },
      "Action": "s3:*",
      "NotAction": [
        "iam:*"
      ],
      "Resource": [
        "*"
      ],
      "NotResource": "arn:aws:s3:::x",
      "Condition": {
        "StringEquals": {
          "aws:PrincipalTag/team": [
            "a",
            "b"
          ]
        },
        "Bool": {
          "aws:SecureTransport": "true"
        }
      }
    }
  ]
}`
	res, err := Read([]byte(in), Options{})
	if err != nil {
		t.Fatal(err)
	}
	d := res.Documents[0]
	if got := string(d.JSON()); got != want {
		t.Errorf("JSON() =\n%s\nwant\n%s", got, want)
	}
	min := `{"Version":"2012-10-17","Id":"doc","Statement":[{"Sid":"S1","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com","AWS":"*"},"NotPrincipal":{"AWS":["arn:aws:iam::1:root"]},"Action":"s3:*","NotAction":["iam:*"],"Resource":["*"],"NotResource":"arn:aws:s3:::x","Condition":{"StringEquals":{"aws:PrincipalTag/team":["a","b"]},"Bool":{"aws:SecureTransport":"true"}}}]}`
	if got := string(d.MinifiedJSON()); got != min {
		t.Errorf("MinifiedJSON() =\n%s\nwant\n%s", got, min)
	}
}

// TestJSONConstructed writes a document built in code, as the suggestion
// engine builds them.
func TestJSONConstructed(t *testing.T) {
	d := &Document{
		Version: "2012-10-17",
		Statements: []Statement{
			{
				Sid:      "Read",
				Effect:   "Allow",
				Action:   NewList("s3:GetObject", "s3:ListBucket"),
				Resource: NewList("arn:aws:s3:::b/*"),
				Conditions: []Condition{
					{Operator: "StringEquals", Key: "aws:ResourceAccount", Values: NewList("123456789012")},
					{Operator: "Bool", Key: "aws:SecureTransport", Values: NewList("true")},
					{Operator: "StringEquals", Key: "aws:PrincipalOrgID", Values: NewList("o-1", "o-2")},
				},
			},
			{
				Effect:    "Allow",
				Principal: &Principal{Any: true},
				Action:    List{Values: []Value{{Text: "sts:AssumeRole"}}},
			},
		},
	}
	want := `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"Read","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"arn:aws:s3:::b/*",` +
		`"Condition":{"StringEquals":{"aws:ResourceAccount":"123456789012","aws:PrincipalOrgID":["o-1","o-2"]},"Bool":{"aws:SecureTransport":"true"}}},` +
		`{"Effect":"Allow","Principal":"*","Action":["sts:AssumeRole"]}]}`
	if got := string(d.MinifiedJSON()); got != want {
		t.Errorf("MinifiedJSON() =\n%s\nwant\n%s", got, want)
	}
	checkRoundTrip(t, "constructed", d)
}

// TestJSONStrings writes strings so that Read gives them back: characters
// Read would take for Slack markup or repair are escaped, the rest kept.
func TestJSONStrings(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", `"plain"`},
		{`quote " and \ backslash`, `"quote \" and \\ backslash"`},
		{"a < b > c & d", `"a < b > c & d"`},
		{"&amp; &lt; &gt;", `"\u0026amp; \u0026lt; \u0026gt;"`},
		{"<@U123> <http://x|y> <!here>", `"\u003c@U123> \u003chttp://x|y> \u003c!here>"`},
		{"“curly” ‘single’", `"\u201ccurly\u201d \u2018single\u2019"`},
		{"no\u00a0break\u200bzero", `"no\u00a0break\u200bzero"`},
		{"tick ` and ```", "\"tick \\u0060 and \\u0060\\u0060\\u0060\""},
		{"line\nfeed\ttab\x01", `"line\nfeed\ttab\u0001"`},
		{"café 日本 😀", `"café 日本 😀"`},
		{"sep\u2028\u2029", `"sep\u2028\u2029"`},
		{"bad \xff byte", `"bad \ufffd byte"`},
	} {
		var w jsonWriter
		if w.string(tc.in); string(w.b) != tc.want {
			t.Errorf("string(%q) = %s, want %s", tc.in, w.b, tc.want)
		}
		if tc.in == "bad \xff byte" {
			continue
		}
		d := &Document{Statements: []Statement{{Effect: "Allow", Action: NewList("s3:GetObject"), Resource: NewList("*"),
			Conditions: []Condition{{Operator: "StringEquals", Key: "aws:UserAgent", Values: NewList(tc.in)}}}}}
		checkRoundTrip(t, tc.in, d)
	}
}

// TestJSONIndented holds JSON to json.Indent of MinifiedJSON, byte for
// byte, on the documents of testdata/read and on documents whose strings
// hold what must not be taken for structure, with empty lists and
// conditions grouped by operator. (JSON used to indent MinifiedJSON's
// text; it now writes the indented text in one pass.)
func TestJSONIndented(t *testing.T) {
	docs := map[string]*Document{
		"empty": {},
		"empty lists": {Version: "2012-10-17", Statements: []Statement{{Effect: "Allow", Action: List{Set: true},
			Resource: NewList(), Principal: &Principal{}}}},
		"structure in text": {ID: `{[,:]}`, Statements: []Statement{{Sid: `say "[x, y]": {z}`, Effect: `\`,
			Action: NewList(`\"{`, "a,b"), NotResource: NewList("]")}}},
		"escapes": {Statements: []Statement{{Effect: "Allow", Action: NewList("<\n\t\\/ \u2028 café", "&amp;", "`"),
			Principal:    &Principal{Entries: []PrincipalEntry{{Kind: "AWS", Values: NewList("1", "2")}, {Kind: "Service", Values: NewList("s")}}},
			NotPrincipal: &Principal{Any: true},
			Conditions: []Condition{
				{Operator: "StringEquals", Key: "k1", Values: NewList("v1")},
				{Operator: "Bool", Key: "k2", Values: List{Set: true}},
				{Operator: "StringEquals", Key: "k3", Values: NewList("v3", "v4")},
			}}, {}}},
	}
	files, err := filepath.Glob("testdata/read/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Read(data, Options{Name: filepath.Base(f)})
		if err != nil {
			continue // the files that are not policies
		}
		for i, d := range res.Documents {
			docs[fmt.Sprintf("%s/%d", filepath.Base(f), i)] = d
		}
	}
	for name, d := range docs {
		t.Run(name, func(t *testing.T) {
			src := d.MinifiedJSON()
			var want bytes.Buffer
			if err := json.Indent(&want, src, "", "  "); err != nil {
				t.Fatalf("not valid JSON: %v\n%s", err, src)
			}
			if got := d.JSON(); !bytes.Equal(got, want.Bytes()) {
				t.Errorf("JSON() =\n%s\nwant\n%s", got, want.Bytes())
			}
		})
	}
}
