-- Sessions of the manager's console (package console), shared by every
-- server process. db_id is the database the session was opened for, 0
-- until its user picks one; the cookie names it beside the secret, so a
-- session is found by its whole key. Only the SHA-256 hash of the secret is
-- kept. Sessions idle for 12 hours are refused, and swept.

CREATE TABLE console_sessions (
    db_id        INTEGER NOT NULL,
    hash         BLOB NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    PRIMARY KEY (db_id, hash)
) STRICT, WITHOUT ROWID;
