package suggest

import (
	"reflect"
	"testing"

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
