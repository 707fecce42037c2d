-- Guidance documents attached to a notice; the bytes live in the file
-- store under storage_key. Keep in step with
-- ../sqlite/0012_notice_attachments.sql.

CREATE TABLE notice_attachments (
    id UUID PRIMARY KEY NOT NULL,
    la_id UUID NOT NULL REFERENCES local_authorities (id),
    notice_id UUID NOT NULL REFERENCES notices (id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    uploaded_by UUID NOT NULL REFERENCES users (id),
    uploaded_at TIMESTAMPTZ NOT NULL,
    removed_at TIMESTAMPTZ
);
CREATE INDEX notice_attachments_notice_idx ON notice_attachments (la_id, notice_id);
