package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"iter"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/client"
)

func customerCommands() map[string]cliCommand {
	spec := customerSpec()
	return map[string]cliCommand{
		"list":   customerResource.listCommand(),
		"get":    customerResource.getCommand(),
		"import": spec.importCommand(),
		"export": spec.exportCommand(),
	}
}

var customerResource = &resource[salesmania.Customer, client.CustomerListOptions]{
	service:     func(cl *client.Client) service[salesmania.Customer, client.CustomerListOptions] { return cl.Customers },
	name:        "customer",
	listSummary: "[--q TEXT] [--status true|false] [--tag T] [--ext-cust-no C] [--limit 100]",
	filters: func(fs *flag.FlagSet, o *client.CustomerListOptions) (*int, func() error) {
		fs.StringVar(&o.Q, "q", "", "text in the name, address, city, phone or ext_cust_no (any case)")
		fs.StringVar(&o.Tag, "tag", "", "customers with this tag")
		fs.StringVar(&o.ExtCustNo, "ext-cust-no", "", "the customer with this number of your ERP")
		return &o.Limit, boolFilter(fs, "status", "true for active customers only, false for inactive ones", &o.Status)
	},
	lister: lister[salesmania.Customer]{
		header: []string{"ID", "EXT_CUST_NO", "NAME", "CITY", "PHONE", "STATUS", "TAGS"},
		cells: func(cu salesmania.Customer) []string {
			return []string{strconv.FormatInt(cu.ID, 10), cu.ExtCustNo, cu.Name, cu.City, cu.Phone, activeText(cu.Status), strings.Join(cu.Tags, ", ")}
		},
	},
	show: func(w io.Writer, cu *salesmania.Customer) error {
		loc := ""
		if cu.Location != nil {
			loc = formatCoordinate(cu.Location.Lat) + ", " + formatCoordinate(cu.Location.Lon)
		}
		return printRecord(w, [][2]string{
			{"id", strconv.FormatInt(cu.ID, 10)}, {"ext_cust_no", cu.ExtCustNo}, {"name", cu.Name},
			{"address", cu.Address}, {"city", cu.City}, {"phone", cu.Phone}, {"location", loc},
			{"status", activeText(cu.Status)}, {"tags", strings.Join(cu.Tags, ", ")},
			{"created_at", formatTime(cu.CreatedAt)}, {"updated_at", formatTime(cu.UpdatedAt)},
		})
	},
}

func activeText(status bool) string {
	if status {
		return "active"
	}
	return "inactive"
}

func formatTime(t time.Time) string { return t.Local().Format("2006-01-02 15:04:05") }

// formatCoordinate writes a degree value in the fewest digits that read
// back as the same float64.
func formatCoordinate(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// customerExport is a customer as export writes it in JSON lines: the
// members import reads.
type customerExport struct {
	ExtCustNo string               `json:"ext_cust_no"`
	Name      string               `json:"name"`
	Address   string               `json:"address"`
	City      string               `json:"city"`
	Phone     string               `json:"phone"`
	Location  *salesmania.Location `json:"location"`
	Status    bool                 `json:"status"`
	Tags      []string             `json:"tags"`
}

func customerSpec() *resourceSpec[salesmania.CustomerFields, salesmania.Customer] {
	return &resourceSpec[salesmania.CustomerFields, salesmania.Customer]{
		plural:    "customers",
		extColumn: "ext_cust_no",
		columns:   []string{"ext_cust_no", "name", "address", "city", "phone", "location.lat", "location.lon", "status", "tags"},
		pairs:     [][2]string{{"location.lat", "location.lon"}},
		columnHelp: `  ext_cust_no                your customer number; the key of updates
  name, address, city, phone text
  location.lat, location.lon degrees, both or neither; two empty cells clear the location
  status                     true or false; empty keeps it (new customers: true)
  tags                       separated by ";", as grosir;semarang (a ";" or "\" in a tag is escaped with "\")`,
		jsonMembers: []string{"name", "address", "city", "phone", "ext_cust_no", "location", "status", "tags"},
		fromCSV:     customerFromCSV,
		setNulls:    func(f *salesmania.CustomerFields, nulls map[string]bool) { f.SetNulls(nulls) },
		ext: func(f *salesmania.CustomerFields) string {
			if f.ExtCustNo == nil {
				return ""
			}
			return salesmania.CleanString(*f.ExtCustNo)
		},
		checkNew: func(f *salesmania.CustomerFields) error {
			_, err := f.NewCustomer()
			return err
		},
		applyTo: func(f *salesmania.CustomerFields, existing *salesmania.Customer) (bool, error) {
			next := *existing
			return f.ApplyTo(&next)
		},
		keep: func(f *salesmania.CustomerFields, cu *salesmania.Customer) {
			if f.Name == nil {
				f.Name = &cu.Name
			}
		},
		all: func(ctx context.Context, cl *client.Client) iter.Seq2[salesmania.Customer, error] {
			return cl.Customers.All(ctx, &client.CustomerListOptions{Limit: salesmania.MaxListLimit})
		},
		extOf: func(cu *salesmania.Customer) string { return cu.ExtCustNo },
		upsert: func(ctx context.Context, cl *client.Client, items []salesmania.CustomerFields) ([]string, error) {
			res, err := cl.UpsertCustomers(ctx, items)
			return batchResults(res, func(r salesmania.CustomerBatchResult) string { return r.Result }), err
		},
		toCSV: func(cu *salesmania.Customer) []string {
			lat, lon := "", ""
			if cu.Location != nil {
				lat, lon = formatCoordinate(cu.Location.Lat), formatCoordinate(cu.Location.Lon)
			}
			return []string{cu.ExtCustNo, cu.Name, cu.Address, cu.City, cu.Phone, lat, lon,
				strconv.FormatBool(cu.Status), joinEscaped(cu.Tags, ';', "")}
		},
		toJSON: func(cu *salesmania.Customer) any {
			return customerExport{ExtCustNo: cu.ExtCustNo, Name: cu.Name, Address: cu.Address, City: cu.City,
				Phone: cu.Phone, Location: cu.Location, Status: cu.Status, Tags: cu.Tags}
		},
	}
}

// customerFromCSV reads a customer row. A column the file lacks is not
// sent; two empty location cells send location null, which clears it.
func customerFromCSV(r csvRecord, p *salesmania.Problems) *salesmania.CustomerFields {
	f := &salesmania.CustomerFields{
		Name:      r.str("name"),
		Address:   r.str("address"),
		City:      r.str("city"),
		Phone:     r.str("phone"),
		ExtCustNo: r.str("ext_cust_no"),
		Status:    r.boolean("status", p),
		Tags:      r.list("tags"),
	}
	if lat, ok := r.get("location.lat"); ok {
		lon, _ := r.get("location.lon")
		lat, lon = strings.TrimSpace(lat), strings.TrimSpace(lon)
		if lat == "" && lon == "" {
			f.Nulls = map[string]bool{"location": true}
		} else {
			f.Location = &salesmania.LocationInput{Lat: coordinate(p, "location.lat", lat), Lon: coordinate(p, "location.lon", lon)}
		}
	}
	return f
}

// coordinate reads a degree value; an empty cell is nil, which the domain
// reports as required.
func coordinate(p *salesmania.Problems, field, s string) *float64 {
	if s == "" {
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		p.Add(field, fmt.Sprintf("must be a number of degrees such as -7.110383, not %q", s))
		return nil
	}
	return &v
}
