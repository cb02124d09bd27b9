-- Visit plans, call cycles (§12): a customer visited by a team on some
-- weekdays every few weeks. visit_plan_occurrences remembers every (plan,
-- date) ever materialised, so a visit deleted or moved later is not made
-- again, and two materialisations at once make each occurrence once.

CREATE SEQUENCE visit_plans_id_seq;

CREATE TABLE visit_plans (
    db_id        BIGINT NOT NULL,
    id           BIGINT NOT NULL,
    team_id      BIGINT NOT NULL,
    customer_id  BIGINT NOT NULL,
    weekdays     TEXT NOT NULL,           -- JSON array of ISO weekdays, sorted
    every_weeks  BIGINT NOT NULL,
    start_date   TEXT NOT NULL,           -- YYYY-MM-DD
    end_date     TEXT,
    duration_min BIGINT NOT NULL,
    active       BOOLEAN NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (db_id, id),
    FOREIGN KEY (db_id, team_id) REFERENCES teams (db_id, id),
    FOREIGN KEY (db_id, customer_id) REFERENCES customers (db_id, id)
);
CREATE INDEX visit_plans_team ON visit_plans (db_id, team_id, id);
CREATE INDEX visit_plans_customer ON visit_plans (db_id, customer_id);
CREATE INDEX visit_plans_updated ON visit_plans (db_id, updated_at, id);

CREATE TABLE visit_plan_occurrences (
    db_id   BIGINT NOT NULL,
    plan_id BIGINT NOT NULL,
    date    TEXT NOT NULL,
    PRIMARY KEY (db_id, plan_id, date),
    FOREIGN KEY (db_id, plan_id) REFERENCES visit_plans (db_id, id) ON DELETE CASCADE
);
