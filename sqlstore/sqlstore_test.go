package sqlstore_test

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/sqlstore"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// MustCreateDatabase creates a database named name or fails the test.
func MustCreateDatabase(tb testing.TB, s *sqlstore.Store, name string) *salesmania.Database {
	tb.Helper()
	d := &salesmania.Database{Name: name}
	if err := s.CreateDatabase(tb.Context(), d); err != nil {
		tb.Fatalf("CreateDatabase(%q): %v", name, err)
	}
	return d
}

// MustCreateTeam creates an active team named name in database dbID or fails
// the test.
func MustCreateTeam(tb testing.TB, s *sqlstore.Store, dbID int64, name string) *salesmania.Team {
	tb.Helper()
	t := &salesmania.Team{Name: name, Status: true}
	if err := s.CreateTeam(tb.Context(), dbID, t); err != nil {
		tb.Fatalf("CreateTeam(%d, %q): %v", dbID, name, err)
	}
	return t
}

// MustCreateUser creates a user with a normalized email and a stand-in
// password hash, or fails the test.
func MustCreateUser(tb testing.TB, s *sqlstore.Store, email string) *salesmania.User {
	tb.Helper()
	u := &salesmania.User{Email: email, PasswordHash: "$argon2id$v=19$m=65536,t=1,p=4$" + email}
	if err := s.CreateUser(tb.Context(), u); err != nil {
		tb.Fatalf("CreateUser(%q): %v", email, err)
	}
	return u
}

// MustPutMember makes the user a member of the database in the team with the
// role, or fails the test.
func MustPutMember(tb testing.TB, s *sqlstore.Store, dbID, userID, teamID int64, role salesmania.Role) *salesmania.Membership {
	tb.Helper()
	m := &salesmania.Membership{DBID: dbID, UserID: userID, TeamID: teamID, Role: role}
	if err := s.PutMember(tb.Context(), m); err != nil {
		tb.Fatalf("PutMember(%+v): %v", *m, err)
	}
	return m
}

// MustCreateToken stores a bearer token hash of the user or fails the test.
func MustCreateToken(tb testing.TB, s *sqlstore.Store, userID int64, hash string, expiresAt time.Time) {
	tb.Helper()
	if err := s.CreateToken(tb.Context(), userID, []byte(hash), expiresAt); err != nil {
		tb.Fatalf("CreateToken(%d, %q): %v", userID, hash, err)
	}
}

// assertCode fails the test unless err carries the error code want.
func assertCode(tb testing.TB, err error, want string) {
	tb.Helper()
	if got := salesmania.ErrorCode(err); got != want {
		tb.Fatalf("error code = %q, want %q (err: %v)", got, want, err)
	}
}

// assertInvalid fails the test unless err is EINVALID naming exactly fields,
// in that order.
func assertInvalid(tb testing.TB, err error, fields ...string) {
	tb.Helper()
	assertCode(tb, err, salesmania.EINVALID)
	var e *salesmania.Error
	errors.As(err, &e)
	got := []string{}
	for _, f := range e.Fields {
		got = append(got, f.Field)
	}
	if !slices.Equal(got, fields) {
		tb.Fatalf("invalid fields = %q, want %q (err: %v)", got, fields, err)
	}
}

// migrationFiles returns the versions of the migration files of the kind,
// in name order, as Migrations must list them once all are applied.
func migrationFiles(tb testing.TB, kind string) []string {
	tb.Helper()
	names, err := filepath.Glob(filepath.Join("migrations", kind, "*.sql"))
	if err != nil {
		tb.Fatal(err)
	}
	var versions []string
	for _, name := range names {
		versions = append(versions, strings.TrimSuffix(filepath.Base(name), ".sql"))
	}
	slices.Sort(versions)
	if len(versions) == 0 || versions[0] != "0001_accounts" {
		tb.Fatalf("migrations/%s = %q, want 0001_accounts first", kind, versions)
	}
	return versions
}

