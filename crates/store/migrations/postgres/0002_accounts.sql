-- Accounts, sign-in and e-mail. Keep in step with ../sqlite/0002_accounts.sql.

ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
-- The membership (authority and role) last acted in, offered first next time.
ALTER TABLE users ADD COLUMN last_membership_id UUID;

-- Mail waiting to go, and mail gone: written in the transaction of the
-- change that causes it, delivered by the job worker with retries.
CREATE TABLE email_outbox (
    id UUID PRIMARY KEY NOT NULL,
    la_id UUID REFERENCES local_authorities (id),
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    kind TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    locked_until TIMESTAMPTZ,
    sent_at TIMESTAMPTZ,
    failed_at TIMESTAMPTZ,
    last_error TEXT,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX email_outbox_due_idx ON email_outbox (sent_at, failed_at, next_attempt_at);
CREATE INDEX email_outbox_to_idx ON email_outbox (to_address, created_at);

-- The second step of a sign-in: a code sent by e-mail, or an authenticator.
CREATE TABLE sign_in_challenges (
    id TEXT PRIMARY KEY NOT NULL,
    user_id UUID NOT NULL REFERENCES users (id),
    method TEXT NOT NULL,
    code_hash TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sign_in_challenges_user_idx ON sign_in_challenges (user_id);

-- Failed sign-ins per e-mail address entered and per client address, so
-- throttling holds across app nodes.
CREATE TABLE sign_in_throttles (
    scope TEXT NOT NULL,
    subject TEXT NOT NULL,
    failures INTEGER NOT NULL,
    window_started_at TIMESTAMPTZ NOT NULL,
    locked_until TIMESTAMPTZ,
    locks INTEGER NOT NULL DEFAULT 0,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (scope, subject)
);

CREATE TABLE invitations (
    id UUID PRIMARY KEY NOT NULL,
    la_id UUID NOT NULL REFERENCES local_authorities (id),
    email TEXT NOT NULL,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    school_id UUID REFERENCES schools (id),
    child_id UUID REFERENCES children (id),
    invited_by UUID NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    accepted_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX invitations_token_hash_key ON invitations (token_hash);
CREATE INDEX invitations_la_email_idx ON invitations (la_id, email);

-- Single-use links sent by e-mail (password reset).
CREATE TABLE email_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    user_id UUID NOT NULL REFERENCES users (id),
    purpose TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ
);
CREATE INDEX email_tokens_user_idx ON email_tokens (user_id, purpose);

CREATE TABLE terms_agreements (
    id UUID PRIMARY KEY NOT NULL,
    user_id UUID NOT NULL REFERENCES users (id),
    version TEXT NOT NULL,
    agreed_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX terms_agreements_user_id_version_key ON terms_agreements (user_id, version);

-- Search and sort keys computed in Rust (lower case, no accents), so that
-- both backends find and order names alike.
ALTER TABLE children ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
ALTER TABLE children ADD COLUMN sort_key TEXT NOT NULL DEFAULT '';
CREATE INDEX children_la_id_sort_key_idx ON children (la_id, sort_key COLLATE "C");

-- A team manager's team: the social workers whose caseloads they oversee.
CREATE TABLE team_members (
    id UUID PRIMARY KEY NOT NULL,
    la_id UUID NOT NULL REFERENCES local_authorities (id),
    manager_user_id UUID NOT NULL REFERENCES users (id),
    member_user_id UUID NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    ended_at TIMESTAMPTZ
);
CREATE INDEX team_members_manager_idx ON team_members (manager_user_id, la_id);
CREATE INDEX team_members_member_idx ON team_members (member_user_id);

-- The audit trail is append-only: PostgreSQL refuses to change it.
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$;
CREATE TRIGGER audit_events_no_update_or_delete
    BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

-- The current PEP of a child is its latest by due date.
CREATE INDEX peps_child_due_idx ON peps (child_id, due_on);
