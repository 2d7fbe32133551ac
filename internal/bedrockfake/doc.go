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
// Close never waits for a scripted hang or latency: pending answers are
// abandoned and the handlers return.
package bedrockfake
