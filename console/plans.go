package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/salesmania/salesmania"
)

type planRow struct {
	Plan     salesmania.VisitPlan
	Customer string
	Team     string
}

// planForm is the add form's values, as typed.
type planForm struct {
	Team                                int64
	Customer                            string
	Weekdays                            map[int]bool
	EveryWeeks, Start, End, DurationMin string
}

type plansData struct {
	Team      int64 // the team filter; 0 for every team in scope
	Teams     []salesmania.Team
	Rows      []planRow
	Customers []salesmania.Customer // offered by the add form
	Form      planForm
	Weekdays  []int
	NextWeek  [2]string // Monday and Sunday of next week
	Next      string
}

// nextWeek returns the Monday and Sunday of the week after today's.
func nextWeek(today string) (string, string) {
	d, _ := time.Parse(time.DateOnly, today)
	monday := d.AddDate(0, 0, 8-salesmania.ISOWeekday(d))
	return monday.Format(time.DateOnly), monday.AddDate(0, 0, 6).Format(time.DateOnly)
}

// plansPage gathers the plans page of a team (0: every team in scope).
func (c *Console) plansPage(r *http.Request, s *session, team int64, after salesmania.Cursor) (*plansData, error) {
	scope, err := s.Principal.Teams().Narrow(team)
	if err != nil {
		return nil, err
	}
	n, teams, err := c.names(r, s.DBID)
	if err != nil {
		return nil, err
	}
	d := &plansData{Team: team, Teams: scopeTeams(teams, s.Principal), Weekdays: []int{1, 2, 3, 4, 5, 6, 7}}
	if team != 0 && !teamIn(d.Teams, team) {
		return nil, &salesmania.Error{Code: salesmania.EBADREQUEST, Message: "No such team in this database.",
			Fields: []salesmania.FieldError{{Field: "team", Message: "is not a team of this database"}}}
	}
	pg, err := c.store.ListVisitPlans(r.Context(), s.DBID, salesmania.VisitPlanFilter{Teams: scope,
		ListParams: salesmania.ListParams{Limit: listPageSize, After: after}})
	if err != nil {
		return nil, err
	}
	for _, p := range pg.Data {
		name, err := n.customer(p.CustomerID)
		if err != nil {
			return nil, err
		}
		d.Rows = append(d.Rows, planRow{Plan: p, Customer: name, Team: n.teams[p.TeamID]})
	}
	if pg.NextCursor != nil {
		link := url.Values{"cursor": {*pg.NextCursor}}
		if team != 0 {
			link.Set("team", strconv.FormatInt(team, 10))
		}
		d.Next = "/console/plans?" + link.Encode()
	}
	active := true
	cust, err := c.store.ListCustomers(r.Context(), s.DBID, salesmania.CustomerFilter{Status: &active,
		ListParams: salesmania.ListParams{Limit: salesmania.MaxListLimit}})
	if err != nil {
		return nil, err
	}
	d.Customers = cust.Data
	settings, err := c.store.FindSettings(r.Context(), s.DBID)
	if err != nil {
		return nil, err
	}
	d.NextWeek[0], d.NextWeek[1] = nextWeek(settings.Today(c.now()))
	d.Form = planForm{Team: team, Weekdays: map[int]bool{}, EveryWeeks: "1", Start: d.NextWeek[0],
		DurationMin: strconv.Itoa(salesmania.DefaultVisitDuration)}
	if d.Form.Team == 0 {
		d.Form.Team = s.Principal.TeamID
	}
	return d, nil
}

// handlePlans lists a team's visit plans (an admin's: every team's, or
// one's), with the form to add one.
func (c *Console) handlePlans() handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, s *session) error {
		q := newQuery(r, "team", "cursor")
		team := q.id("team")
		after := q.cursor()
		if err := q.err(); err != nil {
			return err
		}
		d, err := c.plansPage(r, s, team, after)
		if err != nil {
			return err
		}
		notice := ""
		if made := r.URL.Query().Get("made"); made != "" {
			notice = "Made " + made + " visits for next week."
		} else if r.URL.Query().Get("added") != "" {
			notice = "Plan added."
		} else if r.URL.Query().Get("deleted") != "" {
			notice = "Plan deleted; the visits it made stay."
		}
		c.render(w, r, http.StatusOK, "plans", &page{Title: "Visit plans", Nav: "plans", Session: s, Data: d, Notice: notice})
		return nil
	}
}

func back(team string, flag string) string {
	v := url.Values{flag: {"1"}}
	if id, err := strconv.ParseInt(team, 10, 64); err == nil && id > 0 {
		v.Set("team", team)
	}
	return "/console/plans?" + v.Encode()
}

