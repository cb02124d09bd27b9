package main

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// importSummaryOf decodes the --json summary of an import.
func importSummaryOf(t testing.TB, out string) importSummary {
	t.Helper()
	var s importSummary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("not an import summary: %v: %q", err, out)
	}
	return s
}

// counts are the numbers of an import summary that tests compare.
type counts struct{ Created, Updated, Unchanged, Skipped, Resumed, Failed int64 }

func countsOf(s importSummary) counts {
	return counts{s.Created, s.Updated, s.Unchanged, int64(s.Skipped), int64(s.Resumed), int64(s.Failed)}
}

// badLines returns the line numbers of the "line N: …" report lines of
// stderr, in order, each once.
func badLines(stderr string) []int {
	var lines []int
	for _, m := range regexp.MustCompile(`(?m)^line (\d+): `).FindAllStringSubmatch(stderr, -1) {
		n, _ := strconv.Atoi(m[1])
		if len(lines) == 0 || lines[len(lines)-1] != n {
			lines = append(lines, n)
		}
	}
	return lines
}

// customerCSV returns a CSV file of n customers of realistic shape, with
// ext_cust_no prefix-000001 on, or none if prefix is "".
func customerCSV(n int, prefix string) string {
	rng := rand.New(rand.NewPCG(1, 2))
	kinds := []string{"Toko", "UD", "CV", "Warung", "Toserba", "Kios", "Grosir", "Apotek"}
	names := []string{"Sumber Rejeki", "Maju Jaya", "Sinar Terang", "Mitra Usaha", "Sido Mulyo", "Karya Baru", "Berkah Abadi"}
	cities := []string{"Semarang", "Surakarta", "Yogyakarta", "Kudus", "Salatiga"}
	tags := []string{"grosir", "retail", "modern", "tradisional", "vip"}
	var b strings.Builder
	b.WriteString("ext_cust_no,name,address,city,phone,location.lat,location.lon,status,tags\n")
	for i := 1; i <= n; i++ {
		ext := ""
		if prefix != "" {
			ext = fmt.Sprintf("%s-%06d", prefix, i)
		}
		fmt.Fprintf(&b, "%s,%s %s %d,Jl. Pemuda No. %d,%s,0812-%04d-%04d,%.6f,%.6f,%t,%s;%s\n",
			ext, kinds[rng.IntN(len(kinds))], names[rng.IntN(len(names))], i, rng.IntN(200)+1, cities[rng.IntN(len(cities))],
			rng.IntN(10000), rng.IntN(10000), -7+rng.Float64()/2, 110+rng.Float64()/2, rng.IntN(20) > 0,
			tags[rng.IntN(len(tags))], tags[rng.IntN(len(tags))])
	}
	return b.String()
}

