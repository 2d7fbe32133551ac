package slackbot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/policycheck/policycheck/bot/card"
)

// Slack error codes the bot acts on.
const (
	errNotInChannel    = "not_in_channel"
	errChannelNotFound = "channel_not_found"
)

// errorCode names what went wrong in a Slack call, for decisions, logs and
// metrics: Slack's error code ("not_in_channel"), "ratelimited",
// "http_503", "timeout", "unreachable" or "error".
func errorCode(err error) string {
	var se slack.SlackErrorResponse
	var rl *slack.RateLimitedError
	var sc slack.StatusCodeError
	var ne net.Error
	switch {
	case err == nil:
		return ""
	case errors.Is(err, errMessageGone):
		return "message_not_found"
	case errors.As(err, &se):
		return se.Err
	case errors.As(err, &rl):
		return "ratelimited"
	case errors.As(err, &sc):
		return "http_" + strconv.Itoa(sc.Code)
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.As(err, &ne):
		return "unreachable"
	}
	return "error"
}

// cannotPost reports whether err means the bot cannot post in the
// conversation: not a member, or a conversation it cannot see (a DM
// between other people).
func cannotPost(err error) bool {
	switch errorCode(err) {
	case errNotInChannel, errChannelNotFound:
		return true
	}
	return false
}

// apiError records a failed Slack call and returns err.
func (b *Bot) apiError(method string, err error) error {
	if err == nil {
		return nil
	}
	code := errorCode(err)
	b.metrics.apiErrors.Inc(method, code)
	return fmt.Errorf("%s: %w", method, err)
}

func msgOptions(m card.Message) []slack.MsgOption {
	return []slack.MsgOption{slack.MsgOptionText(m.Text, false), slack.MsgOptionBlocks(m.Blocks...)}
}

// post posts m in channel (in thread, unless empty) and returns its ts.
// Within a request, each message is posted once however often the request
// is run (see nextPostKey); Slack's failures are retried until the post
// deadline.
func (b *Bot) post(ctx context.Context, channel, thread string, m card.Message) (string, error) {
	key, ts, done, err := b.posted(ctx)
	if done || err != nil {
		return ts, err
	}
	if r := runOf(ctx); r != nil && r.again {
		// An earlier run may have posted it and died before recording
		// its ts.
		if ts := b.findPost(ctx, channel, thread, key); ts != "" {
			b.recordPost(ctx, key, ts)
			return ts, nil
		}
	}
	msg := chatMessage{Channel: channel, ThreadTS: thread, Text: m.Text, Blocks: m.Blocks}
	if key != "" {
		msg.Metadata = &slack.SlackMetadata{EventType: postEventType, EventPayload: map[string]any{"key": key}}
	}
	ctx, cancel := context.WithTimeout(ctx, b.opts.PostDeadline)
	defer cancel()
	ts, err = b.chat(ctx, "chat.postMessage", msg)
	if err == nil {
		b.recordPost(ctx, key, ts)
	}
	return ts, err
}

// posted numbers the next message of the request in ctx and finds it if
// it was posted by an earlier run: done is true then, with its ts. A store
// that cannot be read makes the request run again later (err).
func (b *Bot) posted(ctx context.Context) (key, ts string, done bool, err error) {
	key = nextPostKey(ctx)
	if key == "" {
		return "", "", false, nil
	}
	ts, done, err = b.st.Posted(ctx, key)
	b.storeState.set(err)
	if err != nil {
		runOf(ctx).retry.Store(true)
		return "", "", false, fmt.Errorf("find an earlier post: %w", err)
	}
	if done {
		b.log.Debug("message posted by an earlier run; not posted again", "key", key)
	}
	return key, ts, done, nil
}

