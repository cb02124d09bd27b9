package sqlstore_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/sqlstore"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// dec is salesmania.MustDecimal, short for tables of amounts.
func dec(s string) salesmania.Decimal { return salesmania.MustDecimal(s) }

// newProduct returns a valid, active product with only a name and one base
// unit, as ProductFields.NewProduct makes one.
func newProduct(name string) *salesmania.Product {
	return &salesmania.Product{Name: name, Status: true, Tags: []string{}, QtyOnHand: dec("0"),
		ProductUnits: []salesmania.ProductUnit{{Name: "PCS", Price: dec("3500"), Ratio: 1}}}
}

// fullProduct returns a valid product with every field set.
func fullProduct(extProductCode string) *salesmania.Product {
	return &salesmania.Product{
		Name:           "Indomie Goreng",
		Description:    "Mi instan goreng",
		SKU:            "IDM-G",
		Tags:           []string{"mie", "instan", "éceran"},
		Status:         true,
		ExtProductCode: extProductCode,
		DefaultDisc:    "5+2",
		QtyOnHand:      dec("1200"),
		ProductUnits:   []salesmania.ProductUnit{{Name: "PCS", Price: dec("3500"), Ratio: 1}, {Name: "DUS", Price: dec("130000"), Ratio: 40}},
	}
}

// unitInputs returns the PATCH form of units.
func unitInputs(units ...salesmania.ProductUnit) *[]salesmania.ProductUnitInput {
	in := []salesmania.ProductUnitInput{}
	for _, u := range units {
		in = append(in, salesmania.ProductUnitInput{Name: new(u.Name), Price: new(u.Price), Ratio: new(salesmania.DecimalFromInt(u.Ratio))})
	}
	return &in
}

// productText shows a product with its database in failure messages; its
// amounts appear in Decimal's String form, so equal texts mean equal
// strings, not just equal values.
func productText(p *salesmania.Product) string {
	b, _ := json.Marshal(p)
	return fmt.Sprintf("db %d %s", p.DBID, b)
}

// assertSameProduct fails the test unless got and want are equal in every
// field.
func assertSameProduct(tb testing.TB, what string, got, want *salesmania.Product) {
	tb.Helper()
	if got, want := productText(got), productText(want); got != want {
		tb.Fatalf("%s =\n\t%s\nwant\n\t%s", what, got, want)
	}
}

// assertProduct fails the test unless FindProduct returns exactly want.
func assertProduct(tb testing.TB, s *sqlstore.Store, want *salesmania.Product) {
	tb.Helper()
	got, err := s.FindProduct(tb.Context(), want.DBID, want.ID)
	if err != nil {
		tb.Fatalf("FindProduct(%d, %d): %v", want.DBID, want.ID, err)
	}
	assertSameProduct(tb, fmt.Sprintf("FindProduct(%d, %d)", want.DBID, want.ID), got, want)
}

// listProducts returns the products the filter lists on one page of
// MaxListLimit.
func listProducts(tb testing.TB, s *sqlstore.Store, dbID int64, f salesmania.ProductFilter) []salesmania.Product {
	tb.Helper()
	f.Limit = salesmania.MaxListLimit
	page, err := s.ListProducts(tb.Context(), dbID, f)
	if err != nil {
		tb.Fatalf("ListProducts(%d, %+v): %v", dbID, f, err)
	}
	if page.Data == nil || page.NextCursor != nil || page.Total != nil {
		tb.Fatalf("ListProducts(%d, %+v): Data nil %t, NextCursor %v, Total %v; want a non-nil slice and no cursor or total",
			dbID, f, page.Data == nil, page.NextCursor, page.Total)
	}
	for _, p := range page.Data {
		if p.DBID != dbID {
			tb.Fatalf("ListProducts(%d) returned product %d of database %d", dbID, p.ID, p.DBID)
		}
	}
	return page.Data
}

