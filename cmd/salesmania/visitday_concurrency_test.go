package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/openapi/openapitest"
)

// TestVisitDayConcurrentMixed is the acceptance test of §10's guarantee: a
// day's seqs stay exactly 1..n whatever mix of appends, deletes, moves to
// another date, reorders, check-ins and skips runs at once on one team's
// days — through two server processes sharing one PostgreSQL database, one
// process on PostgreSQL, and one on SQLite. Every request gets a 2xx, or a
// clean 404 (the visit was deleted meanwhile), 409 (its status forbids the
// change) or 422 (a reorder whose ids another request changed).
func TestVisitDayConcurrentMixed(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name      string
		kind      string
		processes int
	}{
		{"postgres/2processes", "postgres", 2},
		{"postgres/1process", "postgres", 1},
		{"sqlite", "sqlite", 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newRouteWorld(t, tt.kind, tt.processes)
			ctx := context.Background()
			days := []string{"2026-03-02", "2026-03-03"}
			team := w.teams[0].ID

			var mu sync.Mutex
			var known []int64 // every visit id ever appended
			for i := range 24 {
				v := salesmania.Visit{Date: days[i%2], TeamID: team, CustomerID: w.customer.ID, Status: salesmania.VisitPlanned}
				if err := w.store.AppendVisit(ctx, w.db.ID, &v); err != nil {
					t.Fatal(err)
				}
				known = append(known, v.ID)
			}
			// The other team's day, which nothing below may touch.
			other := salesmania.Visit{Date: days[0], TeamID: w.teams[1].ID, CustomerID: w.customer.ID, Status: salesmania.VisitPlanned}
			if err := w.store.AppendVisit(ctx, w.db.ID, &other); err != nil {
				t.Fatal(err)
			}

			const workers, opsPerWorker = 8, 25
			client := &http.Client{Transport: openapitest.NewTransport(t, &http.Transport{MaxIdleConnsPerHost: workers}), Timeout: 60 * time.Second}
			type outcome struct {
				op     string
				status int
				body   string
			}
			results := make([][]outcome, workers)
			begin := make(chan struct{})
			var wg sync.WaitGroup
			for g := range workers {
				s := w.servers[g%len(w.servers)]
				rng := rand.New(rand.NewPCG(uint64(g), 42))
				wg.Go(func() {
					<-begin
					call := func(op, method, path, body string) exchange {
						a := send(client, method, s.p.URL+path, s.bearer, s.teamToken, body)
						results[g] = append(results[g], outcome{op, a.status, string(a.body)})
						return a
					}
					pick := func() int64 {
						mu.Lock()
						defer mu.Unlock()
						return known[rng.IntN(len(known))]
					}
					for range opsPerWorker {
						day := days[rng.IntN(2)]
						switch op := rng.IntN(7); op {
						case 0: // append
							a := call("append", "POST", "/extapi/v1.1/visits", mustJSON(map[string]any{"date": day, "customer_id": w.customer.ID}))
							var v salesmania.Visit
							if a.status == http.StatusOK && json.Unmarshal(a.body, &v) == nil {
								mu.Lock()
								known = append(known, v.ID)
								mu.Unlock()
							}
						case 1: // delete
							call("delete", "DELETE", "/extapi/v1.1/visits/"+itoa(pick()), "")
						case 2: // move to the other day (or the same: no change)
							call("move", "PATCH", "/extapi/v1.1/visits/"+itoa(pick()), mustJSON(map[string]any{"date": day}))
						case 3, 4: // reorder a day as this worker last saw it
							a := send(client, "GET", s.p.URL+"/extapi/v1.1/visits?limit=1000&date="+day, s.bearer, s.teamToken, "")
							var page struct{ Data []salesmania.Visit }
							if a.status != http.StatusOK || json.Unmarshal(a.body, &page) != nil {
								results[g] = append(results[g], outcome{"list", a.status, string(a.body)})
								continue
							}
							ids := make([]int64, len(page.Data))
							for i, v := range page.Data {
								ids[i] = v.ID
							}
							rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
							call("reorder", "PUT", "/extapi/v1.1/visits/sequence", mustJSON(map[string]any{"date": day, "visit_ids": ids}))
						case 5: // check in
							call("check-in", "POST", "/extapi/v1.1/visits/"+itoa(pick())+"/check-in", `{"lat":-7.11041,"lon":110.47379,"accuracy_m":12}`)
						case 6: // skip or unskip
							status := []string{"skipped", "planned"}[rng.IntN(2)]
							call("skip", "PATCH", "/extapi/v1.1/visits/"+itoa(pick()), `{"status":"`+status+`"}`)
						}
					}
				})
			}
			close(begin)
			wg.Wait()

			counts := map[string]map[int]int{}
			for _, rs := range results {
				for _, r := range rs {
					if counts[r.op] == nil {
						counts[r.op] = map[int]int{}
					}
					counts[r.op][r.status]++
					switch r.status {
					case http.StatusOK:
					case http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity:
						var p struct {
							Status int
							Detail string
						}
						if json.Unmarshal([]byte(r.body), &p) != nil || p.Status != r.status || p.Detail == "" {
							t.Errorf("%s: %d without a problem body: %s", r.op, r.status, r.body)
						}
					default:
						t.Errorf("%s: status %d: %s", r.op, r.status, r.body)
					}
				}
			}
			t.Logf("answers by operation and status: %v", counts)
			if counts["reorder"][http.StatusOK] == 0 || counts["move"][http.StatusOK] == 0 || counts["delete"][http.StatusOK] == 0 {
				t.Errorf("the mix did not exercise every change: %v", counts)
			}

			// Every day of the team: seqs exactly 1..n; every visit in one
			// place; the other team's day untouched. As every server lists it.
			for i, s := range w.servers {
				seen := map[int64]string{}
				for _, day := range days {
					a := send(client, "GET", s.p.URL+"/extapi/v1.1/visits?limit=1000&date="+day+"&team_id="+itoa(team), s.bearer, s.teamToken, "")
					var page struct{ Data []salesmania.Visit }
					if a.status != http.StatusOK || json.Unmarshal(a.body, &page) != nil {
						t.Fatalf("server %d: list %s: %d %s", i+1, day, a.status, a.body)
					}
					var seqs, want []int64
					for j, v := range page.Data {
						seqs, want = append(seqs, v.Seq), append(want, int64(j+1))
						if where, dup := seen[v.ID]; dup {
							t.Errorf("visit %d is on %s and on %s", v.ID, where, day)
						}
						seen[v.ID] = day
					}
					if !slices.Equal(seqs, want) {
						t.Errorf("server %d: day %s has seqs %v; want 1..%d", i+1, day, seqs, len(want))
					}
				}
			}
			stored, err := w.store.ListVisits(ctx, w.db.ID, salesmania.VisitFilter{Teams: salesmania.OnlyTeam(w.teams[1].ID), ListParams: salesmania.ListParams{Limit: 10}})
			if err != nil {
				t.Fatal(err)
			}
			if len(stored.Data) != 1 || stored.Data[0].ID != other.ID || stored.Data[0].Seq != 1 || !stored.Data[0].UpdatedAt.Equal(other.UpdatedAt) {
				t.Errorf("the other team's day changed: %s", fmt.Sprint(stored.Data))
			}
			if t.Failed() {
				for i, s := range w.servers {
					t.Logf("server %d stderr:\n%s", i+1, s.p.stderr)
				}
			}
		})
	}
}

