-- Row counts are kept in shards: a write adds to one shard of its count,
-- chosen at random, and a total sums them, so concurrent writers do not
-- queue on one row lock held until each commit (it had serialized every
-- POST /customers and POST /orders of a database behind one fsync each).

ALTER TABLE row_counts ADD COLUMN shard SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE row_counts DROP CONSTRAINT row_counts_pkey;
ALTER TABLE row_counts ADD PRIMARY KEY (db_id, resource, shard);
