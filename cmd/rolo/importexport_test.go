package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// googleCSV is a small Google Contacts export with a duplicate row, an invalid address
// and a row with more fields than the header.
const googleCSV = "First Name,Last Name,Organization Name,Labels,E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value\r\n" +
	"Ada,Lovelace,Analytical Engines,* myContacts ::: VIP,* Work,ada@engines.example,Mobile,+44 20 7946 0000\r\n" +
	"Zoë,Ångström,,* myContacts,Home,zoe@example.com,,\r\n" +
	"Bob,Broken,,,Work,bob@@example,,\r\n" +
	"Ada,Lovelace,,Friends,Work,ada@engines.example,Work,+44 20 7946 0001\r\n" +
	"Too,Many,,,,,,,extra\r\n"

func TestImportCSV(t *testing.T) {
	e := newEnv(t)
	e.ok("contact", "add", "Placeholder") // make the database exist
	file := writeFile(t, filepath.Join(e.dir, "google.csv"), googleCSV)

	before := dumpDB(t, e.db)
	out := e.ok("import", "csv", file, "--dry-run")
	contains(t, out, "google.csv: Google Contacts, UTF-8, separated by \",\", 5 rows",
		"would create  2 contacts, 1 company", "merged        1 duplicate row", "skipped       2 rows",
		`line 4: invalid email "bob@@example"`, "line 6: 9 fields, the header has 8", "Dry run: nothing was written.")
	if after := dumpDB(t, e.db); after != before {
		t.Fatalf("a dry run changed the database")
	}

	out = e.ok("import", "csv", file)
	contains(t, out, "created       2 contacts, 1 company", `"rolo undo" takes it back`)
	ada := e.object("contact", "show", "ada@engines.example")
	equal(t, "company", str(t, ada, "company"), "Analytical Engines")
	equalStrings(t, "tags", strs(t, ada, "tags"), []string{"friends", "vip"})
	equal(t, "phones", len(arr(t, ada, "phones")), 2)

	// The same file again: nothing new, nothing changed.
	again := e.object("import", "csv", file)
	equal(t, "created contacts", num(t, again, "created.contacts"), 0)
	equal(t, "unchanged", num(t, again, "unchanged"), 2)
	equal(t, "skipped", len(arr(t, again, "skipped")), 2)
	equal(t, "contacts", len(e.list("contact", "list")), 3)

	// Undo takes the import back.
	contains(t, e.ok("undo"), "import google.csv")
	equal(t, "contacts after undo", len(e.list("contact", "list")), 1)
}

func TestImportCSV_Map(t *testing.T) {
	e := newEnv(t)
	file := writeFile(t, filepath.Join(e.dir, "leads.csv"), "Who;Reach;Misc\nNikola Tesla;nikola@example.com;x\n")
	r := e.rolo("import", "csv", file)
	equal(t, "exit of an unknown format", r.code, 2)
	contains(t, r.err, "cannot tell which export leads.csv is (columns: Who, Reach, Misc); name its columns with --map COLUMN=FIELD")
	out := e.ok("import", "csv", file, "--map", "Who=name", "--map", "Reach=email:work", "--map", "Misc=ignore")
	contains(t, out, "created       1 contact")
	c := e.object("contact", "show", "nikola@example.com")
	equal(t, "email label", str(t, arr(t, c, "emails")[0].(obj), "label"), "work")

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--map", "Who"}, `--map "Who": write COLUMN=FIELD`},
		{[]string{"--map", "Who=shoe"}, `unknown field "shoe"`},
		{[]string{"--map", "Nope=name"}, `has no column "Nope"`},
		{[]string{"--kind", "fish"}, `--kind "fish" must be contacts, companies or deals`},
	} {
		r := e.rolo(append([]string{"import", "csv", file}, tc.args...)...)
		if r.code != 2 || !strings.Contains(r.err, tc.want) {
			t.Errorf("%v: want exit 2 and %q, got %s", tc.args, tc.want, r)
		}
	}
	r = e.rolo("import", "csv", filepath.Join(e.dir, "missing.csv"))
	if r.code != 2 || !strings.Contains(r.err, "missing.csv does not exist") {
		t.Errorf("missing file: %s", r)
	}
}

