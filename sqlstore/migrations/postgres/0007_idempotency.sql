-- Idempotency keys of POST requests (§1.2), per user and database.

CREATE TABLE idempotency_keys (
    db_id         BIGINT NOT NULL,
    user_id       BIGINT NOT NULL,
    key           TEXT NOT NULL,
    request_hash  BYTEA NOT NULL,   -- SHA-256 of method, path and body
    owner         TEXT NOT NULL,   -- the holding request's random token
    state         TEXT NOT NULL CHECK (state IN ('in_flight', 'committed', 'done')),
    lease_until   BIGINT NOT NULL,
    resource_kind TEXT NOT NULL DEFAULT '',
    resource_id   BIGINT NOT NULL DEFAULT 0,
    status        BIGINT NOT NULL DEFAULT 0,
    content_type  TEXT NOT NULL DEFAULT '',
    body          BYTEA,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    PRIMARY KEY (db_id, user_id, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (db_id, expires_at);
