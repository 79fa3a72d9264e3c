package csvio_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/store/csvio"
	"github.com/rolo-crm/rolo/store/demo"
	"github.com/rolo-crm/rolo/store/internal/storetest"
)

// contactCards renders every live contact of db as one line per contact id, with
// everything an import carries: names, title, company name, emails and phones in order
// (with labels and digits), address, source, notes, cadence, visibility and tags.
func contactCards(t *testing.T, db *sql.DB) map[string]string {
	t.Helper()
	rows, err := db.Query(`SELECT c.id, c.name || '|' || c.first_name || '|' || c.last_name || '|' || c.title || '|' ||
		coalesce(co.name, '') || '|' || c.address || '|' || c.source || '|' || c.notes || '|' ||
		coalesce(c.cadence_days, 0) || '|' || c.visibility || '|' ||
		coalesce((SELECT group_concat(x, ';') FROM (SELECT label || ':' || email AS x FROM contact_emails WHERE contact_id = c.id ORDER BY position)), '') || '|' ||
		coalesce((SELECT group_concat(x, ';') FROM (SELECT label || ':' || phone || ':' || digits AS x FROM contact_phones WHERE contact_id = c.id ORDER BY position)), '') || '|' ||
		coalesce((SELECT group_concat(tag, ';') FROM (SELECT tag FROM tags WHERE entity = 'contact' AND entity_id = c.id ORDER BY tag)), '')
		FROM contacts c LEFT JOIN companies co ON co.id = c.company_id WHERE c.deleted_at IS NULL AND c.merged_into IS NULL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, card string
		if err := rows.Scan(&id, &card); err != nil {
			t.Fatal(err)
		}
		out[id] = card
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestImport_BulkLoadKeepsEverything imports rolo's CSV of a demo database into a new one,
// which goes through the bulk path (store.Bulk), and checks everything the import
// promises: the same contacts with every field, the companies they name, one create op per
// record with its fields, clock and device, a search index that finds every contact, the
// skipped row reported, and a second import that matches instead of duplicating.
func TestImport_BulkLoadKeepsEverything(t *testing.T) {
	ctx := context.Background()
	src := mustOpen(t)
	if _, err := demo.Generate(ctx, src, demo.Options{Contacts: 600, Seed: 5, Now: testNow}); err != nil {
		t.Fatal(err)
	}
	var csv bytes.Buffer
	n, err := csvio.Export(ctx, src, &csv)
	if err != nil {
		t.Fatal(err)
	}
	want := contactCards(t, src.SQL())
	if n != len(want) || n < 500 {
		t.Fatalf("exported %d contacts of %d", n, len(want))
	}
	// A row that names nobody is reported (by its line: quoted cells span lines), not imported.
	skipLine := bytes.Count(csv.Bytes(), []byte("\n")) + 1
	csv.WriteString(",,,,,,,,,,,,a note about nobody,team\n")

	db := mustOpen(t)
	var progress int
	_, res, err := csvio.Import(ctx, db, csv.Bytes(), csvio.ReadOptions{Name: "contacts.csv"},
		store.ImportOptions{Summary: "import contacts.csv", Progress: func(done, total int) { progress = done }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Created.Contacts != n || res.Rows != n+1 || progress == 0 {
		t.Errorf("created %+v of %d rows (progress %d), want %d contacts", res.Created, res.Rows, progress, n)
	}
	if len(res.Skipped) != 1 || res.Skipped[0].Line != skipLine || res.Skipped[0].File != "contacts.csv" {
		t.Errorf("skipped %+v, want line %d", res.Skipped, skipLine)
	}

	// Records: every contact with every field, and exactly the companies they name.
	got := contactCards(t, db.SQL())
	if len(got) != len(want) {
		t.Errorf("%d contacts imported, %d exported", len(got), len(want))
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("contact %s:\n got %q\nwant %q", id, got[id], w)
		}
	}
	var companies, named int
	db.SQL().QueryRow("SELECT count(*) FROM companies").Scan(&companies)
	src.SQL().QueryRow(`SELECT count(DISTINCT lower(co.name)) FROM contacts c JOIN companies co ON co.id = c.company_id
		WHERE c.deleted_at IS NULL AND c.merged_into IS NULL`).Scan(&named)
	if companies != named || res.Created.Companies != named || named == 0 {
		t.Errorf("%d companies (%d reported), the contacts name %d", companies, res.Created.Companies, named)
	}

	// Op log: one create per record, in one change group, with fields, clock and device.
	var group, summary string
	if err := db.SQL().QueryRow("SELECT id, summary FROM op_groups").Scan(&group, &summary); err != nil || summary != "import contacts.csv" {
		t.Fatalf("change group %q %q: %v", group, summary, err)
	}
	rows, err := db.SQL().Query("SELECT seq, group_id, hlc, device, entity, entity_id, kind, fields FROM ops ORDER BY seq")
	if err != nil {
		t.Fatal(err)
	}
	ops := map[string]int{}
	var lastHLC int64
	for rows.Next() {
		var seq, hlc int64
		var g, device, entity, id, kind, fields string
		if err := rows.Scan(&seq, &g, &hlc, &device, &entity, &id, &kind, &fields); err != nil {
			t.Fatal(err)
		}
		if g != group || device != db.Device() || kind != "create" || hlc <= lastHLC {
			t.Errorf("op %d: group %s device %s kind %s hlc %d after %d", seq, g, device, kind, hlc, lastHLC)
		}
		lastHLC = hlc
		ops[entity+" "+id]++
		var f map[string]any
		if err := json.Unmarshal([]byte(fields), &f); err != nil {
			t.Errorf("op %d fields: %v", seq, err)
		}
		if entity == store.EntityContact {
			card, ok := got[id]
			if !ok || !strings.HasPrefix(card, fmt.Sprint(f["name"], "|")) {
				t.Errorf("op %d creates contact %s named %v; the record is %q", seq, id, f["name"], card)
			}
			if emails, _ := f["emails"].([]any); strings.Count(strings.Split(card, "|")[10], "@") != len(emails) {
				t.Errorf("op %d: emails %v, record %q", seq, f["emails"], card)
			}
		}
	}
	rows.Close()
	if len(ops) != len(got)+companies {
		t.Errorf("%d records with ops, want %d", len(ops), len(got)+companies)
	}
	for id := range got {
		if ops[store.EntityContact+" "+id] != 1 {
			t.Errorf("contact %s has %d create ops", id, ops[store.EntityContact+" "+id])
		}
	}

	// Search: every contact by its first email and by its name; the index checks out.
	for id := range got {
		var name, email string
		db.SQL().QueryRow(`SELECT name, coalesce((SELECT email FROM contact_emails WHERE contact_id = c.id ORDER BY position LIMIT 1), '')
			FROM contacts c WHERE id = ?`, id).Scan(&name, &email)
		for _, q := range []string{email, name} {
			if q == "" {
				continue
			}
			hits, err := db.Search(ctx, `"`+q+`"`, 200)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, h := range hits {
				found = found || h.Entity == store.EntityContact && h.ID == id
			}
			if !found {
				t.Errorf("search %q does not find contact %s (%d hits)", q, id, len(hits))
			}
		}
	}
	if probs, err := db.Check(ctx); err != nil || len(probs) > 0 {
		t.Errorf("check: %+v %v", probs, err)
	}
	// The contacts' search index, built aside during the load, holds exactly what a
	// rebuild from the records makes, word by word.
	if _, err := db.SQL().ExecContext(ctx, "INSERT INTO contacts_fts (contacts_fts, rank) VALUES ('integrity-check', 0)"); err != nil {
		t.Errorf("search index integrity: %v", err)
	}
	built := storetest.SearchWords(t, db.SQL())
	if err := db.RebuildSearch(ctx); err != nil {
		t.Fatal(err)
	}
	if rebuilt := storetest.SearchWords(t, db.SQL()); built != rebuilt || built == "" {
		t.Errorf("the imported search index differs from a rebuild (%d and %d bytes of words)", len(built), len(rebuilt))
	}

	// Importing the file again matches every row (by id); a file without ids matches by
	// email, and one with only phones by phone number.
	_, again, err := csvio.Import(ctx, db, csv.Bytes(), csvio.ReadOptions{Name: "contacts.csv"}, store.ImportOptions{})
	if err != nil || again.Created.Total() != 0 || again.Updated.Total() != 0 || again.Unchanged != n || len(again.Skipped) != 1 {
		t.Errorf("second import: %+v %v", again, err)
	}
	var byEmail, byPhone strings.Builder
	byEmail.WriteString("Name,Email\n")
	byPhone.WriteString("Name,Phone\n")
	var emails, phones int
	rows, err = db.SQL().Query(`SELECT name, coalesce((SELECT email FROM contact_emails WHERE contact_id = c.id AND position = 0), ''),
		coalesce((SELECT phone FROM contact_phones WHERE contact_id = c.id AND position = 0), '') FROM contacts c ORDER BY id LIMIT 100`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name, email, phone string
		rows.Scan(&name, &email, &phone)
		if email != "" {
			fmt.Fprintf(&byEmail, "%q,%s\n", name, email)
			emails++
		}
		if phone != "" {
			fmt.Fprintf(&byPhone, "%q,%q\n", name, phone)
			phones++
		}
	}
	rows.Close()
	for _, f := range []struct {
		text string
		rows int
	}{{byEmail.String(), emails}, {byPhone.String(), phones}} {
		_, res, err := csvio.Import(ctx, db, []byte(f.text), csvio.ReadOptions{Name: "again.csv"}, store.ImportOptions{})
		if err != nil || f.rows < 50 || res.Created.Total() != 0 || res.Unchanged+res.Updated.Total()+res.Merged != f.rows {
			t.Errorf("import of %d known contacts: %+v %v", f.rows, res, err)
		}
	}
	var total int
	db.SQL().QueryRow("SELECT count(*) FROM contacts").Scan(&total)
	if total != n {
		t.Errorf("%d contacts after importing known ones again, want %d", total, n)
	}
}