func TestCLICustomersImport(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		t.Parallel()
		f := newCLIFixture(t, kind)
		f.login(t)
		// Every column; a quoted cell over two lines; padding to trim; an
		// empty status (the default, true); repeated tags; two empty
		// location cells (no location).
		path := writeFile(t, "customers.csv", `ext_cust_no,name,address,city,phone,location.lat,location.lon,status,tags
C-0001,Toko Sumber Rejeki,Jl. Pemuda 12,Semarang,0812-555-0101,-7.110383,110.473812,true,grosir;semarang
C-0002,"UD ""Maju"", Jaya","Jl. Gajahmada 5
Blok B",Semarang,,,,false,
C-0003,  Warung Bu Sri  ,,Kudus,0291-1234,-6.8,110.84,,retail; vip ;retail
`)
		s := importSummaryOf(t, f.mustExec(t, "", "customers", "import", path, "--json"))
		if got := countsOf(s); got != (counts{Created: 3}) || s.Rows != 3 || !s.Written {
			t.Fatalf("summary = %+v; want 3 created", s)
		}
		if _, err := os.Stat(path + ".progress"); !os.IsNotExist(err) {
			t.Errorf("the state file is left after a complete import: %v", err)
		}
		byExt := f.customersByExt(t)
		type cust struct {
			Name, Address, City, Phone string
			Location                   string // "lat lon"
			Status                     bool
			Tags                       string
		}
		want := map[string]cust{
			"C-0001": {"Toko Sumber Rejeki", "Jl. Pemuda 12", "Semarang", "0812-555-0101", "-7.110383 110.473812", true, "grosir,semarang"},
			"C-0002": {`UD "Maju", Jaya`, "Jl. Gajahmada 5\nBlok B", "Semarang", "", "", false, ""},
			"C-0003": {"Warung Bu Sri", "", "Kudus", "0291-1234", "-6.8 110.84", true, "retail,vip"},
		}
		check := func(byExt map[string]salesmania.Customer) {
			t.Helper()
			if len(byExt) != len(want) {
				t.Fatalf("%d customers; want %d", len(byExt), len(want))
			}
			for ext, w := range want {
				c := byExt[ext]
				loc := ""
				if c.Location != nil {
					loc = formatCoordinate(c.Location.Lat) + " " + formatCoordinate(c.Location.Lon)
				}
				if got := (cust{c.Name, c.Address, c.City, c.Phone, loc, c.Status, strings.Join(c.Tags, ",")}); got != w {
					t.Errorf("customer %s = %+v; want %+v", ext, got, w)
				}
			}
		}
		check(byExt)

		// get and list show them.
		got := jsonLines[salesmania.Customer](t, f.mustExec(t, "", "customers", "get", itoa(byExt["C-0002"].ID)))
		if len(got) != 1 || got[0].Address != "Jl. Gajahmada 5\nBlok B" || got[0].Status {
			t.Errorf("customers get = %+v", got)
		}
		got = jsonLines[salesmania.Customer](t, f.mustExec(t, "", "customers", "list", "--tag", "vip"))
		if len(got) != 1 || got[0].ExtCustNo != "C-0003" {
			t.Errorf("customers list --tag vip = %+v; want C-0003", got)
		}
		got = jsonLines[salesmania.Customer](t, f.mustExec(t, "", "customers", "list", "--status", "true"))
		if len(got) != 2 || got[0].Status != true || got[1].Status != true || got[0].ExtCustNo == "C-0002" || got[1].ExtCustNo == "C-0002" {
			t.Errorf("customers list --status true = %+v; want C-0001 and C-0003", got)
		}
		r := f.exec(t, "", "customers", "list", "--limit", "1")
		if got := jsonLines[salesmania.Customer](t, r.stdout); len(got) != 1 || !strings.Contains(r.stderr, "the first 1 rows") {
			t.Errorf("customers list --limit 1: %d rows, stderr %q; want 1 and a note", len(got), r.stderr)
		}

		// The same file again changes nothing and sends nothing.
		s = importSummaryOf(t, f.mustExec(t, "", "customers", "import", path, "--json"))
		if got := countsOf(s); got != (counts{Unchanged: 3}) || s.Written {
			t.Fatalf("summary of the same file = %+v; want 3 unchanged", s)
		}
		if after := f.customersByExt(t); after["C-0001"].UpdatedAt != byExt["C-0001"].UpdatedAt {
			t.Errorf("an unchanged row was written")
		}

		// A file of some columns updates those (upsert by ext_cust_no), and
		// creates the new number; two empty location cells clear it.
		path = writeFile(t, "update.csv", "ext_cust_no,city,location.lat,location.lon,status\nC-0001,Demak,,,\nC-0002,Semarang,,,false\nC-0004,Kudus,,,\n")
		r = f.exec(t, "", "customers", "import", path, "--json")
		if r.err == nil || !strings.Contains(r.stderr, "line 4: name: is required") || len(badLines(r.stderr)) != 1 {
			t.Fatalf("a new row without name: err %v, stderr:\n%s", r.err, r.stderr)
		}
		path = writeFile(t, "update.csv", "ext_cust_no,name,city,location.lat,location.lon,status\nC-0001,Toko Sumber Rejeki,Demak,,,\nC-0002,\"UD \"\"Maju\"\", Jaya\",Semarang,,,false\nC-0004,Toko Baru,Kudus,,,\n")
		s = importSummaryOf(t, f.mustExec(t, "", "customers", "import", path, "--json"))
		if got := countsOf(s); got != (counts{Created: 1, Updated: 1, Unchanged: 1}) {
			t.Fatalf("summary = %+v; want 1 created, 1 updated, 1 unchanged", s)
		}
		w := want["C-0001"]
		w.City, w.Location = "Demak", ""
		want["C-0001"] = w
		want["C-0004"] = cust{Name: "Toko Baru", City: "Kudus", Status: true}
		after := f.customersByExt(t)
		check(after)
		if after["C-0001"].ID != byExt["C-0001"].ID {
			t.Errorf("C-0001 is now customer %d; want %d updated", after["C-0001"].ID, byExt["C-0001"].ID)
		}
	})
}

