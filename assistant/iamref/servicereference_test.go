package iamref

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// serviceReferenceServer serves testdata/servicereference in AWS's layout:
// a service list and /v1/<service>/<service>.json. The list names s3 by
// absolute URL, iam by absolute path and sts relative to the list.
// extra adds entries to the list.
func serviceReferenceServer(t *testing.T, extra ...srListEntry) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	var srv *httptest.Server
	mux.HandleFunc("GET /v1/service-list.json", func(w http.ResponseWriter, r *http.Request) {
		list := append([]srListEntry{
			{"s3", srv.URL + "/v1/s3/s3.json"},
			{"iam", "/v1/iam/iam.json"},
			{"sts", "sts/sts.json"},
		}, extra...)
		json.NewEncoder(w).Encode(list)
	})
	mux.HandleFunc("GET /v1/{svc}/{file}", func(w http.ResponseWriter, r *http.Request) {
		svc := r.PathValue("svc")
		if r.PathValue("file") != svc+".json" {
			http.NotFound(w, r)
			return
		}
		b, err := os.ReadFile(filepath.Join("testdata", "servicereference", svc+".json"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	})
	mux.HandleFunc("GET /v1/broken/broken.json", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"Name": "broken", "Actions": [`))
	})
	srv = httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestLoadServiceReference(t *testing.T) {
	srv := serviceReferenceServer(t)
	kb, err := LoadServiceReference(context.Background(), srv.Client(), srv.URL+"/v1/service-list.json")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := kb.Version(), "AWS service reference v1.4"; got != want {
		t.Errorf("Version() = %q, want %q", got, want)
	}
	if got := len(kb.Services()); got != 3 {
		t.Errorf("%d services, want 3", got)
	}
	if got := kb.NumActions(); got != 8 {
		t.Errorf("%d actions, want 8", got)
	}
	levels := map[string]Level{
		"s3:GetObject":          Read,
		"s3:ListBucket":         List,
		"s3:ListAllMyBuckets":   List,
		"s3:PutObject":          Write,
		"s3:PutObjectTagging":   Tagging,
		"s3:PutBucketPolicy":    PermissionsManagement,
		"iam:PassRole":          Write,
		"sts:GetCallerIdentity": Read,
	}
	for name, want := range levels {
		a := mustAction(t, kb, name)
		if a.Level != want {
			t.Errorf("%s level = %v, want %v", name, a.Level, want)
		}
		if kb.ActionByID(a.ID) != a || !kb.LevelSet(want).Has(a.ID) {
			t.Errorf("%s is not indexed", name)
		}
	}
	if a := mustAction(t, kb, "sts:getcalleridentity"); a.ResourceLevel() {
		t.Error("sts:GetCallerIdentity has resource types")
	}
	get := mustAction(t, kb, "s3:GetObject")
	if len(get.Resources) != 1 || get.Resources[0].Type.Name != "object" ||
		strings.Join(get.Resources[0].Type.ARNFormats, "") != "arn:${Partition}:s3:::${BucketName}/${ObjectName}" {
		t.Errorf("s3:GetObject resources = %+v", get.Resources)
	}
	if got := kb.Expand("s3:Put*").Len(); got != 3 {
		t.Errorf("Expand(s3:Put*) = %d actions, want 3", got)
	}
	if got := kb.Expand("*").Len(); got != 8 {
		t.Errorf("Expand(*) = %d actions, want 8", got)
	}
	obj, bucket := get.Resources[0].Type, resourceType(t, kb, "s3", "bucket")
	if !kb.MatchResource("arn:aws:s3:::b/*", obj) || kb.MatchResource("arn:aws:s3:::b/*", bucket) {
		t.Error("MatchResource on Service Reference types is wrong")
	}

	// Condition keys: the service's own, and the global ones of the
	// embedded data.
	for _, c := range []struct {
		key, action string
		want        bool
	}{
		{"s3:ExistingObjectTag/team", "s3:GetObject", true},
		{"s3:prefix", "s3:ListBucket", true},
		{"s3:prefix", "s3:GetObject", false},
		{"aws:SourceIp", "s3:GetObject", true},
		{"iam:PassedToService", "iam:PassRole", true},
		{"iam:ResourceTag/team", "iam:PassRole", true}, // from the role type
	} {
		if got := kb.ConditionKeyApplies(c.key, mustAction(t, kb, c.action)); got != c.want {
			t.Errorf("ConditionKeyApplies(%q, %s) = %v, want %v", c.key, c.action, got, c.want)
		}
	}
	if k := kb.ConditionKey("aws:MultiFactorAuthPresent"); k == nil || k.Type != "Bool" || !k.Global {
		t.Errorf("global key aws:MultiFactorAuthPresent = %+v", k)
	}
	if k := kb.ConditionKey("iam:associatedresourcearn"); k == nil || k.Name != "iam:AssociatedResourceArn" || k.Type != "ARN" {
		t.Errorf("iam:AssociatedResourceArn = %+v", k)
	}
	if k := kb.ConditionKey("aws:RequestTag/x"); k == nil || !k.Global || k.Name != "aws:RequestTag/${TagKey}" {
		t.Errorf("aws:RequestTag/x = %+v", k)
	}
	if got, ok := kb.Closest("s3:GetObjcet"); !ok || got != "s3:GetObject" {
		t.Errorf("Closest = %q, %v", got, ok)
	}
}

func TestLoadServiceReferenceErrors(t *testing.T) {
	srv := serviceReferenceServer(t)
	list := srv.URL + "/v1/service-list.json"
	ctx := context.Background()

	tests := []struct {
		name  string
		extra []srListEntry
		url   string
	}{
		{"missing service", []srListEntry{{"nosuch", "/v1/nosuch/nosuch.json"}}, list},
		{"truncated document", []srListEntry{{"broken", "/v1/broken/broken.json"}}, list},
		{"listed twice", []srListEntry{{"S3", "/v1/s3/s3.json"}}, list},
		{"bad entry", []srListEntry{{"", "/v1/s3/s3.json"}}, list},
		{"missing list", nil, srv.URL + "/v1/nosuch-list.json"},
		{"bad URL", nil, "://nowhere"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := serviceReferenceServer(t, tt.extra...)
			u := strings.Replace(tt.url, srv.URL, s.URL, 1)
			if _, err := LoadServiceReference(ctx, s.Client(), u); err == nil {
				t.Error("no error")
			}
		})
	}

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := LoadServiceReference(canceled, srv.Client(), list); err == nil {
		t.Error("no error with a canceled context")
	}
}
