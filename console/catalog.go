package console

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/salesmania/salesmania"
)

// listData is a searchable, paged list of customers or products.
type listData[T any] struct {
	Q, Status string
	Rows      []T
	Total     int64
	Next      string
	First     string
}

// pager fills a list's links: the next page by its cursor, and the first.
func pager[T any](base string, d *listData[T], after salesmania.Cursor, next *string) {
	link := url.Values{}
	if d.Q != "" {
		link.Set("q", d.Q)
	}
	if d.Status != "" {
		link.Set("status", d.Status)
	}
	if !after.IsZero() {
		d.First = base + "?" + link.Encode()
	}
	if next != nil {
		link.Set("cursor", *next)
		d.Next = base + "?" + link.Encode()
	}
}

func statusFilter(s string) *bool {
	switch s {
	case "active":
		t := true
		return &t
	case "inactive":
		f := false
		return &f
	}
	return nil
}

// handleCustomers lists customers, searched by q (the API's q filter).
func (c *Console) handleCustomers() handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, s *session) error {
		q := newQuery(r, "q", "status", "cursor")
		d := &listData[salesmania.Customer]{Q: q.text("q", 200), Status: q.oneOf("status", "active", "inactive")}
		after := q.cursor()
		if err := q.err(); err != nil {
			return err
		}
		pg, err := c.store.ListCustomers(r.Context(), s.DBID, salesmania.CustomerFilter{Q: d.Q, Status: statusFilter(d.Status),
			ListParams: salesmania.ListParams{Limit: listPageSize, After: after, IncludeTotal: true}})
		if err != nil {
			return err
		}
		d.Rows = pg.Data
		if pg.Total != nil {
			d.Total = *pg.Total
		}
		pager("/console/customers", d, after, pg.NextCursor)
		c.render(w, r, http.StatusOK, "customers", &page{Title: "Customers", Nav: "customers", Session: s, Data: d})
		return nil
	}
}

// customerForm is the customer form's values, as typed.
type customerForm struct {
	ID                                              int64
	Name, Address, City, Phone, ExtCustNo, Lat, Lon string
	Tags                                            string
	Status                                          bool
}

func customerFormOf(cu *salesmania.Customer) customerForm {
	f := customerForm{ID: cu.ID, Name: cu.Name, Address: cu.Address, City: cu.City, Phone: cu.Phone, ExtCustNo: cu.ExtCustNo,
		Tags: strings.Join(cu.Tags, ", "), Status: cu.Status}
	if cu.Location != nil {
		f.Lat, f.Lon = coord(cu.Location.Lat), coord(cu.Location.Lon)
	}
	return f
}

// handleCustomerForm shows a customer's form, or an empty one at /new.
func (c *Console) handleCustomerForm() handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, s *session) error {
		form := customerForm{Status: true}
		title := "New customer"
		if r.PathValue("id") != "" {
			id, err := pathID(r, "Customer")
			if err != nil {
				return err
			}
			cu, err := c.store.FindCustomer(r.Context(), s.DBID, id)
			if err != nil {
				return err
			}
			form, title = customerFormOf(cu), "Customer "+strconv.FormatInt(id, 10)
		}
		notice := ""
		if r.URL.Query().Get("saved") != "" {
			notice = "Saved."
		}
		c.render(w, r, http.StatusOK, "customer", &page{Title: title, Nav: "customers", Session: s, Data: form, Notice: notice})
		return nil
	}
}

// customerFields reads the form into the API's body type, so the domain
// judges it exactly as it judges a POST or PATCH.
func customerFields(r *http.Request, editing bool) (*salesmania.CustomerFields, salesmania.Problems) {
	var p salesmania.Problems
	f := &salesmania.CustomerFields{Name: formText(r, "name"), Address: formText(r, "address"), City: formText(r, "city"),
		Phone: formText(r, "phone"), ExtCustNo: formText(r, "ext_cust_no"), Tags: formTags(r, "tags"), Nulls: map[string]bool{}}
	status := r.PostFormValue("status") == "on"
	f.Status = &status
	lat, lon := strings.TrimSpace(r.PostFormValue("location.lat")), strings.TrimSpace(r.PostFormValue("location.lon"))
	if lat == "" && lon == "" {
		if editing {
			f.Nulls["location"] = true
		}
	} else {
		f.Location = &salesmania.LocationInput{Lat: formNumber(r, &p, "location.lat"), Lon: formNumber(r, &p, "location.lon")}
	}
	return f, p
}

