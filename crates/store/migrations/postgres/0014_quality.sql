-- Quality assurance of signed-off PEPs: the Virtual School officer who
-- checks each one, every grade given (the history is kept; the newest
-- stands), and every return for improvement with the pages it reopened.
-- Keep in step with ../sqlite/0014_quality.sql.

ALTER TABLE peps ADD COLUMN qa_officer_id UUID REFERENCES users (id);

CREATE TABLE pep_grades (
    id UUID PRIMARY KEY NOT NULL,
    la_id UUID NOT NULL REFERENCES local_authorities (id),
    pep_id UUID NOT NULL REFERENCES peps (id),
    -- quality::Scheme and quality::Grade codes.
    scheme TEXT NOT NULL,
    grade TEXT NOT NULL,
    comments TEXT NOT NULL,
    -- attainment::Rag code the Virtual School confirmed; none for an
    -- initial PEP.
    progress_rag TEXT,
    graded_by UUID NOT NULL REFERENCES users (id),
    graded_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX pep_grades_pep_idx ON pep_grades (pep_id, graded_at);
CREATE INDEX pep_grades_la_idx ON pep_grades (la_id, graded_at);

CREATE TABLE pep_returns (
    id UUID PRIMARY KEY NOT NULL,
    la_id UUID NOT NULL REFERENCES local_authorities (id),
    pep_id UUID NOT NULL REFERENCES peps (id),
    comments TEXT NOT NULL,
    due_on DATE NOT NULL,
    -- The page keys reopened, as a JSON array.
    pages JSONB NOT NULL,
    returned_by UUID NOT NULL REFERENCES users (id),
    returned_at TIMESTAMPTZ NOT NULL,
    resubmitted_by UUID REFERENCES users (id),
    resubmitted_at TIMESTAMPTZ
);
CREATE INDEX pep_returns_pep_idx ON pep_returns (pep_id, returned_at);

-- The quality assurance queue and the dashboards read an authority's PEPs
-- by status.
CREATE INDEX peps_la_status_idx ON peps (la_id, status, due_on);
