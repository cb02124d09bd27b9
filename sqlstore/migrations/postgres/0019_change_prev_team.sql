-- A visit plan can move to another team (PATCH team_id). The feed row of a
-- row that moved keeps the team it left in prev_team_id, so that team's
-- members get a delete for it, and the new team's an upsert.

ALTER TABLE changes ADD COLUMN prev_team_id BIGINT;
