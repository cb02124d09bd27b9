package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/salesmania/salesmania"
)

const orderColumns = "o.id, o.date, o.customer_id, o.team_id, o.description, o.disc_percent, o.disc_amount, o.total_paid, o.status, " +
	"o.visit_status, o.ext_order_no, o.ext_order_status_name, o.subtotal, o.discount, o.total, o.created_at, o.updated_at"

func scanOrder(row rowScanner, dbID int64) (*salesmania.Order, error) {
	o := new(salesmania.Order)
	if err := scanOrderInto(row, dbID, o); err != nil {
		return nil, err
	}
	return o, nil
}

// scanOrderInto reads one row into o, which lists keep in place.
func scanOrderInto(row rowScanner, dbID int64, o *salesmania.Order) error {
	*o = salesmania.Order{DBID: dbID, OrderedProducts: []salesmania.OrderLine{}}
	var created, updated int64
	if err := row.Scan(&o.ID, &o.Date, &o.CustomerID, &o.TeamID, &o.Description, &o.DiscPercent, &o.DiscAmount, &o.TotalPaid,
		&o.Status, &o.VisitStatus, &o.ExtOrderNo, &o.ExtOrderStatusName, &o.Subtotal, &o.Discount, &o.Total, &created, &updated); err != nil {
		return err
	}
	o.CreatedAt, o.UpdatedAt = fromMicros(created), fromMicros(updated)
	return nil
}

const lineColumns = "order_id, id, product_id, qty, unit, unit_ratio, price, item_disc_percent, item_disc_amount, description, " +
	"ext_order_line_id, gross, discount, net"

// loadLines fills the lines of the orders, in their order, with one query.
func loadLines(ctx context.Context, db queryer, dialect dialect, dbID int64, orders []*salesmania.Order) error {
	if len(orders) == 0 {
		return nil
	}
	byID := make(map[int64]*salesmania.Order, len(orders))
	q := &query{}
	q.and("db_id = " + q.arg(dbID))
	ids := make([]int64, len(orders))
	for i, o := range orders {
		byID[o.ID] = o
		ids[i] = o.ID
	}
	q.and(idIn(q, dialect, "order_id", ids))
	rows, err := db.QueryContext(ctx, "SELECT "+lineColumns+" FROM order_lines"+q.whereClause()+" ORDER BY order_id, line_no", q.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var orderID int64
		var l salesmania.OrderLine
		var ext sql.NullInt64
		if err := rows.Scan(&orderID, &l.ID, &l.ProductID, &l.Qty, &l.Unit, &l.UnitRatio, &l.Price, &l.ItemDiscPercent, &l.ItemDiscAmount,
			&l.Description, &ext, &l.Gross, &l.Discount, &l.Net); err != nil {
			return err
		}
		if ext.Valid {
			l.ExtOrderLineID = &ext.Int64
		}
		o := byID[orderID]
		o.OrderedProducts = append(o.OrderedProducts, l)
	}
	return rows.Err()
}

func orderNotFound(id int64) error {
	return salesmania.Errorf(salesmania.ENOTFOUND, "Order %d not found.", id)
}

// orderRefs holds what an order's checks and its webhook body need from
// other tables.
type orderRefs struct {
	extCustNo, extSalesmanNumber string
	products                     map[int64]*salesmania.Product
}

