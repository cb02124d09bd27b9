-- Idempotency keys of POST requests (§1.2), per user and database.

CREATE TABLE idempotency_keys (
    db_id         INTEGER NOT NULL,
    user_id       INTEGER NOT NULL,
    key           TEXT NOT NULL,
    request_hash  BLOB NOT NULL,   -- SHA-256 of method, path and body
    owner         TEXT NOT NULL,   -- the holding request's random token
    state         TEXT NOT NULL CHECK (state IN ('in_flight', 'committed', 'done')),
    lease_until   INTEGER NOT NULL,
    resource_kind TEXT NOT NULL DEFAULT '',
    resource_id   INTEGER NOT NULL DEFAULT 0,
    status        INTEGER NOT NULL DEFAULT 0,
    content_type  TEXT NOT NULL DEFAULT '',
    body          BLOB,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    PRIMARY KEY (db_id, user_id, key)
) STRICT, WITHOUT ROWID;
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (db_id, expires_at);
