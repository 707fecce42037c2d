-- SMART targets with their actions, the next PEP's review of each, the
-- funding requests that hang on them, and each authority's funding
-- policy. Keep in step with ../postgres/0007_targets_funding.sql.

CREATE TABLE targets (
    id BLOB PRIMARY KEY NOT NULL,
    la_id BLOB NOT NULL REFERENCES local_authorities (id),
    child_id BLOB NOT NULL REFERENCES children (id),
    pep_id BLOB NOT NULL REFERENCES peps (id),
    position BIGINT NOT NULL,
    area TEXT NOT NULL,
    description TEXT NOT NULL,
    starting_point TEXT NOT NULL,
    success_measure TEXT NOT NULL,
    -- A date, or the end of a term (`2026:spring`) with the day it ends
    -- when the authority has set its dates.
    due_on TEXT,
    due_term TEXT,
    due_label TEXT NOT NULL,
    -- The actions, in order: [{who, who_name, what, how_often, by_when}].
    actions TEXT NOT NULL,
    status TEXT NOT NULL,
    -- The prompt it answers (`prompt_attendance`), when written for one.
    prompt TEXT,
    -- The target of the previous PEP this one carries forward.
    carried_from BLOB REFERENCES targets (id),
    version BIGINT NOT NULL,
    created_by BLOB NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_by BLOB NOT NULL REFERENCES users (id),
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX targets_pep_idx ON targets (la_id, pep_id, position);
CREATE UNIQUE INDEX targets_carried_from_key ON targets (pep_id, carried_from)
    WHERE deleted_at IS NULL;

CREATE TABLE target_reviews (
    id BLOB PRIMARY KEY NOT NULL,
    la_id BLOB NOT NULL REFERENCES local_authorities (id),
    -- The PEP whose meeting reviewed the target (the target's next PEP).
    pep_id BLOB NOT NULL REFERENCES peps (id),
    target_id BLOB NOT NULL REFERENCES targets (id),
    outcome TEXT NOT NULL,
    impact TEXT NOT NULL,
    evidence TEXT NOT NULL,
    spend_impact TEXT NOT NULL,
    version BIGINT NOT NULL,
    reviewed_by BLOB NOT NULL REFERENCES users (id),
    reviewed_at TEXT NOT NULL
);
CREATE UNIQUE INDEX target_reviews_pep_target_key ON target_reviews (pep_id, target_id);
CREATE INDEX target_reviews_target_idx ON target_reviews (la_id, target_id);

-- The policy is the authority's data, kept whole as JSON: each save is a
-- new version, so what a decision was made under stays readable.
CREATE TABLE funding_policies (
    id BLOB PRIMARY KEY NOT NULL,
    la_id BLOB NOT NULL REFERENCES local_authorities (id),
    version BIGINT NOT NULL,
    policy TEXT NOT NULL,
    saved_by BLOB REFERENCES users (id),
    saved_at TEXT NOT NULL
);
CREATE UNIQUE INDEX funding_policies_la_version_key ON funding_policies (la_id, version);

CREATE TABLE funding_requests (
    id BLOB PRIMARY KEY NOT NULL,
    la_id BLOB NOT NULL REFERENCES local_authorities (id),
    child_id BLOB NOT NULL REFERENCES children (id),
    pep_id BLOB NOT NULL REFERENCES peps (id),
    target_id BLOB NOT NULL REFERENCES targets (id),
    -- The school the child was at when it was asked for: totals by school.
    school_id BLOB REFERENCES schools (id),
    academic_year INTEGER NOT NULL,
    term TEXT NOT NULL,
    source TEXT NOT NULL,
    purchase TEXT NOT NULL,
    category TEXT NOT NULL,
    amount_pence BIGINT NOT NULL,
    comments TEXT NOT NULL,
    discretionary BOOLEAN NOT NULL,
    status TEXT NOT NULL,
    approved_pence BIGINT,
    decision_note TEXT,
    version BIGINT NOT NULL,
    created_by BLOB NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    submitted_by BLOB REFERENCES users (id),
    submitted_at TEXT,
    decided_by BLOB REFERENCES users (id),
    decided_at TEXT,
    paid_by BLOB REFERENCES users (id),
    paid_at TEXT,
    CHECK (amount_pence > 0)
);
CREATE INDEX funding_requests_queue_idx ON funding_requests (la_id, status, academic_year, term);
CREATE INDEX funding_requests_child_idx ON funding_requests (la_id, child_id, academic_year, term);
CREATE INDEX funding_requests_target_idx ON funding_requests (la_id, target_id);
CREATE INDEX funding_requests_school_idx ON funding_requests (la_id, school_id, academic_year, term);
