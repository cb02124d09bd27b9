package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/salesmania/salesmania"
)

// A tagged resource keeps its tags twice: as a JSON array in its own row (as
// given, for reading) and one row each in a tag table (for the tag filter).
type tagTable struct {
	table, idColumn string
}

var (
	customerTags = tagTable{"customer_tags", "customer_id"}
	productTags  = tagTable{"product_tags", "product_id"}
)

// replace makes the tag rows of row id be tags; old are its present tags.
func (t tagTable) replace(ctx context.Context, tx *txn, dbID, id int64, old, tags []string) error {
	if len(old) > 0 {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+t.table+" WHERE db_id = $1 AND "+t.idColumn+" = $2", dbID, id); err != nil {
			return err
		}
	}
	for _, tag := range tags {
		if _, err := tx.ExecContext(ctx, "INSERT INTO "+t.table+" (db_id, tag, "+t.idColumn+") VALUES ($1, $2, $3)", dbID, tag, id); err != nil {
			return err
		}
	}
	return nil
}

// filter returns the condition "row has tag", for a list query over alias.
func (t tagTable) filter(q *query, alias, tag string) string {
	return alias + ".id IN (SELECT t." + t.idColumn + " FROM " + t.table + " t WHERE t.db_id = " + alias + ".db_id AND t.tag = " + q.arg(tag) + ")"
}

// externalKey is a column clients set to their own ERP's code, unique in a
// database when not empty: customers.ext_cust_no, products.ext_product_code.
type externalKey struct {
	table, column, what string
}

var (
	extCustNo      = externalKey{"customers", "ext_cust_no", "customer"}
	extProductCode = externalKey{"products", "ext_product_code", "product"}
)

// taken is the ECONFLICT error for a value another row has.
func (k externalKey) taken(value string) error {
	return &salesmania.Error{Code: salesmania.ECONFLICT,
		Message: "Another " + k.what + " of this database has " + k.column + " " + strconv.Quote(value) + ".",
		Fields:  []salesmania.FieldError{{Field: k.column, Message: "is taken by another " + k.what}}}
}

// check reports ECONFLICT when a row other than selfID has the non-empty
// value.
func (k externalKey) check(ctx context.Context, tx *txn, dbID, selfID int64, value string) error {
	if value == "" {
		return nil
	}
	// The "<> ''" lets the planner use the partial unique index.
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM "+k.table+" WHERE db_id = $1 AND "+k.column+" = $2 AND "+k.column+" <> '' AND id <> $3", dbID, value, selfID).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return k.taken(value)
	}
	return nil
}

// deleteRow deletes row id of table in the database and records its
// tombstone; notFound is returned when there is no such row.
func deleteRow(ctx context.Context, tx *txn, table string, dbID, id int64, notFound error) error {
	res, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE db_id = $1 AND id = $2", dbID, id)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return notFound
	}
	if err := countRow(ctx, tx, table, dbID, -1); err != nil {
		return err
	}
	recordChange(tx, dbID, changeKinds[table], id, 0, salesmania.OpDelete)
	return addTombstone(ctx, tx, dbID, table, id, salesmania.Now())
}

// lockForDelete locks row id of table until the transaction ends, on
// PostgreSQL, so that the checks of refusedIfReferenced that follow see
// every write that took the row into use before: such a write holds a lock
// on the row from its foreign-key check until it commits, and this waits
// for it. A write that names the row later waits for the delete instead,
// then fails its foreign key and is checked again (see retryWhileGone). It
// returns notFound when there is no such row. SQLite's single writer needs
// no lock.
func (s *Store) lockForDelete(ctx context.Context, tx *txn, table string, dbID, id int64, notFound error) error {
	if s.dialect != dialectPostgres {
		return nil
	}
	var one int
	err := tx.QueryRowContext(ctx, "SELECT 1 FROM "+table+" WHERE db_id = $1 AND id = $2 FOR UPDATE", dbID, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound
	}
	return err
}

// refusedIfReferenced reports ECONFLICT when a row of table refers to row id
// of a what through column, so it cannot be deleted.
func refusedIfReferenced(ctx context.Context, tx *txn, dbID, id int64, what, table, column string) error {
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM (SELECT 1 FROM "+table+" WHERE db_id = $1 AND "+column+" = $2 LIMIT 1) r", dbID, id).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return inUse(what, strings.ReplaceAll(table, "_", " "))
	}
	return nil
}

// inUse is the ECONFLICT error for deleting a what that rows of where refer
// to; the detail tells the client to set status false instead, as the
// published API advises.
func inUse(what, where string) error {
	return salesmania.Errorf(salesmania.ECONFLICT, "The %s is on %s, so it cannot be deleted; set status to false to retire it instead.", what, where)
}

// parseTags reads a JSON array of strings as the store writes it, without
// reflection for the common case of strings with no escapes.
func parseTags(s string) ([]string, error) {
	if s == "[]" {
		return []string{}, nil
	}
	if len(s) >= 4 && s[0] == '[' && s[len(s)-1] == ']' && !strings.Contains(s, `\`) {
		out := make([]string, 0, 4)
		rest := s[1 : len(s)-1]
		for {
			if len(rest) < 2 || rest[0] != '"' {
				break
			}
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 {
				break
			}
			out = append(out, rest[1:1+end])
			rest = rest[end+2:]
			if rest == "" {
				return out, nil
			}
			if rest[0] != ',' {
				break
			}
			rest = rest[1:]
		}
	}
	var out []string
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, err
	}
	if out == nil {
		out = []string{}
	}
	return out, nil
}

// countRow adds delta to the number of rows of table in the database, in
// the transaction that inserts or deletes them (see row_counts).
// The count is kept in tx.countShards shards (one on SQLite). On SQLite it
// is written at once; on PostgreSQL it is added in the write's last
// statement, with its feed entries (writeChangesPostgres), to the shard of
// the connection's backend process, so concurrent writes of one process
// (whose connections have distinct process ids) do not wait on each
// other's row lock, and no lock is taken before the write's end.
func countRow(ctx context.Context, tx *txn, table string, dbID, delta int64) error {
	if tx.postgres {
		tx.counts = append(tx.counts, rowCount{db: dbID, table: table, delta: delta})
		return nil
	}
	shard := 0
	if tx.countShards > 1 {
		shard = rand.IntN(tx.countShards)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO row_counts (db_id, resource, shard, n) VALUES ($1, $2, $3, $4)
		ON CONFLICT (db_id, resource, shard) DO UPDATE SET n = row_counts.n + excluded.n`, dbID, table, shard, delta)
	return err
}

// rowCount is a change of a row count that a PostgreSQL write has yet to
// store.
type rowCount struct {
	db    int64
	table string
	delta int64
}
