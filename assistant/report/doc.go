// Package report defines the result of a review: the score, the findings
// and the suggested policy. Its JSON encoding is the stable contract of
// `policycheck check --format json`, and the Slack card is drawn from it.
package report
