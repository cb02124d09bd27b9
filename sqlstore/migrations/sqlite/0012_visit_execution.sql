-- Visit execution (§10) and database settings (§10.1).
--
-- A visit gains what happened at the customer: notes, outcome, planned
-- minutes, and its check-in and check-out with the position, its accuracy
-- and how it compared with the customer's location. plan_id names the
-- visit plan (§12) that created it, if any.

ALTER TABLE visits ADD COLUMN plan_id INTEGER;
ALTER TABLE visits ADD COLUMN notes TEXT NOT NULL DEFAULT '';
ALTER TABLE visits ADD COLUMN outcome TEXT NOT NULL DEFAULT '';
ALTER TABLE visits ADD COLUMN duration_min INTEGER NOT NULL DEFAULT 15;
ALTER TABLE visits ADD COLUMN in_at INTEGER;
ALTER TABLE visits ADD COLUMN in_device_time TEXT;
ALTER TABLE visits ADD COLUMN in_lat REAL;
ALTER TABLE visits ADD COLUMN in_lon REAL;
ALTER TABLE visits ADD COLUMN in_accuracy REAL;
ALTER TABLE visits ADD COLUMN in_mocked INTEGER;
ALTER TABLE visits ADD COLUMN in_distance INTEGER;
ALTER TABLE visits ADD COLUMN in_verification TEXT;
ALTER TABLE visits ADD COLUMN out_at INTEGER;
ALTER TABLE visits ADD COLUMN out_device_time TEXT;
ALTER TABLE visits ADD COLUMN out_lat REAL;
ALTER TABLE visits ADD COLUMN out_lon REAL;
ALTER TABLE visits ADD COLUMN out_accuracy REAL;
ALTER TABLE visits ADD COLUMN out_mocked INTEGER;
ALTER TABLE visits ADD COLUMN out_distance INTEGER;
ALTER TABLE visits ADD COLUMN out_verification TEXT;

ALTER TABLE databases ADD COLUMN geofence_radius_m INTEGER NOT NULL DEFAULT 200;
ALTER TABLE databases ADD COLUMN timezone TEXT NOT NULL DEFAULT 'Asia/Jakarta';
