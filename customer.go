package salesmania

import (
	"slices"
	"time"
)

// Location is a point on Earth in WGS 84 degrees.
type Location struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// Customer is a shop or company the sales teams visit (§3). Its JSON form is
// the contract's customer object.
type Customer struct {
	ID        int64     `json:"id"`
	DBID      int64     `json:"-"`
	Name      string    `json:"name"`
	Address   string    `json:"address"`
	City      string    `json:"city"`
	Phone     string    `json:"phone"`
	ExtCustNo string    `json:"ext_cust_no"`
	Location  *Location `json:"location"`
	Status    bool      `json:"status"`
	Tags      []string  `json:"tags"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// LocationInput is a location as a client sends it: both coordinates are
// required, so a missing one can be told from 0.
type LocationInput struct {
	Lat *float64 `json:"lat"`
	Lon *float64 `json:"lon"`
}

// CustomerFields is the body of POST and PATCH /customers. A nil field was
// not sent. Nulls names the top-level fields sent as JSON null: only
// location may be null (it clears the location).
type CustomerFields struct {
	Name      *string         `json:"name"`
	Address   *string         `json:"address"`
	City      *string         `json:"city"`
	Phone     *string         `json:"phone"`
	ExtCustNo *string         `json:"ext_cust_no"`
	Location  *LocationInput  `json:"location"`
	Status    *bool           `json:"status"`
	Tags      *[]string       `json:"tags"`
	Nulls     map[string]bool `json:"-"`
}

// SetNulls records the top-level fields the body sent as JSON null.
func (f *CustomerFields) SetNulls(nulls map[string]bool) { f.Nulls = nulls }

// NewCustomer returns the customer a POST body describes, or EINVALID
// listing every bad field.
func (f *CustomerFields) NewCustomer() (*Customer, error) {
	c := &Customer{Status: true, Tags: []string{}}
	var p Problems
	if f.Name == nil && !f.Nulls["name"] {
		p.Add("name", "is required")
	}
	f.apply(c, &p)
	return c, p.Err()
}

// ApplyTo changes c by the fields sent (PATCH semantics: only sent fields
// change, tags replaces the whole list, location null clears it) and
// reports whether any stored value changed — a PATCH that changes nothing
// keeps updated_at, and an import skips the row. On error (EINVALID listing
// every bad field) c is left as it was.
func (f *CustomerFields) ApplyTo(c *Customer) (changed bool, err error) {
	next := *c
	next.Tags = append(make([]string, 0, len(c.Tags)), c.Tags...)
	var p Problems
	f.apply(&next, &p)
	if err := p.Err(); err != nil {
		return false, err
	}
	changed = !sameCustomer(c, &next)
	*c = next
	return changed, nil
}

// sameCustomer reports whether a and b hold the same values in every field
// a client can set.
func sameCustomer(a, b *Customer) bool {
	sameLoc := (a.Location == nil) == (b.Location == nil) && (a.Location == nil || *a.Location == *b.Location)
	return a.Name == b.Name && a.Address == b.Address && a.City == b.City && a.Phone == b.Phone &&
		a.ExtCustNo == b.ExtCustNo && a.Status == b.Status && sameLoc && slices.Equal(a.Tags, b.Tags)
}

func (f *CustomerFields) apply(c *Customer, p *Problems) {
	for _, name := range []string{"name", "address", "city", "phone", "ext_cust_no", "status", "tags"} {
		if f.Nulls[name] {
			p.Add(name, "must not be null")
		}
	}
	setString(p, "name", f.Name, &c.Name, 1, 200)
	setString(p, "address", f.Address, &c.Address, 0, 500)
	setString(p, "city", f.City, &c.City, 0, 100)
	setString(p, "phone", f.Phone, &c.Phone, 0, 100)
	setString(p, "ext_cust_no", f.ExtCustNo, &c.ExtCustNo, 0, 100)
	if f.Status != nil {
		c.Status = *f.Status
	}
	if f.Tags != nil {
		c.Tags = cleanTags(p, "tags", *f.Tags)
	}
	if f.Nulls["location"] {
		c.Location = nil
	} else if f.Location != nil {
		c.Location = checkLocation(p, "location", f.Location)
	}
}

// setString trims *from, checks its length and stores it in *to.
func setString(p *Problems, field string, from *string, to *string, min, max int) {
	if from == nil {
		return
	}
	s := CleanString(*from)
	checkLength(p, field, s, min, max)
	*to = s
}

// MaxTags and MaxTagLength bound the tags of a customer or product.
const (
	MaxTags      = 50
	MaxTagLength = 50
)

// cleanTags trims the tags, checks them, and drops repeats, keeping the
// first occurrence's place.
func cleanTags(p *Problems, field string, tags []string) []string {
	if len(tags) > MaxTags {
		p.Add(field, "must have at most "+itoa(MaxTags)+" items")
		return nil
	}
	out := make([]string, 0, len(tags))
	seen := make(map[string]bool, len(tags))
	for i, t := range tags {
		t = CleanString(t)
		before := len(p.Fields)
		checkLength(p, field+"["+itoa(i)+"]", t, 1, MaxTagLength)
		if len(p.Fields) > before || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}

func checkLocation(p *Problems, field string, in *LocationInput) *Location {
	before := len(p.Fields)
	if in.Lat == nil {
		p.Add(field+".lat", "is required")
	} else if *in.Lat < -90 || *in.Lat > 90 {
		p.Add(field+".lat", "must be between -90 and 90")
	}
	if in.Lon == nil {
		p.Add(field+".lon", "is required")
	} else if *in.Lon < -180 || *in.Lon > 180 {
		p.Add(field+".lon", "must be between -180 and 180")
	}
	if len(p.Fields) > before {
		return nil
	}
	return &Location{Lat: *in.Lat, Lon: *in.Lon}
}

// CustomerFilter selects customers to list (§3). Empty fields do not filter.
type CustomerFilter struct {
	ListParams
	// Q is a case-insensitive substring of name, address, city, phone or
	// ext_cust_no.
	Q         string
	Status    *bool
	Tag       string
	ExtCustNo string
}
