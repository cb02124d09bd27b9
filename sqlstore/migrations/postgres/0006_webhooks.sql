-- Webhooks (§6.3): subscriptions, and a transactional outbox of deliveries
-- written in the same transaction as the order change they report.

CREATE SEQUENCE webhooks_id_seq;
CREATE SEQUENCE webhook_deliveries_id_seq;
CREATE SEQUENCE webhook_attempts_id_seq;

CREATE TABLE webhooks (
    db_id      BIGINT NOT NULL REFERENCES databases (db_id),
    id         BIGINT NOT NULL,
    url        TEXT NOT NULL,
    secret     TEXT NOT NULL,   -- the HMAC key; never shown after creation
    events     TEXT NOT NULL,   -- JSON array of event names
    created_at BIGINT NOT NULL,
    PRIMARY KEY (db_id, id)
);

-- One row per event per webhook. delivery_id is what the receiver sees in
-- X-SalesMania-Delivery, the same on every retry.
CREATE TABLE webhook_deliveries (
    db_id           BIGINT NOT NULL,
    id              BIGINT NOT NULL,
    webhook_id      BIGINT NOT NULL,
    order_id        BIGINT NOT NULL,
    event           TEXT NOT NULL,
    delivery_id     TEXT NOT NULL,
    payload         TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_until     BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (db_id, id),
    FOREIGN KEY (db_id, webhook_id) REFERENCES webhooks (db_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (db_id, next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (db_id, webhook_id, order_id, id);

-- Every attempt, for GET /webhooks/{id}/deliveries.
CREATE TABLE webhook_attempts (
    db_id           BIGINT NOT NULL,
    id              BIGINT NOT NULL,
    delivery        BIGINT NOT NULL,  -- webhook_deliveries.id
    attempt         BIGINT NOT NULL,
    webhook_id      BIGINT NOT NULL,
    status_code     BIGINT NOT NULL,  -- 0 when no answer came
    error           TEXT NOT NULL DEFAULT '',
    attempted_at    BIGINT NOT NULL,
    next_attempt_at BIGINT,           -- NULL once delivered or given up
    PRIMARY KEY (db_id, id),
    FOREIGN KEY (db_id, delivery) REFERENCES webhook_deliveries (db_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_attempts_webhook ON webhook_attempts (db_id, webhook_id, id);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (db_id, delivery);
