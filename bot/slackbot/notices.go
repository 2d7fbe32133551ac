package slackbot

import (
	"fmt"
	"time"
)

// What the requester is told when Slack failed every attempt to post the
// answer until the post deadline (Options.PostDeadline).
const (
	notPostedTitle  = "The review could not be posted"
	notPostedDetail = "Slack kept failing while I posted the answer. Send your request again in a few minutes."
	// notPostedTimeout bounds the attempts to post this notice.
	notPostedTimeout = 30 * time.Second
)

// What the requester is told when a message has more files than the bot
// reviews (maxFiles).
const tooManyFilesTitle = "Some files were not reviewed"

func tooManyFilesDetail(reviewed, skipped int) string {
	return fmt.Sprintf("I review the first %d files of a message; %d more were left out. Send them in another message.", reviewed, skipped)
}
