package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/salesmania/salesmania/sqlstore"
)

// backupRow is what "admin backup" prints: the file written and its size.
type backupRow struct {
	Backup string `json:"backup"`
	Bytes  int64  `json:"bytes"`
}

// backupCommand is "salesmania admin backup --to FILE": a consistent copy
// of the SQLite database, taken while servers go on writing to it (see
// sqlstore.Store.Backup). It refuses PostgreSQL, whose backups are
// pg_dump's, and a --db file that does not exist, which opening the store
// would otherwise create empty and back up.
func backupCommand() adminCommand {
	var to string
	return adminCommand{
		flags: func(fs *flag.FlagSet) func() error {
			fs.StringVar(&to, "to", "", "the new file to write the copy to; it must not exist (required)")
			db := fs.Lookup("db")
			return all(required(map[string]*string{"to": &to}), func() error {
				return checkBackupSource(db.Value.String())
			})
		},
		do: func(ctx context.Context, store *sqlstore.Store, _ io.Reader) (any, error) {
			if err := store.Backup(ctx, to); err != nil {
				return nil, err
			}
			info, err := os.Stat(to)
			if err != nil {
				return nil, err
			}
			return backupRow{Backup: to, Bytes: info.Size()}, nil
		},
	}
}

// checkBackupSource refuses, before anything is opened, a database that
// admin backup cannot copy.
func checkBackupSource(dsn string) error {
	if sqlstore.IsPostgres(dsn) {
		return errors.New(`admin backup copies SQLite databases only; back up PostgreSQL with "pg_dump -Fc" (see the README, "Backup and restore")`)
	}
	path := strings.TrimPrefix(dsn, "sqlite:")
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("--db: there is no SQLite database at %s", path)
	}
	return nil
}
