package sqlstore_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/sqlstore"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// maxPages stops a walk that never ends, as a cursor that does not move
// would make it.
const maxPages = 100

// walkCustomers lists the filter page after page, each time continuing at
// the page's NextCursor as a client would (parsed with ParseCursor), until
// NextCursor is nil. It calls between(i), if not nil, after page i (from 0)
// when another page follows, so the test can change rows mid-walk.
func walkCustomers(tb testing.TB, s *sqlstore.Store, dbID int64, f salesmania.CustomerFilter, between func(page int)) []salesmania.Page[salesmania.Customer] {
	tb.Helper()
	var pages []salesmania.Page[salesmania.Customer]
	for {
		page, err := s.ListCustomers(tb.Context(), dbID, f)
		if err != nil {
			tb.Fatalf("ListCustomers page %d (%+v): %v", len(pages), f, err)
		}
		pages = append(pages, *page)
		if page.NextCursor == nil {
			return pages
		}
		if len(pages) == maxPages {
			tb.Fatalf("ListCustomers: still a next cursor after %d pages", maxPages)
		}
		if f.After, err = salesmania.ParseCursor(*page.NextCursor); err != nil {
			tb.Fatalf("ParseCursor(%q) of page %d: %v", *page.NextCursor, len(pages)-1, err)
		}
		if between != nil {
			between(len(pages) - 1)
		}
	}
}

// walkTombstones lists the customer tombstones deleted after since page
// after page, following NextCursor, until NextCursor is nil.
func walkTombstones(tb testing.TB, s *sqlstore.Store, dbID int64, since time.Time, p salesmania.ListParams) []salesmania.Page[salesmania.Tombstone] {
	tb.Helper()
	var pages []salesmania.Page[salesmania.Tombstone]
	for {
		page, err := s.ListDeletedCustomers(tb.Context(), dbID, since, p)
		if err != nil {
			tb.Fatalf("ListDeletedCustomers page %d: %v", len(pages), err)
		}
		pages = append(pages, *page)
		if page.NextCursor == nil {
			return pages
		}
		if len(pages) == maxPages {
			tb.Fatalf("ListDeletedCustomers: still a next cursor after %d pages", maxPages)
		}
		if p.After, err = salesmania.ParseCursor(*page.NextCursor); err != nil {
			tb.Fatalf("ParseCursor(%q) of page %d: %v", *page.NextCursor, len(pages)-1, err)
		}
	}
}

// customerPageIDs returns the ids of each page.
func customerPageIDs(pages []salesmania.Page[salesmania.Customer]) [][]int64 {
	out := [][]int64{}
	for _, p := range pages {
		ids := []int64{}
		for _, c := range p.Data {
			ids = append(ids, c.ID)
		}
		out = append(out, ids)
	}
	return out
}

// idsOf returns the ids of the customers.
func idsOf(cs ...*salesmania.Customer) []int64 {
	ids := []int64{}
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	return ids
}

// assertPageIDs fails the test unless the walk's pages hold exactly the ids
// of want, page by page.
func assertPageIDs(tb testing.TB, pages []salesmania.Page[salesmania.Customer], want ...[]int64) {
	tb.Helper()
	got := customerPageIDs(pages)
	if !slices.EqualFunc(got, want, slices.Equal) {
		tb.Fatalf("pages of ids = %v, want %v", got, want)
	}
}

// assertTotals fails the test unless every page carries the total want.
func assertTotals[T any](tb testing.TB, pages []salesmania.Page[T], want int64) {
	tb.Helper()
	for i, p := range pages {
		if p.Total == nil || *p.Total != want {
			tb.Fatalf("page %d: Total = %v, want %d", i, p.Total, want)
		}
	}
}

