package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/salesmania/salesmania"
)

// query builds a SELECT's WHERE clause and its arguments together, so every
// value is a bind parameter.
type query struct {
	where []string
	args  []any
}

// arg adds a bind parameter and returns its placeholder.
func (q *query) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

// and adds a condition.
func (q *query) and(cond string) { q.where = append(q.where, cond) }

// inTeams limits the rows to those of a team in the scope: no condition
// for every team, else that one team (the zero scope's team 0 matches no
// row).
func (q *query) inTeams(column string, teams salesmania.TeamScope) {
	if teams.IsAll() {
		return
	}
	team, _ := teams.Team()
	q.and(column + " = " + q.arg(team))
}

func (q *query) whereClause() string { return " WHERE " + strings.Join(q.where, " AND ") }

// clone returns a copy that can take more conditions without changing q.
func (q *query) clone() *query {
	return &query{where: append([]string(nil), q.where...), args: append([]any(nil), q.args...)}
}

// like returns a case-insensitive substring pattern for s, with LIKE's
// wildcards escaped (ESCAPE '\').
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// ilike is the case-insensitive LIKE operator of the dialect. SQLite's LIKE
// ignores case for ASCII letters only.
func (s *Store) ilike() string {
	if s.dialect == dialectPostgres {
		return "ILIKE"
	}
	return "LIKE"
}

// forUpdate locks the selected rows until the transaction ends on
// PostgreSQL; SQLite's single writer needs no row locks.
func (s *Store) forUpdate() string {
	if s.dialect == dialectPostgres {
		return " FOR UPDATE"
	}
	return ""
}

// since adds the updated_since filter of p, if any, to q.
func since(q *query, p salesmania.ListParams, timeCol string) {
	if p.ByUpdated() {
		q.and(timeCol + " > " + q.arg(p.UpdatedSince.UnixMicro()))
	}
}

// keyset adds to q the lower bound of the page — updated_since and the
// position after p's cursor — and returns the ORDER BY clause:
// (timeCol, idCol) for lists with updated_since, else idCol. Only one lower
// bound is written, the tighter, so the database seeks the index straight
// to it: with two, SQLite seeks on updated_since and scans to the cursor.
func keyset(q *query, p salesmania.ListParams, timeCol, idCol string) string {
	if p.ByUpdated() {
		if c := p.After; !c.IsZero() && c.Time >= p.UpdatedSince.UnixMicro() {
			q.and("(" + timeCol + ", " + idCol + ") > (" + q.arg(c.Time) + ", " + q.arg(c.ID) + ")")
		} else {
			since(q, p, timeCol)
		}
		return " ORDER BY " + timeCol + ", " + idCol
	}
	if !p.After.IsZero() {
		q.and(idCol + " > " + q.arg(p.After.ID))
	}
	return " ORDER BY " + idCol
}

// cursorAt returns the cursor of a row at (t, id) in a list ordered by
// keyset.
func cursorAt(p salesmania.ListParams, t time.Time, id int64) salesmania.Cursor {
	if p.ByUpdated() {
		return salesmania.Cursor{ByTime: true, Time: t.UnixMicro(), ID: id}
	}
	return salesmania.Cursor{ID: id}
}

// finishPage trims the one extra row fetched to learn whether another page
// follows and sets the next cursor.
func finishPage[T any](rows []T, limit int, cursorOf func(*T) salesmania.Cursor) *salesmania.Page[T] {
	page := &salesmania.Page[T]{Data: rows}
	if len(rows) > limit {
		page.Data = rows[:limit]
		next := cursorOf(&page.Data[limit-1]).Encode()
		page.NextCursor = &next
	}
	return page
}

// count returns the number of rows matching q's conditions.
func count(ctx context.Context, db queryer, from string, q *query) (int64, error) {
	var n int64
	err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+from+q.whereClause(), q.args...).Scan(&n)
	return n, err
}

// queryer is what *sql.DB and *sql.Tx share.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// listTombstones returns a page of the tombstones of resource deleted after
// since.
func (s *Store) listTombstones(ctx context.Context, dbID int64, resource string, after time.Time, p salesmania.ListParams) (*salesmania.Page[salesmania.Tombstone], error) {
	p.UpdatedSince = &after
	q := &query{}
	q.and("db_id = " + q.arg(dbID))
	q.and("resource = " + q.arg(resource))
	return listByKeyset(ctx, s, "id, deleted_at", "tombstones", q, p, "deleted_at", "id",
		func(r rowScanner, t *salesmania.Tombstone) error {
			var at int64
			if err := r.Scan(&t.ID, &at); err != nil {
				return err
			}
			t.DeletedAt = fromMicros(at)
			return nil
		},
		func(t *salesmania.Tombstone) (time.Time, int64) { return t.DeletedAt, t.ID })
}

