package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/salesmania/salesmania"
)

// The change feed (§14).
//
// Every write records what it changed (recordChange) and, just before it
// commits, takes one revision per change from its database's row of
// change_heads (writeChanges). Taking it locks that row until the commit,
// so the writes of one database take their revisions in the order they
// commit: a write that took revision r has committed, or rolled back,
// before any other takes r+1. A reader that sees revision r therefore sees
// every change below r that will ever exist, on any number of server
// processes — unlike updated_at, which is stamped before a commit that may
// come later than another's. The cost is that writes of one database
// serialise for the moment between their last statement and their commit
// (SQLite serialises every write anyway).

// change is one row of data a write changed.
type change struct {
	db   int64
	kind string
	id   int64
	team int64 // of visits, visit plans and orders
	op   string
	left int64 // the team the row moved away from in this write, if any
}

// recordChange notes that the write changed a row; a row changed twice in
// one write gets one entry.
func recordChange(tx *txn, dbID int64, kind string, id, team int64, op string) {
	for i, c := range tx.changes {
		if c.db == dbID && c.kind == kind && c.id == id {
			tx.changes[i].op, tx.changes[i].team = op, team
			return
		}
	}
	tx.changes = append(tx.changes, change{db: dbID, kind: kind, id: id, team: team, op: op})
}

// recordTeamMove notes that a row of a team-owned kind moved from team
// from to another: members of from then see it deleted in the feed.
func recordTeamMove(tx *txn, dbID int64, kind string, id, from, to int64) {
	recordChange(tx, dbID, kind, id, to, salesmania.OpUpsert)
	for i, c := range tx.changes {
		if c.db == dbID && c.kind == kind && c.id == id {
			tx.changes[i].left = from
		}
	}
}

