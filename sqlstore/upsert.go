package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/salesmania/salesmania"
)

// Bulk upsert (§13). A batch is checked whole before anything is read
// (salesmania.NewCustomers), then written in one transaction: the rows its
// codes name are read in one query, the items are applied to them in
// memory, and the new and changed rows are written. On SQLite that is a
// loop of prepared single-row statements inside the writer's transaction,
// where a statement costs microseconds; on PostgreSQL, where each costs a
// round trip, every step is one statement over the whole batch, its rows
// passed as one JSON array (jsonb_to_recordset).
//
// Before the transaction the rows are read once without locks: a batch
// that would change nothing (the nightly import of an unchanged master) is
// answered from that read, with no write transaction and no row lock.
//
// Concurrent batches on PostgreSQL: the rows to update are locked in id
// order and new rows inserted in code order, so two batches with
// overlapping codes wait for each other instead of deadlocking. A batch
// that loses the race to insert a code (the unique index on (db_id, code)
// refuses its insert once the other commits) runs again, and then finds the
// row and updates it: a code never gets two rows.

// maxUpsertAttempts bounds the runs of a batch that lost races to insert a
// code.
const maxUpsertAttempts = 4

// batchItem is what a batch does with one item: row is the new or updated
// row; before is the row as it was, nil for a new one.
type batchItem[T any] struct {
	row    *T
	before T
	result string
}

// planBatch applies the items: an item whose code is in existing updates a
// copy of that row with apply, any other item creates fresh[i].
func planBatch[F, T any](items []F, fresh []*T, existing map[string]*T, code func(*T) string, apply func(*F, *T) (bool, error)) ([]batchItem[T], error) {
	plan := make([]batchItem[T], len(items))
	for i := range items {
		old, ok := existing[code(fresh[i])]
		if !ok || code(fresh[i]) == "" {
			plan[i] = batchItem[T]{row: fresh[i], result: salesmania.BatchCreated}
			continue
		}
		row := *old
		changed, err := apply(&items[i], &row)
		if err != nil {
			// NewCustomers and NewProducts checked the item as a create
			// body, which is stricter than a PATCH.
			return nil, err
		}
		plan[i] = batchItem[T]{row: &row, before: *old, result: salesmania.BatchUnchanged}
		if changed {
			plan[i].result = salesmania.BatchUpdated
		}
	}
	return plan, nil
}

// allUnchanged reports whether every item of the plan is unchanged.
func allUnchanged[T any](plan []batchItem[T]) bool {
	for _, p := range plan {
		if p.result != salesmania.BatchUnchanged {
			return false
		}
	}
	return true
}

// codes returns the non-empty codes of the rows.
func codes[T any](rows []*T, code func(*T) string) []string {
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		if c := code(r); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// findByCodes reads the rows of the database whose key is one of codes,
// locked in id order on PostgreSQL when lock is set.
func findByCodes[T any](ctx context.Context, s *Store, db querier, k externalKey, columns, alias string, dbID int64, codes []string, lock bool,
	scan func(rowScanner, int64) (*T, error), code func(*T) string) (map[string]*T, error) {
	out := make(map[string]*T, len(codes))
	if len(codes) == 0 {
		return out, nil
	}
	col := alias + "." + k.column
	// The "<> ''" lets the planner use the partial unique index.
	query := "SELECT " + columns + " FROM " + k.table + " " + alias + " WHERE " + alias + ".db_id = $1 AND " + col + " <> '' AND "
	var arg any
	if s.dialect == dialectPostgres {
		query += col + " = ANY($2)"
		arg = codes
	} else {
		b, _ := json.Marshal(codes)
		query += col + " IN (SELECT value FROM json_each($2))"
		arg = string(b)
	}
	if lock && s.dialect == dialectPostgres {
		query += " ORDER BY " + alias + ".id FOR UPDATE"
	}
	rows, err := db.QueryContext(ctx, query, dbID, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scan(rows, dbID)
		if err != nil {
			return nil, err
		}
		out[code(r)] = r
	}
	return out, rows.Err()
}

// querier is what a pool and a transaction share.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// upsert runs a batch: first the read that answers a batch changing
// nothing, else write in a write transaction, again when it lost a race to
// insert a code.
func upsert[T any](ctx context.Context, s *Store, read func(ctx context.Context) ([]batchItem[T], error), write func(ctx context.Context, tx *txn) ([]batchItem[T], error)) ([]batchItem[T], error) {
	plan, err := read(ctx)
	if err != nil {
		return nil, s.wrap(err)
	}
	if allUnchanged(plan) {
		return plan, nil
	}
	for attempt := 1; ; attempt++ {
		err = s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
			plan, err = write(ctx, tx)
			return err
		})
		if !errors.Is(err, errUnique) {
			break
		}
		if attempt == maxUpsertAttempts {
			return nil, &salesmania.Error{Code: salesmania.EUNAVAILABLE, RetryAfter: 1,
				Message: "Other writes kept taking this batch's codes; retry shortly."}
		}
	}
	if err != nil {
		return nil, err
	}
	return plan, nil
}

