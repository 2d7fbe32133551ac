//go:build !race

// This file is CPU-heavy and runs in the test pass without the race
// detector (README, "Run the tests"): the package has no concurrency
// for -race to check.

package policy

import (
	"fmt"
	"strings"
	"testing"
)

// hostileInputs are inputs near the size limit built to make a reader
// slow (quadratic scans, deep recursion, alias expansion).
func hostileInputs() map[string][]byte {
	rep := func(s string) []byte { return []byte(strings.Repeat(s, MaxInputBytes/len(s)+1)[:MaxInputBytes-64]) }
	return map[string][]byte{
		"open braces":                 rep("{"),
		"deep objects":                rep(`{"a":`),
		"open lists":                  rep("["),
		"quotes":                      rep(`"`),
		"fences":                      rep("```"),
		"inline code":                 rep("`{`"),
		"unclosed links":              rep("<http://a|"),
		"links":                       rep("<http://a|b>"),
		"escapes":                     rep("&amp;"),
		"yaml list":                   rep("- "),
		"yaml keys":                   rep("Statement:\n "),
		"yaml flow":                   rep("Statement: ["),
		"nested blocks":               rep(`resource "aws_iam_policy" "p" {`),
		"nested jsonencode":           append([]byte(`resource "aws_iam_policy" "p" { policy = jsonencode(`), rep("[")...),
		"many statements":             append([]byte(`{"Statement": [`), rep(`{"Effect":"Allow"},`)...),
		"many keys":                   append([]byte(`{"Statement": {`), rep(`"a":1,`)...),
		"non-breaking spaces":         rep("\u00a0"),
		"typographic quotes":          rep("“"),
		"prose braces":                rep("{ x "),
		"broken statements":           rep(`{"Statement" `),
		"nested Fn::Join":             append([]byte(`{"Statement": {"Resource": `), rep(`{"Fn::Join": ["", [`)...),
		"blank lines":                 rep("\n"),
		"long one-line policy":        append([]byte(`{"Statement": [{"Effect": "Allow", "Resource": "*", "Action": [`), rep(`"s3:GetObject", `)...),
		"yaml merge keys":             []byte(yamlKeys(4000) + strings.Repeat("m: {<<: *b}\n", 2000) + "Statement: []\n"),
		"yaml aliases on a long line": []byte(yamlKeys(4000) + "c: [" + strings.Repeat("*b,", 2000) + "]\nStatement: []\n"),
		"yaml flow line": []byte("Statement: [{Effect: Allow, Resource: '*', Action: [" + strings.Repeat("s3:GetObject, ", 7000) +
			"s3:PutObject]}]\n"),
		"non-ASCII one-line policy": []byte(`{"Statement": [{"Effect": "Allow", "Resource": "*", "Action": [` + strings.Repeat(`"s3:Gét", `, 9000) +
			`"s3:Put"]}]}`),
		"yaml aliases of a long string": []byte("a: &a '" + strings.Repeat("é", 20000) + "'\nStatement: [{Effect: Allow, Resource: '*', Action: [" +
			strings.Repeat("*a,", 20000) + "]}]\n"),
		"aliases": []byte("a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n" +
			"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n" +
			"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n" +
			"g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nStatement: *g\n"),
		"terraform dynamic for_each": []byte(`data "aws_iam_policy_document" "p" {
  dynamic "statement" {
    for_each = [` + strings.Repeat("1,", MaxInputBytes/3) + `1]
    content {
      actions   = ["s3:*"]
      resources = ["*"]
    }
  }
}
`),
		"terraform locals fan-out": []byte(tfLocals(40, func(i int) string {
			return fmt.Sprintf("[%s]", strings.Repeat(fmt.Sprintf("local.l%d,", i+1), 8))
		}) + tfPolicyOf("local.l0", `["*"]`)),
		"terraform local strings fan-out": []byte(`locals { l40 = "` + strings.Repeat("x", 50000) + `" }
` + tfLocals(40, func(i int) string {
			return `"` + strings.Repeat(fmt.Sprintf("${local.l%d}", i+1), 50) + `"`
		}) + tfPolicyOf(`["s3:GetObject"]`, `["arn:aws:s3:::${local.l0}"]`)),
	}
}

// tfLocals is a locals block of n locals l0...l(n-1), each written by
// value(i).
func tfLocals(n int, value func(i int) string) string {
	var b strings.Builder
	b.WriteString("locals {\n")
	for i := range n {
		fmt.Fprintf(&b, "  l%d = %s\n", i, value(i))
	}
	b.WriteString("}\n")
	return b.String()
}

// tfPolicyOf is a policy document of one statement with the actions and
// resources given as Terraform expressions.
func tfPolicyOf(actions, resources string) string {
	return fmt.Sprintf(`data "aws_iam_policy_document" "p" {
  statement {
    actions   = %s
    resources = %s
  }
}
`, actions, resources)
}

// yamlKeys is a YAML anchor, b, of a mapping of n keys on one line.
func yamlKeys(n int) string {
	var b strings.Builder
	b.WriteString("b: &b {")
	for i := range n {
		fmt.Fprintf(&b, "k%d: 1,", i)
	}
	b.WriteString("}\n")
	return b.String()
}

// TestReadHostile reads inputs built to be slow or to exhaust the stack:
// each must give documents or an *Error (a hang fails by the test
// timeout; BenchmarkReadHostile has the figures).
func TestReadHostile(t *testing.T) {
	for name, data := range hostileInputs() {
		res, err := Read(data, Options{})
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Errorf("%s: %T %v is not an *Error", name, err, err)
			}
			continue
		}
		if len(res.Documents) == 0 {
			t.Errorf("%s: no documents and no error", name)
		}
	}
}

func BenchmarkReadHostile(b *testing.B) {
	for name, data := range hostileInputs() {
		b.Run(strings.ReplaceAll(name, " ", "-"), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				Read(data, Options{})
			}
		})
	}
}
