package slackfake

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

func TestAuthTest(t *testing.T) {
	srv := newServer(t, Options{})
	got, err := newAPI(srv).AuthTestContext(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	if got.UserID != "U0FAKEBOT1" || got.BotID != "B0FAKEBOT1" || got.TeamID != "T0FAKE0001" || got.User != "policycheck" {
		t.Errorf("auth.test = %+v", got)
	}
}

func TestPostUpdateDeleteAndHistory(t *testing.T) {
	ctx := testContext(t)
	srv := newServer(t, Options{})
	api := newAPI(srv)
	startClient(t, srv)
	parent, err := srv.Message(ctx, "C1", "U1", "root", MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	parentTS := parent.TS

	button := slack.NewButtonBlockElement("approve", "v1", slack.NewTextBlockObject(slack.PlainTextType, "Approve", false, false))
	blocks := []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*Score* 7/10", false, false), nil, nil),
		slack.NewActionBlock("actions", button),
	}
	ch, ts, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("Score 7/10", false),
		slack.MsgOptionBlocks(blocks...), slack.MsgOptionTS(parentTS))
	if err != nil {
		t.Fatal(err)
	}
	if ch != "C1" || ts <= parentTS {
		t.Errorf("posted in %s at %s", ch, ts)
	}
	msgs := srv.Messages("C1")
	if len(msgs) != 2 {
		t.Fatalf("messages = %+v", msgs)
	}
	reply := msgs[1]
	if reply.ThreadTS != parentTS || reply.User != "U0FAKEBOT1" || reply.BotID != "B0FAKEBOT1" || reply.Text != "Score 7/10" {
		t.Errorf("reply = %+v", reply)
	}
	var stored []map[string]any
	if err := json.Unmarshal(reply.Blocks, &stored); err != nil || len(stored) != 2 {
		t.Fatalf("blocks %s: %v", reply.Blocks, err)
	}
	if id, _ := stored[0]["block_id"].(string); id == "" {
		t.Error("section got no block_id")
	}
	if stored[1]["block_id"] != "actions" {
		t.Errorf("block_id = %v, want the bot's", stored[1]["block_id"])
	}

	// chat.update keeps blocks when only text is sent.
	if _, _, _, err := api.UpdateMessageContext(ctx, "C1", ts, slack.MsgOptionText("Score 8/10", false)); err != nil {
		t.Fatal(err)
	}
	m := srv.Messages("C1")[1]
	if m.Text != "Score 8/10" || m.Updated != 1 || m.Blocks == nil {
		t.Errorf("after update: %+v", m)
	}

	replies, _, _, err := api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{ChannelID: "C1", Timestamp: ts})
	if err != nil {
		t.Fatal(err)
	}
	if len(replies) != 2 || replies[0].Timestamp != parentTS || replies[0].ReplyCount != 1 || replies[1].Timestamp != ts {
		t.Errorf("replies = %+v", replies)
	}
	if len(replies[1].Blocks.BlockSet) != 2 {
		t.Errorf("reply blocks did not decode: %+v", replies[1].Blocks)
	}
	hist, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "C1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(hist.Messages) != 1 || hist.Messages[0].Timestamp != parentTS || hist.Messages[0].LatestReply != ts {
		t.Errorf("history = %+v", hist.Messages)
	}

	if _, _, err := api.DeleteMessageContext(ctx, "C1", ts); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Messages("C1")); n != 1 {
		t.Errorf("after delete: %d messages, want 1", n)
	}
}

func TestHistoryPaging(t *testing.T) {
	ctx := testContext(t)
	srv := newServer(t, Options{})
	api := newAPI(srv)
	for i := 0; i < 5; i++ {
		if _, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("m", false)); err != nil {
			t.Fatal(err)
		}
	}
	var seen []string
	cursor := ""
	for {
		h, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "C1", Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range h.Messages {
			seen = append(seen, m.Timestamp)
		}
		if !h.HasMore {
			break
		}
		cursor = h.ResponseMetaData.NextCursor
	}
	if len(seen) != 5 || seen[0] < seen[4] {
		t.Errorf("paged history = %v, want 5 messages newest first", seen)
	}
}

