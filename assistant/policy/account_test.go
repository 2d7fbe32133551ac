package policy

import (
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var accountOut = flag.String("account1000", "", "write the account TestReadAccount1000 generates to this file, to time the CLI on it")

// TestAccount reads the output of aws iam get-account-authorization-details
// and compares its entities, documents, unused policies and notes with a
// golden file.
func TestAccount(t *testing.T) {
	path := filepath.Join("testdata", "account", "small.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Read(data, Options{Name: "small.json", MaxBytes: len(data)})
	if err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	fmt.Fprintf(&got, "format %s\n", res.Format)
	for _, e := range res.Entities {
		fmt.Fprintf(&got, "line %d: ", e.Pos.Line)
		got.WriteString(describe(e))
		if e.Trust != nil {
			fmt.Fprintf(&got, "  trust line %d\n", e.Trust.Pos.Line)
		}
	}
	for _, d := range res.Documents {
		fmt.Fprintf(&got, "document %s (%s, %s) line %d, %d statements\n", d.Name, d.Type, d.Source, d.Pos.Line, len(d.Statements))
	}
	for _, d := range res.Unused {
		fmt.Fprintf(&got, "unused %s line %d\n", d.Name, d.Pos.Line)
	}
	for _, n := range res.Notes {
		fmt.Fprintf(&got, "note line %d: %s\n", n.Pos.Line, n.Message)
	}
	golden(t, path+".golden", got.String())

	// A customer managed policy attached to several identities is one
	// document, and so is an AWS managed one.
	byName := map[string]*Entity{}
	for _, e := range res.Entities {
		byName[string(e.Kind)+" "+e.Name] = e
	}
	app, deployer, developers := byName["role app"], byName["role deployer"], byName["group developers"]
	if app == nil || deployer == nil || developers == nil {
		t.Fatalf("missing entities: %v", byName)
	}
	if shared := app.Policies[1]; shared != deployer.Policies[1] || shared != developers.Policies[1] {
		t.Errorf("app-read is not one document: %p %p %p", shared, deployer.Policies[1], developers.Policies[1])
	}
	if a, b := deployer.Policies[2], byName["user bob"].Policies[0]; a != b || a.Managed == "" {
		t.Errorf("AdministratorAccess is not one AWS managed document: %p %p %q", a, b, a.Managed)
	}
}

// TestAccountMalformed reads outputs whose lists and items have the wrong
// shape: each gives documents with notes, or an *Error, and never panics.
func TestAccountMalformed(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	inline := `"RolePolicyList":[{"PolicyName":"p","PolicyDocument":` + doc + `}]`
	tests := []struct {
		name, input string
		docs        int // documents expected; -1 for an error
	}{
		{"lists are objects", `{"UserDetailList":{},"GroupDetailList":"x","RoleDetailList":null,"Policies":{}}`, -1},
		{"items are not objects", `{"RoleDetailList":[1,"a",null,[],true]}`, -1},
		{"role name is a number", `{"RoleDetailList":[{"RoleName":7,` + inline + `}]}`, 1},
		{"inline list is an object", `{"RoleDetailList":[{"RoleName":"r","RolePolicyList":{"PolicyName":"p"}}]}`, -1},
		{"inline items are strings", `{"RoleDetailList":[{"RoleName":"r","RolePolicyList":["x",3]},{"RoleName":"s",` + inline + `}]}`, 1},
		{"document is a list", `{"RoleDetailList":[{"RoleName":"r","RolePolicyList":[{"PolicyName":"p","PolicyDocument":[1]},{"PolicyName":"q","PolicyDocument":` + doc + `}]}]}`, 1},
		{"document is a number", `{"UserDetailList":[{"UserName":"u","UserPolicyList":[{"PolicyDocument":5}]}],"RoleDetailList":[{` + inline + `}]}`, 1},
		{"bad URL encoding", `{"RoleDetailList":[{"RoleName":"r","AssumeRolePolicyDocument":"%7B%ZZ",` + inline + `}]}`, 1},
		{"URL-encoded text that is not JSON", `{"RoleDetailList":[{"RoleName":"r","AssumeRolePolicyDocument":"%7Bnot%20json",` + inline + `}]}`, 1},
		{"URL-encoded list", `{"RoleDetailList":[{"RoleName":"r","AssumeRolePolicyDocument":"%5B1%5D",` + inline + `}]}`, 1},
		{"attached items are odd", `{"RoleDetailList":[{"RoleName":"r","AttachedManagedPolicies":[1,{"PolicyArn":3},{"PolicyArn":["a"]},"arn:aws:iam::aws:policy/AdministratorAccess"],` + inline + `}]}`, 1},
		{"attached is a string", `{"RoleDetailList":[{"RoleName":"r","AttachedManagedPolicies":"arn:aws:iam::aws:policy/AdministratorAccess",` + inline + `}]}`, 1},
		{"group list of objects", `{"UserDetailList":[{"UserName":"u","GroupList":[{},1,null,""],"UserPolicyList":[{"PolicyName":"p","PolicyDocument":` + doc + `}]}]}`, 1},
		{"boundary is a string", `{"RoleDetailList":[{"RoleName":"r","PermissionsBoundary":"x",` + inline + `}]}`, 1},
		{"policies without versions", `{"RoleDetailList":[],"Policies":[{"Arn":"arn:aws:iam::1:policy/p","PolicyVersionList":[]},{"Arn":"arn:aws:iam::1:policy/q","PolicyVersionList":"v1"},{"PolicyVersionList":[{"Document":` + doc + `}]},{"Arn":5,"PolicyVersionList":[7]}]}`, -1},
		{"versions of odd shapes", `{"RoleDetailList":[],"Policies":[{"Arn":"arn:aws:iam::1:policy/p","DefaultVersionId":["v1"],"AttachmentCount":"x","PolicyVersionList":[1,{"IsDefaultVersion":"yes","Document":7},{"VersionId":"v2","Document":` + doc + `}]}]}`, -1},
		{"counts of odd shapes", `{"Policies":[{"Arn":"arn:aws:iam::1:policy/p","AttachmentCount":1e99,"PermissionsBoundaryUsageCount":-1,"PolicyVersionList":[{"IsDefaultVersion":true,"Document":` + doc + `}]}]}`, 1},
		{"AWS managed in the list is a string", `{"RoleDetailList":[{"RoleName":"r","AttachedManagedPolicies":[{"PolicyArn":"arn:aws:iam::aws:policy/X"}],` + inline + `}],"Policies":[{"Arn":"arn:aws:iam::aws:policy/X","PolicyVersionList":[{"IsDefaultVersion":true,"Document":"%7B"}]}]}`, 1},
		{"truncated", `{"IsTruncated":true,"Marker":"abc","RoleDetailList":[{"RoleName":"r",` + inline + `}]}`, 1},
		{"deep document", `{"RoleDetailList":[{"RoleName":"r","AssumeRolePolicyDocument":"` + strings.Repeat("%5B", 1000) + `",` + inline + `}]}`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Read([]byte(tt.input), Options{Name: "account.json"})
			if err != nil {
				if _, ok := err.(*Error); !ok {
					t.Fatalf("%T %v is not an *Error", err, err)
				}
				t.Logf("error: %v", err)
				if tt.docs >= 0 {
					t.Fatalf("error %v, want %d documents", err, tt.docs)
				}
				return
			}
			if tt.docs < 0 {
				t.Fatalf("read %d documents, want an error", len(res.Documents))
			}
			if got := len(res.Documents); got != tt.docs {
				t.Errorf("read %d documents, want %d", got, tt.docs)
			}
			if res.Format != "account" {
				t.Errorf("format %q, want account", res.Format)
			}
			lines := strings.Count(tt.input, "\n") + 1
			for _, n := range res.Notes {
				t.Logf("note %d:%d %s", n.Pos.Line, n.Pos.Col, n.Message)
				if n.Pos.Line < 1 || n.Pos.Line > lines {
					t.Errorf("note %+v outside the input", n)
				}
			}
		})
	}
}

// TestAccountDetect tells an account's output from JSON that only looks
// like one.
func TestAccountDetect(t *testing.T) {
	tests := []struct {
		input string
		want  bool
	}{
		{`{"RoleDetailList": []}`, true},
		{`{"UserDetailList": [], "GroupDetailList": []}`, true},
		{`{"Policies": [{"PolicyName": "p", "PolicyVersionList": []}]}`, true},
		// aws iam list-policies
		{`{"Policies": [{"PolicyName": "p", "Arn": "arn:aws:iam::1:policy/p", "DefaultVersionId": "v1"}]}`, false},
		{`{"Policies": {"PolicyVersionList": []}}`, false},
		{`{"Statement": []}`, false},
	}
	for _, tt := range tests {
		v, err := parseJSON(new(arena), tt.input, 0, len(tt.input), identityLoc{})
		if err != nil {
			t.Fatalf("%s: %s", tt.input, err.msg)
		}
		if got := isAccount(v.n); got != tt.want {
			t.Errorf("isAccount(%s) = %v, want %v", tt.input, got, tt.want)
		}
	}
}

// The generated account is built from these types, whose fields are in
// the order the AWS CLI writes them.
type (
	genAccount struct {
		UserDetailList  []any
		GroupDetailList []any
		RoleDetailList  []genRole
		Policies        []genPolicy
	}
	genRole struct {
		Path                     string
		RoleName                 string
		RoleId                   string
		Arn                      string
		CreateDate               string
		AssumeRolePolicyDocument any
		InstanceProfileList      []any
		RolePolicyList           []genInline
		AttachedManagedPolicies  []genAttached
		Tags                     []genTag
		RoleLastUsed             map[string]string
	}
	genInline struct {
		PolicyName     string
		PolicyDocument any
	}
	genAttached struct {
		PolicyName string
		PolicyArn  string
	}
	genTag    struct{ Key, Value string }
	genPolicy struct {
		PolicyName                    string
		PolicyId                      string
		Arn                           string
		Path                          string
		DefaultVersionId              string
		AttachmentCount               int
		PermissionsBoundaryUsageCount int
		IsAttachable                  bool
		CreateDate                    string
		UpdateDate                    string
		PolicyVersionList             []genVersion
	}
	genVersion struct {
		Document         any
		VersionId        string
		IsDefaultVersion bool
		CreateDate       string
	}
)

// generateAccount writes the output of aws iam
// get-account-authorization-details for an account of n roles, each with
// an inline policy, two of a pool of 50 customer managed policies, one
// AWS managed policy and a trust policy, as the AWS CLI indents it. Every
// seventh document is URL-encoded, as the IAM API returns them. The
// output depends on n only.
func generateAccount(n int) []byte {
	const account, date = "111122223333", "2024-05-06T07:08:09+00:00"
	doc := func(statements ...map[string]any) map[string]any {
		return map[string]any{"Version": "2012-10-17", "Statement": statements}
	}
	encode := func(i int, d map[string]any) any {
		if i%7 != 0 {
			return d
		}
		b, _ := json.Marshal(d)
		return url.PathEscape(string(b))
	}
	const pool = 50
	var acct genAccount
	acct.UserDetailList, acct.GroupDetailList = []any{}, []any{}
	uses := make([]int, pool)
	for i := range n {
		name := fmt.Sprintf("app-%04d", i)
		a, b := i%pool, (i*7+3)%pool
		if a == b {
			b = (b + 1) % pool
		}
		uses[a]++
		uses[b]++
		trust := doc(map[string]any{"Effect": "Allow", "Principal": map[string]any{"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"})
		if i%3 == 0 {
			trust = doc(map[string]any{"Effect": "Allow", "Principal": map[string]any{"AWS": fmt.Sprintf("arn:aws:iam::%012d:root", 100000000000+i)},
				"Action": "sts:AssumeRole", "Condition": map[string]any{"StringEquals": map[string]any{"sts:ExternalId": name}}})
		}
		inline := doc(
			map[string]any{"Sid": "Queue", "Effect": "Allow", "Action": []string{"sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"},
				"Resource": fmt.Sprintf("arn:aws:sqs:us-east-1:%s:%s-jobs", account, name)},
			map[string]any{"Sid": "Table", "Effect": "Allow", "Action": []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"},
				"Resource": []string{fmt.Sprintf("arn:aws:dynamodb:us-east-1:%s:table/%s", account, name), fmt.Sprintf("arn:aws:dynamodb:us-east-1:%s:table/%s/index/*", account, name)}})
		awsManaged := []string{"AdministratorAccess", "ReadOnlyAccess", "service-role/AWSLambdaBasicExecutionRole"}[i%3]
		acct.RoleDetailList = append(acct.RoleDetailList, genRole{
			Path: "/", RoleName: name, RoleId: fmt.Sprintf("AROA%016d", i), Arn: fmt.Sprintf("arn:aws:iam::%s:role/%s", account, name), CreateDate: date,
			AssumeRolePolicyDocument: encode(i, trust), InstanceProfileList: []any{},
			RolePolicyList: []genInline{{PolicyName: name + "-inline", PolicyDocument: encode(i+1, inline)}},
			AttachedManagedPolicies: []genAttached{
				{PolicyName: fmt.Sprintf("shared-%02d", a), PolicyArn: fmt.Sprintf("arn:aws:iam::%s:policy/shared-%02d", account, a)},
				{PolicyName: fmt.Sprintf("shared-%02d", b), PolicyArn: fmt.Sprintf("arn:aws:iam::%s:policy/shared-%02d", account, b)},
				{PolicyName: awsManaged[strings.LastIndexByte(awsManaged, '/')+1:], PolicyArn: "arn:aws:iam::aws:policy/" + awsManaged},
			},
			Tags:         []genTag{{Key: "team", Value: fmt.Sprintf("team-%d", i%12)}},
			RoleLastUsed: map[string]string{"LastUsedDate": date, "Region": "us-east-1"},
		})
	}
	for k := range pool {
		name := fmt.Sprintf("shared-%02d", k)
		d := doc(map[string]any{"Effect": "Allow", "Action": []string{"s3:GetObject", "s3:PutObject"},
			"Resource": fmt.Sprintf("arn:aws:s3:::%s-bucket/*", name)},
			map[string]any{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": fmt.Sprintf("arn:aws:kms:us-east-1:%s:key/%d", account, k)})
		acct.Policies = append(acct.Policies, genPolicy{PolicyName: name, PolicyId: fmt.Sprintf("ANPA%016d", k), Arn: fmt.Sprintf("arn:aws:iam::%s:policy/%s", account, name),
			Path: "/", DefaultVersionId: "v2", AttachmentCount: uses[k], IsAttachable: true, CreateDate: date, UpdateDate: date,
			PolicyVersionList: []genVersion{
				{Document: encode(k, d), VersionId: "v2", IsDefaultVersion: true, CreateDate: date},
				{Document: doc(map[string]any{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}), VersionId: "v1", CreateDate: date},
			}})
	}
	out, err := json.MarshalIndent(acct, "", "    ")
	if err != nil {
		panic(err)
	}
	return append(out, '\n')
}

// TestReadAccount1000 reads a generated account of 1,000 roles: every
// role is an entity with its inline policy, two customer managed
// policies shared with others, an AWS managed one (or the attachment,
// when this binary does not know it) and its trust policy.
func TestReadAccount1000(t *testing.T) {
	data := generateAccount(1000)
	if *accountOut != "" {
		if err := os.WriteFile(*accountOut, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d roles: %d bytes, %d lines", 1000, len(data), strings.Count(string(data), "\n"))
	res, err := Read(data, Options{Name: "account1000.json", MaxBytes: len(data)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Entities) != 1000 {
		t.Fatalf("%d entities, want 1000", len(res.Entities))
	}
	// 1,000 inline policies, 1,000 trust policies, 50 customer managed.
	if len(res.Documents) != 2050 {
		t.Errorf("%d documents, want 2050", len(res.Documents))
	}
	if len(res.Unused) != 0 {
		t.Errorf("%d unused policies, want none", len(res.Unused))
	}
	shared := map[*Document]int{}
	for _, e := range res.Entities {
		if e.Trust == nil || e.Trust.Type != Trust || len(e.Trust.Statements) != 1 {
			t.Fatalf("%s: trust %+v", e.Name, e.Trust)
		}
		if len(e.Policies)+len(e.Unknown) != 4 {
			t.Fatalf("%s: %d policies and %d unknown, want 4 in all", e.Name, len(e.Policies), len(e.Unknown))
		}
		for _, d := range e.Policies[1:3] {
			shared[d]++
		}
	}
	if len(shared) != 50 {
		t.Errorf("the roles share %d customer managed documents, want 50", len(shared))
	}
	if len(res.Notes) != 0 {
		t.Errorf("notes: %v", res.Notes)
	}
}

func BenchmarkReadAccount1000(b *testing.B) {
	data := generateAccount(1000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Read(data, Options{MaxBytes: len(data)}); err != nil {
			b.Fatal(err)
		}
	}
}
