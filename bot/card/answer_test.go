package card

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

const rewritten = `{"Version":"2012-10-17","Statement":[{"Sid":"Reports","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::my_bucket/reports/*"}]}`

// longAnswer is an answer of 3,000 characters, with a code block, that
// escapes to more than a section holds.
func longAnswer() string {
	var b strings.Builder
	b.WriteString("Keep only what the workload calls & nothing more:\n```\n")
	for i := 0; b.Len() < 1800; i++ {
		fmt.Fprintf(&b, "{\"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::bucket-%d/<prefix>/*\"}\n", i)
	}
	b.WriteString("```\n")
	for b.Len() < 3000 {
		b.WriteString("Compare <old> & <new> with s3:* in mind. ")
	}
	return b.String()
}

func longPolicy() []byte {
	var stmts []string
	for i := range 40 {
		stmts = append(stmts, fmt.Sprintf(`{"Sid":"Read%d","Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::bucket-%d/*"]}`, i, i))
	}
	return []byte(`{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`)
}

func hostileAnswer() AnswerView {
	return AnswerView{
		Text: "<!channel> *Everything* is _fine_ & <https://evil.example|click here> @here ~really~\n> quote\n" +
			"`<@U0ADMIN>` and ```\n<!date^1^{date}|x>\n``` then ```open fence",
		Source:  "model",
		Note:    "The model's rewritten policy was withheld: <!here> grants `s3:*` on <https://evil.example>.",
		AskedBy: "U1>|<!channel",
		Policy:  json.RawMessage(`{"Statement":[{"Sid":"<!channel>","Resource":"arn:aws:s3:::a&b/*"}],"x":"` + "```" + `"}`),
	}
}

func TestAnswerGolden(t *testing.T) {
	tests := []struct {
		name string
		msg  Message
	}{
		{"answer-model", Answer(AnswerView{
			Text:    "`s3:*` grants every S3 action, deletes included. The workload only reads reports, so s3:GetObject on arn:aws:s3:::my_bucket/reports/* is enough.",
			Source:  "model",
			AskedBy: "U024BE7LH",
			Policy:  []byte(rewritten), PolicyScore: 10,
		})},
		{"answer-engine", Answer(AnswerView{
			Text:    "Service wildcard: s3:* (high, service-wildcard, statement 0): every S3 action on every bucket. Fix: list the actions.",
			Source:  "engine",
			Note:    "Free-form answers need the Bedrock model (BEDROCK_MODEL_ID); this is what the built-in engine can say.",
			AskedBy: "U0BOB0001",
		})},
		{"answer-long", Answer(AnswerView{Text: longAnswer(), Source: "model", AskedBy: "U024BE7LH", Policy: longPolicy(), PolicyScore: 9})},
		{"answer-hostile", Answer(hostileAnswer())},
		{"answer-empty", Answer(AnswerView{})},
		{"thinking", Thinking("U024BE7LH")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkMessage(t, tt.msg)
			got := marshal(t, tt.msg)
			path := filepath.Join("testdata", tt.name+".json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the rendering (go test -update rewrites it); got:\n%s", path, got)
			}
		})
	}
}

