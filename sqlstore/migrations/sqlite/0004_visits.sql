-- Planned customer visits (§5): each team's route per day, in seq order.

INSERT INTO id_seq (name, last) VALUES ('visits', 0);

CREATE TABLE visits (
    db_id       INTEGER NOT NULL,
    id          INTEGER NOT NULL,
    date        TEXT NOT NULL,           -- YYYY-MM-DD
    team_id     INTEGER NOT NULL,
    customer_id INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    status      TEXT NOT NULL DEFAULT 'planned',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (db_id, id),
    FOREIGN KEY (db_id, team_id) REFERENCES teams (db_id, id),
    FOREIGN KEY (db_id, customer_id) REFERENCES customers (db_id, id)
) STRICT, WITHOUT ROWID;
-- One seq per place in a route: the backstop of atomic appends, and the
-- order of the visit list.
CREATE UNIQUE INDEX visits_route ON visits (db_id, date, team_id, seq);
CREATE INDEX visits_team_date ON visits (db_id, team_id, date, seq);
CREATE INDEX visits_customer ON visits (db_id, customer_id);
CREATE INDEX visits_updated ON visits (db_id, updated_at, id);
