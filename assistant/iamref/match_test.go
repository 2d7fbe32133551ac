package iamref

import "testing"

func TestMatchResource(t *testing.T) {
	kb := Default()
	tests := []struct {
		pattern        string
		service, rtype string
		want           bool
	}{
		{"*", "s3", "object", true},
		{"*", "s3", "bucket", true},
		{"arn:aws:s3:::bucket/*", "s3", "object", true},
		{"arn:aws:s3:::bucket/*", "s3", "bucket", false},
		{"arn:aws:s3:::bucket", "s3", "bucket", true},
		{"arn:aws:s3:::bucket", "s3", "object", false},
		{"arn:aws:s3:::bucket/dir/file.txt", "s3", "object", true},
		{"arn:aws:s3:::*", "s3", "bucket", true},
		{"arn:aws:s3:::*", "s3", "object", true}, // "*" spans the "/"
		{"arn:aws:s3:::*/*", "s3", "object", true},
		{"arn:aws:s3:::*/*", "s3", "bucket", false},
		{"arn:aws:s3:::b?cket", "s3", "bucket", true},
		{"arn:aws:s3:::bucket*", "s3", "object", true},
		{"arn:aws:s3:::home/${aws:username}/*", "s3", "object", true},
		{"arn:aws:s3:::home/${aws:username}", "s3", "bucket", false},
		{"arn:${AWS::Partition}:s3:::${MyBucket}", "s3", "bucket", true},
		{"arn:${AWS::Partition}:s3:::${MyBucket}/*", "s3", "object", true},
		{"arn:${AWS::Partition}:s3:::${MyBucket}/*", "s3", "bucket", false},
		{"arn:aws-cn:s3:::bucket", "s3", "bucket", true},
		{"arn:aws:s3:us-east-1::bucket", "s3", "bucket", false}, // buckets have no region
		{"arn:aws:s3:*:*:bucket", "s3", "bucket", true},
		{"ARN:AWS:S3:::bucket", "s3", "bucket", true}, // segments before the resource ignore case
		{"arn:aws:sqs:*:*:bucket", "s3", "bucket", false},
		{"arn:aws:iam::123456789012:role/admin", "iam", "role", true},
		{"arn:aws:iam::123456789012:role/path/to/admin", "iam", "role", true},
		{"arn:aws:iam::123456789012:Role/admin", "iam", "role", false}, // the resource part is case-sensitive
		{"arn:aws:iam::*:role/*", "iam", "role", true},
		{"arn:aws:iam::*:role/*", "iam", "user", false},
		{"arn:aws:iam::${AWS::AccountId}:role/${RoleName}", "iam", "role", true},
		{"arn:aws:iam::123456789012:user/alice", "iam", "user", true},
		{"arn:aws:iam::123456789012:user/alice", "iam", "role", false},
		{"arn:aws:iam::12345678901?:role/x", "iam", "role", true},
		{"arn:aws:ec2:*:*:instance/*", "ec2", "instance", true},
		{"arn:aws:ec2:*:*:instance/*", "ec2", "volume", false},
		{"arn:aws:ec2:us-east-1:123456789012:instance/i-0abc", "ec2", "instance", true},
		{"arn:aws:dynamodb:us-east-1:123456789012:table/Books/index/*", "dynamodb", "index", true},
		{"arn:aws:dynamodb:us-east-1:123456789012:table/Books", "dynamodb", "index", false},
		{"arn:aws:dynamodb:us-east-1:123456789012:table/Books", "dynamodb", "table", true},
		{"arn:aws:logs:*:*:log-group:/aws/lambda/*", "logs", "log-group", true},
		{"arn:aws:logs:*:*:log-group:/aws/lambda/*", "logs", "log-stream", true},
		{"arn:aws:logs:*:*:log-group:/aws/lambda/fn:log-stream:*", "logs", "log-stream", true},
		{"arn:aws:lambda:us-east-1:123456789012:function:my-fn", "lambda", "function", true},
		{"arn:aws:lambda:us-east-1:123456789012:function:my-fn", "lambda", "layer", false},
		{"arn:*", "s3", "object", true},
		{"arn:aws:s3:::", "s3", "bucket", false}, // a bucket name is not empty
		{"bucket", "s3", "bucket", false},
		{"", "s3", "bucket", false},
		{"*bucket*", "s3", "bucket", true},
	}
	for _, tt := range tests {
		rt := resourceType(t, kb, tt.service, tt.rtype)
		for i := 0; i < 2; i++ { // computed, then cached
			if got := kb.MatchResource(tt.pattern, rt); got != tt.want {
				t.Errorf("MatchResource(%q, %s %s) = %v, want %v (call %d)", tt.pattern, tt.service, tt.rtype, got, tt.want, i+1)
			}
		}
	}
	if kb.MatchResource("*", nil) {
		t.Error("MatchResource with a nil type is true")
	}
}

// TestMatchResourceFormats checks that every ARN format matches itself
// with its variables filled in, and that "*" and the format with its
// variables as "*" match.
func TestMatchResourceFormats(t *testing.T) {
	kb := Default()
	n := 0
	for _, s := range kb.Services() {
		for _, rt := range s.ResourceTypes {
			for _, f := range rt.ARNFormats {
				n++
				filled := fill(f, "x1")
				if !matchARN(filled, f) {
					t.Errorf("%s %s: %q does not match its format %q", s.Prefix, rt.Name, filled, f)
				}
				if !matchARN(f, f) {
					t.Errorf("%s %s: format %q does not match itself", s.Prefix, rt.Name, f)
				}
			}
		}
	}
	if n < 2000 {
		t.Errorf("only %d ARN formats", n)
	}
}

// fill replaces each "${...}" with v.
func fill(f, v string) string {
	out := ""
	for i := 0; i < len(f); {
		if n := varEnd(f[i:]); n > 0 {
			out += v
			i += n
			continue
		}
		out += f[i : i+1]
		i++
	}
	return out
}
