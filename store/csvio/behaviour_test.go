package csvio_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/store/csvio"
	"github.com/rolo-crm/rolo/store/demo"
)

// tables dumps every row of every table (search index included), to show that nothing
// at all was written.
func tables(t testing.TB, db *store.DB) string {
	t.Helper()
	rows, err := db.SQL().Query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	rows.Close()
	var b strings.Builder
	for _, n := range names {
		rows, err := db.SQL().Query(`SELECT * FROM "` + n + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			rows.Scan(ptrs...)
			lines = append(lines, fmt.Sprintf("%v", vals))
		}
		rows.Close()
		fmt.Fprintf(&b, "== %s\n%s\n", n, strings.Join(lines, "\n"))
	}
	return b.String()
}

func TestImport_Twice(t *testing.T) {
	for _, tc := range formatCases {
		t.Run(strings.Join(tc.files, "+"), func(t *testing.T) {
			db := mustOpen(t)
			for _, name := range tc.files {
				importFile(t, db, name, csvio.ReadOptions{}, false)
			}
			before := tables(t, db)
			for _, name := range tc.files {
				_, res := importFile(t, db, name, csvio.ReadOptions{}, false)
				if res.Created.Total() != 0 || res.Updated.Total() != 0 {
					t.Errorf("%s again: created %+v, updated %+v", name, res.Created, res.Updated)
				}
				if res.Unchanged == 0 {
					t.Errorf("%s again: nothing matched", name)
				}
			}
			if after := tables(t, db); after != before {
				t.Errorf("importing the same files again changed the database")
			}
		})
	}
}

func TestImport_DryRunWritesNothing(t *testing.T) {
	for _, tc := range formatCases {
		t.Run(strings.Join(tc.files, "+"), func(t *testing.T) {
			db := mustOpen(t)
			real := mustOpen(t)
			for _, name := range tc.files {
				before := tables(t, db)
				_, plan := importFile(t, db, name, csvio.ReadOptions{}, true)
				if after := tables(t, db); after != before {
					t.Fatalf("dry run of %s changed the database", name)
				}
				if !plan.DryRun {
					t.Errorf("plan not marked as a dry run")
				}
				_, res := importFile(t, real, name, csvio.ReadOptions{}, false)
				plan.DryRun = false
				if fmt.Sprint(*plan) != fmt.Sprint(*res) {
					t.Errorf("%s: plan %+v, but the import did %+v", name, *plan, *res)
				}
				// Apply for real so the next file of the group is planned against it.
				importFile(t, db, name, csvio.ReadOptions{}, false)
			}
		})
	}
}

