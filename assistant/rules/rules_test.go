package rules

import (
	"testing"

	"github.com/policycheck/policycheck/assistant/report"
)

func TestExpand(t *testing.T) {
	args := Args{"action": "s3:GetObject", "n": "3", "many": "true", "braces": "{many?no|no}", "empty": ""}
	tests := []struct{ tmpl, want string }{
		{"no placeholder", "no placeholder"},
		{"{action} is unknown", "s3:GetObject is unknown"},
		{"{missing} stays", "{missing} stays"},
		{"{empty}.", "."},
		{"{many?{n} actions|one action}", "3 actions"},
		{"{empty?{n} actions|one action}", "one action"},
		{"{missing?set|unset}", "unset"},
		{"x{empty? never}y", "xy"},
		{"x{many? and {action}}", "x and s3:GetObject"},
		{"{many?a {empty?b|c} d|e}", "a c d"},
		{"{braces}", "{many?no|no}"}, // values are not expanded
		{`Add {"Bool": {"aws:SecureTransport": "true"}}.`, `Add {"Bool": {"aws:SecureTransport": "true"}}.`},
		{`{"StringEquals": {"{action}": "x"}}`, `{"StringEquals": {"s3:GetObject": "x"}}`},
		{"${aws:username}", "${aws:username}"},
		{"{", "{"},
		{"{action", "{action"},
		{"{many?unclosed", "{many?unclosed"},
		{"a}b{}c", "a}b{}c"},
	}
	for _, tt := range tests {
		if got := Expand(tt.tmpl, args); got != tt.want {
			t.Errorf("Expand(%q) = %q, want %q", tt.tmpl, got, tt.want)
		}
	}
}

func TestFinding(t *testing.T) {
	r := &Rule{ID: "PC999", Name: "test", Category: report.Syntax, Severity: report.Low, Ceiling: 9,
		Title: "{n} things", Detail: "{many?They are|It is} here.", Fix: "Remove {many?them|it}."}
	f := r.Finding(Args{"n": "2", "many": "true"})
	if f.Rule != "PC999" || f.Category != report.Syntax || f.Severity != report.Low ||
		f.Title != "2 things" || f.Detail != "They are here." || f.Recommendation != "Remove them." || f.Args["n"] != "2" {
		t.Errorf("Finding = %+v", f)
	}
}

func TestRegister(t *testing.T) {
	mustPanic := func(name string, r *Rule) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s: Register did not panic", name)
			}
		}()
		Register(r)
	}
	r := Register(&Rule{ID: "PC998", Name: "registry-test", Ceiling: 5})
	if got, ok := Lookup("PC998"); !ok || got != r {
		t.Errorf("Lookup(id) = %v, %v", got, ok)
	}
	if got, ok := Lookup("registry-test"); !ok || got != r {
		t.Errorf("Lookup(name) = %v, %v", got, ok)
	}
	found := false
	for _, x := range All() {
		found = found || x == r
	}
	if !found {
		t.Error("All does not list the rule")
	}
	mustPanic("malformed id", &Rule{ID: "P1", Name: "x", Ceiling: 5})
	mustPanic("duplicate id", &Rule{ID: "PC998", Name: "other", Ceiling: 5})
	mustPanic("duplicate name", &Rule{ID: "PC997", Name: "registry-test", Ceiling: 5})
	mustPanic("ceiling", &Rule{ID: "PC996", Name: "y", Ceiling: 0})
	mustPanic("name", &Rule{ID: "PC995", Name: "Not Kebab", Ceiling: 5})
}
