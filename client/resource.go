package client

import (
	"context"
	"iter"
	"net/http"
	"net/url"

	"github.com/salesmania/salesmania"
)

// The resources of the API (customers, products, orders, visits, visit
// plans) have their endpoints in common, at a collection path: a list
// paged by cursor, and a row by id (§1.3). A resource's service is made of
// the pieces below, embedded, so their methods are the service's:
//
//	type CustomerService struct {
//		resource[salesmania.Customer, salesmania.CustomerFields, *CustomerListOptions]
//		creator[salesmania.Customer, salesmania.CustomerFields]
//		deleter
//		tombstones
//	}
//
// and a new resource is its list options (fields with `query` tags), such
// a type, and a line in New that binds it to its path.

// endpoint is the collection path of a resource, on a client.
type endpoint struct {
	c    *Client
	path string
}

// piece is a part of a service that calls the endpoints below a path.
type piece interface{ set(e endpoint) }

func (e *endpoint) set(to endpoint) { *e = to }

// bind makes each piece of a service call the endpoints below e.
func (e endpoint) bind(pieces ...piece) {
	for _, p := range pieces {
		p.set(e)
	}
}

// resource reads and changes the rows of a resource: T is its row
// (salesmania.Customer), F the body of an update (salesmania.CustomerFields)
// and O a pointer to its list options (*CustomerListOptions).
type resource[T, F, O any] struct{ endpoint }

// List returns one page of rows (GET on the resource's path), filtered by
// opts, which may be nil. Pass the page's NextCursor as opts.Cursor for the
// next page, or use All.
func (r *resource[T, F, O]) List(ctx context.Context, opts O) (*salesmania.Page[T], error) {
	return get[salesmania.Page[T]](ctx, r.c, r.path, queryOf(opts))
}

// All returns an iterator over every row matching opts, from opts.Cursor
// on, fetching pages of opts.Limit as it goes. It ignores opts.IncludeTotal.
// On an error it yields the error once and stops.
func (r *resource[T, F, O]) All(ctx context.Context, opts O) iter.Seq2[T, error] {
	return allPages(queryOf(opts), func(q url.Values) (*salesmania.Page[T], error) {
		return get[salesmania.Page[T]](ctx, r.c, r.path, q)
	})
}

// Get returns one row by its id. A 404 *Error means there is none with
// that id in the database (or none the caller may see: a member sees only
// its own team's visits, plans and orders).
func (r *resource[T, F, O]) Get(ctx context.Context, id int64) (*T, error) {
	return get[T](ctx, r.c, idPath(r.path, id), nil)
}

// Update changes the fields set in f, and only those (a list such as tags
// replaces the whole list; f.Nulls names fields to clear, as "location"),
// and returns the row as stored (PATCH on the row's path). A 422 *Error
// names every bad field, a 409 a change the row's state or another row does
// not allow (each service tells which), a 404 a row that is not the
// caller's to see.
func (r *resource[T, F, O]) Update(ctx context.Context, id int64, f *F) (*T, error) {
	return write[T](ctx, r.c, http.MethodPatch, idPath(r.path, id), f)
}

// creator creates rows of a resource: T is its row, F the body that
// creates one.
type creator[T, F any] struct{ endpoint }

// Create creates a row from the fields set in f and returns it as stored
// (POST on the resource's path). The call is made at most once on the
// server however often the client retries it (see the package
// documentation). A 422 *Error lists every bad or missing field; a 409
// means an external code is taken, a 403 that a member named another team.
func (r *creator[T, F]) Create(ctx context.Context, f *F) (*T, error) {
	return write[T](ctx, r.c, http.MethodPost, r.path, f)
}

// deleter deletes the rows of a resource.
type deleter struct{ endpoint }

// Delete deletes a row (DELETE on its path). A 409 *Error means the row is
// still needed (each service tells by what), a 404 that it is not the
// caller's to see.
func (r *deleter) Delete(ctx context.Context, id int64) error {
	return remove(ctx, r.c, idPath(r.path, id))
}

// tombstones lists the deleted rows of a resource, for clients that keep a
// copy in sync.
type tombstones struct{ endpoint }

// ListDeleted returns one page of the tombstones of deleted rows (GET
// …/deleted), ordered by deletion time; opts may be nil.
func (r *tombstones) ListDeleted(ctx context.Context, opts *DeletedListOptions) (*salesmania.Page[salesmania.Tombstone], error) {
	return get[salesmania.Page[salesmania.Tombstone]](ctx, r.c, r.path+"/deleted", queryOf(opts))
}

// AllDeleted is All for ListDeleted.
func (r *tombstones) AllDeleted(ctx context.Context, opts *DeletedListOptions) iter.Seq2[salesmania.Tombstone, error] {
	return allPages(queryOf(opts), func(q url.Values) (*salesmania.Page[salesmania.Tombstone], error) {
		return get[salesmania.Page[salesmania.Tombstone]](ctx, r.c, r.path+"/deleted", q)
	})
}