// TestCLIImportBadRows is the acceptance case: a CSV with 3 bad rows
// reports those 3 with line numbers and writes nothing, or with --skip-bad
// writes the others.
func TestCLIImportBadRows(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		t.Parallel()
		f := newCLIFixture(t, kind)
		f.login(t)
		f.mustExec(t, "", "customers", "import", writeFile(t, "first.csv", "ext_cust_no,name\nG-0,Toko Lama\n"))
		path := writeFile(t, "customers.csv", `ext_cust_no,name,location.lat,location.lon,status,tags
G-1,Toko Satu,-7.1,110.4,true,grosir
G-2,,-7.1,110.4,true,
G-3,Toko Tiga,,,false,
G-4,Toko Empat,-91,110.4,true,
G-5,"Toko
Lima",-7,110,true,a;b
G-6,Toko Enam,-7,110,maybe,
G-0,Toko Lama Baru,,,,
`)
		before := len(f.customers(t))
		r := f.exec(t, "", "customers", "import", path)
		if r.err == nil || exitCode(r.err) != 1 {
			t.Fatalf("err = %v; want a failure", r.err)
		}
		if lines := badLines(r.stderr); !slices.Equal(lines, []int{3, 5, 8}) {
			t.Errorf("bad lines = %v; want [3 5 8]\nstderr:\n%s", lines, r.stderr)
		}
		for _, want := range []string{
			"line 3: name: is required\n",
			"line 5: location.lat: must be between -90 and 90\n",
			`line 8: status: must be true or false, not "maybe"` + "\n",
		} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("stderr does not say %q:\n%s", want, r.stderr)
			}
		}
		if !strings.Contains(r.err.Error(), "3 of the 7 rows") || !strings.Contains(r.err.Error(), "nothing was written") {
			t.Errorf("err = %q", r.err)
		}
		if n := len(f.customers(t)); n != before {
			t.Fatalf("%d customers after a refused import; want %d", n, before)
		}
		if f.customersByExt(t)["G-0"].Name != "Toko Lama" {
			t.Errorf("the existing customer was changed by a refused import")
		}

		r = f.exec(t, "", "customers", "import", path, "--json")
		s := importSummaryOf(t, r.stdout)
		var lines []int
		for _, b := range s.BadRows {
			lines = append(lines, b.Line)
		}
		if !slices.Equal(lines, []int{3, 5, 8}) || s.Written || s.BadRows[1].Errors[0] != (salesmania.FieldError{Field: "location.lat", Message: "must be between -90 and 90"}) {
			t.Errorf("--json summary = %+v", s)
		}

		// --dry-run tells what would happen, and writes nothing.
		s = importSummaryOf(t, f.mustExec(t, "", "customers", "import", path, "--json", "--dry-run"))
		if got := countsOf(s); got != (counts{Created: 3, Updated: 1, Skipped: 3}) || !s.DryRun {
			t.Errorf("--dry-run summary = %+v", s)
		}
		if n := len(f.customers(t)); n != before {
			t.Fatalf("%d customers after a dry run; want %d", n, before)
		}

		r = f.exec(t, "", "customers", "import", path, "--skip-bad", "--json")
		if r.err != nil {
			t.Fatalf("--skip-bad: %v\n%s", r.err, r.stderr)
		}
		s = importSummaryOf(t, r.stdout)
		if got := countsOf(s); got != (counts{Created: 3, Updated: 1, Skipped: 3}) {
			t.Errorf("--skip-bad summary = %+v", s)
		}
		if lines := badLines(r.stderr); !slices.Equal(lines, []int{3, 5, 8}) {
			t.Errorf("--skip-bad reported lines %v; want [3 5 8]", lines)
		}
		byExt := f.customersByExt(t)
		for _, ext := range []string{"G-1", "G-3", "G-5", "G-0"} {
			if _, ok := byExt[ext]; !ok {
				t.Errorf("good row %s was not written", ext)
			}
		}
		if len(byExt) != 4 || byExt["G-5"].Name != "Toko\nLima" || byExt["G-0"].Name != "Toko Lama Baru" {
			t.Errorf("customers = %+v", byExt)
		}
	})
}

