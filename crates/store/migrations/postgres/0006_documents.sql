-- Documents uploaded to a child's record, most of them to a PEP: support
-- plans, EHC plans, the child's views. The bytes are in the file store
-- under storage_key; this row is what the record shows and who may read it.
-- Keep in step with ../sqlite/0006_documents.sql.

CREATE TABLE documents (
    id UUID PRIMARY KEY NOT NULL,
    la_id UUID NOT NULL REFERENCES local_authorities (id),
    child_id UUID NOT NULL REFERENCES children (id),
    pep_id UUID REFERENCES peps (id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    uploaded_by UUID NOT NULL REFERENCES users (id),
    uploaded_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX documents_child_idx ON documents (la_id, child_id, uploaded_at);
CREATE INDEX documents_pep_idx ON documents (la_id, pep_id, uploaded_at);

-- At most one open professional disagreement a PEP: two raised at once
-- are refused by the database, not only by the check before the insert.
CREATE UNIQUE INDEX pep_disagreements_one_open_idx ON pep_disagreements (pep_id)
    WHERE resolved_at IS NULL;