// allocIDs returns n new ids for rows of table.
func (s *Store) allocIDs(ctx context.Context, tx *txn, table string, n int) ([]int64, error) {
	ids := make([]int64, 0, n)
	if n == 0 {
		return ids, nil
	}
	if s.dialect == dialectSQLite {
		var last int64
		if err := tx.QueryRowContext(ctx, "UPDATE id_seq SET last = last + $2 WHERE name = $1 RETURNING last", table, n).Scan(&last); err != nil {
			return nil, err
		}
		for id := last - int64(n) + 1; id <= last; id++ {
			ids = append(ids, id)
		}
		return ids, nil
	}
	rows, err := tx.QueryContext(ctx, "SELECT nextval('"+table+"_id_seq') FROM generate_series(1, $1)", n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(ids) != n {
		return nil, errors.New("sqlstore: the sequence gave too few ids")
	}
	return ids, nil
}

// tagChange is a row whose tags become tags; old are its tags before.
type tagChange struct {
	id        int64
	old, tags []string
}

// replaceMany is replace for many rows of a batch.
func (t tagTable) replaceMany(ctx context.Context, tx *txn, d dialect, dbID int64, changes []tagChange) error {
	if d == dialectSQLite {
		for _, c := range changes {
			if err := t.replace(ctx, tx, dbID, c.id, c.old, c.tags); err != nil {
				return err
			}
		}
		return nil
	}
	var clear []int64
	type tagRow struct {
		Tag string `json:"tag"`
		ID  int64  `json:"id"`
	}
	var add []tagRow
	for _, c := range changes {
		if len(c.old) > 0 {
			clear = append(clear, c.id)
		}
		for _, tag := range c.tags {
			add = append(add, tagRow{tag, c.id})
		}
	}
	if len(clear) > 0 {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+t.table+" WHERE db_id = $1 AND "+t.idColumn+" = ANY($2)", dbID, clear); err != nil {
			return err
		}
	}
	if len(add) == 0 {
		return nil
	}
	b, err := json.Marshal(add)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, "INSERT INTO "+t.table+" (db_id, tag, "+t.idColumn+") SELECT $1, x.tag, x.id FROM jsonb_to_recordset($2::jsonb) AS x(tag text, id bigint)", dbID, string(b))
	return err
}

// UpsertCustomers writes a batch of customers (§13).
func (s *Store) UpsertCustomers(ctx context.Context, dbID int64, items []salesmania.CustomerFields) ([]salesmania.CustomerBatchResult, error) {
	fresh, err := salesmania.NewCustomers(items)
	if err != nil {
		return nil, err
	}
	code := func(c *salesmania.Customer) string { return c.ExtCustNo }
	keys := codes(fresh, code)
	plan := func(ctx context.Context, db querier, lock bool) ([]batchItem[salesmania.Customer], error) {
		existing, err := findByCodes(ctx, s, db, extCustNo, customerColumns, "c", dbID, keys, lock, scanCustomer, code)
		if err != nil {
			return nil, err
		}
		// A retry starts from the items again.
		rows := make([]*salesmania.Customer, len(fresh))
		for i, c := range fresh {
			cp := *c
			rows[i] = &cp
		}
		return planBatch(items, rows, existing, code, (*salesmania.CustomerFields).ApplyTo)
	}
	done, err := upsert(ctx, s,
		func(ctx context.Context) ([]batchItem[salesmania.Customer], error) { return plan(ctx, s.r, false) },
		func(ctx context.Context, tx *txn) ([]batchItem[salesmania.Customer], error) {
			p, err := plan(ctx, tx, true)
			if err != nil {
				return nil, err
			}
			return p, s.writeCustomers(ctx, tx, dbID, p)
		})
	if err != nil {
		return nil, err
	}
	return customerResults(done), nil
}

