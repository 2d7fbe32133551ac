-- The score of a review when it was first made: a history shows it next to
-- the score after the latest re-evaluation.
ALTER TABLE reviews ADD COLUMN first_score INTEGER NOT NULL DEFAULT 0;
UPDATE reviews SET first_score = score;