// assertProductIDs fails the test unless the filter lists exactly the
// products want, in that order.
func assertProductIDs(tb testing.TB, s *sqlstore.Store, dbID int64, f salesmania.ProductFilter, want ...*salesmania.Product) {
	tb.Helper()
	got, wantIDs := []int64{}, []int64{}
	for _, p := range listProducts(tb, s, dbID, f) {
		got = append(got, p.ID)
	}
	for _, p := range want {
		wantIDs = append(wantIDs, p.ID)
	}
	if !slices.Equal(got, wantIDs) {
		tb.Fatalf("ListProducts(%d, %+v) ids = %v, want %v", dbID, f, got, wantIDs)
	}
}

func TestStore_CreateProduct(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		s := sqlstoretest.MustOpen(t, kind)

		t.Run("OK", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			before := salesmania.Now()
			p := fullProduct("P-0007")
			if err := s.CreateProduct(t.Context(), d.ID, p); err != nil {
				t.Fatal(err)
			}
			after := salesmania.Now()
			if p.ID <= 0 {
				t.Fatalf("ID = %d, want a positive id", p.ID)
			}
			if p.CreatedAt.Before(before) || p.CreatedAt.After(after) {
				t.Fatalf("CreatedAt = %v, want between %v and %v", p.CreatedAt, before, after)
			}
			want := fullProduct("P-0007")
			want.ID, want.DBID, want.CreatedAt, want.UpdatedAt = p.ID, d.ID, p.CreatedAt, p.CreatedAt
			assertSameProduct(t, "created product", p, want)
			assertProduct(t, s, want)
		})

		t.Run("IDsUniqueAcrossDatabases", func(t *testing.T) {
			a := MustCreateDatabase(t, s, "Acme")
			b := MustCreateDatabase(t, s, "Beta")
			var ids []int64
			for i, dbID := range []int64{a.ID, b.ID, a.ID, b.ID} {
				p := MustCreateProduct(t, s, dbID, newProduct(fmt.Sprintf("Product %d", i)))
				if len(ids) > 0 && p.ID <= ids[len(ids)-1] {
					t.Fatalf("ids %v then %d: want each new id above the last", ids, p.ID)
				}
				ids = append(ids, p.ID)
			}
		})

		// Amounts go in as Decimals and come back with the same digits,
		// from the smallest step to the largest allowed value, through
		// Find, List and Update alike.
		t.Run("ExactNumbers", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			for _, v := range []string{"0", "0.0001", "0.1", "3500.5", "130000", "99999999999", "99999999999.9999"} {
				p := newProduct("Amount " + v)
				p.QtyOnHand = dec(v)
				p.ProductUnits = []salesmania.ProductUnit{{Name: "PCS", Price: dec(v), Ratio: 1}, {Name: "MAX", Price: dec("99999999999.9999"), Ratio: 999999999}}
				MustCreateProduct(t, s, d.ID, p)
				assertAmounts := func(what string, got *salesmania.Product, qty, price string) {
					t.Helper()
					if got.QtyOnHand.String() != qty || len(got.ProductUnits) != 2 ||
						got.ProductUnits[0].Price.String() != price || got.ProductUnits[1].Price.String() != "99999999999.9999" ||
						got.ProductUnits[1].Ratio != 999999999 {
						t.Fatalf("%s: qty_on_hand %s, units %+v; want qty_on_hand %s, prices %s and 99999999999.9999",
							what, got.QtyOnHand, got.ProductUnits, qty, price)
					}
				}
				found, err := s.FindProduct(t.Context(), d.ID, p.ID)
				if err != nil {
					t.Fatal(err)
				}
				assertAmounts("FindProduct "+v, found, v, v)
				listed := listProducts(t, s, d.ID, salesmania.ProductFilter{Q: "Amount " + v})
				if len(listed) != 1 {
					t.Fatalf("ListProducts(q %q): %d products, want 1", "Amount "+v, len(listed))
				}
				assertAmounts("ListProducts "+v, &listed[0], v, v)

				// Negative stock is allowed (sold before it was booked in).
				updated, err := s.UpdateProduct(t.Context(), d.ID, p.ID, &salesmania.ProductFields{QtyOnHand: new(dec("-" + v))})
				if err != nil {
					t.Fatal(err)
				}
				negated := dec("-" + v).String() // "-0" is "0"
				assertAmounts("UpdateProduct "+v, updated, negated, v)
				found, err = s.FindProduct(t.Context(), d.ID, p.ID)
				if err != nil {
					t.Fatal(err)
				}
				assertAmounts("FindProduct after update "+v, found, negated, v)
			}
		})

		// Trailing zeros are not part of the value: 130000.00 is stored and
		// returned as 130000.
		t.Run("AmountsNormalized", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			p := newProduct("Zeros")
			p.QtyOnHand = dec("1200.000")
			p.ProductUnits = []salesmania.ProductUnit{{Name: "PCS", Price: dec("130000.00"), Ratio: 1}}
			MustCreateProduct(t, s, d.ID, p)
			got, err := s.FindProduct(t.Context(), d.ID, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.QtyOnHand.String() != "1200" || got.ProductUnits[0].Price.String() != "130000" {
				t.Fatalf("qty_on_hand %s, price %s; want 1200 and 130000", got.QtyOnHand, got.ProductUnits[0].Price)
			}
		})

		t.Run("DefaultDiscCanonical", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			f := salesmania.ProductFields{
				Name: new("Kopi"), QtyOnHand: new(dec("10")), DefaultDisc: new(" 10.0 + 05 "),
				ProductUnits: unitInputs(salesmania.ProductUnit{Name: "PCS", Price: dec("1000"), Ratio: 1}),
			}
			p, err := f.NewProduct()
			if err != nil {
				t.Fatal(err)
			}
			MustCreateProduct(t, s, d.ID, p)
			got, err := s.FindProduct(t.Context(), d.ID, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.DefaultDisc != "10+5" {
				t.Fatalf("DefaultDisc = %q, want %q", got.DefaultDisc, "10+5")
			}
			for _, tt := range []struct{ sent, stored string }{{"055.050+0", "55.05+0"}, {" 100 ", "100"}, {"", ""}} {
				updated, err := s.UpdateProduct(t.Context(), d.ID, p.ID, &salesmania.ProductFields{DefaultDisc: new(tt.sent)})
				if err != nil {
					t.Fatal(err)
				}
				if updated.DefaultDisc != tt.stored {
					t.Fatalf("UpdateProduct(default_disc %q): DefaultDisc = %q, want %q", tt.sent, updated.DefaultDisc, tt.stored)
				}
				assertProduct(t, s, updated)
			}
		})

		t.Run("StatusFalseKept", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			p := fullProduct("")
			p.Status = false
			MustCreateProduct(t, s, d.ID, p)
			got, err := s.FindProduct(t.Context(), d.ID, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status {
				t.Fatal("Status = true, want false")
			}
			assertSameProduct(t, "FindProduct", got, p)
		})

		t.Run("TagsAndUnitsInGivenOrder", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			p := newProduct("Ordered")
			p.Tags = []string{"zeta", "alpha", "Mid", "mid"}
			p.ProductUnits = []salesmania.ProductUnit{{Name: "DUS", Price: dec("130000"), Ratio: 40}, {Name: "PCS", Price: dec("3500"), Ratio: 1}, {Name: "Pak", Price: dec("35000"), Ratio: 10}}
			MustCreateProduct(t, s, d.ID, p)
			assertProduct(t, s, p)
		})

		t.Run("NilTagsReadAsEmpty", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			p := newProduct("No tags")
			p.Tags = nil
			MustCreateProduct(t, s, d.ID, p)
			got, err := s.FindProduct(t.Context(), d.ID, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Tags == nil || len(got.Tags) != 0 {
				t.Fatalf("Tags = %#v, want an empty, non-nil slice", got.Tags)
			}
		})

		t.Run("ErrExtProductCodeTaken", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			first := MustCreateProduct(t, s, d.ID, fullProduct("P-0007"))
			dup := newProduct("Second")
			dup.ExtProductCode = "P-0007"
			assertConflictOn(t, s.CreateProduct(t.Context(), d.ID, dup), "ext_product_code")
			assertProductIDs(t, s, d.ID, salesmania.ProductFilter{}, first)
			assertProduct(t, s, first)
		})

		t.Run("EmptyExtProductCodeNeverConflicts", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			var all []*salesmania.Product
			for i := range 3 {
				all = append(all, MustCreateProduct(t, s, d.ID, newProduct(fmt.Sprintf("No code %d", i))))
			}
			assertProductIDs(t, s, d.ID, salesmania.ProductFilter{}, all...)
		})

		t.Run("ExtProductCodeInOtherDatabase", func(t *testing.T) {
			a := MustCreateDatabase(t, s, "Acme")
			b := MustCreateDatabase(t, s, "Beta")
			pa := MustCreateProduct(t, s, a.ID, fullProduct("P-0007"))
			pb := MustCreateProduct(t, s, b.ID, fullProduct("P-0007"))
			assertProductIDs(t, s, a.ID, salesmania.ProductFilter{ExtProductCode: "P-0007"}, pa)
			assertProductIDs(t, s, b.ID, salesmania.ProductFilter{ExtProductCode: "P-0007"}, pb)
		})

		t.Run("ConcurrentSameExtProductCode", func(t *testing.T) {
			// The race is won in the check or at the unique index, as
			// timing has it; several rounds make both paths likely.
			d := MustCreateDatabase(t, s, "Acme")
			const rounds, n = 5, 10
			var winners []*salesmania.Product
			for round := range rounds {
				created := make([]*salesmania.Product, n)
				errs := createConcurrently(n, func(i int) error {
					created[i] = fullProduct(fmt.Sprintf("P-RACE-%d", round))
					created[i].Name = fmt.Sprintf("Racer %d-%d", round, i)
					return s.CreateProduct(t.Context(), d.ID, created[i])
				})
				winner := created[assertOneWinner(t, errs)]
				assertProduct(t, s, winner)
				winners = append(winners, winner)
			}
			assertProductIDs(t, s, d.ID, salesmania.ProductFilter{}, winners...)
		})
	})
}

