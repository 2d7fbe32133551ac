// Package bedrockfake is a test double of the Amazon Bedrock runtime
// Converse API, served over loopback HTTP.
//
// It answers POST /model/{modelId}/converse the way Bedrock does: JSON in,
// JSON out, errors with an X-Amzn-ErrorType header and a {"message": ...}
// body. Every request must carry a SigV4 signature (service "bedrock") made
// with the server's credentials; the fake recomputes it with the SDK's own
// signer and refuses a mismatch with 403 InvalidSignatureException.
//
// Tests script the answers, either as a queue (Enqueue) or as a function of
// the request (Handle), and read back what the client sent (Requests).
// Besides Bedrock's errors, the fake plays what stands between a client
// and Bedrock (a connection reset, a gateway's HTML error page) and what
// differs between models (Config.TemperatureDeprecated, NoForcedTool). It
// bills tokens as Bedrock does, with the prompt cache: a cachePoint in the
// system prompt or the tools writes the prefix before it to the cache the
// first time and reads it afterwards; an answer longer than the request's
// maxTokens stops there with stop reason "max_tokens", keeping what was
// complete of its tool call. SteeredReview and SteeredAnswerResponse are
// the answers of a model that obeys instructions in the policy.
// Close never waits for a scripted hang or latency: pending answers are
// abandoned and the handlers return.
package bedrockfake
