package subset

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/policy"
)

type m = map[string]any

func doc(t testing.TB, typ policy.Type, stmts ...m) *policy.Document {
	t.Helper()
	list := make([]any, len(stmts))
	for i, s := range stmts {
		list[i] = s
	}
	data, err := json.Marshal(m{"Version": "2012-10-17", "Statement": list})
	if err != nil {
		t.Fatal(err)
	}
	res, err := policy.Read(data, policy.Options{Name: "test", Type: typ})
	if err != nil {
		t.Fatalf("read: %v\n%s", err, data)
	}
	return res.Documents[0]
}

func allow(actions, resources any) m {
	return m{"Effect": "Allow", "Action": actions, "Resource": resources}
}
func deny(actions, resources any) m {
	return m{"Effect": "Deny", "Action": actions, "Resource": resources}
}

func with(s m, k string, v any) m {
	out := m{}
	for kk, vv := range s {
		out[kk] = vv
	}
	out[k] = v
	return out
}

func TestCheck(t *testing.T) {
	const bucket = "arn:aws:s3:::acme-logs"
	vpc := m{"StringEquals": m{"aws:SourceVpc": "vpc-1"}}
	trust := func(principal any, cond m) m {
		s := m{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
		if cond != nil {
			s["Condition"] = cond
		}
		return s
	}
	github := m{"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}
	allS3Get := []string{}
	kb := iamref.Default()
	kb.Expand("s3:Get*").Each(func(id iamref.ActionID) bool {
		allS3Get = append(allS3Get, kb.ActionByID(id).FullName())
		return true
	})

	tests := []struct {
		name   string
		typ    policy.Type
		a, b   []m
		proven bool
		reason string // substring of Reason when not proven
		action string
	}{
		{name: "identical", a: []m{allow([]string{"s3:GetObject", "s3:PutObject"}, bucket+"/*")}, b: []m{allow([]string{"s3:GetObject", "s3:PutObject"}, bucket+"/*")}, proven: true},
		{name: "fewer actions", a: []m{allow([]string{"s3:GetObject", "s3:PutObject"}, bucket+"/*")}, b: []m{allow("s3:GetObject", bucket+"/*")}, proven: true},
		{name: "action case", a: []m{allow("s3:getobject", bucket+"/*")}, b: []m{allow("S3:GetObject", bucket+"/*")}, proven: true},
		{name: "narrower resource", a: []m{allow("s3:GetObject", bucket+"/*")}, b: []m{allow("s3:GetObject", bucket+"/app/*")}, proven: true},
		{name: "star scoped", a: []m{allow([]string{"s3:GetObject", "s3:ListBucket"}, "*")}, b: []m{allow("s3:ListBucket", "arn:aws:s3:::<bucket-name>"), allow("s3:GetObject", "arn:aws:s3:::<bucket-name>/*")}, proven: true},
		{name: "wider resource", a: []m{allow("s3:GetObject", bucket+"/app/*")}, b: []m{allow("s3:GetObject", bucket+"/*")},
			reason: "the suggestion allows s3:GetObject on arn:aws:s3:::acme-logs/*, outside the original's resources", action: "s3:GetObject"},
		{name: "other bucket", a: []m{allow("s3:GetObject", bucket+"/*")}, b: []m{allow("s3:GetObject", "arn:aws:s3:::other/*")},
			reason: "on arn:aws:s3:::other/*, outside the original's resources"},
		{name: "added action", a: []m{allow("s3:GetObject", bucket+"/*")}, b: []m{allow([]string{"s3:GetObject", "s3:DeleteObject"}, bucket+"/*")},
			reason: "the suggestion allows s3:DeleteObject, which the original did not", action: "s3:DeleteObject"},
		{name: "union of statements", a: []m{allow("s3:ListBucket", bucket), allow("s3:GetObject", bucket+"/*")},
			b: []m{allow([]string{"s3:ListBucket", "s3:GetObject"}, []string{bucket, bucket + "/*"})}, proven: true},
		{name: "union does not stretch", a: []m{allow("s3:ListBucket", bucket), allow("s3:GetObject", bucket+"/*")},
			b: []m{allow([]string{"s3:ListBucket", "s3:PutObject"}, []string{bucket, bucket + "/*"})}, reason: "s3:PutObject, which the original did not"},
		{name: "service wildcard to names", a: []m{allow("s3:*", "*")}, b: []m{allow([]string{"s3:GetObject", "s3:ListBucket"}, "*")}, proven: true},
		{name: "star to pattern", a: []m{allow("*", "*")}, b: []m{allow([]string{"*:Describe*", "s3:Get*"}, "*")}, proven: true},
		{name: "pattern future actions", a: []m{allow(allS3Get, "*")}, b: []m{allow("s3:Get*", "*")},
			reason: "s3:Get* (and any action AWS adds that matches it), which the original did not", action: "s3:Get*"},
		{name: "same pattern", a: []m{allow("s3:Get*", "*")}, b: []m{allow("s3:Get*", "arn:aws:s3:::b/*")}, proven: true},
		{name: "unknown action kept", a: []m{allow([]string{"s3:GetObjcet", "s3:GetObject"}, "*")}, b: []m{allow("s3:GetObjcet", "*")}, proven: true},
		{name: "unknown action added", a: []m{allow("s3:GetObject", "*")}, b: []m{allow([]string{"s3:GetObject", "foo:Bar"}, "*")}, reason: "foo:Bar"},
		{name: "added condition", a: []m{allow("s3:GetObject", bucket+"/*")}, b: []m{with(allow("s3:GetObject", bucket+"/*"), "Condition", vpc)}, proven: true},
		{name: "dropped condition", a: []m{with(allow("s3:GetObject", bucket+"/*"), "Condition", vpc)}, b: []m{allow("s3:GetObject", bucket+"/*")},
			reason: "the suggestion drops the original's condition aws:SourceVpc"},
		{name: "loosened condition", a: []m{with(allow("s3:GetObject", bucket+"/*"), "Condition", vpc)},
			b:      []m{with(allow("s3:GetObject", bucket+"/*"), "Condition", m{"StringEquals": m{"aws:SourceVpc": []string{"vpc-1", "vpc-2"}}})},
			reason: "loosens the original's condition aws:SourceVpc"},
		{name: "fewer condition values", a: []m{with(allow("s3:GetObject", bucket+"/*"), "Condition", m{"StringEquals": m{"aws:SourceVpc": []string{"vpc-1", "vpc-2"}}})},
			b: []m{with(allow("s3:GetObject", bucket+"/*"), "Condition", vpc)}, proven: true},
		{name: "operator changed", a: []m{with(allow("s3:GetObject", bucket+"/*"), "Condition", vpc)},
			b:      []m{with(allow("s3:GetObject", bucket+"/*"), "Condition", m{"StringEqualsIfExists": m{"aws:SourceVpc": "vpc-1"}})},
			reason: "drops the original's condition aws:SourceVpc"},
		{name: "narrower like", a: []m{with(allow("s3:GetObject", bucket+"/*"), "Condition", m{"StringLike": m{"s3:prefix": "home/*"}})},
			b: []m{with(allow("s3:GetObject", bucket+"/*"), "Condition", m{"StringLike": m{"s3:prefix": "home/alice/*"}})}, proven: true},
		{name: "narrower cidr", a: []m{with(allow("s3:GetObject", bucket+"/*"), "Condition", m{"IpAddress": m{"aws:SourceIp": "10.0.0.0/8"}})},
			b: []m{with(allow("s3:GetObject", bucket+"/*"), "Condition", m{"IpAddress": m{"aws:SourceIp": []string{"10.1.0.0/16", "10.2.3.4"}}})}, proven: true},
		{name: "wider cidr", a: []m{with(allow("s3:GetObject", bucket+"/*"), "Condition", m{"IpAddress": m{"aws:SourceIp": "10.1.0.0/16"}})},
			b: []m{with(allow("s3:GetObject", bucket+"/*"), "Condition", m{"IpAddress": m{"aws:SourceIp": "10.0.0.0/8"}})}, reason: "loosens"},
		{name: "more excluded", a: []m{with(allow("s3:GetObject", bucket+"/*"), "Condition", m{"StringNotEquals": m{"aws:PrincipalAccount": "111111111111"}})},
			b: []m{with(allow("s3:GetObject", bucket+"/*"), "Condition", m{"StringNotEquals": m{"aws:PrincipalAccount": []string{"111111111111", "222222222222"}}})}, proven: true},
		{name: "star across colons", a: []m{allow("s3:GetObject", bucket+"/*")},
			b:      []m{allow("s3:GetObject", bucket+"/*"), allow("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:*:secret:prod-*")},
			reason: "secretsmanager:GetSecretValue"},
		{name: "empty namespace", a: []m{allow("codeartifact:ReadFromRepository", "arn:aws:codeartifact:us-east-1:111122223333:repository/dom/other")},
			b:      []m{allow("codeartifact:PublishPackageVersion", "arn:aws:codeartifact:us-east-1:111122223333:package/dom/repo/npm//*")},
			reason: "codeartifact:PublishPackageVersion"},
		{name: "question mark and a character of two bytes", a: []m{allow("s3:GetObject", bucket+"/??")}, b: []m{allow("s3:GetObject", bucket+"/é")},
			reason: "s3:GetObject"},
		{name: "not resource with a question mark", a: []m{m{"Effect": "Allow", "Action": "s3:GetObject", "NotResource": bucket + "/?"}},
			b: []m{allow("s3:GetObject", bucket+"/é")}, reason: "s3:GetObject"},
		{name: "deny kept", a: []m{allow("*", "*"), deny("iam:*", "*")}, b: []m{allow("s3:GetObject", "*"), deny("iam:*", "*")}, proven: true},
		{name: "deny widened", a: []m{allow("s3:*", "*"), deny("s3:DeleteBucket", bucket)}, b: []m{allow("s3:GetObject", "*"), deny("s3:Delete*", "*")}, proven: true},
		{name: "deny removed", a: []m{allow("*", "*"), deny("iam:*", "*")}, b: []m{allow("s3:GetObject", "*")},
			reason: "the suggestion removes the original's Deny of iam:*", action: "iam:*"},
		{name: "deny narrowed", a: []m{allow("s3:*", "*"), deny("s3:Delete*", "*")}, b: []m{allow("s3:GetObject", "*"), deny("s3:DeleteObject", "*")},
			reason: "removes the original's Deny of s3:Delete*"},
		{name: "deny with condition added", a: []m{allow("s3:*", "*"), deny("s3:DeleteObject", "*")},
			b: []m{allow("s3:GetObject", "*"), with(deny("s3:DeleteObject", "*"), "Condition", vpc)}, reason: "removes the original's Deny of s3:DeleteObject"},
		{name: "own deny excuses", a: []m{allow("s3:GetObject", "*")}, b: []m{allow([]string{"s3:GetObject", "s3:PutObject"}, "*"), deny("s3:PutObject", "*")}, proven: true},
		{name: "not resource", a: []m{allow("s3:GetObject", bucket+"/*")}, b: []m{m{"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secret/*"}},
			reason: "on every resource except arn:aws:s3:::secret/*, outside the original's resources"},
		{name: "not resource same", a: []m{m{"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secret/*"}},
			b: []m{m{"Effect": "Allow", "Action": "s3:GetObject", "NotResource": []string{"arn:aws:s3:::secret/*", "arn:aws:s3:::other/*"}}}, proven: true},
		{name: "outside not resource", a: []m{m{"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secret/*"}},
			b: []m{allow("s3:GetObject", bucket+"/*")}, proven: true},
		{name: "inside not resource", a: []m{m{"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secret/*"}},
			b: []m{allow("s3:GetObject", "arn:aws:s3:::secret/a/*")}, reason: "outside the original's resources"},
		{name: "not action narrower", a: []m{m{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}},
			b: []m{m{"Effect": "Allow", "NotAction": []string{"iam:*", "s3:*"}, "Resource": "*"}}, proven: true},
		{name: "not action wider", a: []m{m{"Effect": "Allow", "NotAction": []string{"iam:*", "s3:*"}, "Resource": "*"}},
			b: []m{m{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}}, reason: "s3:"},
		{name: "not action to names", a: []m{m{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}}, b: []m{allow([]string{"s3:GetObject", "ec2:Describe*"}, "*")}, proven: true},
		{name: "not action to patterns and deny", a: []m{m{"Effect": "Allow", "NotAction": []string{"iam:*", "organizations:*"}, "Resource": "*"}},
			b: []m{allow([]string{"*:Describe*", "*:Get*", "*:List*"}, "*"), deny([]string{"iam:*", "organizations:*"}, "*")}, proven: true},
		{name: "not action to patterns, deny short", a: []m{m{"Effect": "Allow", "NotAction": []string{"iam:*", "organizations:*"}, "Resource": "*"}},
			b: []m{allow([]string{"*:Describe*", "*:Get*", "*:List*"}, "*"), deny("iam:*", "*")}, reason: "organizations:"},
		{name: "not action to patterns, deny conditional", a: []m{m{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}},
			b: []m{allow("*:Get*", "*"), with(deny("iam:*", "*"), "Condition", vpc)}, reason: "iam:"},
		{name: "not action excludes", a: []m{m{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}}, b: []m{allow("iam:GetRole", "*")}, reason: "iam:GetRole, which the original did not"},
		{name: "variable in original", a: []m{allow("s3:GetObject", bucket+"/${aws:username}/*")}, b: []m{allow("s3:GetObject", bucket+"/*")}, reason: "outside the original's resources"},
		{name: "variable kept", a: []m{allow("s3:GetObject", bucket+"/${aws:username}/*")}, b: []m{allow("s3:GetObject", bucket+"/${aws:username}/*")}, proven: true},
		{name: "variable in suggestion", a: []m{allow("s3:GetObject", bucket+"/*")}, b: []m{allow("s3:GetObject", bucket+"/${aws:username}/*")}, proven: true},
		{name: "variable within star", a: []m{allow("s3:GetObject", bucket+"/home/*/x")}, b: []m{allow("s3:GetObject", bucket+"/home/${aws:username}/x")}, proven: true},
		{name: "variable not one character", a: []m{allow("s3:GetObject", bucket+"/home/?/x")}, b: []m{allow("s3:GetObject", bucket+"/home/${aws:username}/x")}, reason: "outside"},

		{name: "trust same", typ: policy.Trust, a: []m{trust(m{"Service": "lambda.amazonaws.com"}, nil)}, b: []m{trust(m{"Service": "lambda.amazonaws.com"}, nil)}, proven: true},
		{name: "trust added service", typ: policy.Trust, a: []m{trust(m{"Service": "lambda.amazonaws.com"}, nil)}, b: []m{trust(m{"Service": []string{"lambda.amazonaws.com", "ec2.amazonaws.com"}}, nil)},
			reason: "the suggestion grants sts:AssumeRole to ec2.amazonaws.com, which the original did not"},
		// Naming the account delegates to its IAM policies; naming the
		// role grants without them.
		{name: "account to role", typ: policy.Trust, a: []m{trust(m{"AWS": "123456789012"}, nil)}, b: []m{trust(m{"AWS": "arn:aws:iam::123456789012:role/deployer"}, nil)},
			reason: "to arn:aws:iam::123456789012:role/deployer"},
		{name: "account in its other spelling", typ: policy.Trust, a: []m{trust(m{"AWS": "123456789012"}, nil)}, b: []m{trust(m{"AWS": "arn:aws:iam::123456789012:root"}, nil)}, proven: true},
		{name: "account in another partition", typ: policy.Trust, a: []m{trust(m{"AWS": "arn:aws-cn:iam::123456789012:root"}, nil)}, b: []m{trust(m{"AWS": "arn:aws:iam::123456789012:root"}, nil)},
			reason: "to arn:aws:iam::123456789012:root"},
		{name: "role to account", typ: policy.Trust, a: []m{trust(m{"AWS": "arn:aws:iam::123456789012:role/deployer"}, nil)}, b: []m{trust(m{"AWS": "arn:aws:iam::123456789012:root"}, nil)},
			reason: "to arn:aws:iam::123456789012:root"},
		{name: "anyone to account", typ: policy.Trust, a: []m{trust(m{"AWS": "*"}, nil)}, b: []m{trust(m{"AWS": "arn:aws:iam::<account-id>:root"}, nil)}, proven: true},
		{name: "anyone with org", typ: policy.Trust, a: []m{trust("*", nil)}, b: []m{trust("*", m{"StringEquals": m{"aws:PrincipalOrgID": "<org-id>"}})}, proven: true},
		{name: "github sub added", typ: policy.Trust,
			a:      []m{with(trust(github, m{"StringEquals": m{"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}), "Action", "sts:AssumeRoleWithWebIdentity")},
			b:      []m{with(trust(github, m{"StringEquals": m{"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}, "StringLike": m{"token.actions.githubusercontent.com:sub": "repo:<org>/<repo>:*"}}), "Action", "sts:AssumeRoleWithWebIdentity")},
			proven: true},
		{name: "github sub narrowed", typ: policy.Trust,
			a:      []m{with(trust(github, m{"StringLike": m{"token.actions.githubusercontent.com:sub": "*"}}), "Action", "sts:AssumeRoleWithWebIdentity")},
			b:      []m{with(trust(github, m{"StringLike": m{"token.actions.githubusercontent.com:sub": "repo:<org>/<repo>:*"}}), "Action", "sts:AssumeRoleWithWebIdentity")},
			proven: true},
		{name: "bucket policy public to org", typ: policy.Resource,
			a:      []m{{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": bucket + "/*"}},
			b:      []m{{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": bucket + "/*", "Condition": m{"StringEquals": m{"aws:PrincipalOrgID": "<org-id>"}}}},
			proven: true},
		{name: "bucket policy new principal", typ: policy.Resource,
			a:      []m{{"Effect": "Allow", "Principal": m{"AWS": "arn:aws:iam::111111111111:root"}, "Action": "s3:GetObject", "Resource": bucket + "/*"}},
			b:      []m{{"Effect": "Allow", "Principal": m{"AWS": "arn:aws:iam::222222222222:root"}, "Action": "s3:GetObject", "Resource": bucket + "/*"}},
			reason: "to arn:aws:iam::222222222222:root"},
		{name: "not principal", typ: policy.Resource,
			a:      []m{{"Effect": "Allow", "Principal": m{"AWS": "arn:aws:iam::111111111111:root"}, "Action": "s3:GetObject", "Resource": bucket + "/*"}},
			b:      []m{{"Effect": "Allow", "NotPrincipal": m{"AWS": "arn:aws:iam::222222222222:root"}, "Action": "s3:GetObject", "Resource": bucket + "/*"}},
			reason: "everyone except arn:aws:iam::222222222222:root"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := doc(t, tt.typ, tt.a...), doc(t, tt.typ, tt.b...)
			v := Check(kb, a, b)
			if v.Proven != tt.proven {
				t.Fatalf("Proven = %v, want %v (%s)", v.Proven, tt.proven, v.Reason)
			}
			if tt.proven {
				if v.Reason != "" || v.Action != "" {
					t.Errorf("proven with reason %q action %q", v.Reason, v.Action)
				}
				return
			}
			if !strings.Contains(v.Reason, tt.reason) {
				t.Errorf("Reason = %q, want it to contain %q", v.Reason, tt.reason)
			}
			if tt.action != "" && v.Action != tt.action {
				t.Errorf("Action = %q, want %q", v.Action, tt.action)
			}
		})
	}
}

// TestCheckReflexive: every policy is no broader than itself.
func TestCheckReflexive(t *testing.T) {
	kb := iamref.Default()
	for seed := int64(0); seed < 200; seed++ {
		g := newGen(seed)
		a := g.policy()
		if v := Check(kb, a, a); !v.Proven {
			t.Fatalf("seed %d: A ⊄ A: %s\n%s", seed, v.Reason, a.JSON())
		}
	}
}

// TestCheckProperties derives policies from random ones by each narrowing
// and widening edit and checks the verdict.
func TestCheckProperties(t *testing.T) {
	kb := iamref.Default()
	applied := make([]int, len(narrowings)+len(widenings))
	for seed := int64(0); seed < 300; seed++ {
		for op := range applied {
			if checkDerived(t, kb, seed, op) {
				applied[op]++
			}
		}
	}
	for op, n := range applied {
		if n < 10 {
			t.Errorf("edit %d applied only %d times in 300 policies", op, n)
		}
	}
}

// checkDerived derives a policy from a random one by edit op and checks
// the verdict; it reports whether the edit applied.
func checkDerived(t *testing.T, kb *iamref.KB, seed int64, op int) bool {
	t.Helper()
	g := newGen(seed)
	a := g.policy()
	b, what, narrowing, ok := g.derive(a, op)
	if !ok {
		return false
	}
	v := Check(kb, a, b)
	if narrowing && !v.Proven {
		t.Fatalf("seed %d, %s: narrowing not proven: %s\nA: %s\nB: %s", seed, what, v.Reason, a.JSON(), b.JSON())
	}
	if !narrowing && v.Proven {
		t.Fatalf("seed %d, %s: widening proven\nA: %s\nB: %s", seed, what, a.JSON(), b.JSON())
	}
	return true
}

func FuzzCheck(f *testing.F) {
	f.Add(int64(1), uint8(0))
	f.Add(int64(2), uint8(7))
	kb := iamref.Default()
	f.Fuzz(func(t *testing.T, seed int64, op uint8) {
		checkDerived(t, kb, seed, int(op)%(len(narrowings)+len(widenings)))
	})
}

// BenchmarkCheck100 proves a policy of 100 statements no broader than
// another of 100: the same statements in reverse order, each narrowed
// where the pools allow, so every statement needs the full search.
func BenchmarkCheck100(b *testing.B) {
	kb := iamref.Default()
	g := newGen(42)
	a := g.policyN(100)
	c := clone(a)
	slices.Reverse(c.Statements)
	for i := range c.Statements {
		s := &c.Statements[i]
		v := s.Resource.Strings()
		for k, r := range v {
			if n := narrowerResource[r]; len(n) > 0 {
				v[k] = n[0]
			}
		}
		s.Resource = policy.NewList(v...)
	}
	reindex(c)
	if v := Check(kb, a, c); !v.Proven {
		b.Fatalf("not proven: %s", v.Reason)
	}
	b.ResetTimer()
	for b.Loop() {
		Check(kb, a, c)
	}
}