// assertMigrations fails the test unless the store lists exactly the
// migration files of its kind as applied.
func assertMigrations(tb testing.TB, s *sqlstore.Store) {
	tb.Helper()
	want := migrationFiles(tb, s.Dialect())
	got, err := s.Migrations(tb.Context())
	if err != nil {
		tb.Fatalf("Migrations: %v", err)
	}
	if !slices.Equal(got, want) {
		tb.Fatalf("Migrations = %q, want %q", got, want)
	}
}

func TestOpen(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		t.Run("OK", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			assertMigrations(t, s)
			if got := s.Dialect(); got != kind {
				t.Fatalf("Dialect = %q, want %q", got, kind)
			}
		})

		t.Run("ReopenKeepsData", func(t *testing.T) {
			dsn := sqlstoretest.DSN(t, kind)
			s1 := sqlstoretest.MustOpenDSN(t, dsn)
			d := MustCreateDatabase(t, s1, "Acme")
			if err := s1.Close(); err != nil {
				t.Fatal(err)
			}

			s2 := sqlstoretest.MustOpenDSN(t, dsn)
			assertMigrations(t, s2)
			got, err := s2.FindDatabase(t.Context(), d.ID)
			if err != nil {
				t.Fatal(err)
			}
			if *got != *d {
				t.Fatalf("FindDatabase = %+v, want %+v", *got, *d)
			}
			// Re-running the first migration would have reset the id
			// sequences; ids must go on where they stopped.
			if d2 := MustCreateDatabase(t, s2, "Beta"); d2.ID != d.ID+1 {
				t.Fatalf("next database id = %d, want %d", d2.ID, d.ID+1)
			}
		})

		// Two processes (the server and the admin CLI, or two servers)
		// may start on a fresh database at the same moment.
		t.Run("Concurrent", func(t *testing.T) {
			dsn := sqlstoretest.DSN(t, kind)
			const n = 4
			stores := make([]*sqlstore.Store, n)
			errs := make([]error, n)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					<-start
					stores[i], errs[i] = sqlstore.Open(t.Context(), dsn)
				})
			}
			close(start)
			wg.Wait()
			for i, s := range stores {
				if errs[i] != nil {
					t.Errorf("Open #%d: %v", i, errs[i])
					continue
				}
				t.Cleanup(func() { s.Close() })
				assertMigrations(t, s)
			}
		})
	})
}

func TestStore_Pragmas(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		s := sqlstoretest.MustOpen(t, kind)
		got, err := s.Pragmas(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if kind == "postgres" {
			if got != nil {
				t.Fatalf("Pragmas = %v, want nil for PostgreSQL", got)
			}
			return
		}
		want := map[string]string{"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "busy_timeout": "10000", "temp_store": "2"}
		if !maps.Equal(got, want) {
			t.Fatalf("Pragmas = %v, want %v", got, want)
		}
	})
}

func TestStore_ReadPool(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		t.Run("QueryOnly", func(t *testing.T) {
			if kind != "sqlite" {
				t.Skip("PostgreSQL reads and writes share one pool")
			}
			s := sqlstoretest.MustOpen(t, kind)
			// Hold several connections at once so each one checked is a
			// distinct connection of the pool.
			var conns []*sql.Conn
			defer func() {
				for _, c := range conns {
					c.Close()
				}
			}()
			want := map[string]string{"query_only": "1", "journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "busy_timeout": "10000", "temp_store": "2"}
			for i := range 3 {
				c, err := s.ReadDB().Conn(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				conns = append(conns, c)
				got := map[string]string{}
				for name := range want {
					var v string
					if err := c.QueryRowContext(t.Context(), "PRAGMA "+name).Scan(&v); err != nil {
						t.Fatalf("conn %d: PRAGMA %s: %v", i, name, err)
					}
					got[name] = v
				}
				if !maps.Equal(got, want) {
					t.Fatalf("conn %d: pragmas = %v, want %v", i, got, want)
				}
				_, err = c.ExecContext(t.Context(), "DELETE FROM databases")
				var lite *sqlite.Error
				if !errors.As(err, &lite) || lite.Code()&0xff != sqlite3.SQLITE_READONLY {
					t.Fatalf("conn %d: write on the read pool: err = %v, want SQLITE_READONLY", i, err)
				}
			}
		})

		t.Run("SeesCommittedWrites", func(t *testing.T) {
			dsn := sqlstoretest.DSN(t, kind)
			s := sqlstoretest.MustOpenDSN(t, dsn)
			other := sqlstoretest.MustOpenDSN(t, dsn) // another process on the same database
			for i := range 20 {
				w := s
				if i%2 == 1 {
					w = other
				}
				d := MustCreateDatabase(t, w, fmt.Sprintf("DB %d", i))
				got, err := s.FindDatabase(t.Context(), d.ID)
				if err != nil {
					t.Fatalf("write %d: FindDatabase(%d): %v", i, d.ID, err)
				}
				if got.Name != d.Name {
					t.Fatalf("write %d: name = %q, want %q", i, got.Name, d.Name)
				}
			}
		})
	})
}

