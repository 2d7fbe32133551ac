// Package card draws reviews as Slack Block Kit messages: the review card
// with its score, findings, suggested policy and Re-evaluate button, and the
// smaller progress, failure, help and history cards, and the answers to
// follow-up questions in a card's thread.
//
// Every message stays within Slack's limits whatever the report holds, and
// all text that comes from the policy or the model is made inert: it can
// mention no one, link nowhere and inject no formatting (see text.go).
package card
