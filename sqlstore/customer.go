package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/salesmania/salesmania"
)

const customerColumns = "c.id, c.name, c.address, c.city, c.phone, c.ext_cust_no, c.lat, c.lon, c.status, c.tags, c.created_at, c.updated_at"

func scanCustomer(row interface{ Scan(...any) error }, dbID int64) (*salesmania.Customer, error) {
	c := salesmania.Customer{DBID: dbID}
	var lat, lon sql.NullFloat64
	var tags string
	var created, updated int64
	if err := row.Scan(&c.ID, &c.Name, &c.Address, &c.City, &c.Phone, &c.ExtCustNo, &lat, &lon, &c.Status, &tags, &created, &updated); err != nil {
		return nil, err
	}
	if lat.Valid && lon.Valid {
		c.Location = &salesmania.Location{Lat: lat.Float64, Lon: lon.Float64}
	}
	if err := json.Unmarshal([]byte(tags), &c.Tags); err != nil {
		return nil, err
	}
	if c.Tags == nil {
		c.Tags = []string{}
	}
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &c, nil
}

func customerNotFound(id int64) error {
	return salesmania.Errorf(salesmania.ENOTFOUND, "Customer %d not found.", id)
}

func extCustNoTaken(no string) error {
	return &salesmania.Error{Code: salesmania.ECONFLICT, Message: "Another customer of this database has ext_cust_no " + strconv.Quote(no) + ".",
		Fields: []salesmania.FieldError{{Field: "ext_cust_no", Message: "is taken by another customer"}}}
}

// checkExtCustNo reports ECONFLICT when another customer of the database
// has the non-empty ext_cust_no.
func checkExtCustNo(ctx context.Context, tx *sql.Tx, dbID, selfID int64, no string) error {
	if no == "" {
		return nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM customers WHERE db_id = $1 AND ext_cust_no = $2 AND id <> $3", dbID, no, selfID).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return extCustNoTaken(no)
	}
	return nil
}

// CreateCustomer stores a new customer.
func (s *Store) CreateCustomer(ctx context.Context, dbID int64, c *salesmania.Customer) error {
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		// The time is taken holding the write lock, so on SQLite the order
		// of updated_at is the order of commits.
		now := salesmania.Now()
		if err := checkExtCustNo(ctx, tx, dbID, 0, c.ExtCustNo); err != nil {
			return err
		}
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
		return insertCustomerTags(ctx, tx, dbID, id, c.Tags)
	})
	if errors.Is(err, errUnique) {
		return extCustNoTaken(c.ExtCustNo)
	}
	return err
}

func locationArgs(l *salesmania.Location) (lat, lon any) {
	if l == nil {
		return nil, nil
	}
	return l.Lat, l.Lon
}

func insertCustomerTags(ctx context.Context, tx *sql.Tx, dbID, id int64, tags []string) error {
	for _, t := range tags {
		if _, err := tx.ExecContext(ctx, "INSERT INTO customer_tags (db_id, tag, customer_id) VALUES ($1, $2, $3)", dbID, t, id); err != nil {
			return err
		}
	}
	return nil
}

// FindCustomer returns one customer of the database.
func (s *Store) FindCustomer(ctx context.Context, dbID, id int64) (*salesmania.Customer, error) {
	c, err := scanCustomer(s.read.QueryRowContext(ctx, "SELECT "+customerColumns+" FROM customers c WHERE c.db_id = $1 AND c.id = $2", dbID, id), dbID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, customerNotFound(id)
	}
	return c, s.wrap(err)
}

