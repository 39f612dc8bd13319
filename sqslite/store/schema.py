"""SQLite schema of the store.

Times are integer epoch milliseconds. A message's state follows from its
columns at any instant, so nothing has to fire when a timer runs out:

- visible:   visible_at <= now
- in flight: visible_at > now and receive_count > 0
- delayed:   visible_at > now and receive_count = 0
- expired:   enqueued_at < now - the queue's MessageRetentionPeriod

enqueued_at is sent_at, except after a move to a FIFO dead-letter queue or
by a message move task, which start the retention period again.
"""

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS queues (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    name TEXT NOT NULL,
    fifo INTEGER NOT NULL,
    attributes TEXT NOT NULL,      -- JSON object of the settable attributes
    tags TEXT NOT NULL,            -- JSON object
    created_at INTEGER NOT NULL,
    modified_at INTEGER NOT NULL,
    purged_at INTEGER,             -- last PurgeQueue, for the 60-second rule
    UNIQUE (account, name)
);

-- Names deleted recently, for the 60-second QueueDeletedRecently rule.
CREATE TABLE IF NOT EXISTS deleted_queues (
    account TEXT NOT NULL,
    name TEXT NOT NULL,
    deleted_at INTEGER NOT NULL,
    PRIMARY KEY (account, name)
);

CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,        -- send order within the database
    queue_id INTEGER NOT NULL,
    message_id TEXT NOT NULL,
    body TEXT NOT NULL,
    md5_body TEXT NOT NULL,
    attributes TEXT,               -- JSON of the message attributes, NULL if none
    system_attributes TEXT,        -- JSON of AWSTraceHeader and friends, NULL if none
    sender_id TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    visible_at INTEGER NOT NULL,
    receive_count INTEGER NOT NULL DEFAULT 0,
    first_received_at INTEGER,
    received_at INTEGER,           -- start of the current receive, for the 12-hour cap
    receipt_token TEXT,            -- changes on every receive
    group_id TEXT,
    dedup_id TEXT,
    sequence_number TEXT,
    dead_letter_source_arn TEXT,   -- set while the message is in a dead-letter queue
    enqueued_at INTEGER NOT NULL   -- start of the retention period
);

-- FIFO deduplication ids seen in the last five minutes. scope is the
-- message group under DeduplicationScope messageGroup, else ''.
CREATE TABLE IF NOT EXISTS dedup_ids (
    queue_id INTEGER NOT NULL,
    scope TEXT NOT NULL,
    dedup_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    sequence_number TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    PRIMARY KEY (queue_id, scope, dedup_id)
);

-- FIFO receives by ReceiveRequestAttemptId, kept five minutes for retries.
-- receipts is a JSON list of [message row id, receipt token, visible_at].
CREATE TABLE IF NOT EXISTS receive_attempts (
    queue_id INTEGER NOT NULL,
    attempt_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    receipts TEXT NOT NULL,
    PRIMARY KEY (queue_id, attempt_id)
);

-- Message move tasks, kept so that a restart resumes running ones.
CREATE TABLE IF NOT EXISTS move_tasks (
    id TEXT PRIMARY KEY,
    source_arn TEXT NOT NULL,
    destination_arn TEXT,
    max_per_second INTEGER,
    status TEXT NOT NULL,
    moved INTEGER NOT NULL,
    to_move INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    failure_reason TEXT
);

-- Serves the receive query (ready messages of one queue, oldest first) and
-- the next-wake-up query of long polls.
CREATE INDEX IF NOT EXISTS messages_by_visibility ON messages (queue_id, visible_at);

-- The next two serve FIFO receives only. Every FIFO message has a
-- deduplication id and no standard message has one, so the indexes are
-- partial and cost standard-queue sends nothing.

-- A FIFO queue's messages in send order: the index holds the rowid (the
-- send order) after queue_id.
CREATE INDEX IF NOT EXISTS fifo_messages_in_order ON messages (queue_id)
    WHERE dedup_id IS NOT NULL;

-- Each message group's messages in send order, for queues with few groups.
CREATE INDEX IF NOT EXISTS fifo_messages_by_group ON messages (queue_id, group_id)
    WHERE dedup_id IS NOT NULL;
"""