// TestCLIImportFileErrors checks the problems of a whole file, reported
// before anything else.
func TestCLIImportFileErrors(t *testing.T) {
	t.Parallel()
	f := newCLIFixture(t, "sqlite")
	f.login(t)
	for _, tc := range []struct{ name, file, want string }{
		{"UnknownColumn", "ext_cust_no,name,kota\n", `line 1: unknown column "kota"; customers files have the columns ext_cust_no, name, address`},
		{"HalfLocation", "name,location.lat\n", "the columns location.lat and location.lon go together"},
		{"Twice", "name,Name\n", `the column "name" is named twice`},
		{"Empty", "", "the file is empty; its first row must name the columns"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.exec(t, "", "customers", "import", writeFile(t, "c.csv", tc.file))
			if r.err == nil || !strings.Contains(r.err.Error(), tc.want) {
				t.Errorf("err = %v; want it to say %q", r.err, tc.want)
			}
		})
	}
	t.Run("RowErrors", func(t *testing.T) {
		// Id, created_at and updated_at are ignored; a BOM is not part of a
		// column name; a row of the wrong width or with a stray quote is bad.
		r := f.exec(t, "", "customers", "import", writeFile(t, "c.csv", "\uFEFFid,name,ext_cust_no\n1,Toko A,A\n2,Toko B\n3,To\"ko,C\n,,\n4,Toko D,A\n"))
		if lines := badLines(r.stderr); !slices.Equal(lines, []int{3, 4, 6}) {
			t.Errorf("bad lines = %v; want [3 4 6]\n%s", lines, r.stderr)
		}
		for _, want := range []string{"line 3: has 2 cells; the header row has 3", `line 4: not valid CSV: bare " in non-quoted-field`, `line 6: ext_cust_no: "A" repeats line 2`} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("stderr does not say %q:\n%s", want, r.stderr)
			}
		}
	})
	t.Run("StateFile", func(t *testing.T) {
		path := writeFile(t, "c.csv", "name\nToko A\n")
		must(t, os.WriteFile(path+".progress", []byte(`{"input":"c.csv","sha256":"00","run":"r","rows":1,"done":0}`), 0o600))
		r := f.exec(t, "", "customers", "import", path)
		if r.err == nil || !strings.Contains(r.err.Error(), "another version of") {
			t.Errorf("err = %v; want the state file refused as another file's", r.err)
		}
		must(t, os.Remove(path+".progress"))
		r = f.exec(t, "", "customers", "import", path, "--resume")
		if r.err == nil || !strings.Contains(r.err.Error(), "nothing to resume") {
			t.Errorf("err = %v; want nothing to resume", r.err)
		}
	})
}

