package sqlstore_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/sqlstore"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// assertTeams fails the test unless ListTeams of the database returns
// exactly want.
func assertTeams(tb testing.TB, s *sqlstore.Store, dbID int64, want ...salesmania.Team) {
	tb.Helper()
	got, err := s.ListTeams(tb.Context(), dbID)
	if err != nil {
		tb.Fatalf("ListTeams(%d): %v", dbID, err)
	}
	if got == nil {
		tb.Fatalf("ListTeams(%d) = nil, want a non-nil slice", dbID)
	}
	if want == nil {
		want = []salesmania.Team{}
	}
	if !reflect.DeepEqual(got, want) {
		tb.Fatalf("ListTeams(%d) = %+v, want %+v", dbID, got, want)
	}
}

func TestStore_CreateTeam(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		t.Run("OK", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			d := MustCreateDatabase(t, s, "Acme")
			active := &salesmania.Team{Name: " Budi ", ExtSalesmanNumber: " S-01 ", Status: true}
			if err := s.CreateTeam(t.Context(), d.ID, active); err != nil {
				t.Fatal(err)
			}
			if active.ID != 1 || active.DBID != d.ID || active.Name != "Budi" || active.ExtSalesmanNumber != "S-01" {
				t.Fatalf("team = %+v, want ID 1, DBID %d, trimmed name and number", *active, d.ID)
			}
			if active.CreatedAt.IsZero() || !active.UpdatedAt.Equal(active.CreatedAt) {
				t.Fatalf("CreatedAt = %v, UpdatedAt = %v; want the same time", active.CreatedAt, active.UpdatedAt)
			}
			inactive := &salesmania.Team{Name: "Sari", Status: false}
			if err := s.CreateTeam(t.Context(), d.ID, inactive); err != nil {
				t.Fatal(err)
			}
			if inactive.ID != 2 {
				t.Fatalf("second ID = %d, want 2", inactive.ID)
			}
			assertTeams(t, s, d.ID, *active, *inactive)
		})

		t.Run("IDsUniqueAcrossDatabases", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			a := MustCreateDatabase(t, s, "Acme")
			b := MustCreateDatabase(t, s, "Beta")
			var got []int64
			for _, dbID := range []int64{a.ID, b.ID, a.ID, b.ID} {
				got = append(got, MustCreateTeam(t, s, dbID, "Budi").ID)
			}
			if want := []int64{1, 2, 3, 4}; !reflect.DeepEqual(got, want) {
				t.Fatalf("team ids = %v, want %v", got, want)
			}
		})

		t.Run("ExtSalesmanNumberMaxLength", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			d := MustCreateDatabase(t, s, "Acme")
			team := &salesmania.Team{Name: strings.Repeat("é", 200), ExtSalesmanNumber: strings.Repeat("é", 100), Status: true}
			if err := s.CreateTeam(t.Context(), d.ID, team); err != nil {
				t.Fatal(err)
			}
			assertTeams(t, s, d.ID, *team)
		})

		t.Run("ErrDatabaseNotFound", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			d := MustCreateDatabase(t, s, "Acme")
			err := s.CreateTeam(t.Context(), d.ID+1, &salesmania.Team{Name: "Budi", Status: true})
			assertCode(t, err, salesmania.ENOTFOUND)
			assertTeams(t, s, d.ID+1)
		})

		t.Run("ErrNameRequired", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			d := MustCreateDatabase(t, s, "Acme")
			err := s.CreateTeam(t.Context(), d.ID, &salesmania.Team{Name: "  ", ExtSalesmanNumber: "S-01"})
			assertInvalid(t, err, "name")
			assertTeams(t, s, d.ID)
		})

		t.Run("ErrNameTooLong", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			d := MustCreateDatabase(t, s, "Acme")
			err := s.CreateTeam(t.Context(), d.ID, &salesmania.Team{Name: strings.Repeat("é", 201)})
			assertInvalid(t, err, "name")
			assertTeams(t, s, d.ID)
		})

		t.Run("ErrExtSalesmanNumberTooLong", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			d := MustCreateDatabase(t, s, "Acme")
			err := s.CreateTeam(t.Context(), d.ID, &salesmania.Team{Name: "Budi", ExtSalesmanNumber: strings.Repeat("9", 101)})
			assertInvalid(t, err, "ext_salesman_number")
			assertTeams(t, s, d.ID)
		})

		t.Run("ErrNameAndExtSalesmanNumber", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			d := MustCreateDatabase(t, s, "Acme")
			err := s.CreateTeam(t.Context(), d.ID, &salesmania.Team{ExtSalesmanNumber: strings.Repeat("9", 101)})
			assertInvalid(t, err, "name", "ext_salesman_number")
		})
	})
}

func TestStore_ListTeams(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		t.Run("OnlyOwnDatabase", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			a := MustCreateDatabase(t, s, "Acme")
			b := MustCreateDatabase(t, s, "Beta")
			a1 := MustCreateTeam(t, s, a.ID, "Budi")
			b1 := MustCreateTeam(t, s, b.ID, "Sari")
			a2 := MustCreateTeam(t, s, a.ID, "Joko")
			assertTeams(t, s, a.ID, *a1, *a2)
			assertTeams(t, s, b.ID, *b1)
		})

		t.Run("Empty", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			a := MustCreateDatabase(t, s, "Acme")
			b := MustCreateDatabase(t, s, "Beta")
			MustCreateTeam(t, s, a.ID, "Budi")
			assertTeams(t, s, b.ID)
			assertTeams(t, s, b.ID+1) // no such database
		})
	})
}
