package slackbot

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/policycheck/policycheck/assistant/lang"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/review"
	"github.com/policycheck/policycheck/bot/card"
	"github.com/policycheck/policycheck/bot/store"
)

// Generator writes a policy from a description (review.Reviewer); the bot
// serves /policycheck generate with it.
type Generator interface {
	Generate(ctx context.Context, req review.GenerateRequest) (*review.Generated, error)
}

// The generate subcommand and its dialog.
const (
	generateWord     = "generate"
	generateCallback = "policycheck_generate"
	generateBlock    = "description"
	generateAction   = "description_text"
	// kindGenerate is the kind of a stored review of a generated policy.
	kindGenerate = "generate"
)

// generation is a policy to write and where to show it.
type generation struct {
	team, user, channel, responseURL string
	description                      string
	received                         time.Time
}

// generate writes a policy from a description and shows it as a card in
// the channel, in place of a progress message. The policy is stored as a
// review, so that its card can be re-evaluated and questions asked in its
// thread.
func (b *Bot) generate(ctx context.Context, g generation) {
	defer func() {
		if !g.received.IsZero() {
			b.metrics.latency.Observe(time.Since(g.received).Seconds())
		}
	}()
	lg := b.lang(ctx, g.user)
	ctx = lang.NewContext(ctx, lg)
	progressTS, viaURL := "", false
	ts, err := b.post(ctx, g.channel, "", card.GenerateProgress(lg, g.user))
	switch {
	case err == nil:
		progressTS = ts
	case cannotPost(err) && g.responseURL != "":
		viaURL = true
	default:
		b.log.Warn("cannot post progress", "channel", g.channel, "err", err)
	}

	msg, saved := b.write(ctx, g, progressTS)
	var cardTS string
	switch {
	case viaURL:
		err = b.respond(ctx, g.responseURL, inChannel, false, msg)
	case progressTS != "":
		cardTS, err = progressTS, b.update(ctx, g.channel, progressTS, msg)
	default:
		cardTS, err = b.post(ctx, g.channel, "", msg)
	}
	if err != nil {
		b.log.Error("cannot show a generated policy", "channel", g.channel, "err", err)
		return
	}
	if saved != nil && cardTS != "" && cardTS != progressTS {
		if err := b.st.SetCard(ctx, saved.ID, g.channel, cardTS); err != nil {
			b.log.Error("cannot record the card of a review", "review", saved.ID, "err", err)
		}
	}
	if msg.Snippet != nil && cardTS != "" {
		if err := b.upload(ctx, g.channel, cardTS, msg.Snippet); err != nil {
			b.log.Error("cannot upload the generated policy", "channel", g.channel, "err", err)
		}
	}
}

// write generates the policy and stores it; it returns the card to show
// and the stored review (nil when there is none).
func (b *Bot) write(ctx context.Context, g generation, cardTS string) (card.Message, *store.Review) {
	lg := lang.FromContext(ctx)
	if b.gen == nil {
		b.metrics.generations.Inc(outcomeFailed)
		return card.Failure(lg, lg.Sprintf("Writing policies is not available here"), lg.Sprintf("This bot cannot write policies.")), nil
	}
	gen, err := b.gen.Generate(ctx, review.GenerateRequest{Description: g.description})
	if gen != nil {
		b.metrics.countUsage(gen.Usage)
	}
	switch {
	case errors.Is(err, review.ErrNoModel):
		b.metrics.generations.Inc(outcomeInvalid)
		return card.Failure(lg, lg.Sprintf("A policy from a description needs the model"),
			lg.Sprintf("This bot has no Bedrock model configured (`BEDROCK_MODEL_ID`). Write the spec yourself (policy_sentry's CRUD template) and run `policycheck generate --from SPEC.yaml`.")), nil
	case err != nil:
		b.metrics.generations.Inc(outcomeFailed)
		b.log.Warn("generation failed", "err", err)
		return card.Failure(lg, lg.Sprintf("No policy was written"), err.Error()), nil
	}
	b.metrics.generations.Inc(outcomeOK)
	view := card.GeneratedView{
		Description: g.description, Policy: gen.Policy, Score: gen.Score, Summary: gen.Summary, Findings: gen.Findings,
		Assumptions: gen.Assumptions, Notes: gen.Notes, Source: gen.Source, Verdicts: gen.Verdicts, Analyzers: gen.Analyzers,
		Spec: string(gen.Spec.YAML()), RequesterID: g.user, Lang: lg,
	}
	name := gen.Spec.Name
	if name == "" {
		name = "generated policy"
	}
	rep, err := b.rv.Review(ctx, review.Input{Name: name, Data: gen.Policy, Type: policy.Identity, Offline: true})
	if err != nil {
		b.log.Error("cannot review a generated policy", "err", err)
		return card.Generated(view), nil
	}
	// The card starts a thread where questions are about the policy.
	rv := &store.Review{
		TeamID: g.team, ChannelID: g.channel, ThreadTS: cardTS, CardTS: cardTS, UserID: g.user, Kind: kindGenerate,
		PolicyText: string(gen.Policy), Score: rep.Score, ResponseURL: g.responseURL,
	}
	rv.ReportJSON, err = json.Marshal(rep)
	if err == nil {
		err = b.st.Create(ctx, rv)
	}
	if err != nil {
		b.log.Error("cannot save a generated policy", "err", err)
		return card.Generated(view), nil
	}
	view.ReviewID = rv.ID
	return card.Generated(view), rv
}