// assertCursorAt fails the test unless the page's next cursor, parsed,
// points at its last row: by id, or by (time, id) when byTime.
func assertCursorAt[T any](tb testing.TB, page salesmania.Page[T], byTime bool, at time.Time, id int64) {
	tb.Helper()
	if page.NextCursor == nil {
		tb.Fatal("NextCursor = nil, want a cursor")
	}
	got, err := salesmania.ParseCursor(*page.NextCursor)
	if err != nil {
		tb.Fatalf("ParseCursor(%q): %v", *page.NextCursor, err)
	}
	want := salesmania.Cursor{ID: id}
	if byTime {
		want.ByTime, want.Time = true, at.UnixMicro()
	}
	if got != want {
		tb.Fatalf("NextCursor = %+v, want %+v", got, want)
	}
}

func TestStore_ListCustomersPages(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		s := sqlstoretest.MustOpen(t, kind)
		d := MustCreateDatabase(t, s, "Acme")
		other := MustCreateDatabase(t, s, "Beta")
		const n = 250
		var created []*salesmania.Customer
		for i := range n {
			created = append(created, MustCreateCustomer(t, s, d.ID, newCustomer(fmt.Sprintf("Customer %03d", i))))
			if i%50 == 0 { // ids of another database between ours
				MustCreateCustomer(t, s, other.ID, newCustomer(fmt.Sprintf("Other %03d", i)))
			}
		}
		all := idsOf(created...)

		t.Run("ByID", func(t *testing.T) {
			f := salesmania.CustomerFilter{ListParams: salesmania.ListParams{Limit: 100, IncludeTotal: true}}
			pages := walkCustomers(t, s, d.ID, f, nil)
			assertPageIDs(t, pages, all[:100], all[100:200], all[200:])
			assertTotals(t, pages, n)
			assertCursorAt(t, pages[0], false, time.Time{}, all[99])
			assertCursorAt(t, pages[1], false, time.Time{}, all[199])
			if !slices.IsSorted(all) {
				t.Fatalf("ids in creation order %v are not ascending", all)
			}
		})

		t.Run("NoTotalUnlessAsked", func(t *testing.T) {
			pages := walkCustomers(t, s, d.ID, salesmania.CustomerFilter{ListParams: salesmania.ListParams{Limit: 100}}, nil)
			assertPageIDs(t, pages, all[:100], all[100:200], all[200:])
			for i, p := range pages {
				if p.Total != nil {
					t.Fatalf("page %d: Total = %d, want nil", i, *p.Total)
				}
			}
		})

		// A last page that is exactly full has no next cursor: the store
		// looks one row ahead instead of sending the client to an empty page.
		t.Run("ExactlyFullLastPage", func(t *testing.T) {
			pages := walkCustomers(t, s, d.ID, salesmania.CustomerFilter{ListParams: salesmania.ListParams{Limit: 125}}, nil)
			assertPageIDs(t, pages, all[:125], all[125:])
			pages = walkCustomers(t, s, d.ID, salesmania.CustomerFilter{ListParams: salesmania.ListParams{Limit: salesmania.MaxListLimit}}, nil)
			assertPageIDs(t, pages, all)
		})

		t.Run("ErrCursorOfOtherOrder", func(t *testing.T) {
			byID, err := s.ListCustomers(t.Context(), d.ID, salesmania.CustomerFilter{ListParams: salesmania.ListParams{Limit: 2}})
			if err != nil {
				t.Fatal(err)
			}
			since := epoch
			byTime, err := s.ListCustomers(t.Context(), d.ID, salesmania.CustomerFilter{ListParams: salesmania.ListParams{Limit: 2, UpdatedSince: &since}})
			if err != nil {
				t.Fatal(err)
			}
			idCursor, err := salesmania.ParseCursor(*byID.NextCursor)
			if err != nil {
				t.Fatal(err)
			}
			timeCursor, err := salesmania.ParseCursor(*byTime.NextCursor)
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.ListCustomers(t.Context(), d.ID, salesmania.CustomerFilter{ListParams: salesmania.ListParams{Limit: 2, After: idCursor, UpdatedSince: &since}})
			assertCode(t, err, salesmania.EBADREQUEST)
			_, err = s.ListCustomers(t.Context(), d.ID, salesmania.CustomerFilter{ListParams: salesmania.ListParams{Limit: 2, After: timeCursor}})
			assertCode(t, err, salesmania.EBADREQUEST)
			_, err = s.ListDeletedCustomers(t.Context(), d.ID, since, salesmania.ListParams{Limit: 2, After: idCursor})
			assertCode(t, err, salesmania.EBADREQUEST)
		})

		// Rows inserted, updated and deleted while a client walks the list
		// neither repeat nor hide others: every original row still there is
		// seen exactly once, and new rows come at the end. This subtest
		// changes the rows, so it runs last.
		t.Run("ChangesBetweenPages", func(t *testing.T) {
			var inserted []int64
			deleted := all[10]
			between := func(page int) {
				for i := range 3 {
					inserted = append(inserted, MustCreateCustomer(t, s, d.ID, newCustomer(fmt.Sprintf("New %d-%d", page, i))).ID)
				}
				for _, c := range []*salesmania.Customer{created[5], created[150], created[240]} {
					if _, err := s.UpdateCustomer(t.Context(), d.ID, c.ID, &salesmania.CustomerFields{City: new(fmt.Sprintf("City %d", page))}); err != nil {
						t.Fatal(err)
					}
				}
				if page == 0 { // a row the client has seen already
					if err := s.DeleteCustomer(t.Context(), d.ID, deleted); err != nil {
						t.Fatal(err)
					}
				}
			}
			pages := walkCustomers(t, s, d.ID, salesmania.CustomerFilter{ListParams: salesmania.ListParams{Limit: 100}}, between)
			var seen []int64
			for _, ids := range customerPageIDs(pages) {
				seen = append(seen, ids...)
			}
			want := append(slices.Clone(all), inserted...)
			if !slices.Equal(seen, want) {
				t.Fatalf("seen %d ids %v,\nwant %d ids %v", len(seen), seen, len(want), want)
			}
			if len(pages) != 3 || len(inserted) != 6 {
				t.Fatalf("%d pages with %d inserted rows, want 3 pages with 6", len(pages), len(inserted))
			}
		})
	})
}

