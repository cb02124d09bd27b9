package sqlstore_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/sqlstore"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// feedIDs walks the feed from after to its end, 2 changes a page, and
// returns the customer ids it gave and where it ended.
func feedIDs(tb testing.TB, s *sqlstore.Store, dbID int64, after salesmania.FeedPosition) ([]int64, salesmania.FeedPosition) {
	tb.Helper()
	var ids []int64
	for {
		page, err := s.ListChanges(tb.Context(), dbID, salesmania.FeedFilter{After: after, Limit: 2, Teams: salesmania.AllTeams()})
		if err != nil {
			tb.Fatalf("ListChanges: %v", err)
		}
		for _, c := range page.Data {
			if !after.Less(c.Pos) {
				tb.Fatalf("change at %+v after position %+v", c.Pos, after)
			}
			ids = append(ids, c.ID)
		}
		after = page.Next
		if !page.HasMore {
			return ids, after
		}
	}
}

type holdKey struct{}

// A write that took its transaction id first but commits last is not
// skipped: while it is open the feed gives nothing of the writes that
// committed after it began (their ids are above the oldest running one),
// and once it commits the next read from the position given meanwhile has
// it and them.
func TestFeedWriteThatCommitsLast(t *testing.T) {
	s := sqlstoretest.MustOpen(t, "postgres")
	d := MustCreateDatabase(t, s, "Acme")
	first := newCustomer("Toko Pertama")
	if err := s.CreateCustomer(t.Context(), d.ID, first); err != nil {
		t.Fatal(err)
	}
	got, pos := feedIDs(t, s, d.ID, salesmania.FeedPosition{DBID: d.ID})
	if fmt.Sprint(got) != fmt.Sprint([]int64{first.ID}) {
		t.Fatalf("feed %v; want [%d]", got, first.ID)
	}

	reached, release := make(chan struct{}), make(chan struct{})
	sqlstore.SetPostgresCommitHook(t, func(ctx context.Context) {
		if ctx.Value(holdKey{}) != nil {
			close(reached)
			<-release
		}
	})
	slow := newCustomer("Toko Lambat")
	slowDone := make(chan error, 1)
	go func() {
		slowDone <- s.CreateCustomer(context.WithValue(t.Context(), holdKey{}, true), d.ID, slow)
	}()
	<-reached // its rows are written, its transaction id taken, not committed
	var fast []int64
	for i := range 3 {
		c := newCustomer(fmt.Sprintf("Toko Cepat %d", i))
		if err := s.CreateCustomer(t.Context(), d.ID, c); err != nil {
			close(release)
			t.Fatal(err)
		}
		fast = append(fast, c.ID)
	}
	during, pos2 := feedIDs(t, s, d.ID, pos)
	close(release)
	if err := <-slowDone; err != nil {
		t.Fatal(err)
	}
	if len(during) != 0 {
		t.Fatalf("while the first write is open the feed gave %v; want nothing of the writes after it began", during)
	}
	after, _ := feedIDs(t, s, d.ID, pos2)
	want := append([]int64{slow.ID}, fast...)
	if fmt.Sprint(after) != fmt.Sprint(want) {
		t.Fatalf("after the slow write committed the feed gave %v; want %v (the slow one first: its transaction began first)", after, want)
	}
}
