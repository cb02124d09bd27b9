package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/salesmania/salesmania"
)

// FindSettings returns a database's settings (§10.1); ENOTFOUND if the
// database does not exist.
func (s *Store) FindSettings(ctx context.Context, dbID int64) (*salesmania.Settings, error) {
	set, err := s.settings(ctx, s.r, dbID, "")
	return set, s.wrap(err)
}

func (s *Store) settings(ctx context.Context, db queryer, dbID int64, lock string) (*salesmania.Settings, error) {
	var set salesmania.Settings
	err := db.QueryRowContext(ctx, "SELECT geofence_radius_m, timezone FROM databases WHERE db_id = $1"+lock, dbID).Scan(&set.GeofenceRadiusM, &set.Timezone)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, salesmania.Errorf(salesmania.ENOTFOUND, "Database %d not found.", dbID)
	}
	if err != nil {
		return nil, err
	}
	return &set, nil
}

// UpdateSettings applies the fields to a database's settings (EINVALID for
// bad ones, ENOTFOUND if the database does not exist) and returns them.
func (s *Store) UpdateSettings(ctx context.Context, dbID int64, f *salesmania.SettingsFields) (*salesmania.Settings, error) {
	var out *salesmania.Settings
	err := s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		set, err := s.settings(ctx, tx, dbID, s.forUpdate())
		if err != nil {
			return err
		}
		changed, err := f.ApplyTo(set)
		if err != nil {
			return err
		}
		out = set
		if !changed {
			return nil
		}
		_, err = tx.ExecContext(ctx, "UPDATE databases SET geofence_radius_m = $2, timezone = $3 WHERE db_id = $1", dbID, set.GeofenceRadiusM, set.Timezone)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
