package sqlstore_test

import (
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/sqlstore"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// testLease is the hold a test request takes on its key unless it says
// otherwise; long enough that no test outlives it by accident.
const testLease = time.Minute

// newClaim returns the claim of owner on key, for the user in the database,
// for the request whose method, path and body are request.
func newClaim(dbID, userID int64, key, request, owner string) *salesmania.IdempotencyClaim {
	h := sha256.Sum256([]byte(request))
	return &salesmania.IdempotencyClaim{DBID: dbID, UserID: userID, Key: key, RequestHash: h[:], Owner: owner}
}

// outcomeText shows an outcome in failure messages; equal texts mean equal
// outcomes, the stored answer's bytes included.
func outcomeText(o salesmania.IdempotencyOutcome) string {
	names := map[salesmania.IdempotencyState]string{
		salesmania.IdempotencyReserved:  "Reserved",
		salesmania.IdempotencyReplay:    "Replay",
		salesmania.IdempotencyCommitted: "Committed",
		salesmania.IdempotencyInFlight:  "InFlight",
		salesmania.IdempotencyMismatch:  "Mismatch",
	}
	s := names[o.State]
	if s == "" {
		s = fmt.Sprintf("State(%d)", o.State)
	}
	if o.Response != nil {
		s += fmt.Sprintf(" response %d %q %q", o.Response.Status, o.Response.ContentType, o.Response.Body)
	}
	if o.ResourceKind != "" || o.ResourceID != 0 {
		s += fmt.Sprintf(" resource %s %d", o.ResourceKind, o.ResourceID)
	}
	return s
}

// mustReserve reserves the claim's key at now with the lease, or fails the
// test.
func mustReserve(tb testing.TB, s *sqlstore.Store, c *salesmania.IdempotencyClaim, now time.Time, lease time.Duration) salesmania.IdempotencyOutcome {
	tb.Helper()
	out, err := s.ReserveIdempotencyKey(tb.Context(), c, now, lease)
	if err != nil {
		tb.Fatalf("ReserveIdempotencyKey(%q by %s): %v", c.Key, c.Owner, err)
	}
	return out
}

// assertReserve fails the test unless reserving the claim's key at now
// answers exactly want.
func assertReserve(tb testing.TB, s *sqlstore.Store, c *salesmania.IdempotencyClaim, now time.Time, want salesmania.IdempotencyOutcome) {
	tb.Helper()
	if got := mustReserve(tb, s, c, now, testLease); outcomeText(got) != outcomeText(want) {
		tb.Fatalf("ReserveIdempotencyKey(%q by %s) = %s, want %s", c.Key, c.Owner, outcomeText(got), outcomeText(want))
	}
}

func mustComplete(tb testing.TB, s *sqlstore.Store, c *salesmania.IdempotencyClaim, r salesmania.StoredResponse, now time.Time) {
	tb.Helper()
	if err := s.CompleteIdempotencyKey(tb.Context(), c, r, now); err != nil {
		tb.Fatalf("CompleteIdempotencyKey(%q by %s): %v", c.Key, c.Owner, err)
	}
}

func mustRelease(tb testing.TB, s *sqlstore.Store, c *salesmania.IdempotencyClaim) {
	tb.Helper()
	if err := s.ReleaseIdempotencyKey(tb.Context(), c); err != nil {
		tb.Fatalf("ReleaseIdempotencyKey(%q by %s): %v", c.Key, c.Owner, err)
	}
}

var (
	outReserved = salesmania.IdempotencyOutcome{State: salesmania.IdempotencyReserved}
	outInFlight = salesmania.IdempotencyOutcome{State: salesmania.IdempotencyInFlight}
	outMismatch = salesmania.IdempotencyOutcome{State: salesmania.IdempotencyMismatch}
)

func outReplay(r salesmania.StoredResponse) salesmania.IdempotencyOutcome {
	return salesmania.IdempotencyOutcome{State: salesmania.IdempotencyReplay, Response: &r}
}

func outCommitted(kind string, id int64) salesmania.IdempotencyOutcome {
	return salesmania.IdempotencyOutcome{State: salesmania.IdempotencyCommitted, ResourceKind: kind, ResourceID: id}
}

const (
	reqCreateCustomer = "POST /extapi/v1.0/customers\n{\"name\":\"Toko Sumber Rejeki\"}"
	reqOtherCustomer  = "POST /extapi/v1.0/customers\n{\"name\":\"Warung Bu Sri\"}"
)

func TestStore_IdempotencyKeys(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		s := sqlstoretest.MustOpen(t, kind)
		d := MustCreateDatabase(t, s, "Acme")
		u := MustCreateUser(t, s, "budi@acme.example")
		// The store takes every time from its caller; a fixed instant keeps
		// the lease and expiry arithmetic exact.
		now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		answer := salesmania.StoredResponse{Status: 422, ContentType: "application/problem+json",
			Body: []byte(`{"type":"about:blank","status":422,"errors":[{"field":"name","message":"is required"}]}`)}

		t.Run("Reserved/FreshKey", func(t *testing.T) {
			assertReserve(t, s, newClaim(d.ID, u.ID, "fresh", reqCreateCustomer, "first"), now, outReserved)
		})

		t.Run("InFlight/SameRequestWhileLeased", func(t *testing.T) {
			assertReserve(t, s, newClaim(d.ID, u.ID, "leased", reqCreateCustomer, "first"), now, outReserved)
			assertReserve(t, s, newClaim(d.ID, u.ID, "leased", reqCreateCustomer, "retry"), now.Add(testLease-time.Microsecond), outInFlight)
		})

		t.Run("Mismatch/OtherRequest", func(t *testing.T) {
			first := newClaim(d.ID, u.ID, "mismatch", reqCreateCustomer, "first")
			assertReserve(t, s, first, now, outReserved)
			assertReserve(t, s, newClaim(d.ID, u.ID, "mismatch", reqOtherCustomer, "other"), now, outMismatch)
			mustComplete(t, s, first, answer, now)
			assertReserve(t, s, newClaim(d.ID, u.ID, "mismatch", reqOtherCustomer, "other"), now, outMismatch)
			// Mismatch changes nothing: the first request's answer stays.
			assertReserve(t, s, newClaim(d.ID, u.ID, "mismatch", reqCreateCustomer, "retry"), now, outReplay(answer))
		})

		t.Run("Replay/AfterComplete", func(t *testing.T) {
			first := newClaim(d.ID, u.ID, "complete", reqCreateCustomer, "first")
			assertReserve(t, s, first, now, outReserved)
			mustComplete(t, s, first, answer, now)
			assertReserve(t, s, newClaim(d.ID, u.ID, "complete", reqCreateCustomer, "retry"), now, outReplay(answer))
			// The lease only guards the work; a recorded answer is kept
			// until the key expires.
			assertReserve(t, s, newClaim(d.ID, u.ID, "complete", reqCreateCustomer, "late"), now.Add(salesmania.IdempotencyTTL-time.Microsecond), outReplay(answer))
		})

		t.Run("Replay/EmptyBody", func(t *testing.T) {
			first := newClaim(d.ID, u.ID, "empty-body", reqCreateCustomer, "first")
			assertReserve(t, s, first, now, outReserved)
			empty := salesmania.StoredResponse{Status: 200, ContentType: "application/json", Body: []byte{}}
			mustComplete(t, s, first, empty, now)
			got := mustReserve(t, s, newClaim(d.ID, u.ID, "empty-body", reqCreateCustomer, "retry"), now, testLease)
			if got.State != salesmania.IdempotencyReplay || got.Response == nil || got.Response.Status != 200 || len(got.Response.Body) != 0 {
				t.Fatalf("ReserveIdempotencyKey = %s, want a replay of 200 with an empty body", outcomeText(got))
			}
		})

		t.Run("Reserved/AfterRelease", func(t *testing.T) {
			first := newClaim(d.ID, u.ID, "release", reqCreateCustomer, "first")
			assertReserve(t, s, first, now, outReserved)
			// Only the holder frees the key.
			mustRelease(t, s, newClaim(d.ID, u.ID, "release", reqCreateCustomer, "stranger"))
			assertReserve(t, s, newClaim(d.ID, u.ID, "release", reqCreateCustomer, "retry"), now, outInFlight)
			mustRelease(t, s, first)
			// A freed key takes any request, as a new key would.
			assertReserve(t, s, newClaim(d.ID, u.ID, "release", reqOtherCustomer, "next"), now, outReserved)
		})

		t.Run("Replay/ReleaseAfterCompleteDoesNothing", func(t *testing.T) {
			first := newClaim(d.ID, u.ID, "release-done", reqCreateCustomer, "first")
			assertReserve(t, s, first, now, outReserved)
			mustComplete(t, s, first, answer, now)
			mustRelease(t, s, first)
			assertReserve(t, s, newClaim(d.ID, u.ID, "release-done", reqCreateCustomer, "retry"), now, outReplay(answer))
		})

		t.Run("Reserved/Expired", func(t *testing.T) {
			first := newClaim(d.ID, u.ID, "expired", reqCreateCustomer, "first")
			assertReserve(t, s, first, now, outReserved)
			mustComplete(t, s, first, answer, now)
			assertReserve(t, s, newClaim(d.ID, u.ID, "expired", reqOtherCustomer, "other"), now.Add(salesmania.IdempotencyTTL-time.Microsecond), outMismatch)
			// At 24 hours the key is free again, for any request.
			later := now.Add(salesmania.IdempotencyTTL)
			next := newClaim(d.ID, u.ID, "expired", reqOtherCustomer, "next")
			assertReserve(t, s, next, later, outReserved)
			// and its new 24 hours run from then.
			mustComplete(t, s, next, answer, later)
			assertReserve(t, s, newClaim(d.ID, u.ID, "expired", reqOtherCustomer, "retry"), later.Add(salesmania.IdempotencyTTL-time.Microsecond), outReplay(answer))
		})

		t.Run("Reserved/LeaseRanOut", func(t *testing.T) {
			first := newClaim(d.ID, u.ID, "lease-out", reqCreateCustomer, "first")
			if got := mustReserve(t, s, first, now, time.Second); got.State != salesmania.IdempotencyReserved {
				t.Fatalf("ReserveIdempotencyKey = %s, want Reserved", outcomeText(got))
			}
			retry := newClaim(d.ID, u.ID, "lease-out", reqCreateCustomer, "retry")
			assertReserve(t, s, retry, now.Add(time.Second), outReserved)
			// The first request's late answer is not the key's any more.
			mustComplete(t, s, first, answer, now.Add(2*time.Second))
			mustRelease(t, s, first)
			assertReserve(t, s, newClaim(d.ID, u.ID, "lease-out", reqCreateCustomer, "third"), now.Add(2*time.Second), outInFlight)
			ok := salesmania.StoredResponse{Status: 200, ContentType: "application/json", Body: []byte(`{"id":1}`)}
			mustComplete(t, s, retry, ok, now.Add(2*time.Second))
			assertReserve(t, s, newClaim(d.ID, u.ID, "lease-out", reqCreateCustomer, "third"), now.Add(2*time.Second), outReplay(ok))
		})

		t.Run("Reserved/PerUserAndDatabase", func(t *testing.T) {
			other := MustCreateDatabase(t, s, "Beta")
			colleague := MustCreateUser(t, s, "siti@acme.example")
			assertReserve(t, s, newClaim(d.ID, u.ID, "scoped", reqCreateCustomer, "first"), now, outReserved)
			assertReserve(t, s, newClaim(d.ID, colleague.ID, "scoped", reqCreateCustomer, "colleague"), now, outReserved)
			assertReserve(t, s, newClaim(other.ID, u.ID, "scoped", reqCreateCustomer, "other-db"), now, outReserved)
			// Keys are compared exactly: case matters.
			assertReserve(t, s, newClaim(d.ID, u.ID, "SCOPED", reqCreateCustomer, "upper"), now, outReserved)
		})

		t.Run("Committed/CreateCustomerMarksKey", func(t *testing.T) {
			db := MustCreateDatabase(t, s, "Committed")
			first := newClaim(db.ID, u.ID, "commit", reqCreateCustomer, "first")
			assertReserve(t, s, first, now, outReserved)
			c := MustCreateCustomer(t, s, db.ID, newCustomer("Toko Sumber Rejeki"))
			c2 := newCustomer("Toko Sumber Rejeki")
			if err := s.CreateCustomer(salesmania.NewContextWithIdempotency(t.Context(), first), db.ID, c2); err != nil {
				t.Fatalf("CreateCustomer with the claim: %v", err)
			}
			want := outCommitted(salesmania.ResourceCustomer, c2.ID)
			assertReserve(t, s, newClaim(db.ID, u.ID, "commit", reqCreateCustomer, "retry"), now, want)
			// A committed key is not taken over when its lease runs out:
			// that would do the work twice.
			assertReserve(t, s, newClaim(db.ID, u.ID, "commit", reqCreateCustomer, "late"), now.Add(time.Hour), want)
			mustRelease(t, s, first)
			assertReserve(t, s, newClaim(db.ID, u.ID, "commit", reqCreateCustomer, "late"), now.Add(time.Hour), want)
			assertReserve(t, s, newClaim(db.ID, u.ID, "commit", reqOtherCustomer, "other"), now, outMismatch)
			// The answer, once recorded, wins over the bare resource.
			ok := salesmania.StoredResponse{Status: 200, ContentType: "application/json", Body: []byte(`{"id":2}`)}
			mustComplete(t, s, first, ok, now)
			assertReserve(t, s, newClaim(db.ID, u.ID, "commit", reqCreateCustomer, "retry"), now, outReplay(ok))
			assertCustomerIDs(t, s, db.ID, salesmania.CustomerFilter{}, c, c2)
		})

		t.Run("Committed/CreateProductMarksKey", func(t *testing.T) {
			db := MustCreateDatabase(t, s, "Products")
			request := "POST /extapi/v1.0/products\n{}"
			first := newClaim(db.ID, u.ID, "product", request, "first")
			assertReserve(t, s, first, now, outReserved)
			p := newProduct("Indomie Goreng")
			if err := s.CreateProduct(salesmania.NewContextWithIdempotency(t.Context(), first), db.ID, p); err != nil {
				t.Fatalf("CreateProduct with the claim: %v", err)
			}
			assertReserve(t, s, newClaim(db.ID, u.ID, "product", request, "retry"), now, outCommitted(salesmania.ResourceProduct, p.ID))
		})

		t.Run("OK/ClaimOfOtherDatabaseIgnored", func(t *testing.T) {
			// A claim scopes one database; work in another is not its.
			db := MustCreateDatabase(t, s, "Elsewhere")
			first := newClaim(d.ID, u.ID, "elsewhere", reqCreateCustomer, "first")
			assertReserve(t, s, first, now, outReserved)
			c := newCustomer("Toko Sumber Rejeki")
			if err := s.CreateCustomer(salesmania.NewContextWithIdempotency(t.Context(), first), db.ID, c); err != nil {
				t.Fatalf("CreateCustomer with another database's claim: %v", err)
			}
			assertCustomerIDs(t, s, db.ID, salesmania.CustomerFilter{}, c)
			assertReserve(t, s, newClaim(d.ID, u.ID, "elsewhere", reqCreateCustomer, "retry"), now, outInFlight)
		})

		t.Run("ErrConflict/ClaimTakenOver", func(t *testing.T) {
			db := MustCreateDatabase(t, s, "Taken over")
			first := newClaim(db.ID, u.ID, "taken", reqCreateCustomer, "first")
			if got := mustReserve(t, s, first, now, time.Millisecond); got.State != salesmania.IdempotencyReserved {
				t.Fatalf("ReserveIdempotencyKey = %s, want Reserved", outcomeText(got))
			}
			retry := newClaim(db.ID, u.ID, "taken", reqCreateCustomer, "retry")
			assertReserve(t, s, retry, now.Add(time.Second), outReserved)
			// The slow first request gets to its write only now: it must
			// not create a second customer beside the retry's.
			err := s.CreateCustomer(salesmania.NewContextWithIdempotency(t.Context(), first), db.ID, newCustomer("Toko Sumber Rejeki"))
			assertCode(t, err, salesmania.ECONFLICT)
			assertCustomerIDs(t, s, db.ID, salesmania.CustomerFilter{})
			assertReserve(t, s, newClaim(db.ID, u.ID, "taken", reqCreateCustomer, "third"), now.Add(time.Second), outInFlight)

			c := newCustomer("Toko Sumber Rejeki")
			if err := s.CreateCustomer(salesmania.NewContextWithIdempotency(t.Context(), retry), db.ID, c); err != nil {
				t.Fatalf("CreateCustomer with the retry's claim: %v", err)
			}
			assertCustomerIDs(t, s, db.ID, salesmania.CustomerFilter{}, c)
			assertReserve(t, s, newClaim(db.ID, u.ID, "taken", reqCreateCustomer, "third"), now.Add(time.Second), outCommitted(salesmania.ResourceCustomer, c.ID))
			// Once committed, the key holds no more work: a second create
			// under the same claim is refused too.
			err = s.CreateCustomer(salesmania.NewContextWithIdempotency(t.Context(), retry), db.ID, newCustomer("Toko Sumber Rejeki"))
			assertCode(t, err, salesmania.ECONFLICT)
			assertCustomerIDs(t, s, db.ID, salesmania.CustomerFilter{}, c)
		})

		t.Run("ErrConflict/ReleasedClaim", func(t *testing.T) {
			db := MustCreateDatabase(t, s, "Released")
			first := newClaim(db.ID, u.ID, "released", reqCreateCustomer, "first")
			assertReserve(t, s, first, now, outReserved)
			mustRelease(t, s, first)
			err := s.CreateCustomer(salesmania.NewContextWithIdempotency(t.Context(), first), db.ID, newCustomer("Toko Sumber Rejeki"))
			assertCode(t, err, salesmania.ECONFLICT)
			assertCustomerIDs(t, s, db.ID, salesmania.CustomerFilter{})
		})

		t.Run("OneReservedAmongConcurrent", func(t *testing.T) {
			// Retries that arrive together: one does the work, the others
			// are told it is in flight.
			const n = 8
			outs := make([]salesmania.IdempotencyOutcome, n)
			errs := make([]error, n)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					<-start
					outs[i], errs[i] = s.ReserveIdempotencyKey(t.Context(), newClaim(d.ID, u.ID, "together", reqCreateCustomer, fmt.Sprint("request-", i)), now, testLease)
				})
			}
			close(start)
			wg.Wait()
			var texts []string
			reservedN := 0
			for i := range n {
				switch {
				case errs[i] != nil && salesmania.ErrorCode(errs[i]) == salesmania.EUNAVAILABLE:
					texts = append(texts, "busy")
				case errs[i] != nil:
					t.Fatalf("ReserveIdempotencyKey %d: %v", i, errs[i])
				case outs[i].State == salesmania.IdempotencyReserved:
					reservedN++
					texts = append(texts, "Reserved")
				case outs[i].State == salesmania.IdempotencyInFlight:
					texts = append(texts, "InFlight")
				default:
					t.Fatalf("ReserveIdempotencyKey %d = %s, want Reserved or InFlight", i, outcomeText(outs[i]))
				}
			}
			if reservedN != 1 {
				t.Fatalf("outcomes %v: want exactly one Reserved", texts)
			}
		})
	})
}

