-- Customers (§3), their tags, and tombstones of deleted rows for sync.

CREATE SEQUENCE customers_id_seq;
CREATE TABLE customers (
    db_id       BIGINT NOT NULL REFERENCES databases (db_id),
    id          BIGINT NOT NULL,
    name        TEXT NOT NULL,
    address     TEXT NOT NULL DEFAULT '',
    city        TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    ext_cust_no TEXT NOT NULL DEFAULT '',
    lat         DOUBLE PRECISION,
    lon         DOUBLE PRECISION,
    status      BOOLEAN NOT NULL DEFAULT TRUE,
    tags        TEXT NOT NULL DEFAULT '[]', -- JSON array, as given (deduplicated)
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (db_id, id)
);
CREATE UNIQUE INDEX customers_ext_cust_no ON customers (db_id, ext_cust_no) WHERE ext_cust_no <> '';
CREATE INDEX customers_updated ON customers (db_id, updated_at, id);

CREATE TABLE customer_tags (
    db_id       BIGINT NOT NULL,
    tag         TEXT NOT NULL,
    customer_id BIGINT NOT NULL,
    PRIMARY KEY (db_id, tag, customer_id),
    FOREIGN KEY (db_id, customer_id) REFERENCES customers (db_id, id) ON DELETE CASCADE
);
CREATE INDEX customer_tags_customer ON customer_tags (db_id, customer_id);

CREATE TABLE tombstones (
    db_id      BIGINT NOT NULL,
    resource   TEXT NOT NULL,
    id         BIGINT NOT NULL,
    deleted_at BIGINT NOT NULL,
    PRIMARY KEY (db_id, resource, id)
);
CREATE INDEX tombstones_deleted ON tombstones (db_id, resource, deleted_at, id);