func TestStore_ListCustomersUpdatedSince(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		s := sqlstoretest.MustOpen(t, kind)

		// setup creates c[0..5] in a new database, each at a later
		// microsecond, then updates c[1] (to inactive) and c[0], in that
		// order. Changed after c[2] was created are, in order of change:
		// c[3], c[4], c[5], c[1], c[0].
		setup := func(t *testing.T) (dbID int64, c []*salesmania.Customer) {
			t.Helper()
			d := MustCreateDatabase(t, s, "Acme")
			for i := range 6 {
				waitNextMicrosecond()
				cu := newCustomer(fmt.Sprintf("Customer %d", i))
				cu.Tags = []string{"sync"}
				c = append(c, MustCreateCustomer(t, s, d.ID, cu))
			}
			for _, u := range []struct {
				i int
				f salesmania.CustomerFields
			}{{1, salesmania.CustomerFields{Status: new(false)}}, {0, salesmania.CustomerFields{City: new("Solo")}}} {
				waitNextMicrosecond()
				got, err := s.UpdateCustomer(t.Context(), d.ID, c[u.i].ID, &u.f)
				if err != nil {
					t.Fatal(err)
				}
				c[u.i] = got
			}
			return d.ID, c
		}
		params := func(since time.Time, limit int) salesmania.CustomerFilter {
			return salesmania.CustomerFilter{ListParams: salesmania.ListParams{Limit: limit, UpdatedSince: &since, IncludeTotal: true}}
		}

		t.Run("OrderedByUpdatedAtThenID", func(t *testing.T) {
			dbID, c := setup(t)
			pages := walkCustomers(t, s, dbID, params(c[2].UpdatedAt, 2), nil)
			assertPageIDs(t, pages, idsOf(c[3], c[4]), idsOf(c[5], c[1]), idsOf(c[0]))
			assertTotals(t, pages, 5)
			assertCursorAt(t, pages[0], true, c[4].UpdatedAt, c[4].ID)
			assertCursorAt(t, pages[1], true, c[1].UpdatedAt, c[1].ID)
			assertSameCustomer(t, "last row", &pages[2].Data[0], c[0])
		})

		// The instant itself is excluded, also when it carries nanoseconds
		// the stored microseconds do not have.
		t.Run("StrictlyAfter", func(t *testing.T) {
			dbID, c := setup(t)
			for _, tt := range []struct {
				name  string
				since time.Time
				want  []int64
			}{
				{"Instant", c[2].UpdatedAt, idsOf(c[3], c[4], c[5], c[1], c[0])},
				{"MicrosecondBefore", c[2].UpdatedAt.Add(-time.Microsecond), idsOf(c[2], c[3], c[4], c[5], c[1], c[0])},
				{"NanosecondsAfter", c[2].UpdatedAt.Add(500 * time.Nanosecond), idsOf(c[3], c[4], c[5], c[1], c[0])},
				{"NanosecondsBefore", c[2].UpdatedAt.Add(-500 * time.Nanosecond), idsOf(c[2], c[3], c[4], c[5], c[1], c[0])},
				{"LastChange", c[0].UpdatedAt, []int64{}},
				{"OtherZone", c[5].UpdatedAt.In(time.FixedZone("WIB", 7*3600)), idsOf(c[1], c[0])},
			} {
				pages := walkCustomers(t, s, dbID, params(tt.since, 100), nil)
				assertPageIDs(t, pages, tt.want)
				assertTotals(t, pages, int64(len(tt.want)))
			}
		})

		t.Run("WithFilter", func(t *testing.T) {
			dbID, c := setup(t)
			f := params(c[2].UpdatedAt, 100)
			f.Status = new(true)
			pages := walkCustomers(t, s, dbID, f, nil)
			assertPageIDs(t, pages, idsOf(c[3], c[4], c[5], c[0]))
			assertTotals(t, pages, 4)
			f.Status = new(false)
			pages = walkCustomers(t, s, dbID, f, nil)
			assertPageIDs(t, pages, idsOf(c[1]))
			assertTotals(t, pages, 1)
		})

		// A row changed while a client syncs comes again after its change,
		// so the client ends with its latest state.
		t.Run("ChangeDuringWalkComesLast", func(t *testing.T) {
			dbID, c := setup(t)
			between := func(page int) {
				if page == 0 {
					waitNextMicrosecond()
					got, err := s.UpdateCustomer(t.Context(), dbID, c[3].ID, &salesmania.CustomerFields{Phone: new("021-1")})
					if err != nil {
						t.Fatal(err)
					}
					c[3] = got
				}
			}
			pages := walkCustomers(t, s, dbID, params(c[2].UpdatedAt, 2), between)
			assertPageIDs(t, pages, idsOf(c[3], c[4]), idsOf(c[5], c[1]), idsOf(c[0], c[3]))
			if got := pages[2].Data[1].Phone; got != "021-1" {
				t.Fatalf("changed row: phone %q, want %q", got, "021-1")
			}
		})

		// Rows changed in the same microsecond are ordered by id: a cursor
		// at (t, id) continues with the rows at t with a larger id.
		t.Run("TieBrokenByID", func(t *testing.T) {
			dbID, c := setup(t)
			f := params(c[2].UpdatedAt, 100)
			f.After = salesmania.Cursor{ByTime: true, Time: c[4].UpdatedAt.UnixMicro(), ID: c[4].ID - 1}
			pages := walkCustomers(t, s, dbID, f, nil)
			assertPageIDs(t, pages, idsOf(c[4], c[5], c[1], c[0]))
			f.After.ID = c[4].ID
			pages = walkCustomers(t, s, dbID, f, nil)
			assertPageIDs(t, pages, idsOf(c[5], c[1], c[0]))
		})

		t.Run("OnlyOwnDatabase", func(t *testing.T) {
			dbID, c := setup(t)
			setup(t) // another database, all changed after c[2]
			pages := walkCustomers(t, s, dbID, params(c[2].UpdatedAt, 2), nil)
			assertPageIDs(t, pages, idsOf(c[3], c[4]), idsOf(c[5], c[1]), idsOf(c[0]))
			assertTotals(t, pages, 5)
		})
	})
}

