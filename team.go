package salesmania

import "time"

// Team is a salesman or sales group inside a database. Visits and orders
// belong to a team. The JSON form is the contract's team object (§7).
type Team struct {
	ID                int64     `json:"id"`
	DBID              int64     `json:"-"`
	Name              string    `json:"name"`
	ExtSalesmanNumber string    `json:"ext_salesman_number"`
	Status            bool      `json:"status"`
	CreatedAt         time.Time `json:"-"`
	UpdatedAt         time.Time `json:"-"`
}

// Validate cleans and checks a team before it is stored.
func (t *Team) Validate() error {
	var p Problems
	t.Name = CleanString(t.Name)
	t.ExtSalesmanNumber = CleanString(t.ExtSalesmanNumber)
	checkLength(&p, "name", t.Name, 1, 200)
	checkLength(&p, "ext_salesman_number", t.ExtSalesmanNumber, 0, 100)
	return p.Err()
}

// TeamScope is the set of teams whose visits, visit plans and orders a
// caller may see and act for, and the team filter of a list. It is the one
// place the admin/member rule of §5 and §9 is written down: an admin's scope
// is every team of its database, a member's is its own team. Every handler
// and store method that touches team-owned rows takes one.
//
// The zero TeamScope holds no team at all, so a scope that was forgotten
// shows up as nothing found, never as every team's rows.
type TeamScope struct {
	all  bool
	team int64
}

// AllTeams is the scope of every team of a database: an admin's, and that
// of the server's own work (replaying an idempotent answer, backups).
func AllTeams() TeamScope { return TeamScope{all: true} }

// OnlyTeam is the scope of one team.
func OnlyTeam(teamID int64) TeamScope { return TeamScope{team: teamID} }

// Teams returns the scope of what p may see and act for.
func (p Principal) Teams() TeamScope {
	if p.Role == RoleAdmin {
		return AllTeams()
	}
	return OnlyTeam(p.TeamID)
}

// Includes reports whether rows of teamID are in the scope: whether its
// holder may read them and write for that team.
func (s TeamScope) Includes(teamID int64) bool { return s.all || (s.team != 0 && s.team == teamID) }

// Team returns the one team the scope holds, and false when it holds every
// team (or, for the zero scope, none: then the id is 0, which no team has).
func (s TeamScope) Team() (teamID int64, only bool) { return s.team, !s.all }

// IsAll reports whether the scope holds every team.
func (s TeamScope) IsAll() bool { return s.all }

// Narrow applies a list's team_id filter to the scope: 0 (not given) keeps
// the scope — a member's list is its own team's — and a team in the scope
// narrows it to that team. A team outside it is ErrOtherTeam (§9: a member
// naming another team_id is 403).
func (s TeamScope) Narrow(teamID int64) (TeamScope, error) {
	switch {
	case teamID == 0:
		return s, nil
	case s.Includes(teamID):
		return OnlyTeam(teamID), nil
	}
	return TeamScope{}, ErrOtherTeam
}

// TeamFor returns the team a write of p is for: the team of its team token
// when the body names none (0), else the team named, which must be in p's
// scope (ErrOtherTeam otherwise). Whether the team exists in the database is
// the store's to check.
func (p Principal) TeamFor(teamID int64) (int64, error) {
	if teamID == 0 {
		return p.TeamID, nil
	}
	if !p.Teams().Includes(teamID) {
		return 0, ErrOtherTeam
	}
	return teamID, nil
}

// RequireAdmin returns EFORBIDDEN unless p is an admin of its database;
// what says what only an admin may do, as "manages its webhooks".
func (p Principal) RequireAdmin(what string) error {
	if p.Role != RoleAdmin {
		return Errorf(EFORBIDDEN, "Only an admin of the database %s.", what)
	}
	return nil
}
