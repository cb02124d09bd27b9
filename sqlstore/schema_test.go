package sqlstore_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"

	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// globalTables are the PostgreSQL tables without db_id: Citus reference or
// coordinator-local tables (README, Scaling). A new table is a tenant
// table, with db_id, unless it is added here on purpose.
var globalTables = []string{
	"auth_epoch", "auth_listeners", "login_failures",
	"schema_migrations", "settings", "tokens", "users",
}

// TestPostgresSchemaDistributes reads PostgreSQL's catalog after the
// migrations and fails if a tenant table (one with db_id) has a primary
// key, unique constraint or unique index that does not lead with db_id, or
// a foreign key to another tenant table that does not lead with db_id on
// both sides: the README's Citus statements must stay true as tables are
// added.
func TestPostgresSchemaDistributes(t *testing.T) {
	s := sqlstoretest.MustOpen(t, "postgres")
	err := s.WriteTx(t.Context(), func(ctx context.Context, tx *sql.Tx) error {
		tenant := map[string]bool{}
		rows, err := tx.QueryContext(ctx, `
			SELECT c.relname, EXISTS (SELECT 1 FROM pg_attribute a
				WHERE a.attrelid = c.oid AND a.attname = 'db_id' AND NOT a.attisdropped)
			FROM pg_class c
			WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
			ORDER BY c.relname`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var name string
			var hasDBID bool
			if err := rows.Scan(&name, &hasDBID); err != nil {
				return err
			}
			tenant[name] = hasDBID
			if !hasDBID && !slices.Contains(globalTables, name) {
				t.Errorf("table %s has no db_id and is not among the global tables", name)
			}
			if hasDBID && slices.Contains(globalTables, name) {
				t.Errorf("table %s has db_id but is listed as global", name)
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, name := range globalTables {
			if _, ok := tenant[name]; !ok {
				t.Errorf("global table %s does not exist", name)
			}
		}
		if len(tenant) < 20 {
			t.Fatalf("%d tables in the schema; the catalog query is broken", len(tenant))
		}

		// Unique indexes: primary keys and unique constraints have one
		// each, and a plain unique index counts the same for Citus.
		rows, err = tx.QueryContext(ctx, `
			SELECT t.relname, i.relname, a.attname
			FROM pg_index x
			JOIN pg_class t ON t.oid = x.indrelid
			JOIN pg_class i ON i.oid = x.indexrelid
			LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0]
			WHERE t.relnamespace = current_schema()::regnamespace AND x.indisunique
			ORDER BY 1, 2`)
		if err != nil {
			return err
		}
		checked := 0
		for rows.Next() {
			var table, index string
			var first sql.NullString
			if err := rows.Scan(&table, &index, &first); err != nil {
				return err
			}
			if tenant[table] {
				checked++
				if first.String != "db_id" {
					t.Errorf("unique index %s of tenant table %s leads with %q, not db_id", index, table, first.String)
				}
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if checked < 15 {
			t.Fatalf("%d unique indexes of tenant tables checked; the catalog query is broken", checked)
		}

		// Foreign keys among tenant tables.
		rows, err = tx.QueryContext(ctx, `
			SELECT c.conname, t.relname, r.relname, ka.attname, ra.attname
			FROM pg_constraint c
			JOIN pg_class t ON t.oid = c.conrelid
			JOIN pg_class r ON r.oid = c.confrelid
			JOIN pg_attribute ka ON ka.attrelid = c.conrelid AND ka.attnum = c.conkey[1]
			JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[1]
			WHERE c.contype = 'f' AND t.relnamespace = current_schema()::regnamespace
			ORDER BY 1`)
		if err != nil {
			return err
		}
		checked = 0
		for rows.Next() {
			var name, table, ref, from, to string
			if err := rows.Scan(&name, &table, &ref, &from, &to); err != nil {
				return err
			}
			if tenant[table] && tenant[ref] {
				checked++
				if from != "db_id" || to != "db_id" {
					t.Errorf("foreign key %s from %s to %s leads with %s → %s, not db_id → db_id", name, table, ref, from, to)
				}
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if checked < 10 {
			t.Fatalf("%d foreign keys among tenant tables checked; the catalog query is broken", checked)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