func TestStore_ListDeletedCustomers(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		s := sqlstoretest.MustOpen(t, kind)
		d := MustCreateDatabase(t, s, "Acme")
		other := MustCreateDatabase(t, s, "Beta")
		var c []*salesmania.Customer
		for i := range 6 {
			c = append(c, MustCreateCustomer(t, s, d.ID, newCustomer(fmt.Sprintf("Customer %d", i))))
		}
		otherCustomer := MustCreateCustomer(t, s, other.ID, newCustomer("Other"))
		since := salesmania.Now()
		// Deleted out of id order, each at a later microsecond; c[0] stays
		// and a customer of the other database goes in the middle.
		for i, j := range []int{3, 1, 5, 2, 4} {
			waitNextMicrosecond()
			if err := s.DeleteCustomer(t.Context(), d.ID, c[j].ID); err != nil {
				t.Fatal(err)
			}
			if i == 2 {
				waitNextMicrosecond()
				if err := s.DeleteCustomer(t.Context(), other.ID, otherCustomer.ID); err != nil {
					t.Fatal(err)
				}
			}
		}

		t.Run("Pages", func(t *testing.T) {
			pages := walkTombstones(t, s, d.ID, since, salesmania.ListParams{Limit: 2, IncludeTotal: true})
			var got [][]int64
			var all []salesmania.Tombstone
			for _, p := range pages {
				ids := []int64{}
				for _, ts := range p.Data {
					ids = append(ids, ts.ID)
				}
				got = append(got, ids)
				all = append(all, p.Data...)
			}
			want := [][]int64{idsOf(c[3], c[1]), idsOf(c[5], c[2]), idsOf(c[4])}
			if !slices.EqualFunc(got, want, slices.Equal) {
				t.Fatalf("pages of tombstone ids = %v, want %v", got, want)
			}
			assertTotals(t, pages, 5)
			for i := 1; i < len(all); i++ {
				if !all[i].DeletedAt.After(all[i-1].DeletedAt) {
					t.Fatalf("tombstone %d deleted at %v, not after the one before (%v)", i, all[i].DeletedAt, all[i-1].DeletedAt)
				}
			}
			if !all[0].DeletedAt.After(since) {
				t.Fatalf("first DeletedAt %v, want after %v", all[0].DeletedAt, since)
			}
			assertCursorAt(t, pages[0], true, all[1].DeletedAt, all[1].ID)
			assertCursorAt(t, pages[1], true, all[3].DeletedAt, all[3].ID)

			// Since the second deletion: the last three.
			later := walkTombstones(t, s, d.ID, all[1].DeletedAt, salesmania.ListParams{Limit: 2, IncludeTotal: true})
			if len(later) != 2 || len(later[0].Data) != 2 || later[0].Data[0] != all[2] || later[0].Data[1] != all[3] ||
				len(later[1].Data) != 1 || later[1].Data[0] != all[4] {
				t.Fatalf("tombstones since %v = %+v, want %+v", all[1].DeletedAt, later, all[2:])
			}
			assertTotals(t, later, 3)
		})

		t.Run("OnlyOwnDatabase", func(t *testing.T) {
			pages := walkTombstones(t, s, other.ID, since, salesmania.ListParams{Limit: 2, IncludeTotal: true})
			if len(pages) != 1 || len(pages[0].Data) != 1 || pages[0].Data[0].ID != otherCustomer.ID {
				t.Fatalf("tombstones of the other database = %+v, want only %d", pages, otherCustomer.ID)
			}
			assertTotals(t, pages, 1)
		})

		t.Run("NoneAfterLast", func(t *testing.T) {
			pages := walkTombstones(t, s, d.ID, salesmania.Now(), salesmania.ListParams{Limit: 2, IncludeTotal: true})
			if len(pages) != 1 || pages[0].Data == nil || len(pages[0].Data) != 0 {
				t.Fatalf("tombstones from now = %+v, want one empty page", pages)
			}
			assertTotals(t, pages, 0)
		})
	})
}

