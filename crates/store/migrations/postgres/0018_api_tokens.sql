-- Tokens for the JSON API, one authority's each, made and revoked by the
-- Virtual School's administrator. The secret is shown once; only its
-- SHA-256 is kept (with its first characters, to tell tokens apart).
CREATE TABLE api_tokens (
    id UUID PRIMARY KEY NOT NULL,
    la_id UUID NOT NULL REFERENCES local_authorities (id),
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    -- "read" or "read write".
    scopes TEXT NOT NULL,
    created_by UUID NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_by UUID REFERENCES users (id),
    revoked_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX api_tokens_token_hash_key ON api_tokens (token_hash);
CREATE INDEX api_tokens_la_idx ON api_tokens (la_id, created_at);

-- Calls a token made in each minute, for its rate limit; shared by every
-- app node. Old windows are removed by the worker.
CREATE TABLE api_rate_windows (
    token_id UUID NOT NULL REFERENCES api_tokens (id),
    window_start TIMESTAMPTZ NOT NULL,
    calls BIGINT NOT NULL,
    PRIMARY KEY (token_id, window_start)
);
