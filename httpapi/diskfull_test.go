//go:build linux

package httpapi_test

import (
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// mustSmallDisk mounts a tmpfs of size bytes, its root owned by uid, on a
// new directory, and unmounts it when the test ends. It skips the test
// where mounting is not allowed (not root, or no CAP_SYS_ADMIN).
func mustSmallDisk(t *testing.T, size int64, uid int) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "salesmania-small-disk-")
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%d,mode=0700,uid=%d", size, uid)); err != nil {
		os.Remove(dir)
		t.Skipf("cannot mount a small tmpfs to fill (needs root): %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Logf("unmount %s: %v; detaching it", dir, err)
			syscall.Unmount(dir, syscall.MNT_DETACH)
		}
		os.Remove(dir)
	})
	return dir
}

// fillDisk writes a ballast file into dir until the disk is full, then
// gives back room bytes of it, so that writes after it run out of space
// soon. Removing the file frees the disk again.
func fillDisk(t *testing.T, dir string, room int64) string {
	t.Helper()
	path := filepath.Join(dir, "ballast")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	var size int64
	for {
		n, err := f.Write(chunk)
		size += int64(n)
		if errors.Is(err, syscall.ENOSPC) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Truncate(max(0, size-room)); err != nil {
		t.Fatal(err)
	}
	return path
}

// smallDiskDSN returns the DSN of a fresh database of the kind whose data
// lives on a small disk, and that disk's directory. For PostgreSQL the
// schema's tables go to a tablespace on the disk, which needs the server
// on this machine; the test is skipped when it is elsewhere.
func smallDiskDSN(t *testing.T, kind string) (dsn, dir string) {
	t.Helper()
	const size = 4 << 20
	if kind == "sqlite" {
		dir = mustSmallDisk(t, size, os.Getuid())
		return "sqlite:" + filepath.Join(dir, "salesmania.db"), dir
	}
	pgUser, err := user.Lookup("postgres")
	if err != nil {
		t.Skipf("no local postgres user to own a tablespace: %v", err)
	}
	uid, _ := strconv.Atoi(pgUser.Uid)
	dir = mustSmallDisk(t, size, uid)
	base := os.Getenv("SALESMANIA_TEST_POSTGRES")
	if base == "" {
		base = sqlstoretest.DefaultPostgresDSN
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	space := "salesmania_small_" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if _, err := admin.Exec("CREATE TABLESPACE " + space + " LOCATION '" + dir + "'"); err != nil {
		t.Skipf("cannot make a tablespace on the small disk (is PostgreSQL on this machine?): %v", err)
	}
	// Registered before the schema's cleanup, so it runs after it: the
	// tablespace must be empty to go.
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP TABLESPACE " + space); err != nil {
			t.Logf("drop tablespace %s: %v", space, err)
		}
	})
	u, err := url.Parse(sqlstoretest.DSN(t, kind))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("default_tablespace", space)
	u.RawQuery = q.Encode()
	return u.String(), dir
}

// TestDiskFull fills the disk the database lives on. Writes must then be
// refused with 507 and Retry-After, storing nothing, /healthz must say the
// database cannot write, and once space is freed both must recover by
// themselves.
func TestDiskFull(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		dsn, dir := smallDiskDSN(t, kind)
		e := newEnvWith(t, kind, serverOptions{store: sqlstoretest.MustOpenDSN(t, dsn)})
		u := e.mustUser("budi@majujaya.example")
		tn := e.mustTenant(u, e.login(u.Email), "PT Maju Jaya")
		if r := e.do(request{method: "GET", path: "/healthz"}); r.StatusCode != 200 {
			t.Fatalf("/healthz: %d %s; want 200", r.StatusCode, r.body)
		}

		ballast := fillDisk(t, dir, 64<<10)
		address := strings.Repeat("Jl. Pemuda 12, Semarang. ", 8)
		stored := int64(0)
		var full response
		for i := 0; ; i++ {
			if i == 5000 {
				t.Fatalf("%d customers stored on a full disk", stored)
			}
			r := tn.call("POST", customersPath, fmt.Sprintf(`{"name":"Toko Penuh %d","address":%q}`, i, address))
			if r.StatusCode != 200 {
				full = r
				break
			}
			stored++
		}
		p := wantProblem(t, full, 507)
		if !strings.Contains(p.Detail, "disk is full") {
			t.Errorf("507 detail %q; want it to say the disk is full", p.Detail)
		}
		if after, err := strconv.Atoi(full.Header.Get("Retry-After")); err != nil || after < 1 {
			t.Errorf("507 Retry-After = %q; want seconds", full.Header.Get("Retry-After"))
		}
		if n := tn.count(t); n != stored {
			t.Errorf("%d customers; want the %d answered 200", n, stored)
		}
		lines := e.logLines(t, full.Header.Get("X-Request-Id"))
		if len(lines) == 0 || lines[0]["msg"] != "database disk full" || lines[0]["level"] != "ERROR" {
			t.Errorf("log of the 507: %v; want first an ERROR \"database disk full\"", lines)
		}
		p = wantProblem(t, e.do(request{method: "GET", path: "/healthz"}), 503)
		if !strings.Contains(p.Detail, "database_write") || !strings.Contains(p.Detail, "disk is full") {
			t.Errorf("/healthz detail %q; want the check database_write named, and the full disk", p.Detail)
		}

		// Space comes back: /healthz finds out by itself, and writes work.
		if err := os.Remove(ballast); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(20 * time.Second)
		for {
			r := e.do(request{method: "GET", path: "/healthz"})
			if r.StatusCode == 200 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("/healthz after space was freed: %d %s; want 200 within 20 s", r.StatusCode, r.body)
			}
			time.Sleep(100 * time.Millisecond)
		}
		mustOK(t, tn.call("POST", customersPath, `{"name":"Toko Lega"}`))
		if n := tn.count(t); n != stored+1 {
			t.Errorf("%d customers; want %d", n, stored+1)
		}
	})
}
