package suggest

import (
	"math/rand"
	"reflect"
	"testing"

	"github.com/policycheck/policycheck/assistant/analysis"
	"github.com/policycheck/policycheck/assistant/iamref"
)

// TestScopeTable checks the remembered scopes against scopeTypes, and
// that an action of another knowledge base is not given the answer of
// the one with its ID.
func TestScopeTable(t *testing.T) {
	kb := iamref.Default()
	tab := scopesOf(kb)
	for round := range 2 { // working out, then remembered
		for id := range iamref.ActionID(kb.NumActions()) {
			a := kb.ActionByID(id)
			got, ts := tab.of(a), scopeTypes(a)
			want := &actionScope{}
			if ts != nil {
				want = &actionScope{types: ts, key: typeKey(ts), suffix: typeSuffix(ts)}
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("round %d: scope of %s = %+v, want %+v", round, a.FullName(), got, want)
			}
		}
	}
	a := kb.Action("s3:GetObject")
	other := *a
	other.Resources = nil
	if sc := tab.of(&other); sc.types != nil {
		t.Errorf("an action of another base with the ID of s3:GetObject is scoped to %s", sc.key)
	}
	if tab.of(a).types == nil {
		t.Errorf("s3:GetObject is not scoped")
	}
	if scopesOf(kb) != tab {
		t.Errorf("a second table for the same knowledge base")
	}
}

// TestEntriesNotNarrowable checks that a statement narrow cannot change
// gets the same entries, and no change, with narrow on and off, as
// entries assumes when it remembers one answer for both.
func TestEntriesNotNarrowable(t *testing.T) {
	kb := iamref.Default()
	checked := 0
	for seed := range int64(300) {
		d, _ := randomPolicy(rand.New(rand.NewSource(seed)))
		doc := read(t, d.JSON(), d.Type)
		f := newShared(kb, doc, analysis.Analyze(kb, doc))
		for i := range doc.Statements {
			st := &doc.Statements[i]
			if narrowable(st) {
				continue
			}
			on := &builder{shared: f, opts: options{narrow: true}}
			off := &builder{shared: f}
			ents1, keep1 := on.writeEntries(i, st)
			ents0, keep0 := off.writeEntries(i, st)
			if !reflect.DeepEqual(ents1, ents0) || keep1 != keep0 || len(on.changes)+len(off.changes) > 0 {
				t.Fatalf("seed %d, statement %d: narrow on gives %v, %v, %v; off gives %v, %v, %v",
					seed, i, ents1, keep1, on.changes, ents0, keep0, off.changes)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no statement checked")
	}
}
