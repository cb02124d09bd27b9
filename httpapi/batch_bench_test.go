package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/auth"
	"github.com/salesmania/salesmania/httpapi"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// BenchmarkBatchHTTP answers POST /customers/batch with 1 000 customers
// over real HTTP, one request at a time, on SQLite and on PostgreSQL: a
// batch of new customers (created), the same codes with another address
// (updated), and the same batch again (unchanged). It reports the median
// and the slowest answer in milliseconds (issue 18's targets for a batch
// of 1 000: p50 ≤ 150 ms on SQLite, ≤ 400 ms on PostgreSQL).
//
//	go test ./httpapi -run '^$' -bench BatchHTTP -benchtime 20x
func BenchmarkBatchHTTP(b *testing.B) {
	for _, kind := range []string{"sqlite", "postgres"} {
		b.Run(kind, func(b *testing.B) {
			ctx := context.Background()
			store := sqlstoretest.MustOpen(b, kind)
			key, _ := store.Secret(ctx, "team_token_key", auth.NewSecret)
			signer, _ := auth.NewTeamTokenSigner(key)
			h, err := httpapi.NewServer(httpapi.Config{Store: store, TeamTokens: signer, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
			must(b, err)
			srv := httptest.NewServer(h)
			b.Cleanup(srv.Close)
			db := salesmania.Database{Name: "PT Maju Jaya"}
			must(b, store.CreateDatabase(ctx, &db))
			team := salesmania.Team{Name: "Budi", Status: true}
			must(b, store.CreateTeam(ctx, db.ID, &team))
			u := salesmania.User{Email: "budi@majujaya.example", PasswordHash: "x"}
			must(b, store.CreateUser(ctx, &u))
			must(b, store.PutMember(ctx, &salesmania.Membership{DBID: db.ID, UserID: u.ID, TeamID: team.ID, Role: salesmania.RoleAdmin}))
			tok, hash, _ := auth.NewBearerToken()
			must(b, store.CreateToken(ctx, u.ID, hash, salesmania.Now().AddDate(0, 0, 30)))
			tt := signer.Sign(auth.TeamToken{DBID: db.ID, TeamID: team.ID})

			body := func(run int, address string) []byte {
				var buf bytes.Buffer
				buf.WriteString(`{"items":[`)
				for i := range 1000 {
					if i > 0 {
						buf.WriteByte(',')
					}
					fmt.Fprintf(&buf, `{"name":"Toko Sumber Rejeki %d","address":%q,"city":"Semarang","phone":"024-3551234","ext_cust_no":"R%d-%d","location":{"lat":-6.99,"lon":110.42},"status":true,"tags":["grosir"]}`, i, address, run, i)
				}
				buf.WriteString(`]}`)
				return buf.Bytes()
			}
			post := func(b *testing.B, data []byte) time.Duration {
				r, _ := http.NewRequest("POST", srv.URL+"/extapi/v1.0/customers/batch", bytes.NewReader(data))
				r.Header.Set("Authorization", "Bearer "+tok)
				r.Header.Set("X-Team-Token", tt)
				r.Header.Set("Content-Type", "application/json")
				start := time.Now()
				resp, err := http.DefaultClient.Do(r)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				took := time.Since(start)
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("batch: %d", resp.StatusCode)
				}
				return took
			}
			var created, updated, unchanged []time.Duration
			run := 0
			for b.Loop() {
				run++
				created = append(created, post(b, body(run, "Jl. Pemuda 12")))
				updated = append(updated, post(b, body(run, "Jl. Veteran 3")))
				unchanged = append(unchanged, post(b, body(run, "Jl. Veteran 3")))
			}
			for _, m := range []struct {
				name string
				d    []time.Duration
			}{{"created", created}, {"updated", updated}, {"unchanged", unchanged}} {
				slices.Sort(m.d)
				b.ReportMetric(float64(m.d[len(m.d)/2])/1e6, m.name+"-p50-ms")
				b.ReportMetric(float64(m.d[len(m.d)-1])/1e6, m.name+"-max-ms")
			}
		})
	}
}
