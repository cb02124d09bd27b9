package sqlstore_test

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/sqlstore"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// insertSetting returns a write that stores a settings row named name and,
// if panics, then panics as a buggy write would.
func insertSetting(name string, panics bool) func(ctx context.Context, tx *sql.Tx) error {
	return func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO settings (name, value) VALUES ($1, $2)", name, []byte("x")); err != nil {
			return err
		}
		if panics {
			var m map[string]int
			m[name]++ // a nil map: the kind of bug a write may have
		}
		return nil
	}
}

// panicSettings returns the names of the settings rows the tests wrote.
func panicSettings(t *testing.T, s *sqlstore.Store) []string {
	t.Helper()
	rows, err := s.ReadDB().QueryContext(t.Context(), "SELECT name FROM settings WHERE name LIKE 'panic-test-%' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func wantPanicError(t *testing.T, err error) {
	t.Helper()
	if err == nil || salesmania.ErrorCode(err) != salesmania.EINTERNAL || !strings.Contains(err.Error(), "panicked") ||
		!strings.Contains(err.Error(), "assignment to entry in nil map") {
		t.Fatalf("error = %v; want an internal error naming the panic", err)
	}
}

// TestStore_WritePanic checks that a write that panics is undone alone and
// the store keeps writing. On SQLite the write runs on the group-commit
// goroutine, outside any HTTP recovery: the panic must come back as an
// internal error and leave the goroutine serving, and the other writes of
// its batch must commit. On PostgreSQL the panic goes on up the caller's
// goroutine, after the transaction was rolled back.
func TestStore_WritePanic(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		s := sqlstoretest.MustOpen(t, kind)
		ctx := t.Context()
		if kind == "postgres" {
			t.Run("RolledBack", func(t *testing.T) {
				func() {
					defer func() {
						if v := recover(); v == nil {
							t.Fatal("the panic did not reach the caller")
						}
					}()
					s.WriteTx(ctx, insertSetting("panic-test-alone", true))
				}()
				if got := panicSettings(t, s); len(got) != 0 {
					t.Fatalf("rows %v; the panicking write committed", got)
				}
				// A transaction left open would hold its connection.
				if n := s.ReadDB().Stats().InUse; n != 0 {
					t.Fatalf("%d connections in use after the panic; want 0", n)
				}
				if err := s.WriteTx(ctx, insertSetting("panic-test-after", false)); err != nil {
					t.Fatal(err)
				}
				if got := panicSettings(t, s); !slices.Equal(got, []string{"panic-test-after"}) {
					t.Fatalf("rows %v", got)
				}
			})
			return
		}

		t.Run("Alone", func(t *testing.T) {
			wantPanicError(t, s.WriteTx(ctx, insertSetting("panic-test-alone", true)))
			if got := panicSettings(t, s); len(got) != 0 {
				t.Fatalf("rows %v; the panicking write committed", got)
			}
			if err := s.WriteTx(ctx, insertSetting("panic-test-alone-after", false)); err != nil {
				t.Fatalf("the write after the panic: %v", err)
			}
			if got := panicSettings(t, s); !slices.Equal(got, []string{"panic-test-alone-after"}) {
				t.Fatalf("rows %v", got)
			}
		})

		t.Run("InABatch", func(t *testing.T) {
			// A first write holds the writer while three more queue, so the
			// next round runs all three in one transaction: a, the one that
			// panics, b.
			running, release := make(chan struct{}), make(chan struct{})
			results := make(chan error, 4)
			go func() {
				results <- s.WriteTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
					close(running)
					<-release
					return insertSetting("panic-test-batch-0", false)(ctx, tx)
				})
			}()
			<-running
			errs := make([]chan error, 3)
			for i, w := range []struct {
				name   string
				panics bool
			}{{"panic-test-batch-a", false}, {"panic-test-batch-panics", true}, {"panic-test-batch-b", false}} {
				errs[i] = make(chan error, 1)
				go func() { errs[i] <- s.WriteTx(ctx, insertSetting(w.name, w.panics)) }()
				deadline := time.Now().Add(10 * time.Second)
				for s.QueuedWrites() != i+1 {
					if time.Now().After(deadline) {
						t.Fatalf("write %s did not queue", w.name)
					}
					time.Sleep(time.Millisecond)
				}
			}
			close(release)
			if err := <-results; err != nil {
				t.Fatalf("the first write: %v", err)
			}
			if err := <-errs[0]; err != nil {
				t.Fatalf("a, before the panic in its batch: %v", err)
			}
			wantPanicError(t, <-errs[1])
			if err := <-errs[2]; err != nil {
				t.Fatalf("b, after the panic in its batch: %v", err)
			}
			want := []string{"panic-test-alone-after", "panic-test-batch-0", "panic-test-batch-a", "panic-test-batch-b"}
			if got := panicSettings(t, s); !slices.Equal(got, want) {
				t.Fatalf("rows %v; want %v", got, want)
			}
			// The writer goroutine still serves.
			if err := s.WriteTx(ctx, insertSetting("panic-test-batch-z", false)); err != nil {
				t.Fatalf("the write after the batch: %v", err)
			}
			if got := panicSettings(t, s); !slices.Contains(got, "panic-test-batch-z") {
				t.Fatalf("rows %v lack the write after the batch", got)
			}
		})
	})
}