// routeGenerate decides what to do with /policycheck generate: the
// dialog when nothing follows, the policy otherwise.
func (b *Bot) routeGenerate(received time.Time, cmd slack.SlashCommand, description string) decision {
	lg := b.lang(b.workCtx, cmd.UserID)
	d := decision{kind: kindGenerate, busyAck: ephemeralAck(card.Failure(lg, busyTitle, busyDetail))}
	if description == "" {
		if !b.sideFree() {
			d.ack = d.busyAck
			return d
		}
		d.side = func(ctx context.Context) { b.openGenerateDialog(ctx, cmd) }
		return d
	}
	d.job = func(ctx context.Context) {
		if !b.claim(ctx, "gen:"+cmd.TriggerID, kindGenerate) {
			return
		}
		b.generate(ctx, generation{team: cmd.TeamID, user: cmd.UserID, channel: cmd.ChannelID, responseURL: cmd.ResponseURL,
			description: chatText(description), received: received})
	}
	d.fail = func(ctx context.Context, err error) {
		b.respond(ctx, cmd.ResponseURL, ephemeral, false, b.failure(lg, err))
	}
	return d
}

// openGenerateDialog opens the dialog where a policy is described.
func (b *Bot) openGenerateDialog(ctx context.Context, cmd slack.SlashCommand) {
	lg := b.lang(ctx, cmd.UserID)
	meta, _ := json.Marshal(dialogMeta{Channel: cmd.ChannelID, ResponseURL: cmd.ResponseURL})
	if _, err := b.api.OpenViewContext(ctx, cmd.TriggerID, generateDialog(lg, string(meta))); err != nil {
		err = b.apiError("views.open", err)
		b.log.Warn("cannot open the generate dialog", "err", err)
		b.respond(ctx, cmd.ResponseURL, ephemeral, false, card.Failure(lg, lg.Sprintf("The dialog could not be opened"),
			lg.Sprintf("Run %s generate again, or put the description right after it.", Command)))
	}
}

// generateDialog is the modal where a policy is described.
func generateDialog(lg lang.Tag, privateMetadata string) slack.ModalViewRequest {
	plain := func(s string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
	}
	text := slack.NewPlainTextInputBlockElement(plain(lg.Sprintf("A Lambda function that reads s3://acme-reports and writes the orders DynamoDB table")), generateAction)
	text.Multiline = true
	text.MaxLength = dialogMaxText
	input := slack.NewInputBlock(generateBlock, plain(lg.Sprintf("What does the workload need?")),
		plain(lg.Sprintf("Name the services and resources (bucket, table, queue names, ARNs) and what it does with them. The model states the intent; the engine writes and checks the policy.")), text)
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      generateCallback,
		Title:           plain(lg.Sprintf("Write a policy")),
		Submit:          plain(lg.Sprintf("Write")),
		Close:           plain(lg.Sprintf("Cancel")),
		PrivateMetadata: privateMetadata,
		Blocks:          slack.Blocks{BlockSet: []slack.Block{input}},
	}
}

// routeGenerateSubmission handles the generate dialog.
func (b *Bot) routeGenerateSubmission(received time.Time, cb slack.InteractionCallback) decision {
	var meta dialogMeta
	lg := b.lang(b.workCtx, cb.User.ID)
	if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta); err != nil || meta.Channel == "" {
		return decision{ack: inputError(generateBlock, lg.Sprintf("This dialog is out of date. Close it and run %s generate again.", Command))}
	}
	text := strings.TrimSpace(cb.View.State.Values[generateBlock][generateAction].Value)
	if text == "" {
		return decision{ack: inputError(generateBlock, lg.Sprintf("Describe what the workload needs."))}
	}
	return decision{
		kind:    kindGenerate,
		busyAck: inputError(generateBlock, lg.Sprintf("I am busy with other requests. Submit again in a minute.")),
		job: func(ctx context.Context) {
			if !b.claim(ctx, "view:"+cb.View.ID+":"+cb.TriggerID, kindGenerate) {
				return
			}
			b.generate(ctx, generation{team: cb.Team.ID, user: cb.User.ID, channel: meta.Channel, responseURL: meta.ResponseURL,
				description: text, received: received})
		},
		fail: func(ctx context.Context, cause error) {
			m := b.failure(lg, cause)
			if _, err := b.post(ctx, meta.Channel, "", m); err != nil && meta.ResponseURL != "" {
				b.respond(ctx, meta.ResponseURL, ephemeral, false, m)
			}
		},
	}
}

// slackLink matches Slack's link markup: <url|label>, <url>, <@U1|name>.
var slackLink = regexp.MustCompile(`<([^<>|]*)(?:\|([^<>]*))?>`)

// chatText undoes Slack's markup in a command's text: links become their
// label (or their target), and &amp; &lt; &gt; their characters.
func chatText(s string) string {
	s = slackLink.ReplaceAllStringFunc(s, func(m string) string {
		sub := slackLink.FindStringSubmatch(m)
		if sub[2] != "" {
			return sub[2]
		}
		return sub[1]
	})
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}
