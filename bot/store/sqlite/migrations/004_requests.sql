-- Requests accepted from Slack and not yet answered, claimed by a worker
-- under a lease; and the messages posted for them, so that a request run
-- again does not post twice.
CREATE TABLE requests (
	id          TEXT PRIMARY KEY,
	type        TEXT NOT NULL,
	payload     BLOB,
	received_at TEXT NOT NULL,
	done_at     TEXT NOT NULL DEFAULT '', -- '' while unfinished
	owner       TEXT NOT NULL DEFAULT '', -- '' when no one holds it
	lease_until TEXT NOT NULL DEFAULT '', -- claimable once past ('' sorts first)
	attempts    INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX requests_claimable ON requests (lease_until) WHERE done_at = '';
CREATE INDEX requests_done ON requests (done_at) WHERE done_at <> '';

CREATE TABLE posts (
	key       TEXT PRIMARY KEY,
	ts        TEXT NOT NULL,
	posted_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX posts_by_time ON posts (posted_at);

-- The request that first saw a delivery key: the same request run again
-- (taken over after its first run died) keeps it.
ALTER TABLE deliveries ADD COLUMN holder TEXT NOT NULL DEFAULT '';
