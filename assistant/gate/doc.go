// Package gate decides whether a rewritten policy may be shown in place
// of the original. Every candidate, whoever wrote it (the engine's
// suggester, the model's review, a follow-up answer), passes through
// Gate.Accept, which holds the one set of criteria: the candidate reads
// back as one policy document; the original is the same for every
// deployment (no template read through Fn::If); the subset proof shows it
// grants nothing the original does not; it fits AWS's size quota; it
// scores at least as high as the original and above any rival already
// accepted (a tie keeps the rival); and, when configured, IAM Access
// Analyzer finds no new access. The accepted suggestion carries the
// verdicts that the card and the command line show.
//
// A policy written from an intent (policycheck generate) has no policy in
// use to compare with: Gate.AcceptGenerated holds it to the same criteria
// against the policy its intent denotes, the coarsest reading of the spec
// (every action of each access level on the ARNs named), so that the
// compiler's narrowing is proven rather than trusted.
package gate
