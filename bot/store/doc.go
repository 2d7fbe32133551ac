// Package store defines what the bot keeps: its reviews (Review) and the
// keys of the Slack deliveries it has already handled, and the contract of
// a database that keeps them (Store).
//
// The package holds no database driver, so that the bot's code depends on
// the records and not on a database. Implementations live in packages
// below it (store/sqlite, the embedded default); a new one passes the
// contract tests of package storetest and is chosen where the program opens
// its store (serve.go).
package store
