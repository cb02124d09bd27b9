-- Accounts, tenancy and teams.
--
-- Tables of tenant data carry db_id, and every primary key, unique constraint
-- and index of them leads with db_id, so the schema can be distributed by
-- db_id (Citus) unchanged. Times are unix microseconds (UTC), as in the SQLite
-- schema, so both stores order and compare them the same way.

CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);

CREATE SEQUENCE databases_id_seq;
CREATE TABLE databases (
    db_id      BIGINT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE SEQUENCE users_id_seq;
CREATE TABLE users (
    id            BIGINT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);

CREATE TABLE tokens (
    hash       BYTEA PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX tokens_user ON tokens (user_id, expires_at);

CREATE SEQUENCE teams_id_seq;
CREATE TABLE teams (
    db_id               BIGINT NOT NULL REFERENCES databases (db_id),
    id                  BIGINT NOT NULL,
    name                TEXT NOT NULL,
    ext_salesman_number TEXT NOT NULL DEFAULT '',
    status              BOOLEAN NOT NULL DEFAULT TRUE,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    PRIMARY KEY (db_id, id)
);

CREATE TABLE memberships (
    db_id      BIGINT NOT NULL,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    team_id    BIGINT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('admin', 'member')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (db_id, user_id),
    FOREIGN KEY (db_id, team_id) REFERENCES teams (db_id, id)
);
