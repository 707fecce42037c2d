-- The Virtual School's notice board: one authority's notices, shown on
-- everyone's home page until they expire or are taken down.
-- Keep in step with ../sqlite/0010_notices.sql.

CREATE TABLE notices (
    id UUID PRIMARY KEY NOT NULL,
    la_id UUID NOT NULL REFERENCES local_authorities (id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    pinned BOOLEAN NOT NULL,
    -- The last day it shows; NULL: until it is taken down.
    expires_on DATE,
    version BIGINT NOT NULL,
    posted_by UUID NOT NULL REFERENCES users (id),
    posted_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    removed_at TIMESTAMPTZ
);
CREATE INDEX notices_la_idx ON notices (la_id, removed_at, pinned, posted_at);
