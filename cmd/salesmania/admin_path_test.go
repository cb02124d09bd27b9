package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAdminMistypedDB checks that an admin command other than "db create"
// refuses an SQLite path where no database is, instead of creating an empty
// one there.
func TestAdminMistypedDB(t *testing.T) {
	typo := filepath.Join(t.TempDir(), "salesmnia.db")
	r := execute(t, "", "admin", "team", "create", "--db-id", "1", "--name", "Budi", "--db", typo)
	if r.err == nil || exitCode(r.err) != 2 || !strings.Contains(r.err.Error(), "no database there") || r.stdout != "" {
		t.Fatalf("team create on a missing file: err %v, stdout %q", r.err, r.stdout)
	}
	if _, err := os.Stat(typo); !os.IsNotExist(err) {
		t.Fatalf("the mistyped file was created: %v", err)
	}
	// db create makes the file.
	if r := execute(t, "", "admin", "db", "create", "--name", "PT Maju Jaya", "--db", typo); r.err != nil || !strings.Contains(r.stdout, `"name":"PT Maju Jaya"`) {
		t.Fatalf("db create: %v %q %q", r.err, r.stdout, r.stderr)
	}
	if r := execute(t, "", "admin", "team", "create", "--db-id", "1", "--name", "Budi", "--db", typo); r.err != nil {
		t.Fatalf("team create once the database exists: %v", r.err)
	}
}