// handleCustomerSave creates or changes a customer from its form. Bad
// fields answer 422 with the form again and each message beside its field.
func (c *Console) handleCustomerSave() handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, s *session) error {
		var id int64
		if r.PathValue("id") != "" {
			var err error
			if id, err = pathID(r, "Customer"); err != nil {
				return err
			}
			if _, err := c.store.FindCustomer(r.Context(), s.DBID, id); err != nil {
				return err
			}
		}
		f, parse := customerFields(r, id != 0)
		var err error
		if id == 0 {
			var cu *salesmania.Customer
			if cu, err = f.NewCustomer(); err == nil && len(parse.Fields) == 0 {
				if err = c.store.CreateCustomer(r.Context(), s.DBID, cu); err == nil {
					id = cu.ID
				}
			}
		} else if len(parse.Fields) == 0 {
			_, err = c.store.UpdateCustomer(r.Context(), s.DBID, id, f)
		} else {
			var current *salesmania.Customer
			if current, err = c.store.FindCustomer(r.Context(), s.DBID, id); err == nil {
				_, err = f.ApplyTo(current)
			}
		}
		err = merge(parse, err)
		if err != nil {
			form := customerForm{ID: id, Name: r.PostFormValue("name"), Address: r.PostFormValue("address"), City: r.PostFormValue("city"),
				Phone: r.PostFormValue("phone"), ExtCustNo: r.PostFormValue("ext_cust_no"), Lat: r.PostFormValue("location.lat"),
				Lon: r.PostFormValue("location.lon"), Tags: r.PostFormValue("tags"), Status: *f.Status}
			title := "New customer"
			if id != 0 {
				title = "Customer " + strconv.FormatInt(id, 10)
			}
			return c.formFailed(w, r, s, err, "customer", &page{Title: title, Nav: "customers", Session: s, Data: form})
		}
		redirect(w, r, "/console/customers/"+strconv.FormatInt(id, 10)+"?saved=1")
		return nil
	}
}

// formFailed answers a form's EINVALID or ECONFLICT with the form again,
// the message on top and each field's beside it; other errors as usual.
func (c *Console) formFailed(w http.ResponseWriter, r *http.Request, s *session, err error, name string, p *page) error {
	var e *salesmania.Error
	if !errors.As(err, &e) || (e.Code != salesmania.EINVALID && e.Code != salesmania.ECONFLICT) {
		return err
	}
	p.Message, p.Errors = e.Message, e.Fields
	c.render(w, r, map[string]int{salesmania.EINVALID: http.StatusUnprocessableEntity, salesmania.ECONFLICT: http.StatusConflict}[e.Code], name, p)
	return nil
}

// handleProducts lists products, searched by q (the API's q filter).
func (c *Console) handleProducts() handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, s *session) error {
		q := newQuery(r, "q", "status", "cursor")
		d := &listData[salesmania.Product]{Q: q.text("q", 200), Status: q.oneOf("status", "active", "inactive")}
		after := q.cursor()
		if err := q.err(); err != nil {
			return err
		}
		pg, err := c.store.ListProducts(r.Context(), s.DBID, salesmania.ProductFilter{Q: d.Q, Status: statusFilter(d.Status),
			ListParams: salesmania.ListParams{Limit: listPageSize, After: after, IncludeTotal: true}})
		if err != nil {
			return err
		}
		d.Rows = pg.Data
		if pg.Total != nil {
			d.Total = *pg.Total
		}
		pager("/console/products", d, after, pg.NextCursor)
		c.render(w, r, http.StatusOK, "products", &page{Title: "Products", Nav: "products", Session: s, Data: d})
		return nil
	}
}

// productForm is the product form's values, as typed.
type productForm struct {
	ID                                                  int64
	Name, Description, SKU, ExtProductCode, DefaultDisc string
	QtyOnHand, Tags                                     string
	Status                                              bool
	Units                                               []unitForm
}

type unitForm struct{ Name, Price, Ratio string }

// spareUnitRows are the empty unit rows the form offers for new units.
const spareUnitRows = 2

func productFormOf(p *salesmania.Product) productForm {
	f := productForm{ID: p.ID, Name: p.Name, Description: p.Description, SKU: p.SKU, ExtProductCode: p.ExtProductCode,
		DefaultDisc: p.DefaultDisc, QtyOnHand: p.QtyOnHand.String(), Tags: strings.Join(p.Tags, ", "), Status: p.Status}
	for _, u := range p.ProductUnits {
		f.Units = append(f.Units, unitForm{Name: u.Name, Price: u.Price.String(), Ratio: strconv.FormatInt(u.Ratio, 10)})
	}
	return f.withSpareRows()
}

func (f productForm) withSpareRows() productForm {
	for range spareUnitRows {
		if len(f.Units) < salesmania.MaxProductUnits+spareUnitRows {
			f.Units = append(f.Units, unitForm{})
		}
	}
	return f
}

// handleProductForm shows a product's form, or an empty one at /new.
func (c *Console) handleProductForm() handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, s *session) error {
		form := productForm{Status: true, QtyOnHand: "0", Units: []unitForm{{Ratio: "1"}}}.withSpareRows()
		title := "New product"
		if r.PathValue("id") != "" {
			id, err := pathID(r, "Product")
			if err != nil {
				return err
			}
			p, err := c.store.FindProduct(r.Context(), s.DBID, id)
			if err != nil {
				return err
			}
			form, title = productFormOf(p), "Product "+strconv.FormatInt(id, 10)
		}
		notice := ""
		if r.URL.Query().Get("saved") != "" {
			notice = "Saved."
		}
		c.render(w, r, http.StatusOK, "product", &page{Title: title, Nav: "products", Session: s, Data: form, Notice: notice})
		return nil
	}
}

