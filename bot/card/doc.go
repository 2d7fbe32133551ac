// Package card draws reviews as Slack Block Kit messages: the review card,
// which reads in one screen (verdict and score, what was reviewed, counts,
// the worst findings, the suggested policy, the Show all findings and
// Re-evaluate buttons); the details modal, paged, with every finding; the
// summary a slash command posts in the channel; the reply to a
// re-evaluation; the progress, failure, help and history messages; the
// cards of generated policies; and the answers to follow-up questions.
//
// Every message stays within Slack's limits whatever the report holds, and
// all text that comes from the policy or the model is made inert without
// changing a character: it can mention no one, link nowhere, format
// nothing and turn into no emoji (see text.go).
package card