func TestStore_IdempotencyConcurrentCreates(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		s := sqlstoretest.MustOpen(t, kind)
		u := MustCreateUser(t, s, "budi@acme.example")
		// Each round, the requests that hold the key create the customer,
		// as the HTTP middleware does: exactly one customer must result.
		for round := range 20 {
			d := MustCreateDatabase(t, s, fmt.Sprint("Round ", round))
			errs := createConcurrently(8, func(i int) error {
				c := newClaim(d.ID, u.ID, "together", reqCreateCustomer, fmt.Sprint("request-", i))
				out, err := s.ReserveIdempotencyKey(t.Context(), c, time.Now(), testLease)
				if err != nil || out.State != salesmania.IdempotencyReserved {
					return err
				}
				return s.CreateCustomer(salesmania.NewContextWithIdempotency(t.Context(), c), d.ID, newCustomer("Toko Sumber Rejeki"))
			})
			for i, err := range errs {
				if code := salesmania.ErrorCode(err); err != nil && code != salesmania.ECONFLICT && code != salesmania.EUNAVAILABLE {
					t.Fatalf("round %d, request %d: %v", round, i, err)
				}
			}
			if ids := customerIDs(t, s, d.ID, salesmania.CustomerFilter{}); len(ids) != 1 {
				t.Fatalf("round %d: customers %v; want exactly one", round, ids)
			}
		}
	})
}

