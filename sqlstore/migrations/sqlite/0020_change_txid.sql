-- The change feed orders changes by (txid, rev). On PostgreSQL txid is the
-- writing transaction's id; SQLite has one writer, whose revisions from
-- change_heads already follow commit order, so txid is always 0 here and
-- the order is rev's. The column keeps one feed query for both.

ALTER TABLE changes ADD COLUMN txid INTEGER NOT NULL DEFAULT 0;
DROP INDEX changes_rev;
CREATE UNIQUE INDEX changes_txid ON changes (db_id, txid, rev);