// findPost looks in Slack for the bot's message posted for key, in thread
// or at the top of channel, and returns its ts, or "" when there is none
// or Slack cannot tell.
func (b *Bot) findPost(ctx context.Context, channel, thread, key string) string {
	var msgs []slack.Message
	var err error
	if thread != "" {
		msgs, _, _, err = b.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
			ChannelID: channel, Timestamp: thread, Limit: 200, IncludeAllMetadata: true})
	} else {
		var hist *slack.GetConversationHistoryResponse
		hist, err = b.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
			ChannelID: channel, Limit: 100, IncludeAllMetadata: true})
		if hist != nil {
			msgs = hist.Messages
		}
	}
	if err != nil {
		b.log.Debug("cannot look for an earlier post", "channel", channel, "err", b.apiError("conversations.replies", err))
		return ""
	}
	for _, m := range msgs {
		if m.BotID == b.self.BotID && m.Metadata.EventType == postEventType && m.Metadata.EventPayload["key"] == key {
			b.log.Info("found a message posted by an earlier run", "key", key)
			return m.Timestamp
		}
	}
	return ""
}

// recordPost records the ts of a message posted for key.
func (b *Bot) recordPost(ctx context.Context, key, ts string) {
	if key == "" {
		return
	}
	err := b.st.RecordPost(context.WithoutCancel(ctx), key, ts)
	b.storeState.set(err)
	if err != nil {
		b.log.Error("cannot record a posted message", "key", key, "err", err)
	}
}

// update replaces the message ts in channel with m, retrying Slack's
// failures until the post deadline.
func (b *Bot) update(ctx context.Context, channel, ts string, m card.Message) error {
	ctx, cancel := context.WithTimeout(ctx, b.opts.PostDeadline)
	defer cancel()
	_, err := b.chat(ctx, "chat.update", chatMessage{Channel: channel, TS: ts, Text: m.Text, Blocks: m.Blocks})
	return err
}

// chatMessage is the body of chat.postMessage and chat.update, sent as
// JSON, as Slack recommends for messages with blocks.
type chatMessage struct {
	Channel  string        `json:"channel"`
	TS       string        `json:"ts,omitempty"`        // chat.update
	ThreadTS string        `json:"thread_ts,omitempty"` // chat.postMessage
	Text     string        `json:"text"`
	Blocks   []slack.Block `json:"blocks"`
	// Metadata carries the post's key (see post), so that a request run
	// again finds the message in Slack when its ts was not recorded.
	Metadata *slack.SlackMetadata `json:"metadata,omitempty"`
}

// postEventType is the event_type of the metadata of the bot's posts.
const postEventType = "policycheck_post"

// chat calls chat.postMessage or chat.update and returns the message's ts.
//
// These two calls are made for every review, and Slack's answer repeats
// the whole message: slack-go decodes its blocks into types, which costs
// more than rendering the card. Here only ok, error and ts are read.
//
// Failures of Slack's (see transient) are retried until ctx ends: after
// Retry-After for a 429, after a growing backoff otherwise.
func (b *Bot) chat(ctx context.Context, method string, m chatMessage) (string, error) {
	body, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("%s: encode message: %w", method, err)
	}
	var ts string
	err = b.retrying(ctx, method, func() (time.Duration, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.opts.APIURL+method, bytes.NewReader(body))
		if err != nil {
			return 0, fmt.Errorf("%s: %w", method, err)
		}
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		req.Header.Set("Authorization", "Bearer "+b.opts.BotToken)
		resp, err := b.http.Do(req)
		if err != nil {
			return 0, b.apiError(method, err)
		}
		if resp.StatusCode == http.StatusTooManyRequests {
			resp.Body.Close()
			b.metrics.rateLimited.Inc(method)
			return retryAfter(resp), b.apiError(method, &slack.RateLimitedError{RetryAfter: retryAfter(resp)})
		}
		ts, err = b.chatAnswer(method, resp)
		return 0, err
	})
	return ts, err
}

