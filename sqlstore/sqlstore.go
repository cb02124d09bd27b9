// Package sqlstore implements salesmania.Store over SQLite (modernc.org/sqlite,
// pure Go, the embedded default) and PostgreSQL (jackc/pgx/v5). Both run the
// same SQL, written with $N placeholders, which both engines understand; the
// few differences (id generation, migrations locking, error codes) sit behind
// the dialect type.
//
// SQLite is opened as two pools. Every write transaction goes through one
// goroutine (batch.go) on the write pool: transactions begin IMMEDIATE, so
// they hold the write lock from the start and can never fail with
// SQLITE_BUSY half-way, and writes that arrive together share one commit and
// one fsync (group commit). Several read-only connections run beside it, as
// WAL allows. Every connection has WAL, synchronous=FULL (a committed write
// survives a power cut), foreign_keys=ON and a busy timeout, and SQLite's
// statements are prepared once and reused (prepared.go).
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/salesmania/salesmania"
)

//go:embed migrations
var migrations embed.FS

// BusyTimeout is how long an SQLite connection waits for another process
// holding the write lock before giving up (the caller then gets EUNAVAILABLE).
const BusyTimeout = 10 * time.Second

type dialect int

const (
	dialectSQLite dialect = iota
	dialectPostgres
)

// Store is the SQL implementation of salesmania.Store.
type Store struct {
	dialect dialect
	write   *sql.DB // for SQLite the writer's pool (see batch.go); for PostgreSQL the same pool as read
	read    *sql.DB
	r       pool     // read, with SQLite's statement cache
	batch   *batcher // SQLite's group commit; nil for PostgreSQL
	// rcache and wcache keep SQLite's prepared statements of the read and
	// write pools; nil for PostgreSQL, whose driver caches its own.
	rcache, wcache *stmtCache
	auth           *authCache   // bearer tokens (authcache.go)
	listener       authListener // PostgreSQL's NOTIFY listener for auth (authlisten.go)
	dsn            string       // PostgreSQL's, for the listener's own connection
	health         writeHealth  // whether writes fail for want of disk space (health.go)
}

var _ salesmania.Store = (*Store)(nil)

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open connects to the database named by dsn and applies the migrations it
// has not had yet. A dsn starting with postgres:// or postgresql:// is
// PostgreSQL; anything else is an SQLite file path, optionally written as
// sqlite:PATH.
func Open(ctx context.Context, dsn string) (*Store, error) {
	var s *Store
	var err error
	if IsPostgres(dsn) {
		s, err = openPostgres(dsn)
	} else {
		s, err = openSQLite(strings.TrimPrefix(dsn, "sqlite:"))
	}
	if err != nil {
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if s.dialect == dialectSQLite {
		s.rcache, s.wcache = newStmtCache(s.read), newStmtCache(s.write)
		s.batch = newBatcher(s.write, s.wcache)
	}
	s.r = pool{db: s.read, cache: s.rcache}
	s.auth = newAuthCache()
	return s, nil
}

func openSQLite(path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("sqlstore: empty SQLite path")
	}
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("sqlstore: SQLite path %q must not contain ? or #", path)
	}
	params := url.Values{}
	params.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()))
	params.Add("_pragma", "journal_mode(WAL)")
	params.Add("_pragma", "synchronous(FULL)")
	params.Add("_pragma", "foreign_keys(ON)")
	// Temporary files in memory, above all the sub-journals of the
	// savepoints group commit wraps each write in (batch.go): on disk, each
	// page a write touched first cost a pwrite, a fifth of the CPU of
	// POST /orders. They are rollback data of the open transaction only,
	// never needed after a crash, so durability is unchanged.
	params.Add("_pragma", "temp_store(MEMORY)")
	params.Add("_time_format", "sqlite")
	wparams := cloneValues(params)
	wparams.Set("_txlock", "immediate")
	write, err := sql.Open("sqlite", "file:"+path+"?"+wparams.Encode())
	if err != nil {
		return nil, err
	}
	// Two connections: the batcher's transactions run on one at a time
	// (batch.go), and the statement cache prepares new statements on the
	// other while a transaction holds the first (prepared.go).
	write.SetMaxOpenConns(2)
	write.SetMaxIdleConns(2)
	write.SetConnMaxIdleTime(0)
	write.SetConnMaxLifetime(0)
	// Create the file and switch it to WAL before the readers open it.
	// Switching a new file to WAL can fail with SQLITE_BUSY without waiting
	// when another process does the same at that moment: try again.
	for deadline := time.Now().Add(BusyTimeout); ; {
		err := write.Ping()
		if err == nil {
			break
		}
		var lite *sqlite.Error
		if !errors.As(err, &lite) || lite.Code()&0xff != sqlite3.SQLITE_BUSY || time.Now().After(deadline) {
			write.Close()
			return nil, fmt.Errorf("sqlstore: open %s: %w", path, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	rparams := cloneValues(params)
	rparams.Add("_pragma", "query_only(1)")
	read, err := sql.Open("sqlite", "file:"+path+"?"+rparams.Encode())
	if err != nil {
		write.Close()
		return nil, err
	}
	n := defaultSQLiteReaders()
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	read.SetConnMaxIdleTime(0)
	return &Store{dialect: dialectSQLite, write: write, read: read}, nil
}

func cloneValues(v url.Values) url.Values {
	c := url.Values{}
	for k, vs := range v {
		c[k] = append([]string(nil), vs...)
	}
	return c
}

func openPostgres(dsn string) (*Store, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(defaultPostgresPool())
	db.SetMaxIdleConns(defaultPostgresPool())
	db.SetConnMaxIdleTime(5 * time.Minute)
	return &Store{dialect: dialectPostgres, write: db, read: db, dsn: dsn}, nil
}

// The connection pools' sizes (see SetPoolSize).
const (
	// DefaultPoolSizeText says what the default pool sizes are.
	DefaultPoolSizeText = "PostgreSQL max(8, 4 × CPUs), SQLite readers max(4, 2 × CPUs)"
	// MaxPoolSize bounds SetPoolSize.
	MaxPoolSize = 1000
)

func defaultPostgresPool() int { return max(8, 4*runtime.GOMAXPROCS(0)) }

func defaultSQLiteReaders() int { return max(4, 2*runtime.GOMAXPROCS(0)) }

// SetPoolSize sets how many connections the store opens at most, 1 to
// MaxPoolSize: on PostgreSQL every connection (reads and writes share the
// pool; each server process counts against the server's max_connections),
// on SQLite the read-only ones (its writes have their own two).
func (s *Store) SetPoolSize(n int) {
	n = min(max(n, 1), MaxPoolSize)
	s.read.SetMaxOpenConns(n)
	s.read.SetMaxIdleConns(n)
}

// Close stops the auth listener and closes the connection pools.
func (s *Store) Close() error {
	s.listener.stop()
	if s.batch != nil {
		s.batch.close()
	}
	s.rcache.close()
	s.wcache.close()
	err := s.write.Close()
	if s.read != s.write {
		err = errors.Join(err, s.read.Close())
	}
	return err
}

// Ping reports whether the database answers a query.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.read.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return s.wrap(err)
	}
	return nil
}

