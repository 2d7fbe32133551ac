package slackhtml

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestMrkdwn(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain &amp; &lt;x&gt;", "plain &amp; &lt;x&gt;"},
		{"*bold* and _it_ and ~st~", "<b>bold</b> and <i>it</i> and <s>st</s>"},
		{"`s3:*` on `*`", "<code>s3:*</code> on <code>*</code>"},
		{"see:\n```\n{\"a\": 1}\n```", "see:<br><pre>{&quot;a&quot;: 1}\n</pre>"},
		{"by <@U123> in <#C1> at <!date^1^{x}|2025-06-02> <https://x.example/a?b=1&amp;c=2|the card>",
			`by <span class="mention">@U123</span> in <span class="mention">#general</span> at 2025-06-02 <a href="#">the card</a>`},
		{"it`s", "it`s"},
	}
	for _, tt := range tests {
		if got := Mrkdwn(tt.in); got != tt.want {
			t.Errorf("Mrkdwn(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

func TestPage(t *testing.T) {
	blocks := json.RawMessage(`[{"type":"header","text":{"type":"plain_text","text":"🟥 2/10 · High risk"}},
		{"type":"context","elements":[{"type":"mrkdwn","text":"requested by <@U1>"}]},{"type":"divider"},
		{"type":"actions","elements":[{"type":"button","text":{"type":"plain_text","text":"Re-evaluate"},"style":"primary"}]}]`)
	page, err := Page(600, Message{Title: "card", Text: "policycheck: 2/10 high risk", Blocks: blocks})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{`width:600px`, `class="header">🟥 2/10 · High risk<`, `class="button primary">Re-evaluate<`, "<hr>", "data-height"} {
		if !strings.Contains(string(page), w) {
			t.Errorf("page lacks %q", w)
		}
	}
	if _, err := Page(375, Message{Blocks: json.RawMessage(`{`)}); err == nil {
		t.Error("no error for blocks that are not JSON")
	}
}