func customerResults(plan []batchItem[salesmania.Customer]) []salesmania.CustomerBatchResult {
	out := make([]salesmania.CustomerBatchResult, len(plan))
	for i, p := range plan {
		out[i] = salesmania.CustomerBatchResult{ID: p.row.ID, ExtCustNo: p.row.ExtCustNo, Result: p.result}
	}
	return out
}

// writeCustomers stores the new and changed customers of a plan, with their
// tags, row count, feed changes and idempotency key.
func (s *Store) writeCustomers(ctx context.Context, tx *txn, dbID int64, plan []batchItem[salesmania.Customer]) error {
	now := salesmania.Now() // under the write lock: see CreateCustomer
	var created, updated []*salesmania.Customer
	var tags []tagChange
	var moved []int64 // customers whose visits show a changed summary
	for i := range plan {
		p := &plan[i]
		switch p.result {
		case salesmania.BatchCreated:
			created = append(created, p.row)
		case salesmania.BatchUpdated:
			c, b := p.row, &p.before
			c.UpdatedAt = now
			updated = append(updated, c)
			if !slices.Equal(c.Tags, b.Tags) {
				tags = append(tags, tagChange{c.ID, b.Tags, c.Tags})
			}
			if c.Name != b.Name || c.Address != b.Address || c.City != b.City || !sameLocation(c.Location, b.Location) {
				moved = append(moved, c.ID)
			}
		}
	}
	ids, err := s.allocIDs(ctx, tx, "customers", len(created))
	if err != nil {
		return err
	}
	for i, c := range created {
		c.ID, c.DBID, c.CreatedAt, c.UpdatedAt = ids[i], dbID, now, now
		if len(c.Tags) > 0 {
			tags = append(tags, tagChange{c.ID, nil, c.Tags})
		}
	}
	if err := s.insertCustomers(ctx, tx, dbID, created, now); err != nil {
		return err
	}
	if err := s.updateCustomers(ctx, tx, dbID, updated, now); err != nil {
		return err
	}
	if err := customerTags.replaceMany(ctx, tx, s.dialect, dbID, tags); err != nil {
		return err
	}
	if len(created) > 0 {
		if err := countRow(ctx, tx, "customers", dbID, int64(len(created))); err != nil {
			return err
		}
	}
	for _, c := range plan {
		if c.result != salesmania.BatchUnchanged {
			recordChange(tx, dbID, salesmania.ChangeCustomer, c.row.ID, 0, salesmania.OpUpsert)
		}
	}
	if err := s.recordVisitsOfCustomers(ctx, tx, dbID, moved); err != nil {
		return err
	}
	return markBatchCommitted(ctx, tx, salesmania.ResourceCustomerBatch, dbID, customerResults(plan))
}

// customerRow is a customer as the PostgreSQL statements of a batch read
// it from JSON.
type customerRow struct {
	ID        int64    `json:"id"`
	Name      string   `json:"name"`
	Address   string   `json:"address"`
	City      string   `json:"city"`
	Phone     string   `json:"phone"`
	ExtCustNo string   `json:"ext_cust_no"`
	Lat       *float64 `json:"lat"`
	Lon       *float64 `json:"lon"`
	Status    bool     `json:"status"`
	Tags      string   `json:"tags"`
}

const customerRecordset = "jsonb_to_recordset($3::jsonb) AS x(id bigint, name text, address text, city text, phone text, ext_cust_no text, lat float8, lon float8, status boolean, tags text)"

