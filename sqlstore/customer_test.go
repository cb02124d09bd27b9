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

// newCustomer returns a valid, active customer with only a name, as
// CustomerFields.NewCustomer makes one from {"name": name}.
func newCustomer(name string) *salesmania.Customer {
	return &salesmania.Customer{Name: name, Status: true, Tags: []string{}}
}

// fullCustomer returns a valid customer with every field set.
func fullCustomer(extCustNo string) *salesmania.Customer {
	return &salesmania.Customer{
		Name:      "Toko Sumber Rejeki",
		Address:   "Jl. Pemuda 12",
		City:      "Semarang",
		Phone:     "0812-555-0101",
		ExtCustNo: extCustNo,
		Location:  &salesmania.Location{Lat: -7.110383, Lon: 110.473812},
		Status:    true,
		Tags:      []string{"semarang", "grosir", "éceran"},
	}
}

// customerText shows a customer with its database in failure messages.
func customerText(c *salesmania.Customer) string {
	b, _ := json.Marshal(c)
	return fmt.Sprintf("db %d %s", c.DBID, b)
}

// assertSameCustomer fails the test unless got and want are equal in every
// field, times to the microsecond and location and tags included.
func assertSameCustomer(tb testing.TB, what string, got, want *salesmania.Customer) {
	tb.Helper()
	if got, want := customerText(got), customerText(want); got != want {
		tb.Fatalf("%s =\n\t%s\nwant\n\t%s", what, got, want)
	}
}

// assertCustomer fails the test unless FindCustomer returns exactly want.
func assertCustomer(tb testing.TB, s *sqlstore.Store, want *salesmania.Customer) {
	tb.Helper()
	got, err := s.FindCustomer(tb.Context(), want.DBID, want.ID)
	if err != nil {
		tb.Fatalf("FindCustomer(%d, %d): %v", want.DBID, want.ID, err)
	}
	assertSameCustomer(tb, fmt.Sprintf("FindCustomer(%d, %d)", want.DBID, want.ID), got, want)
}

// customerIDs returns the ids of the customers that ListCustomers returns
// for the filter on one page of MaxListLimit, in list order.
func customerIDs(tb testing.TB, s *sqlstore.Store, dbID int64, f salesmania.CustomerFilter) []int64 {
	tb.Helper()
	f.Limit = salesmania.MaxListLimit
	page, err := s.ListCustomers(tb.Context(), dbID, f)
	if err != nil {
		tb.Fatalf("ListCustomers(%d, %+v): %v", dbID, f, err)
	}
	if page.Data == nil || page.NextCursor != nil || page.Total != nil {
		tb.Fatalf("ListCustomers(%d, %+v): Data nil %t, NextCursor %v, Total %v; want a non-nil slice and no cursor or total",
			dbID, f, page.Data == nil, page.NextCursor, page.Total)
	}
	ids := []int64{}
	for _, c := range page.Data {
		if c.DBID != dbID {
			tb.Fatalf("ListCustomers(%d) returned customer %d of database %d", dbID, c.ID, c.DBID)
		}
		ids = append(ids, c.ID)
	}
	return ids
}

// assertCustomerIDs fails the test unless the filter lists exactly the
// customers want, in that order.
func assertCustomerIDs(tb testing.TB, s *sqlstore.Store, dbID int64, f salesmania.CustomerFilter, want ...*salesmania.Customer) {
	tb.Helper()
	wantIDs := []int64{}
	for _, c := range want {
		wantIDs = append(wantIDs, c.ID)
	}
	if got := customerIDs(tb, s, dbID, f); !slices.Equal(got, wantIDs) {
		tb.Fatalf("ListCustomers(%d, %+v) ids = %v, want %v", dbID, f, got, wantIDs)
	}
}