// Totals count the rows matching the filters, not the page and not the
// rows of other databases.
func TestStore_ListTotal(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		s := sqlstoretest.MustOpen(t, kind)
		d := MustCreateDatabase(t, s, "Acme")
		other := MustCreateDatabase(t, s, "Beta")
		var c []*salesmania.Customer
		for _, dbID := range []int64{d.ID, other.ID} {
			for i := range 10 {
				cu := newCustomer(fmt.Sprintf("Customer %d", i))
				if i%2 == 0 {
					cu.Tags = []string{"vip"}
				}
				cu.Status = i%3 != 0
				cu = MustCreateCustomer(t, s, dbID, cu)
				if dbID == d.ID {
					c = append(c, cu)
				}
			}
		}
		filter := func(limit int, f salesmania.CustomerFilter) salesmania.CustomerFilter {
			f.Limit, f.IncludeTotal = limit, true
			return f
		}

		t.Run("TagAndStatus", func(t *testing.T) {
			pages := walkCustomers(t, s, d.ID, filter(2, salesmania.CustomerFilter{Tag: "vip", Status: new(true)}), nil)
			assertPageIDs(t, pages, idsOf(c[2], c[4]), idsOf(c[8]))
			assertTotals(t, pages, 3)
		})

		t.Run("Q", func(t *testing.T) {
			pages := walkCustomers(t, s, d.ID, filter(1, salesmania.CustomerFilter{Q: "customer 1"}), nil)
			assertPageIDs(t, pages, idsOf(c[1]))
			assertTotals(t, pages, 1)
		})

		t.Run("NoMatch", func(t *testing.T) {
			pages := walkCustomers(t, s, d.ID, filter(2, salesmania.CustomerFilter{Tag: "vip", ExtCustNo: "none"}), nil)
			assertPageIDs(t, pages, []int64{})
			assertTotals(t, pages, 0)
		})

		t.Run("UpdatedSince", func(t *testing.T) {
			since := salesmania.Now()
			waitNextMicrosecond()
			for _, i := range []int{6, 4, 3} {
				if _, err := s.UpdateCustomer(t.Context(), d.ID, c[i].ID, &salesmania.CustomerFields{City: new("Solo")}); err != nil {
					t.Fatal(err)
				}
			}
			pages := walkCustomers(t, s, d.ID, filter(1, salesmania.CustomerFilter{ListParams: salesmania.ListParams{UpdatedSince: &since}, Tag: "vip"}), nil)
			assertPageIDs(t, pages, idsOf(c[6]), idsOf(c[4]))
			assertTotals(t, pages, 2)
		})
	})
}