// loadOrderRefs reads the customer, team and products an order names,
// reporting EINVALID for any that is not in the database.
func (s *Store) loadOrderRefs(ctx context.Context, tx queryer, dbID int64, o *salesmania.Order) (*orderRefs, error) {
	refs := &orderRefs{products: map[int64]*salesmania.Product{}}
	var p salesmania.Problems
	err := tx.QueryRowContext(ctx, "SELECT ext_cust_no FROM customers WHERE db_id = $1 AND id = $2", dbID, o.CustomerID).Scan(&refs.extCustNo)
	if errors.Is(err, sql.ErrNoRows) {
		p.Add("customer_id", "is not a customer of this database")
	} else if err != nil {
		return nil, err
	}
	err = tx.QueryRowContext(ctx, "SELECT ext_salesman_number FROM teams WHERE db_id = $1 AND id = $2", dbID, o.TeamID).Scan(&refs.extSalesmanNumber)
	if errors.Is(err, sql.ErrNoRows) {
		p.Add("team_id", "is not a team of this database")
	} else if err != nil {
		return nil, err
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	var ids []int64
	for _, l := range o.OrderedProducts {
		if !slices.Contains(ids, l.ProductID) {
			ids = append(ids, l.ProductID)
		}
	}
	for chunk := range slices.Chunk(ids, 200) {
		q := &query{}
		q.and("p.db_id = " + q.arg(dbID))
		q.and(idIn(q, s.dialect, "p.id", chunk))
		rows, err := tx.QueryContext(ctx, "SELECT "+productColumns+" FROM products p"+q.whereClause(), q.args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			pr, err := scanProduct(rows, dbID)
			if err != nil {
				rows.Close()
				return nil, err
			}
			refs.products[pr.ID] = pr
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return refs, nil
}

// productCodes returns the ext_product_code of each product.
func (r *orderRefs) productCodes() map[int64]string {
	m := make(map[int64]string, len(r.products))
	for id, p := range r.products {
		m[id] = p.ExtProductCode
	}
	return m
}

// orderRefsReadHook, when set by a test, runs between CreateOrder's read of
// the rows an order names and its write transaction.
var orderRefsReadHook func()

// CreateOrder stores a new order, and its webhook deliveries.
//
// The customer, team and products the order names are read, and the order
// checked and computed, before the write transaction, on the read pool: on
// SQLite every write runs in turn on one writer (batch.go), so what a write
// does there is what bounds them all. The foreign keys hold the order to
// rows that still exist when it commits; should one have gone meanwhile, the
// order is checked again inside the transaction, which then refuses it
// (see maxGoneAttempts).
func (s *Store) CreateOrder(ctx context.Context, dbID int64, o *salesmania.Order) error {
	refs, err := s.loadOrderRefs(ctx, s.r, dbID, o)
	if err != nil {
		return s.wrap(err)
	}
	if err := o.Finish(refs.products); err != nil {
		return err
	}
	if orderRefsReadHook != nil {
		orderRefsReadHook()
	}
	err = s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error { return s.insertOrder(ctx, tx, dbID, o, refs) })
	for attempt := 1; errors.Is(err, errForeignKey) && attempt < maxGoneAttempts; attempt++ {
		err = s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
			refs, err := s.loadOrderRefs(ctx, tx, dbID, o)
			if err != nil {
				return err
			}
			if err := o.Finish(refs.products); err != nil {
				return err
			}
			return s.insertOrder(ctx, tx, dbID, o, refs)
		})
	}
	return err
}

