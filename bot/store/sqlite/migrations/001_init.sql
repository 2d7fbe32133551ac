-- Reviews posted by the bot, and the Slack deliveries already handled.
CREATE TABLE reviews (
	id          TEXT PRIMARY KEY,
	team_id     TEXT NOT NULL,
	channel_id  TEXT NOT NULL,
	thread_ts   TEXT NOT NULL,
	message_ts  TEXT NOT NULL,
	card_ts     TEXT NOT NULL,
	user_id     TEXT NOT NULL,
	kind        TEXT NOT NULL,
	policy_text TEXT NOT NULL,
	report_json BLOB,
	score       INTEGER NOT NULL,
	created_at  TEXT NOT NULL, -- UTC, fixed-width RFC 3339 with nanoseconds
	updated_at  TEXT NOT NULL
) STRICT;

CREATE TABLE deliveries (
	key     TEXT PRIMARY KEY,
	seen_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;