func TestStore_DeleteExpiredIdempotencyKeys(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		s := sqlstoretest.MustOpen(t, kind)
		d := MustCreateDatabase(t, s, "Acme")
		u := MustCreateUser(t, s, "budi@acme.example")
		now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		answer := salesmania.StoredResponse{Status: 200, ContentType: "application/json", Body: []byte(`{"id":1}`)}

		old := newClaim(d.ID, u.ID, "old", reqCreateCustomer, "first")
		assertReserve(t, s, old, now, outReserved)
		mustComplete(t, s, old, answer, now)
		young := newClaim(d.ID, u.ID, "young", reqCreateCustomer, "first")
		assertReserve(t, s, young, now.Add(time.Hour), outReserved)
		mustComplete(t, s, young, answer, now.Add(time.Hour))
		abandoned := newClaim(d.ID, u.ID, "abandoned", reqCreateCustomer, "first")
		assertReserve(t, s, abandoned, now, outReserved)

		n, err := s.DeleteExpiredIdempotencyKeys(t.Context(), now.Add(salesmania.IdempotencyTTL-time.Microsecond))
		if err != nil || n != 0 {
			t.Fatalf("DeleteExpiredIdempotencyKeys before any expiry = %d, %v; want 0", n, err)
		}
		n, err = s.DeleteExpiredIdempotencyKeys(t.Context(), now.Add(salesmania.IdempotencyTTL))
		if err != nil || n != 2 {
			t.Fatalf("DeleteExpiredIdempotencyKeys = %d, %v; want 2 (old and abandoned)", n, err)
		}
		// Asked at a time when they had not expired yet, the deleted keys
		// are free and the kept one still answers.
		assertReserve(t, s, newClaim(d.ID, u.ID, "old", reqOtherCustomer, "next"), now, outReserved)
		assertReserve(t, s, newClaim(d.ID, u.ID, "abandoned", reqCreateCustomer, "next"), now, outReserved)
		assertReserve(t, s, newClaim(d.ID, u.ID, "young", reqCreateCustomer, "retry"), now.Add(time.Hour), outReplay(answer))
	})
}

