// Package bedrock asks a model on Amazon Bedrock to review an IAM policy,
// to answer follow-up questions about it, and to state the intent of a
// policy described in words, through the Converse API with a forced tool
// call.
//
// The static part of each prompt (the tool spec and the system prompt) is
// followed by a cachePoint, so that Bedrock reads it from its prompt cache
// after the first call; the engine's findings are told once each, those
// that full administrator access implies folded into counts, and the
// engine's own suggestion is sent so that the model improves on it. The
// answer's token limit grows with the policy, within Config.MaxTokens; an
// answer cut off at the limit keeps what was complete. Inference
// parameters follow the model's family (no temperature for the models that
// refuse it); a model that refuses a temperature or a forced tool choice
// is asked again without it, once, and the client remembers.
//
// The model is treated as untrusted: the policy and the questions travel
// inside delimiters carrying a fresh random nonce, the answer is accepted
// only as exactly one call of the expected tool, decoded strictly, and
// every bound (score range, lengths, statement indexes) is enforced here,
// not in the tool schema. Every failure is an *Unavailable whose Cause is
// written for the user.
package bedrock
