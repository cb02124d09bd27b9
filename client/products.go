package client

import (
	"time"

	"github.com/salesmania/salesmania"
)

const productsPath = "/extapi/v1.0/products"

// ProductService calls the product endpoints (§4). Get it as
// Client.Products. Create needs name, qty_on_hand and product_units; a 409
// *Error of Create or Update means the ext_product_code is another
// product's. Update's tags and product_units replace the whole list. A
// product on an order line cannot be deleted (409 *Error): set its status
// to false instead.
type ProductService struct {
	resource[salesmania.Product, salesmania.ProductFields, *ProductListOptions]
	creator[salesmania.Product, salesmania.ProductFields]
	deleter
	tombstones
}

// ProductListOptions filter and page the product list. Zero fields do not
// filter.
type ProductListOptions struct {
	// Q is a case-insensitive substring of name, sku, ext_product_code or
	// description.
	Q string `query:"q"`
	// Status keeps active (true) or inactive (false) products.
	Status *bool `query:"status"`
	// Tag keeps products with this tag (exact).
	Tag string `query:"tag"`
	// SKU keeps products with this SKU (exact).
	SKU string `query:"sku"`
	// ExtProductCode keeps the product with this ERP product code (exact).
	ExtProductCode string `query:"ext_product_code"`
	// UpdatedSince keeps products changed after it and orders the list by
	// (updated_at, id), for delta sync.
	UpdatedSince *time.Time `query:"updated_since"`
	Limit        int        `query:"limit"`
	Cursor       string     `query:"cursor"`
	IncludeTotal bool       `query:"include_total"`
}
