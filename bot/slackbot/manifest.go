package slackbot

// What the Slack app must grant and send the bot; manifest.yaml at the root
// of the repository declares exactly these, and a test holds them equal.

// Scopes are the bot token scopes the bot needs, each with what uses it.
var Scopes = map[string]string{
	"app_mentions:read": "app_mention events",
	"chat:write":        "chat.postMessage, chat.update and chat.postEphemeral: cards, summaries, replies, failures",
	"reactions:write":   "reactions.add and reactions.remove: the :eyes: on a message while it is reviewed",
	"commands":          "the " + Command + " slash command",
	"files:read":        "files.info and downloading attached policies",
	"files:write":       "uploading a suggested policy too long for a card",
	"channels:history":  "message events in public channels, and conversations.history/replies to re-read an edited policy",
	"groups:history":    "the same in private channels",
	"im:history":        "direct messages, and re-reading them",
	"channels:read":     "conversations.info, to match a watched channel given by name",
	"groups:read":       "the same for private channels",
	"users:read":        "users.info with include_locale: the requester's language (English, Spanish or Portuguese)",
}

// BotEvents are the bot events the bot subscribes to: mentions, and
// messages in public and private channels (watched channels, mentions seen
// as messages) and in direct messages.
var BotEvents = []string{"app_mention", "message.channels", "message.groups", "message.im"}
