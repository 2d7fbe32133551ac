// Package slackbot is the policycheck Slack bot: it connects to Slack in
// Socket Mode, acknowledges every envelope at once, and reviews the
// policies people send it on a bounded pool of workers.
//
// People ask for a review with the /policycheck command (with a policy, or
// alone for a dialog), by mentioning the bot with a policy in the message
// or in attached files, by direct message, or by posting a policy in a
// watched channel. The answer is a card (package card) in the thread of the
// request; its Re-evaluate button reviews the source again and updates the
// card in place. Everything a re-evaluation needs is in the store, so it
// works across restarts.
//
// The bot survives what Slack does to long-running clients: retried and
// doubly delivered events are answered once, a full queue is answered
// "busy", rate limits are waited out, and disconnections are reconnected
// while the event channel keeps being drained.
package slackbot
