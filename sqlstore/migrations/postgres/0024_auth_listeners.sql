-- One row per server process that listens for the auth epoch's NOTIFY and
-- trusts its token cache while its lease (expires_at) is live
-- (authlisten.go): a change that takes access away waits, after its
-- commit, until every live row has seen its epoch. seen is the epoch the
-- process's cache is in step with. Leases are worthless after a crash of
-- the database, as are the connections that held them: UNLOGGED.

CREATE UNLOGGED TABLE auth_listeners (
    id         TEXT PRIMARY KEY,
    seen       BIGINT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