// UpdateCustomer applies a PATCH to a customer. A PATCH that changes nothing
// leaves updated_at as it was, so syncing clients do not fetch it again.
func (s *Store) UpdateCustomer(ctx context.Context, dbID, id int64, f *salesmania.CustomerFields) (*salesmania.Customer, error) {
	var out *salesmania.Customer
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		c, err := scanCustomer(tx.QueryRowContext(ctx, "SELECT "+customerColumns+" FROM customers c WHERE c.db_id = $1 AND c.id = $2"+s.forUpdate(), dbID, id), dbID)
		if errors.Is(err, sql.ErrNoRows) {
			return customerNotFound(id)
		} else if err != nil {
			return err
		}
		before := *c
		if err := f.ApplyTo(c); err != nil {
			return err
		}
		out = c
		if sameCustomer(&before, c) {
			return nil
		}
		if c.ExtCustNo != before.ExtCustNo {
			if err := checkExtCustNo(ctx, tx, dbID, id, c.ExtCustNo); err != nil {
				return err
			}
		}
		c.UpdatedAt = salesmania.Now()
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
		if _, err := tx.ExecContext(ctx, "DELETE FROM customer_tags WHERE db_id = $1 AND customer_id = $2", dbID, id); err != nil {
			return err
		}
		return insertCustomerTags(ctx, tx, dbID, id, c.Tags)
	})
	if errors.Is(err, errUnique) {
		return nil, extCustNoTaken(out.ExtCustNo)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

func sameCustomer(a, b *salesmania.Customer) bool {
	sameLoc := (a.Location == nil) == (b.Location == nil) && (a.Location == nil || *a.Location == *b.Location)
	return a.Name == b.Name && a.Address == b.Address && a.City == b.City && a.Phone == b.Phone &&
		a.ExtCustNo == b.ExtCustNo && a.Status == b.Status && sameLoc && slices.Equal(a.Tags, b.Tags)
}

// DeleteCustomer deletes a customer and records its tombstone.
func (s *Store) DeleteCustomer(ctx context.Context, dbID, id int64) error {
	return s.inWriteTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM customers WHERE db_id = $1 AND id = $2", dbID, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return customerNotFound(id)
		}
		return addTombstone(ctx, tx, dbID, "customers", id, salesmania.Now())
	})
}

// ListCustomers returns one page of customers matching the filter.
func (s *Store) ListCustomers(ctx context.Context, dbID int64, f salesmania.CustomerFilter) (*salesmania.Page[salesmania.Customer], error) {
	if err := f.CheckCursor(); err != nil {
		return nil, err
	}
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
		q.and("c.id IN (SELECT t.customer_id FROM customer_tags t WHERE t.db_id = c.db_id AND t.tag = " + q.arg(f.Tag) + ")")
	}
	if f.ExtCustNo != "" {
		q.and("c.ext_cust_no = " + q.arg(f.ExtCustNo))
	}
	filtered := q.clone()
	order := keyset(q, f.ListParams, "c.updated_at", "c.id")

	var db queryer = s.read
	if f.IncludeTotal {
		// The page and its total come from one snapshot.
		tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return nil, s.wrap(err)
		}
		defer tx.Rollback()
		db = tx
	}
	rows, err := db.QueryContext(ctx, "SELECT "+customerColumns+" FROM customers c"+q.whereClause()+order+" LIMIT "+strconv.Itoa(f.Limit+1), q.args...)
	if err != nil {
		return nil, s.wrap(err)
	}
	defer rows.Close()
	out := make([]salesmania.Customer, 0, min(f.Limit+1, 128))
	for rows.Next() {
		c, err := scanCustomer(rows, dbID)
		if err != nil {
			return nil, s.wrap(err)
		}
		out = append(out, *c)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap(err)
	}
	page := finishPage(out, f.ListParams, func(c *salesmania.Customer) (time.Time, int64) { return c.UpdatedAt, c.ID })
	if f.IncludeTotal {
		if f.UpdatedSince != nil {
			filtered.and("c.updated_at > " + filtered.arg(f.UpdatedSince.UnixMicro()))
		}
		n, err := count(ctx, db, "customers c", filtered)
		if err != nil {
			return nil, s.wrap(err)
		}
		page.Total = &n
	}
	return page, nil
}

// ListDeletedCustomers returns tombstones of deleted customers.
func (s *Store) ListDeletedCustomers(ctx context.Context, dbID int64, since time.Time, p salesmania.ListParams) (*salesmania.Page[salesmania.Tombstone], error) {
	return s.listTombstones(ctx, dbID, "customers", since, p)
}