// writeChanges gives the write's changes their revisions and stores them,
// each replacing the row's earlier entry.
func writeChanges(ctx context.Context, tx *txn) error {
	for len(tx.changes) > 0 {
		// Writes touch one database; should one touch more, each gets its
		// own revisions.
		dbID := tx.changes[0].db
		var mine, rest []change
		for _, c := range tx.changes {
			if c.db == dbID {
				mine = append(mine, c)
			} else {
				rest = append(rest, c)
			}
		}
		var last int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO change_heads (db_id, rev) VALUES ($1, $2)
			ON CONFLICT (db_id) DO UPDATE SET rev = change_heads.rev + excluded.rev RETURNING rev`, dbID, len(mine)).Scan(&last); err != nil {
			return err
		}
		rev := last - int64(len(mine))
		for _, c := range mine {
			rev++
			var team, left any
			if c.team != 0 {
				team = c.team
			}
			if c.left != 0 && c.left != c.team {
				left = c.left
			}
			// A row that moved team keeps the team it left (until it moves
			// again), whose members see it deleted.
			if _, err := tx.ExecContext(ctx, `INSERT INTO changes (db_id, kind, id, rev, op, team_id, prev_team_id) VALUES ($1, $2, $3, $4, $5, $6, $7)
				ON CONFLICT (db_id, kind, id) DO UPDATE SET rev = excluded.rev, op = excluded.op, team_id = excluded.team_id,
					prev_team_id = COALESCE(excluded.prev_team_id, changes.prev_team_id)`,
				dbID, c.kind, c.id, rev, c.op, team, left); err != nil {
				return err
			}
		}
		tx.changes = rest
	}
	return nil
}

// ListChanges returns one page of a database's feed after f.After, oldest
// first, each change with the row as it is now (deleted rows: nil). The
// page and its rows come from one snapshot. Visits, visit plans and orders
// of teams outside f.Teams are left out.
func (s *Store) ListChanges(ctx context.Context, dbID int64, f salesmania.FeedFilter) (*salesmania.FeedPage, error) {
	opts := &sql.TxOptions{ReadOnly: true}
	if s.dialect == dialectPostgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	sqlTx, err := s.read.BeginTx(ctx, opts)
	if err != nil {
		return nil, s.wrap(err)
	}
	defer sqlTx.Rollback()
	tx := &txn{Tx: sqlTx}
	q := &query{}
	q.and("c.db_id = " + q.arg(dbID))
	q.and("c.rev > " + q.arg(f.After.Rev))
	if !f.Teams.IsAll() {
		team, _ := f.Teams.Team()
		t := q.arg(team)
		q.and("(c.team_id IS NULL OR c.team_id = " + t + " OR c.prev_team_id = " + t + ")")
	}
	rows, err := tx.QueryContext(ctx, "SELECT c.kind, c.id, c.rev, c.op, c.team_id FROM changes c"+q.whereClause()+
		" ORDER BY c.rev LIMIT "+q.arg(f.Limit+1), q.args...)
	if err != nil {
		return nil, s.wrap(err)
	}
	page := &salesmania.FeedPage{Data: []salesmania.Change{}, Next: f.After}
	for rows.Next() {
		var c salesmania.Change
		var team sql.NullInt64
		if err := rows.Scan(&c.Kind, &c.ID, &c.Pos.Rev, &c.Op, &team); err != nil {
			rows.Close()
			return nil, s.wrap(err)
		}
		c.Pos.DBID, c.TeamID = dbID, team.Int64
		if team.Valid && !f.Teams.Includes(team.Int64) {
			// Matched by prev_team_id: the row moved away from the
			// caller's team, which no longer sees it.
			c.Op = salesmania.OpDelete
		}
		page.Data = append(page.Data, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, s.wrap(err)
	}
	if len(page.Data) > f.Limit {
		page.Data, page.HasMore = page.Data[:f.Limit], true
	}
	if n := len(page.Data); n > 0 {
		page.Next = page.Data[n-1].Pos
	}
	if err := s.loadChangeObjects(ctx, tx, dbID, page.Data); err != nil {
		return nil, s.wrap(err)
	}
	return page, nil
}

// loadChangeObjects sets the Object of every upsert to its row, read in
// the page's snapshot, one query per kind.
func (s *Store) loadChangeObjects(ctx context.Context, tx *txn, dbID int64, changes []salesmania.Change) error {
	ids := map[string][]int64{}
	for _, c := range changes {
		if c.Op == salesmania.OpUpsert {
			ids[c.Kind] = append(ids[c.Kind], c.ID)
		}
	}
	objects := map[string]map[int64]any{}
	load := func(kind, columns, from, alias string, scan func(rowScanner) (int64, any, error)) error {
		if len(ids[kind]) == 0 {
			return nil
		}
		q := &query{}
		q.and(alias + ".db_id = " + q.arg(dbID))
		q.and(idIn(q, s.dialect, alias+".id", ids[kind]))
		rows, err := tx.QueryContext(ctx, "SELECT "+columns+" FROM "+from+q.whereClause(), q.args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		objects[kind] = map[int64]any{}
		for rows.Next() {
			id, obj, err := scan(rows)
			if err != nil {
				return err
			}
			objects[kind][id] = obj
		}
		return rows.Err()
	}
	var orders []*salesmania.Order
	for _, l := range []struct {
		kind, columns, from, alias string
		scan                       func(rowScanner) (int64, any, error)
	}{
		{salesmania.ChangeCustomer, customerColumns, "customers c", "c", func(r rowScanner) (int64, any, error) {
			c, err := scanCustomer(r, dbID)
			if err != nil {
				return 0, nil, err
			}
			return c.ID, c, nil
		}},
		{salesmania.ChangeProduct, productColumns, "products p", "p", func(r rowScanner) (int64, any, error) {
			p, err := scanProduct(r, dbID)
			if err != nil {
				return 0, nil, err
			}
			return p.ID, p, nil
		}},
		{salesmania.ChangeVisit, visitColumns, visitFrom, "v", func(r rowScanner) (int64, any, error) {
			v, err := scanVisit(r, dbID)
			if err != nil {
				return 0, nil, err
			}
			return v.ID, v, nil
		}},
		{salesmania.ChangeVisitPlan, planColumns, "visit_plans p", "p", func(r rowScanner) (int64, any, error) {
			p := new(salesmania.VisitPlan)
			if err := scanPlanInto(r, dbID, p); err != nil {
				return 0, nil, err
			}
			return p.ID, p, nil
		}},
		{salesmania.ChangeOrder, orderColumns, "orders o", "o", func(r rowScanner) (int64, any, error) {
			o, err := scanOrder(r, dbID)
			if err != nil {
				return 0, nil, err
			}
			orders = append(orders, o)
			return o.ID, o, nil
		}},
	} {
		if err := load(l.kind, l.columns, l.from, l.alias, l.scan); err != nil {
			return err
		}
	}
	if len(orders) > 0 {
		if err := loadLines(ctx, tx, s.dialect, dbID, orders); err != nil {
			return err
		}
	}
	for i := range changes {
		c := &changes[i]
		if c.Op != salesmania.OpUpsert {
			continue
		}
		obj, ok := objects[c.Kind][c.ID]
		if !ok {
			// The change says the row exists, the snapshot has it not:
			// every delete records its change, so this is a bug.
			return errFeedRowMissing
		}
		c.Object = obj
	}
	return nil
}

var errFeedRowMissing = errors.New("sqlstore: a change's row is missing from the feed's snapshot")

// changeKinds names the feed kind of the tables deleteRow deletes from.
var changeKinds = map[string]string{"customers": salesmania.ChangeCustomer, "products": salesmania.ChangeProduct}

// recordCustomerVisits records a change of every visit of a customer,
// whose summary each visit shows.
func recordCustomerVisits(ctx context.Context, tx *txn, dbID, customerID int64) error {
	rows, err := tx.QueryContext(ctx, "SELECT id, team_id FROM visits WHERE db_id = $1 AND customer_id = $2", dbID, customerID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, team int64
		if err := rows.Scan(&id, &team); err != nil {
			return err
		}
		recordChange(tx, dbID, salesmania.ChangeVisit, id, team, salesmania.OpUpsert)
	}
	return rows.Err()
}

func sameLocation(a, b *salesmania.Location) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}
