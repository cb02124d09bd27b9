package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"github.com/salesmania/salesmania"
)

// Visit execution (§10). Every change of a day's seqs runs with the team's
// row locked (FOR NO KEY UPDATE on PostgreSQL, as appends do; SQLite's
// single writer gives the same order by itself), so two changes of one
// team's days — from any number of server processes — take turns and a
// day's seqs stay exactly 1..n. Seqs are renumbered in two statements,
// through negative values, because the unique index on (db_id, date,
// team_id, seq) is checked row by row.

func visitNotFound(id int64) error {
	return salesmania.Errorf(salesmania.ENOTFOUND, "Visit %d not found.", id)
}

// lockVisit reads a visit of the scope for a change: it locks the visit's
// team row, then the visit row. ENOTFOUND when it is not in the database or
// not of a team in the scope.
func (s *Store) lockVisit(ctx context.Context, tx *txn, dbID int64, teams salesmania.TeamScope, id int64) (*salesmania.Visit, error) {
	q := &query{}
	q.and("v.db_id = " + q.arg(dbID))
	q.and("v.id = " + q.arg(id))
	q.inTeams("v.team_id", teams)
	var team int64
	err := tx.QueryRowContext(ctx, "SELECT v.team_id FROM visits v"+q.whereClause(), q.args...).Scan(&team)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, visitNotFound(id)
	} else if err != nil {
		return nil, err
	}
	if err := s.lockTeam(ctx, tx, dbID, team); err != nil {
		return nil, err
	}
	lock := ""
	if s.dialect == dialectPostgres {
		lock = " FOR UPDATE OF v"
	}
	v, err := scanVisit(tx.QueryRowContext(ctx, "SELECT "+visitColumns+" FROM "+visitFrom+q.whereClause()+lock, q.args...), dbID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, visitNotFound(id)
	}
	return v, err
}

// lockTeam takes the lock under which a team's routes change, and reports
// EINVALID (team_id) when the team is not in the database.
func (s *Store) lockTeam(ctx context.Context, tx *txn, dbID, team int64) error {
	lock := ""
	if s.dialect == dialectPostgres {
		lock = " FOR NO KEY UPDATE"
	}
	var id int64
	err := tx.QueryRowContext(ctx, "SELECT id FROM teams WHERE db_id = $1 AND id = $2"+lock, dbID, team).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return &salesmania.Error{Code: salesmania.EINVALID, Message: "team_id is not a team of this database.",
			Fields: []salesmania.FieldError{{Field: "team_id", Message: "is not a team of this database"}}}
	}
	return err
}

