-- The change feed on PostgreSQL orders changes by the transaction that
-- wrote them instead of a revision taken under a lock (see the README's
-- Design section). Each change row carries txid, the id of the writing
-- transaction (pg_current_xact_id(), 64 bits, never wraps), plus
-- change_clock.base, and rev, a number from change_rev_seq; the feed hands
-- out, in (txid, rev) order, only changes whose txid is below the oldest
-- transaction still running (pg_snapshot_xmin, plus the same base), read
-- in the same snapshot as the page. Every change already there gets
-- txid 0: it committed before any transaction to come, and positions given
-- out so far (txid 0 and their rev) stay valid.
--
-- A database's change_clock.base is 0 (no row) until it is restored from
-- a dump into another PostgreSQL cluster, whose transaction ids may be
-- lower than those stored: the store then raises it when it opens
-- (sqlstore/feed.go), so new changes still come after every position given
-- out.

ALTER TABLE changes ADD COLUMN txid BIGINT NOT NULL DEFAULT 0;
DROP INDEX changes_rev;
CREATE UNIQUE INDEX changes_txid ON changes (db_id, txid, rev);

CREATE SEQUENCE change_rev_seq;
SELECT setval('change_rev_seq', COALESCE((SELECT max(rev) FROM changes), 0) + 1, false);

CREATE TABLE change_clock (
    db_id BIGINT PRIMARY KEY,
    base  BIGINT NOT NULL
);

DROP TABLE change_heads;