func TestEphemeralInfoAndUsers(t *testing.T) {
	ctx := testContext(t)
	srv := newServer(t, Options{})
	api := newAPI(srv)
	ts, err := api.PostEphemeralContext(ctx, "C1", "U1", slack.MsgOptionText("only you", false))
	if err != nil {
		t.Fatal(err)
	}
	if e := srv.Ephemerals("C1"); len(e) != 1 || e[0].TS != ts || e[0].EphemeralTo != "U1" {
		t.Errorf("ephemerals = %+v", e)
	}
	if len(srv.Messages("C1")) != 0 {
		t.Error("ephemeral message landed in channel history")
	}

	info, err := api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: "C1"})
	if err != nil {
		t.Fatal(err)
	}
	if info.Name != "general" || !info.IsMember || !info.IsChannel {
		t.Errorf("conversations.info = %+v", info)
	}
	dm, err := srv.DMChannel("U1")
	if err != nil {
		t.Fatal(err)
	}
	info, err = api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: dm})
	if err != nil {
		t.Fatal(err)
	}
	if !info.IsIM || info.User != "U1" || !strings.HasPrefix(dm, "D") {
		t.Errorf("DM info = %+v", info)
	}
	u, err := api.GetUserInfoContext(ctx, "U1")
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != "alice" || u.IsBot || u.Profile.DisplayName != "alice" || u.Locale != "en-GB" {
		t.Errorf("users.info = %+v", u)
	}
	if err := srv.SetLocale("U1", "pt-BR"); err != nil {
		t.Fatal(err)
	}
	if u, err := api.GetUserInfoContext(ctx, "U1"); err != nil || u.Locale != "pt-BR" {
		t.Errorf("users.info after SetLocale = %+v, %v", u, err)
	}
	if u, err := api.GetUserInfoContext(ctx, "U1", slack.GetUserInfoOptionIncludeLocale(false)); err != nil || u.Locale != "" {
		t.Errorf("users.info without include_locale = %+v, %v", u, err)
	}
	bot, err := api.GetUserInfoContext(ctx, "U0FAKEBOT1")
	if err != nil {
		t.Fatal(err)
	}
	if !bot.IsBot || bot.Profile.BotID != "B0FAKEBOT1" {
		t.Errorf("bot users.info = %+v", bot)
	}
	// Posting to a user ID goes to the DM.
	if ch, _, err := api.PostMessageContext(ctx, "U2", slack.MsgOptionText("hi", false)); err != nil || !strings.HasPrefix(ch, "D") {
		t.Errorf("post to user: channel %q, %v", ch, err)
	}
}

