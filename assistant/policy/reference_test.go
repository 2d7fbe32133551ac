package policy

import (
	"slices"
	"strings"
	"testing"
)

func TestPolicyVariable(t *testing.T) {
	for name, want := range map[string]bool{
		"aws:username":          true,
		"aws:PrincipalTag/team": true,
		"s3:prefix":             true,
		"token.actions.githubusercontent.com:sub": true,
		"aws:username, 'nobody'":                  true,
		"*":                                       true,
		"!aws:SourceArn":                          true, // Fn::Sub's escape
		"AWS::AccountId":                          false,
		"Bucket.Arn":                              false,
		"var.who":                                 false,
		"data.aws_caller_identity.current.account_id": false,
		`var.prod ? "a" : "b"`:                        false,
	} {
		if got := PolicyVariable(name); got != want {
			t.Errorf("PolicyVariable(%q) = %v, want %v", name, got, want)
		}
	}
	got := RefNames("arn:${AWS::Partition}:s3:::${Bucket}/home/${aws:username}/${Bucket}/${lookup(var.m, \"k\")}")
	if want := []string{"AWS::Partition", "Bucket", `lookup(var.m, "k")`}; !slices.Equal(got, want) {
		t.Errorf("RefNames = %q, want %q", got, want)
	}
}

