package vcard_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/store/demo"
	"github.com/rolo-crm/rolo/store/vcard"
)

var testNow = time.Date(2026, 3, 11, 10, 0, 0, 0, time.UTC)

func mustOpen(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "rolo.db"), store.Options{Now: func() time.Time { return testNow }, Owner: "tester"})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func importItems(t *testing.T, db *store.DB, items []store.ImportItem) *store.ImportResult {
	t.Helper()
	res, err := db.Import(context.Background(), items, store.ImportOptions{Source: vcard.Source, Summary: "import test"})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func labelled[T any](list []T, get func(T) (string, string)) string {
	var out []string
	for _, x := range list {
		label, v := get(x)
		if label != "" {
			v = label + "=" + v
		}
		out = append(out, v)
	}
	return strings.Join(out, ", ")
}

func dump(t *testing.T, db *store.DB) string {
	t.Helper()
	cs, _, err := db.FindContacts(context.Background(), store.ContactFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, c := range cs {
		l := fmt.Sprintf("%s (%s / %s)", c.Name, c.FirstName, c.LastName)
		for _, kv := range [][2]string{{"title", c.Title}, {"company", c.Company},
			{"emails", labelled(c.Emails, func(e store.Email) (string, string) { return e.Label, e.Email })},
			{"phones", labelled(c.Phones, func(p store.Phone) (string, string) { return p.Label, p.Phone })},
			{"address", c.Address}, {"source", c.Source}, {"notes", c.Notes}, {"tags", strings.Join(c.Tags, " ")}} {
			if kv[1] != "" {
				l += fmt.Sprintf(" | %s: %q", kv[0], kv[1])
			}
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}

func skips(res *store.ImportResult) string {
	var out []string
	for _, s := range res.Skipped {
		out = append(out, fmt.Sprintf("%s:%d: %s", s.File, s.Line, s.Reason))
	}
	return strings.Join(out, "\n")
}

// cases are the fixtures with every skip reason and every contact they produce. PRINT=1
// go test -run TestPrint ./store/vcard prints the table anew after a deliberate change.
var cases = []struct {
	file, skips, want string
}{
	{file: "apple.vcf",
		skips: `apple.vcf:42: no name, email or phone`,
		want: `Ada Lovelace (Ada / Lovelace) | title: "CTO" | company: "Analytical Engines" | emails: "work=ada@engines.example, Lab notebook=ada@home.example" | phones: "mobile=+44 20 7946 0000, work fax=+44 20 7946 0001, main=+44 20 7946 0002" | address: "12 St James's Square, London, SW1Y 4JH, United Kingdom" | notes: "Met at the Royal Society.\nWants numbers by Friday, please.\n\nBirthday: 1815-12-10" | tags: "key-account vip"
Only A Note (Only A / Note) | notes: "Nothing else"
Zoë Ångström (Zoë / Ångström) | emails: "work=zoe@nordlys.example" | phones: "Växel=+46 8 123 456 78"`},
	{file: "android-21.vcf",
		skips: `android-21.vcf:32: line 35: malformed line (no "name:value")
android-21.vcf:37: invalid email "not-an-address"
android-21.vcf:42: no END:VCARD`,
		want: `+33 6 12 34 56 78 (+33 6 12 34 56 78 / ) | phones: "mobile=+33 6 12 34 56 78"
Hans Müller (Hans / Müller) | phones: "work fax=+49 30 1234567, work=+49 30 1234560"
Игорь Руденко (Игорь / Руденко) | emails: "home=igor@example.ru" | phones: "mobile=+7 912 345-67-89, home=+7 343 123-45-67" | address: "ул. Ленина 1, Екатеринбург, 620000, Россия" | notes: "First line\nSecond line = fine"`},
	{file: "v4.vcf",
		skips: ``,
		want:  `Grace Hopper (Grace / Hopper) | company: "US Navy" | emails: "work=grace@navy.example, home=grace@home.example" | phones: "work=+1-202-555-0143, mobile=+1-202-555-0199" | address: "1 Navy Way\nArlington, VA 22202\nUSA" | notes: "Birthday: 19061209" | tags: "navy speakers"`},
}

func TestRead_Fixtures(t *testing.T) {
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			db := mustOpen(t)
			items, err := vcard.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			before, _ := db.Count(context.Background())
			plan, err := db.Import(context.Background(), items, store.ImportOptions{Source: vcard.Source, DryRun: true})
			if err != nil {
				t.Fatal(err)
			}
			if after, _ := db.Count(context.Background()); after != before {
				t.Errorf("the dry run wrote: %+v → %+v", before, after)
			}
			res := importItems(t, db, items)
			if plan.Created != res.Created || len(plan.Skipped) != len(res.Skipped) {
				t.Errorf("plan %+v, import %+v", *plan, *res)
			}
			if got := skips(res); got != tc.skips {
				t.Errorf("skips:\n%s\nwant:\n%s", got, tc.skips)
			}
			if got := dump(t, db); got != tc.want {
				t.Errorf("contacts:\n%s\nwant:\n%s", got, tc.want)
			}
			// The same file again creates nothing and changes nothing.
			again := importItems(t, db, items)
			if again.Created.Total() != 0 || again.Updated.Total() != 0 {
				t.Errorf("again: %+v", *again)
			}
		})
	}
}

func TestReadFile_Directory(t *testing.T) {
	items, err := vcard.ReadFile("testdata")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]int{}
	for _, it := range items {
		files[it.File]++
	}
	if fmt.Sprint(files) != "map[android-21.vcf:6 apple.vcf:4 v4.vcf:1]" {
		t.Errorf("cards per file: %v", files)
	}
	if _, err := vcard.ReadFile(t.TempDir()); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("empty directory: %v", err)
	}
	if _, err := vcard.Read([]byte("hello\r\n"), "x.vcf"); !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), "x.vcf holds no vCard") {
		t.Errorf("no card: %v", err)
	}
}