func TestWebAPIErrors(t *testing.T) {
	ctx := testContext(t)
	srv := newServer(t, Options{})
	api := newAPI(srv)
	_, ts, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("mine", false))
	if err != nil {
		t.Fatal(err)
	}
	userMsg, _ := srv.Message(ctx, "C2", "U1", "theirs", MessageOptions{})

	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"unknown channel", func() error {
			_, _, err := api.PostMessageContext(ctx, "C404", slack.MsgOptionText("x", false))
			return err
		}, "channel_not_found"},
		{"not a member", func() error {
			_, _, err := api.PostMessageContext(ctx, "C2", slack.MsgOptionText("x", false))
			return err
		}, "not_in_channel"},
		{"no text", func() error {
			_, _, err := api.PostMessageContext(ctx, "C1")
			return err
		}, "no_text"},
		{"text too long", func() error {
			_, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText(strings.Repeat("a", 40001), false))
			return err
		}, "msg_too_long"},
		{"text at the limit", func() error {
			_, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText(strings.Repeat("é", 40000), false))
			return err
		}, ""},
		{"update unknown ts", func() error {
			_, _, _, err := api.UpdateMessageContext(ctx, "C1", "1600000000.000100", slack.MsgOptionText("x", false))
			return err
		}, "message_not_found"},
		{"update a user's message", func() error {
			_, _, _, err := api.UpdateMessageContext(ctx, "C2", userMsg.TS, slack.MsgOptionText("x", false))
			return err
		}, "cant_update_message"},
		{"delete unknown ts", func() error {
			_, _, err := api.DeleteMessageContext(ctx, "C1", "1600000000.000100")
			return err
		}, "message_not_found"},
		{"history of a non-member channel", func() error {
			_, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "C2"})
			return err
		}, "not_in_channel"},
		{"replies of an unknown thread", func() error {
			_, _, _, err := api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{ChannelID: "C1", Timestamp: "1.2"})
			return err
		}, "thread_not_found"},
		{"unknown user", func() error {
			_, err := api.GetUserInfoContext(ctx, "U404")
			return err
		}, "user_not_found"},
		{"ephemeral to a stranger", func() error {
			_, err := api.PostEphemeralContext(ctx, "C1", "U404", slack.MsgOptionText("x", false))
			return err
		}, "user_not_in_channel"},
		{"scripted failure", func() error {
			srv.FailNext("chat.update", "edit_window_closed")
			_, _, _, err := api.UpdateMessageContext(ctx, "C1", ts, slack.MsgOptionText("x", false))
			return err
		}, "edit_window_closed"},
		{"wrong bot token", func() error {
			_, err := slack.New("xoxb-wrong", slack.OptionAPIURL(srv.APIURL())).AuthTestContext(ctx)
			return err
		}, "invalid_auth"},
		{"app token for a bot method", func() error {
			_, err := slack.New(srv.Config().AppToken, slack.OptionAPIURL(srv.APIURL())).AuthTestContext(ctx)
			return err
		}, "not_allowed_token_type"},
		{"bot token for apps.connections.open", func() error {
			_, _, err := slack.New("", slack.OptionAppLevelToken(srv.Config().BotToken), slack.OptionAPIURL(srv.APIURL())).StartSocketModeContext(ctx)
			return err
		}, "not_allowed_token_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := slackErr(tt.call()); got != tt.want {
				t.Errorf("error = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRateLimit(t *testing.T) {
	ctx := testContext(t)
	srv := newServer(t, Options{})
	api := newAPI(srv)
	srv.RateLimitNext("chat.postMessage", 1500*time.Millisecond)
	_, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("x", false))
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != 2*time.Second {
		t.Fatalf("error = %v, want RateLimitedError retry after 2s", err)
	}
	if _, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("x", false)); err != nil {
		t.Errorf("second post = %v, want success", err)
	}
	if n := srv.Calls("chat.postMessage"); n != 2 {
		t.Errorf("calls = %d, want 2", n)
	}

	// The raw answer: 429, Retry-After, Slack's body.
	srv.RateLimitNext("auth.test", 3*time.Second)
	resp, err := http.PostForm(srv.APIURL()+"auth.test", url.Values{"token": {srv.Config().BotToken}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "3" || string(body) != `{"error":"ratelimited","ok":false}` {
		t.Errorf("got %d Retry-After %q body %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
}

func TestRawAuthAnswers(t *testing.T) {
	srv := newServer(t, Options{})
	tests := []struct {
		name   string
		header string
		form   url.Values
		want   string
	}{
		{"no token", "", nil, `{"error":"not_authed","ok":false}`},
		{"bearer", "Bearer " + srv.Config().BotToken, nil, `"ok":true`},
		{"form token", "", url.Values{"token": {srv.Config().BotToken}}, `"ok":true`},
		{"bad bearer", "Bearer xoxb-nope", nil, `{"error":"invalid_auth","ok":false}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, srv.APIURL()+"auth.test", strings.NewReader(tt.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(string(body), tt.want) {
				t.Errorf("got %d %s, want %s", resp.StatusCode, body, tt.want)
			}
		})
	}
}

func TestJSONBodyAndUnknownMethod(t *testing.T) {
	srv := newServer(t, Options{})
	post := func(method, body string) string {
		req, _ := http.NewRequest(http.MethodPost, srv.APIURL()+method, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		req.Header.Set("Authorization", "Bearer "+srv.Config().BotToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	got := post("chat.postMessage", `{"channel":"C1","text":"json","blocks":[{"type":"divider"}]}`)
	if !strings.Contains(got, `"ok":true`) {
		t.Errorf("JSON post = %s", got)
	}
	got = post("chat.postMessage", `{"channel":"C1","text":"x","blocks":"not json"}`)
	if !strings.Contains(got, `"error":"invalid_blocks_format"`) {
		t.Errorf("bad blocks = %s", got)
	}
	got = post("views.push", `{}`)
	if got != `{"error":"unknown_method","ok":false,"req_method":"views.push"}` {
		t.Errorf("unknown method = %s", got)
	}
}

func TestEchoBotMessages(t *testing.T) {
	ctx := testContext(t)
	srv := newServer(t, Options{EchoBotMessages: true})
	c := startClient(t, srv)
	_, ts, err := newAPI(srv).PostMessageContext(ctx, "C1", slack.MsgOptionText("from the bot", false))
	if err != nil {
		t.Fatal(err)
	}
	evt := c.next(t)
	var p struct {
		Event map[string]any `json:"event"`
	}
	if err := json.Unmarshal(evt.Request.Payload, &p); err != nil {
		t.Fatal(err)
	}
	if ev := p.Event; ev["type"] != "message" || ev["bot_id"] != "B0FAKEBOT1" || ev["ts"] != ts || ev["user"] != "U0FAKEBOT1" || ev["channel_type"] != "channel" {
		t.Errorf("echo = %v", ev)
	}
}

func TestEditMessageMembershipAndPermalink(t *testing.T) {
	ctx := testContext(t)
	srv := newServer(t, Options{})
	api := newAPI(srv)
	if srv.Connected() {
		t.Error("Connected before any client")
	}
	d, err := srv.Message(ctx, "C2", "U1", "first", MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.EditMessage("C2", d.TS, "edited & fixed"); err != nil {
		t.Fatal(err)
	}
	if m := srv.Messages("C2")[0]; m.Text != "edited &amp; fixed" || m.Updated != 1 {
		t.Errorf("edited = %+v", m)
	}
	if err := srv.EditMessage("C2", "1.1", "x"); !errors.Is(err, errNoSuchMessage) {
		t.Errorf("edit of unknown ts = %v", err)
	}

	if _, _, err := api.PostMessageContext(ctx, "C2", slack.MsgOptionText("x", false)); slackErr(err) != "not_in_channel" {
		t.Fatalf("before joining: %v", err)
	}
	if err := srv.SetMember("C2", true); err != nil {
		t.Fatal(err)
	}
	_, ts, err := api.PostMessageContext(ctx, "#random", slack.MsgOptionText("x", false))
	if err != nil {
		t.Fatalf("after joining: %v", err)
	}
	link, err := api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: "C2", Ts: ts})
	if err != nil || !strings.HasSuffix(link, "/archives/C2/p"+strings.ReplaceAll(ts, ".", "")) {
		t.Errorf("permalink = %q, %v", link, err)
	}
}
