package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/salesmania/salesmania"
)

// Visit plans (§12).

func planNotFound(id int64) error {
	return salesmania.Errorf(salesmania.ENOTFOUND, "Visit plan %d not found.", id)
}

const planColumns = "p.id, p.team_id, p.customer_id, p.weekdays, p.every_weeks, p.start_date, p.end_date, p.duration_min, p.active, p.created_at, p.updated_at"

func scanPlanInto(row rowScanner, dbID int64, p *salesmania.VisitPlan) error {
	*p = salesmania.VisitPlan{DBID: dbID}
	var weekdays string
	var end sql.NullString
	var created, updated int64
	if err := row.Scan(&p.ID, &p.TeamID, &p.CustomerID, &weekdays, &p.EveryWeeks, &p.StartDate, &end, &p.DurationMin, &p.Active, &created, &updated); err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(weekdays), &p.Weekdays); err != nil {
		return err
	}
	if end.Valid {
		p.EndDate = &end.String
	}
	p.CreatedAt, p.UpdatedAt = fromMicros(created), fromMicros(updated)
	return nil
}

func weekdaysArg(days []int) string {
	b, _ := json.Marshal(days)
	return string(b)
}

// checkPlanRefs reports EINVALID naming team_id and customer_id when they
// are not of the database. On PostgreSQL it holds both rows (FOR KEY
// SHARE) until the plan commits, so a customer delete under way is waited
// for, and one that comes later finds the plan (409).
func (s *Store) checkPlanRefs(ctx context.Context, tx *txn, dbID int64, p *salesmania.VisitPlan) error {
	lock := ""
	if s.dialect == dialectPostgres {
		lock = " FOR KEY SHARE"
	}
	var pr salesmania.Problems
	var id int64
	if err := tx.QueryRowContext(ctx, "SELECT id FROM teams WHERE db_id = $1 AND id = $2"+lock, dbID, p.TeamID).Scan(&id); errors.Is(err, sql.ErrNoRows) {
		pr.Add("team_id", "is not a team of this database")
	} else if err != nil {
		return err
	}
	if err := tx.QueryRowContext(ctx, "SELECT id FROM customers WHERE db_id = $1 AND id = $2"+lock, dbID, p.CustomerID).Scan(&id); errors.Is(err, sql.ErrNoRows) {
		pr.Add("customer_id", "is not a customer of this database")
	} else if err != nil {
		return err
	}
	return pr.Err()
}