// contacts is the contacts' data without clocks, for round trips.
func contacts(t *testing.T, db *store.DB) string {
	t.Helper()
	cs, _, err := db.FindContacts(context.Background(), store.ContactFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "%s|%s|%s|%s|%s|%s|%v|%v|%q|%s|%q|%v|%d|%s\n", c.ID, c.Name, c.FirstName, c.LastName, c.Title, c.Company,
			c.Emails, c.Phones, c.Address, c.Source, c.Notes, c.Tags, c.CadenceDays, c.Visibility)
	}
	return b.String()
}

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	a := mustOpen(t)
	if _, err := demo.Generate(ctx, a, demo.Options{Contacts: 300, Seed: 1, Now: testNow}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.CreateContact(ctx, store.ContactInput{Name: "Zoë \"Q\" Ångström-Lindqvist von Hohenzollern-Sigmaringen", Title: "Head of; Things, Stuff \\ more",
		Emails:  []store.Email{{Email: "zoe@example.com", Label: "Work"}, {Email: "z@example.com", Label: "label: with colon"}, {Email: "q@example.com"}},
		Phones:  []store.Phone{{Phone: "+46 8 123 456", Label: "work fax"}, {Phone: "+46 70 123 456", Label: "mobile"}, {Phone: "112 233 44"}, {Phone: "112 233 45", Label: "cell"}, {Phone: "112 233 46", Label: "voice"}},
		Notes:   strings.Repeat("Long notes with ünïcödé that will need folding at seventy-five octets. ", 5) + "\nline two; three, four",
		Address: "Gatan 1\n111 51 Stockholm", Tags: []string{"b", "a"}, CadenceDays: 14, Visibility: "private", Company: "Nordlys; AB", Source: "fair, 2026"}); err != nil {
		t.Fatal(err)
	}
	want := contacts(t, a)
	for _, version := range []int{4, 3} {
		t.Run(fmt.Sprintf("v%d", version), func(t *testing.T) {
			var buf bytes.Buffer
			n, err := vcard.Export(ctx, a, &buf, version)
			if err != nil || n != 301 {
				t.Fatalf("export: %d %v", n, err)
			}
			for i, l := range strings.Split(strings.TrimSuffix(buf.String(), "\r\n"), "\r\n") {
				if len(l) > 75 {
					t.Fatalf("line %d is %d octets: %q", i+1, len(l), l)
				}
				if strings.Contains(l, "\n") {
					t.Fatalf("line %d holds a bare line feed", i+1)
				}
			}
			if !strings.HasPrefix(buf.String(), fmt.Sprintf("BEGIN:VCARD\r\nVERSION:%d.0\r\n", version)) {
				t.Errorf("starts %q", buf.String()[:40])
			}
			b := mustOpen(t)
			items, err := vcard.Read(buf.Bytes(), "export.vcf")
			if err != nil {
				t.Fatal(err)
			}
			res := importItems(t, b, items)
			if res.Created.Contacts != 301 || len(res.Skipped) > 0 {
				t.Fatalf("import: %+v", *res)
			}
			if got := contacts(t, b); got != want {
				t.Errorf("contacts differ after the round trip:\n%s", firstDiff(got, want))
			}
			// Importing the export into its own database changes nothing.
			if res := importItems(t, a, items); res.Unchanged != 301 || res.Created.Total() != 0 {
				t.Errorf("into its own database: %+v", *res)
			}
		})
	}
	if _, err := vcard.Export(ctx, a, &bytes.Buffer{}, 2); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("version 2: %v", err)
	}
}

