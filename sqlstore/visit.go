package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/salesmania/salesmania"
)

// maxAppendAttempts bounds the retries of an append that lost a race for a
// seq. With the team row locked first, PostgreSQL should never need one;
// the unique index on (db_id, date, team_id, seq) is the backstop.
const maxAppendAttempts = 5

// AppendVisit stores the visit last in its team's route for its date.
//
// On PostgreSQL the team's row is locked (FOR NO KEY UPDATE) before the
// highest seq is read, so appends for one team take turns across every
// server process, while appends for other teams and foreign-key checks go
// on. SQLite's single writer gives the same order by itself.
func (s *Store) AppendVisit(ctx context.Context, dbID int64, v *salesmania.Visit) error {
	var err error
	for attempt := 1; attempt <= maxAppendAttempts; attempt++ {
		err = s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error { return s.appendVisit(ctx, tx, dbID, v) })
		// A customer deleted between its check and the insert fails the
		// foreign key; the next attempt's check refuses the visit (see
		// maxGoneAttempts).
		if !errors.Is(err, errUnique) && !errors.Is(err, errForeignKey) {
			return err
		}
	}
	return err
}

func (s *Store) appendVisit(ctx context.Context, tx *txn, dbID int64, v *salesmania.Visit) error {
	lock := ""
	if s.dialect == dialectPostgres {
		lock = " FOR NO KEY UPDATE"
	}
	var p salesmania.Problems
	var teamID int64
	err := tx.QueryRowContext(ctx, "SELECT id FROM teams WHERE db_id = $1 AND id = $2"+lock, dbID, v.TeamID).Scan(&teamID)
	if errors.Is(err, sql.ErrNoRows) {
		p.Add("team_id", "is not a team of this database")
	} else if err != nil {
		return err
	}
	c, err := visitCustomer(ctx, tx, dbID, v.CustomerID)
	if errors.Is(err, sql.ErrNoRows) {
		p.Add("customer_id", "is not a customer of this database")
	} else if err != nil {
		return err
	}
	if err := p.Err(); err != nil {
		return err
	}
	if err := s.insertVisit(ctx, tx, dbID, v); err != nil {
		return err
	}
	v.Customer = *c
	return markCommitted(ctx, tx, salesmania.ResourceVisit, dbID, v.ID)
}

