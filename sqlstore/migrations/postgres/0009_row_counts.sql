-- Row counts per database, kept in the same transaction as each insert
-- and delete, so a list's include_total without filters is one lookup.

CREATE TABLE row_counts (
    db_id    BIGINT NOT NULL,
    resource TEXT NOT NULL,
    n        BIGINT NOT NULL,
    PRIMARY KEY (db_id, resource)
);
INSERT INTO row_counts (db_id, resource, n) SELECT db_id, 'customers', count(*) FROM customers GROUP BY db_id;
INSERT INTO row_counts (db_id, resource, n) SELECT db_id, 'products', count(*) FROM products GROUP BY db_id;
INSERT INTO row_counts (db_id, resource, n) SELECT db_id, 'orders', count(*) FROM orders GROUP BY db_id;
