-- Accounts, tenancy and teams.
--
-- Tables of tenant data carry db_id, and every primary key, unique constraint
-- and index of them leads with db_id, so the PostgreSQL twin of this schema can
-- be distributed by db_id (Citus) unchanged. Times are unix microseconds (UTC).

CREATE TABLE id_seq (
    name TEXT PRIMARY KEY,
    last INTEGER NOT NULL
) STRICT;
INSERT INTO id_seq (name, last) VALUES ('databases', 0), ('users', 0), ('teams', 0);

CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
) STRICT;

CREATE TABLE databases (
    db_id      INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE tokens (
    hash       BLOB PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX tokens_user ON tokens (user_id, expires_at);

CREATE TABLE teams (
    db_id               INTEGER NOT NULL REFERENCES databases (db_id),
    id                  INTEGER NOT NULL,
    name                TEXT NOT NULL,
    ext_salesman_number TEXT NOT NULL DEFAULT '',
    status              INTEGER NOT NULL DEFAULT 1,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    PRIMARY KEY (db_id, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE memberships (
    db_id      INTEGER NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    team_id    INTEGER NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('admin', 'member')),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (db_id, user_id),
    FOREIGN KEY (db_id, team_id) REFERENCES teams (db_id, id)
) STRICT, WITHOUT ROWID;
