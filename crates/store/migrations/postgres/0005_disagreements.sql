-- A professional disagreement about a child's PEP, raised by the social
-- worker or the designated teacher: the Virtual School should attend the
-- meeting until it is resolved. Keep in step with
-- ../sqlite/0005_disagreements.sql.

CREATE TABLE pep_disagreements (
    id UUID PRIMARY KEY NOT NULL,
    la_id UUID NOT NULL REFERENCES local_authorities (id),
    pep_id UUID NOT NULL REFERENCES peps (id),
    child_id UUID NOT NULL REFERENCES children (id),
    note TEXT NOT NULL,
    raised_by UUID NOT NULL REFERENCES users (id),
    raised_at TIMESTAMPTZ NOT NULL,
    resolution TEXT,
    resolved_by UUID REFERENCES users (id),
    resolved_at TIMESTAMPTZ
);
CREATE INDEX pep_disagreements_pep_idx ON pep_disagreements (pep_id, raised_at);
CREATE INDEX pep_disagreements_child_idx ON pep_disagreements (child_id, resolved_at);

-- Special educational needs provision (the school census's N, K or E):
-- it decides whether the PEP shows the SEN page.
ALTER TABLE children ADD COLUMN sen_provision TEXT;
