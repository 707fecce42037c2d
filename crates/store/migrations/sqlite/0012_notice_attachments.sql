-- Guidance documents attached to a notice; the bytes live in the file
-- store under storage_key. Keep in step with
-- ../postgres/0012_notice_attachments.sql.

CREATE TABLE notice_attachments (
    id BLOB PRIMARY KEY NOT NULL,
    la_id BLOB NOT NULL REFERENCES local_authorities (id),
    notice_id BLOB NOT NULL REFERENCES notices (id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    uploaded_by BLOB NOT NULL REFERENCES users (id),
    uploaded_at TEXT NOT NULL,
    removed_at TEXT
);
CREATE INDEX notice_attachments_notice_idx ON notice_attachments (la_id, notice_id);