// insertOrder writes a checked and computed order, its lines, its webhook
// deliveries and its count, in tx.
func (s *Store) insertOrder(ctx context.Context, tx *txn, dbID int64, o *salesmania.Order, refs *orderRefs) error {
	id, lineIDs, err := s.nextOrderIDs(ctx, tx, len(o.OrderedProducts))
	if err != nil {
		return err
	}
	now := salesmania.Now()
	o.ID, o.DBID, o.CreatedAt, o.UpdatedAt = id, dbID, now, now
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO orders (db_id, id, date, customer_id, team_id, description, disc_percent, disc_amount, total_paid, status,
			visit_status, ext_order_no, ext_order_status_name, subtotal, discount, total, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17)`,
		dbID, id, o.Date, o.CustomerID, o.TeamID, o.Description, o.DiscPercent, o.DiscAmount, o.TotalPaid, o.Status,
		o.VisitStatus, o.ExtOrderNo, o.ExtOrderStatusName, o.Subtotal, o.Discount, o.Total, micros(now)); err != nil {
		return err
	}
	if err := s.insertLinesWithIDs(ctx, tx, dbID, o, lineIDs); err != nil {
		return err
	}
	if err := s.enqueueOrderEvent(ctx, tx, salesmania.EventOrderCreated, o, refs); err != nil {
		return err
	}
	if err := countRow(ctx, tx, "orders", dbID, 1); err != nil {
		return err
	}
	recordChange(tx, dbID, salesmania.ChangeOrder, id, o.TeamID, salesmania.OpUpsert)
	return markCommitted(ctx, tx, salesmania.ResourceOrder, dbID, id)
}

// nextOrderIDs returns the id of a new order and n ids for its lines; on
// PostgreSQL in one round trip.
func (s *Store) nextOrderIDs(ctx context.Context, tx *txn, n int) (int64, []int64, error) {
	if s.dialect != dialectPostgres || n == 0 {
		id, err := s.nextID(ctx, tx, "orders")
		if err != nil {
			return 0, nil, err
		}
		ids, err := s.nextIDs(ctx, tx, "order_lines", n)
		return id, ids, err
	}
	rows, err := tx.QueryContext(ctx, "SELECT (SELECT nextval('orders_id_seq')), nextval('order_lines_id_seq') FROM generate_series(1, $1)", n)
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	var id int64
	ids := make([]int64, 0, n)
	for rows.Next() {
		var line int64
		if err := rows.Scan(&id, &line); err != nil {
			return 0, nil, err
		}
		ids = append(ids, line)
	}
	return id, ids, rows.Err()
}

// insertLines stores the lines of o with fresh ids, a few rows per
// statement.
func (s *Store) insertLines(ctx context.Context, tx *txn, dbID int64, o *salesmania.Order) error {
	ids, err := s.nextIDs(ctx, tx, "order_lines", len(o.OrderedProducts))
	if err != nil {
		return err
	}
	return s.insertLinesWithIDs(ctx, tx, dbID, o, ids)
}

// insertLinesWithIDs stores the lines of o with the given ids.
func (s *Store) insertLinesWithIDs(ctx context.Context, tx *txn, dbID int64, o *salesmania.Order, ids []int64) error {
	const perStatement = 50
	for start := 0; start < len(o.OrderedProducts); start += perStatement {
		end := min(start+perStatement, len(o.OrderedProducts))
		q := &query{}
		values := make([]string, 0, end-start)
		for i := start; i < end; i++ {
			l := &o.OrderedProducts[i]
			l.ID = ids[i]
			var ext any
			if l.ExtOrderLineID != nil {
				ext = *l.ExtOrderLineID
			}
			args := []any{dbID, o.ID, i, l.ID, l.ProductID, l.Qty, l.Unit, l.UnitRatio, l.Price, l.ItemDiscPercent, l.ItemDiscAmount,
				l.Description, ext, l.Gross, l.Discount, l.Net}
			ph := make([]string, len(args))
			for j, a := range args {
				ph[j] = q.arg(a)
			}
			values = append(values, "("+strings.Join(ph, ", ")+")")
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO order_lines (db_id, order_id, line_no, "+lineColumns[len("order_id, "):]+
			") VALUES "+strings.Join(values, ", "), q.args...); err != nil {
			return err
		}
	}
	return nil
}

// nextIDs returns n new ids for rows of table.
func (s *Store) nextIDs(ctx context.Context, tx *txn, table string, n int) ([]int64, error) {
	ids := make([]int64, 0, n)
	if s.dialect == dialectPostgres {
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
		return ids, rows.Err()
	}
	var last int64
	if err := tx.QueryRowContext(ctx, "UPDATE id_seq SET last = last + $2 WHERE name = $1 RETURNING last", table, n).Scan(&last); err != nil {
		return nil, err
	}
	for id := last - int64(n) + 1; id <= last; id++ {
		ids = append(ids, id)
	}
	return ids, nil
}

// FindOrder returns one order with its lines.
func (s *Store) FindOrder(ctx context.Context, dbID int64, teams salesmania.TeamScope, id int64) (*salesmania.Order, error) {
	return s.findOrder(ctx, s.r, dbID, teams, id, "")
}

func (s *Store) findOrder(ctx context.Context, db queryer, dbID int64, teams salesmania.TeamScope, id int64, lock string) (*salesmania.Order, error) {
	q := &query{}
	q.and("o.db_id = " + q.arg(dbID))
	q.and("o.id = " + q.arg(id))
	q.inTeams("o.team_id", teams)
	o, err := scanOrder(db.QueryRowContext(ctx, "SELECT "+orderColumns+" FROM orders o"+q.whereClause()+lock, q.args...), dbID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, orderNotFound(id)
	} else if err != nil {
		return nil, s.wrap(err)
	}
	if err := loadLines(ctx, db, s.dialect, dbID, []*salesmania.Order{o}); err != nil {
		return nil, s.wrap(err)
	}
	return o, nil
}

// UpdateOrder applies a PATCH to an order and enqueues order.updated.
func (s *Store) UpdateOrder(ctx context.Context, dbID int64, teams salesmania.TeamScope, id int64, f *salesmania.OrderFields) (*salesmania.Order, error) {
	var out *salesmania.Order
	var err error
	for attempt := 1; attempt == 1 || errors.Is(err, errForeignKey) && attempt <= maxGoneAttempts; attempt++ {
		err = s.updateOrder(ctx, dbID, teams, id, f, &out)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// updateOrder runs one attempt of UpdateOrder: a product of new lines may
// be deleted meanwhile (see maxGoneAttempts).
func (s *Store) updateOrder(ctx context.Context, dbID int64, teams salesmania.TeamScope, id int64, f *salesmania.OrderFields, out **salesmania.Order) error {
	return s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		o, err := s.findOrder(ctx, tx, dbID, teams, id, s.forUpdate())
		if err != nil {
			return err
		}
		changed, err := f.ApplyTo(o)
		if err != nil {
			return err
		}
		*out = o
		linesChanged := f.OrderedProducts != nil
		var refs *orderRefs
		if linesChanged {
			if refs, err = s.loadOrderRefs(ctx, tx, dbID, o); err != nil {
				return err
			}
			if err := o.Finish(refs.products); err != nil {
				return err
			}
		}
		if !changed {
			return nil
		}
		o.UpdatedAt = salesmania.Now()
		recordChange(tx, dbID, salesmania.ChangeOrder, id, o.TeamID, salesmania.OpUpsert)
		if _, err := tx.ExecContext(ctx, `
			UPDATE orders SET description = $3, total_paid = $4, status = $5, visit_status = $6, ext_order_no = $7,
				ext_order_status_name = $8, subtotal = $9, discount = $10, total = $11, updated_at = $12
			WHERE db_id = $1 AND id = $2`,
			dbID, id, o.Description, o.TotalPaid, o.Status, o.VisitStatus, o.ExtOrderNo, o.ExtOrderStatusName,
			o.Subtotal, o.Discount, o.Total, micros(o.UpdatedAt)); err != nil {
			return err
		}
		if linesChanged {
			if _, err := tx.ExecContext(ctx, "DELETE FROM order_lines WHERE db_id = $1 AND order_id = $2", dbID, id); err != nil {
				return err
			}
			if err := s.insertLines(ctx, tx, dbID, o); err != nil {
				return err
			}
		}
		return s.enqueueOrderEvent(ctx, tx, salesmania.EventOrderUpdated, o, refs)
	})
}

// ListOrders returns one page of orders matching the filter, with lines.
func (s *Store) ListOrders(ctx context.Context, dbID int64, f salesmania.OrderFilter) (*salesmania.Page[salesmania.Order], error) {
	q := &query{}
	q.and("o.db_id = " + q.arg(dbID))
	if f.DateFrom != "" {
		q.and("o.date >= " + q.arg(f.DateFrom))
	}
	if f.DateTo != "" {
		q.and("o.date <= " + q.arg(f.DateTo))
	}
	if f.Status != "" {
		q.and("o.status = " + q.arg(f.Status))
	}
	if f.CustomerID != 0 {
		q.and("o.customer_id = " + q.arg(f.CustomerID))
	}
	q.inTeams("o.team_id", f.Teams)
	if f.ExtOrderNo != "" {
		q.and("o.ext_order_no = " + q.arg(f.ExtOrderNo))
	}
	page, err := listByKeyset(ctx, s, orderColumns, "orders o", q, f.ListParams, "o.updated_at", "o.id",
		func(r rowScanner, x *salesmania.Order) error { return scanOrderInto(r, dbID, x) },
		func(o *salesmania.Order) (time.Time, int64) { return o.UpdatedAt, o.ID })
	if err != nil {
		return nil, err
	}
	ptrs := make([]*salesmania.Order, len(page.Data))
	for i := range page.Data {
		ptrs[i] = &page.Data[i]
	}
	if err := loadLines(ctx, s.r, s.dialect, dbID, ptrs); err != nil {
		return nil, s.wrap(err)
	}
	return page, nil
}