// handlePlanCreate adds a plan from the form, judged by the domain as a
// POST /visit-plans body is.
func (c *Console) handlePlanCreate() handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, s *session) error {
		var parse salesmania.Problems
		f := salesmania.VisitPlanFields{StartDate: formText(r, "start_date"), Nulls: map[string]bool{}}
		if team := strings.TrimSpace(r.PostFormValue("team_id")); team != "" {
			if id, err := strconv.ParseInt(team, 10, 64); err != nil {
				parse.Add("team_id", "must be the id of a team of this database")
			} else {
				f.TeamID = &id
			}
		}
		if cust := strings.TrimSpace(r.PostFormValue("customer_id")); cust != "" {
			if id, err := strconv.ParseInt(cust, 10, 64); err != nil {
				parse.Add("customer_id", "must be the id of a customer of this database")
			} else {
				f.CustomerID = &id
			}
		}
		days := []float64{}
		for _, v := range r.PostForm["weekdays"] {
			if d, err := strconv.Atoi(v); err == nil {
				days = append(days, float64(d))
			} else {
				parse.Add("weekdays", "must be ISO weekdays, 1 (Monday) to 7 (Sunday)")
			}
		}
		f.Weekdays = &days
		f.EveryWeeks = formNumber(r, &parse, "every_weeks")
		f.DurationMin = formNumber(r, &parse, "duration_min")
		if end := formText(r, "end_date"); end != nil && strings.TrimSpace(*end) != "" {
			f.EndDate = end
		}
		plan, err := f.NewVisitPlan(s.Principal)
		if err == nil && len(parse.Fields) == 0 {
			err = c.store.CreateVisitPlan(r.Context(), s.DBID, plan)
		}
		if err = merge(parse, err); err != nil {
			d, perr := c.plansPage(r, s, 0, salesmania.Cursor{})
			if perr != nil {
				return perr
			}
			d.Form = planForm{Customer: r.PostFormValue("customer_id"), Weekdays: map[int]bool{}, EveryWeeks: r.PostFormValue("every_weeks"),
				Start: r.PostFormValue("start_date"), End: r.PostFormValue("end_date"), DurationMin: r.PostFormValue("duration_min")}
			if f.TeamID != nil {
				d.Form.Team = *f.TeamID
			}
			for _, v := range days {
				d.Form.Weekdays[int(v)] = true
			}
			return c.formFailed(w, r, s, err, "plans", &page{Title: "Visit plans", Nav: "plans", Session: s, Data: d})
		}
		redirect(w, r, back(r.PostFormValue("team"), "added"))
		return nil
	}
}

// handlePlanDelete deletes a plan of the caller's teams; its visits stay.
func (c *Console) handlePlanDelete() handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, s *session) error {
		id, err := pathID(r, "Visit plan")
		if err != nil {
			return err
		}
		if err := c.store.DeleteVisitPlan(r.Context(), s.DBID, s.Principal.Teams(), id); err != nil {
			return err
		}
		redirect(w, r, back(r.PostFormValue("team"), "deleted"))
		return nil
	}
}

// handleMaterialize makes next week's visits of the plans of a team (an
// admin without one: every team), as POST /visit-plans/materialize does.
func (c *Console) handleMaterialize() handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, s *session) error {
		settings, err := c.store.FindSettings(r.Context(), s.DBID)
		if err != nil {
			return err
		}
		from, to := nextWeek(settings.Today(c.now()))
		f := salesmania.MaterializeFields{DateFrom: &from, DateTo: &to}
		if team := strings.TrimSpace(r.PostFormValue("team")); team != "" && team != "0" {
			id, err := strconv.ParseInt(team, 10, 64)
			if err != nil || id <= 0 {
				return &salesmania.Error{Code: salesmania.EINVALID, Message: "team is not a team of this database.",
					Fields: []salesmania.FieldError{{Field: "team", Message: "must be the id of a team of this database"}}}
			}
			f.TeamID = &id
		}
		from, to, teams, _, err := f.Check(s.Principal)
		if err != nil {
			return err
		}
		res, err := c.store.MaterializeVisitPlans(r.Context(), s.DBID, teams, from, to)
		if err != nil {
			return err
		}
		v := url.Values{"made": {strconv.Itoa(res.Created)}}
		if f.TeamID != nil {
			v.Set("team", strconv.FormatInt(*f.TeamID, 10))
		}
		redirect(w, r, "/console/plans?"+v.Encode())
		return nil
	}
}