// CreateVisitPlan stores a new plan. EINVALID (team_id, customer_id) when
// they are not of the database.
func (s *Store) CreateVisitPlan(ctx context.Context, dbID int64, p *salesmania.VisitPlan) error {
	return s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		if err := s.checkPlanRefs(ctx, tx, dbID, p); err != nil {
			return err
		}
		id, err := s.nextID(ctx, tx, "visit_plans")
		if err != nil {
			return err
		}
		now := salesmania.Now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO visit_plans (db_id, id, team_id, customer_id, weekdays, every_weeks, start_date, end_date,
				duration_min, active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)`,
			dbID, id, p.TeamID, p.CustomerID, weekdaysArg(p.Weekdays), p.EveryWeeks, p.StartDate, ptrArg(p.EndDate), p.DurationMin, p.Active, micros(now)); err != nil {
			return err
		}
		p.ID, p.DBID, p.CreatedAt, p.UpdatedAt = id, dbID, now, now
		recordChange(tx, dbID, salesmania.ChangeVisitPlan, id, p.TeamID, salesmania.OpUpsert)
		return markCommitted(ctx, tx, salesmania.ResourceVisitPlan, dbID, id)
	})
}

func (s *Store) findPlan(ctx context.Context, db queryer, dbID int64, teams salesmania.TeamScope, id int64, lock string) (*salesmania.VisitPlan, error) {
	q := &query{}
	q.and("p.db_id = " + q.arg(dbID))
	q.and("p.id = " + q.arg(id))
	q.inTeams("p.team_id", teams)
	p := new(salesmania.VisitPlan)
	err := scanPlanInto(db.QueryRowContext(ctx, "SELECT "+planColumns+" FROM visit_plans p"+q.whereClause()+lock, q.args...), dbID, p)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, planNotFound(id)
	}
	return p, err
}

// FindVisitPlan returns one plan of a team in teams.
func (s *Store) FindVisitPlan(ctx context.Context, dbID int64, teams salesmania.TeamScope, id int64) (*salesmania.VisitPlan, error) {
	p, err := s.findPlan(ctx, s.r, dbID, teams, id, "")
	return p, s.wrap(err)
}

// UpdateVisitPlan applies a PATCH for principal p to a plan of its teams.
// A PATCH that changes nothing keeps updated_at.
func (s *Store) UpdateVisitPlan(ctx context.Context, dbID int64, p salesmania.Principal, id int64, f *salesmania.VisitPlanFields) (*salesmania.VisitPlan, error) {
	var out *salesmania.VisitPlan
	err := s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		plan, err := s.findPlan(ctx, tx, dbID, p.Teams(), id, s.forUpdate())
		if err != nil {
			return err
		}
		before := *plan
		changed, err := f.ApplyTo(plan, p)
		if err != nil {
			return err
		}
		out = plan
		if !changed {
			return nil
		}
		if plan.TeamID != before.TeamID {
			if err := s.checkPlanRefs(ctx, tx, dbID, plan); err != nil {
				return err
			}
		}
		plan.UpdatedAt = salesmania.Now()
		recordTeamMove(tx, dbID, salesmania.ChangeVisitPlan, id, before.TeamID, plan.TeamID)
		_, err = tx.ExecContext(ctx, `UPDATE visit_plans SET team_id = $3, weekdays = $4, every_weeks = $5, start_date = $6, end_date = $7,
				duration_min = $8, active = $9, updated_at = $10 WHERE db_id = $1 AND id = $2`,
			dbID, id, plan.TeamID, weekdaysArg(plan.Weekdays), plan.EveryWeeks, plan.StartDate, ptrArg(plan.EndDate), plan.DurationMin,
			plan.Active, micros(plan.UpdatedAt))
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteVisitPlan deletes a plan of a team in teams and the record of its
// materialised occurrences. The visits it made stay, with their plan_id.
func (s *Store) DeleteVisitPlan(ctx context.Context, dbID int64, teams salesmania.TeamScope, id int64) error {
	return s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		plan, err := s.findPlan(ctx, tx, dbID, teams, id, s.forUpdate())
		if err != nil {
			return err
		}
		recordChange(tx, dbID, salesmania.ChangeVisitPlan, id, plan.TeamID, salesmania.OpDelete)
		if _, err := tx.ExecContext(ctx, "DELETE FROM visit_plan_occurrences WHERE db_id = $1 AND plan_id = $2", dbID, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM visit_plans WHERE db_id = $1 AND id = $2", dbID, id); err != nil {
			return err
		}
		return addTombstone(ctx, tx, dbID, "visit_plans", id, salesmania.Now())
	})
}

// ListVisitPlans returns one page of plans, by id or by (updated_at, id).
func (s *Store) ListVisitPlans(ctx context.Context, dbID int64, f salesmania.VisitPlanFilter) (*salesmania.Page[salesmania.VisitPlan], error) {
	q := &query{}
	q.and("p.db_id = " + q.arg(dbID))
	q.inTeams("p.team_id", f.Teams)
	if f.CustomerID != 0 {
		q.and("p.customer_id = " + q.arg(f.CustomerID))
	}
	if f.Active != nil {
		q.and("p.active = " + q.arg(*f.Active))
	}
	return listByKeyset(ctx, s, planColumns, "visit_plans p", q, f.ListParams, "p.updated_at", "p.id",
		func(r rowScanner, p *salesmania.VisitPlan) error { return scanPlanInto(r, dbID, p) },
		func(p *salesmania.VisitPlan) (time.Time, int64) { return p.UpdatedAt, p.ID })
}

// MaterializeVisitPlans makes a visit for every occurrence from..to of
// every active plan of the teams that was never materialised before,
// appended after each day's visits in plan id order. Each team's routes are
// locked while its plans are materialised, and every (plan, date) is
// recorded in the same transaction, so concurrent calls — on any number of
// server processes — make each occurrence once.
func (s *Store) MaterializeVisitPlans(ctx context.Context, dbID int64, teams salesmania.TeamScope, from, to string) (*salesmania.MaterializeResult, error) {
	out := &salesmania.MaterializeResult{Days: []salesmania.MaterializedDay{}}
	err := s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		*out = salesmania.MaterializeResult{Days: []salesmania.MaterializedDay{}}
		q := &query{}
		q.and("p.db_id = " + q.arg(dbID))
		q.inTeams("p.team_id", teams)
		q.and("p.active = " + q.arg(true))
		q.and("p.start_date <= " + q.arg(to))
		q.and("(p.end_date IS NULL OR p.end_date >= " + q.arg(from) + ")")
		rows, err := tx.QueryContext(ctx, "SELECT "+planColumns+" FROM visit_plans p"+q.whereClause()+" ORDER BY p.team_id, p.id", q.args...)
		if err != nil {
			return err
		}
		var plans []salesmania.VisitPlan
		for rows.Next() {
			plans = append(plans, salesmania.VisitPlan{})
			if err := scanPlanInto(rows, dbID, &plans[len(plans)-1]); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		dates := salesmania.Dates(from, to)
		locked := map[int64]bool{}
		type dayKey struct {
			date string
			team int64
		}
		made := map[dayKey]int{}
		for _, date := range dates {
			for i := range plans {
				p := &plans[i]
				if !p.OccursOn(date) {
					continue
				}
				if !locked[p.TeamID] {
					// Plans are in team order, so teams are locked in
					// one order by every materialisation.
					if err := s.lockTeam(ctx, tx, dbID, p.TeamID); err != nil {
						return err
					}
					locked[p.TeamID] = true
				}
				res, err := tx.ExecContext(ctx, `INSERT INTO visit_plan_occurrences (db_id, plan_id, date) VALUES ($1, $2, $3)
					ON CONFLICT (db_id, plan_id, date) DO NOTHING`, dbID, p.ID, date)
				if err != nil {
					return err
				}
				if n, err := res.RowsAffected(); err != nil {
					return err
				} else if n == 0 {
					continue // materialised before
				}
				v := salesmania.Visit{Date: date, TeamID: p.TeamID, CustomerID: p.CustomerID, Status: salesmania.VisitPlanned,
					PlanID: &p.ID, DurationMin: p.DurationMin}
				if err := s.insertVisit(ctx, tx, dbID, &v); err != nil {
					return err
				}
				made[dayKey{date, p.TeamID}]++
				out.Created++
			}
		}
		for k, n := range made {
			out.Days = append(out.Days, salesmania.MaterializedDay{Date: k.date, TeamID: k.team, Created: n})
		}
		slices.SortFunc(out.Days, func(a, b salesmania.MaterializedDay) int {
			if a.Date != b.Date {
				if a.Date < b.Date {
					return -1
				}
				return 1
			}
			return int(a.TeamID - b.TeamID)
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
