-- Signing a PEP off: each part marked completed (and undone, kept for the
-- history), the next meeting, who signed it off, every reopening, and the
-- archival PDFs made of it. Keep in step with ../sqlite/0009_sign_off.sql.

ALTER TABLE peps ADD COLUMN next_meeting_at TIMESTAMPTZ;
ALTER TABLE peps ADD COLUMN signed_off_by UUID REFERENCES users (id);

CREATE TABLE pep_part_marks (
    id UUID PRIMARY KEY NOT NULL,
    la_id UUID NOT NULL REFERENCES local_authorities (id),
    pep_id UUID NOT NULL REFERENCES peps (id),
    -- sign_off::Part code: social_worker, school or young_person.
    part TEXT NOT NULL,
    marked_by UUID NOT NULL REFERENCES users (id),
    marked_at TIMESTAMPTZ NOT NULL,
    undone_by UUID REFERENCES users (id),
    undone_at TIMESTAMPTZ
);
-- One standing mark a part.
CREATE UNIQUE INDEX pep_part_marks_standing_key ON pep_part_marks (pep_id, part)
    WHERE undone_at IS NULL;

CREATE TABLE pep_reopenings (
    id UUID PRIMARY KEY NOT NULL,
    la_id UUID NOT NULL REFERENCES local_authorities (id),
    pep_id UUID NOT NULL REFERENCES peps (id),
    reason TEXT NOT NULL,
    reopened_by UUID NOT NULL REFERENCES users (id),
    reopened_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX pep_reopenings_pep_idx ON pep_reopenings (pep_id, reopened_at);

-- The archival PDF: queued at sign-off (and again when quality assurance
-- adds its grade), made by the worker, stored unchanged with its SHA-256.
CREATE TABLE pep_archives (
    id UUID PRIMARY KEY NOT NULL,
    la_id UUID NOT NULL REFERENCES local_authorities (id),
    pep_id UUID NOT NULL REFERENCES peps (id),
    child_id UUID NOT NULL REFERENCES children (id),
    version BIGINT NOT NULL,
    -- pending, ready or failed.
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    sha256 TEXT,
    size_bytes BIGINT,
    file_key TEXT,
    attempts BIGINT NOT NULL,
    -- A worker making it holds it until then.
    locked_until TIMESTAMPTZ,
    error TEXT,
    requested_at TIMESTAMPTZ NOT NULL,
    made_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX pep_archives_pep_version_key ON pep_archives (pep_id, version);
CREATE INDEX pep_archives_pending_idx ON pep_archives (status, requested_at);