func TestStore_FindProduct(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		s := sqlstoretest.MustOpen(t, kind)
		a := MustCreateDatabase(t, s, "Acme")
		b := MustCreateDatabase(t, s, "Beta")
		pa := MustCreateProduct(t, s, a.ID, fullProduct("P-0007"))
		pb := MustCreateProduct(t, s, b.ID, fullProduct("P-0007"))

		t.Run("OK", func(t *testing.T) {
			assertProduct(t, s, pa)
			assertProduct(t, s, pb)
		})

		t.Run("ErrNotFound", func(t *testing.T) {
			for _, id := range []int64{pb.ID + 1000, 0, -1} {
				_, err := s.FindProduct(t.Context(), a.ID, id)
				assertCode(t, err, salesmania.ENOTFOUND)
			}
		})

		t.Run("ErrOtherDatabase", func(t *testing.T) {
			_, err := s.FindProduct(t.Context(), a.ID, pb.ID)
			assertCode(t, err, salesmania.ENOTFOUND)
			_, err = s.FindProduct(t.Context(), b.ID, pa.ID)
			assertCode(t, err, salesmania.ENOTFOUND)
		})
	})
}

func TestStore_UpdateProduct(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		s := sqlstoretest.MustOpen(t, kind)

		update := func(t *testing.T, p *salesmania.Product, f salesmania.ProductFields) *salesmania.Product {
			t.Helper()
			got, err := s.UpdateProduct(t.Context(), p.DBID, p.ID, &f)
			if err != nil {
				t.Fatalf("UpdateProduct(%d, %d): %v", p.DBID, p.ID, err)
			}
			return got
		}
		// assertChanged fails the test unless got, the result of an update
		// of before, is before with a later updated_at and what change
		// does, and is what the store now holds.
		assertChanged := func(t *testing.T, got, before *salesmania.Product, change func(*salesmania.Product)) {
			t.Helper()
			if !got.UpdatedAt.After(before.UpdatedAt) {
				t.Fatalf("UpdatedAt = %v, want after %v", got.UpdatedAt, before.UpdatedAt)
			}
			want := *before
			want.Tags = slices.Clone(before.Tags)
			want.ProductUnits = slices.Clone(before.ProductUnits)
			change(&want)
			want.UpdatedAt = got.UpdatedAt
			assertSameProduct(t, "UpdateProduct", got, &want)
			assertProduct(t, s, &want)
		}

		t.Run("OnlySentFieldsChange", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			p := MustCreateProduct(t, s, d.ID, fullProduct("P-0007"))
			other := MustCreateProduct(t, s, d.ID, fullProduct("P-0008"))
			waitNextMicrosecond()
			got := update(t, p, salesmania.ProductFields{SKU: new(" IDM-G2 "), Status: new(false)})
			assertChanged(t, got, p, func(want *salesmania.Product) { want.SKU, want.Status = "IDM-G2", false })
			assertProduct(t, s, other)
		})

		t.Run("EveryField", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			p := MustCreateProduct(t, s, d.ID, fullProduct("P-0007"))
			waitNextMicrosecond()
			units := []salesmania.ProductUnit{{Name: "BKS", Price: dec("0.0001"), Ratio: 1}, {Name: "KRT", Price: dec("99999999999.9999"), Ratio: 1000}}
			got := update(t, p, salesmania.ProductFields{
				Name: new("Mie Sedaap"), Description: new("Mi soto"), SKU: new("MS-S"), Tags: &[]string{"soto"},
				Status: new(false), ExtProductCode: new("P-0009"), DefaultDisc: new("3"), QtyOnHand: new(dec("99999999999")),
				ProductUnits: unitInputs(units...),
			})
			assertChanged(t, got, p, func(want *salesmania.Product) {
				want.Name, want.Description, want.SKU, want.Tags = "Mie Sedaap", "Mi soto", "MS-S", []string{"soto"}
				want.Status, want.ExtProductCode, want.DefaultDisc, want.QtyOnHand = false, "P-0009", "3", dec("99999999999")
				want.ProductUnits = units
			})
		})

		t.Run("TagsReplace", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			p := newProduct("Tagged")
			p.Tags = []string{"a", "b"}
			MustCreateProduct(t, s, d.ID, p)
			waitNextMicrosecond()
			got := update(t, p, salesmania.ProductFields{Tags: &[]string{"c", " a ", "c"}})
			assertChanged(t, got, p, func(want *salesmania.Product) { want.Tags = []string{"c", "a"} })
			assertProductIDs(t, s, d.ID, salesmania.ProductFilter{Tag: "b"})
			assertProductIDs(t, s, d.ID, salesmania.ProductFilter{Tag: "a"}, p)
			assertProductIDs(t, s, d.ID, salesmania.ProductFilter{Tag: "c"}, p)
		})

		t.Run("UnitsReplace", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			p := MustCreateProduct(t, s, d.ID, fullProduct(""))
			waitNextMicrosecond()
			units := []salesmania.ProductUnit{{Name: "Renceng", Price: dec("35000.5"), Ratio: 10}, {Name: "Bks", Price: dec("3600"), Ratio: 1}}
			got := update(t, p, salesmania.ProductFields{ProductUnits: unitInputs(units...)})
			assertChanged(t, got, p, func(want *salesmania.Product) { want.ProductUnits = units })
		})

		t.Run("ErrInvalidLeavesRowUnchanged", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			p := MustCreateProduct(t, s, d.ID, fullProduct("P-0007"))
			_, err := s.UpdateProduct(t.Context(), d.ID, p.ID, &salesmania.ProductFields{
				Name: new(" "), SKU: new("NEW"), Tags: &[]string{"new"}, DefaultDisc: new("abc"),
				ProductUnits: unitInputs(salesmania.ProductUnit{Name: "DUS", Price: dec("1"), Ratio: 40}),
			})
			assertInvalid(t, err, "name", "default_disc", "product_units")
			assertProduct(t, s, p)
			assertProductIDs(t, s, d.ID, salesmania.ProductFilter{Tag: "new"})
		})

		t.Run("ErrExtProductCodeTaken", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			p := MustCreateProduct(t, s, d.ID, fullProduct("P-0007"))
			other := MustCreateProduct(t, s, d.ID, fullProduct("P-0008"))
			_, err := s.UpdateProduct(t.Context(), d.ID, p.ID, &salesmania.ProductFields{ExtProductCode: new("P-0008"), SKU: new("NEW")})
			assertConflictOn(t, err, "ext_product_code")
			assertProduct(t, s, p)
			assertProduct(t, s, other)
		})

		t.Run("ExtProductCodeKeptOrFreed", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			p := MustCreateProduct(t, s, d.ID, fullProduct("P-0007"))
			waitNextMicrosecond()
			got := update(t, p, salesmania.ProductFields{ExtProductCode: new("P-0007"), Name: new("Renamed")})
			assertChanged(t, got, p, func(want *salesmania.Product) { want.Name = "Renamed" })
			waitNextMicrosecond()
			moved := update(t, got, salesmania.ProductFields{ExtProductCode: new("P-0009")})
			assertChanged(t, moved, got, func(want *salesmania.Product) { want.ExtProductCode = "P-0009" })
			taker := MustCreateProduct(t, s, d.ID, fullProduct("P-0007"))
			assertProductIDs(t, s, d.ID, salesmania.ProductFilter{ExtProductCode: "P-0007"}, taker)
		})

		// The same values written differently (trailing zeros, spaces,
		// repeated tags, an uncanonical discount) are no change.
		t.Run("NoOpKeepsUpdatedAt", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			p := MustCreateProduct(t, s, d.ID, fullProduct("P-0007"))
			waitNextMicrosecond()
			for _, f := range []salesmania.ProductFields{
				{},
				{Name: new(" Indomie Goreng "), ExtProductCode: new("P-0007"), Status: new(true), DefaultDisc: new("5.0 + 2"),
					Tags: &[]string{"mie", "instan", "mie", "éceran"}, QtyOnHand: new(dec("1200.00")),
					ProductUnits: unitInputs(salesmania.ProductUnit{Name: "PCS", Price: dec("3500.0"), Ratio: 1},
						salesmania.ProductUnit{Name: "DUS", Price: dec("130000.0000"), Ratio: 40})},
			} {
				got := update(t, p, f)
				assertSameProduct(t, "UpdateProduct", got, p)
				assertProduct(t, s, p)
			}
		})

		t.Run("ErrNotFound", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			p := MustCreateProduct(t, s, d.ID, fullProduct(""))
			_, err := s.UpdateProduct(t.Context(), d.ID, p.ID+1000, &salesmania.ProductFields{Name: new("Ghost")})
			assertCode(t, err, salesmania.ENOTFOUND)
			assertProduct(t, s, p)
		})

		t.Run("ErrOtherDatabase", func(t *testing.T) {
			a := MustCreateDatabase(t, s, "Acme")
			b := MustCreateDatabase(t, s, "Beta")
			MustCreateProduct(t, s, a.ID, fullProduct("P-0008"))
			pb := MustCreateProduct(t, s, b.ID, fullProduct("P-0007"))
			_, err := s.UpdateProduct(t.Context(), a.ID, pb.ID, &salesmania.ProductFields{Name: new("Hijacked"), ExtProductCode: new("P-0008")})
			assertCode(t, err, salesmania.ENOTFOUND)
			assertProduct(t, s, pb)
		})
	})
}

