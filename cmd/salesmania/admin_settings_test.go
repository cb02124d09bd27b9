package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/salesmania/salesmania/sqlstore"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// settingsState describes the settings of the databases, to compare before
// and after a refused command.
func settingsState(t *testing.T, dsn string, dbIDs ...int64) string {
	t.Helper()
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var b strings.Builder
	for _, id := range dbIDs {
		set, err := s.FindSettings(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "database %d: %d m, %s\n", id, set.GeofenceRadiusM, set.Timezone)
	}
	return b.String()
}

// TestAdminDBSet changes a database's settings directly on the database,
// and feeds "admin db set" bad input: each must fail with the exit code of
// its kind of mistake, name the flag at fault, print nothing and change no
// settings.
func TestAdminDBSet(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		t.Parallel()
		dsn := sqlstoretest.DSN(t, kind)
		majuID := admin(t, "", "db", "create", "--name", "PT Maju Jaya", "--db", dsn).id(t, "id")
		sumberID := admin(t, "", "db", "create", "--name", "CV Sumber Rejeki", "--db", dsn).id(t, "id")

		t.Run("OK", func(t *testing.T) {
			o := admin(t, "", "db", "set", "--db-id", itoa(majuID), "--timezone", " Asia/Jayapura ", "--db", dsn)
			o.want(t, map[string]any{"db_id": majuID, "geofence_radius_m": 200, "timezone": "Asia/Jayapura"})
			o = admin(t, "", "db", "set", "--db-id", itoa(majuID), "--geofence-radius", "500", "--db", dsn)
			o.want(t, map[string]any{"db_id": majuID, "geofence_radius_m": 500, "timezone": "Asia/Jayapura"})
			o = admin(t, "", "db", "set", "--db-id", itoa(majuID), "--geofence-radius", "10", "--timezone", "Asia/Makassar", "--db", dsn)
			o.want(t, map[string]any{"db_id": majuID, "geofence_radius_m": 10, "timezone": "Asia/Makassar"})
			want := fmt.Sprintf("database %d: 10 m, Asia/Makassar\ndatabase %d: 200 m, Asia/Jakarta\n", majuID, sumberID)
			if got := settingsState(t, dsn, majuID, sumberID); got != want {
				t.Fatalf("settings =\n%s\nwant\n%s", got, want)
			}
		})

		db := func(args ...string) []string {
			return append(append([]string{"admin", "db", "set"}, args...), "--db", dsn)
		}
		maju := itoa(majuID)
		for _, tt := range []struct {
			name string
			args []string
			code int
			want []string
		}{
			{"ErrNoSettings", db("--db-id", maju), 2, []string{"give --geofence-radius or --timezone, or both"}},
			{"ErrDBIDRequired", db("--timezone", "Asia/Jakarta"), 2, []string{"missing required flag --db-id"}},
			{"ErrDBIDNegative", db("--db-id", "-1", "--timezone", "Asia/Jakarta"), 2, []string{"--db-id must be a positive id"}},
			{"ErrRadiusNotANumber", db("--db-id", maju, "--geofence-radius", "dua ratus"), 2, []string{`invalid value "dua ratus" for flag -geofence-radius: must be a number`}},
			{"ErrUnexpectedArgument", db("--db-id", maju, "--timezone", "Asia/Jakarta", "Asia/Makassar"), 2, []string{`unexpected argument "Asia/Makassar"`}},
			{"ErrTimezoneMars", db("--db-id", maju, "--timezone", "Mars/Olympus"), 1,
				[]string{"--timezone: must be an IANA time zone name such as Asia/Jakarta, Asia/Makassar or Asia/Jayapura"}},
			{"ErrTimezoneEmpty", db("--db-id", maju, "--timezone", ""), 1, []string{"--timezone: must be an IANA time zone name"}},
			{"ErrTimezoneLocal", db("--db-id", maju, "--timezone", "Local"), 1, []string{"--timezone: must be an IANA time zone name"}},
			{"ErrTimezonePath", db("--db-id", maju, "--timezone", "../../etc/passwd"), 1, []string{"--timezone: must be an IANA time zone name"}},
			{"ErrRadius5", db("--db-id", maju, "--geofence-radius", "5"), 1, []string{"--geofence-radius: must be a whole number of metres from 10 to 5000"}},
			{"ErrRadius6000", db("--db-id", maju, "--geofence-radius", "6000"), 1, []string{"--geofence-radius: must be a whole number of metres from 10 to 5000"}},
			{"ErrRadiusFraction", db("--db-id", maju, "--geofence-radius", "150.5"), 1, []string{"--geofence-radius: must be a whole number of metres"}},
			{"ErrBothBad", db("--db-id", maju, "--geofence-radius", "5", "--timezone", "Mars/Olympus"), 1, []string{"--geofence-radius: must be", "; --timezone: must be"}},
			{"ErrOneBadChangesNeither", db("--db-id", maju, "--geofence-radius", "300", "--timezone", "Mars/Olympus"), 1, []string{"--timezone"}},
			{"ErrDatabaseNotFound", db("--db-id", "999", "--timezone", "Asia/Jakarta"), 1, []string{"Database 999 not found"}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				before := settingsState(t, dsn, majuID, sumberID)
				r := execute(t, "", tt.args...)
				if r.err == nil {
					t.Fatalf("succeeded; want exit code %d\nstdout: %s", tt.code, r.stdout)
				}
				if code := exitCode(r.err); code != tt.code {
					t.Errorf("exit code %d; want %d (err %v)", code, tt.code, r.err)
				}
				for _, w := range tt.want {
					if !strings.Contains(r.err.Error(), w) {
						t.Errorf("error %q does not contain %q", r.err, w)
					}
				}
				if r.stdout != "" {
					t.Errorf("stdout = %q; want nothing", r.stdout)
				}
				if after := settingsState(t, dsn, majuID, sumberID); after != before {
					t.Errorf("the settings changed:\nbefore:\n%s\nafter:\n%s", before, after)
				}
			})
		}
	})
}

