package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/client"
)

func productCommands() map[string]cliCommand {
	spec := productSpec()
	return map[string]cliCommand{
		"list":   productResource.listCommand(),
		"get":    productResource.getCommand(),
		"import": spec.importCommand(),
		"export": spec.exportCommand(),
	}
}

var productResource = &resource[salesmania.Product, client.ProductListOptions]{
	service:     func(cl *client.Client) service[salesmania.Product, client.ProductListOptions] { return cl.Products },
	name:        "product",
	listSummary: "[--q TEXT] [--status true|false] [--tag T] [--sku S] [--ext-product-code P] [--limit 100]",
	filters: func(fs *flag.FlagSet, o *client.ProductListOptions) (*int, func() error) {
		fs.StringVar(&o.Q, "q", "", "text in the name, sku, ext_product_code or description (any case)")
		fs.StringVar(&o.Tag, "tag", "", "products with this tag")
		fs.StringVar(&o.SKU, "sku", "", "products with this SKU")
		fs.StringVar(&o.ExtProductCode, "ext-product-code", "", "the product with this code of your ERP")
		return &o.Limit, boolFilter(fs, "status", "true for active products only, false for inactive ones", &o.Status)
	},
	lister: lister[salesmania.Product]{
		header: []string{"ID", "EXT_PRODUCT_CODE", "NAME", "SKU", "QTY_ON_HAND", "UNITS", "DISC", "STATUS"},
		cells: func(pr salesmania.Product) []string {
			return []string{strconv.FormatInt(pr.ID, 10), pr.ExtProductCode, pr.Name, pr.SKU, pr.QtyOnHand.String(),
				formatUnits(pr.ProductUnits), pr.DefaultDisc, activeText(pr.Status)}
		},
	},
	show: func(w io.Writer, pr *salesmania.Product) error {
		return printRecord(w, [][2]string{
			{"id", strconv.FormatInt(pr.ID, 10)}, {"ext_product_code", pr.ExtProductCode}, {"name", pr.Name},
			{"description", pr.Description}, {"sku", pr.SKU}, {"qty_on_hand", pr.QtyOnHand.String()},
			{"product_units", formatUnits(pr.ProductUnits)}, {"default_disc", pr.DefaultDisc},
			{"status", activeText(pr.Status)}, {"tags", strings.Join(pr.Tags, ", ")},
			{"created_at", formatTime(pr.CreatedAt)}, {"updated_at", formatTime(pr.UpdatedAt)},
		})
	},
}

// formatUnits writes units as the product_units column holds them:
// NAME:PRICE:RATIO;… with ":", ";" and "\" in a name escaped by "\".
func formatUnits(units []salesmania.ProductUnit) string {
	parts := make([]string, len(units))
	for i, u := range units {
		parts[i] = escape(u.Name, ":;") + ":" + u.Price.String() + ":" + strconv.FormatInt(u.Ratio, 10)
	}
	return strings.Join(parts, ";")
}

// productExport is a product as export writes it in JSON lines: the members
// import reads.
type productExport struct {
	ExtProductCode string                   `json:"ext_product_code"`
	Name           string                   `json:"name"`
	Description    string                   `json:"description"`
	SKU            string                   `json:"sku"`
	Tags           []string                 `json:"tags"`
	Status         bool                     `json:"status"`
	DefaultDisc    string                   `json:"default_disc"`
	QtyOnHand      salesmania.Decimal       `json:"qty_on_hand"`
	ProductUnits   []salesmania.ProductUnit `json:"product_units"`
}

