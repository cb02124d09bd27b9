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
	var seq int64
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(seq), 0) + 1 FROM visits WHERE db_id = $1 AND date = $2 AND team_id = $3",
		dbID, v.Date, v.TeamID).Scan(&seq); err != nil {
		return err
	}
	id, err := s.nextID(ctx, tx, "visits")
	if err != nil {
		return err
	}
	now := salesmania.Now()
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO visits (db_id, id, date, team_id, customer_id, seq, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
		dbID, id, v.Date, v.TeamID, v.CustomerID, seq, v.Status, micros(now)); err != nil {
		return err
	}
	v.ID, v.DBID, v.Seq, v.Customer, v.CreatedAt, v.UpdatedAt = id, dbID, seq, *c, now, now
	return markCommitted(ctx, tx, salesmania.ResourceVisit, dbID, id)
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

const visitColumns = "v.id, v.date, v.customer_id, v.team_id, v.seq, v.status, v.created_at, v.updated_at, c.name, c.address, c.city, c.lat, c.lon"

const visitFrom = "visits v JOIN customers c ON c.db_id = v.db_id AND c.id = v.customer_id"

func scanVisit(row rowScanner, dbID int64) (*salesmania.Visit, error) {
	v := new(salesmania.Visit)
	if err := scanVisitInto(row, dbID, v); err != nil {
		return nil, err
	}
	return v, nil
}

// scanVisitInto reads one row into v, which lists keep in place.
func scanVisitInto(row rowScanner, dbID int64, v *salesmania.Visit) error {
	*v = salesmania.Visit{DBID: dbID}
	var created, updated int64
	var lat, lon sql.NullFloat64
	if err := row.Scan(&v.ID, &v.Date, &v.CustomerID, &v.TeamID, &v.Seq, &v.Status, &created, &updated,
		&v.Customer.Name, &v.Customer.Address, &v.Customer.City, &lat, &lon); err != nil {
		return err
	}
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
	if f.TeamID != 0 {
		q.and("v.team_id = " + q.arg(f.TeamID))
	}
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
func (s *Store) FindVisit(ctx context.Context, dbID, id int64) (*salesmania.Visit, error) {
	v, err := scanVisit(s.r.QueryRowContext(ctx, "SELECT "+visitColumns+" FROM "+visitFrom+" WHERE v.db_id = $1 AND v.id = $2", dbID, id), dbID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, salesmania.Errorf(salesmania.ENOTFOUND, "Visit %d not found.", id)
	}
	return v, s.wrap(err)
}
