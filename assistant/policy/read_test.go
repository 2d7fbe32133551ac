package policy

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/read and the seeds of FuzzRead")

// readOptions are the options of the inputs that need more than their file
// name.
var readOptions = map[string]Options{
	"forced_scp.json":   {Name: "scp.json", Type: SCP},
	"slack_message.txt": {Name: "slack message"},
}

// TestReadGolden reads every input under testdata/read and compares a
// summary of the result (documents, positions, notes, or the error) with
// the .golden file beside it.
func TestReadGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/read/*")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, in := range inputs {
		if strings.HasSuffix(in, ".golden") {
			continue
		}
		n++
		name := filepath.Base(in)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			opts, ok := readOptions[name]
			if !ok {
				opts = Options{Name: name}
			}
			got := summary(Read(data, opts))
			golden := strings.TrimSuffix(in, filepath.Ext(in)) + ".golden"
			if *update {
				// Every input is also a seed of FuzzRead.
				seed := filepath.Join("testdata/fuzz/FuzzRead", strings.ReplaceAll(name, ".", "_"))
				corpus := "go test fuzz v1\n[]byte(" + strconv.Quote(string(data)) + ")\n"
				if err := errors.Join(os.WriteFile(golden, []byte(got), 0o644), os.WriteFile(seed, []byte(corpus), 0o644)); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to write it)", err)
			}
			if got != string(want) {
				t.Errorf("summary differs from %s\n--- got\n%s\n--- want\n%s", golden, got, want)
			}
		})
	}
	if n < 40 {
		t.Errorf("found %d inputs under testdata/read; expected at least 40", n)
	}
}

func TestReadTooLarge(t *testing.T) {
	policy := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}`
	pad := func(n int) []byte { return []byte(policy + strings.Repeat(" ", n-len(policy))) }
	for _, tc := range []struct {
		size int
		opts Options
		want string // the error message, or "" for no error
	}{
		{MaxInputBytes, Options{}, ""},
		{MaxInputBytes + 1, Options{}, "the input is 102401 bytes; the limit is 102400 bytes"},
		{156916, Options{}, "the input is 153 KB; the limit is 100 KB"},
		{156916, Options{MaxBytes: 1 << 20}, ""},
		{2048, Options{MaxBytes: 1024}, "the input is 2 KB; the limit is 1 KB"},
	} {
		_, err := Read(pad(tc.size), tc.opts)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%d bytes: %v", tc.size, err)
		case tc.want == "":
		case err == nil:
			t.Errorf("%d bytes: no error, want %q", tc.size, tc.want)
		default:
			e, ok := err.(*Error)
			if !ok || e.Kind != ErrTooLarge || e.Msg != tc.want || e.Pos != (Pos{}) {
				t.Errorf("%d bytes: %#v, want a too-large error %q", tc.size, err, tc.want)
			}
		}
	}
}

// TestReadErrors checks the place and words of syntax errors that the
// golden files do not show.
func TestReadErrors(t *testing.T) {
	for _, tc := range []struct {
		in   string
		kind ErrorKind
		pos  Pos
		msg  string
	}{
		{`{"Statement": [}`, ErrSyntax, Pos{1, 16}, `expected a value (a string in double quotes, a number, true, false, null, an object or a list) but found '}'`},
		{`{"Statement": "a\x"}`, ErrSyntax, Pos{1, 17}, `invalid escape 'x' in a string`},
		{`{"Statement": "\u12"}`, ErrSyntax, Pos{1, 16}, `invalid escape in a string: \u must be followed by four hexadecimal digits`},
		{`{"Statement": 01}`, ErrSyntax, Pos{1, 15}, `invalid number 01: numbers do not start with 0`},
		{`{"Statement": -}`, ErrSyntax, Pos{1, 15}, `invalid number: expected a digit after '-'`},
		{`{"Statement": 1.}`, ErrSyntax, Pos{1, 15}, `invalid number: expected a digit after '.'`},
		{`{"Statement": 1e}`, ErrSyntax, Pos{1, 15}, `invalid number: expected a digit in the exponent`},
		{`{"Statement": [] /* open`, ErrSyntax, Pos{1, 18}, `the comment that starts here is not closed with */`},
		{`{"Statement": [] "Version": "x"}`, ErrSyntax, Pos{1, 18}, `expected ',' or '}' after the value of "Statement"; is a comma missing before this key?`},
		{`{"Statement": [] x}`, ErrSyntax, Pos{1, 18}, `expected ',' or '}' after the value of "Statement" but found 'x'`},
		{`{"Statement": [{} {}]}`, ErrSyntax, Pos{1, 19}, `expected ',' or ']' after a list item but found '{'`},
		{`{"Statement": "abc`, ErrSyntax, Pos{1, 15}, `the string that starts here is not closed before the end of the input`},
		{"{\"Statement\":\n  [\n", ErrSyntax, Pos{2, 4}, `the input ends before the list opened at line 2, column 3 is closed with ']'`},
		{`{"Statement": Allow}`, ErrSyntax, Pos{1, 15}, `expected a value but found Allow; strings must be in double quotes`},
		{`{"Statement": []`, ErrSyntax, Pos{1, 17}, `the input ends before the object opened at line 1, column 1 is closed with '}'`},
		{`{"Statement" []}`, ErrSyntax, Pos{1, 14}, `expected ':' after the key "Statement" but found '['`},
		{`{"Statement":` + strings.Repeat(`{"a":`, 300), ErrSyntax, Pos{1, 1289}, `the JSON is nested more than 256 levels deep`},
		// Broken text that nothing marks as IAM is not a broken policy.
		{strings.Repeat(`{"a":`, 300), ErrNoPolicy, Pos{1, 1281}, notIAMPrefix + `the JSON is nested more than 256 levels deep`},
		{"{\n  \"name\": \"x\",\n  \"version\": 1.0.0\n}\n", ErrNoPolicy, Pos{3, 17}, notIAMPrefix + `expected ',' or '}' after the value of "version" but found '.'`},
		{`{"Version": "2012-10-17", "Effect": "Allow" "Action": "*"}`, ErrSyntax, Pos{1, 45}, `expected ',' or '}' after the value of "Effect"; is a comma missing before this key?`},
		{`[1, 2, 3]`, ErrNoPolicy, Pos{}, `no IAM policy found: expected a JSON object with a Statement element, a YAML policy, a CloudFormation template or Terraform`},
		{`{"a": {"b": 1}}`, ErrNoPolicy, Pos{}, `this JSON has no Statement element; it does not look like an IAM policy`},
		{"Version: 1\nStatement: [\n", ErrSyntax, Pos{2, 13}, `invalid YAML: did not find expected node content`},
		{"Resources:\n  B:\n    Type: AWS::S3::Bucket\n", ErrNoPolicy, Pos{}, `this CloudFormation template has no IAM policy: expected resources such as AWS::IAM::Role, AWS::IAM::Policy or AWS::S3::BucketPolicy`},
		{"Statement:\n\t- a\n", ErrSyntax, Pos{2, 1}, `invalid YAML: found character that cannot start any token`},
		{"resource \"aws_iam_policy\" \"p\" {\n  policy = \"{\\\"Statement\\\": [}\"\n}\n", ErrSyntax, Pos{2, 12}, `expected a value (a string in double quotes, a number, true, false, null, an object or a list) but found '}'`},
	} {
		_, err := Read([]byte(tc.in), Options{})
		e, ok := err.(*Error)
		if !ok {
			t.Errorf("Read(%q) = %v, want an *Error", tc.in, err)
			continue
		}
		if e.Kind != tc.kind || e.Pos != tc.pos || e.Msg != tc.msg {
			t.Errorf("Read(%q):\n got %s at %v: %s\nwant %s at %v: %s", tc.in, e.Kind, e.Pos, e.Msg, tc.kind, tc.pos, tc.msg)
		}
		if e.Pos.Line > 0 && e.Line != strings.Split(tc.in, "\n")[e.Pos.Line-1] {
			t.Errorf("Read(%q): Line = %q, want line %d of the input", tc.in, e.Line, e.Pos.Line)
		}
	}
}

