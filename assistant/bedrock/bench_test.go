package bedrock

import (
	"context"
	"testing"

	"github.com/policycheck/policycheck/internal/bedrockfake"
)

// BenchmarkReviewClientWork measures the client's own work around the
// model per review: building the prompt and the request, then checking,
// decoding and validating a real answer (decoded once by the SDK from the
// fake). Network, signing and the SDK's serialisation are not included.
func BenchmarkReviewClientWork(b *testing.B) {
	f := startFake(b, bedrockfake.Config{})
	f.Enqueue(bedrockfake.Review(goodReviewInput()))
	c := newTestClient(b, f, nil)
	req := sampleRequest()
	user, _ := reviewPrompt(req)
	k := call{op: "review", tool: reviewToolName, system: reviewSystemPrompt, user: user, inputBytes: len(req.Policy)}
	out, err := c.rt.Converse(context.Background(), c.converseInput(k))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		k.user, _ = reviewPrompt(req)
		_ = c.converseInput(k)
		rv, err := decodeReviewOutput(out, req.StatementCount)
		if err != nil || rv.Score != 2 {
			b.Fatalf("decode: %v", err)
		}
	}
}

// BenchmarkReviewRoundTrip is a whole Review against a fake that answers
// at once over loopback: the client's work plus the SDK (serialisation,
// SigV4, HTTP) and the fake (signature check, decoding).
func BenchmarkReviewRoundTrip(b *testing.B) {
	f := startFake(b, bedrockfake.Config{})
	f.Handle(func(*bedrockfake.Request) bedrockfake.Response { return bedrockfake.Review(goodReviewInput()) })
	c := newTestClient(b, f, nil)
	req := sampleRequest()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Review(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}
