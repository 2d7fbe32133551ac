package iamref

import "testing"

func TestClosest(t *testing.T) {
	kb := Default()
	tests := []struct {
		in, want string // want "": no suggestion
	}{
		{"s3:GetObjcet", "s3:GetObject"},
		{"s3:GetObjects", "s3:GetObject"},
		{"S3:GETOBJECTS", "s3:GetObject"},
		{"s3:getobject", "s3:GetObject"}, // exists: canonical case
		{"ec2:DescribeInstance", "ec2:DescribeInstances"},
		{"lamda:InvokeFunction", "lambda:InvokeFunction"},
		{"lambda:InvokeFuntion", "lambda:InvokeFunction"},
		{"lamda:InvokeFuntion", "lambda:InvokeFunction"},
		{"iam:PasRole", "iam:PassRole"},
		{"dynamodb:GetItems", "dynamodb:GetItem"},
		{"ec2:DescribeInstancess", "ec2:DescribeInstances"},
		{"sts:AssumeRoel", "sts:AssumeRole"},
		{"s3:qqqqqqqqqq", ""},
		{"s3:xyzzy", ""},
		{"qqqqq:GetObject", ""},
		{"nosuchservice:DescribeInstances", ""},
		{"s3", ""},
		{"s3:", ""},
		{":GetObject", ""},
		{"s3:Get*", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, ok := kb.Closest(tt.in)
		if ok != (tt.want != "") || got != tt.want {
			t.Errorf("Closest(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		max  int
		want int // -1: over max
	}{
		{"", "", 0, 0},
		{"abc", "abc", 0, 0},
		{"abc", "acb", 1, 1}, // a swap is one edit
		{"abc", "ab", 1, 1},
		{"abc", "xbc", 1, 1},
		{"kitten", "sitting", 3, 3},
		{"kitten", "sitting", 2, -1},
		{"a", "abcd", 2, -1},
	}
	for _, tt := range tests {
		got, ok := editDistance(tt.a, tt.b, tt.max)
		if !ok {
			got = -1
		}
		if got != tt.want {
			t.Errorf("editDistance(%q, %q, %d) = %d, want %d", tt.a, tt.b, tt.max, got, tt.want)
		}
	}
}
