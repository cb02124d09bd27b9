-- Customers (§3), their tags, and tombstones of deleted rows for sync.

INSERT INTO id_seq (name, last) VALUES ('customers', 0);

CREATE TABLE customers (
    db_id       INTEGER NOT NULL REFERENCES databases (db_id),
    id          INTEGER NOT NULL,
    name        TEXT NOT NULL,
    address     TEXT NOT NULL DEFAULT '',
    city        TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    ext_cust_no TEXT NOT NULL DEFAULT '',
    lat         REAL,
    lon         REAL,
    status      INTEGER NOT NULL DEFAULT 1,
    tags        TEXT NOT NULL DEFAULT '[]', -- JSON array, as given (deduplicated)
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (db_id, id)
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX customers_ext_cust_no ON customers (db_id, ext_cust_no) WHERE ext_cust_no <> '';
CREATE INDEX customers_updated ON customers (db_id, updated_at, id);

-- One row per tag of a customer, for the tag filter.
CREATE TABLE customer_tags (
    db_id       INTEGER NOT NULL,
    tag         TEXT NOT NULL,
    customer_id INTEGER NOT NULL,
    PRIMARY KEY (db_id, tag, customer_id),
    FOREIGN KEY (db_id, customer_id) REFERENCES customers (db_id, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
CREATE INDEX customer_tags_customer ON customer_tags (db_id, customer_id);

-- Deleted rows of every resource, for GET …/deleted?since=.
CREATE TABLE tombstones (
    db_id      INTEGER NOT NULL,
    resource   TEXT NOT NULL,
    id         INTEGER NOT NULL,
    deleted_at INTEGER NOT NULL,
    PRIMARY KEY (db_id, resource, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX tombstones_deleted ON tombstones (db_id, resource, deleted_at, id);
