package policy

import "testing"

func TestKindOf(t *testing.T) {
	for _, tc := range []struct {
		name string
		kind FileKind
		ok   bool
	}{
		{"role.json", KindJSON, true},
		{"dir/ROLE.JSON", KindJSON, true},
		{"stack.yml", KindYAML, true},
		{"stack.template", KindTemplate, true},
		{"main.tf", KindTerraform, true},
		{`c:\iac\main.tf`, KindTerraform, true},
		{"terragrunt.hcl", KindTerraform, true},
		{"paste.txt", KindText, true},
		{"README.md", "", false},
		{"Makefile", "", false},
		{"json", "", false},
	} {
		if kind, ok := KindOf(tc.name); kind != tc.kind || ok != tc.ok {
			t.Errorf("KindOf(%q) = %q, %v; want %q, %v", tc.name, kind, ok, tc.kind, tc.ok)
		}
	}
	if got, want := ExtensionList("or"), ".json, .yaml, .yml, .template, .tf, .hcl or .txt"; got != want {
		t.Errorf("ExtensionList = %q, want %q", got, want)
	}
}
