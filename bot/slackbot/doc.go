// Package slackbot is the policycheck Slack bot: it connects to Slack in
// Socket Mode, acknowledges every envelope at once, and reviews the
// policies people send it on a bounded pool of workers.
//
// People ask for a review with the /policycheck command (with a policy, or
// alone for a dialog), by mentioning the bot with a policy in the message
// or in attached files, by direct message, or by posting a policy in a
// watched channel. While it works, the request carries an :eyes:
// reaction; the answer is a new message, which notifies: a card (package
// card) in the thread of the request, or for the slash command a short
// summary in the channel with the card in its thread. The card's Show all
// findings button opens every finding in a paged modal; its Re-evaluate
// button reviews the source again, updates the card in place and replies
// in the thread with the change. Everything these need is in the store, so
// they work across restarts.
//
// The bot survives what Slack does to long-running clients: retried and
// doubly delivered events are answered once, rate limits and Slack's
// failures are waited out, and disconnections are reconnected while the
// event channel keeps being drained. Requests are durable (see
// durable.go): recorded in the store before they are acknowledged, claimed
// by workers under a lease, taken over when a process dies, and posted
// once however often they run; so several processes can share one
// database behind one Slack app.
package slackbot
