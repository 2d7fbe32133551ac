package gitignore

import "testing"

func TestIgnored(t *testing.T) {
	var m Matcher
	m.Add("", []byte("# comment\n\n*.log\n/build/\nnode_modules\n!keep.log\ndocs/**/draft-*.json\nsecret?.json   \n\\#hash.json\n[!a]z.tf\n"))
	m.Add("sub", []byte("local.json\n/only-here.tf\n"))
	tests := []struct {
		path  string
		isDir bool
		want  bool
	}{
		{"a.log", false, true},
		{"deep/dir/a.log", false, true},
		{"keep.log", false, false},
		{"deep/keep.log", false, false},
		{"build", true, true},
		{"build", false, false},  // a file named build: the pattern is for directories
		{"x/build", true, false}, // anchored at the root
		{"node_modules", true, true},
		{"x/node_modules", true, true},
		{"docs/draft-1.json", false, true},
		{"docs/a/b/draft-1.json", false, true},
		{"docs/final.json", false, false},
		{"secret1.json", false, true},
		{"secret12.json", false, false},
		{"#hash.json", false, true},
		{"bz.tf", false, true},
		{"az.tf", false, false},
		{"sub/local.json", false, true},
		{"sub/x/local.json", false, true},
		{"local.json", false, false}, // sub's patterns stay in sub
		{"sub/only-here.tf", false, true},
		{"sub/x/only-here.tf", false, false},
		{"policy.json", false, false},
	}
	for _, tt := range tests {
		if got := m.Ignored(tt.path, tt.isDir); got != tt.want {
			t.Errorf("Ignored(%q, dir=%v) = %v, want %v", tt.path, tt.isDir, got, tt.want)
		}
	}
	var none *Matcher
	if none.Ignored("a.log", false) {
		t.Error("a nil Matcher ignores")
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		pattern, path string
		want          bool
	}{
		{"legacy/**", "legacy/a/b.json", true},
		{"legacy/**", "x/legacy/a.json", false},
		{"**/legacy/*.json", "x/legacy/a.json", true},
		{"*.template", "stacks/app.template", true},
		{"stacks/*.json", "stacks/a.json", true},
		{"stacks/*.json", "stacks/x/a.json", false},
		{"/iam/*.tf", "iam/main.tf", true},
		{"[", "[", false}, // malformed: matches nothing
	}
	for _, tt := range tests {
		if got := Match(tt.pattern, tt.path, false); got != tt.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tt.pattern, tt.path, got, tt.want)
		}
	}
}

func TestValid(t *testing.T) {
	for p, want := range map[string]bool{"*.json": true, "[!a]*": true, "legacy/**": true, "[a": false} {
		if Valid(p) != want {
			t.Errorf("Valid(%q) = %v", p, !want)
		}
	}
}