func TestStore_DeleteProduct(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		s := sqlstoretest.MustOpen(t, kind)

		// deleted returns the ids of the product tombstones of the database.
		deleted := func(t *testing.T, dbID int64) []int64 {
			t.Helper()
			page, err := s.ListDeletedProducts(t.Context(), dbID, epoch, salesmania.ListParams{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			ids := []int64{}
			for _, ts := range page.Data {
				ids = append(ids, ts.ID)
			}
			return ids
		}

		t.Run("OK", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			p := MustCreateProduct(t, s, d.ID, fullProduct("P-0007"))
			kept := MustCreateProduct(t, s, d.ID, fullProduct("P-0008"))
			since := salesmania.Now()
			waitNextMicrosecond()
			if err := s.DeleteProduct(t.Context(), d.ID, p.ID); err != nil {
				t.Fatal(err)
			}
			after := salesmania.Now()
			_, err := s.FindProduct(t.Context(), d.ID, p.ID)
			assertCode(t, err, salesmania.ENOTFOUND)
			assertProductIDs(t, s, d.ID, salesmania.ProductFilter{}, kept)
			assertProductIDs(t, s, d.ID, salesmania.ProductFilter{Tag: "mie"}, kept)
			assertCode(t, s.DeleteProduct(t.Context(), d.ID, p.ID), salesmania.ENOTFOUND)

			page, err := s.ListDeletedProducts(t.Context(), d.ID, since, salesmania.ListParams{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Data) != 1 || page.Data[0].ID != p.ID || page.NextCursor != nil {
				t.Fatalf("ListDeletedProducts = %+v, want one tombstone of %d", page, p.ID)
			}
			if at := page.Data[0].DeletedAt; !at.After(since) || at.After(after) {
				t.Fatalf("DeletedAt = %v, want after %v and not after %v", at, since, after)
			}
			// A product's tombstone is not a customer's.
			assertNoCustomerTombstones(t, s, d.ID)
			MustCreateProduct(t, s, d.ID, fullProduct("P-0007"))
		})

		t.Run("ErrNotFound", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			p := MustCreateProduct(t, s, d.ID, fullProduct(""))
			assertCode(t, s.DeleteProduct(t.Context(), d.ID, p.ID+1000), salesmania.ENOTFOUND)
			assertProduct(t, s, p)
			if got := deleted(t, d.ID); len(got) != 0 {
				t.Fatalf("tombstones %v, want none", got)
			}
		})

		t.Run("ErrOtherDatabase", func(t *testing.T) {
			a := MustCreateDatabase(t, s, "Acme")
			b := MustCreateDatabase(t, s, "Beta")
			pb := MustCreateProduct(t, s, b.ID, fullProduct("P-0007"))
			assertCode(t, s.DeleteProduct(t.Context(), a.ID, pb.ID), salesmania.ENOTFOUND)
			assertProduct(t, s, pb)
			if got := append(deleted(t, a.ID), deleted(t, b.ID)...); len(got) != 0 {
				t.Fatalf("tombstones %v, want none", got)
			}
		})
	})
}