// TestStore_ConcurrentWrites checks that concurrent writers wait for each
// other instead of failing: SQLite's single writer connection and BEGIN
// IMMEDIATE with a busy timeout must keep SQLITE_BUSY from surfacing, also
// when two processes share the file.
func TestStore_ConcurrentWrites(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		t.Run("OneStore", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			d := MustCreateDatabase(t, s, "Acme")
			ids := createTeamsConcurrently(t, d.ID, 50, s)
			assertTeamIDs(t, s, d.ID, ids)
		})

		t.Run("TwoStores", func(t *testing.T) {
			dsn := sqlstoretest.DSN(t, kind)
			s1 := sqlstoretest.MustOpenDSN(t, dsn)
			s2 := sqlstoretest.MustOpenDSN(t, dsn)
			d := MustCreateDatabase(t, s1, "Acme")
			ids := createTeamsConcurrently(t, d.ID, 20, s1, s2)
			assertTeamIDs(t, s2, d.ID, ids)
		})
	})
}

// createTeamsConcurrently creates n teams through each store, all at once,
// fails the test on any error, and returns the new ids.
func createTeamsConcurrently(t *testing.T, dbID int64, n int, stores ...*sqlstore.Store) []int64 {
	t.Helper()
	ids := make([]int64, n*len(stores))
	errs := make([]error, n*len(stores))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range ids {
		s := stores[i%len(stores)]
		wg.Go(func() {
			<-start
			team := &salesmania.Team{Name: fmt.Sprintf("Team %d", i), Status: true}
			errs[i] = s.CreateTeam(t.Context(), dbID, team)
			ids[i] = team.ID
		})
	}
	close(start)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("CreateTeam: %v", err)
	}
	return ids
}

// assertTeamIDs fails the test unless ids are distinct and positive and are
// exactly the teams of the database.
func assertTeamIDs(t *testing.T, s *sqlstore.Store, dbID int64, ids []int64) {
	t.Helper()
	want := slices.Sorted(slices.Values(ids))
	if want[0] <= 0 {
		t.Fatalf("team id %d is not positive", want[0])
	}
	if n := len(slices.Compact(slices.Clone(want))); n != len(want) {
		t.Fatalf("%d distinct team ids among %d: %v", n, len(want), want)
	}
	teams, err := s.ListTeams(t.Context(), dbID)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, team := range teams {
		got = append(got, team.ID)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("ListTeams ids = %v, want %v", got, want)
	}
}

func TestStore_Ping(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		t.Run("OK", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			if err := s.Ping(t.Context()); err != nil {
				t.Fatal(err)
			}
		})

		t.Run("ErrClosed", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if err := s.Ping(t.Context()); err == nil {
				t.Fatal("Ping after Close: err = nil")
			}
		})
	})
}

// counter returns a secret generator that counts its calls and returns
// value, and a function reporting the count.
func counter(value string) (func() ([]byte, error), func() int64) {
	var n atomic.Int64
	return func() ([]byte, error) {
			n.Add(1)
			return []byte(value), nil
		}, func() int64 {
			return n.Load()
		}
}