func TestImportVCard(t *testing.T) {
	e := newEnv(t)
	dir := filepath.Join(e.dir, "cards")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "ada.vcf"), "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lovelace;Ada;;;\r\nFN:Ada Lovelace\r\n"+
		"item1.EMAIL;type=INTERNET:ada@engines.example\r\nitem1.X-ABLabel:_$!<Work>!$_\r\nCATEGORIES:VIP\r\nUID:ABC-1\r\nEND:VCARD\r\n")
	writeFile(t, filepath.Join(dir, "igor.vcf"), "BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=D0=98=D0=B3=D0=BE=\r\n=D1=80=D1=8C\r\nTEL;CELL:+7 912 345 67 89\r\nEND:VCARD\r\n")
	writeFile(t, filepath.Join(dir, "broken.vcf"), "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Never ends\r\n")
	out := e.ok("import", "vcard", dir)
	contains(t, out, "vCard, 3 cards", "created       2 contacts", "broken.vcf:1: no END:VCARD")
	igor := e.object("contact", "show", "Игорь")
	equal(t, "phone label", str(t, arr(t, igor, "phones")[0].(obj), "label"), "mobile")
	again := e.object("import", "vcard", dir)
	equal(t, "created again", num(t, again, "created.contacts"), 0)
}

func TestExportAndRestore(t *testing.T) {
	e := newEnv(t)
	e.ok("contact", "add", "Ada Lovelace", "--email", "work=ada@engines.example", "--phone", "mobile=+44 20 7946 0000",
		"--company", "Analytical Engines", "--tag", "vip", "--cadence", "30", "--source", "referral", "--note", "Likes, commas; and \"quotes\"")
	e.ok("followup", "add", "ada", "--due", "tomorrow", "--text", "Send the pilot proposal")
	e.ok("followup", "add", "ada", "--due", "fri 3pm", "--text", "Call back")
	e.ok("log", "ada", "--kind", "meeting", "--text", "Pilot review", "--at", "next monday 10am")

	csv := e.ok("export", "csv")
	if !strings.HasPrefix(csv, "id,name,first_name,last_name,title,company,emails,phones,address,source,tags,cadence_days,notes,visibility\r\n") {
		t.Errorf("csv header: %.120q", csv)
	}
	contains(t, csv, "Ada Lovelace,Ada,Lovelace,,Analytical Engines,work: ada@engines.example,mobile: +44 20 7946 0000,,referral,vip,30,")

	contains(t, e.ok("export", "vcard"), "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:urn:uuid:", "EMAIL;TYPE=work;PREF=1:ada@engines.example\r\n")
	contains(t, e.ok("export", "vcard", "--vcard-version", "3"), "VERSION:3.0\r\n", "TEL;TYPE=cell;TYPE=pref:+44 20 7946 0000\r\n")
	r := e.rolo("export", "vcard", "--vcard-version", "2")
	if r.code != 2 || !strings.Contains(r.err, "--vcard-version 2 must be 3 or 4") {
		t.Errorf("vcard version 2: %s", r)
	}
	ics := e.ok("export", "ics")
	contains(t, ics, "BEGIN:VCALENDAR\r\n", "SUMMARY:Send the pilot proposal\r\n", "DUE;VALUE=DATE:20260312\r\n",
		"STATUS:NEEDS-ACTION\r\n", "SUMMARY:Meeting with Ada Lovelace: Pilot review\r\n", "rolo contact show ")
	equal(t, "to-dos", strings.Count(ics, "BEGIN:VTODO"), 2)
	equal(t, "events", strings.Count(ics, "BEGIN:VEVENT"), 1)

	// -o writes a file and says so.
	file := filepath.Join(e.dir, "contacts.csv")
	contains(t, e.ok("export", "csv", "-o", file), "Exported 1 contact to "+file)
	if b, err := os.ReadFile(file); err != nil || string(b) != csv {
		t.Errorf("file %s: %v", file, err)
	}
	r = e.rolo("export", "csv", "-o", filepath.Join(e.dir, "no", "such", "dir.csv"))
	if r.code != 2 {
		t.Errorf("missing directory: %s", r)
	}

	// JSON: export → restore into a new database → export is byte-identical.
	doc := e.ok("export", "json")
	jsonFile := writeFile(t, filepath.Join(e.dir, "rolo.json"), doc)
	restored := filepath.Join(e.dir, "restored.db")
	contains(t, e.raw("--db", restored, "import", "json", jsonFile).out, "Restored ")
	again := e.raw("--db", restored, "export", "json")
	if again.code != 0 || again.out != doc {
		t.Errorf("export of the restored database differs (%s)", again.err)
	}
	r = e.rolo("import", "json", jsonFile)
	if r.code != 1 || !strings.Contains(r.err, "is not empty (1 contact, 1 company, 1 timeline entry, 2 follow-ups, 5 changes)") {
		t.Errorf("restore into a database with records: %s", r)
	}
}
