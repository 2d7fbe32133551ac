package report

import (
	"math/rand/v2"
	"reflect"
	"slices"
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

// TestNumbered: a report that numbered says Renumber would leave alone
// is one renumber leaves alone, over reports of random ids.
func TestNumbered(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	ids := []string{"wildcard-resource-1", "wildcard-resource-2", "wildcard-resource-3", "pass-role-1", "pass-role-01",
		"pass-role-2", "model", "", "x-", "-1", "a-b-1", "a-b-2", "finding-1"}
	docs := []string{"", "a.json", "b.json"}
	hits := 0
	for range 20000 {
		var rep Report
		for range r.IntN(6) {
			rep.Findings = append(rep.Findings, Finding{ID: ids[r.IntN(len(ids))], Document: docs[r.IntN(len(docs))]})
		}
		if r.IntN(8) == 0 && len(rep.Findings) > 0 {
			rep.Findings[0].Principal = "role/x"
		}
		for range r.IntN(3) {
			d := Document{Name: docs[r.IntN(len(docs))]}
			if r.IntN(3) > 0 {
				d.Findings = slices.Clone(rep.Findings)
			} else {
				for range r.IntN(4) {
					d.Findings = append(d.Findings, Finding{ID: ids[r.IntN(len(ids))], Document: docs[r.IntN(len(docs))]})
				}
			}
			rep.Documents = append(rep.Documents, d)
		}
		if r.IntN(10) == 0 {
			rep.Principals = []Principal{{Findings: slices.Clone(rep.Findings)}}
		}
		want := cloneIDs(&rep)
		want.renumber()
		got := cloneIDs(&rep)
		got.Renumber()
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Renumber of %+v\n= %+v\nwant %+v", rep, got, want)
		}
		if rep.numbered() {
			hits++
		}
	}
	if hits < 100 {
		t.Errorf("only %d reports already numbered: the test draws too few", hits)
	}
}

// cloneIDs is a copy of r whose findings can be renumbered apart.
func cloneIDs(r *Report) *Report {
	c := *r
	c.Findings = slices.Clone(r.Findings)
	c.Documents = slices.Clone(r.Documents)
	for i := range c.Documents {
		c.Documents[i].Findings = slices.Clone(c.Documents[i].Findings)
	}
	c.Principals = slices.Clone(r.Principals)
	for i := range c.Principals {
		c.Principals[i].Findings = slices.Clone(c.Principals[i].Findings)
	}
	return &c
}