// Pragmas returns the values of the SQLite settings every connection is
// opened with, as the write connection reports them, so tests and operators
// can check them. It returns nil for PostgreSQL.
func (s *Store) Pragmas(ctx context.Context) (map[string]string, error) {
	if s.dialect != dialectSQLite {
		return nil, nil
	}
	out := map[string]string{}
	for _, name := range []string{"journal_mode", "synchronous", "foreign_keys", "busy_timeout", "temp_store"} {
		var v string
		if err := s.write.QueryRowContext(ctx, "PRAGMA "+name).Scan(&v); err != nil {
			return nil, err
		}
		out[name] = v
	}
	return out, nil
}

// Dialect returns "sqlite" or "postgres".
func (s *Store) Dialect() string {
	if s.dialect == dialectPostgres {
		return "postgres"
	}
	return "sqlite"
}

// postgresCountShards is the number of shards of each row count on
// PostgreSQL (see countRow).
const postgresCountShards = 16

// inWriteTx runs fn in a write transaction and commits it if fn returns
// nil. A write whose caller has gone (its context is done) before it starts
// is not started, and returns the context's error. Once started, it runs to
// its commit or rollback whatever becomes of the caller: the transaction and
// fn get a context that is not cancelled with the caller's. Were the
// transaction bound to the caller's context, a client hanging up during
// COMMIT would make database/sql report an error for a commit that may well
// have happened, and the caller could not tell a write done from one undone.
// On SQLite the transaction may be shared with other writes (group commit,
// see batch.go).
// A panic of fn undoes its write either way: on SQLite the writer goroutine
// recovers it and returns an internal error; on PostgreSQL fn runs on the
// caller's goroutine, the deferred rollback runs and the panic goes on up
// (the HTTP layer recovers it per request).
func (s *Store) inWriteTx(ctx context.Context, fn func(ctx context.Context, tx *txn) error) error {
	// Each write records its changes for the feed last, just before it
	// commits (feed.go); on SQLite inside the savepoint group commit gives
	// it, so a write that fails leaves no entry.
	write := func(ctx context.Context, tx *txn) error {
		tx.changes, tx.counts = tx.changes[:0], tx.counts[:0]
		if err := fn(ctx, tx); err != nil {
			return err
		}
		return writeChanges(ctx, tx)
	}
	var err error
	if s.batch != nil {
		err = s.wrap(s.batch.do(ctx, write))
	} else {
		err = s.inPostgresTx(ctx, write)
	}
	if err == nil {
		s.health.setFull(false)
	}
	return err
}

func (s *Store) inPostgresTx(ctx context.Context, fn func(ctx context.Context, tx *txn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ctx = context.WithoutCancel(ctx)
	sqlTx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap(err)
	}
	tx := &txn{Tx: sqlTx, cache: s.wcache, countShards: postgresCountShards, postgres: true}
	defer tx.Rollback()
	if err := fn(ctx, tx); err != nil {
		return s.wrap(err)
	}
	if postgresCommitHook != nil {
		postgresCommitHook(ctx)
	}
	return s.wrap(tx.Commit())
}

