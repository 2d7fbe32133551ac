// Package e2e holds the end-to-end tests of the Slack bot: they build the
// policycheck binary, run `policycheck serve` as a subprocess against the
// loopback Slack of internal/slackfake, and drive it as users would. The
// package has no code of its own.
package e2e
