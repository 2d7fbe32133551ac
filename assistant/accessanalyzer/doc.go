// Package accessanalyzer asks AWS IAM Access Analyzer for a second opinion
// on what policycheck's own engine decided.
//
// Two operations are used: CheckNoNewAccess, which proves (or refutes) that
// a suggested policy grants nothing the original did not, and
// ValidatePolicy, AWS's own grammar and best-practice findings. Both are
// optional: policycheck works offline by default, and a verdict from this
// package is shown next to the built-in one, never instead of it.
//
// The caller needs the IAM permissions access-analyzer:CheckNoNewAccess and
// access-analyzer:ValidatePolicy. CheckNoNewAccess is a custom policy check,
// billed per call; ValidatePolicy is free.
//
// Every call runs under a deadline (Config.Timeout), and every error the
// Client returns is an *Unavailable whose Cause says in plain words why AWS
// could not answer ("access denied", "throttled", "timeout", "invalid
// credentials", ...), wrapping the SDK's error.
package accessanalyzer
