package bedrock

import (
	"context"
	"strings"
	"testing"

	"github.com/policycheck/policycheck/assistant/lang"
	"github.com/policycheck/policycheck/internal/bedrockfake"
)

// TestLanguage checks that a review and an answer are asked for in the
// requester's language, after the data (the system prompt, cached, is
// the same in every language), and that English prompts ask nothing.
func TestLanguage(t *testing.T) {
	tests := []struct {
		lang lang.Tag
		want string
	}{
		{lang.English, ""},
		{lang.Spanish, "in Spanish"},
		{lang.Portuguese, "in Portuguese"},
	}
	for _, tt := range tests {
		f := startFake(t, bedrockfake.Config{})
		f.Handle(func(r *bedrockfake.Request) bedrockfake.Response {
			if strings.Contains(r.UserText(), "Call answer") {
				return bedrockfake.Answer("Respuesta.", "")
			}
			return bedrockfake.Review(goodReviewInput())
		})
		c := newTestClient(t, f, nil)
		ctx := lang.NewContext(context.Background(), tt.lang)
		if _, err := c.Review(ctx, Request{Policy: samplePolicy, PolicyType: "identity", StatementCount: 2, EngineScore: 1, EngineFindings: sampleFindings}); err != nil {
			t.Fatalf("%s: Review: %v", tt.lang, err)
		}
		if _, err := c.Ask(ctx, AskRequest{Documents: []AskDocument{{Name: "p.json", Policy: samplePolicy, PolicyType: "identity"}}, Question: "¿Por qué?"}); err != nil {
			t.Fatalf("%s: Ask: %v", tt.lang, err)
		}
		for _, r := range f.Requests() {
			user := r.UserText()
			if r.SystemText() != reviewSystemPrompt && r.SystemText() != askSystemPrompt {
				t.Errorf("%s: the system prompt changed", tt.lang)
			}
			switch {
			case tt.want == "" && strings.Contains(user, "Keep action names"):
				t.Errorf("English prompt asks for a language:\n%s", user)
			case tt.want != "" && (!strings.Contains(user, tt.want) || !strings.HasSuffix(user, "exactly as they are, in English.")):
				t.Errorf("%s prompt does not end asking for %q:\n%s", tt.lang, tt.want, user)
			}
		}
	}
}
