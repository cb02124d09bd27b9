package client

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/salesmania/salesmania"
)

// ListOptions are the paging options of a list without filters (a
// webhook's deliveries).
type ListOptions struct {
	// Limit is the page size, 1 to 1000; 0 means the server's default, 100.
	Limit int
	// Cursor continues a list where the page that gave it as next_cursor
	// ended; "" starts at the beginning.
	Cursor string
	// IncludeTotal asks for the number of all matching rows in
	// Page.Total; counting costs, so it is off unless asked for.
	IncludeTotal bool
}

func (o *ListOptions) values() url.Values {
	q := url.Values{}
	if o != nil {
		setPaging(q, o.Limit, o.Cursor, o.IncludeTotal)
	}
	return q
}

// DeletedListOptions select the tombstones of deleted rows, for clients
// that keep a copy in sync (GET …/deleted).
type DeletedListOptions struct {
	// Since keeps the rows deleted after it; the zero time lists all.
	Since        time.Time
	Limit        int
	Cursor       string
	IncludeTotal bool
}

func (o *DeletedListOptions) values() url.Values {
	q := url.Values{}
	if o != nil {
		setTime(q, "since", o.Since)
		setPaging(q, o.Limit, o.Cursor, o.IncludeTotal)
	}
	return q
}

// setPaging adds the paging parameters every list takes (§1.3).
func setPaging(q url.Values, limit int, cursor string, total bool) {
	if limit != 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if total {
		q.Set("include_total", "true")
	}
}

func setString(q url.Values, name, v string) {
	if v != "" {
		q.Set(name, v)
	}
}

func setID(q url.Values, name string, v int64) {
	if v != 0 {
		q.Set(name, strconv.FormatInt(v, 10))
	}
}

func setBool(q url.Values, name string, v *bool) {
	if v != nil {
		q.Set(name, strconv.FormatBool(*v))
	}
}

func setTime(q url.Values, name string, t time.Time) {
	if !t.IsZero() {
		q.Set(name, t.UTC().Format(time.RFC3339Nano))
	}
}

// pages returns an iterator over the rows of a list from cursor on, page
// after page by next_cursor. fetch gets the page at a cursor. The iterator
// yields an error once and stops when a page cannot be fetched.
func pages[T any](fetch func(cursor string) (*salesmania.Page[T], error), cursor string) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for {
			page, err := fetch(cursor)
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

// write sends body (a request type of package salesmania; see encodeBody)
// with method and the team token, and decodes the answer into a new T.
func write[T any](ctx context.Context, c *Client, method, path string, body any, nulls map[string]bool) (*T, error) {
	b, err := encodeBody(body, nulls)
	if err != nil {
		return nil, err
	}
	out := new(T)
	if err := c.do(ctx, &request{method: method, path: path, body: b, auth: authTeam}, out); err != nil {
		return nil, err
	}
	return out, nil
}

// remove sends a DELETE with the team token.
func remove(ctx context.Context, c *Client, path string) error {
	return c.do(ctx, &request{method: http.MethodDelete, path: path, auth: authTeam}, nil)
}

func idPath(base string, id int64) string { return base + "/" + strconv.FormatInt(id, 10) }
