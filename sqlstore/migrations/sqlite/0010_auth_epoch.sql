-- A counter bumped in the same transaction as every change that can take
-- access away (a revoked token, a membership changed or removed), so each
-- server process can keep its cache of bearer tokens and drop it when the
-- counter moves (see authcache.go).

CREATE TABLE auth_epoch (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
) STRICT;
INSERT INTO auth_epoch (id, n) VALUES (1, 0);