func TestStore_Secret(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		t.Run("OK", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			gen, calls := counter("first")
			got, err := s.Secret(t.Context(), "team_token", gen)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != "first" || calls() != 1 {
				t.Fatalf("first Secret = %q after %d generator calls, want %q after 1", got, calls(), "first")
			}

			got, err = s.Secret(t.Context(), "team_token", gen)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != "first" || calls() != 1 {
				t.Fatalf("second Secret = %q after %d generator calls, want %q after 1", got, calls(), "first")
			}

			gen2, calls2 := counter("other")
			if got, err := s.Secret(t.Context(), "webhook", gen2); err != nil {
				t.Fatal(err)
			} else if string(got) != "other" || calls2() != 1 {
				t.Fatalf("Secret(webhook) = %q after %d generator calls, want %q after 1", got, calls2(), "other")
			}
		})

		t.Run("SharedByStores", func(t *testing.T) {
			dsn := sqlstoretest.DSN(t, kind)
			s1 := sqlstoretest.MustOpenDSN(t, dsn)
			s2 := sqlstoretest.MustOpenDSN(t, dsn)
			gen1, _ := counter("from s1")
			if _, err := s1.Secret(t.Context(), "team_token", gen1); err != nil {
				t.Fatal(err)
			}
			gen2, calls2 := counter("from s2")
			got, err := s2.Secret(t.Context(), "team_token", gen2)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != "from s1" || calls2() != 0 {
				t.Fatalf("Secret on the second store = %q after %d generator calls, want %q after 0", got, calls2(), "from s1")
			}
		})

		t.Run("Concurrent", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			const n = 10
			got := make([][]byte, n)
			errs := make([]error, n)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					<-start
					got[i], errs[i] = s.Secret(t.Context(), "team_token", func() ([]byte, error) {
						return fmt.Appendf(nil, "secret %d", i), nil
					})
				})
			}
			close(start)
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatal(err)
			}
			for i := range n {
				if !bytes.Equal(got[i], got[0]) {
					t.Fatalf("call %d got %q, call 0 got %q", i, got[i], got[0])
				}
			}
			gen, calls := counter("late")
			if later, err := s.Secret(t.Context(), "team_token", gen); err != nil {
				t.Fatal(err)
			} else if !bytes.Equal(later, got[0]) || calls() != 0 {
				t.Fatalf("later Secret = %q after %d generator calls, want %q after 0", later, calls(), got[0])
			}
		})

		t.Run("ErrGenerator", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			errNoEntropy := errors.New("no entropy")
			_, err := s.Secret(t.Context(), "team_token", func() ([]byte, error) { return nil, errNoEntropy })
			if !errors.Is(err, errNoEntropy) {
				t.Fatalf("err = %v, want %v", err, errNoEntropy)
			}
			// Nothing was stored: the next call generates.
			gen, calls := counter("second try")
			if got, err := s.Secret(t.Context(), "team_token", gen); err != nil {
				t.Fatal(err)
			} else if string(got) != "second try" || calls() != 1 {
				t.Fatalf("Secret = %q after %d generator calls, want %q after 1", got, calls(), "second try")
			}
		})
	})
}

// MustCreateCustomer stores c, which must be valid as
// CustomerFields.NewCustomer makes it, in database dbID and returns it with
// its id and times set, or fails the test.
func MustCreateCustomer(tb testing.TB, s *sqlstore.Store, dbID int64, c *salesmania.Customer) *salesmania.Customer {
	tb.Helper()
	if err := s.CreateCustomer(tb.Context(), dbID, c); err != nil {
		tb.Fatalf("CreateCustomer(%d, %q): %v", dbID, c.Name, err)
	}
	return c
}

// MustCreateProduct stores p, which must be valid as ProductFields.NewProduct
// makes it, in database dbID and returns it with its id and times set, or
// fails the test.
func MustCreateProduct(tb testing.TB, s *sqlstore.Store, dbID int64, p *salesmania.Product) *salesmania.Product {
	tb.Helper()
	if err := s.CreateProduct(tb.Context(), dbID, p); err != nil {
		tb.Fatalf("CreateProduct(%d, %q): %v", dbID, p.Name, err)
	}
	return p
}