func TestCLIImportJSONLines(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		t.Parallel()
		f := newCLIFixture(t, kind)
		f.login(t)
		path := writeFile(t, "customers.jsonl", `{"ext_cust_no":"J-1","name":"Toko JSON","location":{"lat":-7.2,"lon":110.1},"tags":["a","b"]}

{"ext_cust_no":"J-2","name":"Toko Dua","status":false,"location":null,"id":77,"created_at":"2024-01-01T00:00:00Z"}
`)
		s := importSummaryOf(t, f.mustExec(t, "", "customers", "import", path, "--json"))
		if countsOf(s) != (counts{Created: 2}) {
			t.Fatalf("summary = %+v", s)
		}
		byExt := f.customersByExt(t)
		if c := byExt["J-1"]; c.Location == nil || *c.Location != (salesmania.Location{Lat: -7.2, Lon: 110.1}) || !slices.Equal(c.Tags, []string{"a", "b"}) || !c.Status {
			t.Errorf("J-1 = %+v", c)
		}
		if c := byExt["J-2"]; c.Status || c.Location != nil || c.ID == 77 {
			t.Errorf("J-2 = %+v", c)
		}
		// The output of list --json imports back unchanged.
		listed := f.mustExec(t, "", "customers", "list")
		s = importSummaryOf(t, f.mustExec(t, "", "customers", "import", writeFile(t, "listed.jsonl", listed), "--json"))
		if countsOf(s) != (counts{Unchanged: 2}) {
			t.Errorf("re-import of list output: summary = %+v", s)
		}

		bad := writeFile(t, "bad.jsonl", `{"name":5}
{"nama":"Toko"}
[1,2]
{"name":"Toko","location":{"lat":"x","lon":1}}
{"name":"Toko","location":{"lat":1}}
{"name":"Toko Baik"}
`)
		r := f.exec(t, "", "customers", "import", bad)
		if lines := badLines(r.stderr); !slices.Equal(lines, []int{1, 2, 3, 4, 5}) || r.err == nil {
			t.Fatalf("bad lines = %v, err %v; want [1 2 3 4 5]\n%s", lines, r.err, r.stderr)
		}
		for _, want := range []string{
			"line 1: name: must be a string, not number",
			"line 2: nama: is not a known field",
			"line 3: must be a JSON object on one line",
			"line 4: location.lat: must be a number, not string",
			"line 5: location.lon: is required",
		} {
			if !strings.Contains(r.stderr, want+"\n") {
				t.Errorf("stderr does not say %q:\n%s", want, r.stderr)
			}
		}
		if n := len(f.customers(t)); n != 2 {
			t.Errorf("%d customers; want 2", n)
		}

		// Products as JSON lines.
		path = writeFile(t, "products.ndjson", `{"ext_product_code":"P-1","name":"Kopi","qty_on_hand":12.5,"product_units":[{"name":"PCS","price":1500.25,"ratio":1}]}`+"\n")
		s = importSummaryOf(t, f.mustExec(t, "", "products", "import", path, "--json"))
		ps := f.products(t)
		if countsOf(s) != (counts{Created: 1}) || len(ps) != 1 || ps[0].QtyOnHand.String() != "12.5" || ps[0].ProductUnits[0].Price.String() != "1500.25" {
			t.Errorf("summary %+v, products %+v", s, ps)
		}
	})
}

func TestCLIProductsImport(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		t.Parallel()
		f := newCLIFixture(t, kind)
		f.login(t)
		path := writeFile(t, "products.csv", `ext_product_code,name,description,sku,tags,status,default_disc,qty_on_hand,product_units
P-0007,Indomie Goreng,Mi instan,IDM-G,mie;instan,true,5+2,1200,PCS:3500:1;DUS:130000:40
P-0008,Kopi Kapal Api,,KKA,,false,,24.5,SACHET:1500.5:1
`)
		s := importSummaryOf(t, f.mustExec(t, "", "products", "import", path, "--json"))
		if countsOf(s) != (counts{Created: 2}) {
			t.Fatalf("summary = %+v", s)
		}
		ps := f.productsByExt(t)
		if len(ps) != 2 {
			t.Fatalf("%d products; want 2", len(ps))
		}
		p := ps["P-0007"]
		if p.ExtProductCode != "P-0007" || p.Name != "Indomie Goreng" || p.Description != "Mi instan" || p.SKU != "IDM-G" ||
			!slices.Equal(p.Tags, []string{"mie", "instan"}) || !p.Status || p.DefaultDisc != "5+2" || p.QtyOnHand.String() != "1200" ||
			formatUnits(p.ProductUnits) != "PCS:3500:1;DUS:130000:40" {
			t.Errorf("P-0007 = %+v", p)
		}
		if p := ps["P-0008"]; p.Status || p.QtyOnHand.String() != "24.5" || formatUnits(p.ProductUnits) != "SACHET:1500.5:1" {
			t.Errorf("P-0008 = %+v", p)
		}
		got := jsonLines[salesmania.Product](t, f.mustExec(t, "", "products", "get", itoa(ps["P-0007"].ID)))
		if len(got) != 1 || len(got[0].ProductUnits) != 2 || got[0].ProductUnits[1].Ratio != 40 {
			t.Errorf("products get = %+v", got)
		}
		got = jsonLines[salesmania.Product](t, f.mustExec(t, "", "products", "list", "--tag", "mie"))
		if len(got) != 1 || got[0].ID != ps["P-0007"].ID {
			t.Errorf("products list --tag mie = %+v", got)
		}

		// Units are replaced as a whole; other columns stay.
		path = writeFile(t, "units.csv", "ext_product_code,product_units\nP-0007,PCS:3600:1;PAK:17500:5;DUS:140000:40\n")
		s = importSummaryOf(t, f.mustExec(t, "", "products", "import", path, "--json"))
		ps = f.productsByExt(t)
		if p := ps["P-0007"]; countsOf(s) != (counts{Updated: 1}) || formatUnits(p.ProductUnits) != "PCS:3600:1;PAK:17500:5;DUS:140000:40" || p.DefaultDisc != "5+2" {
			t.Errorf("summary %+v, product %+v", s, p)
		}

		path = writeFile(t, "bad.csv", `ext_product_code,name,qty_on_hand,product_units
B-1,Satu,10,PCS:abc:1
B-2,Dua,10,PCS:3500
B-3,Tiga,10,DUS:130000:40
B-4,Empat,10,PCS:1:1.5
B-5,Lima,sepuluh,PCS:1:1
B-6,Enam,,PCS:1:1
B-7,Tujuh,5,PCS:1:1;pcs:2:1
B-8,Delapan,5,PCS:1:1
`)
		r := f.exec(t, "", "products", "import", path)
		for _, want := range []string{
			`line 2: product_units[0].price: must be a number such as 3500 or 12.5, not "abc"`,
			`line 3: product_units[0]: "PCS:3500" must be NAME:PRICE:RATIO, as DUS:130000:40`,
			"line 4: product_units: must have a unit with ratio 1 (the base unit)",
			"line 5: product_units[0].ratio: must be a whole number from 1 to 999999999",
			`line 6: qty_on_hand: must be a number such as 1200 or 12.5, not "sepuluh"`,
			"line 7: qty_on_hand: is required",
			"line 8: product_units[1].name: repeats another unit's name",
		} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("stderr does not say %q:\n%s", want, r.stderr)
			}
		}
		if lines := badLines(r.stderr); !slices.Equal(lines, []int{2, 3, 4, 5, 6, 7, 8}) || r.err == nil {
			t.Errorf("bad lines = %v, err %v", lines, r.err)
		}
		if n := len(f.products(t)); n != 2 {
			t.Errorf("%d products; want 2", n)
		}
	})
}