// insertVisit stores v last in its team's day, whose lock the caller
// holds, and fills its ID, Seq and times.
func (s *Store) insertVisit(ctx context.Context, tx *txn, dbID int64, v *salesmania.Visit) error {
	seq, err := nextSeq(ctx, tx, dbID, v.TeamID, v.Date)
	if err != nil {
		return err
	}
	id, err := s.nextID(ctx, tx, "visits")
	if err != nil {
		return err
	}
	now := salesmania.Now()
	if v.DurationMin == 0 {
		v.DurationMin = salesmania.DefaultVisitDuration
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO visits (db_id, id, date, team_id, customer_id, seq, status, plan_id, duration_min, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)`,
		dbID, id, v.Date, v.TeamID, v.CustomerID, seq, v.Status, ptrArg(v.PlanID), v.DurationMin, micros(now)); err != nil {
		return err
	}
	v.ID, v.DBID, v.Seq, v.CreatedAt, v.UpdatedAt = id, dbID, seq, now, now
	recordChange(tx, dbID, salesmania.ChangeVisit, id, v.TeamID, salesmania.OpUpsert)
	return nil
}

func visitCustomer(ctx context.Context, db queryer, dbID, id int64) (*salesmania.VisitCustomer, error) {
	c := salesmania.VisitCustomer{ID: id}
	var lat, lon sql.NullFloat64
	if err := db.QueryRowContext(ctx, "SELECT name, address, city, lat, lon FROM customers WHERE db_id = $1 AND id = $2", dbID, id).
		Scan(&c.Name, &c.Address, &c.City, &lat, &lon); err != nil {
		return nil, err
	}
	if lat.Valid && lon.Valid {
		c.Location = &salesmania.Location{Lat: lat.Float64, Lon: lon.Float64}
	}
	return &c, nil
}

const visitColumns = "v.id, v.date, v.customer_id, v.team_id, v.seq, v.status, v.plan_id, v.notes, v.outcome, v.duration_min, " +
	"v.in_at, v.in_device_time, v.in_lat, v.in_lon, v.in_accuracy, v.in_mocked, v.in_distance, v.in_verification, " +
	"v.out_at, v.out_device_time, v.out_lat, v.out_lon, v.out_accuracy, v.out_mocked, v.out_distance, v.out_verification, " +
	"v.created_at, v.updated_at, c.name, c.address, c.city, c.lat, c.lon"

const visitFrom = "visits v JOIN customers c ON c.db_id = v.db_id AND c.id = v.customer_id"

func scanVisit(row rowScanner, dbID int64) (*salesmania.Visit, error) {
	v := new(salesmania.Visit)
	if err := scanVisitInto(row, dbID, v); err != nil {
		return nil, err
	}
	return v, nil
}

// checkColumns are the columns of a check-in or check-out as scanned.
type checkColumns struct {
	at                 sql.NullInt64
	deviceTime         sql.NullString
	lat, lon, accuracy sql.NullFloat64
	mocked             sql.NullBool
	distance           sql.NullInt64
	verification       sql.NullString
}

func (c *checkColumns) dest() []any {
	return []any{&c.at, &c.deviceTime, &c.lat, &c.lon, &c.accuracy, &c.mocked, &c.distance, &c.verification}
}

// check returns the recorded check, nil when there is none.
func (c *checkColumns) check() *salesmania.VisitCheck {
	if !c.at.Valid {
		return nil
	}
	out := &salesmania.VisitCheck{At: fromMicros(c.at.Int64), Mocked: c.mocked.Bool}
	if c.deviceTime.Valid {
		out.DeviceTime = &c.deviceTime.String
	}
	if c.lat.Valid && c.lon.Valid {
		out.Lat, out.Lon = &c.lat.Float64, &c.lon.Float64
	}
	if c.accuracy.Valid {
		out.AccuracyM = &c.accuracy.Float64
	}
	if c.distance.Valid {
		out.DistanceM = &c.distance.Int64
	}
	if c.verification.Valid {
		out.Verification = &c.verification.String
	}
	return out
}

// checkArgs are the column values of a check, all NULL for none.
func checkArgs(c *salesmania.VisitCheck) []any {
	if c == nil {
		return []any{nil, nil, nil, nil, nil, nil, nil, nil}
	}
	var at any = micros(c.At)
	return []any{at, ptrArg(c.DeviceTime), ptrArg(c.Lat), ptrArg(c.Lon), ptrArg(c.AccuracyM), c.Mocked, ptrArg(c.DistanceM), ptrArg(c.Verification)}
}

// ptrArg is the value *p as a query argument, NULL for nil.
func ptrArg[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// scanVisitInto reads one row into v, which lists keep in place.
func scanVisitInto(row rowScanner, dbID int64, v *salesmania.Visit) error {
	*v = salesmania.Visit{DBID: dbID}
	var created, updated int64
	var planID sql.NullInt64
	var lat, lon sql.NullFloat64
	var in, out checkColumns
	dest := make([]any, 0, 33)
	dest = append(dest, &v.ID, &v.Date, &v.CustomerID, &v.TeamID, &v.Seq, &v.Status, &planID, &v.Notes, &v.Outcome, &v.DurationMin)
	dest = append(dest, in.dest()...)
	dest = append(dest, out.dest()...)
	dest = append(dest, &created, &updated, &v.Customer.Name, &v.Customer.Address, &v.Customer.City, &lat, &lon)
	if err := row.Scan(dest...); err != nil {
		return err
	}
	if planID.Valid {
		v.PlanID = &planID.Int64
	}
	v.CheckIn, v.CheckOut = in.check(), out.check()
	v.Customer.ID = v.CustomerID
	if lat.Valid && lon.Valid {
		v.Customer.Location = &salesmania.Location{Lat: lat.Float64, Lon: lon.Float64}
	}
	v.CreatedAt, v.UpdatedAt = fromMicros(created), fromMicros(updated)
	return nil
}

// ListVisits returns one page of visits, ordered by (date, team_id, seq), or
// by (updated_at, id) with updated_since.
func (s *Store) ListVisits(ctx context.Context, dbID int64, f salesmania.VisitFilter) (*salesmania.Page[salesmania.Visit], error) {
	q := &query{}
	q.and("v.db_id = " + q.arg(dbID))
	if f.Date != "" {
		q.and("v.date = " + q.arg(f.Date))
	}
	if f.DateFrom != "" {
		q.and("v.date >= " + q.arg(f.DateFrom))
	}
	if f.DateTo != "" {
		q.and("v.date <= " + q.arg(f.DateTo))
	}
	q.inTeams("v.team_id", f.Teams)
	if f.CustomerID != 0 {
		q.and("v.customer_id = " + q.arg(f.CustomerID))
	}
	scan := func(r rowScanner, v *salesmania.Visit) error { return scanVisitInto(r, dbID, v) }
	if f.ByUpdated() {
		return listByKeyset(ctx, s, visitColumns, visitFrom, q, f.ListParams, "v.updated_at", "v.id", scan,
			func(v *salesmania.Visit) (time.Time, int64) { return v.UpdatedAt, v.ID })
	}
	if err := f.CheckRouteCursor(); err != nil {
		return nil, err
	}
	filtered := q.clone()
	if c := f.After; !c.IsZero() {
		q.and("(v.date, v.team_id, v.seq) > (" + q.arg(c.Route.Date) + ", " + q.arg(c.Route.TeamID) + ", " + q.arg(c.Route.Seq) + ")")
	}
	return listPage(ctx, s, visitColumns, visitFrom, q, filtered, " ORDER BY v.date, v.team_id, v.seq", f.ListParams, scan,
		func(v *salesmania.Visit) salesmania.Cursor {
			return salesmania.Cursor{ID: v.ID, Route: &salesmania.RoutePosition{Date: v.Date, TeamID: v.TeamID, Seq: v.Seq}}
		})
}

// FindVisit returns one visit of the database.
func (s *Store) FindVisit(ctx context.Context, dbID int64, teams salesmania.TeamScope, id int64) (*salesmania.Visit, error) {
	q := &query{}
	q.and("v.db_id = " + q.arg(dbID))
	q.and("v.id = " + q.arg(id))
	q.inTeams("v.team_id", teams)
	v, err := scanVisit(s.r.QueryRowContext(ctx, "SELECT "+visitColumns+" FROM "+visitFrom+q.whereClause(), q.args...), dbID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, salesmania.Errorf(salesmania.ENOTFOUND, "Visit %d not found.", id)
	}
	return v, s.wrap(err)
}