func customerRows(cs []*salesmania.Customer) (string, error) {
	rows := make([]customerRow, len(cs))
	for i, c := range cs {
		tags, _ := json.Marshal(c.Tags)
		rows[i] = customerRow{ID: c.ID, Name: c.Name, Address: c.Address, City: c.City, Phone: c.Phone, ExtCustNo: c.ExtCustNo, Status: c.Status, Tags: string(tags)}
		if c.Location != nil {
			rows[i].Lat, rows[i].Lon = &c.Location.Lat, &c.Location.Lon
		}
	}
	b, err := json.Marshal(rows)
	return string(b), err
}

func (s *Store) insertCustomers(ctx context.Context, tx *txn, dbID int64, cs []*salesmania.Customer, now time.Time) error {
	if len(cs) == 0 {
		return nil
	}
	if s.dialect == dialectSQLite {
		for _, c := range cs {
			tags, _ := json.Marshal(c.Tags)
			lat, lon := locationArgs(c.Location)
			if _, err := tx.ExecContext(ctx, `
			INSERT INTO customers (db_id, id, name, address, city, phone, ext_cust_no, lat, lon, status, tags, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)`,
				dbID, c.ID, c.Name, c.Address, c.City, c.Phone, c.ExtCustNo, lat, lon, c.Status, string(tags), micros(now)); err != nil {
				return err
			}
		}
		return nil
	}
	// In code order, so concurrent batches take the unique index's entries
	// in the same order (see the top of the file).
	cs = slices.Clone(cs)
	slices.SortStableFunc(cs, func(a, b *salesmania.Customer) int { return strings.Compare(a.ExtCustNo, b.ExtCustNo) })
	rows, err := customerRows(cs)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO customers (db_id, id, name, address, city, phone, ext_cust_no, lat, lon, status, tags, created_at, updated_at)
		SELECT $1, x.id, x.name, x.address, x.city, x.phone, x.ext_cust_no, x.lat, x.lon, x.status, x.tags, $2, $2
		FROM `+customerRecordset, dbID, micros(now), rows)
	return err
}

func (s *Store) updateCustomers(ctx context.Context, tx *txn, dbID int64, cs []*salesmania.Customer, now time.Time) error {
	if len(cs) == 0 {
		return nil
	}
	if s.dialect == dialectSQLite {
		for _, c := range cs {
			tags, _ := json.Marshal(c.Tags)
			lat, lon := locationArgs(c.Location)
			if _, err := tx.ExecContext(ctx, `
			UPDATE customers SET name = $3, address = $4, city = $5, phone = $6, ext_cust_no = $7, lat = $8, lon = $9,
				status = $10, tags = $11, updated_at = $12
			WHERE db_id = $1 AND id = $2`,
				dbID, c.ID, c.Name, c.Address, c.City, c.Phone, c.ExtCustNo, lat, lon, c.Status, string(tags), micros(now)); err != nil {
				return err
			}
		}
		return nil
	}
	rows, err := customerRows(cs)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `
		UPDATE customers AS c SET name = x.name, address = x.address, city = x.city, phone = x.phone, ext_cust_no = x.ext_cust_no,
			lat = x.lat, lon = x.lon, status = x.status, tags = x.tags, updated_at = $2
		FROM `+customerRecordset+`
		WHERE c.db_id = $1 AND c.id = x.id`, dbID, micros(now), rows)
	return err
}

// recordVisitsOfCustomers records a change of every visit of the given
// customers, in one query: a visit shows its customer's summary (name,
// address, city, location), so a change of those changes the visit too.
func (s *Store) recordVisitsOfCustomers(ctx context.Context, tx *txn, dbID int64, customers []int64) error {
	if len(customers) == 0 {
		return nil
	}
	q := &query{}
	q.and("v.db_id = " + q.arg(dbID))
	q.and(idIn(q, s.dialect, "v.customer_id", customers))
	// On PostgreSQL the visits are locked (in id
	// order) so that a visit deleted or moved to another team meanwhile
	// cannot have its feed entry overwritten by this stale upsert.
	lock := ""
	if tx.postgres {
		lock = " ORDER BY v.id FOR SHARE"
	}
	rows, err := tx.QueryContext(ctx, "SELECT v.id, v.team_id FROM visits v"+q.whereClause()+lock, q.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, team int64
		if err := rows.Scan(&id, &team); err != nil {
			return err
		}
		recordChange(tx, dbID, salesmania.ChangeVisit, id, team, salesmania.OpUpsert)
	}
	return rows.Err()
}

// UpsertProducts writes a batch of products (§13).
func (s *Store) UpsertProducts(ctx context.Context, dbID int64, items []salesmania.ProductFields) ([]salesmania.ProductBatchResult, error) {
	fresh, err := salesmania.NewProducts(items)
	if err != nil {
		return nil, err
	}
	code := func(p *salesmania.Product) string { return p.ExtProductCode }
	keys := codes(fresh, code)
	plan := func(ctx context.Context, db querier, lock bool) ([]batchItem[salesmania.Product], error) {
		existing, err := findByCodes(ctx, s, db, extProductCode, productColumns, "p", dbID, keys, lock, scanProduct, code)
		if err != nil {
			return nil, err
		}
		rows := make([]*salesmania.Product, len(fresh))
		for i, p := range fresh {
			cp := *p
			rows[i] = &cp
		}
		return planBatch(items, rows, existing, code, (*salesmania.ProductFields).ApplyTo)
	}
	done, err := upsert(ctx, s,
		func(ctx context.Context) ([]batchItem[salesmania.Product], error) { return plan(ctx, s.r, false) },
		func(ctx context.Context, tx *txn) ([]batchItem[salesmania.Product], error) {
			p, err := plan(ctx, tx, true)
			if err != nil {
				return nil, err
			}
			return p, s.writeProducts(ctx, tx, dbID, p)
		})
	if err != nil {
		return nil, err
	}
	return productResults(done), nil
}

func productResults(plan []batchItem[salesmania.Product]) []salesmania.ProductBatchResult {
	out := make([]salesmania.ProductBatchResult, len(plan))
	for i, p := range plan {
		out[i] = salesmania.ProductBatchResult{ID: p.row.ID, ExtProductCode: p.row.ExtProductCode, Result: p.result}
	}
	return out
}

// writeProducts is writeCustomers for products.
func (s *Store) writeProducts(ctx context.Context, tx *txn, dbID int64, plan []batchItem[salesmania.Product]) error {
	now := salesmania.Now()
	var created, updated []*salesmania.Product
	var tags []tagChange
	for i := range plan {
		p := &plan[i]
		switch p.result {
		case salesmania.BatchCreated:
			created = append(created, p.row)
		case salesmania.BatchUpdated:
			p.row.UpdatedAt = now
			updated = append(updated, p.row)
			if !slices.Equal(p.row.Tags, p.before.Tags) {
				tags = append(tags, tagChange{p.row.ID, p.before.Tags, p.row.Tags})
			}
		}
	}
	ids, err := s.allocIDs(ctx, tx, "products", len(created))
	if err != nil {
		return err
	}
	for i, p := range created {
		p.ID, p.DBID, p.CreatedAt, p.UpdatedAt = ids[i], dbID, now, now
		if len(p.Tags) > 0 {
			tags = append(tags, tagChange{p.ID, nil, p.Tags})
		}
	}
	if err := s.insertProducts(ctx, tx, dbID, created, now); err != nil {
		return err
	}
	if err := s.updateProducts(ctx, tx, dbID, updated, now); err != nil {
		return err
	}
	if err := productTags.replaceMany(ctx, tx, s.dialect, dbID, tags); err != nil {
		return err
	}
	if len(created) > 0 {
		if err := countRow(ctx, tx, "products", dbID, int64(len(created))); err != nil {
			return err
		}
	}
	for _, p := range plan {
		if p.result != salesmania.BatchUnchanged {
			recordChange(tx, dbID, salesmania.ChangeProduct, p.row.ID, 0, salesmania.OpUpsert)
		}
	}
	return markBatchCommitted(ctx, tx, salesmania.ResourceProductBatch, dbID, productResults(plan))
}

// productRow is a product as the PostgreSQL statements of a batch read it
// from JSON.
type productRow struct {
	ID             int64  `json:"id"`
	Name           string `json:"name"`
	Description    string `json:"description"`
	SKU            string `json:"sku"`
	Tags           string `json:"tags"`
	Status         bool   `json:"status"`
	ExtProductCode string `json:"ext_product_code"`
	DefaultDisc    string `json:"default_disc"`
	QtyOnHand      string `json:"qty_on_hand"`
	ProductUnits   string `json:"product_units"`
}

const productRecordset = "jsonb_to_recordset($3::jsonb) AS x(id bigint, name text, description text, sku text, tags text, status boolean, ext_product_code text, default_disc text, qty_on_hand text, product_units text)"

func productRows(ps []*salesmania.Product) (string, error) {
	rows := make([]productRow, len(ps))
	for i, p := range ps {
		tags, units := productArgs(p)
		rows[i] = productRow{ID: p.ID, Name: p.Name, Description: p.Description, SKU: p.SKU, Tags: tags, Status: p.Status,
			ExtProductCode: p.ExtProductCode, DefaultDisc: p.DefaultDisc, QtyOnHand: p.QtyOnHand.String(), ProductUnits: units}
	}
	b, err := json.Marshal(rows)
	return string(b), err
}

func (s *Store) insertProducts(ctx context.Context, tx *txn, dbID int64, ps []*salesmania.Product, now time.Time) error {
	if len(ps) == 0 {
		return nil
	}
	if s.dialect == dialectSQLite {
		for _, p := range ps {
			tags, units := productArgs(p)
			if _, err := tx.ExecContext(ctx, `
			INSERT INTO products (db_id, id, name, description, sku, tags, status, ext_product_code, default_disc, qty_on_hand, product_units, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)`,
				dbID, p.ID, p.Name, p.Description, p.SKU, tags, p.Status, p.ExtProductCode, p.DefaultDisc, p.QtyOnHand, units, micros(now)); err != nil {
				return err
			}
		}
		return nil
	}
	ps = slices.Clone(ps)
	slices.SortStableFunc(ps, func(a, b *salesmania.Product) int { return strings.Compare(a.ExtProductCode, b.ExtProductCode) })
	rows, err := productRows(ps)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO products (db_id, id, name, description, sku, tags, status, ext_product_code, default_disc, qty_on_hand, product_units, created_at, updated_at)
		SELECT $1, x.id, x.name, x.description, x.sku, x.tags, x.status, x.ext_product_code, x.default_disc, x.qty_on_hand, x.product_units, $2, $2
		FROM `+productRecordset, dbID, micros(now), rows)
	return err
}

