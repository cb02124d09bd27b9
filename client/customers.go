package client

import (
	"time"

	"github.com/salesmania/salesmania"
)

const customersPath = "/extapi/v1.0/customers"

// CustomerService calls the customer endpoints (§3). Get it as
// Client.Customers. Create needs a name; a 409 *Error of Create or Update
// means the ext_cust_no is another customer's. Update's f.Nulls["location"]
// clears the location. A customer with visits or orders cannot be deleted
// (409 *Error): set its status to false instead.
type CustomerService struct {
	resource[salesmania.Customer, salesmania.CustomerFields, *CustomerListOptions]
	creator[salesmania.Customer, salesmania.CustomerFields]
	deleter
	tombstones
}

// CustomerListOptions filter and page the customer list. Zero fields do not
// filter.
type CustomerListOptions struct {
	// Q is a case-insensitive substring of name, address, city, phone or
	// ext_cust_no.
	Q string `query:"q"`
	// Status keeps active (true) or inactive (false) customers.
	Status *bool `query:"status"`
	// Tag keeps customers with this tag (exact).
	Tag string `query:"tag"`
	// ExtCustNo keeps the customer with this ERP customer number (exact).
	ExtCustNo string `query:"ext_cust_no"`
	// UpdatedSince keeps customers changed after it and orders the list by
	// (updated_at, id), for delta sync.
	UpdatedSince *time.Time `query:"updated_since"`
	Limit        int        `query:"limit"`
	Cursor       string     `query:"cursor"`
	IncludeTotal bool       `query:"include_total"`
}
