-- Lotsen's PostgreSQL schema, version 1: the same tables as SQLite's migrations 1-3.
-- Never edit a released file: add the next number. Applied in one transaction, under an
-- advisory lock, with the version row (bot/storage/postgres_migrations.py).

-- key: the HMAC of the person; data: Session.to_dict() as JSON (nothing typed); channel:
-- kept so an expired session's end can be counted per channel. Times are Unix seconds.
CREATE TABLE sessions (
    key TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    data TEXT NOT NULL,
    updated BIGINT NOT NULL
);
CREATE INDEX sessions_by_updated ON sessions (updated);

-- At most 48 hours of message ids per person, for /forget.
CREATE TABLE ledger (
    key TEXT NOT NULL,
    chat_ref TEXT NOT NULL,
    message_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (key, chat_ref, message_id)
);
CREATE INDEX ledger_by_at ON ledger (at);

-- Update ids already answered (WhatsApp redelivers for up to 7 days).
CREATE TABLE processed_updates (
    channel TEXT NOT NULL,
    update_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (channel, update_id)
);
CREATE INDEX processed_updates_by_at ON processed_updates (at);

-- Counters with no person in them.
CREATE TABLE usage (
    day DATE NOT NULL,
    flow TEXT NOT NULL,
    step TEXT NOT NULL,
    locale TEXT NOT NULL,
    channel TEXT NOT NULL,
    ended BOOLEAN NOT NULL DEFAULT FALSE,
    count BIGINT NOT NULL,
    PRIMARY KEY (day, flow, step, locale, channel, ended)
);

-- Replies a turn owes until they are sent (rendered content, nothing typed, no platform id).
CREATE TABLE owed (
    channel TEXT NOT NULL,
    update_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (channel, update_id)
);
CREATE INDEX owed_by_at ON owed (at);

-- One row that readiness checks rewrite: proof that the store can commit now.
CREATE TABLE health (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    checked BIGINT NOT NULL
);
