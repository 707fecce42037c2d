-- Each authority's settings, as one versioned JSON document. Keep in step
-- with ../postgres/0003_settings.sql.
CREATE TABLE authority_settings (
    la_id BLOB PRIMARY KEY NOT NULL REFERENCES local_authorities (id),
    settings TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_by BLOB REFERENCES users (id),
    updated_at TEXT NOT NULL
);
