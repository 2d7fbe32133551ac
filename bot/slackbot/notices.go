package slackbot

import (
	"time"

	"github.com/policycheck/policycheck/assistant/lang"
	"github.com/policycheck/policycheck/bot/card"
)

// notPostedTimeout bounds the attempts to post the notice that Slack
// failed every attempt to post an answer.
const notPostedTimeout = 30 * time.Second

// notPosted is what the requester is told when Slack failed every attempt
// to post the answer until the post deadline (Options.PostDeadline).
func notPostedNotice(lg lang.Tag) card.Message {
	return card.Failure(lg, lg.Sprintf("The review could not be posted"),
		lg.Sprintf("Slack kept failing while I posted the answer. Send your request again in a few minutes."))
}

// tooManyFiles is what the requester is told when a message has more files
// than the bot reviews (maxFiles).
func tooManyFilesNotice(lg lang.Tag, reviewed, skipped int) card.Message {
	return card.Failure(lg, lg.Sprintf("Some files were not reviewed"),
		lg.Plural(skipped, "I review the first %d files of a message; %d more were left out. Send them in another message.", reviewed, skipped))
}
