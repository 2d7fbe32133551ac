package policy

import (
	"strings"
	"testing"
	"time"
)

func TestZZSlow(t *testing.T) {
	n := MaxInputBytes
	rep := func(s string) []byte { return []byte(strings.Repeat(s, n/len(s)+1)[:n-60]) }
	cases := map[string][]byte{
		"braces":      rep("{"),
		"deep":        rep(`{"a":`),
		"quotes":      rep(`"`),
		"fences":      rep("```"),
		"inline":      rep("`{`"),
		"slack":       rep("<http://a|"),
		"slackclosed": rep("<http://a|b>"),
		"amp":         rep("&amp;"),
		"brackets":    rep("["),
		"yamllist":    rep("- "),
		"yamlkeys":    rep("Statement:\n "),
		"yamlflow":    rep("Statement: ["),
		"tf":          rep(`resource "aws_iam_policy" "p" {`),
		"tfdeep":      append([]byte(`resource "aws_iam_policy" "p" { policy = jsonencode(`), rep("[")...),
		"stmtmany":    append([]byte(`{"Statement": [`), rep(`{"Effect":"Allow"},`)...),
		"objkeys":     append([]byte(`{"Statement": {`), rep(`"a":1,`)...),
		"nbsp":        rep("\u00a0"),
		"quotesmart":  rep("“"),
		"prosebrace":  rep("{ x "),
		"stmtprose":   rep(`{"Statement" `),
		"aliases":     []byte("a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nStatement: *g\n"),
		"cfnjoin":     append([]byte(`{"Statement": {"Resource": `), rep(`{"Fn::Join": ["", [`)...),
		"newlines":    rep("\n"),
		"stringlines": append([]byte(`{"Statement": [`), rep("\"a\",\n")...),
	}
	for name, data := range cases {
		start := time.Now()
		_, err := Read(data, Options{})
		t.Logf("%-12s %10v %v", name, time.Since(start), err != nil)
	}
}