// postgresCommitHook, when set by a test, runs just before a PostgreSQL
// write commits, with the write's context.
var postgresCommitHook func(ctx context.Context)

// nextID returns a new id for a row of table, unique across the server.
// PostgreSQL takes it from the table's sequence; SQLite from the id_seq
// table, which the single writer updates inside the transaction.
func (s *Store) nextID(ctx context.Context, tx *txn, table string) (int64, error) {
	var id int64
	var err error
	if s.dialect == dialectPostgres {
		err = tx.QueryRowContext(ctx, "SELECT nextval('"+table+"_id_seq')").Scan(&id)
	} else {
		err = tx.QueryRowContext(ctx, "UPDATE id_seq SET last = last + 1 WHERE name = $1 RETURNING last", table).Scan(&id)
	}
	return id, err
}

// wrap turns driver errors the caller can act on into *salesmania.Error and
// leaves the rest, which are internal, as they are.
func (s *Store) wrap(err error) error {
	if err == nil {
		return nil
	}
	var se *salesmania.Error
	if errors.As(err, &se) {
		return err
	}
	var lite *sqlite.Error
	if errors.As(err, &lite) {
		switch lite.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return &salesmania.Error{Code: salesmania.EUNAVAILABLE, Message: "The database is busy; retry shortly.", RetryAfter: 1}
		case sqlite3.SQLITE_FULL:
			s.health.setFull(true)
			return errStorageFull()
		}
		switch lite.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %v", errUnique, err)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("%w: %v", errForeignKey, err)
		}
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "23505":
			return fmt.Errorf("%w: %v", errUnique, err)
		case "23503":
			return fmt.Errorf("%w: %v", errForeignKey, err)
		case "53100": // disk_full
			s.health.setFull(true)
			return errStorageFull()
		case "40001", "40P01", "55P03", "57P03", "53300":
			return &salesmania.Error{Code: salesmania.EUNAVAILABLE, Message: "The database is busy; retry shortly.", RetryAfter: 1}
		}
	}
	return err
}

// errUnique and errForeignKey mark constraint violations that the store
// methods check for before writing; seeing one means a race lost or a bug.
var (
	errUnique     = errors.New("sqlstore: unique constraint violated")
	errForeignKey = errors.New("sqlstore: foreign key violated")
)

// maxGoneAttempts bounds the runs of a write that names other rows. On
// PostgreSQL a delete may remove one between the write's check that it
// exists and its insert; the insert then fails its foreign key, and the
// write is run again: its checks now see the row gone and refuse the write
// with EINVALID naming the field.
const maxGoneAttempts = 3

// migrate applies, in name order, each embedded migration not yet recorded in
// schema_migrations, each in its own transaction. Several processes may start
// at once: PostgreSQL serializes them with an advisory lock, SQLite with its
// write lock.
func (s *Store) migrate(ctx context.Context) error {
	dir := "migrations/sqlite"
	if s.dialect == dialectPostgres {
		dir = "migrations/postgres"
	}
	names, err := fs.Glob(migrations, dir+"/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return s.wrap(err)
	}
	defer conn.Close()
	if err := s.inMigrationTx(ctx, conn, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)`)
		return err
	}); err != nil {
		return fmt.Errorf("sqlstore: create schema_migrations: %w", err)
	}
	for _, name := range names {
		version := strings.TrimSuffix(name[len(dir)+1:], ".sql")
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		if err := s.inMigrationTx(ctx, conn, func(tx *sql.Tx) error { return applyMigration(ctx, tx, version, string(body)) }); err != nil {
			return fmt.Errorf("sqlstore: migration %s: %w", version, err)
		}
	}
	if s.dialect == dialectPostgres {
		if err := s.inMigrationTx(ctx, conn, func(tx *sql.Tx) error { return rebaseChangeClock(ctx, tx) }); err != nil {
			return fmt.Errorf("sqlstore: change clock: %w", err)
		}
	}
	return nil
}

// inMigrationTx runs fn in a transaction that, on PostgreSQL, first takes a
// transaction-scoped advisory lock, so processes starting together apply
// migrations one at a time and no lock outlives its transaction. SQLite's
// IMMEDIATE transactions serialize by themselves.
func (s *Store) inMigrationTx(ctx context.Context, conn *sql.Conn, fn func(tx *sql.Tx) error) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if s.dialect == dialectPostgres {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(7270736)"); err != nil {
			return err
		}
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

func applyMigration(ctx context.Context, tx *sql.Tx, version, body string) error {
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations WHERE version = $1", version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, body); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)", version, micros(salesmania.Now()))
	return err
}

// Migrations returns the versions recorded as applied, in order.
func (s *Store) Migrations(ctx context.Context) ([]string, error) {
	rows, err := s.read.QueryContext(ctx, "SELECT version FROM schema_migrations ORDER BY version")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }
