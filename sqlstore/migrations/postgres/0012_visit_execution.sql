-- Visit execution (§10) and database settings (§10.1).
--
-- A visit gains what happened at the customer: notes, outcome, planned
-- minutes, and its check-in and check-out with the position, its accuracy
-- and how it compared with the customer's location. plan_id names the
-- visit plan (§12) that created it, if any.

ALTER TABLE visits ADD COLUMN plan_id BIGINT;
ALTER TABLE visits ADD COLUMN notes TEXT NOT NULL DEFAULT '';
ALTER TABLE visits ADD COLUMN outcome TEXT NOT NULL DEFAULT '';
ALTER TABLE visits ADD COLUMN duration_min BIGINT NOT NULL DEFAULT 15;
ALTER TABLE visits ADD COLUMN in_at BIGINT;
ALTER TABLE visits ADD COLUMN in_device_time TEXT;
ALTER TABLE visits ADD COLUMN in_lat DOUBLE PRECISION;
ALTER TABLE visits ADD COLUMN in_lon DOUBLE PRECISION;
ALTER TABLE visits ADD COLUMN in_accuracy DOUBLE PRECISION;
ALTER TABLE visits ADD COLUMN in_mocked BOOLEAN;
ALTER TABLE visits ADD COLUMN in_distance BIGINT;
ALTER TABLE visits ADD COLUMN in_verification TEXT;
ALTER TABLE visits ADD COLUMN out_at BIGINT;
ALTER TABLE visits ADD COLUMN out_device_time TEXT;
ALTER TABLE visits ADD COLUMN out_lat DOUBLE PRECISION;
ALTER TABLE visits ADD COLUMN out_lon DOUBLE PRECISION;
ALTER TABLE visits ADD COLUMN out_accuracy DOUBLE PRECISION;
ALTER TABLE visits ADD COLUMN out_mocked BOOLEAN;
ALTER TABLE visits ADD COLUMN out_distance BIGINT;
ALTER TABLE visits ADD COLUMN out_verification TEXT;

ALTER TABLE databases ADD COLUMN geofence_radius_m BIGINT NOT NULL DEFAULT 200;
ALTER TABLE databases ADD COLUMN timezone TEXT NOT NULL DEFAULT 'Asia/Jakarta';