func (s *Store) updateProducts(ctx context.Context, tx *txn, dbID int64, ps []*salesmania.Product, now time.Time) error {
	if len(ps) == 0 {
		return nil
	}
	if s.dialect == dialectSQLite {
		for _, p := range ps {
			tags, units := productArgs(p)
			if _, err := tx.ExecContext(ctx, `
			UPDATE products SET name = $3, description = $4, sku = $5, tags = $6, status = $7, ext_product_code = $8,
				default_disc = $9, qty_on_hand = $10, product_units = $11, updated_at = $12
			WHERE db_id = $1 AND id = $2`,
				dbID, p.ID, p.Name, p.Description, p.SKU, tags, p.Status, p.ExtProductCode, p.DefaultDisc, p.QtyOnHand, units, micros(now)); err != nil {
				return err
			}
		}
		return nil
	}
	rows, err := productRows(ps)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `
		UPDATE products AS p SET name = x.name, description = x.description, sku = x.sku, tags = x.tags, status = x.status,
			ext_product_code = x.ext_product_code, default_disc = x.default_disc, qty_on_hand = x.qty_on_hand,
			product_units = x.product_units, updated_at = $2
		FROM `+productRecordset+`
		WHERE p.db_id = $1 AND p.id = x.id`, dbID, micros(now), rows)
	return err
}