// TestCLIExportRoundTrip exports rows whose values need quoting and
// escaping, imports the export back (nothing changes), and into another
// database (the same export comes out).
func TestCLIExportRoundTrip(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		t.Parallel()
		f := newCLIFixture(t, kind)
		f.login(t)
		customers := `{"ext_cust_no":"C-1","name":"Toko \"Ñoño\", Jaya","address":"Jl. Pemuda 1\nBlok A; No. 2","city":"東京","phone":"+62 812","location":{"lat":-7.110383,"lon":110.473812},"tags":["a;b","back\\slash","c:d","=1+2"]}
{"ext_cust_no":"C-2","name":"Toko Dua","status":false,"tags":[]}
{"ext_cust_no":"C-3","name":" x ","location":{"lat":0.1,"lon":-0.000001}}
`
		products := `{"ext_product_code":"P-1","name":"Kopi","description":"Line 1\nLine 2, \"quoted\"","sku":"K;1","tags":["x;y"],"default_disc":"10+5.5","qty_on_hand":0.0001,"product_units":[{"name":"PCS","price":0,"ratio":1},{"name":"BOX:12;a\\b","price":99999999999.9999,"ratio":12}]}
{"ext_product_code":"P-2","name":"Teh","status":false,"qty_on_hand":-3,"product_units":[{"name":"PCS","price":2500,"ratio":1}]}
`
		f.mustExec(t, customers, "customers", "import", "--format", "jsonl", "-")
		f.mustExec(t, products, "products", "import", "--format", "jsonl", "-")

		rows := map[string]int{"customers": 3, "products": 2}
		for _, noun := range []string{"customers", "products"} {
			for _, format := range []string{"csv", "jsonl"} {
				t.Run(noun+"_"+format, func(t *testing.T) {
					out := filepath.Join(t.TempDir(), noun+"."+format)
					f.mustExec(t, "", noun, "export", "--out", out)
					first, err := os.ReadFile(out)
					must(t, err)
					if n := strings.Count(string(first), "\n"); n < rows[noun] {
						t.Fatalf("export has %d lines:\n%s", n, first)
					}
					s := importSummaryOf(t, f.mustExec(t, "", noun, "import", out, "--json"))
					if countsOf(s) != (counts{Unchanged: int64(rows[noun])}) {
						t.Errorf("re-import of the export: %+v; want every row unchanged", s)
					}
					if again := f.mustExec(t, "", noun, "export", "--format", format); again != string(first) {
						t.Errorf("export after the re-import differs:\n%s\nwant\n%s", again, first)
					}
					// Into another database: the same rows, so the same export.
					g := newCLIFixture(t, kind)
					g.login(t)
					s = importSummaryOf(t, g.mustExec(t, "", noun, "import", out, "--json"))
					if countsOf(s) != (counts{Created: int64(rows[noun])}) {
						t.Errorf("import into another database: %+v", s)
					}
					if other := g.mustExec(t, "", noun, "export", "--format", format); sortedRecords(t, format, other) != sortedRecords(t, format, string(first)) {
						t.Errorf("export of the other database differs:\n%s\nwant\n%s", other, first)
					}
				})
			}
		}
		out := f.mustExec(t, "", "customers", "export")
		if !strings.Contains(out, `C-1,"Toko ""Ñoño"", Jaya","Jl. Pemuda 1`+"\n"+`Blok A; No. 2",東京,+62 812,-7.110383,110.473812,true,a\;b;back\\slash;c:d;=1+2`) {
			t.Errorf("customers CSV:\n%s", out)
		}
		out = f.mustExec(t, "", "products", "export")
		if !strings.Contains(out, `PCS:0:1;BOX\:12\;a\\b:99999999999.9999:12`) {
			t.Errorf("products CSV:\n%s", out)
		}
	})
}

