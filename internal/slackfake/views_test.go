package slackfake

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}

func reviewModal(title string) slack.ModalViewRequest {
	text := slack.NewPlainTextInputBlockElement(plain("Paste a policy"), "policy_text")
	text.Multiline = true
	file := &slack.FileInputBlockElement{Type: slack.METFileInput, ActionID: "policy_file", MaxFiles: 1}
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		Title:           plain(title),
		Submit:          plain("Review"),
		Close:           plain("Cancel"),
		CallbackID:      "review",
		PrivateMetadata: `{"channel":"C1"}`,
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewInputBlock("policy_text_block", plain("Policy JSON"), nil, text),
			slack.NewInputBlock("policy_file_block", plain("or a file"), nil, file),
		}},
	}
}

// slashTrigger runs a slash command and returns the trigger_id the client got.
func slashTrigger(t *testing.T, srv *Server, c *smClient) string {
	t.Helper()
	if _, err := srv.SlashCommand(testContext(t), SlashCommand{Command: "/policycheck", ChannelID: "C1", UserID: "U1"}); err != nil {
		t.Fatal(err)
	}
	evt := c.next(t)
	c.ack(t, evt)
	return evt.Data.(slack.SlashCommand).TriggerID
}

func TestViewsOpenUpdateAndSubmit(t *testing.T) {
	ctx := testContext(t)
	srv := newServer(t, Options{})
	c := startClient(t, srv)
	api := c.api
	trigger := slashTrigger(t, srv, c)

	resp, err := api.OpenViewContext(ctx, trigger, reviewModal("Review a policy"))
	if err != nil {
		t.Fatalf("views.open: %v (%+v)", err, err)
	}
	if resp.View.ID == "" || resp.View.CallbackID != "review" || resp.View.Hash == "" || resp.View.Title.Text != "Review a policy" ||
		len(resp.View.Blocks.BlockSet) != 2 || resp.View.AppID != "A0FAKEAPP1" {
		t.Errorf("view = %+v", resp.View)
	}
	if _, err := api.OpenViewContext(ctx, trigger, reviewModal("Again")); slackErr(err) != "exchanged_trigger_id" {
		t.Errorf("reused trigger = %v, want exchanged_trigger_id", err)
	}
	views := srv.Views()
	if len(views) != 1 || views[0].User != "U1" || views[0].PrivateMetadata != `{"channel":"C1"}` {
		t.Fatalf("views = %+v", views)
	}

	upd, err := api.UpdateViewContext(ctx, reviewModal("Reviewing…"), "", resp.View.Hash, resp.View.ID)
	if err != nil {
		t.Fatal(err)
	}
	if upd.View.Hash == resp.View.Hash {
		t.Error("hash unchanged after views.update")
	}
	if _, err := api.UpdateViewContext(ctx, reviewModal("Stale"), "", resp.View.Hash, resp.View.ID); slackErr(err) != "hash_conflict" {
		t.Errorf("stale hash = %v, want hash_conflict", err)
	}
	if _, err := api.UpdateViewContext(ctx, reviewModal("x"), "", "", "V404"); slackErr(err) != "not_found" {
		t.Errorf("unknown view = %v, want not_found", err)
	}

	fileID := srv.AddFile(File{Name: "policy.json", User: "U1", Content: []byte(policyJSON)})
	id, err := srv.ViewSubmission(ctx, ViewSubmission{ViewID: resp.View.ID, Inputs: []Input{
		{BlockID: "policy_text_block", ActionID: "policy_text", Value: policyJSON},
		{BlockID: "policy_file_block", ActionID: "policy_file", Files: []string{fileID}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	evt := c.next(t)
	cb := evt.Data.(slack.InteractionCallback)
	if cb.Type != slack.InteractionTypeViewSubmission || cb.View.ID != resp.View.ID || cb.View.CallbackID != "review" ||
		cb.User.ID != "U1" || cb.View.PrivateMetadata != `{"channel":"C1"}` || cb.TriggerID == "" {
		t.Errorf("callback = %+v", cb)
	}
	vals := cb.View.State.Values
	if got := vals["policy_text_block"]["policy_text"].Value; got != policyJSON {
		t.Errorf("text input = %q", got)
	}
	if files := vals["policy_file_block"]["policy_file"].Files; len(files) != 1 || files[0].ID != fileID || files[0].URLPrivateDownload == "" {
		t.Errorf("file input = %+v", files)
	}
	c.ack(t, evt, slack.NewErrorsViewSubmissionResponse(map[string]string{"policy_text_block": "Not JSON"}))
	if ack, err := srv.WaitAck(ctx, id); err != nil || ack.Problem != "" {
		t.Errorf("ack = %+v, %v", ack, err)
	}
	if v := srv.Views()[0]; v.Submitted != 1 || v.Updated != 1 || v.Title != "Reviewing…" {
		t.Errorf("view record = %+v", v)
	}
}

func TestViewSubmissionResponseActionUpdate(t *testing.T) {
	ctx := testContext(t)
	srv := newServer(t, Options{})
	c := startClient(t, srv)
	resp, err := c.api.OpenViewContext(ctx, slashTrigger(t, srv, c), reviewModal("Review a policy"))
	if err != nil {
		t.Fatal(err)
	}
	id, err := srv.ViewSubmission(ctx, ViewSubmission{ViewID: resp.View.ID})
	if err != nil {
		t.Fatal(err)
	}
	next := reviewModal("Done")
	c.ack(t, c.next(t), slack.NewUpdateViewSubmissionResponse(&next))
	if _, err := srv.WaitAck(ctx, id); err != nil {
		t.Fatal(err)
	}
	if v := srv.Views()[0]; v.Title != "Done" || v.Updated != 1 {
		t.Errorf("view after response_action update = %+v", v)
	}
}

func TestViewsOpenErrors(t *testing.T) {
	ctx := testContext(t)
	srv := newServer(t, Options{})
	c := startClient(t, srv)

	expired := slashTrigger(t, srv, c)
	srv.ExpireTrigger(expired)
	if _, err := c.api.OpenViewContext(ctx, expired, reviewModal("x")); slackErr(err) != "expired_trigger_id" {
		t.Errorf("expired trigger = %v", err)
	}
	_, err := c.api.OpenViewContext(ctx, "123.456.abc", reviewModal("x"))
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) || se.Err != "invalid_arguments" || strings.Join(se.ResponseMetadata.Messages, "|") != "invalid `trigger_id`" {
		t.Errorf("unknown trigger = %#v", err)
	}
	_, err = c.api.OpenViewContext(ctx, slashTrigger(t, srv, c), reviewModal(strings.Repeat("t", 25)))
	want := "[ERROR] failed to match all allowed schemas [json-pointer:/view/title]|" +
		"[ERROR] must be less than 25 characters [json-pointer:/view/title/text]"
	if !errors.As(err, &se) || se.Err != "invalid_arguments" || strings.Join(se.ResponseMetadata.Messages, "|") != want {
		t.Errorf("long title = %#v", err)
	}
	// A trigger refused for its view stays usable.
	trigger := slashTrigger(t, srv, c)
	if _, err := c.api.OpenViewContext(ctx, trigger, reviewModal(strings.Repeat("t", 25))); err == nil {
		t.Fatal("invalid view accepted")
	}
	if _, err := c.api.OpenViewContext(ctx, trigger, reviewModal("ok")); err != nil {
		t.Errorf("retry with a valid view = %v", err)
	}
	if _, err := srv.ViewSubmission(ctx, ViewSubmission{ViewID: srv.Views()[0].ID, Inputs: []Input{{BlockID: "nope", ActionID: "x", Value: "v"}}}); err == nil {
		t.Error("submission of an input the view lacks was accepted")
	}
}

func TestBlockActionAndResponseURL(t *testing.T) {
	ctx := testContext(t)
	srv := newServer(t, Options{ResponseURLUses: 2})
	c := startClient(t, srv)
	d, err := srv.Mention(ctx, "C1", "U1", "review", MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for range d.Envelopes {
		c.ack(t, c.next(t))
	}
	button := slack.NewButtonBlockElement("apply_fix", "stmt-1", plain("Apply fix"))
	button.Style = slack.StylePrimary
	_, ts, err := c.api.PostMessageContext(ctx, "C1", slack.MsgOptionText("Score 3/10", false), slack.MsgOptionTS(d.TS),
		slack.MsgOptionBlocks(slack.NewActionBlock("", button)))
	if err != nil {
		t.Fatal(err)
	}

	id, err := srv.BlockAction(ctx, BlockAction{Channel: "C1", MessageTS: ts, ActionID: "apply_fix", UserID: "U2"})
	if err != nil {
		t.Fatal(err)
	}
	evt := c.next(t)
	if evt.Request.EnvelopeID != id {
		t.Errorf("envelope %s, want %s", evt.Request.EnvelopeID, id)
	}
	cb := evt.Data.(slack.InteractionCallback)
	if cb.Type != slack.InteractionTypeBlockActions || cb.Container.Type != "message" || cb.Container.MessageTs != ts ||
		cb.Container.ChannelID != "C1" || cb.Container.ThreadTs != d.TS || cb.Channel.ID != "C1" || cb.User.ID != "U2" ||
		cb.Message.Timestamp != ts || cb.Message.ThreadTimestamp != d.TS || cb.TriggerID == "" {
		t.Errorf("callback = %+v", cb)
	}
	acts := cb.ActionCallback.BlockActions
	if len(acts) != 1 || acts[0].ActionID != "apply_fix" || acts[0].Value != "stmt-1" || acts[0].BlockID == "" || acts[0].Text.Text != "Apply fix" {
		t.Errorf("actions = %+v", acts)
	}
	c.ack(t, evt)

	// replace_original updates the message the button was in.
	if _, _, err := c.api.PostMessageContext(ctx, "", slack.MsgOptionReplaceOriginal(cb.ResponseURL), slack.MsgOptionText("Fix applied", false)); err != nil {
		t.Fatal(err)
	}
	m, err := srv.WaitMessage(ctx, func(m Message) bool { return m.TS == ts && m.Updated == 1 })
	if err != nil {
		t.Fatal(err)
	}
	if m.Text != "Fix applied" || m.Blocks != nil {
		t.Errorf("replaced message = %+v", m)
	}
	// A new in_channel response lands in the thread.
	if _, _, err := c.api.PostMessageContext(ctx, "", slack.MsgOptionResponseURL(cb.ResponseURL, slack.ResponseTypeInChannel), slack.MsgOptionText("Thanks", false)); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages("C1")
	if last := msgs[len(msgs)-1]; last.Text != "Thanks" || last.ThreadTS != d.TS || last.BotID == "" {
		t.Errorf("in_channel response = %+v", last)
	}
	// Used up after ResponseURLUses posts.
	_, _, err = c.api.PostMessageContext(ctx, "", slack.MsgOptionResponseURL(cb.ResponseURL, slack.ResponseTypeEphemeral), slack.MsgOptionText("third", false))
	var sc slack.StatusCodeError
	if !errors.As(err, &sc) || sc.Code != 404 {
		t.Errorf("third post = %v, want 404", err)
	}
	rs := srv.Responses()
	if len(rs) != 2 || !rs[0].ReplaceOriginal || rs[1].ResponseType != "in_channel" || rs[0].URL != cb.ResponseURL {
		t.Errorf("responses = %+v", rs)
	}
}

func TestResponseURLExpiryAndValidation(t *testing.T) {
	ctx := testContext(t)
	srv := newServer(t, Options{})
	c := startClient(t, srv)
	if _, err := srv.SlashCommand(ctx, SlashCommand{Command: "/policycheck", ChannelID: "C1", UserID: "U1"}); err != nil {
		t.Fatal(err)
	}
	evt := c.next(t)
	c.ack(t, evt)
	url := evt.Data.(slack.SlashCommand).ResponseURL

	bad := slack.NewSectionBlock(plain(strings.Repeat("x", 3001)), nil, nil)
	_, _, err := c.api.PostMessageContext(ctx, "", slack.MsgOptionResponseURL(url, slack.ResponseTypeEphemeral), slack.MsgOptionBlocks(bad))
	if slackErr(err) != "invalid_blocks" {
		t.Errorf("invalid blocks = %v", err)
	}
	if _, _, err := c.api.PostMessageContext(ctx, "", slack.MsgOptionResponseURL(url, slack.ResponseTypeEphemeral), slack.MsgOptionText("ok", false)); err != nil {
		t.Fatal(err)
	}
	if e := srv.Ephemerals("C1"); len(e) != 1 || e[0].EphemeralTo != "U1" || e[0].Text != "ok" {
		t.Errorf("ephemerals = %+v", e)
	}
	srv.ExpireResponseURL(url)
	_, _, err = c.api.PostMessageContext(ctx, "", slack.MsgOptionResponseURL(url, slack.ResponseTypeEphemeral), slack.MsgOptionText("late", false))
	var sc slack.StatusCodeError
	if !errors.As(err, &sc) || sc.Code != 404 {
		t.Errorf("expired post = %v, want 404", err)
	}
	rs := srv.Responses()
	if len(rs) != 2 || !strings.HasPrefix(rs[0].Error, "invalid_blocks") || rs[1].Error != "" {
		t.Errorf("responses = %+v", rs)
	}
	var raw map[string]any
	if err := json.Unmarshal(rs[1].Raw, &raw); err != nil || raw["text"] != "ok" {
		t.Errorf("raw = %s", rs[1].Raw)
	}
}

func TestViewSubmissionSelectAndPush(t *testing.T) {
	ctx := testContext(t)
	srv := newServer(t, Options{})
	c := startClient(t, srv)
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Pick"), "level",
		slack.NewOptionBlockObject("strict", plain("Strict"), nil), slack.NewOptionBlockObject("lax", plain("Lax"), nil))
	modal := slack.ModalViewRequest{Type: slack.VTModal, Title: plain("Settings"), Submit: plain("Save"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewInputBlock("level_block", plain("Level"), nil, sel)}}}
	resp, err := c.api.OpenViewContext(ctx, slashTrigger(t, srv, c), modal)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.ViewSubmission(ctx, ViewSubmission{ViewID: resp.View.ID, Inputs: []Input{{BlockID: "level_block", ActionID: "level", Value: "nope"}}}); err == nil {
		t.Error("unknown option accepted")
	}
	id, err := srv.ViewSubmission(ctx, ViewSubmission{ViewID: resp.View.ID, Inputs: []Input{{BlockID: "level_block", ActionID: "level", Value: "lax"}}})
	if err != nil {
		t.Fatal(err)
	}
	evt := c.next(t)
	if got := evt.Data.(slack.InteractionCallback).View.State.Values["level_block"]["level"].SelectedOption.Value; got != "lax" {
		t.Errorf("selected option = %q", got)
	}
	pushed := reviewModal("Next step")
	c.ack(t, evt, slack.NewPushViewSubmissionResponse(&pushed))
	v, err := srv.WaitView(ctx, func(v View) bool { return v.Title == "Next step" })
	if err != nil {
		t.Fatal(err)
	}
	if v.RootViewID != resp.View.ID || v.User != "U1" {
		t.Errorf("pushed view = %+v", v)
	}
	if acks := srv.Acks(id); len(acks) != 1 || acks[0].Problem != "" {
		t.Errorf("acks = %+v", acks)
	}
	var kinds []string
	for _, e := range srv.Envelopes() {
		kinds = append(kinds, e.Type)
	}
	if strings.Join(kinds, ",") != "slash_commands,interactive" {
		t.Errorf("envelopes = %v", kinds)
	}
}