func TestStore_CreateCustomer(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		s := sqlstoretest.MustOpen(t, kind)

		t.Run("OK", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			before := salesmania.Now()
			c := fullCustomer("C-0001")
			if err := s.CreateCustomer(t.Context(), d.ID, c); err != nil {
				t.Fatal(err)
			}
			after := salesmania.Now()
			if c.ID <= 0 {
				t.Fatalf("ID = %d, want a positive id", c.ID)
			}
			if c.CreatedAt.Before(before) || c.CreatedAt.After(after) {
				t.Fatalf("CreatedAt = %v, want between %v and %v", c.CreatedAt, before, after)
			}
			want := fullCustomer("C-0001")
			want.ID, want.DBID, want.CreatedAt, want.UpdatedAt = c.ID, d.ID, c.CreatedAt, c.CreatedAt
			assertSameCustomer(t, "created customer", c, want)
			assertCustomer(t, s, want)
		})

		t.Run("IDsUniqueAcrossDatabases", func(t *testing.T) {
			a := MustCreateDatabase(t, s, "Acme")
			b := MustCreateDatabase(t, s, "Beta")
			var ids []int64
			for i, dbID := range []int64{a.ID, b.ID, a.ID, b.ID} {
				c := MustCreateCustomer(t, s, dbID, newCustomer(fmt.Sprintf("Customer %d", i)))
				if len(ids) > 0 && c.ID <= ids[len(ids)-1] {
					t.Fatalf("ids %v then %d: want each new id above the last", ids, c.ID)
				}
				ids = append(ids, c.ID)
			}
		})

		t.Run("NoLocation", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			c := fullCustomer("")
			c.Location = nil
			MustCreateCustomer(t, s, d.ID, c)
			if c.Location != nil {
				t.Fatalf("Location = %+v, want nil", *c.Location)
			}
			assertCustomer(t, s, c)
		})

		// 0,0 is a point in the Gulf of Guinea, not "no location".
		t.Run("LocationZero", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			c := fullCustomer("")
			c.Location = &salesmania.Location{}
			MustCreateCustomer(t, s, d.ID, c)
			got, err := s.FindCustomer(t.Context(), d.ID, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Location == nil || *got.Location != (salesmania.Location{}) {
				t.Fatalf("Location = %v, want {0 0}", got.Location)
			}
		})

		t.Run("LocationExtremes", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			for _, loc := range []salesmania.Location{{Lat: -90, Lon: 180}, {Lat: 90, Lon: -180}, {Lat: 0.000001, Lon: -0.000001}} {
				c := newCustomer("Pole")
				c.Location = &loc
				assertCustomer(t, s, MustCreateCustomer(t, s, d.ID, c))
			}
		})

		t.Run("StatusFalseKept", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			c := fullCustomer("")
			c.Status = false
			MustCreateCustomer(t, s, d.ID, c)
			got, err := s.FindCustomer(t.Context(), d.ID, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status {
				t.Fatal("Status = true, want false")
			}
			assertSameCustomer(t, "FindCustomer", got, c)
		})

		t.Run("TagsInGivenOrder", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			c := newCustomer("Tagged")
			c.Tags = []string{"zeta", "alpha", "Mid", "mid", "ß"}
			MustCreateCustomer(t, s, d.ID, c)
			got, err := s.FindCustomer(t.Context(), d.ID, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if want := []string{"zeta", "alpha", "Mid", "mid", "ß"}; !slices.Equal(got.Tags, want) {
				t.Fatalf("Tags = %q, want %q", got.Tags, want)
			}
		})

		t.Run("NilTagsReadAsEmpty", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			c := MustCreateCustomer(t, s, d.ID, &salesmania.Customer{Name: "No tags", Status: true})
			got, err := s.FindCustomer(t.Context(), d.ID, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Tags == nil || len(got.Tags) != 0 {
				t.Fatalf("Tags = %#v, want an empty, non-nil slice", got.Tags)
			}
		})

		t.Run("ErrExtCustNoTaken", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			first := MustCreateCustomer(t, s, d.ID, fullCustomer("C-0001"))
			dup := newCustomer("Second")
			dup.ExtCustNo = "C-0001"
			assertConflictOn(t, s.CreateCustomer(t.Context(), d.ID, dup), "ext_cust_no")
			assertCustomerIDs(t, s, d.ID, salesmania.CustomerFilter{}, first)
			assertCustomer(t, s, first)
		})

		t.Run("EmptyExtCustNoNeverConflicts", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			var all []*salesmania.Customer
			for i := range 3 {
				all = append(all, MustCreateCustomer(t, s, d.ID, newCustomer(fmt.Sprintf("No number %d", i))))
			}
			assertCustomerIDs(t, s, d.ID, salesmania.CustomerFilter{}, all...)
		})

		t.Run("ExtCustNoInOtherDatabase", func(t *testing.T) {
			a := MustCreateDatabase(t, s, "Acme")
			b := MustCreateDatabase(t, s, "Beta")
			ca := MustCreateCustomer(t, s, a.ID, fullCustomer("C-0001"))
			cb := MustCreateCustomer(t, s, b.ID, fullCustomer("C-0001"))
			assertCustomerIDs(t, s, a.ID, salesmania.CustomerFilter{ExtCustNo: "C-0001"}, ca)
			assertCustomerIDs(t, s, b.ID, salesmania.CustomerFilter{ExtCustNo: "C-0001"}, cb)
		})

		// A phone on a bad network retries a create; two servers may race.
		t.Run("ConcurrentSameExtCustNo", func(t *testing.T) {
			// The race is won in the check or at the unique index, as
			// timing has it; several rounds make both paths likely.
			d := MustCreateDatabase(t, s, "Acme")
			const rounds, n = 5, 10
			var winners []*salesmania.Customer
			for round := range rounds {
				created := make([]*salesmania.Customer, n)
				errs := createConcurrently(n, func(i int) error {
					created[i] = fullCustomer(fmt.Sprintf("C-RACE-%d", round))
					created[i].Name = fmt.Sprintf("Racer %d-%d", round, i)
					return s.CreateCustomer(t.Context(), d.ID, created[i])
				})
				winner := created[assertOneWinner(t, errs)]
				assertCustomer(t, s, winner)
				winners = append(winners, winner)
			}
			assertCustomerIDs(t, s, d.ID, salesmania.CustomerFilter{}, winners...)
		})
	})
}

