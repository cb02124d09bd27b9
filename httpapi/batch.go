package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"

	"github.com/salesmania/salesmania"
)

// handleCustomerBatch upserts customers by ext_cust_no (§13).
func (s *Server) handleCustomerBatch() http.Handler {
	return handleBatch(s, func(b *salesmania.CustomerBatch) []salesmania.CustomerFields { return b.Items }, s.store.UpsertCustomers)
}

// handleProductBatch upserts products by ext_product_code (§13).
func (s *Server) handleProductBatch() http.Handler {
	return handleBatch(s, func(b *salesmania.ProductBatch) []salesmania.ProductFields { return b.Items }, s.store.UpsertProducts)
}

// handleBatch decodes a batch body of type B, whose items (each a create
// body F) items returns, and answers {"data": results} of upsert. The
// route's body limit is in the route table (withBodyLimit).
func handleBatch[B, F any, PF interface {
	*F
	fields
}, R any](s *Server, items func(*B) []F, upsert func(ctx context.Context, dbID int64, items []F) ([]R, error)) http.Handler {
	return s.withPrincipal(func(w http.ResponseWriter, r *http.Request, p salesmania.Principal) error {
		if err := newParams(r).err(); err != nil {
			return err
		}
		body, err := readBody(r)
		if err != nil {
			return err
		}
		b := new(B)
		if err := decodeJSON(body, b); err != nil {
			return err
		}
		list := items(b)
		for i, nulls := range itemNulls(body) {
			if i < len(list) {
				PF(&list[i]).SetNulls(nulls)
			}
		}
		results, err := upsert(r.Context(), p.DBID, list)
		if err != nil {
			return err
		}
		encode(w, http.StatusOK, batchAnswer[R]{Data: results})
		return nil
	})
}

// batchAnswer is the answer of a batch endpoint.
type batchAnswer[R any] struct {
	Data []R `json:"data"`
}

// itemNulls returns, for each element of the body's items array, the names
// of its fields sent as null (see jsonNulls), for a body decodeJSON took.
func itemNulls(body []byte) []map[string]bool {
	var raw struct {
		Items []map[string]json.RawMessage `json:"items"`
	}
	if json.Unmarshal(body, &raw) != nil {
		return nil
	}
	out := make([]map[string]bool, len(raw.Items))
	for i, item := range raw.Items {
		for k, v := range item {
			if string(bytes.TrimSpace(v)) == "null" {
				if out[i] == nil {
					out[i] = map[string]bool{}
				}
				out[i][k] = true
			}
		}
	}
	return out
}