// sortedRecords returns the records of an export in order, since an
// import creates rows concurrently and so not in the order of its file.
func sortedRecords(t *testing.T, format, export string) string {
	t.Helper()
	var recs []string
	if format == "jsonl" {
		recs = slices.Collect(strings.Lines(export))
	} else {
		all, err := csv.NewReader(strings.NewReader(export)).ReadAll()
		must(t, err)
		for _, r := range all {
			recs = append(recs, fmt.Sprintf("%q", r))
		}
	}
	slices.Sort(recs)
	return strings.Join(recs, "")
}

// TestCLIImportResume checks that --resume sends only the rows after those
// the state file records as done.
func TestCLIImportResume(t *testing.T) {
	t.Parallel()
	f := newCLIFixture(t, "sqlite")
	f.login(t)
	data := customerCSV(100, "R")
	path := writeFile(t, "customers.csv", data)
	sum := sha256.Sum256([]byte(data))
	st := importState{Input: path, SHA256: hex.EncodeToString(sum[:]), Run: "0123456789abcdef", Rows: 100, Done: 50}
	must(t, st.save(path+".progress"))

	r := f.exec(t, "", "customers", "import", path)
	if r.err == nil || !strings.Contains(r.err.Error(), "stopped after 50 of its 100 rows") || !strings.Contains(r.err.Error(), "--resume") {
		t.Fatalf("import over a state file: err = %v; want to be told of --resume", r.err)
	}
	if n := len(f.customers(t)); n != 0 {
		t.Fatalf("%d customers; want none", n)
	}
	s := importSummaryOf(t, f.mustExec(t, "", "customers", "import", path, "--resume", "--json"))
	if countsOf(s) != (counts{Created: 50, Resumed: 50}) {
		t.Errorf("summary = %+v; want 50 created, 50 resumed", s)
	}
	byExt := f.customersByExt(t)
	for i := 1; i <= 100; i++ {
		ext := fmt.Sprintf("R-%06d", i)
		if _, ok := byExt[ext]; ok != (i > 50) {
			t.Errorf("customer %s written: %t; want %t", ext, ok, i > 50)
		}
	}
	if _, err := os.Stat(path + ".progress"); !os.IsNotExist(err) {
		t.Errorf("the state file is left after the import completed: %v", err)
	}
}