// TestReadNotPolicies: files that hold nothing IAM, as a repository has
// them, are no-policy errors, also when they do not parse; a broken file
// that holds a statement is a syntax error.
func TestReadNotPolicies(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		kind     ErrorKind
	}{
		{"ci.yml", "name: CI\non:\n  push:\n    branches: [main]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    permissions:\n      id-token: write\n    steps:\n      - uses: actions/checkout@v4\n      - run: go test ./...\n", ErrNoPolicy},
		{"deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx\n          imagePullPolicy: Always\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n", ErrNoPolicy},
		{"package.json", `{"name": "app", "version": "1.0.0", "scripts": {"build": "tsc"}, "dependencies": {"aws-sdk": "^2"}}`, ErrNoPolicy},
		{"tsconfig.json", "{\n  // comments\n  \"compilerOptions\": {\"target\": \"es2020\", \"strict\": true,},\n  \"include\": [\"src/**/*\"],\n}\n", ErrNoPolicy},
		{"bucket.yaml", "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub \"${AWS::StackName}-data\"\n", ErrNoPolicy},
		{"queue.template", `{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}`, ErrNoPolicy},
		{"vpc.tf", "variable \"cidr\" {\n  default = \"10.0.0.0/16\"\n}\nresource \"aws_vpc\" \"main\" {\n  cidr_block = var.cidr\n}\n", ErrNoPolicy},
		{"requirements.txt", "boto3==1.34.0\nrequests>=2\n", ErrNoPolicy},
		{"broken.json", "{\n  \"name\": \"x\",\n  \"version\": 1.0.0\n}\n", ErrNoPolicy},
		{"chart.yaml", "spec:\n  replicas: {{ .Values.replicas }}\n  template: [\n", ErrNoPolicy},
		{"broken-policy.json", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow" "Action": "*"}]}`, ErrSyntax},
		{"broken-role.yaml", "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties: [\n", ErrSyntax},
	} {
		_, err := Read([]byte(tc.in), Options{Name: tc.name})
		e, ok := err.(*Error)
		if !ok || e.Kind != tc.kind {
			t.Errorf("%s: %v, want a %s error", tc.name, err, tc.kind)
		}
	}
}

