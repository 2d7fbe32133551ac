// Package sqlite keeps the bot's reviews and the keys of the Slack
// deliveries it has already handled (package sqlite's records and contract)
// in an embedded SQLite database (modernc.org/sqlite, no cgo).
//
// The schema is versioned: the numbered files in migrations/ are applied in
// order, each in its own transaction, and recorded in schema_migrations, so
// opening a database again is idempotent and an older database is brought up
// to date on open.
//
// A Store is safe for concurrent use. Writes go through a single connection
// and reads through a small pool of read-only connections; the database runs
// in WAL mode so readers do not wait for the writer.
package sqlite
