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

const productColumns = "p.id, p.name, p.description, p.sku, p.tags, p.status, p.ext_product_code, p.default_disc, p.qty_on_hand, p.product_units, p.created_at, p.updated_at"

func scanProduct(row rowScanner, dbID int64) (*salesmania.Product, error) {
	p := new(salesmania.Product)
	if err := scanProductInto(row, dbID, p); err != nil {
		return nil, err
	}
	return p, nil
}

// scanProductInto reads one row into p, which lists keep in place.
func scanProductInto(row rowScanner, dbID int64, p *salesmania.Product) error {
	*p = salesmania.Product{DBID: dbID}
	var tags, units string
	var created, updated int64
	if err := row.Scan(&p.ID, &p.Name, &p.Description, &p.SKU, &tags, &p.Status, &p.ExtProductCode, &p.DefaultDisc,
		&p.QtyOnHand, &units, &created, &updated); err != nil {
		return err
	}
	var err error
	if p.Tags, err = parseTags(tags); err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(units), &p.ProductUnits); err != nil {
		return err
	}
	p.CreatedAt, p.UpdatedAt = fromMicros(created), fromMicros(updated)
	return nil
}

func productNotFound(id int64) error {
	return salesmania.Errorf(salesmania.ENOTFOUND, "Product %d not found.", id)
}

// productArgs returns the stored forms of a product's tags and units.
func productArgs(p *salesmania.Product) (tags, units string) {
	t, _ := json.Marshal(p.Tags)
	u, _ := json.Marshal(p.ProductUnits)
	return string(t), string(u)
}

// CreateProduct stores a new product.
func (s *Store) CreateProduct(ctx context.Context, dbID int64, p *salesmania.Product) error {
	err := s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		now := salesmania.Now() // under the write lock: see CreateCustomer
		// A taken ext_product_code fails the insert on the unique index.
		id, err := s.nextID(ctx, tx, "products")
		if err != nil {
			return err
		}
		p.ID, p.DBID, p.CreatedAt, p.UpdatedAt = id, dbID, now, now
		if p.Tags == nil {
			p.Tags = []string{}
		}
		tags, units := productArgs(p)
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO products (db_id, id, name, description, sku, tags, status, ext_product_code, default_disc, qty_on_hand, product_units, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)`,
			dbID, id, p.Name, p.Description, p.SKU, tags, p.Status, p.ExtProductCode, p.DefaultDisc, p.QtyOnHand, units, micros(now)); err != nil {
			return err
		}
		if err := productTags.replace(ctx, tx, dbID, id, nil, p.Tags); err != nil {
			return err
		}
		if err := countRow(ctx, tx, "products", dbID, 1); err != nil {
			return err
		}
		recordChange(tx, dbID, salesmania.ChangeProduct, id, 0, salesmania.OpUpsert)
		return markCommitted(ctx, tx, salesmania.ResourceProduct, dbID, id)
	})
	if errors.Is(err, errUnique) {
		return extProductCode.taken(p.ExtProductCode)
	}
	return err
}

// FindProduct returns one product of the database.
func (s *Store) FindProduct(ctx context.Context, dbID, id int64) (*salesmania.Product, error) {
	p, err := scanProduct(s.r.QueryRowContext(ctx, "SELECT "+productColumns+" FROM products p WHERE p.db_id = $1 AND p.id = $2", dbID, id), dbID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, productNotFound(id)
	}
	return p, s.wrap(err)
}

// UpdateProduct applies a PATCH to a product; a PATCH that changes nothing
// keeps updated_at.
func (s *Store) UpdateProduct(ctx context.Context, dbID, id int64, f *salesmania.ProductFields) (*salesmania.Product, error) {
	var out *salesmania.Product
	err := s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		p, err := scanProduct(tx.QueryRowContext(ctx, "SELECT "+productColumns+" FROM products p WHERE p.db_id = $1 AND p.id = $2"+s.forUpdate(), dbID, id), dbID)
		if errors.Is(err, sql.ErrNoRows) {
			return productNotFound(id)
		} else if err != nil {
			return err
		}
		before := *p
		changed, err := f.ApplyTo(p)
		if err != nil {
			return err
		}
		out = p
		if !changed {
			return nil
		}
		tags, units := productArgs(p)
		if p.ExtProductCode != before.ExtProductCode {
			if err := extProductCode.check(ctx, tx, dbID, id, p.ExtProductCode); err != nil {
				return err
			}
		}
		p.UpdatedAt = salesmania.Now()
		recordChange(tx, dbID, salesmania.ChangeProduct, id, 0, salesmania.OpUpsert)
		if _, err := tx.ExecContext(ctx, `
			UPDATE products SET name = $3, description = $4, sku = $5, tags = $6, status = $7, ext_product_code = $8,
				default_disc = $9, qty_on_hand = $10, product_units = $11, updated_at = $12
			WHERE db_id = $1 AND id = $2`,
			dbID, id, p.Name, p.Description, p.SKU, tags, p.Status, p.ExtProductCode, p.DefaultDisc, p.QtyOnHand, units, micros(p.UpdatedAt)); err != nil {
			return err
		}
		if slices.Equal(before.Tags, p.Tags) {
			return nil
		}
		return productTags.replace(ctx, tx, dbID, id, before.Tags, p.Tags)
	})
	if errors.Is(err, errUnique) {
		return nil, extProductCode.taken(out.ExtProductCode)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteProduct deletes a product and records its tombstone.
func (s *Store) DeleteProduct(ctx context.Context, dbID, id int64) error {
	err := s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		if err := s.lockForDelete(ctx, tx, "products", dbID, id, productNotFound(id)); err != nil {
			return err
		}
		if err := refusedIfReferenced(ctx, tx, dbID, id, "product", "order_lines", "product_id"); err != nil {
			return err
		}
		return deleteRow(ctx, tx, "products", dbID, id, productNotFound(id))
	})
	if errors.Is(err, errForeignKey) {
		// The backstop of lockForDelete: an order came first.
		return inUse("product", "order lines")
	}
	return err
}

// ListProducts returns one page of products matching the filter.
func (s *Store) ListProducts(ctx context.Context, dbID int64, f salesmania.ProductFilter) (*salesmania.Page[salesmania.Product], error) {
	q := &query{}
	q.and("p.db_id = " + q.arg(dbID))
	if f.Q != "" {
		pat := q.arg(likePattern(f.Q))
		op := " " + s.ilike() + " " + pat + ` ESCAPE '\'`
		q.and("(p.name" + op + " OR p.sku" + op + " OR p.ext_product_code" + op + " OR p.description" + op + ")")
	}
	if f.Status != nil {
		q.and("p.status = " + q.arg(*f.Status))
	}
	if f.Tag != "" {
		q.and(productTags.filter(q, "p", f.Tag))
	}
	if f.SKU != "" {
		q.and("p.sku = " + q.arg(f.SKU))
	}
	if f.ExtProductCode != "" {
		q.and("p.ext_product_code = " + q.arg(f.ExtProductCode))
	}
	return listByKeyset(ctx, s, productColumns, "products p", q, f.ListParams, "p.updated_at", "p.id",
		func(r rowScanner, x *salesmania.Product) error { return scanProductInto(r, dbID, x) },
		func(p *salesmania.Product) (time.Time, int64) { return p.UpdatedAt, p.ID })
}

// ListDeletedProducts returns tombstones of deleted products.
func (s *Store) ListDeletedProducts(ctx context.Context, dbID int64, since time.Time, p salesmania.ListParams) (*salesmania.Page[salesmania.Tombstone], error) {
	return s.listTombstones(ctx, dbID, "products", since, p)
}
