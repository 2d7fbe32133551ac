package report

import (
	"strings"
	"testing"
)

func TestRenumber(t *testing.T) {
	a := Finding{ID: "wildcard-resource-1", Document: "A"}
	b := Finding{ID: "wildcard-resource-1", Document: "B"}
	m := Finding{ID: "model-1", Document: "B"}
	r := &Report{
		Findings:  []Finding{a, b, m},
		Documents: []Document{{Name: "A", Findings: []Finding{a}}, {Name: "B", Findings: []Finding{b, m}}},
	}
	r.Renumber()
	var got []string
	for _, f := range r.Findings {
		got = append(got, f.ID)
	}
	if strings.Join(got, " ") != "wildcard-resource-1 wildcard-resource-2 model-1" {
		t.Errorf("ids %v", got)
	}
	if r.Documents[1].Findings[0].ID != "wildcard-resource-2" || r.Documents[0].Findings[0].ID != "wildcard-resource-1" {
		t.Errorf("documents' findings not renumbered alike: %+v", r.Documents)
	}
}

func TestFingerprints(t *testing.T) {
	base := Report{File: "iam/role.json", Findings: []Finding{
		{Rule: "PC101", Document: "iam/role.json", Sid: "Admin", Statement: 0, Line: 4, Title: "a"},
		{Rule: "PC101", Document: "iam/role.json", Sid: "Admin", Statement: 0, Line: 4, Title: "b"},
		{Category: WildcardResource, Document: "iam/role.json", Statement: 2, Line: 9},
	}}
	fp := base.Fingerprints()
	if fp[0] == fp[1] || fp[1] == fp[2] || len(fp[0]) != 32 {
		t.Fatalf("fingerprints not distinct: %v", fp)
	}
	// Moved down, reworded, run from ./iam: the same.
	moved := base
	moved.File = "./iam/role.json"
	moved.Findings = append([]Finding(nil), base.Findings...)
	for i := range moved.Findings {
		moved.Findings[i].Line += 10
		moved.Findings[i].Title = "other words"
		moved.Findings[i].Document = moved.File
	}
	if got := moved.Fingerprints(); strings.Join(got, ",") != strings.Join(fp, ",") {
		t.Errorf("fingerprints changed with lines and titles: %v, want %v", got, fp)
	}
	other := Report{File: "iam/other.json", Findings: base.Findings[:1]}
	if other.Fingerprints()[0] == fp[0] {
		t.Error("the same finding in another file has the same fingerprint")
	}
}
