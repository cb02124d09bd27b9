-- Visit plans, call cycles (§12): a customer visited by a team on some
-- weekdays every few weeks. visit_plan_occurrences remembers every (plan,
-- date) ever materialised, so a visit deleted or moved later is not made
-- again, and two materialisations at once make each occurrence once.

INSERT INTO id_seq (name, last) VALUES ('visit_plans', 0);

CREATE TABLE visit_plans (
    db_id        INTEGER NOT NULL,
    id           INTEGER NOT NULL,
    team_id      INTEGER NOT NULL,
    customer_id  INTEGER NOT NULL,
    weekdays     TEXT NOT NULL,           -- JSON array of ISO weekdays, sorted
    every_weeks  INTEGER NOT NULL,
    start_date   TEXT NOT NULL,           -- YYYY-MM-DD
    end_date     TEXT,
    duration_min INTEGER NOT NULL,
    active       INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (db_id, id),
    FOREIGN KEY (db_id, team_id) REFERENCES teams (db_id, id),
    FOREIGN KEY (db_id, customer_id) REFERENCES customers (db_id, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX visit_plans_team ON visit_plans (db_id, team_id, id);
CREATE INDEX visit_plans_customer ON visit_plans (db_id, customer_id);
CREATE INDEX visit_plans_updated ON visit_plans (db_id, updated_at, id);

CREATE TABLE visit_plan_occurrences (
    db_id   INTEGER NOT NULL,
    plan_id INTEGER NOT NULL,
    date    TEXT NOT NULL,
    PRIMARY KEY (db_id, plan_id, date),
    FOREIGN KEY (db_id, plan_id) REFERENCES visit_plans (db_id, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
