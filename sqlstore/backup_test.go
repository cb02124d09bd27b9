package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// TestStore_Backup copies an SQLite database while four goroutines write
// to it through the same store, and checks that the copy is a sound
// database holding every row committed before the copy began, and routes
// whose seqs have no gaps: a snapshot, not a file copied while it changed.
func TestStore_Backup(t *testing.T) {
	t.Parallel()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		s := sqlstoretest.MustOpen(t, "sqlite")
		db := MustCreateDatabase(t, s, "PT Maju Jaya")
		team := MustCreateTeam(t, s, db.ID, "Budi")
		shop := newCustomer("Toko Sumber Rejeki")
		if err := s.CreateCustomer(t.Context(), db.ID, shop); err != nil {
			t.Fatal(err)
		}

		// Writers 0 and 2 create customers, 1 and 3 append visits to a
		// route of their own, until told to stop.
		const writers = 4
		var (
			mu        sync.Mutex
			customers []*salesmania.Customer // committed, in commit order per writer
			visits    []*salesmania.Visit
			writeErrs []error
		)
		ctx, stop := context.WithCancel(t.Context())
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				for i := 0; ctx.Err() == nil && i < 100_000; i++ {
					var err error
					if w%2 == 0 {
						c := newCustomer(fmt.Sprintf("Toko %d-%d", w, i))
						c.ExtCustNo = fmt.Sprintf("W%d-%06d", w, i)
						if err = s.CreateCustomer(context.Background(), db.ID, c); err == nil {
							mu.Lock()
							customers = append(customers, c)
							mu.Unlock()
						}
					} else {
						v := &salesmania.Visit{Date: fmt.Sprintf("2024-01-0%d", w), TeamID: team.ID, CustomerID: shop.ID, Status: salesmania.VisitStatusPlanned}
						if err = s.AppendVisit(context.Background(), db.ID, v); err == nil {
							mu.Lock()
							visits = append(visits, v)
							mu.Unlock()
						}
					}
					if err != nil {
						mu.Lock()
						writeErrs = append(writeErrs, fmt.Errorf("writer %d, write %d: %w", w, i, err))
						mu.Unlock()
						return
					}
				}
			})
		}
		defer func() { stop(); wg.Wait() }()

		// Let every writer commit a few rows first, so the copy has
		// something to be missing.
		deadline := time.Now().Add(10 * time.Second)
		for {
			mu.Lock()
			nc, nv, errs := len(customers), len(visits), len(writeErrs)
			mu.Unlock()
			if errs > 0 || nc >= 40 && nv >= 40 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the writers committed %d customers and %d visits in 10 s", nc, nv)
			}
			time.Sleep(5 * time.Millisecond)
		}
		mu.Lock()
		wantCustomers := append([]*salesmania.Customer(nil), customers...)
		wantVisits := append([]*salesmania.Visit(nil), visits...)
		mu.Unlock()

		path := filepath.Join(t.TempDir(), "backup.db")
		if err := s.Backup(t.Context(), path); err != nil {
			t.Fatalf("Backup: %v", err)
		}
		mu.Lock()
		after := len(customers) + len(visits)
		mu.Unlock()
		stop()
		wg.Wait()
		for _, err := range writeErrs {
			t.Errorf("a write beside the backup failed: %v", err)
		}
		t.Logf("%d rows committed before the backup began, %d by its end", len(wantCustomers)+len(wantVisits), after)

		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if mode := info.Mode().Perm(); mode != 0o600 {
			t.Errorf("the backup has mode %o; want 600 (it holds password hashes and secrets)", mode)
		}
		for _, suffix := range []string{"-wal", "-shm", "-journal"} {
			if _, err := os.Stat(path + suffix); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("the backup left %s%s behind (%v); want one self-contained file", filepath.Base(path), suffix, err)
			}
		}
		assertSoundSQLite(t, path)

		copied := sqlstoretest.MustOpenDSN(t, "sqlite:"+path)
		for _, c := range wantCustomers {
			assertCustomer(t, copied, c)
		}
		for _, want := range wantVisits {
			got, err := copied.FindVisit(t.Context(), db.ID, salesmania.AllTeams(), want.ID)
			if err != nil {
				t.Fatalf("FindVisit(%d) in the backup: %v", want.ID, err)
			}
			if got.Date != want.Date || got.Seq != want.Seq || got.TeamID != want.TeamID || !got.CreatedAt.Equal(want.CreatedAt) {
				t.Fatalf("visit %d in the backup: %s seq %d team %d created %s; committed as %s seq %d team %d created %s",
					want.ID, got.Date, got.Seq, got.TeamID, got.CreatedAt, want.Date, want.Seq, want.TeamID, want.CreatedAt)
			}
		}
	})

	t.Run("ErrTargetExists", func(t *testing.T) {
		t.Parallel()
		s := sqlstoretest.MustOpen(t, "sqlite")
		MustCreateDatabase(t, s, "PT Maju Jaya")
		path := filepath.Join(t.TempDir(), "backup.db")
		if err := os.WriteFile(path, []byte("yesterday's backup"), 0o600); err != nil {
			t.Fatal(err)
		}
		err := s.Backup(t.Context(), path)
		assertCode(t, err, salesmania.ECONFLICT)
		if got, _ := os.ReadFile(path); string(got) != "yesterday's backup" {
			t.Fatalf("the existing file now holds %q; Backup must not touch it", got)
		}
	})

	t.Run("ErrNoDirectory", func(t *testing.T) {
		t.Parallel()
		s := sqlstoretest.MustOpen(t, "sqlite")
		dir := filepath.Join(t.TempDir(), "missing")
		err := s.Backup(t.Context(), filepath.Join(dir, "backup.db"))
		assertCode(t, err, salesmania.EINVALID)
		if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("Backup made the directory %s (%v)", dir, err)
		}
	})

	t.Run("ErrPostgres", func(t *testing.T) {
		t.Parallel()
		s := sqlstoretest.MustOpen(t, "postgres")
		path := filepath.Join(t.TempDir(), "backup.db")
		err := s.Backup(t.Context(), path)
		assertCode(t, err, salesmania.EINVALID)
		if msg := salesmania.ErrorMessage(err); !strings.Contains(msg, "pg_dump") {
			t.Errorf("message %q does not point to pg_dump", msg)
		}
		if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("Backup wrote %s for PostgreSQL (%v)", path, err)
		}
	})
}

// assertSoundSQLite opens the SQLite file at path with the driver alone
// and fails the test unless integrity_check answers "ok", foreign_key_check
// finds nothing, and every route's seqs run 1..n.
func assertSoundSQLite(tb testing.TB, path string) {
	tb.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	var check string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil {
		tb.Fatalf("integrity_check of %s: %v", path, err)
	}
	if check != "ok" {
		tb.Fatalf("integrity_check of %s = %q; want ok", path, check)
	}
	rows, err := db.Query("PRAGMA foreign_key_check")
	if err != nil {
		tb.Fatalf("foreign_key_check of %s: %v", path, err)
	}
	if rows.Next() {
		tb.Errorf("foreign_key_check of %s finds broken references", path)
	}
	rows.Close()
	var gaps int
	if err := db.QueryRow(`SELECT count(*) FROM (
		SELECT db_id, team_id, date FROM visits GROUP BY db_id, team_id, date
		HAVING min(seq) <> 1 OR max(seq) <> count(*) OR count(DISTINCT seq) <> count(*))`).Scan(&gaps); err != nil {
		tb.Fatal(err)
	}
	if gaps != 0 {
		tb.Errorf("%d routes of %s have seqs other than 1..n", gaps, path)
	}
}
