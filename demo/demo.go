// Package demo seeds a store with a small, realistic company for trying the
// server: PT Maju Jaya, a distributor in Semarang, with its teams and two
// logins. Each capability of the server adds its part of the demo here.
package demo

import (
	"context"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/auth"
)

// Password is the password of every demo login.
const Password = "salesmania-demo"

// Login is one demo user.
type Login struct {
	Email    string
	Password string
	Role     salesmania.Role
	TeamName string
}

// Info tells what Seed made: the database and the logins.
type Info struct {
	Database salesmania.Database
	Teams    []salesmania.Team
	Logins   []Login
	// Today is the date of the day played out, in the database's time
	// zone.
	Today string
	// Customers, Products, Visits and Orders count the rows made.
	Customers, Products, Visits, Orders int
	// Existing is true when the store already held the demo data, which
	// Seed then leaves as it is.
	Existing bool
}

// AdminEmail and MemberEmail are the demo logins.
const (
	AdminEmail  = "admin@majujaya.example"
	MemberEmail = "budi@majujaya.example"
)

var teams = []salesmania.Team{
	{Name: "Kantor Pusat", ExtSalesmanNumber: "S-00", Status: true},
	{Name: "Budi Santoso", ExtSalesmanNumber: "S-01", Status: true},
	{Name: "Siti Rahayu", ExtSalesmanNumber: "S-02", Status: true},
	{Name: "Agus Wijaya", ExtSalesmanNumber: "S-03", Status: true},
}

// Seed fills the store with the demo company: its teams and logins, its
// customers and products, this week's visits, and today — in the database's
// time zone — played out: each salesman's first visits done, one check-in
// too far from the shop to be verified, one shop skipped, orders taken. When
// the admin login exists already, it changes nothing and reports the
// existing demo database.
func Seed(ctx context.Context, store salesmania.Store) (*Info, error) {
	return seed(ctx, store, time.Now())
}

func seed(ctx context.Context, store salesmania.Store, now time.Time) (*Info, error) {
	logins := []Login{
		{Email: AdminEmail, Password: Password, Role: salesmania.RoleAdmin, TeamName: teams[0].Name},
		{Email: MemberEmail, Password: Password, Role: salesmania.RoleMember, TeamName: teams[1].Name},
	}
	if u, err := store.FindUserByEmail(ctx, AdminEmail); err == nil {
		dbs, err := store.ListUserDatabases(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		info := &Info{Logins: logins, Existing: true, Today: salesmania.DefaultSettings().Today(now)}
		if len(dbs) > 0 {
			info.Database = salesmania.Database{ID: dbs[0].ID, Name: dbs[0].Name}
			if info.Teams, err = store.ListTeams(ctx, dbs[0].ID); err != nil {
				return nil, err
			}
			set, err := store.FindSettings(ctx, dbs[0].ID)
			if err != nil {
				return nil, err
			}
			info.Today = set.Today(now)
		}
		return info, nil
	} else if salesmania.ErrorCode(err) != salesmania.ENOTFOUND {
		return nil, err
	}

	info := &Info{Database: salesmania.Database{Name: "PT Maju Jaya"}, Logins: logins}
	if err := store.CreateDatabase(ctx, &info.Database); err != nil {
		return nil, err
	}
	for _, t := range teams {
		if err := store.CreateTeam(ctx, info.Database.ID, &t); err != nil {
			return nil, err
		}
		info.Teams = append(info.Teams, t)
	}
	for i, l := range logins {
		hash, err := auth.HashPassword(l.Password)
		if err != nil {
			return nil, err
		}
		u := salesmania.User{Email: l.Email, PasswordHash: hash}
		if err := store.CreateUser(ctx, &u); err != nil {
			return nil, err
		}
		m := salesmania.Membership{DBID: info.Database.ID, UserID: u.ID, TeamID: info.Teams[i].ID, Role: l.Role}
		if err := store.PutMember(ctx, &m); err != nil {
			return nil, err
		}
	}
	custs, prods, err := seedCatalog(ctx, store, info.Database.ID)
	if err != nil {
		return nil, err
	}
	info.Customers, info.Products = len(custs), len(prods)
	set, err := store.FindSettings(ctx, info.Database.ID)
	if err != nil {
		return nil, err
	}
	info.Today = set.Today(now)
	salesmen := info.Teams[1:]
	n, todays, err := seedVisits(ctx, store, info.Database.ID, salesmen, custs, info.Today)
	if err != nil {
		return nil, err
	}
	info.Visits = n
	if info.Orders, err = seedDay(ctx, store, info.Database.ID, todays, prods, info.Today, set.Location()); err != nil {
		return nil, err
	}
	return info, nil
}
