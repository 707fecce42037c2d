-- Chasing late PEPs: each run of reminders for an authority (the nightly
-- job's at most once a day, however many app nodes run the worker) and
-- each digest it sent. Keep in step with ../postgres/0015_reminders.sql.

CREATE TABLE reminder_runs (
    id BLOB PRIMARY KEY NOT NULL,
    la_id BLOB NOT NULL REFERENCES local_authorities (id),
    run_on TEXT NOT NULL,
    -- "schedule" (the nightly job) or "by_hand" (about one PEP).
    kind TEXT NOT NULL,
    pep_id BLOB REFERENCES peps (id),
    people BIGINT NOT NULL,
    peps BIGINT NOT NULL,
    run_by BLOB REFERENCES users (id),
    run_at TEXT NOT NULL
);
CREATE UNIQUE INDEX reminder_runs_daily_key ON reminder_runs (la_id, run_on)
    WHERE kind = 'schedule';
-- One reminder by hand about a PEP a day: a double click sends one.
CREATE UNIQUE INDEX reminder_runs_pep_key ON reminder_runs (pep_id, run_on)
    WHERE kind = 'by_hand';
CREATE INDEX reminder_runs_la_idx ON reminder_runs (la_id, run_at);

CREATE TABLE reminders_sent (
    id BLOB PRIMARY KEY NOT NULL,
    la_id BLOB NOT NULL REFERENCES local_authorities (id),
    run_id BLOB NOT NULL REFERENCES reminder_runs (id),
    user_id BLOB NOT NULL REFERENCES users (id),
    overdue BIGINT NOT NULL,
    due_soon BIGINT NOT NULL,
    sent_at TEXT NOT NULL
);
CREATE INDEX reminders_sent_run_idx ON reminders_sent (run_id);