// retrying calls f until it succeeds, fails for good, or ctx ends. f
// returns how long Slack asked to wait (Retry-After), or 0.
func (b *Bot) retrying(ctx context.Context, method string, f func() (time.Duration, error)) error {
	backoff := 250 * time.Millisecond
	for {
		after, err := f()
		if err == nil || !transient(err) || ctx.Err() != nil {
			return err
		}
		wait := max(after, backoff)
		backoff = min(2*backoff, 8*time.Second)
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return err // a Retry-After beyond the deadline: give up now
		}
		b.metrics.postRetries.Inc(method)
		b.log.Debug("slack failed: retrying", "method", method, "after", wait, "err", errorCode(err))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

// transient reports whether a Slack call failed for a reason of Slack's
// that may pass: a 5xx, a rate limit, Slack's own internal errors, or the
// connection.
func transient(err error) bool {
	code := errorCode(err)
	switch code {
	case "ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout", "unreachable", "error":
		return true
	}
	return strings.HasPrefix(code, "http_5")
}

// retryAfter reads the Retry-After of a 429: whole seconds, 1 s when
// absent or unreadable.
func retryAfter(resp *http.Response) time.Duration {
	secs, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After")))
	if err != nil || secs < 0 {
		return time.Second
	}
	return time.Duration(secs) * time.Second
}

// maxAnswer bounds the answer of a chat method that is read.
const maxAnswer = 1 << 20

// chatAnswer reads the answer of a chat method.
func (b *Bot) chatAnswer(method string, resp *http.Response) (string, error) {
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return "", b.apiError(method, slack.StatusCodeError{Code: resp.StatusCode, Status: resp.Status})
	}
	buf := answerBuffers.Get().(*bytes.Buffer)
	defer answerBuffers.Put(buf)
	buf.Reset()
	if _, err := buf.ReadFrom(io.LimitReader(resp.Body, maxAnswer)); err != nil {
		return "", b.apiError(method, fmt.Errorf("read answer: %w", err))
	}
	r, err := readAnswer(buf.Bytes())
	if err != nil {
		return "", b.apiError(method, fmt.Errorf("decode answer: %w", err))
	}
	if !r.OK {
		return "", b.apiError(method, slack.SlackErrorResponse{Err: r.Error})
	}
	return r.TS, nil
}

// answerBuffers hold the answers of chat methods while they are read.
var answerBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// ephemeral shows m to user only, in channel.
func (b *Bot) ephemeral(ctx context.Context, channel, thread, user string, m card.Message) error {
	opts := msgOptions(m)
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	_, err := b.api.PostEphemeralContext(ctx, channel, user, opts...)
	return b.apiError("chat.postEphemeral", err)
}

// Response types of a response_url post.
const (
	inChannel = "in_channel"
	ephemeral = "ephemeral"
)

