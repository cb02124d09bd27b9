package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"

	"github.com/salesmania/salesmania"
)

const changesPath = "/extapi/v1.0/changes"

// Change is one entry of the change feed (§14): a customer, product,
// visit, visit plan or order that was created or changed (Op "upsert") or
// deleted (Op "delete").
type Change struct {
	// Pos is the change's place in the feed, an opaque string: pass it as
	// after to continue after this change.
	Pos string `json:"pos"`
	// Kind is salesmania.ChangeCustomer, ChangeProduct, ChangeVisit,
	// ChangeVisitPlan or ChangeOrder.
	Kind string `json:"kind"`
	// Op is salesmania.OpUpsert or salesmania.OpDelete.
	Op string `json:"op"`
	// ID is the row's id, unique within its kind.
	ID int64 `json:"id"`
	// Object is the row's JSON as GET by id answers it, at the change or
	// later, for an upsert; nil for a delete. Decode turns it into its Go
	// type.
	Object json.RawMessage `json:"object"`
}

// ErrUnknownKind is the error of Change.Decode for a kind this client does
// not know (a newer server's): such a change can be skipped, or its Object
// kept as it is.
var ErrUnknownKind = errors.New("salesmania client: a kind of change this client does not know")

// Deleted reports whether the change deleted its row.
func (ch *Change) Deleted() bool { return ch.Op == salesmania.OpDelete }

// Decode returns the row of an upsert as its Go type: a *salesmania.Customer,
// *salesmania.Product, *salesmania.Visit, *salesmania.VisitPlan or
// *salesmania.Order, by Kind; nil for a delete. A kind it does not know is
// an error wrapping ErrUnknownKind.
func (ch *Change) Decode() (any, error) {
	if ch.Deleted() {
		return nil, nil
	}
	var v any
	switch ch.Kind {
	case salesmania.ChangeCustomer:
		v = new(salesmania.Customer)
	case salesmania.ChangeProduct:
		v = new(salesmania.Product)
	case salesmania.ChangeVisit:
		v = new(salesmania.Visit)
	case salesmania.ChangeVisitPlan:
		v = new(salesmania.VisitPlan)
	case salesmania.ChangeOrder:
		v = new(salesmania.Order)
	default:
		return nil, fmt.Errorf("%w: %q", ErrUnknownKind, ch.Kind)
	}
	if err := json.Unmarshal(ch.Object, v); err != nil {
		return nil, fmt.Errorf("salesmania client: decoding the %s of change %s: %w", ch.Kind, ch.Pos, err)
	}
	return v, nil
}

// ChangePage is one page of the change feed.
type ChangePage struct {
	// Data are the page's changes, oldest first.
	Data []Change `json:"data"`
	// Next is the position to ask for the next page after: the last
	// change's, or the after asked with when the page is empty.
	Next string `json:"next"`
	// HasMore says whether more changes are there already; when false,
	// ask again later after Next.
	HasMore bool `json:"has_more"`
}

// ChangesPage returns the changes after a position, at most limit of them
// (1 to 1000; 0 means the server's default, 500), oldest first (GET
// /extapi/v1.0/changes). An after of "" starts at the beginning of the
// feed, so the first walk gives the whole database. A change that commits
// after an answer is in a later one, however many writers and server
// processes there are; a row changed several times between two calls may
// come once, with its latest state. A member gets customers and products,
// and only its own team's visits, visit plans and orders. An after that is
// not a position of this database's feed is a 400 *Error naming after.
func (c *Client) ChangesPage(ctx context.Context, after string, limit int) (*ChangePage, error) {
	q := queryOf(&struct {
		After string `query:"after"`
		Limit int    `query:"limit"`
	}{after, limit})
	page, err := get[ChangePage](ctx, c, changesPath, q)
	if err != nil {
		return nil, err
	}
	for i := range page.Data {
		if bytes.Equal(page.Data[i].Object, []byte("null")) {
			page.Data[i].Object = nil
		}
	}
	return page, nil
}

// Changes returns an iterator over every change after a position ("" for
// the beginning) up to the end of the feed as it is when the iterator gets
// there, page after page. To resume later, keep the Pos of the last change
// handled and pass it as after; when the iterator yields nothing, the
// position stays what it was. On an error it yields the error once and
// stops.
func (c *Client) Changes(ctx context.Context, after string) iter.Seq2[Change, error] {
	return func(yield func(Change, error) bool) {
		for {
			page, err := c.ChangesPage(ctx, after, salesmania.MaxFeedLimit)
			if err != nil {
				yield(Change{}, err)
				return
			}
			for _, ch := range page.Data {
				if !yield(ch, nil) {
					return
				}
			}
			if !page.HasMore {
				return
			}
			if page.Next == after || page.Next == "" {
				yield(Change{}, fmt.Errorf("salesmania client: the change feed has more after %q but gave no next position", after))
				return
			}
			after = page.Next
		}
	}
}
