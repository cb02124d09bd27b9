package client

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"time"

	"github.com/salesmania/salesmania"
)

// The options of every list are structs whose fields carry the name of
// their query parameter in a `query` tag. A zero field (an empty string, a
// 0 id, a nil pointer, a zero time, false) is not sent, so a zero options
// value lists everything; queryOf makes the query of any of them.

// ListOptions are the paging options of a list without filters (a
// webhook's deliveries).
type ListOptions struct {
	// Limit is the page size, 1 to 1000; 0 means the server's default, 100.
	Limit int `query:"limit"`
	// Cursor continues a list where the page that gave it as next_cursor
	// ended; "" starts at the beginning.
	Cursor string `query:"cursor"`
	// IncludeTotal asks for the number of all matching rows in
	// Page.Total; counting costs, so it is off unless asked for.
	IncludeTotal bool `query:"include_total"`
}

// DeletedListOptions select the tombstones of deleted rows, for clients
// that keep a copy in sync (GET …/deleted).
type DeletedListOptions struct {
	// Since keeps the rows deleted after it; the zero time lists all.
	Since        time.Time `query:"since"`
	Limit        int       `query:"limit"`
	Cursor       string    `query:"cursor"`
	IncludeTotal bool      `query:"include_total"`
}

var timeType = reflect.TypeFor[time.Time]()

// queryOf returns the query parameters of opts, a pointer to list options
// (nil for none): each field with a `query` tag that is not zero, times in
// RFC 3339 UTC. A field of another type is a mistake of this package, and
// panics.
func queryOf(opts any) url.Values {
	q := url.Values{}
	v := reflect.ValueOf(opts)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return q
	}
	v = v.Elem()
	for i := range v.NumField() {
		name := v.Type().Field(i).Tag.Get("query")
		f := v.Field(i)
		if name == "" || f.IsZero() {
			continue
		}
		if f.Kind() == reflect.Pointer {
			f = f.Elem()
		}
		switch {
		case f.Type() == timeType:
			if t := f.Interface().(time.Time); !t.IsZero() {
				q.Set(name, t.UTC().Format(time.RFC3339Nano))
			}
		case f.Kind() == reflect.String:
			q.Set(name, f.String())
		case f.Kind() == reflect.Bool:
			q.Set(name, strconv.FormatBool(f.Bool()))
		case f.CanInt():
			q.Set(name, strconv.FormatInt(f.Int(), 10))
		default:
			panic(fmt.Sprintf("salesmania client: query parameter %s of type %s", name, f.Type()))
		}
	}
	return q
}

// allPages returns an iterator over the rows of a list from the query's
// cursor on, page after page by next_cursor; fetch gets the page of a
// query. It asks for no total. The iterator yields an error once and stops
// when a page cannot be fetched.
func allPages[T any](q url.Values, fetch func(q url.Values) (*salesmania.Page[T], error)) iter.Seq2[T, error] {
	q.Del("include_total")
	first := q.Get("cursor")
	return func(yield func(T, error) bool) {
		cursor := first
		for {
			q.Set("cursor", cursor)
			if cursor == "" {
				q.Del("cursor")
			}
			page, err := fetch(q)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, row := range page.Data {
				if !yield(row, nil) {
					return
				}
			}
			if page.NextCursor == nil || *page.NextCursor == "" {
				return
			}
			if *page.NextCursor == cursor {
				var zero T
				yield(zero, fmt.Errorf("salesmania client: the server gave the same cursor %q again", cursor))
				return
			}
			cursor = *page.NextCursor
		}
	}
}

// get sends a GET with the team token and decodes the answer into a new T.
func get[T any](ctx context.Context, c *Client, path string, q url.Values) (*T, error) {
	out := new(T)
	if err := c.do(ctx, &request{method: http.MethodGet, path: path, query: q, auth: authTeam}, out); err != nil {
		return nil, err
	}
	return out, nil
}

// write sends body (a request type of package salesmania, with the fields
// its Nulls member names as JSON null; see encodeBody) with method and the
// team token, and decodes the answer into a new T.
func write[T any](ctx context.Context, c *Client, method, path string, body any) (*T, error) {
	b, err := encodeBody(body, nullsOf(body))
	if err != nil {
		return nil, err
	}
	out := new(T)
	if err := c.do(ctx, &request{method: method, path: path, body: b, auth: authTeam}, out); err != nil {
		return nil, err
	}
	return out, nil
}

// nullsOf returns the Nulls member of body, a pointer to a request type of
// package salesmania: the top-level fields to send as JSON null. It is nil
// for a body without one.
func nullsOf(body any) map[string]bool {
	v := reflect.ValueOf(body)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	f := v.Elem().FieldByName("Nulls")
	if !f.IsValid() {
		return nil
	}
	nulls, _ := f.Interface().(map[string]bool)
	return nulls
}

// remove sends a DELETE with the team token.
func remove(ctx context.Context, c *Client, path string) error {
	return c.do(ctx, &request{method: http.MethodDelete, path: path, auth: authTeam}, nil)
}

func idPath(base string, id int64) string { return base + "/" + strconv.FormatInt(id, 10) }
