-- Foundation schema. Keep in step with ../sqlite/0001_foundation.sql:
-- a test compares the tables, columns and indexes the two produce.

CREATE TABLE local_authorities (
    id UUID PRIMARY KEY NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX local_authorities_code_key ON local_authorities (code);

CREATE TABLE schools (
    id UUID PRIMARY KEY NOT NULL,
    urn INTEGER NOT NULL,
    laestab TEXT,
    name TEXT NOT NULL,
    phase TEXT NOT NULL,
    establishment_type TEXT NOT NULL,
    la_code TEXT NOT NULL,
    postcode TEXT,
    ofsted_rating TEXT,
    ofsted_inspected_on DATE,
    is_open BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX schools_urn_key ON schools (urn);
CREATE INDEX schools_la_code_name_idx ON schools (la_code, name);

CREATE TABLE users (
    id UUID PRIMARY KEY NOT NULL,
    email TEXT NOT NULL,
    display_name TEXT NOT NULL,
    password_hash TEXT,
    email_verified_at TIMESTAMPTZ,
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    last_signed_in_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX users_email_key ON users (email);

CREATE TABLE memberships (
    id UUID PRIMARY KEY NOT NULL,
    user_id UUID NOT NULL REFERENCES users (id),
    la_id UUID NOT NULL REFERENCES local_authorities (id),
    role TEXT NOT NULL,
    school_id UUID REFERENCES schools (id),
    created_at TIMESTAMPTZ NOT NULL,
    ended_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX memberships_user_id_la_id_role_key ON memberships (user_id, la_id, role);
CREATE INDEX memberships_la_role_idx ON memberships (la_id, role);
CREATE INDEX memberships_school_idx ON memberships (school_id);

CREATE TABLE children (
    id UUID PRIMARY KEY NOT NULL,
    la_id UUID NOT NULL REFERENCES local_authorities (id),
    forename TEXT NOT NULL,
    surname TEXT NOT NULL,
    preferred_name TEXT,
    date_of_birth DATE NOT NULL,
    gender TEXT NOT NULL,
    ethnicity TEXT,
    upn TEXT,
    upn_unknown_reason TEXT,
    uln TEXT,
    legal_status TEXT,
    entered_care_on DATE,
    vs_priority TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX children_la_surname_idx ON children (la_id, surname, forename);
CREATE UNIQUE INDEX children_la_id_upn_key ON children (la_id, upn);

CREATE TABLE care_episodes (
    id UUID PRIMARY KEY NOT NULL,
    la_id UUID NOT NULL REFERENCES local_authorities (id),
    child_id UUID NOT NULL REFERENCES children (id),
    started_on DATE NOT NULL,
    ended_on DATE,
    legal_status TEXT NOT NULL,
    placement_type TEXT NOT NULL,
    placement_provider TEXT,
    lives_in_la BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX care_episodes_child_idx ON care_episodes (child_id, started_on);

CREATE TABLE school_placements (
    id UUID PRIMARY KEY NOT NULL,
    la_id UUID NOT NULL REFERENCES local_authorities (id),
    child_id UUID NOT NULL REFERENCES children (id),
    school_id UUID NOT NULL REFERENCES schools (id),
    started_on DATE NOT NULL,
    ended_on DATE,
    reason_ended TEXT,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX school_placements_child_idx ON school_placements (child_id, started_on);
CREATE INDEX school_placements_school_idx ON school_placements (school_id, ended_on);

CREATE TABLE child_workers (
    id UUID PRIMARY KEY NOT NULL,
    la_id UUID NOT NULL REFERENCES local_authorities (id),
    child_id UUID NOT NULL REFERENCES children (id),
    user_id UUID NOT NULL REFERENCES users (id),
    role TEXT NOT NULL,
    started_on DATE NOT NULL,
    ended_on DATE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX child_workers_user_idx ON child_workers (user_id, ended_on, child_id);
CREATE INDEX child_workers_child_idx ON child_workers (child_id, role);

CREATE TABLE peps (
    id UUID PRIMARY KEY NOT NULL,
    la_id UUID NOT NULL REFERENCES local_authorities (id),
    child_id UUID NOT NULL REFERENCES children (id),
    academic_year INTEGER NOT NULL,
    term TEXT NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL,
    due_on DATE NOT NULL,
    meeting_at TIMESTAMPTZ,
    signed_off_at TIMESTAMPTZ,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX peps_child_idx ON peps (child_id, academic_year, term);
CREATE INDEX peps_la_status_due_idx ON peps (la_id, status, due_on);

CREATE TABLE audit_events (
    id UUID PRIMARY KEY NOT NULL,
    la_id UUID REFERENCES local_authorities (id),
    actor_user_id UUID REFERENCES users (id),
    action TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id UUID,
    child_id UUID REFERENCES children (id),
    details JSONB NOT NULL,
    request_id TEXT,
    occurred_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX audit_events_la_time_idx ON audit_events (la_id, occurred_at);
CREATE INDEX audit_events_child_time_idx ON audit_events (child_id, occurred_at);
CREATE INDEX audit_events_actor_time_idx ON audit_events (actor_user_id, occurred_at);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    user_id UUID NOT NULL REFERENCES users (id),
    membership_id UUID NOT NULL REFERENCES memberships (id),
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);
