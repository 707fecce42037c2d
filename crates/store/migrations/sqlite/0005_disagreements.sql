-- A professional disagreement about a child's PEP, raised by the social
-- worker or the designated teacher: the Virtual School should attend the
-- meeting until it is resolved. Keep in step with
-- ../postgres/0005_disagreements.sql.

CREATE TABLE pep_disagreements (
    id BLOB PRIMARY KEY NOT NULL,
    la_id BLOB NOT NULL REFERENCES local_authorities (id),
    pep_id BLOB NOT NULL REFERENCES peps (id),
    child_id BLOB NOT NULL REFERENCES children (id),
    note TEXT NOT NULL,
    raised_by BLOB NOT NULL REFERENCES users (id),
    raised_at TEXT NOT NULL,
    resolution TEXT,
    resolved_by BLOB REFERENCES users (id),
    resolved_at TEXT
);
CREATE INDEX pep_disagreements_pep_idx ON pep_disagreements (pep_id, raised_at);
CREATE INDEX pep_disagreements_child_idx ON pep_disagreements (child_id, resolved_at);

-- Special educational needs provision (the school census's N, K or E):
-- it decides whether the PEP shows the SEN page.
ALTER TABLE children ADD COLUMN sen_provision TEXT;
