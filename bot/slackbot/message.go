package slackbot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/policycheck/policycheck/assistant/policy"
)

// messageEvent is the part of an app_mention or message event the bot
// reads. slack-go decodes these events into it (see init): its blocks stay
// raw until a worker reads them.
type messageEvent struct {
	Type        string          `json:"type"`
	Subtype     string          `json:"subtype"`
	User        string          `json:"user"`
	BotID       string          `json:"bot_id"`
	Text        string          `json:"text"`
	Blocks      json.RawMessage `json:"blocks"`
	Files       []slack.File    `json:"files"`
	TS          string          `json:"ts"`
	ThreadTS    string          `json:"thread_ts"`
	Channel     string          `json:"channel"`
	ChannelType string          `json:"channel_type"`
}

// The Socket Mode client decodes each envelope, on one goroutine, before
// the bot can acknowledge it. slack-go's own types for messages decode
// their Block Kit blocks as well, layer by layer, which makes a mention
// with a code block about three times dearer to decode (~0.2 ms): in a
// burst the last acks wait for all of it. slack-go lets an application
// choose the type an inner event decodes into, before events flow; the
// bot takes its own for the two events it reads, and decodes the blocks
// on a worker (messageEvent.text).
func init() {
	slackevents.EventsAPIInnerEventMapping[slackevents.AppMention] = messageEvent{}
	slackevents.EventsAPIInnerEventMapping[slackevents.Message] = messageEvent{}
}

// innerMessage takes a message event from an event slack-go decoded; ok is
// false for other events.
func innerMessage(data any) (messageEvent, bool) {
	ev, ok := data.(*messageEvent)
	if !ok || ev == nil {
		return messageEvent{}, false
	}
	return *ev, true
}

// text is what the user wrote (see messageText). Blocks that cannot be
// read count as none.
func (e *messageEvent) text() string {
	var blocks slack.Blocks
	if len(e.Blocks) > 0 {
		if err := json.Unmarshal(e.Blocks, &blocks); err != nil {
			blocks = slack.Blocks{}
		}
	}
	return messageText(e.Text, blocks)
}

// rawEvent is an events_api payload slack-go could not decode, read for
// what the bot needs.
type rawEvent struct {
	Type   string       `json:"type"`
	TeamID string       `json:"team_id"`
	Event  messageEvent `json:"event"`
}

// newMessage reports whether a message event is a new message someone
// typed, rather than an edit, a deletion, a join, or a bot's post.
func (e *messageEvent) newMessage() bool {
	switch e.Subtype {
	case "", "file_share", "thread_broadcast":
	default:
		return false
	}
	return e.User != "" && e.BotID == ""
}

// threadOf is the thread a reply to the message goes in: the message's
// own thread, or a new one under the message.
func threadOf(ts, threadTS string) string {
	if threadTS != "" {
		return threadTS
	}
	return ts
}

// messageText is what the user wrote: rebuilt from the message's
// rich_text blocks when it has any, where code keeps the raw text (no
// &amp; escapes, no link markup), else the text as Slack sent it.
func messageText(text string, blocks slack.Blocks) string {
	if rt, ok := richText(blocks); ok {
		return rt
	}
	return text
}

// mentionPattern matches the bot's mentions, <@U123> or <@U123|name>, and
// a space after them.
func mentionPattern(botUserID string) *regexp.Regexp {
	return regexp.MustCompile(`<@` + regexp.QuoteMeta(botUserID) + `(\|[^>]*)?>[ \t]?`)
}

// stripMention removes the bot's mentions from text.
func stripMention(text string, mention *regexp.Regexp) string {
	return mention.ReplaceAllString(text, "")
}

// mentions reports whether text mentions the bot.
func mentions(text, botUserID string) bool {
	return botUserID != "" && (strings.Contains(text, "<@"+botUserID+">") || strings.Contains(text, "<@"+botUserID+"|"))
}

// richText rebuilds the text of a message from its rich_text blocks, and
// reports whether it had any.
func richText(blocks slack.Blocks) (string, bool) {
	var b strings.Builder
	found := false
	for _, blk := range blocks.BlockSet {
		rt, ok := blk.(*slack.RichTextBlock)
		if !ok {
			continue
		}
		if found {
			b.WriteByte('\n')
		}
		found = true
		for _, el := range rt.Elements {
			writeRich(&b, el)
		}
	}
	return b.String(), found
}