func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return "got:  " + la[i] + "\nwant: " + lb[i]
		}
	}
	return "lengths differ"
}

func TestExport_Card(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	if _, err := db.CreateContact(ctx, store.ContactInput{Name: "Ada Lovelace", Title: "CTO", Company: "Analytical Engines",
		Emails: []store.Email{{Email: "ada@engines.example", Label: "work"}, {Email: "ada@home.example", Label: "Lab"}},
		Phones: []store.Phone{{Phone: "+44 20 7946 0000", Label: "mobile"}}, Notes: "Likes numbers, and poetry", Tags: []string{"vip"}}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := vcard.Export(ctx, db, &buf, 4); err != nil {
		t.Fatal(err)
	}
	got := regexpID.ReplaceAllString(buf.String(), "ID")
	want := "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:urn:uuid:ID\r\nFN:Ada Lovelace\r\nN:Lovelace;Ada;;;\r\nORG:Analytical Engines\r\n" +
		"TITLE:CTO\r\nEMAIL;TYPE=work;PREF=1:ada@engines.example\r\nitem1.EMAIL:ada@home.example\r\nitem1.X-ABLabel:Lab\r\n" +
		"TEL;TYPE=cell;PREF=1:+44 20 7946 0000\r\nNOTE:Likes numbers\\, and poetry\r\nCATEGORIES:vip\r\nREV:20260311T100000Z\r\nEND:VCARD\r\n"
	if got != want {
		t.Errorf("card:\n%s\nwant:\n%s", got, want)
	}
	buf.Reset()
	if _, err := vcard.Export(ctx, db, &buf, 3); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "\r\nEMAIL;TYPE=internet,work;TYPE=pref:ada@engines.example\r\n") ||
		!strings.Contains(buf.String(), "\r\nTEL;TYPE=cell;TYPE=pref:+44 20 7946 0000\r\n") {
		t.Errorf("3.0 card:\n%s", buf.String())
	}
}

var regexpID = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// FuzzVCardRead checks the reader alone, many times faster than FuzzVCard can: no input
// makes it panic, every error is ErrInvalid, and every card becomes a contact or a skip.
func FuzzVCardRead(f *testing.F) {
	addVCardSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		items, err := vcard.Read(data, "f.vcf")
		if err != nil {
			if !errors.Is(err, store.ErrInvalid) {
				t.Fatalf("error without ErrInvalid: %v", err)
			}
			return
		}
		for _, it := range items {
			if (it.Contact == nil) == (it.Skip == "") {
				t.Fatalf("an item that is neither a contact nor a skip: %+v", it)
			}
		}
	})
}

func addVCardSeeds(f *testing.F) {
	for _, name := range []string{"apple.vcf", "android-21.vcf", "v4.vcf"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("BEGIN:VCARD\nVERSION:2.1\nN;ENCODING=QUOTED-PRINTABLE:=\n=\n=ZZ;=C3\nEND:VCARD\n"))
	f.Add([]byte("BEGIN:VCARD\r\nFN;CHARSET=x-unknown:\xff\xfe\r\nTEL;TYPE=\"a,b;c\":1\r\n item2.X-ABLabel:\r\nEND:VCARD"))
	f.Add([]byte("\xff\xfeB\x00E\x00G\x00I\x00N\x00:\x00V\x00C\x00A\x00R\x00D\x00"))
}

// FuzzVCard checks that importing whatever the reader made of a file never leaves half an
// import: it writes what it reports or nothing.
func FuzzVCard(f *testing.F) {
	addVCardSeeds(f)
	ctx := context.Background()
	db := mustOpen(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		items, err := vcard.Read(data, "f.vcf")
		if err != nil {
			if !errors.Is(err, store.ErrInvalid) {
				t.Fatalf("error without ErrInvalid: %v", err)
			}
			return
		}
		for _, it := range items {
			if (it.Contact == nil) == (it.Skip == "") {
				t.Fatalf("an item that is neither a contact nor a skip: %+v", it)
			}
		}
		if len(items) > 100 {
			return
		}
		before, err := db.Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		res, err := db.Import(ctx, items, store.ImportOptions{Source: vcard.Source, Summary: "fuzz"})
		after, cerr := db.Count(ctx)
		if cerr != nil {
			t.Fatal(cerr)
		}
		if err != nil {
			if after != before {
				t.Fatalf("a failed import (%v) wrote to the database", err)
			}
			return
		}
		if after.Contacts-before.Contacts != res.Created.Contacts || after.Companies-before.Companies != res.Created.Companies {
			t.Fatalf("reported %+v, the database went from %+v to %+v", res.Created, before, after)
		}
	})
}