// Products page through the same code; this checks the product side of it:
// the id walk, the updated_since walk, totals with a product filter and the
// product tombstones.
func TestStore_ListProductsPages(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		s := sqlstoretest.MustOpen(t, kind)
		d := MustCreateDatabase(t, s, "Acme")
		other := MustCreateDatabase(t, s, "Beta")
		var p []*salesmania.Product
		for i := range 5 {
			pr := newProduct(fmt.Sprintf("Product %d", i))
			if i != 2 {
				pr.SKU = "X"
			}
			waitNextMicrosecond()
			p = append(p, MustCreateProduct(t, s, d.ID, pr))
			MustCreateProduct(t, s, other.ID, newProduct("Other"))
		}
		ids := func(ps ...*salesmania.Product) []int64 {
			out := []int64{}
			for _, pr := range ps {
				out = append(out, pr.ID)
			}
			return out
		}
		walk := func(t *testing.T, f salesmania.ProductFilter) ([][]int64, []salesmania.Page[salesmania.Product]) {
			t.Helper()
			var got [][]int64
			var pages []salesmania.Page[salesmania.Product]
			for len(pages) < maxPages {
				page, err := s.ListProducts(t.Context(), d.ID, f)
				if err != nil {
					t.Fatal(err)
				}
				pages = append(pages, *page)
				row := []int64{}
				for _, pr := range page.Data {
					row = append(row, pr.ID)
				}
				got = append(got, row)
				if page.NextCursor == nil {
					return got, pages
				}
				if f.After, err = salesmania.ParseCursor(*page.NextCursor); err != nil {
					t.Fatal(err)
				}
			}
			t.Fatalf("still a next cursor after %d pages", maxPages)
			return nil, nil
		}
		assertWalk := func(t *testing.T, f salesmania.ProductFilter, total int64, want ...[]int64) {
			t.Helper()
			f.IncludeTotal = true
			got, pages := walk(t, f)
			if !slices.EqualFunc(got, want, slices.Equal) {
				t.Fatalf("pages of product ids = %v, want %v", got, want)
			}
			assertTotals(t, pages, total)
		}

		t.Run("ByID", func(t *testing.T) {
			assertWalk(t, salesmania.ProductFilter{ListParams: salesmania.ListParams{Limit: 2}}, 5, ids(p[0], p[1]), ids(p[2], p[3]), ids(p[4]))
			assertWalk(t, salesmania.ProductFilter{ListParams: salesmania.ListParams{Limit: 2}, SKU: "X"}, 4, ids(p[0], p[1]), ids(p[3], p[4]))
		})

		t.Run("UpdatedSince", func(t *testing.T) {
			since := p[1].UpdatedAt
			waitNextMicrosecond()
			updated, err := s.UpdateProduct(t.Context(), d.ID, p[0].ID, &salesmania.ProductFields{QtyOnHand: new(dec("7"))})
			if err != nil {
				t.Fatal(err)
			}
			p[0] = updated
			f := salesmania.ProductFilter{ListParams: salesmania.ListParams{Limit: 2, UpdatedSince: &since}}
			assertWalk(t, f, 4, ids(p[2], p[3]), ids(p[4], p[0]))
			f.SKU = "X"
			assertWalk(t, f, 3, ids(p[3], p[4]), ids(p[0]))

			byID, err := s.ListProducts(t.Context(), d.ID, salesmania.ProductFilter{ListParams: salesmania.ListParams{Limit: 1}})
			if err != nil {
				t.Fatal(err)
			}
			f.After, err = salesmania.ParseCursor(*byID.NextCursor)
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.ListProducts(t.Context(), d.ID, f)
			assertCode(t, err, salesmania.EBADREQUEST)
		})

		t.Run("Tombstones", func(t *testing.T) {
			since := salesmania.Now()
			for _, pr := range []*salesmania.Product{p[4], p[1], p[3]} {
				waitNextMicrosecond()
				if err := s.DeleteProduct(t.Context(), d.ID, pr.ID); err != nil {
					t.Fatal(err)
				}
			}
			params := salesmania.ListParams{Limit: 2, IncludeTotal: true}
			var got [][]int64
			for {
				page, err := s.ListDeletedProducts(t.Context(), d.ID, since, params)
				if err != nil {
					t.Fatal(err)
				}
				if page.Total == nil || *page.Total != 3 {
					t.Fatalf("Total = %v, want 3", page.Total)
				}
				row := []int64{}
				for _, ts := range page.Data {
					row = append(row, ts.ID)
				}
				got = append(got, row)
				if page.NextCursor == nil || len(got) == maxPages {
					break
				}
				if params.After, err = salesmania.ParseCursor(*page.NextCursor); err != nil {
					t.Fatal(err)
				}
			}
			if want := [][]int64{ids(p[4], p[1]), ids(p[3])}; !slices.EqualFunc(got, want, slices.Equal) {
				t.Fatalf("pages of product tombstones = %v, want %v", got, want)
			}
			assertNoCustomerTombstones(t, s, d.ID)
		})
	})
}

