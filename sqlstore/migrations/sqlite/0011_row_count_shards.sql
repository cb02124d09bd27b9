-- Row counts are kept in shards: a write adds to one shard of its count and
-- a total sums them, so concurrent writers on PostgreSQL do not queue on one
-- row lock held until each commit. SQLite has one writer and keeps to shard
-- 0; the column is here so both databases share the SQL.

CREATE TABLE row_counts_sharded (
    db_id    INTEGER NOT NULL,
    resource TEXT NOT NULL,
    shard    INTEGER NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (db_id, resource, shard)
) STRICT, WITHOUT ROWID;
INSERT INTO row_counts_sharded (db_id, resource, shard, n) SELECT db_id, resource, 0, n FROM row_counts;
DROP TABLE row_counts;
ALTER TABLE row_counts_sharded RENAME TO row_counts;