// TestAnswerContent checks what the answer goldens are meant to show.
func TestAnswerContent(t *testing.T) {
	tests := []struct {
		name    string
		msg     Message
		want    []string
		notWant []string
		snippet bool
	}{
		{"model", Answer(AnswerView{Text: "Use s3:GetObject on arn:aws:s3:::my_bucket/*.", Source: "model", AskedBy: "U024BE7LH",
			Policy: []byte(rewritten), PolicyScore: 10}),
			[]string{`"block_id": "policycheck-answer"`, "Use s3:GetObject on `arn:aws:s3:::my_bucket/*`.", "💡 *Rewritten policy* · 🟩 score 10/10",
				`\"Resource\": \"arn:aws:s3:::my_bucket/reports/*\"`, "Proven by the built-in subset check to grant nothing the original did not.", "🤖 Answered by the model for <@U024BE7LH>"},
			[]string{"built-in engine"}, false},
		{"engine", Answer(AnswerView{Text: "Nothing matches.", Source: "engine", Note: "Free-form answers need BEDROCK_MODEL_ID (max_tokens).", AskedBy: "U0BOB0001"}),
			[]string{"ℹ️ Free-form answers need `BEDROCK_MODEL_ID` (`max_tokens`).", "Answered by the built-in engine for <@U0BOB0001>"},
			[]string{"Rewritten policy", "🤖"}, false},
		{"long", Answer(AnswerView{Text: longAnswer(), Source: "model", Policy: longPolicy()}),
			[]string{`"block_id": "policycheck-answer-2"`, "attached in the thread as `rewritten-policy.json`"}, []string{"too long to show in full"}, true},
		{"hostile", Answer(hostileAnswer()),
			[]string{"&lt;!channel&gt; ∗Everything∗ is ˍfineˍ &amp; &lt;https://evil.example|click here&gt; @here ∼really∼", "\u00AD&gt; quote",
				"`&lt;@U0ADMIN&gt;`", "ˋˋˋopen fence", "for `U1&gt;|&lt;!channel`", "\\\"Sid\\\": \\\"&lt;!channel&gt;\\\"", "a&amp;b", "\\\"x\\\": \\\"ˋˋˋ\\\""},
			[]string{"<!", "<@U0ADMIN>", "<https", "*Everything*"}, false},
		{"policy only", Answer(AnswerView{Source: "model", Policy: []byte(rewritten)}),
			[]string{"The rewritten policy is below.", "*Rewritten policy*\\n"}, []string{"score"}, false},
		{"not JSON policy", Answer(AnswerView{Text: "x", Policy: []byte("not <json>")}),
			[]string{"```\\nnot &lt;json&gt;\\n```"}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkMessage(t, tt.msg)
			js := string(marshal(t, tt.msg))
			for _, w := range tt.want {
				if !strings.Contains(js, w) {
					t.Errorf("missing %q in\n%s", w, js)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(js, w) {
					t.Errorf("unexpected %q", w)
				}
			}
			if (tt.msg.Snippet != nil) != tt.snippet {
				t.Errorf("snippet = %+v, want one: %v", tt.msg.Snippet, tt.snippet)
			}
		})
	}
}

// TestAnswerKeepsEveryWord checks that a long answer is split, not cut:
// every word of it is in one of the sections, in order, and the code
// block stays code in each section it spans.
func TestAnswerKeepsEveryWord(t *testing.T) {
	bigBlock := "Here:\n```\n" + strings.Repeat("<a> & <b>\n", 280) + "```\ndone"
	for _, text := range []string{longAnswer(), bigBlock} {
		m := Answer(AnswerView{Text: text, Source: "model"})
		checkMessage(t, m)
		var sections []string
		for _, b := range m.Blocks {
			if s, ok := b.(*slack.SectionBlock); ok && strings.HasPrefix(s.BlockID, AnswerBlockID) {
				sections = append(sections, s.Text.Text)
				if n := strings.Count(s.Text.Text, "```"); n%2 != 0 {
					t.Errorf("section %q has %d fences", s.Text.Text, n)
				}
			}
		}
		if len(sections) < 2 {
			t.Fatalf("%d sections, want the answer split", len(sections))
		}
		if text == bigBlock && !strings.HasPrefix(sections[1], "```\n&lt;a&gt; &amp; &lt;b&gt;\n") {
			t.Errorf("the code block does not go on in the second section: %.100q", sections[1])
		}
		norm := strings.NewReplacer("`", " ", "∗", "*").Replace
		got := strings.Fields(norm(unescapeEntities(strings.Join(sections, "\n"))))
		want := strings.Fields(norm(text))
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("the sections do not hold the answer word for word:\n got %.300q…\nwant %.300q…", strings.Join(got, " "), strings.Join(want, " "))
		}
	}
}

