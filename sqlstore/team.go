package sqlstore

import (
	"context"

	"github.com/salesmania/salesmania"
)

// CreateTeam stores a new team in database dbID and sets its ID and times.
func (s *Store) CreateTeam(ctx context.Context, dbID int64, t *salesmania.Team) error {
	if err := t.Validate(); err != nil {
		return err
	}
	now := salesmania.Now()
	return s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		if err := s.checkDatabase(ctx, tx, dbID); err != nil {
			return err
		}
		id, err := s.nextID(ctx, tx, "teams")
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO teams (db_id, id, name, ext_salesman_number, status, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6)`, dbID, id, t.Name, t.ExtSalesmanNumber, t.Status, micros(now))
		if err != nil {
			return err
		}
		t.ID, t.DBID, t.CreatedAt, t.UpdatedAt = id, dbID, now, now
		return nil
	})
}

// ListTeams returns the teams of the database ordered by id.
func (s *Store) ListTeams(ctx context.Context, dbID int64) ([]salesmania.Team, error) {
	rows, err := s.r.QueryContext(ctx, `
		SELECT id, name, ext_salesman_number, status, created_at, updated_at
		FROM teams WHERE db_id = $1 ORDER BY id`, dbID)
	if err != nil {
		return nil, s.wrap(err)
	}
	defer rows.Close()
	out := []salesmania.Team{}
	for rows.Next() {
		t := salesmania.Team{DBID: dbID}
		var created, updated int64
		if err := rows.Scan(&t.ID, &t.Name, &t.ExtSalesmanNumber, &t.Status, &created, &updated); err != nil {
			return nil, s.wrap(err)
		}
		t.CreatedAt, t.UpdatedAt = fromMicros(created), fromMicros(updated)
		out = append(out, t)
	}
	return out, s.wrap(rows.Err())
}
