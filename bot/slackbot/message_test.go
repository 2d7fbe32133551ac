package slackbot

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/policycheck/policycheck/assistant/lang"
	"reflect"
	"strings"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/review"
)

const bot = "U0BOT"

var botMention = mentionPattern(bot)

func TestMessageText(t *testing.T) {
	tests := []struct {
		name, text, blocks, want string
	}{
		{"plain text", "<@U0BOT> check this", "", "check this"},
		{"mention with name", "<@U0BOT|policycheck>  hi", "", " hi"},
		{"other mentions stay", "<@U0BOT> ask <@U123>", "", "ask <@U123>"},
		{
			"rich text keeps raw code",
			"<@U0BOT> see ```{&quot;a&quot;: &lt;x&gt;, \"b\": \"<http://lambda.amazonaws.com|lambda.amazonaws.com>\"}```",
			`[{"type":"rich_text","block_id":"x","elements":[
				{"type":"rich_text_section","elements":[{"type":"user","user_id":"U0BOT"},{"type":"text","text":" see "}]},
				{"type":"rich_text_preformatted","elements":[{"type":"text","text":"{\"a\": <x>, \"b\": \"lambda.amazonaws.com\"}"}]}]}]`,
			"see ```{\"a\": <x>, \"b\": \"lambda.amazonaws.com\"}```",
		},
		{
			"links, channels, emoji, broadcast",
			"ignored",
			`[{"type":"rich_text","elements":[{"type":"rich_text_section","elements":[
				{"type":"link","url":"http://x.com","text":"x.com"},{"type":"text","text":" "},
				{"type":"link","url":"https://y.org/a"},{"type":"text","text":" "},
				{"type":"channel","channel_id":"C1"},{"type":"emoji","name":"tada"},{"type":"broadcast","range":"here"}]}]}]`,
			"x.com https://y.org/a <#C1>:tada:@here",
		},
		{
			"lists and quotes",
			"ignored",
			`[{"type":"rich_text","elements":[
				{"type":"rich_text_list","style":"ordered","elements":[
					{"type":"rich_text_section","elements":[{"type":"text","text":"one"}]},
					{"type":"rich_text_section","elements":[{"type":"text","text":"two"}]}]},
				{"type":"rich_text_quote","elements":[{"type":"text","text":"quoted"}]}]}]`,
			"1. one\n2. two\n> quoted",
		},
		{"non rich_text blocks are ignored", "the text", `[{"type":"section","text":{"type":"mrkdwn","text":"card"}}]`, "the text"},
		{"unreadable blocks are ignored", "<@U0BOT> the text", `[{"type":"rich_text","elements":[{"type":"rich_text_section","elements":7}]}]`, "the text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := messageEvent{Text: tt.text, Blocks: json.RawMessage(tt.blocks)}
			if got := stripMention(ev.text(), botMention); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestMentions(t *testing.T) {
	for text, want := range map[string]bool{
		"<@U0BOT> hi": true, "hi <@U0BOT|policycheck>": true, "<@U0BOTX> hi": false, "U0BOT": false, "": false,
	} {
		if got := mentions(text, bot); got != want {
			t.Errorf("mentions(%q) = %v", text, got)
		}
	}
}

func TestLooksLikePolicy(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{`{"Version": "2012-10-17", "Statement": []}`, true},
		{"```\n{\"Effect\": \"Allow\"\n```", true},
		{"Statement:\n  - Effect: Allow", true},
		{`data "aws_iam_policy_document" "x" { statement { actions = ["s3:*"] } }`, true},
		{`resource "aws_iam_role_policy" "p" {}`, true},
		{"Type: AWS::IAM::Role", true},
		{"lunch at noon?", false},
		{"the Statement was wrong yesterday", false},
		{`{"name": "not a policy"}`, false},
	}
	for _, tt := range tests {
		if got := looksLikePolicy(tt.text); got != tt.want {
			t.Errorf("looksLikePolicy(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

func TestSupportedFile(t *testing.T) {
	tests := []struct {
		f    slack.File
		want bool
	}{
		{slack.File{Name: "policy.json"}, true},
		{slack.File{Name: "POLICY.YML"}, true},
		{slack.File{Name: "role.yaml"}, true},
		{slack.File{Name: "main.tf"}, true},
		{slack.File{Name: "notes.txt"}, true},
		{slack.File{Name: "Untitled", Mode: "snippet", Filetype: "python"}, true},
		{slack.File{Name: "Untitled", Filetype: "json"}, true},
		{slack.File{Name: "diagram.png", Filetype: "png"}, false},
		{slack.File{Name: "policy.pdf", Filetype: "pdf"}, false},
		{slack.File{Name: "archive.json.gz"}, false},
	}
	for _, tt := range tests {
		if got := supportedFile(tt.f); got != tt.want {
			t.Errorf("supportedFile(%+v) = %v, want %v", tt.f, got, tt.want)
		}
	}
}

func TestCheckText(t *testing.T) {
	tests := []struct {
		data string
		ok   bool
	}{
		{`{"Version": "2012-10-17"}`, true},
		{"héllo ✓", true},
		{"", true},
		{"PK\x03\x04\x00\x00", false},
		{"caf\xe9", false},
	}
	for _, tt := range tests {
		if p := checkText("f.json", []byte(tt.data)); (p == nil) != tt.ok {
			t.Errorf("checkText(%q) = %+v, want ok %v", tt.data, p, tt.ok)
		}
	}
	if p := tooLarge("big.json", 240*1024); !strings.Contains(p.Detail, "240 KB") || !strings.Contains(p.Detail, "100 KB") {
		t.Errorf("tooLarge detail %q does not name the size and the limit", p.Detail)
	}
}

func TestLimitWriter(t *testing.T) {
	w := &limitWriter{n: 10}
	if _, err := w.Write([]byte("0123456789")); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("x")); !errors.Is(err, errFileTooLarge) {
		t.Errorf("write beyond the limit: %v", err)
	}
}

func TestSources(t *testing.T) {
	json := slack.File{ID: "F1", Name: "a.json"}
	png := slack.File{ID: "F2", Name: "b.png"}
	policyText := `{"Statement": []}`
	tests := []struct {
		name  string
		text  string
		files []slack.File
		quiet bool
		want  []string // "text" or file IDs
	}{
		{"text alone", "hello", nil, false, []string{"text"}},
		{"nothing", "  ", nil, false, nil},
		{"files, chatter", "please check", []slack.File{json, png}, false, []string{"F1", "F2"}},
		{"files and a policy", policyText, []slack.File{json}, false, []string{"text", "F1"}},
		{"watched chatter", "hello", nil, true, nil},
		{"watched policy", policyText, nil, true, []string{"text"}},
		{"watched files", "", []slack.File{json, png}, true, []string{"F1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, s := range sources(tt.text, tt.files, tt.quiet) {
				if s.file != nil {
					got = append(got, s.file.ID)
				} else {
					got = append(got, "text")
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("sources = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestExtractAndRead runs message texts as Slack delivers them through the
// bot's extraction and the policy reader: fenced, inline, plain, escaped.
func TestExtractAndRead(t *testing.T) {
	const pol = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}`
	escaped := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace
	tests := []struct {
		name, text string
		docs       int
	}{
		{"fenced", "<@U0BOT> please review\n```\n" + pol + "\n```", 1},
		{"fenced with language", "<@U0BOT> ```json\n" + pol + "```", 1},
		{"inline code", "<@U0BOT> `" + pol + "`", 1},
		{"plain", "<@U0BOT> " + pol, 1},
		{"escaped and linked", "<@U0BOT> " + escaped(strings.Replace(pol, "arn:aws:s3:::b/*", "arn:aws:s3:::b/<x>&y", 1)), 1},
		{"two fences", "<@U0BOT> ```" + pol + "``` and ```" + pol + "```", 2},
	}
	rv := review.New(iamref.Default())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := stripMention(messageText(tt.text, slack.Blocks{}), botMention)
			rep, err := rv.Review(context.Background(), review.Input{Data: []byte(text)})
			if err != nil {
				t.Fatalf("Review: %v", err)
			}
			if len(rep.Documents) != tt.docs {
				t.Errorf("%d documents, want %d", len(rep.Documents), tt.docs)
			}
			for _, n := range rep.Notes {
				if strings.Contains(n, "mention") {
					t.Errorf("the bot's mention reached the reader: %q", n)
				}
			}
		})
	}

	// Invalid JSON is reported with its line and column in the message.
	text := stripMention(messageText("<@U0BOT> ```\n{\"Statement\": [\n  {\"Effect\": \"Allow\",, }\n]}\n```", slack.Blocks{}), botMention)
	_, err := rv.Review(context.Background(), review.Input{Data: []byte(text)})
	var pe *policy.Error
	if !errors.As(err, &pe) || pe.Kind != policy.ErrSyntax || pe.Pos.Line != 3 {
		t.Fatalf("Review of invalid JSON = %v; want a syntax error on line 3", err)
	}
	m := readFailure(lang.English, pe)
	js, _ := json.Marshal(m.Blocks)
	if !strings.Contains(string(js), "Line 3, column") {
		t.Errorf("failure card does not name the line and column: %s", js)
	}
}

// TestInnerMessage decodes events as slack-go's Socket Mode client does and
// checks what the bot reads of them.
func TestInnerMessage(t *testing.T) {
	tests := []struct {
		name, event string
		want        messageEvent
	}{
		{
			"app_mention",
			`{"type":"app_mention","user":"U1","text":"<@U0BOT> hi","ts":"1.2","thread_ts":"1.1","channel":"C1","event_ts":"1.2",
			  "files":[{"id":"F1","name":"a.json"}],"blocks":[{"type":"rich_text","elements":[]}]}`,
			messageEvent{Type: "app_mention", User: "U1", Text: "<@U0BOT> hi", TS: "1.2", ThreadTS: "1.1", Channel: "C1",
				Files: []slack.File{{ID: "F1", Name: "a.json"}}, Blocks: json.RawMessage(`[{"type":"rich_text","elements":[]}]`)},
		},
		{
			"file share in a DM",
			`{"type":"message","subtype":"file_share","user":"U1","text":"","ts":"2.1","channel":"D1","channel_type":"im",
			  "files":[{"id":"F2","name":"b.tf"}]}`,
			messageEvent{Type: "message", Subtype: "file_share", User: "U1", TS: "2.1", Channel: "D1", ChannelType: "im",
				Files: []slack.File{{ID: "F2", Name: "b.tf"}}},
		},
		{
			"bot message",
			`{"type":"message","subtype":"bot_message","bot_id":"B1","text":"hi","ts":"3.1","channel":"C1","channel_type":"channel"}`,
			messageEvent{Type: "message", Subtype: "bot_message", BotID: "B1", Text: "hi", TS: "3.1", Channel: "C1", ChannelType: "channel"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			payload := `{"type":"event_callback","team_id":"T1","event_id":"Ev1","event":` + tt.event + `}`
			api, err := slackevents.ParseEvent(json.RawMessage(payload), slackevents.OptionNoVerifyToken())
			if err != nil {
				t.Fatal(err)
			}
			got, ok := innerMessage(api.InnerEvent.Data)
			if !ok {
				t.Fatal("not a message event")
			}
			for i := range got.Files {
				got.Files[i] = slack.File{ID: got.Files[i].ID, Name: got.Files[i].Name}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
	if _, ok := innerMessage(&slackevents.ReactionAddedEvent{}); ok {
		t.Error("a reaction is read as a message")
	}
}

func TestNewMessage(t *testing.T) {
	tests := []struct {
		ev   messageEvent
		want bool
	}{
		{messageEvent{User: "U1"}, true},
		{messageEvent{User: "U1", Subtype: "file_share"}, true},
		{messageEvent{User: "U1", Subtype: "thread_broadcast"}, true},
		{messageEvent{User: "U1", Subtype: "message_changed"}, false},
		{messageEvent{User: "U1", Subtype: "message_deleted"}, false},
		{messageEvent{User: "U1", Subtype: "channel_join"}, false},
		{messageEvent{Subtype: "bot_message", BotID: "B1"}, false},
		{messageEvent{User: "U2", BotID: "B2"}, false}, // another app posting as a user
	}
	for _, tt := range tests {
		if got := tt.ev.newMessage(); got != tt.want {
			t.Errorf("newMessage(%+v) = %v", tt.ev, got)
		}
	}
}