func TestStore_FindCustomer(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		s := sqlstoretest.MustOpen(t, kind)
		a := MustCreateDatabase(t, s, "Acme")
		b := MustCreateDatabase(t, s, "Beta")
		ca := MustCreateCustomer(t, s, a.ID, fullCustomer("C-0001"))
		cb := MustCreateCustomer(t, s, b.ID, fullCustomer("C-0001"))

		t.Run("OK", func(t *testing.T) {
			assertCustomer(t, s, ca)
			assertCustomer(t, s, cb)
		})

		t.Run("ErrNotFound", func(t *testing.T) {
			for _, id := range []int64{cb.ID + 1000, 0, -1} {
				_, err := s.FindCustomer(t.Context(), a.ID, id)
				assertCode(t, err, salesmania.ENOTFOUND)
			}
		})

		t.Run("ErrOtherDatabase", func(t *testing.T) {
			_, err := s.FindCustomer(t.Context(), a.ID, cb.ID)
			assertCode(t, err, salesmania.ENOTFOUND)
			_, err = s.FindCustomer(t.Context(), b.ID, ca.ID)
			assertCode(t, err, salesmania.ENOTFOUND)
		})
	})
}

func TestStore_UpdateCustomer(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		s := sqlstoretest.MustOpen(t, kind)

		// update applies f to customer c of its database, fails the test on
		// an error, and returns the customer as the store returned it.
		update := func(t *testing.T, c *salesmania.Customer, f salesmania.CustomerFields) *salesmania.Customer {
			t.Helper()
			got, err := s.UpdateCustomer(t.Context(), c.DBID, c.ID, &f)
			if err != nil {
				t.Fatalf("UpdateCustomer(%d, %d): %v", c.DBID, c.ID, err)
			}
			return got
		}
		// assertChanged fails the test unless got, the result of an update
		// of before, is before with a later updated_at and what change
		// does, and is what the store now holds.
		assertChanged := func(t *testing.T, got, before *salesmania.Customer, change func(*salesmania.Customer)) {
			t.Helper()
			if !got.UpdatedAt.After(before.UpdatedAt) {
				t.Fatalf("UpdatedAt = %v, want after %v", got.UpdatedAt, before.UpdatedAt)
			}
			want := *before
			want.Tags = slices.Clone(before.Tags)
			change(&want)
			want.UpdatedAt = got.UpdatedAt
			assertSameCustomer(t, "UpdateCustomer", got, &want)
			assertCustomer(t, s, &want)
		}

		t.Run("OnlySentFieldsChange", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			c := MustCreateCustomer(t, s, d.ID, fullCustomer("C-0001"))
			other := MustCreateCustomer(t, s, d.ID, fullCustomer("C-0002"))
			waitNextMicrosecond()
			got := update(t, c, salesmania.CustomerFields{City: new(" Solo "), Status: new(false)})
			assertChanged(t, got, c, func(want *salesmania.Customer) {
				want.City, want.Status = "Solo", false
			})
			assertCustomer(t, s, other)
		})

		t.Run("EveryField", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			c := MustCreateCustomer(t, s, d.ID, fullCustomer("C-0001"))
			waitNextMicrosecond()
			got := update(t, c, salesmania.CustomerFields{
				Name: new("Toko Baru"), Address: new("Jl. Baru 1"), City: new("Solo"), Phone: new("021-1"),
				ExtCustNo: new("C-0009"), Location: &salesmania.LocationInput{Lat: new(1.5), Lon: new(-2.25)},
				Status: new(false), Tags: &[]string{"baru"},
			})
			assertChanged(t, got, c, func(want *salesmania.Customer) {
				want.Name, want.Address, want.City, want.Phone, want.ExtCustNo = "Toko Baru", "Jl. Baru 1", "Solo", "021-1", "C-0009"
				want.Location = &salesmania.Location{Lat: 1.5, Lon: -2.25}
				want.Status, want.Tags = false, []string{"baru"}
			})
		})

		t.Run("TagsReplace", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			c := newCustomer("Tagged")
			c.Tags = []string{"a", "b"}
			MustCreateCustomer(t, s, d.ID, c)
			waitNextMicrosecond()
			got := update(t, c, salesmania.CustomerFields{Tags: &[]string{"c", " a ", "c"}})
			assertChanged(t, got, c, func(want *salesmania.Customer) { want.Tags = []string{"c", "a"} })
			assertCustomerIDs(t, s, d.ID, salesmania.CustomerFilter{Tag: "b"})
			assertCustomerIDs(t, s, d.ID, salesmania.CustomerFilter{Tag: "a"}, c)
			assertCustomerIDs(t, s, d.ID, salesmania.CustomerFilter{Tag: "c"}, c)

			waitNextMicrosecond()
			cleared := update(t, got, salesmania.CustomerFields{Tags: &[]string{}})
			assertChanged(t, cleared, got, func(want *salesmania.Customer) { want.Tags = []string{} })
			for _, tag := range []string{"a", "b", "c"} {
				assertCustomerIDs(t, s, d.ID, salesmania.CustomerFilter{Tag: tag})
			}
		})

		// A customer without tags keeps "tags": [] through a PATCH of
		// other fields, in the answer and in the stored row.
		t.Run("EmptyTagsStayEmpty", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			c := MustCreateCustomer(t, s, d.ID, newCustomer("No tags"))
			waitNextMicrosecond()
			got := update(t, c, salesmania.CustomerFields{City: new("Solo")})
			if got.Tags == nil {
				t.Fatal("UpdateCustomer: Tags = nil, want an empty, non-nil slice")
			}
			assertChanged(t, got, c, func(want *salesmania.Customer) { want.City = "Solo" })
			var stored string
			if err := s.ReadDB().QueryRowContext(t.Context(), "SELECT tags FROM customers WHERE db_id = $1 AND id = $2", d.ID, c.ID).Scan(&stored); err != nil {
				t.Fatal(err)
			}
			if stored != "[]" {
				t.Fatalf("stored tags = %q, want %q", stored, "[]")
			}
			if same := update(t, got, salesmania.CustomerFields{}); same.Tags == nil {
				t.Fatal("no-op UpdateCustomer: Tags = nil, want an empty, non-nil slice")
			}
		})

		t.Run("NullLocationClears", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			c := MustCreateCustomer(t, s, d.ID, fullCustomer(""))
			waitNextMicrosecond()
			got := update(t, c, salesmania.CustomerFields{Nulls: map[string]bool{"location": true}})
			assertChanged(t, got, c, func(want *salesmania.Customer) { want.Location = nil })
		})

		t.Run("LocationSet", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			c := fullCustomer("")
			c.Location = nil
			MustCreateCustomer(t, s, d.ID, c)
			waitNextMicrosecond()
			got := update(t, c, salesmania.CustomerFields{Location: &salesmania.LocationInput{Lat: new(-6.2), Lon: new(106.816666)}})
			assertChanged(t, got, c, func(want *salesmania.Customer) {
				want.Location = &salesmania.Location{Lat: -6.2, Lon: 106.816666}
			})
		})

		t.Run("ErrInvalidLeavesRowUnchanged", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			c := MustCreateCustomer(t, s, d.ID, fullCustomer("C-0001"))
			_, err := s.UpdateCustomer(t.Context(), d.ID, c.ID, &salesmania.CustomerFields{
				Name: new("  "), City: new("Solo"), Tags: &[]string{"new"},
				Location: &salesmania.LocationInput{Lat: new(91.0), Lon: new(0.0)},
			})
			assertInvalid(t, err, "name", "location.lat")
			assertCustomer(t, s, c)
			assertCustomerIDs(t, s, d.ID, salesmania.CustomerFilter{Tag: "new"})
		})

		t.Run("ErrExtCustNoTaken", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			c := MustCreateCustomer(t, s, d.ID, fullCustomer("C-0001"))
			other := MustCreateCustomer(t, s, d.ID, fullCustomer("C-0002"))
			_, err := s.UpdateCustomer(t.Context(), d.ID, c.ID, &salesmania.CustomerFields{ExtCustNo: new("C-0002"), City: new("Solo")})
			assertConflictOn(t, err, "ext_cust_no")
			assertCustomer(t, s, c)
			assertCustomer(t, s, other)
		})

		t.Run("ExtCustNoKeptOrFreed", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			c := MustCreateCustomer(t, s, d.ID, fullCustomer("C-0001"))
			waitNextMicrosecond()
			// Sending its own number again is no conflict with itself.
			got := update(t, c, salesmania.CustomerFields{ExtCustNo: new("C-0001"), Name: new("Renamed")})
			assertChanged(t, got, c, func(want *salesmania.Customer) { want.Name = "Renamed" })
			// Moving to another number frees the old one.
			waitNextMicrosecond()
			moved := update(t, got, salesmania.CustomerFields{ExtCustNo: new("C-0009")})
			assertChanged(t, moved, got, func(want *salesmania.Customer) { want.ExtCustNo = "C-0009" })
			taker := MustCreateCustomer(t, s, d.ID, fullCustomer("C-0001"))
			assertCustomerIDs(t, s, d.ID, salesmania.CustomerFilter{ExtCustNo: "C-0001"}, taker)
		})

		t.Run("ConcurrentSameExtCustNo", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			const n = 10
			var cs []*salesmania.Customer
			for i := range n {
				cs = append(cs, MustCreateCustomer(t, s, d.ID, fullCustomer(fmt.Sprintf("C-%d", i))))
			}
			updated := make([]*salesmania.Customer, n)
			errs := createConcurrently(n, func(i int) error {
				var err error
				updated[i], err = s.UpdateCustomer(t.Context(), d.ID, cs[i].ID, &salesmania.CustomerFields{ExtCustNo: new("C-RACE")})
				return err
			})
			winner := assertOneWinner(t, errs)
			assertCustomer(t, s, updated[winner])
			assertCustomerIDs(t, s, d.ID, salesmania.CustomerFilter{ExtCustNo: "C-RACE"}, cs[winner])
			for i, c := range cs {
				if i != winner {
					assertCustomer(t, s, c)
				}
			}
		})

		t.Run("NoOpKeepsUpdatedAt", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			c := MustCreateCustomer(t, s, d.ID, fullCustomer("C-0001"))
			waitNextMicrosecond()
			for _, f := range []salesmania.CustomerFields{
				{},
				{Name: new(" Toko Sumber Rejeki "), ExtCustNo: new("C-0001"), Status: new(true),
					Tags:     &[]string{"semarang", "grosir", "semarang", "éceran"},
					Location: &salesmania.LocationInput{Lat: new(-7.110383), Lon: new(110.473812)}},
			} {
				got := update(t, c, f)
				assertSameCustomer(t, "UpdateCustomer", got, c)
				assertCustomer(t, s, c)
			}
		})

		t.Run("ErrNotFound", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			c := MustCreateCustomer(t, s, d.ID, fullCustomer(""))
			_, err := s.UpdateCustomer(t.Context(), d.ID, c.ID+1000, &salesmania.CustomerFields{Name: new("Ghost")})
			assertCode(t, err, salesmania.ENOTFOUND)
			// Not found wins over bad fields: there is nothing to validate against.
			_, err = s.UpdateCustomer(t.Context(), d.ID, c.ID+1000, &salesmania.CustomerFields{Name: new("")})
			assertCode(t, err, salesmania.ENOTFOUND)
			assertCustomer(t, s, c)
		})

		t.Run("ErrOtherDatabase", func(t *testing.T) {
			a := MustCreateDatabase(t, s, "Acme")
			b := MustCreateDatabase(t, s, "Beta")
			MustCreateCustomer(t, s, a.ID, fullCustomer("C-0002"))
			cb := MustCreateCustomer(t, s, b.ID, fullCustomer("C-0001"))
			_, err := s.UpdateCustomer(t.Context(), a.ID, cb.ID, &salesmania.CustomerFields{Name: new("Hijacked"), ExtCustNo: new("C-0002")})
			assertCode(t, err, salesmania.ENOTFOUND)
			assertCustomer(t, s, cb)
		})
	})
}

