package slackbot

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/policycheck/policycheck/assistant/lang"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/bot/card"
	"github.com/policycheck/policycheck/bot/store"
)

// Command is the slash command the bot serves.
const Command = "/policycheck"

// The review dialog.
const (
	dialogCallback   = "policycheck_review"
	dialogTextBlock  = "policy"
	dialogTextAction = "policy_text"
	dialogFileBlock  = "files"
	dialogFileAction = "policy_files"
	dialogMaxText    = 3000 // Slack's limit for a plain_text_input
	dialogMaxFiles   = 5
)

// commandResponse is a slash command's immediate answer, sent in its ack.
type commandResponse struct {
	ResponseType string        `json:"response_type"`
	Text         string        `json:"text"`
	Blocks       []slack.Block `json:"blocks,omitempty"`
}

func ephemeralAck(m card.Message) commandResponse {
	return commandResponse{ResponseType: ephemeral, Text: m.Text, Blocks: m.Blocks}
}

// routeCommand decides what to do with /policycheck. Help and refusals are
// answered in the ack; a dialog is opened at once, outside the queue,
// since its trigger expires in 3 s; reviews and history are queued.
func (b *Bot) routeCommand(received time.Time, cmd slack.SlashCommand) decision {
	text := strings.TrimSpace(cmd.Text)
	word := strings.ToLower(text)
	lg := b.lang(b.workCtx, cmd.UserID)
	d := decision{kind: store.KindCommand, busyAck: ephemeralAck(card.Failure(lg, busyTitle, busyDetail))}
	fail := func(ctx context.Context, err error) {
		b.respond(ctx, cmd.ResponseURL, ephemeral, false, b.failure(lg, err))
	}
	switch {
	case cmd.Command != Command:
		d.ack = ephemeralAck(card.Failure(lg, lg.Sprintf("Unknown command"), lg.Sprintf("I only answer %s.", Command)))
	case word == "help" || word == "?":
		d.ack = ephemeralAck(card.Help(lg))
	case word == "":
		if !b.sideFree() {
			d.ack = d.busyAck
			break
		}
		d.side = func(ctx context.Context) { b.openDialog(ctx, cmd) }
	case word == generateWord || strings.HasPrefix(word, generateWord+" ") || strings.HasPrefix(word, generateWord+"\n"):
		return b.routeGenerate(received, cmd, strings.TrimSpace(text[len(generateWord):]))
	case word == "history":
		d.kind = "history"
		d.job = func(ctx context.Context) { b.history(ctx, cmd) }
		d.fail = fail
	case !strings.ContainsAny(text, "{}[]:=\n\t "):
		// A single word that is neither a subcommand nor a policy.
		help := card.Help(lg)
		help.Blocks = append(card.Failure(lg, lg.Sprintf("I do not know “%s”", text), lg.Sprintf("Here is what I can do.")).Blocks, help.Blocks...)
		d.ack = ephemeralAck(help)
	default:
		// The requester alone sees that the review is under way; the
		// result is posted as a message of its own.
		d.ack = ephemeralAck(card.Progress(lg))
		d.job = func(ctx context.Context) {
			if !b.claim(ctx, "cmd:"+cmd.TriggerID, store.KindCommand) {
				return
			}
			b.answer(ctx, request{
				kind: store.KindCommand, team: cmd.TeamID, user: cmd.UserID, channel: cmd.ChannelID,
				responseURL: cmd.ResponseURL, text: cmd.Text, received: received,
			})
		}
		d.fail = fail
	}
	return d
}

// sideFree reports whether a side task can start now.
func (b *Bot) sideFree() bool { return len(b.side) < cap(b.side) }

// dialogMeta is the private_metadata of the review dialog: where the
// command came from.
type dialogMeta struct {
	Channel     string `json:"c"`
	ResponseURL string `json:"r,omitempty"`
}