// TestTimezoneDataEmbedded shows that the binary knows the IANA zones by
// itself (time/tzdata, imported by main.go), so a database's time zone is
// validated on a machine without zoneinfo files. It runs "admin db set
// --timezone" in a child process (the test binary, which links main.go; see
// TestMain) that cannot read the zone files of the machine or of Go.
//
// ZONEINFO alone does not take them away: time.LoadLocation reads the
// directory ZONEINFO names first, but then still the system's
// (/usr/share/zoneinfo and its like), then the embedded copy, then
// $GOROOT/lib/time/zoneinfo.zip. So the child gets ZONEINFO an empty
// directory and GOROOT a missing one, and, where Linux lets the test make a
// mount namespace (unshare), the system's zone directories are covered by
// an empty one as well: a machine without zoneinfo, where a binary without
// time/tzdata refuses every zone.
func TestTimezoneDataEmbedded(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dsn := filepath.Join(dir, "salesmania.db")
	empty := filepath.Join(dir, "no-zoneinfo")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	dbID := admin(t, "", "db", "create", "--name", "PT Papua Jaya", "--db", dsn).id(t, "id")

	// child returns the command that runs "salesmania admin db set" with
	// the zone files hidden, prefixed by wrap (a program and its
	// arguments that then run the rest).
	child := func(zone string, wrap ...string) *exec.Cmd {
		args := append(wrap, os.Args[0], "-test.run=^$")
		cmd := exec.Command(args[0], args[1:]...)
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "ZONEINFO=") && !strings.HasPrefix(kv, "GOROOT=") && !strings.HasPrefix(kv, "TZ=") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		cmd.Env = append(cmd.Env, "ZONEINFO="+empty, "GOROOT="+filepath.Join(dir, "no-goroot"), "TZ=",
			"SALESMANIA_TEST_RUN_SERVER=1",
			"SALESMANIA_TEST_ARGS=admin db set --db-id "+itoa(dbID)+" --timezone "+zone+" --db "+dsn)
		return cmd
	}
	run := func(t *testing.T, cmd *exec.Cmd, zone string) {
		t.Helper()
		out, err := cmd.Output()
		if err != nil {
			var stderr string
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = string(ee.Stderr)
			}
			t.Fatalf("admin db set --timezone %s without zone files: %v\nstdout: %s\nstderr: %s", zone, err, out, stderr)
		}
		want := fmt.Sprintf(`{"db_id":%d,"geofence_radius_m":200,"timezone":%q}`+"\n", dbID, zone)
		if string(out) != want {
			t.Fatalf("printed %q; want %q", out, want)
		}
		if got, want := settingsState(t, dsn, dbID), fmt.Sprintf("database %d: 200 m, %s\n", dbID, zone); got != want {
			t.Fatalf("settings = %q; want %q", got, want)
		}
	}

	t.Run("ZONEINFOEmpty", func(t *testing.T) {
		run(t, child("Asia/Jayapura"), "Asia/Jayapura")
	})
	t.Run("NoZoneinfoOnTheMachine", func(t *testing.T) {
		if runtime.GOOS != "linux" {
			t.Skip("hiding the system's zone files needs a Linux mount namespace")
		}
		if out, err := exec.Command("unshare", "--user", "--map-root-user", "--mount", "true").CombinedOutput(); err != nil {
			t.Skipf("cannot make a mount namespace to hide the system's zone files (unshare: %v %s); ZONEINFOEmpty alone does not prove the zones are embedded", err, out)
		}
		// Cover each of Go's system zone directories that exists with the
		// empty one, check that it is empty now, and run the child there.
		const script = `set -e
empty=$1; shift
for d in /usr/share/zoneinfo /usr/share/lib/zoneinfo /usr/lib/locale/TZ /etc/zoneinfo; do
	if [ -d "$d" ]; then
		mount --bind "$empty" "$d"
		[ -z "$(ls -A "$d")" ] || { echo "$d is not hidden" >&2; exit 97; }
	fi
done
exec "$@"`
		// Another zone than the subtest before, so the stored value shows
		// that this child changed it.
		run(t, child("Asia/Makassar", "unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script, "sh", empty), "Asia/Makassar")
	})
}
