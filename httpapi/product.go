package httpapi

import (
	"context"
	"net/http"

	"github.com/salesmania/salesmania"
)

// handleProductList lists products (§4, §1.3).
func (s *Server) handleProductList() http.Handler {
	return s.withPrincipal(func(w http.ResponseWriter, r *http.Request, p salesmania.Principal) error {
		q := newParams(r, "limit", "cursor", "include_total", "updated_since", "q", "status", "tag", "sku", "ext_product_code")
		f := salesmania.ProductFilter{
			ListParams:     q.list(),
			Q:              q.string("q", 200),
			Status:         q.bool("status"),
			Tag:            q.string("tag", salesmania.MaxTagLength),
			SKU:            q.string("sku", 100),
			ExtProductCode: q.string("ext_product_code", 100),
		}
		if err := q.err(); err != nil {
			return err
		}
		page, err := s.store.ListProducts(r.Context(), p.DBID, f)
		if err != nil {
			return err
		}
		encode(w, http.StatusOK, page)
		return nil
	})
}

func (s *Server) handleProductCreate() http.Handler {
	return handleCreate(s, (*salesmania.ProductFields).NewProduct, s.store.CreateProduct)
}

func (s *Server) handleProductGet() http.Handler {
	return handleGet(s, "Product", func(ctx context.Context, p salesmania.Principal, id int64) (*salesmania.Product, error) {
		return s.store.FindProduct(ctx, p.DBID, id)
	})
}

func (s *Server) handleProductUpdate() http.Handler {
	return handleUpdate(s, "Product", func(ctx context.Context, p salesmania.Principal, id int64, f *salesmania.ProductFields) (*salesmania.Product, error) {
		return s.store.UpdateProduct(ctx, p.DBID, id, f)
	})
}

func (s *Server) handleProductDelete() http.Handler {
	return s.handleDelete("Product", func(ctx context.Context, p salesmania.Principal, id int64) error {
		return s.store.DeleteProduct(ctx, p.DBID, id)
	})
}

func (s *Server) handleProductDeleted() http.Handler {
	return s.handleDeletedList(s.store.ListDeletedProducts)
}
