package salesmania

import "strings"

// Bulk upsert (§13): an ERP sends its customer or product master in batches
// of up to MaxBatchItems create bodies. An item whose non-empty external code
// (ext_cust_no, ext_product_code) names an existing row of the database
// updates that row as a PATCH with the item's fields; any other item creates
// a row. A batch is all or nothing: every item is checked first, with the
// rules of a single POST, and one bad item refuses the whole batch.

// MaxBatchItems is the most items of one batch.
const MaxBatchItems = 1000

// What a batch did with an item.
const (
	BatchCreated   = "created"
	BatchUpdated   = "updated"
	BatchUnchanged = "unchanged" // the row already held the item's values; its updated_at is kept
)

// Resource kinds of the batch endpoints, recorded with an idempotency key in
// the batch's transaction (see IdempotencyOutcome.Results).
const (
	ResourceCustomerBatch = "customer_batch"
	ResourceProductBatch  = "product_batch"
)

// CustomerBatch is the body of POST /customers/batch.
type CustomerBatch struct {
	Items []CustomerFields `json:"items"`
}

// ProductBatch is the body of POST /products/batch.
type ProductBatch struct {
	Items []ProductFields `json:"items"`
}

// CustomerBatchResult is the answer for one item of a customer batch, in
// item order.
type CustomerBatchResult struct {
	ID        int64  `json:"id"`
	ExtCustNo string `json:"ext_cust_no"`
	Result    string `json:"result"`
}

// ProductBatchResult is the answer for one item of a product batch.
type ProductBatchResult struct {
	ID             int64  `json:"id"`
	ExtProductCode string `json:"ext_product_code"`
	Result         string `json:"result"`
}

// NewCustomers checks every item as the body of a POST /customers and
// returns the customer each describes, the way it is created when its code
// names no row. EINVALID lists every bad field of every item as
// items[i].field, a code given to two items (both named, field
// items[i].ext_cust_no), or items itself when there are none or more than
// MaxBatchItems.
func NewCustomers(items []CustomerFields) ([]*Customer, error) {
	return newBatch(items, (*CustomerFields).NewCustomer, func(c *Customer) string { return c.ExtCustNo }, "ext_cust_no")
}

// NewProducts is NewCustomers for products, keyed by ext_product_code.
func NewProducts(items []ProductFields) ([]*Product, error) {
	return newBatch(items, (*ProductFields).NewProduct, func(p *Product) string { return p.ExtProductCode }, "ext_product_code")
}

func newBatch[F, T any](items []F, newRow func(*F) (*T, error), code func(*T) string, codeField string) ([]*T, error) {
	var p Problems
	if len(items) == 0 || len(items) > MaxBatchItems {
		p.Add("items", "must have 1 to "+itoa(MaxBatchItems)+" items")
		return nil, p.Err()
	}
	rows := make([]*T, len(items))
	first := make(map[string]int, len(items)) // code → index of its first item
	repeats := map[int][]int{}                // index of a first item → later items with its code
	for i := range items {
		at := "items[" + itoa(i) + "]."
		row, err := newRow(&items[i])
		if err != nil {
			if e, ok := err.(*Error); ok {
				for _, f := range e.Fields {
					p.Add(at+f.Field, f.Message)
				}
				continue
			}
			return nil, err
		}
		rows[i] = row
		if c := code(row); c != "" {
			if j, ok := first[c]; ok {
				repeats[j] = append(repeats[j], i)
			} else {
				first[c] = i
			}
		}
	}
	for i := range items {
		later, ok := repeats[i]
		if !ok {
			continue
		}
		names := make([]string, len(later))
		for k, j := range later {
			names[k] = "items[" + itoa(j) + "]"
			p.Add(names[k]+"."+codeField, "repeats the "+codeField+" of items["+itoa(i)+"]; each code may appear once in a batch")
		}
		p.Add("items["+itoa(i)+"]."+codeField, "is repeated by "+strings.Join(names, ", ")+"; each code may appear once in a batch")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return rows, nil
}
