package main

import (
	"bytes"
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/want.dat")

func TestGenerateGolden(t *testing.T) {
	got, err := generate("testdata/pkg")
	if err != nil {
		t.Fatal(err)
	}
	again, err := generate("testdata/pkg")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, again) {
		t.Fatal("two runs on the same input differ")
	}
	if *update {
		if err := os.WriteFile("testdata/want.dat", got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("testdata/want.dat")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from testdata/want.dat (go test -update to accept):\n%s", got)
	}
}

func TestParseLevel(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"List", levelList},
		{"Read", levelRead},
		{"Write", levelWrite},
		{"Tagging, Write", levelTagging},
		{"Permissions management, Write", levelPermissions},
		{"Write, Permissions management", levelPermissions},
	}
	for _, tt := range tests {
		got, err := parseLevel(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("parseLevel(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	if _, err := parseLevel("Admin"); err == nil {
		t.Error("parseLevel(Admin) succeeded")
	}
}

func TestParseGlobalKeys(t *testing.T) {
	for _, bad := range []string{
		"",
		"exports.globalConditionKeys = [",
		"exports.globalConditionKeys = [];",
		"exports.globalConditionKeys = [ { key: 'aws:x' } ];",
		"exports.globalConditionKeys = [ { key: 'aws:x, type: 'String' } ];",
	} {
		if keys, err := parseGlobalKeys(bad); err == nil {
			t.Errorf("parseGlobalKeys(%q) = %v, want error", bad, keys)
		}
	}
}
