package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/salesmania/salesmania"
)

// The change feed (§14).
//
// Every write records what it changed (recordChange) and, just before it
// commits, stores one entry per changed row (writeChanges), replacing the
// row's earlier entry. Entries are ordered by (txid, rev), and a reader
// asks for those after its position. What makes that never skip a change
// differs by database:
//
// On SQLite txid is 0 and rev is taken from the database's row of
// change_heads. Every write runs on the one writer, so revisions follow
// commit order: a reader that sees revision r sees every change below it
// that will ever exist.
//
// On PostgreSQL txid is the writing transaction's id, pg_current_xact_id()
// (64 bits, it never wraps around), and rev a number from a sequence, both
// taken without waiting for anyone. A reader hands out only entries whose
// txid is below its snapshot's xmin, pg_snapshot_xmin(pg_current_snapshot()),
// the oldest transaction still running, read in the same snapshot as the
// page: every transaction below it has committed (and is in the snapshot)
// or rolled back, so no entry below xmin can appear later, on any process.
// Any transaction still running, and any to come, has an id of at least
// xmin, so it lands after every position given out. The cost: the feed
// lags behind the oldest write transaction running in the cluster; a stuck
// transaction holds the feed back, but loses nothing.
//
// txid also counts the database's change_clock.base (0 unless it was
// restored into another cluster; see rebaseChangeClock), so ids of a new
// cluster still come after those of positions given out before.

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

// writeChanges stores the write's changes, each replacing the row's
// earlier entry.
func writeChanges(ctx context.Context, tx *txn) error {
	if tx.postgres {
		return writeChangesPostgres(ctx, tx)
	}
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
			if _, err := tx.ExecContext(ctx, `INSERT INTO changes (db_id, kind, id, txid, rev, op, team_id, prev_team_id) VALUES ($1, $2, $3, 0, $4, $5, $6, $7)
				ON CONFLICT (db_id, kind, id) DO UPDATE SET txid = 0, rev = excluded.rev, op = excluded.op, team_id = excluded.team_id,
					prev_team_id = COALESCE(excluded.prev_team_id, changes.prev_team_id)`,
				dbID, c.kind, c.id, rev, c.op, team, left); err != nil {
				return err
			}
		}
		tx.changes = rest
	}
	return nil
}

// writeChangesPostgres stores the changes, and the row counts the write
// changed (countRow), in one statement, with the transaction's id and
// numbers from change_rev_seq. The entries are written in (db_id, kind, id)
// order, so two writes that change the same rows lock their entries in the
// same order; every write takes these locks last, after every other lock
// it takes, and holds them only for its commit.
func writeChangesPostgres(ctx context.Context, tx *txn) error {
	if len(tx.changes) == 0 && len(tx.counts) == 0 {
		return nil
	}
	slices.SortFunc(tx.changes, func(a, b change) int {
		return cmp.Or(cmp.Compare(a.db, b.db), cmp.Compare(a.kind, b.kind), cmp.Compare(a.id, b.id))
	})
	n := len(tx.changes)
	dbs, ids, teams, lefts := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	kinds, ops := make([]string, n), make([]string, n)
	for i, c := range tx.changes {
		dbs[i], kinds[i], ids[i], ops[i], teams[i] = c.db, c.kind, c.id, c.op, c.team
		if c.left != c.team {
			lefts[i] = c.left
		}
	}
	countDBs, tables, deltas := make([]int64, len(tx.counts)), make([]string, len(tx.counts)), make([]int64, len(tx.counts))
	for i, c := range tx.counts {
		countDBs[i], tables[i], deltas[i] = c.db, c.table, c.delta
	}
	tx.changes, tx.counts = tx.changes[:0], tx.counts[:0]
	_, err := tx.ExecContext(ctx, `WITH counted AS (
			INSERT INTO row_counts (db_id, resource, shard, n)
			SELECT r.db_id, r.resource, pg_backend_pid() % $10, sum(r.n) FROM unnest($7::bigint[], $8::text[], $9::bigint[]) AS r(db_id, resource, n)
			GROUP BY r.db_id, r.resource
			ON CONFLICT (db_id, resource, shard) DO UPDATE SET n = row_counts.n + excluded.n
		)
		INSERT INTO changes (db_id, kind, id, txid, rev, op, team_id, prev_team_id)
		SELECT u.db_id, u.kind, u.id, COALESCE((SELECT k.base FROM change_clock k WHERE k.db_id = u.db_id), 0) + pg_current_xact_id()::text::bigint,
			nextval('change_rev_seq'), u.op, NULLIF(u.team_id, 0), NULLIF(u.prev_team_id, 0)
		FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::bigint[], $6::bigint[]) WITH ORDINALITY
			AS u(db_id, kind, id, op, team_id, prev_team_id, n)
		ORDER BY u.n
		ON CONFLICT (db_id, kind, id) DO UPDATE SET txid = excluded.txid, rev = excluded.rev, op = excluded.op, team_id = excluded.team_id,
			prev_team_id = COALESCE(excluded.prev_team_id, changes.prev_team_id)`,
		dbs, kinds, ids, ops, teams, lefts, countDBs, tables, deltas, postgresCountShards)
	return err
}