// BenchmarkListCustomersDeepPage shows that keyset pagination makes a page
// deep in a long list cost what the first page costs: the cursor seeks the
// index instead of skipping the rows before it, as OFFSET would. Every page
// is 100 full customers with a next cursor (101 rows read). The
// UpdatedSince pair walks by (updated_at, id) from the Unix epoch.
func BenchmarkListCustomersDeepPage(b *testing.B) {
	const n = 20_000
	s, dbID, customers := benchCustomers(b, n)
	deep := customers[n-201] // the page after it is customers n-200 .. n-101
	for _, bm := range []struct {
		name   string
		params salesmania.ListParams
		first  int64
	}{
		{"FirstPage", salesmania.ListParams{Limit: 100}, customers[0].ID},
		{"DeepPage", salesmania.ListParams{Limit: 100, After: salesmania.Cursor{ID: deep.ID}}, customers[n-200].ID},
		{"UpdatedSinceFirstPage", salesmania.ListParams{Limit: 100, UpdatedSince: &epoch}, customers[0].ID},
		{"UpdatedSinceDeepPage", salesmania.ListParams{Limit: 100, UpdatedSince: &epoch,
			After: salesmania.Cursor{ByTime: true, Time: deep.UpdatedAt.UnixMicro(), ID: deep.ID}}, customers[n-200].ID},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			f := salesmania.CustomerFilter{ListParams: bm.params}
			for b.Loop() {
				page, err := s.ListCustomers(b.Context(), dbID, f)
				if err != nil {
					b.Fatal(err)
				}
				if len(page.Data) != 100 || page.Data[0].ID != bm.first || page.NextCursor == nil {
					b.Fatalf("page of %d rows, next cursor %v; want 100 from id %d and a next cursor", len(page.Data), page.NextCursor, bm.first)
				}
			}
		})
	}
}

