-- Each authority's settings, as one versioned JSON document. Keep in step
-- with ../sqlite/0003_settings.sql.
CREATE TABLE authority_settings (
    la_id UUID PRIMARY KEY NOT NULL REFERENCES local_authorities (id),
    settings JSONB NOT NULL,
    version BIGINT NOT NULL,
    updated_by UUID REFERENCES users (id),
    updated_at TIMESTAMPTZ NOT NULL
);