func writeRich(b *strings.Builder, el slack.RichTextElement) {
	switch e := el.(type) {
	case *slack.RichTextSection:
		writeInline(b, e.Elements)
	case *slack.RichTextPreformatted:
		b.WriteString("```")
		writeInline(b, e.Elements)
		b.WriteString("```")
	case *slack.RichTextQuote:
		b.WriteString("> ")
		writeInline(b, e.Elements)
	case *slack.RichTextList:
		for i, item := range e.Elements {
			if e.Style == slack.RTEListOrdered {
				fmt.Fprintf(b, "%d. ", e.Offset+i+1)
			} else {
				b.WriteString("• ")
			}
			writeRich(b, item)
			b.WriteByte('\n')
		}
	}
}

func writeInline(b *strings.Builder, els []slack.RichTextSectionElement) {
	for _, el := range els {
		switch e := el.(type) {
		case *slack.RichTextSectionTextElement:
			b.WriteString(e.Text)
		case *slack.RichTextSectionLinkElement:
			if e.Text != "" {
				b.WriteString(e.Text)
			} else {
				b.WriteString(e.URL)
			}
		case *slack.RichTextSectionUserElement:
			// Kept as markup: the bot's mention is stripped, the
			// reader drops the others.
			b.WriteString("<@" + e.UserID + ">")
		case *slack.RichTextSectionChannelElement:
			b.WriteString("<#" + e.ChannelID + ">")
		case *slack.RichTextSectionEmojiElement:
			b.WriteString(":" + e.Name + ":")
		case *slack.RichTextSectionBroadcastElement:
			b.WriteString("@" + e.Range)
		}
	}
}

// policyWords are words that show a text was meant as a policy even when
// it cannot be read: in a watched channel such a text gets an answer, while
// other chatter is left alone.
var policyWords = regexp.MustCompile(`"?\b(Statement|Effect|NotAction|NotResource|Principal)"?\s*:|\bstatement\s*\{|aws_iam_\w*policy|AWS::IAM::`)

// looksLikePolicy reports whether text seems to hold a policy, even a
// broken one.
func looksLikePolicy(text string) bool {
	return policyWords.MatchString(text)
}

// fileTypes are the Slack filetypes the bot reads in a file with no
// extension; the extensions are policy.Extensions.
var fileTypes = map[string]bool{"json": true, "yaml": true, "text": true, "terraform": true, "hcl": true, "javascript": true}

// supportedFile reports whether f is a file the bot reads: by its
// extension, or a Slack snippet (any language), or a text filetype.
func supportedFile(f slack.File) bool {
	if f.Mode == "snippet" {
		return true
	}
	if path.Ext(f.Name) != "" {
		_, ok := policy.KindOf(f.Name)
		return ok
	}
	return fileTypes[strings.ToLower(f.Filetype)]
}

// fileProblem is why a file cannot be reviewed, in words for the user.
type fileProblem struct {
	Title, Detail string
}

// tooLarge is the problem of a file over the reader's limit.
func tooLarge(name string, size int) *fileProblem {
	detail := fmt.Sprintf("%s is larger than the %d KB limit for a policy.", name, policy.MaxInputBytes/1024)
	if size > 0 {
		detail = fmt.Sprintf("%s is %s; the limit for a policy is %d KB.", name, humanSize(size), policy.MaxInputBytes/1024)
	}
	return &fileProblem{
		Title:  "The file is too large",
		Detail: detail + " Split it, or paste only the policy you want reviewed.",
	}
}

func humanSize(n int) string {
	if n < 1024 {
		return fmt.Sprintf("%d bytes", n)
	}
	return fmt.Sprintf("%d KB", (n+1023)/1024)
}

// checkText refuses content that is not text: NUL bytes or invalid UTF-8.
func checkText(name string, data []byte) *fileProblem {
	if bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data) {
		return &fileProblem{
			Title:  "The file is not text",
			Detail: name + " looks like a binary file. Attach the policy as a " + policy.ExtensionList("or") + " text file, or paste it in a ```code block```.",
		}
	}
	return nil
}

// unsupported is the problem of a file of another kind.
func unsupported(f slack.File) *fileProblem {
	kind := f.PrettyType
	if kind == "" {
		kind = f.Filetype
	}
	detail := f.Name + " is not a kind of file I read"
	if kind != "" {
		detail += " (" + kind + ")"
	}
	return &fileProblem{
		Title:  "I cannot read this file",
		Detail: detail + ". I read " + policy.ExtensionList("and") + " files and Slack snippets.",
	}
}

// limitWriter collects up to n bytes and fails beyond.
type limitWriter struct {
	buf bytes.Buffer
	n   int
}

var errFileTooLarge = fmt.Errorf("file larger than %d bytes", policy.MaxInputBytes)

func (w *limitWriter) Write(p []byte) (int, error) {
	if w.buf.Len()+len(p) > w.n {
		return 0, errFileTooLarge
	}
	return w.buf.Write(p)
}
