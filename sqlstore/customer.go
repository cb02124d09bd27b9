package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/salesmania/salesmania"
)

const customerColumns = "c.id, c.name, c.address, c.city, c.phone, c.ext_cust_no, c.lat, c.lon, c.status, c.tags, c.created_at, c.updated_at"

func scanCustomer(row rowScanner, dbID int64) (*salesmania.Customer, error) {
	c := new(salesmania.Customer)
	if err := scanCustomerInto(row, dbID, c); err != nil {
		return nil, err
	}
	return c, nil
}

// scanCustomerInto reads one row into c, which lists keep in place.
func scanCustomerInto(row rowScanner, dbID int64, c *salesmania.Customer) error {
	*c = salesmania.Customer{DBID: dbID}
	var lat, lon sql.NullFloat64
	var tags string
	var created, updated int64
	if err := row.Scan(&c.ID, &c.Name, &c.Address, &c.City, &c.Phone, &c.ExtCustNo, &lat, &lon, &c.Status, &tags, &created, &updated); err != nil {
		return err
	}
	if lat.Valid && lon.Valid {
		c.Location = &salesmania.Location{Lat: lat.Float64, Lon: lon.Float64}
	}
	var err error
	if c.Tags, err = parseTags(tags); err != nil {
		return err
	}
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return nil
}

func customerNotFound(id int64) error {
	return salesmania.Errorf(salesmania.ENOTFOUND, "Customer %d not found.", id)
}

