package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/auth"
	"github.com/salesmania/salesmania/httpapi"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// BenchmarkServeGetCustomer measures the server's own work for
// GET /customers/{id} on SQLite, without the network: middleware,
// authentication, the store and the JSON answer. Profile it with
// -cpuprofile to see where a request's time goes.
func BenchmarkServeGetCustomer(b *testing.B) {
	ctx := context.Background()
	store := sqlstoretest.MustOpen(b, "sqlite")
	key, _ := store.Secret(ctx, "team_token_key", auth.NewSecret)
	signer, _ := auth.NewTeamTokenSigner(key)
	srv, err := httpapi.NewServer(httpapi.Config{Store: store, TeamTokens: signer, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	db := salesmania.Database{Name: "PT Maju Jaya"}
	store.CreateDatabase(ctx, &db)
	team := salesmania.Team{Name: "Budi", Status: true}
	store.CreateTeam(ctx, db.ID, &team)
	u := salesmania.User{Email: "budi@majujaya.example", PasswordHash: "x"}
	store.CreateUser(ctx, &u)
	store.PutMember(ctx, &salesmania.Membership{DBID: db.ID, UserID: u.ID, TeamID: team.ID, Role: salesmania.RoleAdmin})
	tok, hash, _ := auth.NewBearerToken()
	store.CreateToken(ctx, u.ID, hash, salesmania.Now().AddDate(0, 0, 30))
	tt := signer.Sign(auth.TeamToken{DBID: db.ID, TeamID: team.ID})
	c := salesmania.Customer{Name: "Toko Sumber Rejeki", Address: "Jl. Pemuda 12", City: "Semarang", Status: true, Tags: []string{"grosir"},
		Location: &salesmania.Location{Lat: -6.99, Lon: 110.42}}
	if err := store.CreateCustomer(ctx, db.ID, &c); err != nil {
		b.Fatal(err)
	}
	path := fmt.Sprintf("/extapi/v1.0/customers/%d", c.ID)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := httptest.NewRequest("GET", path, nil)
			r.Header.Set("Authorization", "Bearer "+tok)
			r.Header.Set("X-Team-Token", tt)
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				b.Fatalf("%d %s", w.Code, w.Body)
			}
		}
	})
}
