-- Failed logins (§1.2, §9), per email and per client address, shared by
-- every server process. Not tenant data: a login names no database yet.

CREATE TABLE login_failures (
    subject      TEXT PRIMARY KEY,  -- "email:<normalized email>" or "addr:<client address>"
    failures     BIGINT NOT NULL,
    window_start BIGINT NOT NULL,
    locked_until BIGINT NOT NULL DEFAULT 0
);