// maxUnitRows bounds the unit rows a product form may send.
const maxUnitRows = salesmania.MaxProductUnits + spareUnitRows

// productFields reads the form into the API's body type. Unit rows left
// empty are no units; the domain's messages about units are moved back to
// the rows they came from.
func productFields(r *http.Request) (*salesmania.ProductFields, []unitForm, []int, salesmania.Problems) {
	var p salesmania.Problems
	f := &salesmania.ProductFields{Name: formText(r, "name"), Description: formText(r, "description"), SKU: formText(r, "sku"),
		ExtProductCode: formText(r, "ext_product_code"), DefaultDisc: formText(r, "default_disc"), Tags: formTags(r, "tags")}
	status := r.PostFormValue("status") == "on"
	f.Status = &status
	f.QtyOnHand = formDecimal(r, &p, "qty_on_hand")
	if f.QtyOnHand == nil && !p.Has("qty_on_hand") {
		zero := salesmania.DecimalFromInt(0)
		f.QtyOnHand = &zero
	}
	var rows []unitForm
	var from []int // the form row of each unit sent
	units := []salesmania.ProductUnitInput{}
	for i := 0; i < maxUnitRows; i++ {
		at := "product_units[" + strconv.Itoa(i) + "]"
		row := unitForm{Name: r.PostFormValue(at + ".name"), Price: r.PostFormValue(at + ".price"), Ratio: r.PostFormValue(at + ".ratio")}
		if _, sent := r.PostForm[at+".name"]; !sent {
			break
		}
		rows = append(rows, row)
		if strings.TrimSpace(row.Name+row.Price+row.Ratio) == "" {
			continue
		}
		name := row.Name
		u := salesmania.ProductUnitInput{Name: &name, Price: formDecimal(r, &p, at+".price"), Ratio: formDecimal(r, &p, at+".ratio")}
		from = append(from, i)
		units = append(units, u)
	}
	f.ProductUnits = &units
	return f, rows, from, p
}

// unitRowErrors renames product_units[k] errors to the form row k came
// from.
func unitRowErrors(err error, from []int) error {
	var e *salesmania.Error
	if !errors.As(err, &e) {
		return err
	}
	out := *e
	out.Fields = make([]salesmania.FieldError, len(e.Fields))
	for i, f := range e.Fields {
		if rest, ok := strings.CutPrefix(f.Field, "product_units["); ok {
			if n, tail, ok := strings.Cut(rest, "]"); ok {
				if k, err := strconv.Atoi(n); err == nil && k < len(from) {
					f.Field = "product_units[" + strconv.Itoa(from[k]) + "]" + tail
				}
			}
		}
		out.Fields[i] = f
	}
	return &out
}

// handleProductSave creates or changes a product from its form.
func (c *Console) handleProductSave() handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, s *session) error {
		var id int64
		if r.PathValue("id") != "" {
			var err error
			if id, err = pathID(r, "Product"); err != nil {
				return err
			}
			if _, err := c.store.FindProduct(r.Context(), s.DBID, id); err != nil {
				return err
			}
		}
		f, rows, from, parse := productFields(r)
		var err error
		if id == 0 {
			var p *salesmania.Product
			if p, err = f.NewProduct(); err == nil && len(parse.Fields) == 0 {
				if err = c.store.CreateProduct(r.Context(), s.DBID, p); err == nil {
					id = p.ID
				}
			}
		} else if len(parse.Fields) == 0 {
			_, err = c.store.UpdateProduct(r.Context(), s.DBID, id, f)
		} else {
			var current *salesmania.Product
			if current, err = c.store.FindProduct(r.Context(), s.DBID, id); err == nil {
				_, err = f.ApplyTo(current)
			}
		}
		if err = merge(parse, unitRowErrors(err, from)); err != nil {
			form := productForm{ID: id, Name: r.PostFormValue("name"), Description: r.PostFormValue("description"), SKU: r.PostFormValue("sku"),
				ExtProductCode: r.PostFormValue("ext_product_code"), DefaultDisc: r.PostFormValue("default_disc"),
				QtyOnHand: r.PostFormValue("qty_on_hand"), Tags: r.PostFormValue("tags"), Status: *f.Status, Units: rows}
			if len(form.Units) == 0 {
				form = form.withSpareRows()
			}
			title := "New product"
			if id != 0 {
				title = "Product " + strconv.FormatInt(id, 10)
			}
			return c.formFailed(w, r, s, err, "product", &page{Title: title, Nav: "products", Session: s, Data: form})
		}
		redirect(w, r, "/console/products/"+strconv.FormatInt(id, 10)+"?saved=1")
		return nil
	}
}
