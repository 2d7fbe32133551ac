// Package compose writes a least-privilege IAM policy from an intent:
// which resources a workload reads, writes, lists, tags or manages the
// permissions of, stated in policy_sentry's CRUD template (a Spec).
//
// The knowledge base decides the actions: for each ARN, the resource type
// its format matches, and the actions of that service at the access level
// asked that act on that resource type; for the wildcard-only sections,
// the actions of a level that take no resource at all. Names the
// knowledge base does not know are corrected when one is close and
// reported otherwise; they are never written into the policy.
//
// Besides the policy, Compile returns the policy the spec denotes at its
// coarsest reading (every action of each level on the ARNs named, every
// wildcard-only section on "*"). The compiled policy must be a subset of
// it; the acceptance gate proves that before the policy is shown.
package compose
