-- The change feed (§14). changes holds, per database, one row per row of
-- data that ever existed: its kind and id, whether it now exists (upsert)
-- or was deleted, its team (visits, plans, orders), and rev, the revision
-- of its latest change. change_heads holds each database's latest
-- revision: every writing transaction takes its revisions from that row
-- just before it commits, holding the row until then, so revisions follow
-- commit order and a reader that saw revision r has seen every change
-- below it (see the README's Design section).

CREATE TABLE change_heads (
    db_id BIGINT PRIMARY KEY,
    rev   BIGINT NOT NULL
);

CREATE TABLE changes (
    db_id   BIGINT NOT NULL,
    kind    TEXT NOT NULL,
    id      BIGINT NOT NULL,
    rev     BIGINT NOT NULL,
    op      TEXT NOT NULL,
    team_id BIGINT,
    PRIMARY KEY (db_id, kind, id)
);
CREATE UNIQUE INDEX changes_rev ON changes (db_id, rev);

-- Every row there is now, oldest change first, is the feed's beginning.
WITH all_rows (db_id, kind, id, team_id, op, at) AS (
    SELECT db_id, 'customer', id, CAST(NULL AS BIGINT), 'upsert', updated_at FROM customers
    UNION ALL SELECT db_id, 'product', id, CAST(NULL AS BIGINT), 'upsert', updated_at FROM products
    UNION ALL SELECT db_id, 'visit', id, team_id, 'upsert', updated_at FROM visits
    UNION ALL SELECT db_id, 'visit_plan', id, team_id, 'upsert', updated_at FROM visit_plans
    UNION ALL SELECT db_id, 'order', id, team_id, 'upsert', updated_at FROM orders
    UNION ALL SELECT db_id, CASE resource WHEN 'customers' THEN 'customer' WHEN 'products' THEN 'product'
            WHEN 'visits' THEN 'visit' ELSE 'visit_plan' END, id, CAST(NULL AS BIGINT), 'delete', deleted_at
        FROM tombstones WHERE resource IN ('customers', 'products', 'visits', 'visit_plans')
)
INSERT INTO changes (db_id, kind, id, rev, op, team_id)
SELECT db_id, kind, id, row_number() OVER (PARTITION BY db_id ORDER BY at, kind, id), op, team_id FROM all_rows;

INSERT INTO change_heads (db_id, rev) SELECT db_id, max(rev) FROM changes GROUP BY db_id;
