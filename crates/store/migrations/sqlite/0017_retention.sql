-- Records kept to the young person's 75th birthday: the nightly job lists
-- each child whose records are past it, for the Virtual School to review.
-- Nothing is deleted by the job. A review keeps the records to a later
-- date (with the reason), after which they are listed again.
CREATE TABLE retention_reviews (
    id BLOB PRIMARY KEY NOT NULL,
    la_id BLOB NOT NULL REFERENCES local_authorities (id),
    child_id BLOB NOT NULL REFERENCES children (id),
    -- The date the records were to be kept to when listed.
    retain_until TEXT NOT NULL,
    listed_at TEXT NOT NULL,
    keep_until TEXT,
    reason TEXT,
    decided_by BLOB REFERENCES users (id),
    decided_at TEXT
);
CREATE UNIQUE INDEX retention_reviews_child_until_key ON retention_reviews (child_id, retain_until);
CREATE INDEX retention_reviews_la_idx ON retention_reviews (la_id, decided_at, retain_until);
CREATE INDEX children_date_of_birth_idx ON children (date_of_birth);
