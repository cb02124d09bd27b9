package client

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/salesmania/salesmania"
)

// The batch endpoints (§13): up to salesmania.MaxBatchItems customers or
// products in one call, upserted by their external code, all or nothing.

const (
	customersBatchPath = "/extapi/v1.0/customers/batch"
	productsBatchPath  = "/extapi/v1.0/products/batch"
)

// UpsertCustomers sends one batch of 1 to salesmania.MaxBatchItems customers
// (POST /extapi/v1.0/customers/batch). Each item is a create body (name is
// required); an item whose non-empty ext_cust_no names a customer of the
// database updates it with the fields set, any other creates one, and an
// item's Nulls["location"] clears or leaves out the location as in Update.
// It returns one result per item, in item order: the customer's id and
// whether it was created, updated or unchanged.
//
// The batch is all or nothing. A 422 *Error means nothing was written: its
// Fields name every bad field as items[i].field (ItemErrors reads them by
// item), including a code given to two items. Like every POST it carries an
// Idempotency-Key, so a retry after a lost answer gets the first answer
// rather than a second write.
func (c *Client) UpsertCustomers(ctx context.Context, items []salesmania.CustomerFields) ([]salesmania.CustomerBatchResult, error) {
	return upsertBatch[salesmania.CustomerBatchResult](ctx, c, customersBatchPath, len(items), func(i int) (any, map[string]bool) {
		return &items[i], items[i].Nulls
	})
}

// UpsertProducts is UpsertCustomers for products (POST
// /extapi/v1.0/products/batch), keyed by ext_product_code; each item needs
// name, qty_on_hand and product_units.
func (c *Client) UpsertProducts(ctx context.Context, items []salesmania.ProductFields) ([]salesmania.ProductBatchResult, error) {
	return upsertBatch[salesmania.ProductBatchResult](ctx, c, productsBatchPath, len(items), func(i int) (any, map[string]bool) {
		return &items[i], items[i].Nulls
	})
}

// upsertBatch sends {"items":[…]} with the n items item returns, each
// encoded as its create body, and returns the answer's data.
func upsertBatch[R any](ctx context.Context, c *Client, path string, n int, item func(i int) (any, map[string]bool)) ([]R, error) {
	var body bytes.Buffer
	body.WriteString(`{"items":[`)
	for i := 0; i < n; i++ {
		v, nulls := item(i)
		b, err := encodeBody(v, nulls)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			body.WriteByte(',')
		}
		body.Write(b)
	}
	body.WriteString(`]}`)
	var out struct {
		Data []R `json:"data"`
	}
	if err := c.do(ctx, &request{method: http.MethodPost, path: path, body: body.Bytes(), auth: authTeam}, &out); err != nil {
		return nil, err
	}
	return out.Data, nil
}

// ItemError is one bad field of one item of a batch the server refused.
type ItemError struct {
	// Item is the index of the item in the batch, or -1 for a problem of
	// the batch as a whole (Field "items": none, or more than
	// salesmania.MaxBatchItems).
	Item int
	// Field is the field of the item, such as "location.lat" or
	// "product_units[1].ratio"; for Item -1 the field as the server named
	// it.
	Field   string
	Message string
}

// ItemErrors returns the bad fields of a batch refused with a 422 (or the
// wrong JSON types of a 400) by item, in the order the server listed them,
// so an importer can point at the input lines. It returns nil when err is
// not such an *Error.
func ItemErrors(err error) []ItemError {
	var e *Error
	if !errors.As(err, &e) || (e.Status != http.StatusUnprocessableEntity && e.Status != http.StatusBadRequest) {
		return nil
	}
	out := make([]ItemError, 0, len(e.Fields))
	for _, f := range e.Fields {
		out = append(out, itemError(f))
	}
	return out
}

// itemError splits a field path items[i].rest into i and rest.
func itemError(f salesmania.FieldError) ItemError {
	ie := ItemError{Item: -1, Field: f.Field, Message: f.Message}
	rest, ok := strings.CutPrefix(f.Field, "items[")
	if !ok {
		return ie
	}
	n, rest, ok := strings.Cut(rest, "]")
	if !ok {
		return ie
	}
	i, err := strconv.Atoi(n)
	if err != nil || i < 0 {
		return ie
	}
	ie.Item, ie.Field = i, strings.TrimPrefix(rest, ".")
	return ie
}
