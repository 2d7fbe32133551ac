// Package bedrock asks a model on Amazon Bedrock to review an IAM policy
// and to answer follow-up questions about it, through the Converse API with
// a forced tool call.
//
// The model is treated as untrusted: the policy and the questions travel
// inside delimiters carrying a fresh random nonce, the answer is accepted
// only as exactly one call of the expected tool, decoded strictly, and
// every bound (score range, lengths, statement indexes) is enforced here,
// not in the tool schema. Every failure is an *Unavailable whose Cause is
// written for the user.
package bedrock