func TestStore_DeleteCustomer(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		s := sqlstoretest.MustOpen(t, kind)

		t.Run("OK", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			c := MustCreateCustomer(t, s, d.ID, fullCustomer("C-0001"))
			kept := MustCreateCustomer(t, s, d.ID, fullCustomer("C-0002"))
			since := salesmania.Now()
			waitNextMicrosecond()
			if err := s.DeleteCustomer(t.Context(), d.ID, c.ID); err != nil {
				t.Fatal(err)
			}
			after := salesmania.Now()
			_, err := s.FindCustomer(t.Context(), d.ID, c.ID)
			assertCode(t, err, salesmania.ENOTFOUND)
			assertCustomerIDs(t, s, d.ID, salesmania.CustomerFilter{}, kept)
			assertCustomerIDs(t, s, d.ID, salesmania.CustomerFilter{Tag: "grosir"}, kept)

			page, err := s.ListDeletedCustomers(t.Context(), d.ID, since, salesmania.ListParams{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Data) != 1 || page.Data[0].ID != c.ID || page.NextCursor != nil {
				t.Fatalf("ListDeletedCustomers = %+v, want one tombstone of %d", page, c.ID)
			}
			if at := page.Data[0].DeletedAt; !at.After(since) || at.After(after) {
				t.Fatalf("DeletedAt = %v, want after %v and not after %v", at, since, after)
			}

			// Its ext_cust_no is free again.
			MustCreateCustomer(t, s, d.ID, fullCustomer("C-0001"))
		})

		t.Run("ErrDeletedTwice", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			c := MustCreateCustomer(t, s, d.ID, fullCustomer(""))
			since := salesmania.Now()
			waitNextMicrosecond()
			if err := s.DeleteCustomer(t.Context(), d.ID, c.ID); err != nil {
				t.Fatal(err)
			}
			assertCode(t, s.DeleteCustomer(t.Context(), d.ID, c.ID), salesmania.ENOTFOUND)
			page, err := s.ListDeletedCustomers(t.Context(), d.ID, since, salesmania.ListParams{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Data) != 1 || page.Data[0].ID != c.ID {
				t.Fatalf("ListDeletedCustomers = %+v, want one tombstone of %d", page.Data, c.ID)
			}
		})

		t.Run("ErrNotFound", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			c := MustCreateCustomer(t, s, d.ID, fullCustomer(""))
			assertCode(t, s.DeleteCustomer(t.Context(), d.ID, c.ID+1000), salesmania.ENOTFOUND)
			assertCustomer(t, s, c)
			assertNoCustomerTombstones(t, s, d.ID)
		})

		t.Run("ErrOtherDatabase", func(t *testing.T) {
			a := MustCreateDatabase(t, s, "Acme")
			b := MustCreateDatabase(t, s, "Beta")
			cb := MustCreateCustomer(t, s, b.ID, fullCustomer("C-0001"))
			assertCode(t, s.DeleteCustomer(t.Context(), a.ID, cb.ID), salesmania.ENOTFOUND)
			assertCustomer(t, s, cb)
			assertNoCustomerTombstones(t, s, a.ID)
			assertNoCustomerTombstones(t, s, b.ID)
		})
	})
}

