-- PEP meetings: when and where, who chairs and records, who is invited
-- and what each answered, and every change made to the arrangement.
-- Keep in step with ../sqlite/0008_meetings.sql.

CREATE TABLE meetings (
    id UUID PRIMARY KEY NOT NULL,
    la_id UUID NOT NULL REFERENCES local_authorities (id),
    child_id UUID NOT NULL REFERENCES children (id),
    pep_id UUID NOT NULL REFERENCES peps (id),
    starts_at TIMESTAMPTZ NOT NULL,
    duration_minutes BIGINT NOT NULL,
    place TEXT NOT NULL,
    video_link TEXT NOT NULL,
    chair TEXT NOT NULL,
    recorder TEXT NOT NULL,
    status TEXT NOT NULL,
    -- The calendar's SEQUENCE: one more at each change sent to invitees.
    sequence BIGINT NOT NULL,
    version BIGINT NOT NULL,
    -- The reminder two days before was queued.
    reminded_at TIMESTAMPTZ,
    created_by UUID NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    updated_by UUID NOT NULL REFERENCES users (id),
    updated_at TIMESTAMPTZ NOT NULL
);
-- One meeting a PEP; a cancelled one is arranged again in the same row.
CREATE UNIQUE INDEX meetings_pep_key ON meetings (pep_id);
CREATE INDEX meetings_due_idx ON meetings (status, starts_at);

CREATE TABLE meeting_invitees (
    id UUID PRIMARY KEY NOT NULL,
    la_id UUID NOT NULL REFERENCES local_authorities (id),
    meeting_id UUID NOT NULL REFERENCES meetings (id),
    -- The account invited, when the invitee has one.
    user_id UUID REFERENCES users (id),
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    response TEXT NOT NULL,
    proposed_at TIMESTAMPTZ,
    response_note TEXT NOT NULL,
    responded_at TIMESTAMPTZ,
    -- No longer invited (taken off at a change); kept for the history.
    removed_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX meeting_invitees_email_key ON meeting_invitees (meeting_id, email);
CREATE INDEX meeting_invitees_user_idx ON meeting_invitees (user_id, removed_at);

CREATE TABLE meeting_changes (
    id UUID PRIMARY KEY NOT NULL,
    la_id UUID NOT NULL REFERENCES local_authorities (id),
    meeting_id UUID NOT NULL REFERENCES meetings (id),
    -- arranged, rescheduled, changed or cancelled.
    change TEXT NOT NULL,
    starts_at TIMESTAMPTZ NOT NULL,
    place TEXT NOT NULL,
    reason TEXT NOT NULL,
    changed_by UUID NOT NULL REFERENCES users (id),
    changed_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX meeting_changes_meeting_idx ON meeting_changes (meeting_id, changed_at);

-- An e-mail may carry a calendar invitation (the .ics text).
ALTER TABLE email_outbox ADD COLUMN calendar TEXT;
