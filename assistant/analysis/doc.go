// Package analysis is policycheck's deterministic review engine. It reasons
// about what a policy really allows (expanded actions, resources matched
// against resource types, conditions, unconditional denies, principals),
// reports findings in the stable categories of package report, and turns
// them into a 1-10 score.
//
// The score is the lowest ceiling among the findings of Allow statements:
// each finding carries the highest score a policy with that problem can
// get (full admin: 1; a privilege-escalation path: 2; unconstrained data
// exfiltration: 5...). Taking the minimum keeps the invariants simple:
// adding an Allow can only add findings, and adding an unconditional Deny
// can only remove them.
package analysis

//go:generate go run ./internal/rulesdoc -o ../../docs/rules.md