// TestCLIImportResumeAfterCrash resumes an import that a crash cut off
// harder than Ctrl-C does: its state file says fewer rows are done than the
// server has. The resumed import sends those rows again with the same
// idempotency keys, and the server answers them with its first answers, so
// rows without ext_cust_no, which can only be created, are not created
// twice.
func TestCLIImportResumeAfterCrash(t *testing.T) {
	t.Parallel()
	f := newCLIFixture(t, "sqlite")
	f.login(t)
	const rows = 2500 // three batches: 1000, 1000 and 500 rows
	data := customerCSV(rows, "")
	path := writeFile(t, "customers.csv", data)
	sum := sha256.Sum256([]byte(data))
	st := importState{Input: path, SHA256: hex.EncodeToString(sum[:]), Run: "crashed-run", Rows: rows}
	must(t, st.save(path+".progress"))
	s := importSummaryOf(t, f.mustExec(t, "", "customers", "import", path, "--resume", "--json"))
	if countsOf(s) != (counts{Created: rows}) || len(f.customers(t)) != rows {
		t.Fatalf("summary = %+v; want %d created", s, rows)
	}
	// The crash: every batch was written, the state file says the first.
	st.Done = salesmania.MaxBatchItems
	must(t, st.save(path+".progress"))
	s = importSummaryOf(t, f.mustExec(t, "", "customers", "import", path, "--resume", "--json"))
	if countsOf(s) != (counts{Created: rows - salesmania.MaxBatchItems, Resumed: salesmania.MaxBatchItems}) {
		t.Errorf("summary = %+v; want %d created (as the server answered before), %d resumed", s, rows-salesmania.MaxBatchItems, salesmania.MaxBatchItems)
	}
	if n := len(f.customers(t)); n != rows {
		t.Errorf("%d customers; want %d, each once", n, rows)
	}
}

// TestCLIImportInterrupted stops an import of 20 batches of rows without
// ext_cust_no part way (as Ctrl-C does) and resumes it: the batches under
// way at the interruption finish and are recorded, and every row is then
// in the database exactly once, although rows without a number can only be
// created, never matched.
func TestCLIImportInterrupted(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		t.Parallel()
		const rows = 20 * salesmania.MaxBatchItems
		f := newCLIFixture(t, kind)
		f.login(t)
		path := writeFile(t, "customers.csv", customerCSV(rows, ""))
		count := func() int64 {
			page, err := f.store.ListCustomers(context.Background(), f.dbID, salesmania.CustomerFilter{ListParams: salesmania.ListParams{Limit: 1, IncludeTotal: true}})
			if err != nil {
				t.Error(err)
				return 0
			}
			return *page.Total
		}
		ctx, cancel := context.WithCancel(context.Background())
		var atCancel atomic.Int64
		go func() {
			for ctx.Err() == nil {
				if n := count(); n >= salesmania.MaxBatchItems {
					atCancel.Store(n)
					cancel()
					return
				}
				time.Sleep(5 * time.Millisecond)
			}
		}()
		r := f.execContext(t, ctx, "", "customers", "import", path, "--workers", "2")
		cancel()
		if r.err == nil {
			t.Fatalf("the import was not interrupted (it ended before %d rows were in)", atCancel.Load())
		}
		if !strings.Contains(r.err.Error(), "interrupted after") || !strings.Contains(r.err.Error(), "--resume") {
			t.Fatalf("err = %v; want interrupted, with advice to resume", r.err)
		}
		st, err := loadImportState(path + ".progress")
		if err != nil || st == nil {
			t.Fatalf("state file: %v, %v", st, err)
		}
		written := count()
		if st.Done < salesmania.MaxBatchItems || int64(st.Done) != written || st.Rows != rows {
			t.Fatalf("state = %+v with %d customers written; want every row written recorded", st, written)
		}
		s := importSummaryOf(t, f.mustExec(t, "", "customers", "import", path, "--resume", "--json"))
		if s.Resumed != st.Done || s.Created != int64(rows-st.Done) {
			t.Errorf("summary = %+v; want %d created after %d", s, rows-st.Done, st.Done)
		}
		names := map[string]int{}
		for _, c := range f.customers(t) {
			names[c.Name]++
		}
		if len(names) != rows {
			t.Errorf("%d different customers; want %d", len(names), rows)
		}
		for name, n := range names {
			if n != 1 {
				t.Errorf("customer %q is there %d times", name, n)
			}
		}
		t.Logf("interrupted with %d of %d rows in the database, %d of them recorded as done", written, rows, st.Done)
	})
}
