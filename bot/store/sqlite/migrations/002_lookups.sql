-- The response_url of slash commands, and indexes for the lookups the bot
-- makes: the review behind a card, the latest review of a thread, a user's
-- history and retention.
ALTER TABLE reviews ADD COLUMN response_url TEXT NOT NULL DEFAULT '';

CREATE INDEX reviews_by_card ON reviews (channel_id, card_ts);
CREATE INDEX reviews_by_thread ON reviews (channel_id, thread_ts, created_at);
CREATE INDEX reviews_by_user ON reviews (team_id, user_id, created_at);
CREATE INDEX reviews_by_updated ON reviews (updated_at);
CREATE INDEX deliveries_by_seen ON deliveries (seen_at);