// refsOf reads an input and returns what each reference of its documents
// stands for, as "kind what [defaults]".
func refsOf(t *testing.T, name, text string) map[string]Reference {
	t.Helper()
	res, err := Read([]byte(text), Options{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]Reference{}
	for _, d := range res.Documents {
		for k, v := range d.Refs {
			out[k] = v
		}
	}
	return out
}

func TestReferencesCloudFormation(t *testing.T) {
	refs := refsOf(t, "stack.yaml", `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  TrustedRoleArn:
    Type: String
    Default: arn:aws:iam::111122223333:role/ops
  Buckets:
    Type: CommaDelimitedList
    Default: logs-a, logs-b
  OrgId:
    Type: AWS::SSM::Parameter::Value<String>
    Default: /org/id
Resources:
  Queue:
    Type: AWS::SQS::Queue
  QueuePolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Queue]
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal:
              AWS: [!Ref TrustedRoleArn, !Sub 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root']
            Action: sqs:SendMessage
            Resource: !GetAtt Queue.Arn
            Condition:
              StringEquals:
                aws:PrincipalOrgID: !Ref OrgId
              ArnLike:
                aws:SourceArn: !Sub 'arn:${AWS::Partition}:s3:::${Buckets}'
              StringLike:
                s3:prefix: !ImportValue shared-prefix
`)
	want := map[string]struct {
		kind RefKind
		def  []string
	}{
		"TrustedRoleArn":  {Unresolved, []string{"arn:aws:iam::111122223333:role/ops"}},
		"AWS::Partition":  {ThisPartition, nil},
		"AWS::AccountId":  {ThisAccount, nil},
		"Queue.Arn":       {Own, nil},
		"OrgId":           {Unresolved, nil}, // the default names an SSM parameter
		"Buckets":         {Unresolved, []string{"logs-a", "logs-b"}},
		"Fn::ImportValue": {Unresolved, nil},
	}
	for name, w := range want {
		got, ok := refs[name]
		if !ok || got.Kind != w.kind || !slices.Equal(got.Default, w.def) {
			t.Errorf("%s: %+v, want kind %d default %q", name, got, w.kind, w.def)
		}
	}
	if len(refs) != len(want) {
		t.Errorf("refs %v", refs)
	}
}

func TestReferencesTerraform(t *testing.T) {
	text := `data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}
locals {
  account_id = data.aws_caller_identity.current.account_id
  root       = "arn:${data.aws_partition.current.partition}:iam::${local.account_id}:root"
  names      = [for n in var.names : upper(n)]
}
variable "reader" {
  type    = string
  default = "arn:aws:iam::111122223333:role/reader"
}
variable "writers" {
  type    = list(string)
  default = []
}
resource "aws_sns_topic" "alerts" {
  name = "alerts"
}
resource "aws_sns_topic_policy" "alerts" {
  arn = aws_sns_topic.alerts.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = [local.root, var.reader, var.writers, module.shared.role_arn, data.aws_iam_role.ci.arn] }
      Action    = "sns:Publish"
      Resource  = [aws_sns_topic.alerts.arn, aws_sqs_queue.dlq.arn, "arn:aws:sns:${data.aws_region.current.name}:${local.account_id}:x-${each.key}"]
      Condition = { StringEquals = { "aws:PrincipalTag/team" = local.names } }
    }]
  })
}
`
	refs := refsOf(t, "main.tf", text)
	want := map[string]RefKind{
		"data.aws_partition.current.partition":        ThisPartition,
		"data.aws_caller_identity.current.account_id": ThisAccount,
		"data.aws_region.current.name":                ThisRegion,
		"var.reader":                                  Unresolved,
		"var.writers":                                 Unresolved,
		"module.shared.role_arn":                      Unresolved,
		"data.aws_iam_role.ci.arn":                    Unresolved,
		"aws_sns_topic.alerts.arn":                    Own,
		"aws_sqs_queue.dlq.arn":                       Own, // declared in another file of the module
		"each.key":                                    Unresolved,
		"local.names":                                 Unresolved, // computed: not read through
	}
	for name, kind := range want {
		got, ok := refs[name]
		if !ok || got.Kind != kind {
			t.Errorf("%s: %+v (found %v), want kind %d", name, got, ok, kind)
		}
	}
	if d := refs["var.reader"].Default; !slices.Equal(d, []string{"arn:aws:iam::111122223333:role/reader"}) {
		t.Errorf("var.reader default %q", d)
	}
	if d := refs["var.writers"].Default; d != nil {
		t.Errorf("var.writers: an empty default is no value, got %q", d)
	}
	res, err := Read([]byte(text), Options{Name: "main.tf"})
	if err != nil {
		t.Fatal(err)
	}
	// Locals are read through: the root reads as what it is.
	p := res.Documents[0].Statements[0].Principal.Entries[0].Values.Strings()
	if p[0] != "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root" {
		t.Errorf("local.root read as %q", p[0])
	}
	noted := false
	for _, n := range res.Notes {
		noted = noted || strings.Contains(n.Message, "${var.reader} (Terraform variable reader) is judged as its declared default")
	}
	if !noted {
		t.Errorf("no note about the default of var.reader: %v", res.Notes)
	}
}

func TestEndpointAndKnownTypes(t *testing.T) {
	tests := []struct {
		name, text string
		forced     Type
		want       []Type
	}{
		{"endpoint.yaml", `Resources:
  Endpoint:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      ServiceName: com.amazonaws.eu-west-1.s3
      PolicyDocument:
        Statement: [{Effect: Allow, Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*'}]
`, "", []Type{Endpoint}},
		{"endpoint.tf", `resource "aws_vpc_endpoint" "s3" {
  service_name = "com.amazonaws.eu-west-1.s3"
  policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = "*", Action = "*", Resource = "*" }] })
}
resource "aws_vpc_endpoint_policy" "s3" {
  vpc_endpoint_id = aws_vpc_endpoint.s3.id
  policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = "*", Action = "*", Resource = "*" }] })
}
resource "aws_iam_role" "r" {
  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }] })
}
`, SCP, []Type{Endpoint, Endpoint, Trust}},
		// A plain policy takes the type given.
		{"scp.json", `{"Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}`, SCP, []Type{SCP}},
		{"endpoint.json", `{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}`, Endpoint, []Type{Endpoint}},
	}
	for _, tt := range tests {
		res, err := Read([]byte(tt.text), Options{Name: tt.name, Type: tt.forced})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var got []Type
		for _, d := range res.Documents {
			got = append(got, d.Type)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: types %v, want %v", tt.name, got, tt.want)
		}
	}
	if q := SizeQuota(Endpoint); q.Limit != 20480 {
		t.Errorf("endpoint quota %d", q.Limit)
	}
	if typ, ok := ParseType("Endpoint"); !ok || typ != Endpoint {
		t.Errorf("ParseType(Endpoint) = %v, %v", typ, ok)
	}
}

func TestFileTypes(t *testing.T) {
	got := FileTypes([]byte(`
resource "aws_organizations_policy" "scp" {
  content = file("${path.module}/policies/deny-regions.json")
}
resource "aws_organizations_policy" "rcp" {
  type    = "RESOURCE_CONTROL_POLICY"
  content = templatefile("rcp.json.tpl", { org = var.org })
}
resource "aws_organizations_policy" "tags" {
  type    = "TAG_POLICY"
  content = file("tags.json")
}
resource "aws_vpc_endpoint_policy" "s3" {
  policy = file("${path.root}/endpoints/s3.json")
}
resource "aws_iam_policy" "far" {
  policy = file("../../shared/policy.json")
}
resource "aws_iam_policy" "computed" {
  policy = file(var.policy_path)
}
`))
	want := map[string]Type{"policies/deny-regions.json": SCP, "rcp.json.tpl": RCP, "endpoints/s3.json": Endpoint, "../../shared/policy.json": Identity}
	if len(got) != len(want) {
		t.Errorf("FileTypes = %v, want %v", got, want)
	}
	for p, typ := range want {
		if got[p] != typ {
			t.Errorf("%s: %q, want %q", p, got[p], typ)
		}
	}
	if FileTypes([]byte(`resource "x" {`)) != nil {
		t.Error("a file that does not parse gave types")
	}
}

func TestFindInMap(t *testing.T) {
	res, err := Read([]byte(`Mappings:
  RegionMap:
    us-east-1: {ELBAccountId: '127311923021', Ami: ami-1}
    eu-west-1: {ELBAccountId: '156460612806', Ami: ami-2}
Resources:
  P:
    Type: AWS::S3::BucketPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {AWS: [!FindInMap [RegionMap, !Ref 'AWS::Region', ELBAccountId], !FindInMap [RegionMap, eu-west-1, ELBAccountId], !FindInMap [Missing, a, b]]}
            Action: s3:PutObject
            Resource: arn:aws:s3:::logs/*
`), Options{Name: "t.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	d := res.Documents[0]
	got := d.Statements[0].Principal.Entries[0].Values.Strings()
	want := []string{"${Fn::FindInMap RegionMap/AWS::Region/ELBAccountId}", "156460612806", "${Fn::FindInMap Missing/a/b}"}
	if !slices.Equal(got, want) {
		t.Fatalf("principals %q, want %q", got, want)
	}
	if r := d.Refs[strings.TrimSuffix(strings.TrimPrefix(want[0], "${"), "}")]; !slices.Equal(r.Default, []string{"127311923021", "156460612806"}) {
		t.Errorf("the region's ELB account: %+v", r)
	}
	if r := d.Refs["Fn::FindInMap Missing/a/b"]; r.Kind != Unresolved || r.Default != nil {
		t.Errorf("a missing map: %+v", r)
	}
	for _, n := range res.Notes {
		if strings.Contains(n.Message, "default") {
			t.Errorf("a note calls the mapped values a default: %s", n.Message)
		}
	}
}