// addTombstone records that a row of resource was deleted.
func addTombstone(ctx context.Context, tx *txn, dbID int64, resource string, id int64, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO tombstones (db_id, resource, id, deleted_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (db_id, resource, id) DO UPDATE SET deleted_at = excluded.deleted_at`, dbID, resource, id, micros(at))
	return err
}

// listByKeyset is listPage for lists ordered by id, or by (timeCol, idCol)
// with updated_since; position returns a row's (time, id).
func listByKeyset[T any](ctx context.Context, s *Store, columns, from string, q *query, p salesmania.ListParams,
	timeCol, idCol string, scan func(rowScanner, *T) error, position func(*T) (time.Time, int64)) (*salesmania.Page[T], error) {
	if err := p.CheckCursor(); err != nil {
		return nil, err
	}
	filtered := q.clone()
	since(filtered, p, timeCol)
	order := keyset(q, p, timeCol, idCol)
	return listPage(ctx, s, columns, from, q, filtered, order, p, scan, func(row *T) salesmania.Cursor {
		t, id := position(row)
		return cursorAt(p, t, id)
	})
}

// listPage runs a list query: the rows of from (a table with alias) that
// match q, in order, one page of them, and, when p asks for it, the number
// of rows matching filtered (q without the cursor's position). scan reads
// one row of the selected columns into the page's slice, in place; cursorOf returns a row's cursor.
func listPage[T any](ctx context.Context, s *Store, columns, from string, q, filtered *query, order string, p salesmania.ListParams,
	scan func(rowScanner, *T) error, cursorOf func(*T) salesmania.Cursor) (*salesmania.Page[T], error) {
	limit := q.arg(p.Limit + 1)
	pageSQL := "SELECT " + columns + " FROM " + from + q.whereClause() + order + " LIMIT " + limit
	var db queryer = s.r
	if p.IncludeTotal {
		// Prepare the page's statement before the transaction holds a
		// connection (see txn).
		s.rcache.get(ctx, pageSQL)
		s.rcache.get(ctx, keptCountSQL)
		// The page and its total come from one snapshot.
		opts := &sql.TxOptions{ReadOnly: true}
		if s.dialect == dialectPostgres {
			opts.Isolation = sql.LevelRepeatableRead
		}
		sqlTx, err := s.read.BeginTx(ctx, opts)
		if err != nil {
			return nil, s.wrap(err)
		}
		defer sqlTx.Rollback()
		db = &txn{Tx: sqlTx, cache: s.rcache, lookupOnly: true}
	}
	rows, err := db.QueryContext(ctx, pageSQL, q.args...)
	if err != nil {
		return nil, s.wrap(err)
	}
	defer rows.Close()
	out := make([]T, 0, min(p.Limit+1, 128))
	for rows.Next() {
		var zero T
		out = append(out, zero)
		if err := scan(rows, &out[len(out)-1]); err != nil {
			return nil, s.wrap(err)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap(err)
	}
	page := finishPage(out, p.Limit, cursorOf)
	if p.IncludeTotal {
		var n int64
		var err error
		if table, _, _ := strings.Cut(from, " "); len(filtered.where) == 1 && countedTables[table] {
			// No filter but the database: the kept count (row_counts).
			err = db.QueryRowContext(ctx, keptCountSQL, filtered.args[0], table).Scan(&n)
		} else {
			n, err = count(ctx, db, from, filtered)
		}
		if err != nil {
			return nil, s.wrap(err)
		}
		page.Total = &n
	}
	return page, nil
}

const keptCountSQL = "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM row_counts WHERE db_id = $1 AND resource = $2"

// countedTables are the tables whose rows row_counts counts.
var countedTables = map[string]bool{"customers": true, "products": true, "orders": true}

// rowScanner is what *sql.Row and *sql.Rows share.
type rowScanner interface{ Scan(dest ...any) error }

// idIn returns the condition "col is one of ids", adding its arguments to q.
// On SQLite the ids travel as one JSON array, so the query text is the same
// whatever their number and its prepared statement is reused (prepared.go);
// PostgreSQL gets a list of placeholders. One id is a plain comparison.
func idIn(q *query, d dialect, col string, ids []int64) string {
	switch {
	case len(ids) == 1:
		return col + " = " + q.arg(ids[0])
	case d == dialectSQLite:
		b := make([]byte, 0, 2+12*len(ids))
		b = append(b, '[')
		for i, id := range ids {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, id, 10)
		}
		return col + " IN (SELECT value FROM json_each(" + q.arg(string(append(b, ']'))) + "))"
	}
	ph := make([]string, len(ids))
	for i, id := range ids {
		ph[i] = q.arg(id)
	}
	return col + " IN (" + strings.Join(ph, ", ") + ")"
}
