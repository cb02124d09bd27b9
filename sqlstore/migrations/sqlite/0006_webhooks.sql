-- Webhooks (§6.3): subscriptions, and a transactional outbox of deliveries
-- written in the same transaction as the order change they report.

INSERT INTO id_seq (name, last) VALUES ('webhooks', 0), ('webhook_deliveries', 0), ('webhook_attempts', 0);

CREATE TABLE webhooks (
    db_id      INTEGER NOT NULL REFERENCES databases (db_id),
    id         INTEGER NOT NULL,
    url        TEXT NOT NULL,
    secret     TEXT NOT NULL,   -- the HMAC key; never shown after creation
    events     TEXT NOT NULL,   -- JSON array of event names
    created_at INTEGER NOT NULL,
    PRIMARY KEY (db_id, id)
) STRICT, WITHOUT ROWID;

-- One row per event per webhook. delivery_id is what the receiver sees in
-- X-SalesMania-Delivery, the same on every retry.
CREATE TABLE webhook_deliveries (
    db_id           INTEGER NOT NULL,
    id              INTEGER NOT NULL,
    webhook_id      INTEGER NOT NULL,
    order_id        INTEGER NOT NULL,
    event           TEXT NOT NULL,
    delivery_id     TEXT NOT NULL,
    payload         TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (db_id, id),
    FOREIGN KEY (db_id, webhook_id) REFERENCES webhooks (db_id, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (db_id, next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (db_id, webhook_id, order_id, id);

-- Every attempt, for GET /webhooks/{id}/deliveries.
CREATE TABLE webhook_attempts (
    db_id           INTEGER NOT NULL,
    id              INTEGER NOT NULL,
    delivery        INTEGER NOT NULL,  -- webhook_deliveries.id
    attempt         INTEGER NOT NULL,
    webhook_id      INTEGER NOT NULL,
    status_code     INTEGER NOT NULL,  -- 0 when no answer came
    error           TEXT NOT NULL DEFAULT '',
    attempted_at    INTEGER NOT NULL,
    next_attempt_at INTEGER,           -- NULL once delivered or given up
    PRIMARY KEY (db_id, id),
    FOREIGN KEY (db_id, delivery) REFERENCES webhook_deliveries (db_id, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
CREATE INDEX webhook_attempts_webhook ON webhook_attempts (db_id, webhook_id, id);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (db_id, delivery);
