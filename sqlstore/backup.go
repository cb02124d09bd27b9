package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"

	"github.com/salesmania/salesmania"
)

// Backup writes a consistent copy of the SQLite database to the new file
// path while the server goes on serving: VACUUM INTO reads one snapshot in
// a read transaction on a connection of its own, so writers are not held
// up and the copy holds exactly the transactions committed before it
// began. The copy is a complete database (no -wal file) that Open can
// use as it is; it is created with mode 0600, since it holds password
// hashes and the server's secrets, and synced to disk before Backup
// returns.
//
// Backup never overwrites: it returns ECONFLICT if path exists and
// EINVALID if its directory does not, or if the store is PostgreSQL,
// whose backups are pg_dump's job. On any other failure it removes what
// it wrote.
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.dialect != dialectSQLite {
		return salesmania.Errorf(salesmania.EINVALID, "Backup copies SQLite databases only; back up PostgreSQL with pg_dump (pg_dump -Fc), or with WAL archiving for point-in-time recovery.")
	}
	if path == "" {
		return salesmania.Errorf(salesmania.EINVALID, "The backup file name is empty.")
	}
	// An absolute name is a plain file name to VACUUM INTO, never a
	// "file:" URI with parameters.
	target, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("sqlstore: backup to %s: %w", path, err)
	}
	source, err := s.mainFile(ctx)
	if err != nil {
		return err
	}
	if err := createEmpty(path, target); err != nil {
		return err
	}
	if err := vacuumInto(ctx, source, target); err != nil {
		os.Remove(target)
		return fmt.Errorf("sqlstore: backup to %s: %w", path, s.wrap(err))
	}
	if err := syncFile(target); err != nil {
		os.Remove(target)
		return fmt.Errorf("sqlstore: backup to %s: %w", path, err)
	}
	return nil
}

// mainFile returns the absolute name of the database file, as SQLite
// reports it.
func (s *Store) mainFile(ctx context.Context) (string, error) {
	var file string
	if err := s.r.QueryRowContext(ctx, "SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&file); err != nil {
		return "", fmt.Errorf("sqlstore: find the database file: %w", s.wrap(err))
	}
	if file == "" {
		return "", errors.New("sqlstore: the database has no file to back up")
	}
	return file, nil
}

// createEmpty creates target, failing if it exists, so that no other
// writer can slip a file in between the check and the copy. VACUUM INTO
// accepts an empty file as its output.
func createEmpty(path, target string) error {
	f, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case errors.Is(err, fs.ErrExist):
		return salesmania.Errorf(salesmania.ECONFLICT, "The backup file %s exists; a backup never overwrites a file, so name a new one.", path)
	case errors.Is(err, fs.ErrNotExist):
		return salesmania.Errorf(salesmania.EINVALID, "The directory %s of the backup file does not exist.", filepath.Dir(target))
	case err != nil:
		return fmt.Errorf("sqlstore: create the backup file: %w", err)
	}
	return f.Close()
}

// vacuumInto copies the database file source into the empty file target on
// a connection opened for this alone: the read pool is query_only, which
// VACUUM INTO is refused under, and the write connection must stay free
// for the server's writers. mode=rw keeps the connection from creating a
// database where none is.
func vacuumInto(ctx context.Context, source, target string) error {
	params := url.Values{}
	params.Set("mode", "rw")
	params.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()))
	// The copy is written with the synchronous level of the source
	// connection.
	params.Add("_pragma", "synchronous(FULL)")
	uri := "file:" + (&url.URL{Path: source}).EscapedPath() + "?" + params.Encode()
	db, err := sql.Open("sqlite", uri)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	_, err = db.ExecContext(ctx, "VACUUM INTO $1", target)
	return err
}

// syncFile flushes the file and its directory entry to disk.
func syncFile(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	dir, err := os.Open(filepath.Dir(name))
	if err != nil {
		return err
	}
	defer dir.Close()
	return dir.Sync()
}
