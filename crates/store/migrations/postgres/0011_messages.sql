-- "Your messages": messages between the people working with a child, and
-- OpenPEP's own notifications. A message is delivered to each recipient
-- and to its sender (read at once), so a thread is what a person was sent
-- or sent. Keep in step with ../sqlite/0011_messages.sql.

CREATE TABLE messages (
    id UUID PRIMARY KEY NOT NULL,
    la_id UUID NOT NULL REFERENCES local_authorities (id),
    -- The thread's first message (its own id when it starts one).
    thread_id UUID NOT NULL,
    child_id UUID REFERENCES children (id),
    -- NULL: a notification from OpenPEP itself.
    sender_id UUID REFERENCES users (id),
    -- messages::MessageKind code: message, or the notification's kind.
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    -- Where in OpenPEP a notification leads (a path).
    link TEXT,
    sent_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX messages_thread_idx ON messages (thread_id, sent_at);

CREATE TABLE message_deliveries (
    message_id UUID NOT NULL REFERENCES messages (id),
    user_id UUID NOT NULL REFERENCES users (id),
    -- Copied from the message: one person's inbox is read by these alone.
    la_id UUID NOT NULL REFERENCES local_authorities (id),
    thread_id UUID NOT NULL,
    sent_at TIMESTAMPTZ NOT NULL,
    read_at TIMESTAMPTZ,
    PRIMARY KEY (message_id, user_id)
);
CREATE INDEX message_deliveries_inbox_idx ON message_deliveries (user_id, la_id, thread_id);
CREATE INDEX message_deliveries_unread_idx ON message_deliveries (user_id, la_id)
    WHERE read_at IS NULL;
