package slackfake

import (
	"testing"

	"github.com/slack-go/slack"
)

func TestReactions(t *testing.T) {
	ctx := testContext(t)
	srv := newServer(t, Options{})
	api := startClient(t, srv).api
	d, err := srv.Message(ctx, "C1", "U1", "a policy", MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	here := slack.NewRefToMessage("C1", d.TS)
	if err := api.AddReactionContext(ctx, "eyes", here); err != nil {
		t.Fatalf("reactions.add: %v", err)
	}
	if err := srv.React("C1", d.TS, "U2", "eyes"); err != nil {
		t.Fatal(err)
	}
	m := srv.Messages("C1")[0]
	if len(m.Reactions) != 1 || m.Reactions[0].Name != "eyes" || len(m.Reactions[0].Users) != 2 {
		t.Errorf("reactions = %+v", m.Reactions)
	}
	// The API shows them on the message.
	hist, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "C1"})
	if err != nil || len(hist.Messages) != 1 || len(hist.Messages[0].Reactions) != 1 || hist.Messages[0].Reactions[0].Count != 2 {
		t.Errorf("history = %+v, %v", hist, err)
	}

	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"twice", func() error { return api.AddReactionContext(ctx, "eyes", here) }, "already_reacted"},
		{"colons", func() error { return api.AddReactionContext(ctx, ":eyes:", here) }, "invalid_name"},
		{"unknown message", func() error { return api.AddReactionContext(ctx, "eyes", slack.NewRefToMessage("C1", "1.2")) }, "message_not_found"},
		{"not a member", func() error { return api.AddReactionContext(ctx, "eyes", slack.NewRefToMessage("C2", d.TS)) }, "not_in_channel"},
		{"no channel", func() error { return api.AddReactionContext(ctx, "eyes", slack.NewRefToMessage("C9", d.TS)) }, "channel_not_found"},
		{"none to remove", func() error { return api.RemoveReactionContext(ctx, "white_check_mark", here) }, "no_reaction"},
	}
	for _, tt := range tests {
		if err := tt.call(); slackErr(err) != tt.want {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.want)
		}
	}

	if err := api.RemoveReactionContext(ctx, "eyes", here); err != nil {
		t.Fatalf("reactions.remove: %v", err)
	}
	if err := api.RemoveReactionContext(ctx, "eyes", here); slackErr(err) != "no_reaction" {
		t.Errorf("second remove: %v", err)
	}
	// Bob's stays.
	if m := srv.Messages("C1")[0]; len(m.Reactions) != 1 || len(m.Reactions[0].Users) != 1 || m.Reactions[0].Users[0] != "U2" {
		t.Errorf("after removal: %+v", m.Reactions)
	}
	log := srv.Reactions()
	if len(log) != 2 || !log[0].Added || log[1].Added || log[1].User != srv.Config().BotUserID {
		t.Errorf("reaction log = %+v", log)
	}
	if srv.Calls("reactions.add") != 6 {
		t.Errorf("%d calls of reactions.add", srv.Calls("reactions.add"))
	}
}

// TestViewBlockAction clicks a button in a modal: the envelope has a view
// container, the view's hash and metadata and a trigger, and no
// response_url; views.update with a stale hash is refused.
func TestViewBlockAction(t *testing.T) {
	ctx := testContext(t)
	srv := newServer(t, Options{})
	c := startClient(t, srv)
	trigger := slashTrigger(t, srv, c)
	next := slack.NewButtonBlockElement("page", "2", plain("Next"))
	view := slack.ModalViewRequest{
		Type: slack.VTModal, Title: plain("All findings"), Close: plain("Close"), PrivateMetadata: "review-1",
		Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewActionBlock("nav", next)}},
	}
	opened, err := c.api.OpenViewContext(ctx, trigger, view)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.BlockAction(ctx, BlockAction{ViewID: opened.View.ID, ActionID: "page"}); err != nil {
		t.Fatal(err)
	}
	evt := c.next(t)
	c.ack(t, evt)
	cb := evt.Data.(slack.InteractionCallback)
	if cb.Container.Type != "view" || cb.Container.ViewID != opened.View.ID || cb.View.ID != opened.View.ID ||
		cb.View.Hash != opened.View.Hash || cb.View.PrivateMetadata != "review-1" || cb.TriggerID == "" || cb.ResponseURL != "" ||
		cb.User.ID != "U1" || len(cb.ActionCallback.BlockActions) != 1 || cb.ActionCallback.BlockActions[0].Value != "2" {
		t.Errorf("callback = %+v", cb)
	}
	view.PrivateMetadata = "review-1/2"
	if _, err := c.api.UpdateViewContext(ctx, view, "", cb.View.Hash, cb.View.ID); err != nil {
		t.Fatalf("views.update: %v", err)
	}
	if _, err := c.api.UpdateViewContext(ctx, view, "", cb.View.Hash, cb.View.ID); slackErr(err) != "hash_conflict" {
		t.Errorf("views.update with a stale hash: %v", err)
	}
	if _, err := srv.BlockAction(ctx, BlockAction{ViewID: "V404", ActionID: "page"}); err == nil {
		t.Error("a click in an unknown view was delivered")
	}
}