// rebaseChangeClock raises the change_clock.base of every database whose
// entries carry transaction ids this cluster has not given out yet: the
// database was restored from a dump of another cluster, whose ids ran
// higher. Its new entries then come after every entry, and every position,
// of the old cluster. It runs when the store opens, under the migrations'
// lock; start servers on a restored database only after the restore.
func rebaseChangeClock(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `WITH now AS (SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xmax),
		heads AS (SELECT d.db_id, (SELECT max(c.txid) FROM changes c WHERE c.db_id = d.db_id) AS txid FROM databases d)
		INSERT INTO change_clock (db_id, base)
		SELECT h.db_id, h.txid - now.xmax + 1 FROM heads h, now
		WHERE h.txid >= now.xmax + COALESCE((SELECT k.base FROM change_clock k WHERE k.db_id = h.db_id), 0)
		ON CONFLICT (db_id) DO UPDATE SET base = excluded.base`)
	return err
}

// ListChanges returns one page of a database's feed after f.After, oldest
// first, each change with the row as it is now (deleted rows: nil). The
// page and its rows come from one snapshot; on PostgreSQL the page holds
// only changes of transactions below the snapshot's xmin (see the top of
// this file). Visits, visit plans and orders of teams outside f.Teams are
// left out.
//
// On PostgreSQL a page that ends before changes already committed but held
// back (an older transaction of the cluster still runs) is read again,
// for up to feedCatchUpWait, until the transactions older than those
// changes have ended: so a client that wrote and then reads the feed finds
// its write unless some transaction older than it stays open that long.
func (s *Store) ListChanges(ctx context.Context, dbID int64, f salesmania.FeedFilter) (*salesmania.FeedPage, error) {
	deadline := time.Now().Add(feedCatchUpWait)
	var target int64
	for {
		page, xmin, held, err := s.listChanges(ctx, dbID, f)
		if err != nil || page.HasMore || held == 0 || target != 0 && xmin > target || time.Now().After(deadline) {
			return page, err
		}
		if target == 0 {
			target = held
		}
		select {
		case <-ctx.Done():
			return page, nil
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// feedCatchUpWait bounds how long ListChanges waits for older transactions
// to end, on PostgreSQL.
const feedCatchUpWait = time.Second

// listChanges reads one page. On PostgreSQL it also returns the page's
// watermark xmin and the highest txid of this database's entries held back
// at or above it (0: none).
func (s *Store) listChanges(ctx context.Context, dbID int64, f salesmania.FeedFilter) (page *salesmania.FeedPage, xmin, held int64, err error) {
	opts := &sql.TxOptions{ReadOnly: true}
	if s.dialect == dialectPostgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	sqlTx, err := s.read.BeginTx(ctx, opts)
	if err != nil {
		return nil, 0, 0, s.wrap(err)
	}
	defer sqlTx.Rollback()
	tx := &txn{Tx: sqlTx}
	q := &query{}
	q.and("c.db_id = " + q.arg(dbID))
	q.and("(c.txid, c.rev) > (" + q.arg(f.After.Tx) + ", " + q.arg(f.After.Rev) + ")")
	if s.dialect == dialectPostgres {
		// The first statement of the transaction: its snapshot, taken
		// here, is the page's (repeatable read).
		if err := tx.QueryRowContext(ctx, `SELECT w.xmin, COALESCE((SELECT max(c.txid) FROM changes c WHERE c.db_id = $1 AND c.txid >= w.xmin), 0)
			FROM (SELECT COALESCE((SELECT k.base FROM change_clock k WHERE k.db_id = $1), 0) + pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin) w`,
			dbID).Scan(&xmin, &held); err != nil {
			return nil, 0, 0, s.wrap(err)
		}
		q.and("c.txid < " + q.arg(xmin))
	}
	if !f.Teams.IsAll() {
		team, _ := f.Teams.Team()
		t := q.arg(team)
		q.and("(c.team_id IS NULL OR c.team_id = " + t + " OR c.prev_team_id = " + t + ")")
	}
	rows, err := tx.QueryContext(ctx, "SELECT c.kind, c.id, c.txid, c.rev, c.op, c.team_id FROM changes c"+q.whereClause()+
		" ORDER BY c.txid, c.rev LIMIT "+q.arg(f.Limit+1), q.args...)
	if err != nil {
		return nil, 0, 0, s.wrap(err)
	}
	page = &salesmania.FeedPage{Data: []salesmania.Change{}, Next: f.After}
	for rows.Next() {
		var c salesmania.Change
		var team sql.NullInt64
		if err := rows.Scan(&c.Kind, &c.ID, &c.Pos.Tx, &c.Pos.Rev, &c.Op, &team); err != nil {
			rows.Close()
			return nil, 0, 0, s.wrap(err)
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
		return nil, 0, 0, s.wrap(err)
	}
	if len(page.Data) > f.Limit {
		page.Data, page.HasMore = page.Data[:f.Limit], true
	}
	if n := len(page.Data); n > 0 {
		page.Next = page.Data[n-1].Pos
	}
	if err := s.loadChangeObjects(ctx, tx, dbID, page.Data); err != nil {
		return nil, 0, 0, s.wrap(err)
	}
	return page, xmin, held, nil
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

func sameLocation(a, b *salesmania.Location) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

// WaitFeedCurrent returns once the feed holds every write that had
// finished when it was called. On SQLite that is at once. On PostgreSQL
// the feed hands out only what is below the oldest transaction running in
// the cluster, so this waits until every transaction running at the call,
// of any database of the cluster, has ended (or ctx is done). Tests use it
// before checking that a feed client has caught up.
func (s *Store) WaitFeedCurrent(ctx context.Context) error {
	if s.dialect != dialectPostgres {
		return nil
	}
	var target int64
	if err := s.read.QueryRowContext(ctx, "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint").Scan(&target); err != nil {
		return s.wrap(err)
	}
	for {
		var xmin int64
		if err := s.read.QueryRowContext(ctx, "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint").Scan(&xmin); err != nil {
			return s.wrap(err)
		}
		if xmin >= target {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
}