func TestStore_ListProducts(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		s := sqlstoretest.MustOpen(t, kind)

		// Both databases get the same products, so every filter that finds
		// one in a would find its twin in b if it leaked.
		specs := []salesmania.Product{
			{Name: "Indomie Goreng", SKU: "IDM-G", ExtProductCode: "P-7", Description: "Mi instan", Tags: []string{"mie"}, Status: true},
			{Name: "Kopi Kapal Api", SKU: "KKA-1", ExtProductCode: "P-70", Description: "Bubuk", Tags: []string{"kopi", "minuman"}, Status: true},
			{Name: "Teh Botol", SKU: "TB", Description: "Minuman TEH MANIS dingin", Tags: []string{"Minuman"}, Status: false},
			{Name: "Sabun", SKU: "SB-50%", ExtProductCode: "PX-9", Tags: []string{"minuman-x"}, Status: true},
			{Name: "x_y", Status: true},
			{Name: "xay", Status: true},
			{Name: "500 ml", Status: true},
		}
		const (
			indomie = iota
			kopi
			teh
			sabun
			underscore
			xay
			fiveHundred
		)
		a := MustCreateDatabase(t, s, "Acme")
		b := MustCreateDatabase(t, s, "Beta")
		created := map[int64][]*salesmania.Product{}
		for _, dbID := range []int64{a.ID, b.ID} {
			for _, spec := range specs {
				p := newProduct(spec.Name)
				p.SKU, p.ExtProductCode, p.Description, p.Status = spec.SKU, spec.ExtProductCode, spec.Description, spec.Status
				p.Tags = slices.Clone(spec.Tags)
				if p.Tags == nil {
					p.Tags = []string{}
				}
				created[dbID] = append(created[dbID], MustCreateProduct(t, s, dbID, p))
			}
		}

		for _, tt := range []struct {
			name   string
			filter salesmania.ProductFilter
			want   []int // indexes into specs, in id order
		}{
			{"All", salesmania.ProductFilter{}, []int{indomie, kopi, teh, sabun, underscore, xay, fiveHundred}},
			{"QName", salesmania.ProductFilter{Q: "INDOMIE"}, []int{indomie}},
			{"QSKU", salesmania.ProductFilter{Q: "kka"}, []int{kopi}},
			{"QExtProductCode", salesmania.ProductFilter{Q: "px-"}, []int{sabun}},
			{"QDescription", salesmania.ProductFilter{Q: "teh manis"}, []int{teh}},
			{"QManyRows", salesmania.ProductFilter{Q: "p-7"}, []int{indomie, kopi}},
			{"QPercentLiteral", salesmania.ProductFilter{Q: "50%"}, []int{sabun}},
			{"QUnderscoreLiteral", salesmania.ProductFilter{Q: "_"}, []int{underscore}},
			{"QUnderscoreInside", salesmania.ProductFilter{Q: "x_y"}, []int{underscore}},
			{"QNoMatch", salesmania.ProductFilter{Q: "zzz"}, []int{}},
			{"StatusTrue", salesmania.ProductFilter{Status: new(true)}, []int{indomie, kopi, sabun, underscore, xay, fiveHundred}},
			{"StatusFalse", salesmania.ProductFilter{Status: new(false)}, []int{teh}},
			{"TagExact", salesmania.ProductFilter{Tag: "minuman"}, []int{kopi}},
			{"TagCaseSensitive", salesmania.ProductFilter{Tag: "Minuman"}, []int{teh}},
			{"TagNoPrefix", salesmania.ProductFilter{Tag: "minum"}, []int{}},
			{"SKUExact", salesmania.ProductFilter{SKU: "TB"}, []int{teh}},
			{"SKUCaseSensitive", salesmania.ProductFilter{SKU: "tb"}, []int{}},
			{"SKUNoPrefix", salesmania.ProductFilter{SKU: "KKA"}, []int{}},
			{"ExtProductCodeExact", salesmania.ProductFilter{ExtProductCode: "P-7"}, []int{indomie}},
			{"ExtProductCodeCaseSensitive", salesmania.ProductFilter{ExtProductCode: "p-7"}, []int{}},
			{"Everything", salesmania.ProductFilter{Q: "kapal", Status: new(true), Tag: "minuman", SKU: "KKA-1", ExtProductCode: "P-70"}, []int{kopi}},
			{"QAndStatus", salesmania.ProductFilter{Q: "minuman", Status: new(false)}, []int{teh}},
			{"QAndTagDisjoint", salesmania.ProductFilter{Q: "indomie", Tag: "minuman"}, []int{}},
			{"SKUAndStatusDisjoint", salesmania.ProductFilter{SKU: "TB", Status: new(true)}, []int{}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				for _, dbID := range []int64{a.ID, b.ID} {
					var want []*salesmania.Product
					for _, i := range tt.want {
						want = append(want, created[dbID][i])
					}
					assertProductIDs(t, s, dbID, tt.filter, want...)
				}
			})
		}

		t.Run("OnlyOwnDatabase", func(t *testing.T) {
			empty := MustCreateDatabase(t, s, "Empty")
			assertProductIDs(t, s, empty.ID, salesmania.ProductFilter{})
			assertProductIDs(t, s, empty.ID, salesmania.ProductFilter{Q: "indomie", SKU: "IDM-G"})
		})

		t.Run("WholeRows", func(t *testing.T) {
			got := listProducts(t, s, a.ID, salesmania.ProductFilter{SKU: "IDM-G"})
			if len(got) != 1 {
				t.Fatalf("%d products, want 1", len(got))
			}
			assertSameProduct(t, "listed product", &got[0], created[a.ID][indomie])
		})
	})
}