// waitNextMicrosecond returns once salesmania.Now has moved past the instant
// of the call, so a time the store takes afterwards is strictly later than
// every time it took before. Tests of time order use it instead of hoping
// two writes never share a microsecond.
func waitNextMicrosecond() {
	for t := salesmania.Now(); !salesmania.Now().After(t); {
		time.Sleep(time.Microsecond)
	}
}

// assertConflictOn fails the test unless err is ECONFLICT naming field.
func assertConflictOn(tb testing.TB, err error, field string) {
	tb.Helper()
	assertCode(tb, err, salesmania.ECONFLICT)
	var e *salesmania.Error
	if !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != field {
		tb.Fatalf("conflict error %v: want exactly one field %q", err, field)
	}
}

// createConcurrently runs create n times at once and returns the errors.
func createConcurrently(n int, create func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = create(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// assertOneWinner fails the test unless exactly one of errs is nil and all
// others are ECONFLICT, and returns the index of the one that succeeded.
func assertOneWinner(tb testing.TB, errs []error) int {
	tb.Helper()
	winner := -1
	for i, err := range errs {
		switch code := salesmania.ErrorCode(err); code {
		case "":
			if winner >= 0 {
				tb.Fatalf("creates %d and %d both succeeded", winner, i)
			}
			winner = i
		case salesmania.ECONFLICT:
		default:
			tb.Fatalf("create %d: error code %q, want %q or success (err: %v)", i, code, salesmania.ECONFLICT, err)
		}
	}
	if winner < 0 {
		tb.Fatalf("no create succeeded: %v", errs)
	}
	return winner
}

// epoch is a since before every tombstone.
var epoch = time.Unix(0, 0).UTC()

// assertNoCustomerTombstones fails the test unless the database has no
// customer tombstones at all.
func assertNoCustomerTombstones(tb testing.TB, s *sqlstore.Store, dbID int64) {
	tb.Helper()
	page, err := s.ListDeletedCustomers(tb.Context(), dbID, epoch, salesmania.ListParams{Limit: 10})
	if err != nil {
		tb.Fatalf("ListDeletedCustomers(%d): %v", dbID, err)
	}
	if len(page.Data) != 0 {
		tb.Fatalf("ListDeletedCustomers(%d) = %+v, want none", dbID, page.Data)
	}
}

// benchSQLiteDSN returns the DSN of a fresh SQLite file for a benchmark, on
// tmpfs when the machine has /dev/shm: setting up tens of thousands of rows,
// each in its own fsynced transaction, takes minutes on a disk, and the reads
// measured afterwards come from the page cache either way.
func benchSQLiteDSN(b *testing.B) string {
	dir := b.TempDir()
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		if shm, err := os.MkdirTemp("/dev/shm", "salesmania-bench-"); err == nil {
			dir = shm
			b.Cleanup(func() { os.RemoveAll(shm) })
		}
	}
	return "sqlite:" + filepath.Join(dir, "salesmania.db")
}

// benchCustomers opens a fresh SQLite store for a benchmark and fills a
// database with n customers, a tenth as many in another database between
// them. It returns the store, the database and its customers in id order.
func benchCustomers(b *testing.B, n int) (*sqlstore.Store, int64, []*salesmania.Customer) {
	b.Helper()
	s := sqlstoretest.MustOpenDSN(b, benchSQLiteDSN(b))
	d := MustCreateDatabase(b, s, "Acme")
	other := MustCreateDatabase(b, s, "Beta")
	customers := make([]*salesmania.Customer, 0, n)
	for i := range n {
		c := &salesmania.Customer{Name: fmt.Sprintf("Toko %05d", i), Address: "Jl. Pemuda 12", City: "Semarang",
			Phone: "0812-555-0101", Status: true, Tags: []string{"grosir", "semarang"},
			Location: &salesmania.Location{Lat: -7.110383, Lon: 110.473812}}
		customers = append(customers, MustCreateCustomer(b, s, d.ID, c))
		if i%10 == 0 {
			MustCreateCustomer(b, s, other.ID, newCustomer("Other"))
		}
	}
	return s, d.ID, customers
}
