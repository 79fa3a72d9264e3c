package csvio_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/store/csvio"
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

func fixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// importFile imports a fixture and returns what Read found and the result.
func importFile(t *testing.T, db *store.DB, name string, ro csvio.ReadOptions, dry bool) (*csvio.File, *store.ImportResult) {
	t.Helper()
	ro.Name = name
	f, res, err := csvio.Import(context.Background(), db, fixture(t, name), ro, store.ImportOptions{DryRun: dry})
	if err != nil {
		t.Fatalf("import %s: %v", name, err)
	}
	return f, res
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

// dump lists the live records of db, one per line, sorted, with every field that is set.
func dump(t *testing.T, db *store.DB) string {
	t.Helper()
	ctx := context.Background()
	var lines []string
	cos, _, err := db.FindCompanies(ctx, store.CompanyFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cos {
		l := "company " + c.Name
		for _, kv := range [][2]string{{"domain", c.Domain}, {"phone", c.Phone}, {"address", c.Address}, {"notes", c.Notes}, {"tags", strings.Join(c.Tags, " ")}} {
			if kv[1] != "" {
				l += fmt.Sprintf(" | %s: %q", kv[0], kv[1])
			}
		}
		lines = append(lines, l)
	}
	cs, _, err := db.FindContacts(ctx, store.ContactFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		l := fmt.Sprintf("contact %s (%s / %s)", c.Name, c.FirstName, c.LastName)
		for _, kv := range [][2]string{{"title", c.Title}, {"company", c.Company},
			{"emails", labelled(c.Emails, func(e store.Email) (string, string) { return e.Label, e.Email })},
			{"phones", labelled(c.Phones, func(p store.Phone) (string, string) { return p.Label, p.Phone })},
			{"address", c.Address}, {"source", c.Source}, {"notes", c.Notes}, {"tags", strings.Join(c.Tags, " ")}} {
			if kv[1] != "" {
				l += fmt.Sprintf(" | %s: %q", kv[0], kv[1])
			}
		}
		if c.CadenceDays > 0 {
			l += fmt.Sprintf(" | cadence: %d", c.CadenceDays)
		}
		if c.Visibility != "team" {
			l += " | " + c.Visibility
		}
		lines = append(lines, l)
	}
	ds, _, err := db.FindDeals(ctx, store.DealFilter{All: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		l := fmt.Sprintf("deal %s | %s %s | %s", d.Title, d.Stage, d.Status, d.Value)
		for _, kv := range [][2]string{{"contact", d.Contact}, {"company", d.Company}, {"close", d.ExpectedClose}, {"lost", d.LostReason}, {"tags", strings.Join(d.Tags, " ")}} {
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
		out = append(out, fmt.Sprintf("line %d: %s", s.Line, s.Reason))
	}
	return strings.Join(out, "\n")
}

// formatCases are the fixtures of each format, imported in groups into one new database
// each (companies before the contacts and deals that link to them), with the formats
// recognised, every skip reason and every record produced. PRINT=1 go test -run
// TestPrint ./store/csvio prints the table anew after a deliberate change.
var formatCases = []struct {
	files   []string
	formats []string
	skips   string
	want    string
}{
	{files: []string{"google.csv"},
		formats: []string{"google contacts UTF-8 with BOM ,"},
		skips: `google.csv line 7: no name, email or phone
google.csv line 8: invalid email "bob@@example"
google.csv line 10: 39 fields, the header has 36`,
		want: `company Analytical Engines
company Nordlys AB
contact Ada Lovelace (Ada / Lovelace) | title: "CTO" | company: "Analytical Engines" | emails: "work=ada@engines.example, home=ada@home.example, home=countess@home.example" | phones: "mobile=+44 20 7946 0000, work=+44 20 7946 0001" | address: "12 St James's Square\nLondon SW1Y 4JH\nUnited Kingdom" | notes: "Met at the Royal Society\n\nBirthday: 1815-12-10" | tags: "friends key-account vip"
contact nameless@example.com (nameless@example.com / ) | emails: "other=nameless@example.com"
contact Zoë Ångström (Zoë / Ångström) | title: "Säljchef" | company: "Nordlys AB" | emails: "work=zoe@nordlys.example" | phones: "work=+46 8 123 456 78" | address: "Drottninggatan 1, Stockholm, 111 51, Sweden"`},
	{files: []string{"google-legacy.csv"},
		formats: []string{"google-legacy contacts UTF-16LE ,"},
		skips: `google-legacy.csv line 5: no name, email or phone
google-legacy.csv line 7: 55 fields, the header has 51`,
		want: `company Ciel & Terre
company US Navy
contact Grace Hopper (Grace / Hopper) | title: "Rear Admiral" | company: "US Navy" | emails: "work=grace@navy.example, home=grace@home.example" | phones: "work=+1 202-555-0143, mobile=+1 202-555-0199" | address: "1 Navy Way, Arlington, VA 22202, USA" | notes: "Invented the compiler\n\nBirthday: 1906-12-09" | tags: "navy speakers"
contact Hélène Dupont (Hélène / Dupont) | title: "Directrice" | company: "Ciel & Terre" | emails: "home=helene@exemple.fr" | address: "8 rue de Rivoli\n75004 Paris"`},
	{files: []string{"outlook.csv"},
		formats: []string{"outlook contacts Windows-1252 ,"},
		skips: `outlook.csv line 4: invalid phone "call me"
outlook.csv line 5: no name, email or phone`,
		want: `company Café Größe GmbH
contact Chloé Martin (Chloé / Martin) | emails: "chloe.martin@example.fr" | phones: "home=01 23 45 67 89" | address: "12 rue Lepic, Paris, 75018, France"
contact José Luis Müller Jr. (José Luis / Müller Jr.) | title: "Verkaufsleiter" | company: "Café Größe GmbH" | emails: "jose.mueller@cafe.example, jose@home.example" | phones: "work=+49 211 123456, mobile=+49 170 1234567, work fax=+49 211 123457" | address: "Königsallee 1, Düsseldorf, NRW 40212, Germany" | notes: "Prefers calls before noon\n\nBirthday: 1/2/1970" | tags: "customers newsletter vip"`},
	{files: []string{"hubspot-companies.csv", "hubspot-contacts.csv", "hubspot-deals.csv"},
		formats: []string{"hubspot-companies companies UTF-8 ,", "hubspot-contacts contacts UTF-8 ;", "hubspot-deals deals UTF-8 ,"},
		skips: `hubspot-companies.csv line 4: no company name
hubspot-contacts.csv line 4: no name, email or phone
hubspot-contacts.csv line 5: invalid email "eve at example.com"
hubspot-contacts.csv line 7: 18 fields, the header has 16
hubspot-deals.csv line 4: unknown stage "Appointment Scheduled" (stages: Lead, Qualified, Proposal, Negotiation)
hubspot-deals.csv line 5: amount "lots" is not a number
hubspot-deals.csv line 6: no deal title`,
		want: `company Kernel Labs Inc. | domain: "kernel.example" | phone: "+1 503-555-0000" | address: "Portland, USA" | tags: "computer-software"
company Nordic Ltd | domain: "nordic.example" | address: "Malmö, Sweden" | tags: "retail"
contact Linus Torvalds (Linus / Torvalds) | title: "Fellow" | company: "Kernel Labs Inc." | emails: "linus@kernel.example" | phones: "+1 503-555-0100, mobile=+1 503-555-0199" | address: "Portland, USA" | source: "Organic Search" | tags: "customer"
contact Mårten Sjöberg (Mårten / Sjöberg) | title: "VD" | company: "Nordic Ltd" | emails: "marten@nordic.example" | phones: "mobile=+46 70 123 45 67" | address: "Malmö, Sweden" | source: "Referrals" | tags: "lead"
deal Nordic rollout | Negotiation won | 45,000.00 USD | contact: "Mårten Sjöberg" | company: "Nordic Ltd" | close: "2026-02-28"
deal Kernel support contract | Qualified open | 12,000.50 USD | contact: "Linus Torvalds" | company: "Kernel Labs Inc." | close: "2026-06-30"`},
	{files: []string{"pipedrive-people.csv", "pipedrive-deals.csv"},
		formats: []string{"pipedrive-people contacts UTF-8 ,", "pipedrive-deals deals UTF-8 ,"},
		skips: `pipedrive-people.csv line 4: no name, email or phone
pipedrive-people.csv line 5: invalid email "bad@mail@example.com"
pipedrive-deals.csv line 4: deleted in Pipedrive (status deleted)
pipedrive-deals.csv line 6: unknown currency code "XYZ" (use an ISO 4217 code such as USD or EUR)`,
		want: `company Fjord Foods
company Sakura KK
contact Ingrid Østergaard (Ingrid / Østergaard) | title: "Indkøbschef" | company: "Fjord Foods" | emails: "work=ingrid@fjord.example" | phones: "work=+45 33 12 34 56, mobile=+45 20 12 34 56" | address: "Strandvejen 1, 2900 Hellerup, Denmark" | notes: "Met at Slush" | tags: "customer hot-lead nordics"
contact Kenji Watanabe (Kenji / Watanabe) | title: "部長" | company: "Sakura KK" | emails: "work=kenji@sakura.example, home=kenji.home@sakura.example"
deal Sakura expansion | Negotiation lost | 3,000,000 JPY | contact: "Kenji Watanabe" | company: "Sakura KK" | close: "2026-03-31" | lost: "Went with a competitor"
deal Fjord Foods pilot | Negotiation open | 12,000.50 EUR | contact: "Ingrid Østergaard" | company: "Fjord Foods" | close: "2026-05-15"`},
	{files: []string{"pipedrive-organizations-list.csv", "pipedrive-persons-list.csv", "pipedrive-deals-list.csv"},
		formats: []string{"pipedrive-organizations companies UTF-8 ,", "pipedrive-people contacts UTF-8 ,", "pipedrive-deals deals UTF-8 ,"},
		skips: `pipedrive-persons-list.csv line 4: no name, email or phone
pipedrive-deals-list.csv line 3: unknown stage "Discovery" (stages: Lead, Qualified, Proposal, Negotiation)`,
		want: `company Lagos Textiles | domain: "lagos.example" | address: "1 Marina Road, Lagos" | tags: "customer"
company Çukurova Pamuk | address: "Adana"
contact Amara Okafor (Amara / Okafor) | title: "CFO" | company: "Lagos Textiles" | emails: "work=amara@lagos.example" | phones: "work=+234 1 234 5678" | address: "Lagos, Lagos State 100001, Nigeria" | tags: "vip"
contact Nameless Person (Nameless / Person)
deal Lagos uniforms | Qualified won | 25,000.00 USD | contact: "Amara Okafor" | company: "Lagos Textiles" | close: "2026-02-01"`},
	{files: []string{"salesforce-report.csv"},
		formats: []string{"salesforce contacts UTF-8 ,"},
		skips: `salesforce-report.csv line 4: no name, email or phone
salesforce-report.csv line 6: invalid email "no-email@"`,
		want: `company Parks Transit
company Stocznia SA
contact Rosa Parks (Rosa / Parks) | title: "Director" | company: "Parks Transit" | emails: "rosa@parks.example" | phones: "work=(334) 555-0101, mobile=(334) 555-0102, fax=(334) 555-0103" | address: "1 Main St, Montgomery, AL 36104, USA" | source: "Web"
contact Zbigniew Brzęczyszczykiewicz (Zbigniew / Brzęczyszczykiewicz) | title: "Inżynier" | company: "Stocznia SA" | emails: "zbigniew@gdansk.example" | phones: "mobile=+48 600 100 200" | address: "ul. Długa 5, Gdańsk, 80-827, Poland" | source: "Trade Show"`},
	{files: []string{"salesforce-api.csv"},
		formats: []string{"salesforce-api contacts UTF-8 ,"},
		skips: `salesforce-api.csv line 3: deleted in Salesforce (IsDeleted)
salesforce-api.csv line 5: no name, email or phone`,
		want: `contact Andrew Ng (Andrew / Ng) | title: "Professor" | emails: "andrew@ml.example" | phones: "mobile=+1 650 555 0123" | source: "Web"
contact Marie Curie (Marie / Curie) | title: "Physicist" | emails: "marie@radium.example" | phones: "work=+33 1 44 27 00 00" | address: "1 Rue Pierre et Marie Curie, Paris, 75005, France" | source: "Partner Referral" | notes: "Two Nobel prizes\n\nBirthday: 1867-11-07"`},
	{files: []string{"rolo.csv"},
		formats: []string{"rolo contacts UTF-8 ,"},
		skips: `rolo.csv line 6: empty row
rolo.csv line 7: cadence_days "soon" is not a number of days`,
		want: `company Crystalforge Systems
contact Gabriela Schröder (Gabriela / Schröder) | title: "Chief of Staff" | company: "Crystalforge Systems" | emails: "work=gabriela@crystalforge.example, personal=gaby@example.com" | phones: "mobile=+49 151 1234 5678" | address: "Hauptstraße 1, Berlin" | source: "referral" | notes: "Prefers email.\nSecond line." | tags: "champion vip" | cadence: 30 | private
contact Nameless Row (Nameless / Row)`},
	{files: []string{"custom.csv"},
		formats: []string{"generic contacts UTF-8 ;"},
		skips:   ``,
		want: `company Tesla Electric
contact Marie Skłodowska (Marie / Skłodowska) | emails: "work=marie@sklodowska.example"
contact Nikola Tesla (Nikola / Tesla) | company: "Tesla Electric" | emails: "work=nikola@tesla.example" | phones: "mobile=+1 212 555 0188"`},
}

func TestImport_Formats(t *testing.T) {
	for _, tc := range formatCases {
		t.Run(strings.Join(tc.files, "+"), func(t *testing.T) {
			db := mustOpen(t)
			var fs, ss []string
			for _, name := range tc.files {
				f, res := importFile(t, db, name, csvio.ReadOptions{}, false)
				fs = append(fs, fmt.Sprintf("%s %s %s %s", f.Format, f.Kind, f.Encoding, f.Delimiter))
				ss = append(ss, strings.ReplaceAll(skips(res), "line", name+" line"))
			}
			if got := strings.Join(fs, "\n"); got != strings.Join(tc.formats, "\n") {
				t.Errorf("formats:\n%s\nwant:\n%s", got, strings.Join(tc.formats, "\n"))
			}
			if got := strings.Trim(strings.Join(ss, "\n"), "\n"); got != tc.skips {
				t.Errorf("skips:\n%s\nwant:\n%s", got, tc.skips)
			}
			if got := dump(t, db); got != tc.want {
				t.Errorf("records:\n%s\nwant:\n%s", got, tc.want)
			}
			if probs, err := db.Check(context.Background()); err != nil || len(probs) > 0 {
				t.Errorf("check: %+v %v", probs, err)
			}
		})
	}
}

func TestPrint(t *testing.T) {
	if os.Getenv("PRINT") == "" {
		t.Skip()
	}
	for _, group := range [][]string{{"google.csv"}, {"google-legacy.csv"}, {"outlook.csv"}, {"hubspot-companies.csv", "hubspot-contacts.csv", "hubspot-deals.csv"},
		{"pipedrive-people.csv", "pipedrive-deals.csv"}, {"pipedrive-organizations-list.csv", "pipedrive-persons-list.csv", "pipedrive-deals-list.csv"},
		{"salesforce-report.csv"}, {"salesforce-api.csv"}, {"rolo.csv"}, {"custom.csv"}} {
		db := mustOpen(t)
		fmt.Printf("\t{files: %#v,\n", group)
		var fs, ss []string
		for _, name := range group {
			f, res := importFile(t, db, name, csvio.ReadOptions{}, false)
			fs = append(fs, fmt.Sprintf("%s %s %s %s", f.Format, f.Kind, f.Encoding, f.Delimiter))
			ss = append(ss, strings.ReplaceAll(skips(res), "line", name+" line"))
		}
		fmt.Printf("\t\tformats: %#v,\n", fs)
		fmt.Printf("\t\tskips: `%s`,\n", strings.Trim(strings.Join(ss, "\n"), "\n"))
		fmt.Printf("\t\twant: `%s`},\n", dump(t, db))
	}
}