// TestMaterializeConcurrent runs overlapping materialisations of the same
// plans at once through two server processes on one PostgreSQL database
// (and one process on SQLite): each occurrence becomes exactly one visit,
// and every day's seqs are 1..n.
func TestMaterializeConcurrent(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		kind      string
		processes int
	}{{"postgres", 2}, {"sqlite", 1}} {
		t.Run(tt.kind, func(t *testing.T) {
			t.Parallel()
			w := newRouteWorld(t, tt.kind, tt.processes)
			ctx := context.Background()
			team := w.teams[0].ID
			// Ten plans, each on two weekdays, over four weeks.
			for i := range 10 {
				p := salesmania.VisitPlan{TeamID: team, CustomerID: w.customer.ID, Weekdays: []int{1 + i%5, 6 - i%5}, EveryWeeks: 1 + i%2,
					StartDate: "2026-03-02", DurationMin: 15, Active: true}
				if p.Weekdays[0] == p.Weekdays[1] {
					p.Weekdays = p.Weekdays[:1]
				}
				if err := w.store.CreateVisitPlan(ctx, w.db.ID, &p); err != nil {
					t.Fatal(err)
				}
			}
			client := &http.Client{Transport: openapitest.NewTransport(t, &http.Transport{MaxIdleConnsPerHost: 8}), Timeout: 60 * time.Second}
			ranges := [][2]string{{"2026-03-02", "2026-03-15"}, {"2026-03-09", "2026-03-22"}, {"2026-03-02", "2026-03-29"}, {"2026-03-16", "2026-03-29"}}
			answers := make([]exchange, 8)
			begin := make(chan struct{})
			var wg sync.WaitGroup
			for i := range answers {
				s := w.servers[i%len(w.servers)]
				rg := ranges[i%len(ranges)]
				wg.Go(func() {
					<-begin
					answers[i] = send(client, "POST", s.p.URL+"/extapi/v1.1/visit-plans/materialize", s.bearer, s.teamToken,
						mustJSON(map[string]any{"date_from": rg[0], "date_to": rg[1], "optimize": i%2 == 0}))
				})
			}
			close(begin)
			wg.Wait()
			created := 0
			for i, a := range answers {
				var res salesmania.MaterializeResult
				if a.err != nil || a.status != http.StatusOK || json.Unmarshal(a.body, &res) != nil {
					t.Fatalf("materialize %d: %v %d %s", i, a.err, a.status, a.body)
				}
				created += res.Created
			}
			// The truth: every occurrence of every plan in March's four weeks.
			plans, err := w.store.ListVisitPlans(ctx, w.db.ID, salesmania.VisitPlanFilter{Teams: salesmania.AllTeams(), ListParams: salesmania.ListParams{Limit: 100}})
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]int{}
			total := 0
			for _, d := range salesmania.Dates("2026-03-02", "2026-03-29") {
				for _, p := range plans.Data {
					if p.OccursOn(d) {
						want[d]++
						total++
					}
				}
			}
			if created != total {
				t.Errorf("the calls created %d visits in all; the plans have %d occurrences", created, total)
			}
			visits, err := w.store.ListVisits(ctx, w.db.ID, salesmania.VisitFilter{Teams: salesmania.AllTeams(), DateFrom: "2026-03-02", DateTo: "2026-03-29",
				ListParams: salesmania.ListParams{Limit: 1000}})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]int64{}
			seen := map[[2]any]bool{}
			for _, v := range visits.Data {
				got[v.Date] = append(got[v.Date], v.Seq)
				key := [2]any{*v.PlanID, v.Date}
				if seen[key] {
					t.Errorf("plan %d has two visits on %s", *v.PlanID, v.Date)
				}
				seen[key] = true
			}
			for d, n := range want {
				if len(got[d]) != n {
					t.Errorf("%s has %d visits; want %d", d, len(got[d]), n)
				}
				for i, seq := range got[d] {
					if seq != int64(i+1) {
						t.Errorf("%s: seqs %v; want 1..%d", d, got[d], n)
						break
					}
				}
			}
		})
	}
}