// TestStore_IdempotencyReserveRacesRelease has retries reserve a key while
// the request holding it lets it go, over and over: each reserve must find
// the key held (InFlight) or take it (Reserved), never fail because the row
// it saw vanished between two statements.
func TestStore_IdempotencyReserveRacesRelease(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		s := sqlstoretest.MustOpen(t, kind)
		d := MustCreateDatabase(t, s, "Acme")
		u := MustCreateUser(t, s, "budi@acme.example")
		const rounds, retries = 100, 4
		for round := range rounds {
			key := fmt.Sprintf("race-%d", round)
			holder := newClaim(d.ID, u.ID, key, reqCreateCustomer, "holder")
			now := time.Now()
			assertReserve(t, s, holder, now, outReserved)
			var wg sync.WaitGroup
			outs := make([]salesmania.IdempotencyOutcome, retries)
			errs := make([]error, retries)
			for i := range retries {
				wg.Go(func() {
					outs[i], errs[i] = s.ReserveIdempotencyKey(t.Context(), newClaim(d.ID, u.ID, key, reqCreateCustomer, fmt.Sprintf("retry-%d", i)), now, testLease)
				})
			}
			mustRelease(t, s, holder)
			wg.Wait()
			taken := 0
			for i := range retries {
				if errs[i] != nil {
					t.Fatalf("round %d: retry %d: %v", round, i, errs[i])
				}
				switch outs[i].State {
				case salesmania.IdempotencyReserved:
					taken++
				case salesmania.IdempotencyInFlight:
				default:
					t.Fatalf("round %d: retry %d: %s; want Reserved or InFlight", round, i, outcomeText(outs[i]))
				}
			}
			// Whoever took the key after the release holds it: at most one.
			if taken > 1 {
				t.Fatalf("round %d: %d retries took the key; want at most 1", round, taken)
			}
		}
	})
}
