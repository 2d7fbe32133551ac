package slackbot

import "time"

// What the requester is told when Slack failed every attempt to post the
// answer until the post deadline (Options.PostDeadline).
const (
	notPostedTitle  = "The review could not be posted"
	notPostedDetail = "Slack kept failing while I posted the answer. Send your request again in a few minutes."
	// notPostedTimeout bounds the attempts to post this notice.
	notPostedTimeout = 30 * time.Second
)
