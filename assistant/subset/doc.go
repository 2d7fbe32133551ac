// Package subset proves that one IAM policy grants nothing another does
// not: the question IAM Access Analyzer's CheckNoNewAccess answers, asked
// of a suggested policy against the original before the suggestion is
// shown.
//
// The proof works on what the policies really grant. Every Allow of the
// new policy, action by action (as bit sets of the knowledge base) and
// resource pattern by resource pattern, must be covered by Allows of the
// original whose principals include the new statement's and whose
// conditions the new statement keeps, unchanged or stricter. Wildcard
// and unknown action patterns must also be covered as patterns, so that
// actions AWS adds later stay covered. Every Deny of the original must
// still be in force.
//
// An Allow of the new policy that is one of the original's, as it is or
// narrowed (fewer actions, some of its resources as written), is covered
// without the search, which would prove it anyway (same.go); the
// original's Denies are checked all the same.
//
// The check is sound, not complete: when it cannot prove coverage it
// says no, naming the first action and resource it could not cover.
package subset
