package slackbot

import (
	"context"
	"errors"
	"testing"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/review"
)

// TestChatLines reviews policies pasted in messages of every shape and
// checks that findings and reading errors name the line of the policy as
// pasted, as the CLI does for the policy saved in a file.
func TestChatLines(t *testing.T) {
	const pol = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"}\n  ]\n}"
	const broken = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\" \"Action\": \"s3:*\", \"Resource\": \"*\"}\n  ]\n}"
	rv := review.New(iamref.Default())
	for _, tt := range []struct{ name, before, after string }{
		{"fence on its own line", "please review\n```\n", "\n```"},
		{"fence with a language", "please review:\n\n```json\n", "\n```\nthanks"},
		{"rich text fence", "please review\n```", "```"},
		{"inline code", "please review `", "`"},
		{"plain after a mention line", "\n", ""},
		{"plain", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			text := tt.before + pol + tt.after
			rep, err := rv.Review(context.Background(), review.Input{Data: []byte(text), Chat: true})
			if err != nil {
				t.Fatal(err)
			}
			newChatLines(text).report(rep)
			for _, f := range rep.Findings {
				if f.Line != 4 {
					t.Errorf("%s at line %d, want 4", f.Title, f.Line)
				}
			}

			text = tt.before + broken + tt.after
			_, err = rv.Review(context.Background(), review.Input{Data: []byte(text), Chat: true})
			var pe *policy.Error
			if !errors.As(err, &pe) {
				t.Fatalf("broken policy: %v", err)
			}
			newChatLines(text).error(pe)
			if pe.Pos.Line != 4 || pe.Pos.Col != 24 || pe.Line != `    {"Effect": "Allow" "Action": "s3:*", "Resource": "*"}` {
				t.Errorf("error at %d:%d in %q, want 4:24", pe.Pos.Line, pe.Pos.Col, pe.Line)
			}
		})
	}
	// An error on the first line of a block that starts after the fence.
	text := "look ```{\"Version\": \"2012-10-17\" \"Statement\": []}```"
	_, err := rv.Review(context.Background(), review.Input{Data: []byte(text), Chat: true})
	var pe *policy.Error
	if !errors.As(err, &pe) {
		t.Fatalf("broken policy: %v", err)
	}
	newChatLines(text).error(pe)
	if pe.Pos.Line != 1 || pe.Pos.Col != 26 || pe.Line[:len(`{"Version"`)] != `{"Version"` {
		t.Errorf("error at %d:%d in %q, want 1:26", pe.Pos.Line, pe.Pos.Col, pe.Line)
	}
}
