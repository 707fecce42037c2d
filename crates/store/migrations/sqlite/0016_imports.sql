-- Data from the council's systems: the id their case-management system
-- gives each child (SSDA903's CHILD), what the return says of each care
-- episode, and each file imported with its report. Keep in step with
-- ../postgres/0016_imports.sql.

ALTER TABLE children ADD COLUMN la_child_id TEXT;
CREATE UNIQUE INDEX children_la_child_id_key ON children (la_id, la_child_id);

ALTER TABLE care_episodes ADD COLUMN reason_new TEXT;
ALTER TABLE care_episodes ADD COLUMN reason_ended TEXT;
ALTER TABLE care_episodes ADD COLUMN placement_urn TEXT;

CREATE TABLE imports (
    id BLOB PRIMARY KEY NOT NULL,
    la_id BLOB NOT NULL REFERENCES local_authorities (id),
    -- "children" (SSDA903 Header), "episodes", "la_children", "schools"
    -- or "attendance".
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    -- Where the file is kept between the dry run and the import.
    file_key TEXT,
    file_sha256 TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    -- An LA CSV's columns, by field.
    mapping TEXT NOT NULL,
    -- "checked" (dry run), "imported" or "refused".
    status TEXT NOT NULL,
    rows_created BIGINT NOT NULL,
    rows_updated BIGINT NOT NULL,
    rows_unchanged BIGINT NOT NULL,
    rows_refused BIGINT NOT NULL,
    report TEXT NOT NULL,
    created_by BLOB REFERENCES users (id),
    created_at TEXT NOT NULL,
    imported_by BLOB REFERENCES users (id),
    imported_at TEXT
);
CREATE INDEX imports_la_time_idx ON imports (la_id, created_at);
