// Package suggest writes the engine's own tightened version of a policy:
// without knowing the application, it makes the policy safer and keeps it
// usable. It narrows wildcard and NotAction grants to their List and Read
// actions, scopes "Resource": "*" to the ARN formats of the actions'
// resource types with clearly marked placeholders (<bucket-name>,
// <account-id>), limits iam:PassRole to roles and services, removes the
// actions of privilege-escalation paths, and adds the conditions trust and
// resource policies lack. Every Deny, Sid and the user's order are kept.
//
// A suggestion is offered only when it re-reads, is proven no broader than
// the original (package subset) and scores at least as high; otherwise a
// more conservative one is tried, and finally none, with the reason.
package suggest