// TestAnswerText reads an answer back from its blocks as Slack returns
// them, as the bot does for the history of a thread.
func TestAnswerText(t *testing.T) {
	for _, text := range []string{"Use s3:GetObject & keep <prefix>.", longAnswer()} {
		m := Answer(AnswerView{Text: text, Source: "model", Note: "a note", Policy: []byte(rewritten)})
		raw, err := json.Marshal(m.Blocks)
		if err != nil {
			t.Fatal(err)
		}
		var blocks slack.Blocks
		if err := json.Unmarshal(raw, &blocks); err != nil {
			t.Fatal(err)
		}
		got := AnswerText(blocks)
		norm := func(s string) string {
			return strings.Join(strings.Fields(strings.NewReplacer("`", " ", "*", "∗").Replace(s)), " ")
		}
		if norm(got) != norm(text) {
			t.Errorf("AnswerText = %.200q…, want %.200q…", got, text)
		}
		if strings.Contains(got, "a note") || strings.Contains(got, "Rewritten") {
			t.Errorf("AnswerText holds more than the answer: %q", got)
		}
	}
	if got := AnswerText(slack.Blocks{BlockSet: Render(adminReport(), meta).Blocks}); got != "" {
		t.Errorf("AnswerText of a card = %q", got)
	}
}

func TestIdentifiers(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"no markers here", "no markers here"},
		{"set BEDROCK_MODEL_ID.", "set `BEDROCK_MODEL_ID`."},
		{"cut off (max_tokens)", "cut off (`max_tokens`)"},
		{"s3:* and iam:Get* on arn:aws:s3:::b/*, then", "`s3:*` and `iam:Get*` on `arn:aws:s3:::b/*`, then"},
		{"*bold* _italic_ ~strike~", "*bold* _italic_ ~strike~"},
		{"already `s3:*` and ```\ns3:*\n```", "already `s3:*` and ```\ns3:*\n```"},
		{"it`s s3:* now", "itˋs `s3:*` now"},
		{"```\nopen s3:*", "ˋˋˋ\nopen `s3:*`"},
		{"a\n\tb_c  d", "a\n\t`b_c`  d"},
	}
	for _, tt := range tests {
		if got := identifiers(tt.in); got != tt.want {
			t.Errorf("identifiers(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

// TestAnswerWorstCase fills the text with characters that expand five
// times when escaped.
func TestAnswerWorstCase(t *testing.T) {
	for _, long := range []string{strings.Repeat("&", 10000), strings.Repeat("<`", 5000), strings.Repeat("漢", 10000),
		strings.Repeat("```\n&\n", 3000), strings.Repeat("a_b ", 5000)} {
		m := Answer(AnswerView{Text: long, Note: long, Source: "model", AskedBy: "U" + strings.Repeat("A", 40), Policy: []byte(`"` + long + `"`), PolicyScore: 10})
		checkMessage(t, m)
		if js := string(marshal(t, m)); !strings.Contains(js, AnswerBlockID) {
			t.Errorf("no answer section")
		}
	}
}

func FuzzAnswer(f *testing.F) {
	for _, s := range []string{"", "plain", "<!channel> *b* _i_ ~s~ s3:*", "`code` ``` block ``` `", "```\nopen", longAnswer()} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, text, note string) {
		m := Answer(AnswerView{Text: text, Note: note, Source: "model", AskedBy: "U1"})
		if !checkMessage(t, m) {
			t.Fatalf("Answer(%q, %q) breaks a limit", text, note)
		}
		for _, b := range m.Blocks {
			if s, ok := b.(*slack.SectionBlock); ok && strings.HasPrefix(s.BlockID, AnswerBlockID) {
				if err := unformatted(s.Text.Text); err != nil {
					t.Fatalf("Answer(%q): %v", text, err)
				}
			}
		}
	})
}

func BenchmarkAnswer(b *testing.B) {
	a := AnswerView{Text: longAnswer(), Source: "model", AskedBy: "U024BE7LH", Policy: []byte(rewritten), PolicyScore: 10}
	for b.Loop() {
		Answer(a)
	}
}
