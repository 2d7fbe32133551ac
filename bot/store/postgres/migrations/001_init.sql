-- Reviews posted by the bot; the Slack deliveries already handled; the
-- requests accepted and not yet answered, claimed by a worker under a
-- lease; and the messages posted for them.
CREATE TABLE reviews (
	seq          bigserial,
	id           text PRIMARY KEY,
	team_id      text NOT NULL,
	channel_id   text NOT NULL,
	thread_ts    text NOT NULL,
	message_ts   text NOT NULL,
	card_ts      text NOT NULL,
	user_id      text NOT NULL,
	kind         text NOT NULL,
	policy_text  text NOT NULL,
	report_json  bytea,
	score        integer NOT NULL,
	first_score  integer NOT NULL,
	created_at   timestamptz NOT NULL,
	updated_at   timestamptz NOT NULL,
	response_url text NOT NULL DEFAULT ''
);
CREATE INDEX reviews_by_card ON reviews (channel_id, card_ts);
CREATE INDEX reviews_by_thread ON reviews (channel_id, thread_ts, created_at);
CREATE INDEX reviews_by_user ON reviews (team_id, user_id, created_at);
CREATE INDEX reviews_by_updated ON reviews (updated_at);

CREATE TABLE deliveries (
	key     text PRIMARY KEY,
	seen_at timestamptz NOT NULL,
	holder  text NOT NULL DEFAULT ''
);
CREATE INDEX deliveries_by_seen ON deliveries (seen_at);

CREATE TABLE requests (
	seq         bigserial,
	id          text PRIMARY KEY,
	type        text NOT NULL,
	payload     bytea,
	received_at timestamptz NOT NULL,
	done_at     timestamptz,                        -- NULL while unfinished
	owner       text NOT NULL DEFAULT '',           -- '' when no one holds it
	lease_until timestamptz NOT NULL DEFAULT '-infinity',
	attempts    integer NOT NULL DEFAULT 0
);
CREATE INDEX requests_claimable ON requests (seq) WHERE done_at IS NULL;
CREATE INDEX requests_done ON requests (done_at) WHERE done_at IS NOT NULL;

CREATE TABLE posts (
	key       text PRIMARY KEY,
	ts        text NOT NULL,
	posted_at timestamptz NOT NULL
);
CREATE INDEX posts_by_time ON posts (posted_at);
