package slackfake

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// golden compares got (JSON, indented before comparing) with
// testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, got, "", "  "); err != nil {
		t.Fatal(err)
	}
	buf.WriteByte('\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("%s differs from the golden file:\n%s", name, buf.Bytes())
	}
}

func TestEncodeTyped(t *testing.T) {
	tests := []struct {
		typed, wire string
	}{
		{"plain", "plain"},
		{"a & b <c>", "a &amp; b &lt;c&gt;"},
		{"<@U1> hi", "<@U1> hi"},
		{"trust lambda.amazonaws.com now", "trust <http://lambda.amazonaws.com|lambda.amazonaws.com> now"},
		{"see https://example.com/a?b=1&c=2.", "see <https://example.com/a?b=1&amp;c=2>."},
		{"mail bob@example.com", "mail bob@example.com"},
		{"s3:GetObject on arn:aws:s3:::bucket/*", "s3:GetObject on arn:aws:s3:::bucket/*"},
		{"```{\"Service\": \"ec2.amazonaws.com\"}```", "```{\"Service\": \"<http://ec2.amazonaws.com|ec2.amazonaws.com>\"}```"},
		{"unclosed ``` fence", "unclosed ``` fence"},
	}
	for _, tt := range tests {
		t.Run(tt.typed, func(t *testing.T) {
			wire, _ := encodeTyped(tt.typed, "b1")
			if wire != tt.wire {
				t.Errorf("wire = %q, want %q", wire, tt.wire)
			}
		})
	}
}

// TestCodeKeepsRawTextInRichText reads a pasted policy back from the
// rich_text block, as a bot should, through slack-go.
func TestCodeKeepsRawTextInRichText(t *testing.T) {
	ctx := testContext(t)
	srv := newServer(t, Options{OmitMessageEvents: true})
	c := startClient(t, srv)
	policy := `{"Principal":{"Service":"lambda.amazonaws.com"},"Condition":{"StringLike":{"a":"<x>&"}}}`
	if _, err := srv.Mention(ctx, "C1", "U1", "review\n```"+policy+"```", MessageOptions{}); err != nil {
		t.Fatal(err)
	}
	ev := c.next(t).Data.(slackevents.EventsAPIEvent).InnerEvent.Data.(*slackevents.AppMentionEvent)
	rt, ok := ev.Blocks.BlockSet[0].(*slack.RichTextBlock)
	if !ok || len(rt.Elements) != 2 {
		t.Fatalf("blocks = %+v", ev.Blocks.BlockSet)
	}
	pre, ok := rt.Elements[1].(*slack.RichTextPreformatted)
	if !ok {
		t.Fatalf("second element is %T", rt.Elements[1])
	}
	if txt := pre.Elements[0].(*slack.RichTextSectionTextElement).Text; txt != policy {
		t.Errorf("preformatted text = %q, want the raw policy", txt)
	}
}

func TestMentionEnvelopeGolden(t *testing.T) {
	ctx := testContext(t)
	srv := newServer(t, Options{})
	startClient(t, srv)
	if err := srv.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	d, err := srv.Mention(ctx, "C1", "U1", "is this safe? ```{\"Service\": \"lambda.amazonaws.com\"}```", MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	env, _ := srv.Envelope(d.Envelopes[0])
	golden(t, "mention_payload.json", env.Payload)
}

func TestBlockActionGolden(t *testing.T) {
	ctx := testContext(t)
	srv := newServer(t, Options{OmitMessageEvents: true})
	startClient(t, srv)
	if err := srv.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	button := slack.NewButtonBlockElement("apply_fix", "stmt-1", slack.NewTextBlockObject(slack.PlainTextType, "Apply fix", false, false))
	_, ts, err := newAPI(srv).PostMessageContext(ctx, "C1", slack.MsgOptionText("Score 3/10", false),
		slack.MsgOptionBlocks(slack.NewActionBlock("", button)))
	if err != nil {
		t.Fatal(err)
	}
	id, err := srv.BlockAction(ctx, BlockAction{Channel: "C1", MessageTS: ts, ActionID: "apply_fix", UserID: "U1"})
	if err != nil {
		t.Fatal(err)
	}
	env, _ := srv.Envelope(id)
	// The response_url carries the server's port: blank it.
	var p map[string]any
	json.Unmarshal(env.Payload, &p)
	p["response_url"] = "RESPONSE_URL"
	out, _ := marshal(p)
	golden(t, "block_actions_payload.json", out)
}

// FuzzEncodeTyped checks that encoding never panics and always yields
// valid rich_text JSON.
func FuzzEncodeTyped(f *testing.F) {
	for _, s := range []string{"a & b", "```x```", "see example.com", "<@U1> https://x.io/a).", "``` unclosed"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, typed string) {
		_, blocks := encodeTyped(typed, "b")
		if blocks != nil && !json.Valid(blocks) {
			t.Errorf("invalid JSON for %q: %s", typed, blocks)
		}
	})
}