// openDialog opens the review dialog for an empty /policycheck.
func (b *Bot) openDialog(ctx context.Context, cmd slack.SlashCommand) {
	lg := b.lang(ctx, cmd.UserID)
	meta, _ := json.Marshal(dialogMeta{Channel: cmd.ChannelID, ResponseURL: cmd.ResponseURL})
	_, err := b.api.OpenViewContext(ctx, cmd.TriggerID, reviewDialog(lg, string(meta)))
	if err == nil {
		return
	}
	err = b.apiError("views.open", err)
	b.log.Warn("cannot open the review dialog", "err", err)
	detail := lg.Sprintf("Run %s again, or put the policy right after the command.", Command)
	if errorCode(err) == "expired_trigger_id" {
		detail = lg.Sprintf("Slack took too long to let me open it.") + " " + detail
	}
	b.respond(ctx, cmd.ResponseURL, ephemeral, false, card.Failure(lg, lg.Sprintf("The dialog could not be opened"), detail))
}

// reviewDialog is the modal where a policy is pasted or attached.
func reviewDialog(lg lang.Tag, privateMetadata string) slack.ModalViewRequest {
	plain := func(s string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
	}

	text := slack.NewPlainTextInputBlockElement(plain("{ \"Version\": \"2012-10-17\", \"Statement\": [ … ] }"), dialogTextAction)
	text.Multiline = true
	text.MaxLength = dialogMaxText
	textBlock := slack.NewInputBlock(dialogTextBlock, plain(lg.Sprintf("Policy")), plain(lg.Sprintf("JSON, YAML, CloudFormation or Terraform. Longer than 3,000 characters? Attach it as a file below.")), text)
	textBlock.Optional = true

	files := slack.NewFileInputBlockElement(dialogFileAction).WithFileTypes(fileInputTypes()...).WithMaxFiles(dialogMaxFiles)
	fileBlock := slack.NewInputBlock(dialogFileBlock, plain(lg.Sprintf("Or attach policy files")), plain(lg.Sprintf("%s, up to 100 KB each.", policy.ExtensionList(lg.Sprintf("or")))), files)
	fileBlock.Optional = true

	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      dialogCallback,
		Title:           plain(lg.Sprintf("Review a policy")),
		Submit:          plain(lg.Sprintf("Review")),
		Close:           plain(lg.Sprintf("Cancel")),
		PrivateMetadata: privateMetadata,
		Blocks:          slack.Blocks{BlockSet: []slack.Block{textBlock, fileBlock}},
	}
}

// history shows the caller their recent reviews, to them only: what was
// reviewed, the score then and now, when, and a link to each card.
func (b *Bot) history(ctx context.Context, cmd slack.SlashCommand) {
	var msg card.Message
	lg := b.lang(ctx, cmd.UserID)
	revs, err := b.st.History(ctx, cmd.TeamID, cmd.UserID, historyLength)
	if err != nil {
		b.log.Error("cannot read history", "err", err)
		msg = card.Failure(lg, lg.Sprintf("Your history is not available"), lg.Sprintf("I could not read it just now. Try again in a minute."))
	} else {
		rows := make([]card.HistoryRow, len(revs))
		for i, r := range revs {
			file := reportFile(r.ReportJSON)
			rows[i] = card.HistoryRow{Score: r.Score, FirstScore: r.FirstScore, At: r.CreatedAt, ChannelID: r.ChannelID, File: file,
				Permalink: b.permalink(ctx, r.ChannelID, r.CardTS)}
			rows[i].Principal, rows[i].Sid = subject(file, r.PolicyText)
		}
		msg = card.History(lg, rows)
	}
	if err := b.respond(ctx, cmd.ResponseURL, ephemeral, false, msg); err != nil {
		if err := b.ephemeral(ctx, cmd.ChannelID, "", cmd.UserID, msg); err != nil {
			b.log.Warn("cannot show history", "err", err)
		}
	}
}

// fileInputTypes are the extensions the bot reads, without their dot, as
// a file input of a form lists them.
func fileInputTypes() []string {
	var out []string
	for _, ext := range policy.Extensions() {
		out = append(out, strings.TrimPrefix(ext, "."))
	}
	return out
}
