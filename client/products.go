package client

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"time"

	"github.com/salesmania/salesmania"
)

const productsPath = "/extapi/v1.0/products"

// ProductService calls the product endpoints (§4). Get it as
// Client.Products.
type ProductService struct{ c *Client }

// ProductListOptions filter and page the product list. Zero fields do not
// filter.
type ProductListOptions struct {
	// Q is a case-insensitive substring of name, sku, ext_product_code or
	// description.
	Q string
	// Status keeps active (true) or inactive (false) products.
	Status *bool
	// Tag keeps products with this tag (exact).
	Tag string
	// SKU keeps products with this SKU (exact).
	SKU string
	// ExtProductCode keeps the product with this ERP product code (exact).
	ExtProductCode string
	// UpdatedSince keeps products changed after it and orders the list by
	// (updated_at, id), for delta sync.
	UpdatedSince *time.Time
	Limit        int
	Cursor       string
	IncludeTotal bool
}

func (o *ProductListOptions) values() url.Values {
	q := url.Values{}
	if o == nil {
		return q
	}
	setString(q, "q", o.Q)
	setBool(q, "status", o.Status)
	setString(q, "tag", o.Tag)
	setString(q, "sku", o.SKU)
	setString(q, "ext_product_code", o.ExtProductCode)
	if o.UpdatedSince != nil {
		setTime(q, "updated_since", *o.UpdatedSince)
	}
	setPaging(q, o.Limit, o.Cursor, o.IncludeTotal)
	return q
}

// List returns one page of products (GET /extapi/v1.0/products); opts may
// be nil. Pass the page's NextCursor as opts.Cursor for the next page, or use
// All.
func (s *ProductService) List(ctx context.Context, opts *ProductListOptions) (*salesmania.Page[salesmania.Product], error) {
	return get[salesmania.Page[salesmania.Product]](ctx, s.c, productsPath, opts.values())
}

// All returns an iterator over every product matching opts, from
// opts.Cursor on, fetching pages of opts.Limit as it goes. It ignores
// opts.IncludeTotal. On an error it yields the error once and stops.
func (s *ProductService) All(ctx context.Context, opts *ProductListOptions) iter.Seq2[salesmania.Product, error] {
	o := ProductListOptions{}
	if opts != nil {
		o = *opts
	}
	o.IncludeTotal = false
	return pages(func(cursor string) (*salesmania.Page[salesmania.Product], error) {
		o.Cursor = cursor
		return s.List(ctx, &o)
	}, o.Cursor)
}

// Get returns one product; a 404 *Error if there is none with that id in
// the database.
func (s *ProductService) Get(ctx context.Context, id int64) (*salesmania.Product, error) {
	return get[salesmania.Product](ctx, s.c, idPath(productsPath, id), nil)
}

// Create creates a product from the fields set in f (name, qty_on_hand and
// product_units are required) and returns it. A 422 *Error lists every bad
// field; a 409 means ext_product_code is taken.
func (s *ProductService) Create(ctx context.Context, f *salesmania.ProductFields) (*salesmania.Product, error) {
	return write[salesmania.Product](ctx, s.c, http.MethodPost, productsPath, f, productNulls(f))
}

// Update changes the fields set in f, and only those (tags and
// product_units replace the whole list), and returns the product as stored.
// 404, 422 and 409 as for Get and Create.
func (s *ProductService) Update(ctx context.Context, id int64, f *salesmania.ProductFields) (*salesmania.Product, error) {
	return write[salesmania.Product](ctx, s.c, http.MethodPatch, idPath(productsPath, id), f, productNulls(f))
}

// Delete deletes a product. A product on an order line cannot be deleted
// (409 *Error): set its status to false instead.
func (s *ProductService) Delete(ctx context.Context, id int64) error {
	return remove(ctx, s.c, idPath(productsPath, id))
}

// ListDeleted returns one page of the tombstones of deleted products
// (GET /extapi/v1.0/products/deleted), ordered by deletion time.
func (s *ProductService) ListDeleted(ctx context.Context, opts *DeletedListOptions) (*salesmania.Page[salesmania.Tombstone], error) {
	return get[salesmania.Page[salesmania.Tombstone]](ctx, s.c, productsPath+"/deleted", opts.values())
}

// AllDeleted is All for ListDeleted.
func (s *ProductService) AllDeleted(ctx context.Context, opts *DeletedListOptions) iter.Seq2[salesmania.Tombstone, error] {
	o := DeletedListOptions{}
	if opts != nil {
		o = *opts
	}
	o.IncludeTotal = false
	return pages(func(cursor string) (*salesmania.Page[salesmania.Tombstone], error) {
		o.Cursor = cursor
		return s.ListDeleted(ctx, &o)
	}, o.Cursor)
}

func productNulls(f *salesmania.ProductFields) map[string]bool {
	if f == nil {
		return nil
	}
	return f.Nulls
}