func TestImport_UpdatedExportUpdatesInPlace(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	importFile(t, db, "hubspot-companies.csv", csvio.ReadOptions{}, false)
	importFile(t, db, "hubspot-contacts.csv", csvio.ReadOptions{}, false)
	linus, err := db.Resolve(ctx, "linus@kernel.example", store.ResolveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// A newer export: Linus has a new title, and a new contact appears.
	newer := strings.ReplaceAll(string(fixture(t, "hubspot-contacts.csv")), ";Fellow;", ";Chief Architect;")
	newer += "106;Ada;Newcomer;ada@new.example;;;;;Lead;2024-02-01 10:00;;;;;;\r\n"
	_, res, err := csvio.Import(ctx, db, []byte(newer), csvio.ReadOptions{Name: "newer.csv"}, store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Created.Contacts != 1 || res.Updated.Contacts != 1 || res.Unchanged != 1 {
		t.Errorf("newer export: %+v", *res)
	}
	c, err := db.FindContactByID(ctx, linus.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Title != "Chief Architect" {
		t.Errorf("title = %q", c.Title)
	}
	hist, err := db.History(ctx, linus.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := hist[len(hist)-1]
	if last.Kind != store.OpUpdate || fmt.Sprint(last.Fields) != "map[title:Chief Architect]" || last.Summary != "import newer.csv" {
		t.Errorf("last change: %s %v %q", last.Kind, last.Fields, last.Summary)
	}
	// Undo takes the whole import back.
	if _, err := db.Undo(ctx); err != nil {
		t.Fatal(err)
	}
	if c, _ := db.FindContactByID(ctx, linus.ID); c.Title != "Fellow" {
		t.Errorf("after undo, title = %q", c.Title)
	}
}

func TestImport_Matching(t *testing.T) {
	ctx := context.Background()
	imp := func(t *testing.T, db *store.DB, csv string) *store.ImportResult {
		t.Helper()
		_, res, err := csvio.Import(ctx, db, []byte(csv), csvio.ReadOptions{Name: "m.csv"}, store.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	t.Run("IdsWinOverSharedEmail", func(t *testing.T) {
		db := mustOpen(t)
		res := imp(t, db, "Record ID,First Name,Last Name,Email\n1,Info,Desk,info@acme.example\n2,Other,Desk,info@acme.example\n")
		if res.Created.Contacts != 2 || res.Merged != 0 {
			t.Errorf("%+v", *res)
		}
	})
	t.Run("SharedPhoneNeedsSameName", func(t *testing.T) {
		db := mustOpen(t)
		res := imp(t, db, "Name,Phone\nAda Lovelace,+44 20 7946 0000\nCharles Babbage,+44 20 7946 0000\nada lovelace,+44 (20) 7946-0000\n")
		if res.Created.Contacts != 2 || res.Merged != 1 {
			t.Errorf("%+v", *res)
		}
	})
	t.Run("ShortPhonesNeverMatch", func(t *testing.T) {
		db := mustOpen(t)
		res := imp(t, db, "Name,Phone\nAda,123\nAda,123\n")
		if res.Created.Contacts != 2 {
			t.Errorf("%+v", *res)
		}
	})
	t.Run("AmbiguousEmailIsSkipped", func(t *testing.T) {
		db := mustOpen(t)
		for _, n := range []string{"Ada One", "Ada Two"} {
			if _, err := db.CreateContact(ctx, store.ContactInput{Name: n, Emails: []store.Email{{Email: "ada@example.com"}}}); err != nil {
				t.Fatal(err)
			}
		}
		res := imp(t, db, "Name,Email\nAda,ADA@example.com\n")
		if len(res.Skipped) != 1 || !strings.HasPrefix(res.Skipped[0].Reason, "email ADA@example.com matches 2 contacts (") ||
			!strings.HasSuffix(res.Skipped[0].Reason, "); merge them first") {
			t.Errorf("%+v", *res)
		}
	})
	t.Run("DeletedContactIsNotRevived", func(t *testing.T) {
		db := mustOpen(t)
		imp(t, db, "Record ID,First Name,Last Name,Email\n1,Ada,Lovelace,ada@example.com\n")
		c, err := db.Resolve(ctx, "ada@example.com", store.ResolveOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteContact(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		res := imp(t, db, "Record ID,First Name,Last Name,Email\n1,Ada,Lovelace,ada@example.com\n")
		if res.Created.Contacts != 1 {
			t.Errorf("%+v", *res)
		}
		if again := imp(t, db, "Record ID,First Name,Last Name,Email\n1,Ada,Lovelace,ada@example.com\n"); again.Unchanged != 1 {
			t.Errorf("the new contact took over the external id: %+v", *again)
		}
	})
	// A rolo id that names a live contact is that contact, whatever its addresses say (the
	// plan then looks none of them up); one that names a deleted contact is matched by
	// its addresses as any other row.
	t.Run("RoloIDsThenAddresses", func(t *testing.T) {
		db := mustOpen(t)
		ada, err := db.CreateContact(ctx, store.ContactInput{Name: "Ada Lovelace", Emails: []store.Email{{Email: "ada@example.com"}}})
		if err != nil {
			t.Fatal(err)
		}
		gone, err := db.CreateContact(ctx, store.ContactInput{Name: "Bob Gone", Emails: []store.Email{{Email: "bob@example.com"}}})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteContact(ctx, gone.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateContact(ctx, store.ContactInput{Name: "Cy Other", Emails: []store.Email{{Email: "cy@example.com"}}}); err != nil {
			t.Fatal(err)
		}
		const head = "id,name,first_name,last_name,title,company,emails,phones,address,source,tags,cadence_days,notes,visibility\n"
		res := imp(t, db, head+gone.ID+",Ada Lovelace,Ada,Lovelace,,,ada@example.com,,,,,,,team\n")
		if res.Created.Contacts != 0 || res.Updated.Contacts+res.Unchanged != 1 || len(res.Skipped) != 0 {
			t.Errorf("a deleted contact's id with a live contact's email: %+v", *res)
		}
		res = imp(t, db, head+ada.ID+",Ada Lovelace,Ada,Lovelace,,,\"ada@example.com\ncy@example.com\",,,,,,,team\n")
		if res.Created.Contacts != 0 || res.Updated.Contacts != 1 || len(res.Skipped) != 0 {
			t.Errorf("a live contact's id, with another contact's email: %+v", *res)
		}
		if got, err := db.FindContactByID(ctx, ada.ID); err != nil || len(got.Emails) != 2 {
			t.Errorf("Ada after the import: %+v (%v), want both addresses", got, err)
		}
	})
	t.Run("MatchByEmailAddsWithoutRemoving", func(t *testing.T) {
		db := mustOpen(t)
		c, err := db.CreateContact(ctx, store.ContactInput{Name: "Ada Lovelace", Title: "CTO", Emails: []store.Email{{Email: "ada@example.com", Label: "work"}},
			Tags: []string{"vip"}, Notes: "keep me"})
		if err != nil {
			t.Fatal(err)
		}
		res := imp(t, db, "Name,Email,Phone,Tags,Notes\nAda Lovelace,ada@example.com,+44 20 7946 0000,speaker,\n")
		if res.Updated.Contacts != 1 {
			t.Fatalf("%+v", *res)
		}
		got, _ := db.FindContactByID(ctx, c.ID)
		if got.Title != "CTO" || got.Notes != "keep me" || fmt.Sprint(got.Tags) != "[speaker vip]" || len(got.Emails) != 1 ||
			got.Emails[0].Label != "work" || len(got.Phones) != 1 {
			t.Errorf("after the import: %+v", got)
		}
	})
}

func TestRead_Map(t *testing.T) {
	db := mustOpen(t)
	maps := []csvio.Mapping{{Column: "remarks", Field: "notes"}, {Column: "Shoe Size", Field: "ignore"}, {Column: "Cell", Field: "phone:cell"}}
	f, res := importFile(t, db, "custom.csv", csvio.ReadOptions{Map: maps}, false)
	if f.Format != "generic" || f.Delimiter != ";" || fmt.Sprint(f.Ignored) != "[Shoe Size]" || res.Created.Contacts != 2 {
		t.Errorf("%+v %+v", f, *res)
	}
	if got := dump(t, db); !strings.Contains(got, `contact Nikola Tesla (Nikola / Tesla) | company: "Tesla Electric" | emails: "work=nikola@tesla.example" | phones: "cell=+1 212 555 0188" | notes: "Pigeons"`) {
		t.Errorf("records:\n%s", got)
	}
	for _, tc := range []struct {
		name string
		maps []csvio.Mapping
		file string
		want string
	}{
		{"UnknownField", []csvio.Mapping{{Column: "Remarks", Field: "shoe"}}, "custom.csv", `--map Remarks=shoe: unknown field "shoe" (fields: id, name,`},
		{"UnknownColumn", []csvio.Mapping{{Column: "Nope", Field: "notes"}}, "custom.csv", `--map Nope=notes: custom.csv has no column "Nope" (columns: Full Name, Work Email,`},
		{"UnknownFormat", nil, "unknown.csv", "cannot tell which export unknown.csv is (columns: Foo, Bar, Baz); name its columns with --map COLUMN=FIELD"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := csvio.Read(fixture(t, tc.file), csvio.ReadOptions{Name: tc.file, Map: tc.maps})
			if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v", err)
			}
		})
	}
	// An unknown file becomes importable once its columns are named.
	f, err := csvio.Read(fixture(t, "unknown.csv"), csvio.ReadOptions{Name: "unknown.csv", Map: []csvio.Mapping{{Column: "Foo", Field: "name"}}})
	if err != nil || len(f.Items) != 1 || f.Items[0].Contact == nil || f.Items[0].Contact.Name != "1" {
		t.Errorf("%+v %v", f, err)
	}
	// --kind reads a generic file as deals; a recognised export refuses another kind.
	f, err = csvio.Read([]byte("Deal Title,Amount,Stage\nPilot,100,Lead\n"), csvio.ReadOptions{Name: "d.csv", Kind: csvio.KindDeals})
	if err != nil || f.Items[0].Deal == nil || f.Items[0].Deal.Title != "Pilot" || f.Items[0].Deal.Value != "100" {
		t.Errorf("%+v %v", f, err)
	}
	if _, err := csvio.Read(fixture(t, "outlook.csv"), csvio.ReadOptions{Name: "outlook.csv", Kind: csvio.KindDeals}); err == nil ||
		!strings.Contains(err.Error(), "outlook.csv is a Outlook export, which holds contacts, not deals") {
		t.Errorf("err = %v", err)
	}
}

func TestRead_Rows(t *testing.T) {
	in := "sep=;\r\nName;Email;Notes\r\nShort;short@example.com\r\n\"Quoted; name\";q@example.com;\"multi\r\nline\"\r\nBad \"quote;x@example.com;n\r\nTrailing;t@example.com;n;;\r\n\r\nAfter;after@example.com;\"unterminated\r\n"
	f, err := csvio.Read([]byte(in), csvio.ReadOptions{Name: "r.csv"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range f.Items {
		if it.Skip != "" {
			got = append(got, fmt.Sprintf("%d skip %s", it.Line, it.Skip))
		} else {
			got = append(got, fmt.Sprintf("%d %s %v %q", it.Line, it.Contact.Name, it.Contact.Emails, it.Contact.Notes))
		}
	}
	want := []string{
		`3 Short [{short@example.com }] ""`,
		`4 Quoted; name [{q@example.com }] "multi\nline"`,
		`6 skip malformed CSV: bare " in non-quoted-field`,
		`7 Trailing [{t@example.com }] "n"`,
		`9 skip malformed CSV: extraneous or missing " in quoted-field`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if f.Delimiter != ";" {
		t.Errorf("delimiter %q", f.Delimiter)
	}
	// Tabs, and UTF-16 big-endian.
	tab := "\xfe\xff" + string(utf16be("Name\tEmail\r\nÅsa\tasa@example.com\r\n"))
	f, err = csvio.Read([]byte(tab), csvio.ReadOptions{Name: "t.csv"})
	if err != nil || f.Delimiter != "tab" || f.Encoding != "UTF-16BE" || f.Items[0].Contact.Name != "Åsa" {
		t.Errorf("%+v %v", f, err)
	}
}

// TestRead_ManyRows: a file large enough to be mapped on several goroutines gives every
// row, in order, with its line, exactly as a file of one row each would.
func TestRead_ManyRows(t *testing.T) {
	var b strings.Builder
	b.WriteString("Name,Email,Notes\r\n")
	for i := range 10000 {
		switch i % 997 {
		case 5:
			fmt.Fprintf(&b, "Bad \"quote%d,x@example.com,n\r\n", i)
		case 9:
			fmt.Fprintf(&b, "Multi %d,m%d@example.com,\"line one\r\nline two\"\r\n", i, i)
		default:
			fmt.Fprintf(&b, "Person %d,p%d@example.com,note %d\r\n", i, i, i)
		}
	}
	f, err := csvio.Read([]byte(b.String()), csvio.ReadOptions{Name: "many.csv"})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != 10000 {
		t.Fatalf("%d items, want 10000", len(f.Items))
	}
	line := 2
	for i, it := range f.Items {
		if it.Line != line {
			t.Fatalf("item %d: line %d, want %d", i, it.Line, line)
		}
		line++
		switch i % 997 {
		case 5:
			if !strings.HasPrefix(it.Skip, "malformed CSV") {
				t.Fatalf("item %d: skip %q", i, it.Skip)
			}
		case 9:
			line++
			if it.Contact == nil || it.Contact.Notes != "line one\nline two" {
				t.Fatalf("item %d: %+v", i, it.Contact)
			}
		default:
			one, err := csvio.Read([]byte(fmt.Sprintf("Name,Email,Notes\r\nPerson %d,p%d@example.com,note %d\r\n", i, i, i)), csvio.ReadOptions{Name: "many.csv"})
			if err != nil || it.Contact == nil || fmt.Sprint(*it.Contact) != fmt.Sprint(*one.Items[0].Contact) {
				t.Fatalf("item %d: %+v, alone %+v (%v)", i, it.Contact, one.Items[0].Contact, err)
			}
		}
	}
}

func utf16be(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r>>8), byte(r))
	}
	return b
}

// comparable is a contact's data without its clocks and ids, for round trips.
func contacts(t *testing.T, db *store.DB) string {
	t.Helper()
	cs, _, err := db.FindContacts(context.Background(), store.ContactFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "%s|%s|%s|%s|%s|%v|%v|%q|%s|%q|%v|%d|%s\n", c.Name, c.FirstName, c.LastName, c.Title, c.Company,
			c.Emails, c.Phones, c.Address, c.Source, c.Notes, c.Tags, c.CadenceDays, c.Visibility)
	}
	return b.String()
}

func TestRoundTrip_CSV(t *testing.T) {
	ctx := context.Background()
	a := mustOpen(t)
	if _, err := demo.Generate(ctx, a, demo.Options{Contacts: 300, Seed: 1, Now: testNow}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.CreateContact(ctx, store.ContactInput{Name: "Zoë \"Q\" Ångström", Emails: []store.Email{{Email: "zoe@example.com", Label: "label: with colon"}},
		Phones: []store.Phone{{Phone: "+46 8 123 456", Label: "work, main"}}, Notes: "line one\nline, two; \"three\"", Address: "Gatan 1\n111 51 Stockholm",
		Tags: []string{"b", "a"}, CadenceDays: 14, Visibility: "private", Company: "Nordlys, AB"}); err != nil {
		t.Fatal(err)
	}
	var first bytes.Buffer
	n, err := csvio.Export(ctx, a, &first)
	if err != nil || n != 301 {
		t.Fatalf("export: %d %v", n, err)
	}
	b := mustOpen(t)
	_, res, err := csvio.Import(ctx, b, first.Bytes(), csvio.ReadOptions{Name: "rolo.csv"}, store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Created.Contacts != 301 || len(res.Skipped) != 0 || res.Merged != 0 {
		t.Fatalf("import: %+v", *res)
	}
	if got, want := contacts(t, b), contacts(t, a); got != want {
		t.Errorf("contacts differ after the round trip")
	}
	var second bytes.Buffer
	if _, err := csvio.Export(ctx, b, &second); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		t.Errorf("export → import → export differs")
	}
	if !strings.HasPrefix(first.String(), strings.Join(csvio.Header, ",")+"\r\n") {
		t.Errorf("header: %.100q", first.String())
	}
	// Importing the export into the database it came from changes nothing.
	_, res, err = csvio.Import(ctx, a, first.Bytes(), csvio.ReadOptions{Name: "rolo.csv"}, store.ImportOptions{})
	if err != nil || res.Unchanged != 301 || res.Created.Total() != 0 {
		t.Errorf("re-import into the source: %+v %v", res, err)
	}
}

// FuzzCSVRead checks the reader alone, many times faster than FuzzCSVImport can: no file
// makes it panic, every error is ErrInvalid, and every row becomes exactly one record or
// one skip with its reason.
func FuzzCSVRead(f *testing.F) {
	addCSVSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := csvio.Read(data, csvio.ReadOptions{Name: "f.csv"})
		if err != nil {
			if !errors.Is(err, store.ErrInvalid) {
				t.Fatalf("read error without ErrInvalid: %v", err)
			}
			return
		}
		for _, it := range file.Items {
			records := 0
			for _, set := range []bool{it.Contact != nil, it.Company != nil, it.Deal != nil} {
				if set {
					records++
				}
			}
			if (it.Skip == "") != (records == 1) || (it.Skip != "" && records != 0) {
				t.Fatalf("line %d is neither one record nor a skip: %+v", it.Line, it)
			}
		}
	})
}

func addCSVSeeds(f *testing.F) {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".csv") {
			b, err := os.ReadFile(filepath.Join("testdata", e.Name()))
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Add([]byte("Name,Email\n\"a\"\"b\",x@y.z\n,,,\n"))
	f.Add([]byte("Deal Name,Deal Stage,Amount,Record ID\nX,Closed Lost,1e9,1\n"))
}

// FuzzCSVImport checks that no file makes the reader or the import panic, and that an
// import either writes exactly what it reports or nothing at all.
func FuzzCSVImport(f *testing.F) {
	addCSVSeeds(f)
	ctx := context.Background()
	// Every run imports into a copy of the same new database, so that the same file
	// takes the same paths through SQLite (steady coverage for the fuzzer).
	template := filepath.Join(f.TempDir(), "template.db")
	tdb, err := store.Open(ctx, template, store.Options{Now: func() time.Time { return testNow }, Owner: "tester"})
	if err != nil {
		f.Fatal(err)
	}
	tdb.Close()
	tmpl, err := os.ReadFile(template)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := csvio.Read(data, csvio.ReadOptions{Name: "f.csv"})
		if err != nil {
			if !errors.Is(err, store.ErrInvalid) {
				t.Fatalf("read error without ErrInvalid: %v", err)
			}
			return
		}
		if len(file.Items) > 200 {
			return // keep each run quick
		}
		path := filepath.Join(t.TempDir(), "f.db")
		if err := os.WriteFile(path, tmpl, 0o600); err != nil {
			t.Fatal(err)
		}
		db, err := store.Open(ctx, path, store.Options{Now: func() time.Time { return testNow }})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		before, err := db.Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		res, err := db.Import(ctx, file.Items, store.ImportOptions{Source: file.Source, Summary: "fuzz"})
		after, cerr := db.Count(ctx)
		if cerr != nil {
			t.Fatal(cerr)
		}
		if err != nil {
			if after != before {
				t.Fatalf("a failed import (%v) wrote to the database: %+v → %+v", err, before, after)
			}
			return
		}
		if after.Contacts-before.Contacts != res.Created.Contacts || after.Companies-before.Companies != res.Created.Companies ||
			after.Deals-before.Deals != res.Created.Deals {
			t.Fatalf("reported %+v, the database went from %+v to %+v", res.Created, before, after)
		}
		if res.Rows != len(file.Items) {
			t.Fatalf("rows %d, items %d", res.Rows, len(file.Items))
		}
	})
}

func TestImport_DealChangesGoOnTheTimeline(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	for _, name := range []string{"hubspot-companies.csv", "hubspot-contacts.csv", "hubspot-deals.csv"} {
		importFile(t, db, name, csvio.ReadOptions{}, false)
	}
	newer := strings.Replace(string(fixture(t, "hubspot-deals.csv")), "7001,Kernel support contract,Qualified,12000.50",
		"7001,Kernel support contract,Proposal,15000", 1)
	newer = strings.Replace(newer, "7002,Nordic rollout,Closed Won", "7002,Nordic rollout,Closed Lost", 1)
	_, res, err := csvio.Import(ctx, db, []byte(newer), csvio.ReadOptions{Name: "deals.csv"}, store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Updated.Deals != 2 || res.Created.Total() != 0 {
		t.Fatalf("%+v", *res)
	}
	deals, _, err := db.FindDeals(ctx, store.DealFilter{All: true})
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, d := range deals {
		entries, err := db.Timeline(ctx, store.TimelineFilter{DealID: d.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			texts = append(texts, d.Title+": "+e.Text)
		}
		if d.Title == "Kernel support contract" && (d.Stage != "Proposal" || d.Value.Amount != 1500000) {
			t.Errorf("deal %+v", d)
		}
		if d.Title == "Nordic rollout" && (d.Status != store.StatusLost || d.ClosedAt == nil) {
			t.Errorf("deal %+v", d)
		}
	}
	if got := strings.Join(texts, "\n"); got != "Nordic rollout: Lost\nKernel support contract: Stage: Qualified → Proposal" {
		t.Errorf("timeline entries:\n%s", got)
	}
	if probs, err := db.Check(ctx); err != nil || len(probs) > 0 {
		t.Errorf("check: %+v %v", probs, err)
	}
}

// TestImport_SmallIntoLarge covers the path a small import into a large database takes:
// it indexes the records it writes instead of rebuilding the whole search index.
func TestImport_SmallIntoLarge(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	if _, err := demo.Generate(ctx, db, demo.Options{Contacts: 100, Seed: 2, Now: testNow}); err != nil {
		t.Fatal(err)
	}
	_, res, err := csvio.Import(ctx, db, []byte("Name,Email,Company,Tags\nQuintus Importer,quintus@example.com,Zyxwv Holdings,imported\n"),
		csvio.ReadOptions{Name: "one.csv"}, store.ImportOptions{})
	if err != nil || res.Created.Contacts != 1 || res.Created.Companies != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	for _, q := range []string{"quintus", "zyxwv"} {
		hits, err := db.Search(ctx, q, 5)
		if err != nil || len(hits) == 0 {
			t.Errorf("search %q after the import: %v %v", q, hits, err)
		}
	}
	if probs, err := db.Check(ctx); err != nil || len(probs) > 0 {
		t.Errorf("check: %+v %v", probs, err)
	}
}