// CreateCustomer stores a new customer.
func (s *Store) CreateCustomer(ctx context.Context, dbID int64, c *salesmania.Customer) error {
	err := s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		// The time is taken holding the write lock, so on SQLite the order
		// of updated_at is the order of commits.
		// A taken ext_cust_no fails the insert on the unique index, which
		// answers ECONFLICT below: no lookup first.
		now := salesmania.Now()
		id, err := s.nextID(ctx, tx, "customers")
		if err != nil {
			return err
		}
		c.ID, c.DBID, c.CreatedAt, c.UpdatedAt = id, dbID, now, now
		if c.Tags == nil {
			c.Tags = []string{}
		}
		tags, _ := json.Marshal(c.Tags)
		lat, lon := locationArgs(c.Location)
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO customers (db_id, id, name, address, city, phone, ext_cust_no, lat, lon, status, tags, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)`,
			dbID, id, c.Name, c.Address, c.City, c.Phone, c.ExtCustNo, lat, lon, c.Status, string(tags), micros(now)); err != nil {
			return err
		}
		if err := customerTags.replace(ctx, tx, dbID, id, nil, c.Tags); err != nil {
			return err
		}
		if err := countRow(ctx, tx, "customers", dbID, 1); err != nil {
			return err
		}
		recordChange(tx, dbID, salesmania.ChangeCustomer, id, 0, salesmania.OpUpsert)
		return markCommitted(ctx, tx, salesmania.ResourceCustomer, dbID, id)
	})
	if errors.Is(err, errUnique) {
		return extCustNo.taken(c.ExtCustNo)
	}
	return err
}

func locationArgs(l *salesmania.Location) (lat, lon any) {
	if l == nil {
		return nil, nil
	}
	return l.Lat, l.Lon
}

// FindCustomer returns one customer of the database.
func (s *Store) FindCustomer(ctx context.Context, dbID, id int64) (*salesmania.Customer, error) {
	c, err := scanCustomer(s.r.QueryRowContext(ctx, "SELECT "+customerColumns+" FROM customers c WHERE c.db_id = $1 AND c.id = $2", dbID, id), dbID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, customerNotFound(id)
	}
	return c, s.wrap(err)
}

// UpdateCustomer applies a PATCH to a customer. A PATCH that changes nothing
// leaves updated_at as it was, so syncing clients do not fetch it again.
func (s *Store) UpdateCustomer(ctx context.Context, dbID, id int64, f *salesmania.CustomerFields) (*salesmania.Customer, error) {
	var out *salesmania.Customer
	err := s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		c, err := scanCustomer(tx.QueryRowContext(ctx, "SELECT "+customerColumns+" FROM customers c WHERE c.db_id = $1 AND c.id = $2"+s.forUpdate(), dbID, id), dbID)
		if errors.Is(err, sql.ErrNoRows) {
			return customerNotFound(id)
		} else if err != nil {
			return err
		}
		before := *c
		changed, err := f.ApplyTo(c)
		if err != nil {
			return err
		}
		out = c
		if !changed {
			return nil
		}
		if c.ExtCustNo != before.ExtCustNo {
			if err := extCustNo.check(ctx, tx, dbID, id, c.ExtCustNo); err != nil {
				return err
			}
		}
		c.UpdatedAt = salesmania.Now()
		recordChange(tx, dbID, salesmania.ChangeCustomer, id, 0, salesmania.OpUpsert)
		if c.Name != before.Name || c.Address != before.Address || c.City != before.City || !sameLocation(c.Location, before.Location) {
			// Its visits show the customer's summary: they changed too.
			if err := s.recordVisitsOfCustomers(ctx, tx, dbID, []int64{id}); err != nil {
				return err
			}
		}
		tags, _ := json.Marshal(c.Tags)
		lat, lon := locationArgs(c.Location)
		if _, err := tx.ExecContext(ctx, `
			UPDATE customers SET name = $3, address = $4, city = $5, phone = $6, ext_cust_no = $7, lat = $8, lon = $9,
				status = $10, tags = $11, updated_at = $12
			WHERE db_id = $1 AND id = $2`,
			dbID, id, c.Name, c.Address, c.City, c.Phone, c.ExtCustNo, lat, lon, c.Status, string(tags), micros(c.UpdatedAt)); err != nil {
			return err
		}
		if slices.Equal(before.Tags, c.Tags) {
			return nil
		}
		return customerTags.replace(ctx, tx, dbID, id, before.Tags, c.Tags)
	})
	if errors.Is(err, errUnique) {
		return nil, extCustNo.taken(out.ExtCustNo)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteCustomer deletes a customer and records its tombstone.
func (s *Store) DeleteCustomer(ctx context.Context, dbID, id int64) error {
	err := s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		if err := s.lockForDelete(ctx, tx, "customers", dbID, id, customerNotFound(id)); err != nil {
			return err
		}
		if err := refusedIfReferenced(ctx, tx, dbID, id, "customer", "visits", "customer_id"); err != nil {
			return err
		}
		if err := refusedIfReferenced(ctx, tx, dbID, id, "customer", "orders", "customer_id"); err != nil {
			return err
		}
		if err := refusedIfReferenced(ctx, tx, dbID, id, "customer", "visit_plans", "customer_id"); err != nil {
			return err
		}
		return deleteRow(ctx, tx, "customers", dbID, id, customerNotFound(id))
	})
	if errors.Is(err, errForeignKey) {
		// The backstop of lockForDelete: a visit or order came first.
		return inUse("customer", "visits or orders")
	}
	return err
}

// ListCustomers returns one page of customers matching the filter.
func (s *Store) ListCustomers(ctx context.Context, dbID int64, f salesmania.CustomerFilter) (*salesmania.Page[salesmania.Customer], error) {
	q := &query{}
	q.and("c.db_id = " + q.arg(dbID))
	if f.Q != "" {
		p := q.arg(likePattern(f.Q))
		op := " " + s.ilike() + " " + p + ` ESCAPE '\'`
		q.and("(c.name" + op + " OR c.address" + op + " OR c.city" + op + " OR c.phone" + op + " OR c.ext_cust_no" + op + ")")
	}
	if f.Status != nil {
		q.and("c.status = " + q.arg(*f.Status))
	}
	if f.Tag != "" {
		q.and(customerTags.filter(q, "c", f.Tag))
	}
	if f.ExtCustNo != "" {
		q.and("c.ext_cust_no = " + q.arg(f.ExtCustNo))
	}
	return listByKeyset(ctx, s, customerColumns, "customers c", q, f.ListParams, "c.updated_at", "c.id",
		func(r rowScanner, x *salesmania.Customer) error { return scanCustomerInto(r, dbID, x) },
		func(c *salesmania.Customer) (time.Time, int64) { return c.UpdatedAt, c.ID })
}

// ListDeletedCustomers returns tombstones of deleted customers.
func (s *Store) ListDeletedCustomers(ctx context.Context, dbID int64, since time.Time, p salesmania.ListParams) (*salesmania.Page[salesmania.Tombstone], error) {
	return s.listTombstones(ctx, dbID, "customers", since, p)
}