// The kept row count (row_counts, in shards on PostgreSQL) matches a real
// count after concurrent creates and deletes.
func TestStore_RowCountsConcurrent(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		s := sqlstoretest.MustOpen(t, kind)
		d := MustCreateDatabase(t, s, "Acme")
		var wg sync.WaitGroup
		errs := make(chan error, 32)
		for w := range 32 {
			wg.Go(func() {
				var ids []int64
				for i := range 5 {
					c := newCustomer(fmt.Sprintf("Toko %d-%d", w, i))
					if err := s.CreateCustomer(t.Context(), d.ID, c); err != nil {
						errs <- err
						return
					}
					ids = append(ids, c.ID)
				}
				if err := s.DeleteCustomer(t.Context(), d.ID, ids[2]); err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		kept, err := s.ListCustomers(t.Context(), d.ID, salesmania.CustomerFilter{ListParams: salesmania.ListParams{Limit: 1, IncludeTotal: true}})
		if err != nil {
			t.Fatal(err)
		}
		active := true
		counted, err := s.ListCustomers(t.Context(), d.ID, salesmania.CustomerFilter{Status: &active, ListParams: salesmania.ListParams{Limit: 1, IncludeTotal: true}})
		if err != nil {
			t.Fatal(err)
		}
		if *kept.Total != 32*4 || *counted.Total != 32*4 {
			t.Fatalf("totals: kept %d, counted %d; want %d", *kept.Total, *counted.Total, 32*4)
		}
	})
}
