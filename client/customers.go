package client

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"time"

	"github.com/salesmania/salesmania"
)

const customersPath = "/extapi/v1.0/customers"

// CustomerService calls the customer endpoints (§3). Get it as
// Client.Customers.
type CustomerService struct{ c *Client }

// CustomerListOptions filter and page the customer list. Zero fields do not
// filter.
type CustomerListOptions struct {
	// Q is a case-insensitive substring of name, address, city, phone or
	// ext_cust_no.
	Q string
	// Status keeps active (true) or inactive (false) customers.
	Status *bool
	// Tag keeps customers with this tag (exact).
	Tag string
	// ExtCustNo keeps the customer with this ERP customer number (exact).
	ExtCustNo string
	// UpdatedSince keeps customers changed after it and orders the list by
	// (updated_at, id), for delta sync.
	UpdatedSince *time.Time
	Limit        int
	Cursor       string
	IncludeTotal bool
}

func (o *CustomerListOptions) values() url.Values {
	q := url.Values{}
	if o == nil {
		return q
	}
	setString(q, "q", o.Q)
	setBool(q, "status", o.Status)
	setString(q, "tag", o.Tag)
	setString(q, "ext_cust_no", o.ExtCustNo)
	if o.UpdatedSince != nil {
		setTime(q, "updated_since", *o.UpdatedSince)
	}
	setPaging(q, o.Limit, o.Cursor, o.IncludeTotal)
	return q
}

// List returns one page of customers (GET /extapi/v1.0/customers); opts may
// be nil. Pass the page's NextCursor as opts.Cursor for the next page, or use
// All.
func (s *CustomerService) List(ctx context.Context, opts *CustomerListOptions) (*salesmania.Page[salesmania.Customer], error) {
	return get[salesmania.Page[salesmania.Customer]](ctx, s.c, customersPath, opts.values())
}

// All returns an iterator over every customer matching opts, from
// opts.Cursor on, fetching pages of opts.Limit as it goes. It ignores
// opts.IncludeTotal. On an error it yields the error once and stops.
func (s *CustomerService) All(ctx context.Context, opts *CustomerListOptions) iter.Seq2[salesmania.Customer, error] {
	o := CustomerListOptions{}
	if opts != nil {
		o = *opts
	}
	o.IncludeTotal = false
	return pages(func(cursor string) (*salesmania.Page[salesmania.Customer], error) {
		o.Cursor = cursor
		return s.List(ctx, &o)
	}, o.Cursor)
}

// Get returns one customer; a 404 *Error if there is none with that id in
// the database.
func (s *CustomerService) Get(ctx context.Context, id int64) (*salesmania.Customer, error) {
	return get[salesmania.Customer](ctx, s.c, idPath(customersPath, id), nil)
}

// Create creates a customer from the fields set in f (name is required) and
// returns it. A 422 *Error lists every bad field; a 409 means ext_cust_no is
// taken.
func (s *CustomerService) Create(ctx context.Context, f *salesmania.CustomerFields) (*salesmania.Customer, error) {
	return write[salesmania.Customer](ctx, s.c, http.MethodPost, customersPath, f, customerNulls(f))
}

// Update changes the fields set in f, and only those (tags replaces the
// whole list; f.Nulls["location"] clears the location), and returns the
// customer as stored. 404, 422 and 409 as for Get and Create.
func (s *CustomerService) Update(ctx context.Context, id int64, f *salesmania.CustomerFields) (*salesmania.Customer, error) {
	return write[salesmania.Customer](ctx, s.c, http.MethodPatch, idPath(customersPath, id), f, customerNulls(f))
}

// Delete deletes a customer. A customer with visits or orders cannot be
// deleted (409 *Error): set its status to false instead.
func (s *CustomerService) Delete(ctx context.Context, id int64) error {
	return remove(ctx, s.c, idPath(customersPath, id))
}

// ListDeleted returns one page of the tombstones of deleted customers
// (GET /extapi/v1.0/customers/deleted), ordered by deletion time.
func (s *CustomerService) ListDeleted(ctx context.Context, opts *DeletedListOptions) (*salesmania.Page[salesmania.Tombstone], error) {
	return get[salesmania.Page[salesmania.Tombstone]](ctx, s.c, customersPath+"/deleted", opts.values())
}

// AllDeleted is All for ListDeleted.
func (s *CustomerService) AllDeleted(ctx context.Context, opts *DeletedListOptions) iter.Seq2[salesmania.Tombstone, error] {
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

func customerNulls(f *salesmania.CustomerFields) map[string]bool {
	if f == nil {
		return nil
	}
	return f.Nulls
}
