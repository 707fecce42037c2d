-- A thread's participants are read by thread. Keep in step with
-- ../postgres/0013_message_threads.sql.

CREATE INDEX message_deliveries_thread_idx ON message_deliveries (thread_id, user_id);