// closeGap moves the visits after seq of a team's day up one place, after
// the visit at seq left the day.
func closeGap(ctx context.Context, tx *txn, dbID, team int64, date string, seq int64, now int64) error {
	rows, err := tx.QueryContext(ctx, "SELECT id FROM visits WHERE db_id = $1 AND team_id = $2 AND date = $3 AND seq > $4", dbID, team, date, seq)
	if err != nil {
		return err
	}
	var moved []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		moved = append(moved, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range moved {
		recordChange(tx, dbID, salesmania.ChangeVisit, id, team, salesmania.OpUpsert)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE visits SET seq = -(seq - 1), updated_at = $5
		WHERE db_id = $1 AND team_id = $2 AND date = $3 AND seq > $4`, dbID, team, date, seq, now); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, "UPDATE visits SET seq = -seq WHERE db_id = $1 AND team_id = $2 AND date = $3 AND seq < 0", dbID, team, date)
	return err
}

// nextSeq is the seq a visit appended to a team's day gets.
func nextSeq(ctx context.Context, tx *txn, dbID, team int64, date string) (int64, error) {
	var seq int64
	err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(seq), 0) + 1 FROM visits WHERE db_id = $1 AND date = $2 AND team_id = $3",
		dbID, date, team).Scan(&seq)
	return seq, err
}

// UpdateVisit applies a PATCH (§10). A new date takes the visit out of its
// day, whose later visits move up, and appends it to the new day. A PATCH
// that changes nothing keeps updated_at.
func (s *Store) UpdateVisit(ctx context.Context, dbID int64, teams salesmania.TeamScope, id int64, f *salesmania.VisitFields) (*salesmania.Visit, error) {
	var out *salesmania.Visit
	err := s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		v, err := s.lockVisit(ctx, tx, dbID, teams, id)
		if err != nil {
			return err
		}
		before := *v
		changed, err := f.ApplyTo(v)
		if err != nil {
			return err
		}
		out = v
		if !changed {
			return nil
		}
		now := salesmania.Now()
		v.UpdatedAt = now
		recordChange(tx, dbID, salesmania.ChangeVisit, id, v.TeamID, salesmania.OpUpsert)
		if v.Date != before.Date {
			if v.Seq, err = nextSeq(ctx, tx, dbID, v.TeamID, v.Date); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE visits SET date = $3, seq = $4, status = $5, notes = $6, outcome = $7, duration_min = $8, updated_at = $9
			WHERE db_id = $1 AND id = $2`, dbID, id, v.Date, v.Seq, v.Status, v.Notes, v.Outcome, v.DurationMin, micros(now)); err != nil {
			return err
		}
		if v.Date != before.Date {
			return closeGap(ctx, tx, dbID, v.TeamID, before.Date, before.Seq, micros(now))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteVisit deletes a planned or skipped visit (ECONFLICT otherwise); the
// later visits of its day move up one place.
func (s *Store) DeleteVisit(ctx context.Context, dbID int64, teams salesmania.TeamScope, id int64) error {
	return s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		v, err := s.lockVisit(ctx, tx, dbID, teams, id)
		if err != nil {
			return err
		}
		if err := v.CanDelete(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM visits WHERE db_id = $1 AND id = $2", dbID, id); err != nil {
			return err
		}
		now := salesmania.Now()
		recordChange(tx, dbID, salesmania.ChangeVisit, id, v.TeamID, salesmania.OpDelete)
		if err := addTombstone(ctx, tx, dbID, "visits", id, now); err != nil {
			return err
		}
		return closeGap(ctx, tx, dbID, v.TeamID, v.Date, v.Seq, micros(now))
	})
}

// CheckInVisit records a check-in on a planned visit (ECONFLICT otherwise),
// verified with the database's geofence radius as it is now.
func (s *Store) CheckInVisit(ctx context.Context, dbID int64, teams salesmania.TeamScope, id int64, c *salesmania.VisitCheck) (*salesmania.Visit, error) {
	return s.recordCheck(ctx, dbID, teams, id, func(v *salesmania.Visit, radius int64) error { return v.RecordCheckIn(c, radius) })
}

// CheckOutVisit records a check-out on a checked-in visit (ECONFLICT
// otherwise), with the outcome and notes of f when sent.
func (s *Store) CheckOutVisit(ctx context.Context, dbID int64, teams salesmania.TeamScope, id int64, c *salesmania.VisitCheck, f *salesmania.CheckFields) (*salesmania.Visit, error) {
	return s.recordCheck(ctx, dbID, teams, id, func(v *salesmania.Visit, radius int64) error { return v.RecordCheckOut(c, f, radius) })
}

func (s *Store) recordCheck(ctx context.Context, dbID int64, teams salesmania.TeamScope, id int64, record func(v *salesmania.Visit, radius int64) error) (*salesmania.Visit, error) {
	var out *salesmania.Visit
	err := s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		v, err := s.lockVisit(ctx, tx, dbID, teams, id)
		if err != nil {
			return err
		}
		set, err := s.settings(ctx, tx, dbID, "")
		if err != nil {
			return err
		}
		if err := record(v, set.GeofenceRadiusM); err != nil {
			return err
		}
		v.UpdatedAt = salesmania.Now()
		recordChange(tx, dbID, salesmania.ChangeVisit, id, v.TeamID, salesmania.OpUpsert)
		args := []any{dbID, id, v.Status, v.Notes, v.Outcome, micros(v.UpdatedAt)}
		args = append(args, checkArgs(v.CheckIn)...)
		args = append(args, checkArgs(v.CheckOut)...)
		if _, err := tx.ExecContext(ctx, `UPDATE visits SET status = $3, notes = $4, outcome = $5, updated_at = $6,
				in_at = $7, in_device_time = $8, in_lat = $9, in_lon = $10, in_accuracy = $11, in_mocked = $12, in_distance = $13, in_verification = $14,
				out_at = $15, out_device_time = $16, out_lat = $17, out_lon = $18, out_accuracy = $19, out_mocked = $20, out_distance = $21, out_verification = $22
			WHERE db_id = $1 AND id = $2`, args...); err != nil {
			return err
		}
		out = v
		return markCommitted(ctx, tx, salesmania.ResourceVisit, dbID, id)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ReorderDay sets the order of a team's day to the one order returns for
// the day as it is under the team's lock (§10, §11): the ids must be
// exactly the day's visits (EINVALID naming visit_ids otherwise); the visit
// at index i gets seq i+1, and a visit whose seq stays keeps its
// updated_at. It returns the day in its new order. EINVALID (team_id) when
// the team is not in the database.
func (s *Store) ReorderDay(ctx context.Context, dbID, team int64, date string, order func(day []salesmania.Visit) ([]int64, error)) ([]salesmania.Visit, error) {
	var out []salesmania.Visit
	err := s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		if err := s.lockTeam(ctx, tx, dbID, team); err != nil {
			return err
		}
		day, err := s.dayVisits(ctx, tx, dbID, team, date)
		if err != nil {
			return err
		}
		ids, err := order(slices.Clone(day))
		if err != nil {
			return err
		}
		if err := salesmania.CheckSequence(day, ids); err != nil {
			return err
		}
		out, err = s.applySequence(ctx, tx, dbID, team, date, day, ids)
		return err
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []salesmania.Visit{}
	}
	return out, nil
}

// dayVisits reads a team's day in seq order, locking its rows on
// PostgreSQL (the team's row is locked already).
func (s *Store) dayVisits(ctx context.Context, tx *txn, dbID, team int64, date string) ([]salesmania.Visit, error) {
	lock := ""
	if s.dialect == dialectPostgres {
		lock = " FOR UPDATE OF v"
	}
	rows, err := tx.QueryContext(ctx, "SELECT "+visitColumns+" FROM "+visitFrom+
		" WHERE v.db_id = $1 AND v.team_id = $2 AND v.date = $3 ORDER BY v.seq"+lock, dbID, team, date)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var day []salesmania.Visit
	for rows.Next() {
		day = append(day, salesmania.Visit{})
		if err := scanVisitInto(rows, dbID, &day[len(day)-1]); err != nil {
			return nil, err
		}
	}
	return day, rows.Err()
}

// applySequence gives the visits of day (in their current order) the order
// of ids, which CheckSequence accepted, and returns them in that order.
func (s *Store) applySequence(ctx context.Context, tx *txn, dbID, team int64, date string, day []salesmania.Visit, ids []int64) ([]salesmania.Visit, error) {
	byID := make(map[int64]*salesmania.Visit, len(day))
	for i := range day {
		byID[day[i].ID] = &day[i]
	}
	now := salesmania.Now()
	var moved []int64
	out := make([]salesmania.Visit, len(ids))
	for i, id := range ids {
		v := byID[id]
		if v.Seq != int64(i+1) {
			v.Seq, v.UpdatedAt = int64(i+1), now
			moved = append(moved, id, v.Seq)
			recordChange(tx, dbID, salesmania.ChangeVisit, id, team, salesmania.OpUpsert)
		}
		out[i] = *v
	}
	if len(moved) == 0 {
		return out, nil
	}
	for i := 0; i < len(moved); i += 2 {
		if _, err := tx.ExecContext(ctx, "UPDATE visits SET seq = $3, updated_at = $4 WHERE db_id = $1 AND id = $2",
			dbID, moved[i], -moved[i+1], micros(now)); err != nil {
			return nil, err
		}
	}
	if _, err := tx.ExecContext(ctx, "UPDATE visits SET seq = -seq WHERE db_id = $1 AND team_id = $2 AND date = $3 AND seq < 0",
		dbID, team, date); err != nil {
		return nil, err
	}
	return out, nil
}