// respond posts m to a response_url: a slash command's or an action's.
// replace replaces the message the action came from. Like post, it posts
// once per request and retries Slack's failures until the post deadline.
func (b *Bot) respond(ctx context.Context, url, responseType string, replace bool, m card.Message) error {
	if url == "" {
		return errors.New("response_url: none")
	}
	key, _, done, err := b.posted(ctx)
	if done || err != nil {
		return err
	}
	body := struct {
		ResponseType    string        `json:"response_type,omitempty"`
		Text            string        `json:"text"`
		Blocks          []slack.Block `json:"blocks,omitempty"`
		ReplaceOriginal bool          `json:"replace_original"`
	}{responseType, m.Text, m.Blocks, replace}
	data, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("response_url: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, b.opts.PostDeadline)
	defer cancel()
	err = b.retrying(ctx, "response_url", func() (time.Duration, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(data))
		if err != nil {
			return 0, fmt.Errorf("response_url: %w", err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := b.http.Do(req)
		if err != nil {
			return 0, b.apiError("response_url", err)
		}
		defer resp.Body.Close()
		reply, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		// Slack answers "ok", or JSON with ok and error.
		var r struct {
			OK    *bool  `json:"ok"`
			Error string `json:"error"`
		}
		json.Unmarshal(reply, &r)
		switch {
		case resp.StatusCode == http.StatusTooManyRequests:
			b.metrics.rateLimited.Inc("response_url")
			return retryAfter(resp), b.apiError("response_url", &slack.RateLimitedError{RetryAfter: retryAfter(resp)})
		case r.Error != "" || (r.OK != nil && !*r.OK):
			return 0, b.apiError("response_url", slack.SlackErrorResponse{Err: r.Error})
		case resp.StatusCode != http.StatusOK:
			return 0, b.apiError("response_url", slack.StatusCodeError{Code: resp.StatusCode, Status: resp.Status})
		}
		return 0, nil
	})
	if err == nil {
		b.recordPost(ctx, key, "-")
	}
	return err
}

// upload shares a snippet as a file in a thread.
func (b *Bot) upload(ctx context.Context, channel, thread string, s *card.Snippet) error {
	_, err := b.api.UploadFileContext(ctx, slack.UploadFileParameters{
		Channel:         channel,
		ThreadTimestamp: thread,
		Filename:        s.Filename,
		Title:           s.Title,
		Content:         s.Content,
		FileSize:        len(s.Content),
	})
	return b.apiError("files.upload", err)
}

// maxRetryAfter is the longest Retry-After the bot waits for before a Web
// API call is given up; maxRetries bounds the attempts after the first.
const (
	maxRetryAfter = 30 * time.Second
	maxRetries    = 3
)

// rateLimitRetry retries Web API calls answered with HTTP 429 after the
// Retry-After delay Slack asks for, when it is not too long, and counts
// them.
type rateLimitRetry struct {
	b *Bot
}

func (h rateLimitRetry) ShouldRetry(state *slack.RetryState, req *http.Request, resp *http.Response, err error) (bool, time.Duration) {
	if resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		return false, 0
	}
	method := strings.TrimPrefix(req.URL.Path[strings.LastIndexByte(req.URL.Path, '/')+1:], "/")
	h.b.metrics.rateLimited.Inc(method)
	if state.Attempt >= state.MaxRetries || (req.Body != nil && req.GetBody == nil) {
		return false, 0
	}
	wait := time.Second // Slack always sends Retry-After; this covers a proxy that drops it
	if s := resp.Header.Get("Retry-After"); s != "" {
		secs, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || secs < 0 {
			return false, 0
		}
		wait = time.Duration(secs) * time.Second
	}
	if wait > maxRetryAfter {
		return false, 0
	}
	h.b.log.Debug("slack rate limit: retrying", "method", method, "after", wait, "attempt", state.Attempt+1)
	return true, wait
}

// progressEmoji marks a message the bot is working on. The result is a
// message of its own, which notifies; a message that says "Reviewing…" and
// later changes meaning would not.
const progressEmoji = "eyes"

// react adds progressEmoji to message ts while the bot works on it, and
// returns what removes it. A reaction that cannot be added (the scope is
// missing in an older install, the message is gone) is logged and the work
// goes on.
func (b *Bot) react(ctx context.Context, channel, ts string) (done func()) {
	if channel == "" || ts == "" {
		return func() {}
	}
	item := slack.NewRefToMessage(channel, ts)
	if err := b.api.AddReactionContext(ctx, progressEmoji, item); err != nil && errorCode(err) != "already_reacted" {
		b.log.Warn("cannot show progress with a reaction", "channel", channel, "err", b.apiError("reactions.add", err))
		return func() {}
	}
	return func() {
		// The work's context may be over: the reaction still goes.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sideTimeout)
		defer cancel()
		if err := b.api.RemoveReactionContext(ctx, progressEmoji, item); err != nil && errorCode(err) != "no_reaction" {
			b.log.Warn("cannot remove the progress reaction", "channel", channel, "err", b.apiError("reactions.remove", err))
		}
	}
}

// permalink is the link to message ts in channel, or "" when Slack gives
// none.
func (b *Bot) permalink(ctx context.Context, channel, ts string) string {
	if channel == "" || ts == "" {
		return ""
	}
	link, err := b.api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: channel, Ts: ts})
	if err != nil {
		b.log.Debug("no permalink for a card", "channel", channel, "err", b.apiError("chat.getPermalink", err))
		return ""
	}
	return link
}
