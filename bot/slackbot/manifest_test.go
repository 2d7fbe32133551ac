package slackbot

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/slack-go/slack"
	"gopkg.in/yaml.v3"
)

// TestManifest decodes manifest.yaml strictly and checks it against what
// the bot registers: the command, the events it handles, the scopes it
// declares it needs.
func TestManifest(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "manifest.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("manifest.yaml: %v", err)
	}
	js, err := json.Marshal(doc)
	if err != nil {
		t.Fatalf("manifest.yaml as JSON: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	var m slack.Manifest
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("manifest.yaml is not a Slack manifest: %v", err)
	}

	if m.Display.Name != "policycheck" || m.Features.BotUser.DisplayName != "policycheck" {
		t.Errorf("display name %q, bot user %q; want policycheck", m.Display.Name, m.Features.BotUser.DisplayName)
	}
	if !m.Settings.SocketModeEnabled {
		t.Error("Socket Mode is off")
	}
	if m.Settings.Interactivity == nil || !m.Settings.Interactivity.IsEnabled || m.Settings.Interactivity.RequestUrl != "" {
		t.Errorf("interactivity = %+v; want enabled without a request URL", m.Settings.Interactivity)
	}
	if len(m.Features.SlashCommands) != 1 || m.Features.SlashCommands[0].Command != Command || m.Features.SlashCommands[0].Url != "" {
		t.Errorf("slash commands = %+v; want %s alone, without a URL", m.Features.SlashCommands, Command)
	}
	if !m.Features.AppHome.MessagesTabEnabled || m.Features.AppHome.MessagesTabReadOnlyEnabled {
		t.Error("the Messages tab must be on and writable, or people cannot DM the bot")
	}
	ev := m.Settings.EventSubscriptions
	if ev == nil || ev.RequestUrl != "" {
		t.Fatalf("event subscriptions = %+v; want bot events without a request URL", ev)
	}
	if got, want := sorted(ev.BotEvents), sorted(BotEvents); !slices.Equal(got, want) {
		t.Errorf("bot events = %v, want %v", got, want)
	}
	var scopes []string
	for s := range Scopes {
		scopes = append(scopes, s)
	}
	if got, want := sorted(m.OAuthConfig.Scopes.Bot), sorted(scopes); !slices.Equal(got, want) {
		t.Errorf("bot scopes = %v, want %v", got, want)
	}
	if len(m.OAuthConfig.Scopes.User) > 0 {
		t.Errorf("user scopes %v: the bot needs none", m.OAuthConfig.Scopes.User)
	}
	// Every message event has the history scope it needs.
	for _, e := range ev.BotEvents {
		need := map[string]string{"app_mention": "app_mentions:read", "message.channels": "channels:history",
			"message.groups": "groups:history", "message.im": "im:history"}[e]
		if need == "" {
			t.Errorf("bot event %q is not one the bot handles", e)
		} else if _, ok := Scopes[need]; !ok {
			t.Errorf("bot event %q needs scope %s", e, need)
		}
	}
	// The events the bot handles are those it subscribes to.
	for _, typ := range []string{eventAppMention, eventMessage} {
		found := false
		for _, e := range BotEvents {
			if e == typ || len(e) > len(typ) && e[:len(typ)+1] == typ+"." {
				found = true
			}
		}
		if !found {
			t.Errorf("the bot handles %q events but does not subscribe to them", typ)
		}
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