func productSpec() *resourceSpec[salesmania.ProductFields, salesmania.Product] {
	return &resourceSpec[salesmania.ProductFields, salesmania.Product]{
		plural:    "products",
		extColumn: "ext_product_code",
		columns:   []string{"ext_product_code", "name", "description", "sku", "tags", "status", "default_disc", "qty_on_hand", "product_units"},
		columnHelp: `  ext_product_code      your product code; the key of updates
  name, description, sku text
  tags                  separated by ";", as mie;instan (a ";" or "\" in a tag is escaped with "\")
  status                true or false; empty keeps it (new products: true)
  default_disc          a discount such as 10+5, or empty for none
  qty_on_hand           a number in the base unit; empty keeps it (required for new products)
  product_units         NAME:PRICE:RATIO;…, as PCS:3500:1;DUS:130000:40, with one unit of ratio 1;
                        empty keeps them (required for new products)`,
		jsonMembers: []string{"name", "description", "sku", "tags", "status", "ext_product_code", "default_disc", "qty_on_hand", "product_units"},
		fromCSV:     productFromCSV,
		setNulls:    func(f *salesmania.ProductFields, nulls map[string]bool) { f.SetNulls(nulls) },
		ext: func(f *salesmania.ProductFields) string {
			if f.ExtProductCode == nil {
				return ""
			}
			return salesmania.CleanString(*f.ExtProductCode)
		},
		checkNew: func(f *salesmania.ProductFields) error {
			_, err := f.NewProduct()
			return err
		},
		applyTo: func(f *salesmania.ProductFields, existing *salesmania.Product) (bool, error) {
			next := *existing
			return f.ApplyTo(&next)
		},
		keep: keepProduct,
		all: func(ctx context.Context, cl *client.Client) iter.Seq2[salesmania.Product, error] {
			return cl.Products.All(ctx, &client.ProductListOptions{Limit: salesmania.MaxListLimit})
		},
		extOf: func(pr *salesmania.Product) string { return pr.ExtProductCode },
		upsert: func(ctx context.Context, cl *client.Client, items []salesmania.ProductFields) ([]string, error) {
			res, err := cl.UpsertProducts(ctx, items)
			return batchResults(res, func(r salesmania.ProductBatchResult) string { return r.Result }), err
		},
		toCSV: func(pr *salesmania.Product) []string {
			return []string{pr.ExtProductCode, pr.Name, pr.Description, pr.SKU, joinEscaped(pr.Tags, ';', ""),
				strconv.FormatBool(pr.Status), pr.DefaultDisc, pr.QtyOnHand.String(), formatUnits(pr.ProductUnits)}
		},
		toJSON: func(pr *salesmania.Product) any {
			return productExport{ExtProductCode: pr.ExtProductCode, Name: pr.Name, Description: pr.Description, SKU: pr.SKU,
				Tags: pr.Tags, Status: pr.Status, DefaultDisc: pr.DefaultDisc, QtyOnHand: pr.QtyOnHand, ProductUnits: pr.ProductUnits}
		},
	}
}

// keepProduct gives an update of pr the name, quantity and units of pr
// where f leaves them out.
func keepProduct(f *salesmania.ProductFields, pr *salesmania.Product) {
	if f.Name == nil {
		f.Name = &pr.Name
	}
	if f.QtyOnHand == nil {
		f.QtyOnHand = &pr.QtyOnHand
	}
	if f.ProductUnits == nil {
		units := make([]salesmania.ProductUnitInput, len(pr.ProductUnits))
		for i, u := range pr.ProductUnits {
			ratio := salesmania.DecimalFromInt(u.Ratio)
			units[i] = salesmania.ProductUnitInput{Name: &u.Name, Price: &u.Price, Ratio: &ratio}
		}
		f.ProductUnits = &units
	}
}

// productFromCSV reads a product row. A column the file lacks, and an empty
// status, qty_on_hand or product_units cell, is not sent.
func productFromCSV(r csvRecord, p *salesmania.Problems) *salesmania.ProductFields {
	f := &salesmania.ProductFields{
		Name:           r.str("name"),
		Description:    r.str("description"),
		SKU:            r.str("sku"),
		ExtProductCode: r.str("ext_product_code"),
		DefaultDisc:    r.str("default_disc"),
		Status:         r.boolean("status", p),
		Tags:           r.list("tags"),
		QtyOnHand:      r.decimal("qty_on_hand", p),
	}
	if v, ok := r.get("product_units"); ok && strings.TrimSpace(v) != "" {
		f.ProductUnits = parseUnits(v, p)
	}
	return f
}

// parseUnits reads a product_units cell, NAME:PRICE:RATIO;…
func parseUnits(cell string, p *salesmania.Problems) *[]salesmania.ProductUnitInput {
	units := []salesmania.ProductUnitInput{}
	for _, part := range splitEscaped(cell, ';') {
		if strings.TrimSpace(part) == "" {
			continue
		}
		at := fmt.Sprintf("product_units[%d]", len(units))
		fields := splitEscaped(part, ':')
		if len(fields) != 3 {
			p.Add(at, fmt.Sprintf("%q must be NAME:PRICE:RATIO, as DUS:130000:40", unescape(strings.TrimSpace(part))))
			continue
		}
		name := unescape(strings.TrimSpace(fields[0]))
		u := salesmania.ProductUnitInput{Name: &name}
		if d, err := salesmania.ParseDecimal(strings.TrimSpace(fields[1])); err == nil {
			u.Price = &d
		} else {
			p.Add(at+".price", fmt.Sprintf("must be a number such as 3500 or 12.5, not %q", fields[1]))
		}
		if d, err := salesmania.ParseDecimal(strings.TrimSpace(fields[2])); err == nil {
			u.Ratio = &d
		} else {
			p.Add(at+".ratio", fmt.Sprintf("must be a whole number such as 40, not %q", fields[2]))
		}
		units = append(units, u)
	}
	return &units
}