func TestStore_ListCustomers(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		s := sqlstoretest.MustOpen(t, kind)

		// Both databases get the same customers, so every filter that
		// finds one in a would find its twin in b if it leaked.
		specs := []salesmania.Customer{
			{Name: "Toko Sumber Rejeki", ExtCustNo: "C-1", Tags: []string{"grosir", "semarang"}, Status: true},
			{Name: "Warung A", Address: "Jl. Pemuda 12", ExtCustNo: "C-10", Tags: []string{"grosir-besar"}, Status: true},
			{Name: "Warung B", City: "Semarang Barat", Tags: []string{"grosir"}, Status: true},
			{Name: "Warung C", Phone: "0812-555-0101", Tags: []string{"grosir-besar"}, Status: false},
			{Name: "Warung D", ExtCustNo: "CX-77", Tags: []string{"Grosir"}, Status: true},
			{Name: "50% off", Status: true},
			{Name: "500 off", Status: true},
			{Name: "a_b", Status: false},
			{Name: "axb", Status: true},
			{Name: `back\slash`, Status: true},
		}
		const (
			toko = iota
			warungA
			warungB
			warungC
			warungD
			percent
			fiveHundred
			underscore
			axb
			backslash
		)
		a := MustCreateDatabase(t, s, "Acme")
		b := MustCreateDatabase(t, s, "Beta")
		created := map[int64][]*salesmania.Customer{}
		for _, dbID := range []int64{a.ID, b.ID} {
			for _, spec := range specs {
				c := spec
				c.Tags = slices.Clone(spec.Tags)
				created[dbID] = append(created[dbID], MustCreateCustomer(t, s, dbID, &c))
			}
		}

		for _, tt := range []struct {
			name   string
			filter salesmania.CustomerFilter
			want   []int // indexes into specs, in id order
		}{
			{"All", salesmania.CustomerFilter{}, []int{toko, warungA, warungB, warungC, warungD, percent, fiveHundred, underscore, axb, backslash}},
			{"QName", salesmania.CustomerFilter{Q: "SUMBER"}, []int{toko}},
			{"QAddress", salesmania.CustomerFilter{Q: "pemuda"}, []int{warungA}},
			{"QCity", salesmania.CustomerFilter{Q: "semarang b"}, []int{warungB}},
			{"QPhone", salesmania.CustomerFilter{Q: "555-01"}, []int{warungC}},
			{"QExtCustNo", salesmania.CustomerFilter{Q: "cx-7"}, []int{warungD}},
			{"QManyFields", salesmania.CustomerFilter{Q: "wARUNG"}, []int{warungA, warungB, warungC, warungD}},
			{"QPercentLiteral", salesmania.CustomerFilter{Q: "50%"}, []int{percent}},
			{"QOnlyPercent", salesmania.CustomerFilter{Q: "%"}, []int{percent}},
			{"QUnderscoreLiteral", salesmania.CustomerFilter{Q: "_"}, []int{underscore}},
			{"QUnderscoreInside", salesmania.CustomerFilter{Q: "a_b"}, []int{underscore}},
			{"QBackslashLiteral", salesmania.CustomerFilter{Q: `k\s`}, []int{backslash}},
			{"QNoMatch", salesmania.CustomerFilter{Q: "zzz"}, []int{}},
			{"StatusTrue", salesmania.CustomerFilter{Status: new(true)}, []int{toko, warungA, warungB, warungD, percent, fiveHundred, axb, backslash}},
			{"StatusFalse", salesmania.CustomerFilter{Status: new(false)}, []int{warungC, underscore}},
			{"TagExact", salesmania.CustomerFilter{Tag: "grosir"}, []int{toko, warungB}},
			{"TagCaseSensitive", salesmania.CustomerFilter{Tag: "Grosir"}, []int{warungD}},
			{"TagNoPrefix", salesmania.CustomerFilter{Tag: "gros"}, []int{}},
			{"TagOther", salesmania.CustomerFilter{Tag: "grosir-besar"}, []int{warungA, warungC}},
			{"ExtCustNoExact", salesmania.CustomerFilter{ExtCustNo: "C-1"}, []int{toko}},
			{"ExtCustNoNoPrefix", salesmania.CustomerFilter{ExtCustNo: "C"}, []int{}},
			{"ExtCustNoCaseSensitive", salesmania.CustomerFilter{ExtCustNo: "c-1"}, []int{}},
			{"QAndStatusAndTag", salesmania.CustomerFilter{Q: "warung", Status: new(true), Tag: "grosir-besar"}, []int{warungA}},
			{"QAndStatus", salesmania.CustomerFilter{Q: "warung", Status: new(false)}, []int{warungC}},
			{"QAndTagAndExtCustNo", salesmania.CustomerFilter{Q: "warung", Tag: "Grosir", ExtCustNo: "CX-77"}, []int{warungD}},
			{"TagAndExtCustNoDisjoint", salesmania.CustomerFilter{Tag: "grosir", ExtCustNo: "C-10"}, []int{}},
			{"QAndStatusDisjoint", salesmania.CustomerFilter{Q: "toko", Status: new(false)}, []int{}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				for _, dbID := range []int64{a.ID, b.ID} {
					var want []*salesmania.Customer
					for _, i := range tt.want {
						want = append(want, created[dbID][i])
					}
					assertCustomerIDs(t, s, dbID, tt.filter, want...)
				}
			})
		}

		t.Run("OnlyOwnDatabase", func(t *testing.T) {
			empty := MustCreateDatabase(t, s, "Empty")
			assertCustomerIDs(t, s, empty.ID, salesmania.CustomerFilter{})
			assertCustomerIDs(t, s, empty.ID, salesmania.CustomerFilter{Q: "warung", Tag: "grosir-besar"})
		})

		t.Run("WholeRows", func(t *testing.T) {
			page, err := s.ListCustomers(t.Context(), a.ID, salesmania.CustomerFilter{ListParams: salesmania.ListParams{Limit: 100}, ExtCustNo: "C-1"})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Data) != 1 {
				t.Fatalf("%d customers, want 1", len(page.Data))
			}
			assertSameCustomer(t, "listed customer", &page.Data[0], created[a.ID][toko])
		})
	})
}

// BenchmarkCreateCustomerExtCustNo creates customers with a new ext_cust_no
// each in a database of 100 and of 20 000 customers: the uniqueness check
// is an index lookup, so both should cost about the same.
func BenchmarkCreateCustomerExtCustNo(b *testing.B) {
	for _, n := range []int{100, 20_000} {
		b.Run(fmt.Sprintf("Of%d", n), func(b *testing.B) {
			s, dbID, _ := benchCustomers(b, n)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				c := newCustomer("New")
				c.ExtCustNo = fmt.Sprintf("N-%d", i)
				i++
				if err := s.CreateCustomer(b.Context(), dbID, c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
