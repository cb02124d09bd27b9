package main

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/openapi/openapitest"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// TestAdminBackup is the acceptance test of "salesmania admin backup --to
// FILE": run against the database file of a server process while a client
// creates customers through it, it writes a sound copy holding every
// customer acknowledged before it began, and a server started on the copy
// lets the company's admin log in and read them.
func TestAdminBackup(t *testing.T) {
	t.Parallel()
	dsn := sqlstoretest.DSN(t, "sqlite")
	co := seedCompany(t, dsn)
	srv := spawnUnlimited(t, dsn)
	t.Cleanup(func() { srv.stop(t) })
	srv.waitReady(t)
	bearer := srv.api().login(t, co.email, co.password)
	teamToken := srv.api().teamToken(t, bearer, co.dbID, co.teams[0])

	// A client creates customers until the backup is done.
	client := &http.Client{Transport: openapitest.NewTransport(t, nil), Timeout: 30 * time.Second}
	var (
		mu       sync.Mutex
		acked    = map[int64][]byte{} // customer id → the answer to its creation
		failures []string
	)
	ctx, stopWriting := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ctx.Err() == nil && i < 100_000; i++ {
			no := "B-" + itoa(int64(i))
			a := send(client, "POST", srv.URL+"/extapi/v1.0/customers", bearer, teamToken, mustJSON(map[string]any{"name": "Toko " + no, "ext_cust_no": no}))
			var c salesmania.Customer
			mu.Lock()
			if a.err != nil || a.status != http.StatusOK || json.Unmarshal(a.body, &c) != nil {
				failures = append(failures, string(a.body))
			} else {
				acked[c.ID] = a.body
			}
			mu.Unlock()
		}
	})
	defer func() { stopWriting(); wg.Wait() }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 10 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d customers created in 20 s", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	mu.Lock()
	before := make(map[int64][]byte, len(acked))
	for id, b := range acked {
		before[id] = b
	}
	mu.Unlock()

	file := filepath.Join(t.TempDir(), "salesmania-backup.db")
	out := admin(t, "", "backup", "--to", file, "--db", dsn)
	stopWriting()
	wg.Wait()
	for _, f := range failures {
		t.Errorf("create customer beside the backup: %s", f)
	}
	info, err := os.Stat(file)
	must(t, err)
	out.want(t, map[string]any{"backup": file, "bytes": info.Size()})
	t.Logf("%d customers acknowledged before the backup began, %d by its end; %d bytes", len(before), len(acked), info.Size())
	checkSQLiteFile(t, file, len(before)+1)

	// Restore: a server on the copy serves the company as it was.
	restored := spawnUnlimited(t, "sqlite:"+file)
	t.Cleanup(func() { restored.stop(t) })
	restored.waitReady(t)
	bearer = restored.api().login(t, co.email, co.password)
	teamToken = restored.api().teamToken(t, bearer, co.dbID, co.teams[0])
	for id, want := range before {
		a := send(client, "GET", restored.URL+"/extapi/v1.0/customers/"+itoa(id), bearer, teamToken, "")
		if a.err != nil || a.status != http.StatusOK {
			t.Errorf("customer %d in the backup: %v %d %s", id, a.err, a.status, a.body)
		} else if !sameJSON(t, a.body, want) {
			t.Errorf("customer %d in the backup is\n\t%s\nwant, as acknowledged,\n\t%s", id, a.body, want)
		}
	}
}

// TestAdminBackupErrors checks that admin backup refuses what it cannot do
// with a message naming the problem, writes nothing, and prints nothing on
// stdout.
func TestAdminBackupErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "salesmania.db")
	store := sqlstoretest.MustOpenDSN(t, dsn)
	must(t, store.CreateDatabase(context.Background(), &salesmania.Database{Name: "PT Maju Jaya"}))
	existing := filepath.Join(dir, "yesterday.db")
	must(t, os.WriteFile(existing, []byte("yesterday's backup"), 0o600))
	missingDB := filepath.Join(dir, "typo.db")

	for _, tt := range []struct {
		name string
		args []string
		code int
		want []string // substrings of the error message
		// absent must not exist after the command.
		absent []string
	}{
		{"ErrToRequired", []string{"--db", dsn}, 2, []string{"missing required flag --to"}, nil},
		{"ErrTargetExists", []string{"--to", existing, "--db", dsn}, 1, []string{existing, "exists"}, nil},
		{"ErrNoDirectory", []string{"--to", filepath.Join(dir, "missing", "b.db"), "--db", dsn}, 1, []string{filepath.Join(dir, "missing"), "does not exist"},
			[]string{filepath.Join(dir, "missing")}},
		{"ErrPostgres", []string{"--to", filepath.Join(dir, "pg.db"), "--db", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"}, 2, []string{"SQLite databases only", "pg_dump -Fc"},
			[]string{filepath.Join(dir, "pg.db")}},
		{"ErrNoDatabase", []string{"--to", filepath.Join(dir, "typo-backup.db"), "--db", "sqlite:" + missingDB}, 2, []string{"no SQLite database at " + missingDB},
			[]string{missingDB, filepath.Join(dir, "typo-backup.db")}},
		{"ErrUnexpectedArgument", []string{"--to", filepath.Join(dir, "x.db"), "--db", dsn, "now"}, 2, []string{`unexpected argument "now"`},
			[]string{filepath.Join(dir, "x.db")}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := execute(t, "", append([]string{"admin", "backup"}, tt.args...)...)
			if r.err == nil {
				t.Fatalf("succeeded; want exit code %d\nstdout: %s", tt.code, r.stdout)
			}
			if code := exitCode(r.err); code != tt.code {
				t.Errorf("exit code %d; want %d (err %v)", code, tt.code, r.err)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.err.Error(), w) {
					t.Errorf("error %q does not say %q", r.err, w)
				}
			}
			if r.stdout != "" {
				t.Errorf("stdout = %q; want nothing", r.stdout)
			}
			for _, path := range tt.absent {
				if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("%s exists after the failed backup (%v)", path, err)
				}
			}
			if got, _ := os.ReadFile(existing); string(got) != "yesterday's backup" {
				t.Errorf("%s now holds %q; a backup must never overwrite", existing, got)
			}
		})
	}

	t.Run("OKUsage", func(t *testing.T) {
		r := execute(t, "", "help")
		if r.err != nil || !strings.Contains(r.stdout, "salesmania admin backup") {
			t.Errorf("help (err %v) shows no usage of admin backup:\n%s", r.err, r.stdout)
		}
	})
}