const notIAMPrefix = "nothing here looks like an IAM policy (no Statement, PolicyDocument, AWS::IAM:: or aws_iam_), and it does not parse: "

func TestResultLine(t *testing.T) {
	in := "<@U1> look:\r\n```\r\n{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}]}\r\n```\r\n"
	res, err := Read([]byte(in), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Documents[0].Statements[0]
	if s.Pos != (Pos{3, 16}) {
		t.Errorf("statement at %v, want 3:16", s.Pos)
	}
	for n, want := range map[int]string{
		0: "",
		1: "<@U1> look:",
		3: `{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}`,
		5: "",
		6: "",
	} {
		if got := res.Line(n); got != want {
			t.Errorf("Line(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestDetectType(t *testing.T) {
	for _, tc := range []struct {
		stmts string
		want  Type
	}{
		{`{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}`, Identity},
		{`{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}`, Trust},
		{`{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession", "sts:SetSourceIdentity", "sts:SetContext"]}`, Trust},
		{`{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "STS:assumerole"}`, Trust},
		{`{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole*"}`, Trust},
		{`{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:*"}`, Resource},
		{`{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["sts:AssumeRole", "s3:GetObject"]}`, Resource},
		{`{"Effect": "Allow", "Principal": {"AWS": "*"}, "NotAction": "sts:AssumeRole"}`, Resource},
		{`{"Effect": "Allow", "NotPrincipal": {"AWS": "x"}, "Action": "s3:*"}`, Resource},
		{`{"Effect": "Allow", "Principal": "*"}`, Resource},
		{`{"Effect": "Allow", "Action": "s3:*"}, {"Effect": "Allow", "Principal": {"Service": "x"}, "Action": "sts:AssumeRole"}`, Trust},
	} {
		res, err := Read([]byte(`{"Statement": [`+tc.stmts+`]}`), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Documents[0].Type; got != tc.want {
			t.Errorf("%s: type %s, want %s", tc.stmts, got, tc.want)
		}
	}
}

// TestDynamicStatementsBounded: a dynamic block's for_each of thousands of
// elements does not become thousands of statements: past the budget, one
// statement judged with unknown values stands for them.
func TestDynamicStatementsBounded(t *testing.T) {
	src := `data "aws_iam_policy_document" "p" {
  dynamic "statement" {
    for_each = [` + strings.Repeat(`"s3",`, 5000) + `"sqs"]
    content {
      actions   = ["${statement.value}:GetObject"]
      resources = ["*"]
    }
  }
}
`
	res, err := Read([]byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	d := res.Documents[0]
	if n := len(d.Statements); n != 1 || !strings.Contains(d.Statements[0].Action.Values[0].Text, "${statement.value}") {
		t.Errorf("%d statements, the first %+v; want one, with its iterator unknown", n, d.Statements[0].Action)
	}
	if len(res.Notes) == 0 || !strings.Contains(res.Notes[0].Message, "judged once, with unknown values") {
		t.Errorf("notes %+v", res.Notes)
	}
}

// TestModule: a Terraform file is read with the variables and locals the
// other files of its module declare, placed where they are used; what
// is not a plain value, and a file that does not parse, are passed over.
func TestModule(t *testing.T) {
	main := `data "aws_iam_policy_document" "p" {
  statement {
    actions   = local.read
    resources = ["arn:aws:s3:::${var.bucket}/*"]
  }
  dynamic "statement" {
    for_each = local.queues
    content {
      actions   = ["sqs:SendMessage"]
      resources = [statement.value]
    }
  }
  statement {
    actions   = local.computed
    resources = ["*"]
  }
}
`
	module := [][]byte{
		[]byte(`variable "bucket" { default = "acme-reports" }` + "\n"),
		[]byte("locals {\n  read = [\"s3:GetObject\", \"s3:ListBucket\"]\n  queues = { orders = \"arn:aws:sqs:eu-west-1:111122223333:orders\" }\n  computed = concat(var.a, var.b)\n}\n"),
		[]byte("locals {\n  broken = [\n"),
	}
	res, err := Read([]byte(main), Options{Name: "main.tf", Module: module})
	if err != nil {
		t.Fatal(err)
	}
	d := res.Documents[0]
	if len(d.Statements) != 3 {
		t.Fatalf("%d statements: %s", len(d.Statements), d.MinifiedJSON())
	}
	got := string(d.MinifiedJSON())
	for _, want := range []string{`"Action":["s3:GetObject","s3:ListBucket"]`, `"Resource":"arn:aws:s3:::${var.bucket}/*"`,
		`"Resource":"arn:aws:sqs:eu-west-1:111122223333:orders"`, `"Action":"${local.computed}"`} {
		if !strings.Contains(got, want) {
			t.Errorf("no %s in %s", want, got)
		}
	}
	if ref := d.Refs["var.bucket"]; len(ref.Default) != 1 || ref.Default[0] != "acme-reports" || strings.Contains(ref.What, "not declared") {
		t.Errorf("var.bucket = %+v", ref)
	}
	// Values from another file are placed where they are used.
	if v := d.Statements[0].Action.Values[0]; v.Pos.Line != 3 {
		t.Errorf("local.read's first action at %+v, want line 3", v.Pos)
	}
	if v := d.Statements[1].Resource.Values[0]; v.Pos.Line != 10 {
		t.Errorf("the queue's ARN at %+v, want line 10", v.Pos)
	}
}
