-- Tokens for the JSON API, one authority's each, made and revoked by the
-- Virtual School's administrator. The secret is shown once; only its
-- SHA-256 is kept (with its first characters, to tell tokens apart).
CREATE TABLE api_tokens (
    id BLOB PRIMARY KEY NOT NULL,
    la_id BLOB NOT NULL REFERENCES local_authorities (id),
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    -- "read" or "read write".
    scopes TEXT NOT NULL,
    created_by BLOB NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_by BLOB REFERENCES users (id),
    revoked_at TEXT
);
CREATE UNIQUE INDEX api_tokens_token_hash_key ON api_tokens (token_hash);
CREATE INDEX api_tokens_la_idx ON api_tokens (la_id, created_at);

-- Calls a token made in each minute, for its rate limit; shared by every
-- app node. Old windows are removed by the worker.
CREATE TABLE api_rate_windows (
    token_id BLOB NOT NULL REFERENCES api_tokens (id),
    window_start TEXT NOT NULL,
    calls BIGINT NOT NULL,
    PRIMARY KEY (token_id, window_start)
);
