// Package suppress reads what a repository says about its own findings:
// its configuration file (.policycheck.yaml: paths to exclude, the gates,
// suppressions), the suppressions written next to a policy (CloudFormation
// Metadata, Terraform comments), and a baseline of findings already known
// from a previous run. Every suppression carries a reason; one without, or
// past its expiry, is not applied and is reported. Suppressed findings
// stay in the report, marked, and no longer lower the score.
package suppress
