-- PEP templates as data, the pages of each PEP with their versions,
-- termly delegations and the child's care information. Keep in step with
-- ../postgres/0004_peps.sql.

CREATE TABLE pep_templates (
    id BLOB PRIMARY KEY NOT NULL,
    la_id BLOB NOT NULL REFERENCES local_authorities (id),
    version BIGINT NOT NULL,
    name TEXT NOT NULL,
    format TEXT NOT NULL,
    source TEXT NOT NULL,
    template TEXT NOT NULL,
    uploaded_by BLOB REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX pep_templates_la_id_version_key ON pep_templates (la_id, version);

-- Why the PEP exists, once per child: "termly:2026:spring",
-- "initial:2026-11-02", "placement:<school placement id>". Creating a PEP
-- is INSERT … ON CONFLICT DO NOTHING on it, so no PEP is made twice.
ALTER TABLE peps ADD COLUMN trigger_key TEXT;
ALTER TABLE peps ADD COLUMN template_id BLOB REFERENCES pep_templates (id);
ALTER TABLE peps ADD COLUMN school_id BLOB REFERENCES schools (id);
CREATE UNIQUE INDEX peps_child_id_trigger_key_key ON peps (child_id, trigger_key);
CREATE INDEX peps_la_year_term_idx ON peps (la_id, academic_year, term);

CREATE TABLE pep_pages (
    id BLOB PRIMARY KEY NOT NULL,
    la_id BLOB NOT NULL REFERENCES local_authorities (id),
    pep_id BLOB NOT NULL REFERENCES peps (id),
    page_key TEXT NOT NULL,
    status TEXT NOT NULL,
    answers TEXT NOT NULL,
    carried_forward BOOLEAN NOT NULL,
    version BIGINT NOT NULL,
    updated_by BLOB REFERENCES users (id),
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX pep_pages_pep_id_page_key_key ON pep_pages (pep_id, page_key);

-- Every saved version of a page, so a conflicting save can be merged.
CREATE TABLE pep_page_versions (
    id BLOB PRIMARY KEY NOT NULL,
    la_id BLOB NOT NULL REFERENCES local_authorities (id),
    pep_id BLOB NOT NULL REFERENCES peps (id),
    page_key TEXT NOT NULL,
    version BIGINT NOT NULL,
    status TEXT NOT NULL,
    answers TEXT NOT NULL,
    saved_by BLOB REFERENCES users (id),
    saved_at TEXT NOT NULL
);
CREATE UNIQUE INDEX pep_page_versions_pep_id_page_key_version_key ON pep_page_versions (pep_id, page_key, version);

CREATE TABLE delegations (
    id BLOB PRIMARY KEY NOT NULL,
    la_id BLOB NOT NULL REFERENCES local_authorities (id),
    academic_year INTEGER NOT NULL,
    term TEXT NOT NULL,
    due_on TEXT NOT NULL,
    created_count INTEGER NOT NULL,
    run_by BLOB REFERENCES users (id),
    run_at TEXT NOT NULL
);
CREATE INDEX delegations_la_idx ON delegations (la_id, academic_year, term);

-- Care information kept by the VS and the social worker: the placement's
-- carer and where the child lives belong to the care episode; what the
-- school must know about consent and contact belongs to the child.
ALTER TABLE care_episodes ADD COLUMN carer_name TEXT;
ALTER TABLE care_episodes ADD COLUMN lives_in TEXT;
ALTER TABLE children ADD COLUMN delegated_authority TEXT;
ALTER TABLE children ADD COLUMN contact_restrictions TEXT;
ALTER TABLE children ADD COLUMN parental_responsibility TEXT;
ALTER TABLE children ADD COLUMN school_reports_to TEXT;
