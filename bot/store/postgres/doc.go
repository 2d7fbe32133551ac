// Package postgres keeps the bot's records (package store) in PostgreSQL,
// through pgx's connection pool: the database several replicas of the bot
// share.
//
// The schema is versioned like the SQLite store's: the numbered files in
// migrations/ are applied in order at Open, each in its own transaction,
// under an advisory lock so that replicas starting together do not race,
// and recorded in schema_migrations. Tables live in the connection's
// current schema (search_path), so one database can hold several
// installations, or tests, side by side.
//
// Requests are claimed with SELECT ... FOR UPDATE SKIP LOCKED, so that
// workers of every replica claim at once without waiting for each other;
// Prune runs in one replica at a time (a transaction-scoped advisory
// lock), the others skip it.
package postgres
