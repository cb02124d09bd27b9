// Package clienttest runs the real server for the tests of the clients
// generated from the OpenAPI document (internal/genclient for Go,
// internal/tsclient for TypeScript): httpapi over real HTTP on a fresh real
// database, with a database of two teams and an admin and a member who can
// log in, behind a proxy that checks every exchange against the document.
package clienttest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/auth"
	"github.com/salesmania/salesmania/httpapi"
	"github.com/salesmania/salesmania/openapi/openapitest"
	"github.com/salesmania/salesmania/sqlstore"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// Password is the password of every user of a Server.
const Password = "rahasia-123"

// SkipValidationHeader, set to 1 on a request to the Server's URL, makes the
// proxy send it without checking it against the document (the answer is
// still checked), for a test that sends what the document forbids on
// purpose to see the server refuse it. The proxy removes the header.
const SkipValidationHeader = "X-Clienttest-Skip-Request-Validation"

// Server is a running server and what a client test needs to log in.
type Server struct {
	// URL is the address clients use: a proxy in front of the server that
	// reports, through the test's Errorf, every request that is not an
	// operation of the document or does not match it, and every answer that
	// the document does not describe.
	URL string
	// Store is the server's database.
	Store *sqlstore.Store
	// DB is the database (tenant) the users are members of, with two teams:
	// Teams[0] "Budi" and Teams[1] "Sari".
	DB    salesmania.Database
	Teams []salesmania.Team
	// Admin is an admin of DB in Teams[0]; Member a member of DB in
	// Teams[1]. Both log in with Password.
	Admin, Member salesmania.User
}

// Start starts a server on a fresh database of the given kind ("sqlite" or
// "postgres", see sqlstoretest), stopped when the test ends.
func Start(tb testing.TB, kind string) *Server {
	tb.Helper()
	ctx := context.Background()
	s := &Server{Store: sqlstoretest.MustOpen(tb, kind)}
	key, err := s.Store.Secret(ctx, "team_token_key", auth.NewSecret)
	if err != nil {
		tb.Fatal(err)
	}
	signer, err := auth.NewTeamTokenSigner(key)
	if err != nil {
		tb.Fatal(err)
	}
	srv, err := httpapi.NewServer(httpapi.Config{
		Store:      s.Store,
		TeamTokens: signer,
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		tb.Fatal(err)
	}
	backend := httptest.NewServer(srv)
	tb.Cleanup(backend.Close)

	target, err := url.Parse(backend.URL)
	if err != nil {
		tb.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.Transport = openapitest.NewTransport(tb, nil)
	proxy.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		tb.Errorf("clienttest proxy: %s %s: %v", r.Method, r.URL.Path, err)
		w.WriteHeader(http.StatusBadGateway)
	}
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(SkipValidationHeader) == "1" {
			r.Header.Del(SkipValidationHeader)
			r = openapitest.SkipRequestValidation(r)
		}
		proxy.ServeHTTP(w, r)
	}))
	tb.Cleanup(front.Close)
	s.URL = front.URL

	s.DB = salesmania.Database{Name: "PT Maju Jaya"}
	if err := s.Store.CreateDatabase(ctx, &s.DB); err != nil {
		tb.Fatal(err)
	}
	for i, name := range []string{"Budi", "Sari"} {
		t := salesmania.Team{Name: name, ExtSalesmanNumber: "S-0" + string(rune('1'+i)), Status: true}
		if err := s.Store.CreateTeam(ctx, s.DB.ID, &t); err != nil {
			tb.Fatal(err)
		}
		s.Teams = append(s.Teams, t)
	}
	hash, err := auth.HashPassword(Password)
	if err != nil {
		tb.Fatal(err)
	}
	for _, u := range []struct {
		user *salesmania.User
		team int64
		role salesmania.Role
	}{{&s.Admin, s.Teams[0].ID, salesmania.RoleAdmin}, {&s.Member, s.Teams[1].ID, salesmania.RoleMember}} {
		*u.user = salesmania.User{Email: string(u.role) + "@majujaya.example", PasswordHash: hash}
		if err := s.Store.CreateUser(ctx, u.user); err != nil {
			tb.Fatal(err)
		}
		m := salesmania.Membership{DBID: s.DB.ID, UserID: u.user.ID, TeamID: u.team, Role: u.role}
		if err := s.Store.PutMember(ctx, &m); err != nil {
			tb.Fatal(err)
		}
	}
	return s
}
