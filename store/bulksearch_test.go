package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rolo-crm/rolo/store/internal/storetest"
)

// rebuiltInstances rebuilds the whole search index from the records and lists it again.
func rebuiltInstances(t *testing.T, db *DB) string {
	t.Helper()
	ctx := context.Background()
	if err := db.write(ctx, "rebuild", func(t *Tx) error { return rebuildSearch(ctx, t.tx) }); err != nil {
		t.Fatal(err)
	}
	return storetest.SearchWords(t, db.sql)
}

// TestBulk_SearchAsRowsGoIn checks that the contacts a bulk load indexes as they go in
// (several statements of a few contacts each here) get exactly the search rows a rebuild
// makes, emails, phones, tags and company names included; and that a load which also
// changes a company falls back to rebuilding.
//
// Into a database without contacts, the first load builds the index on a second connection
// and installs it (bulksearch_aux.go); the checks are the same.
func TestBulk_SearchAsRowsGoIn(t *testing.T) {
	t.Run("existing", func(t *testing.T) { testBulkSearch(t, true, false) })
	t.Run("new", func(t *testing.T) { testBulkSearch(t, false, false) })
	t.Run("new, renaming", func(t *testing.T) { testBulkSearch(t, false, true) })
}

// testBulkSearch loads twice; renaming makes the first load rename a company too.
func testBulkSearch(t *testing.T, existing, renaming bool) {
	// Small batches: rows are written, and contacts indexed, many times during a load,
	// also while a contact's own rows are being queued.
	defer func(n, r int) { bulkSearchBatch, rowBatchRows = n, r }(bulkSearchBatch, rowBatchRows)
	bulkSearchBatch, rowBatchRows = 8, 3
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "rolo.db"), Options{Owner: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if existing {
		if _, err := db.CreateContact(ctx, ContactInput{Name: "Existing Person", Emails: []Email{{Email: "existing@example.com"}}}); err != nil {
			t.Fatal(err)
		}
	}
	installs := auxInstalls.Load()
	load := func(round int, rename bool) {
		err := db.Bulk(ctx, "load", func(b *Bulk) error {
			var companies []string
			for i := range 3 {
				id := NewID()
				if err := b.Create(EntityCompany, id, Fields{"name": fmt.Sprintf("Firma%d%d Ltd", round, i)}); err != nil {
					return err
				}
				companies = append(companies, id)
			}
			for i := range 45 {
				// Ids out of creation order, as an import of another database's ids has them.
				id := fmt.Sprintf("01a%d0000-0000-7000-8000-%012d", round, (i*7919)%1000)
				f := Fields{"first_name": fmt.Sprintf("Anna%d", i), "last_name": fmt.Sprintf("Berg%d", round), "name": fmt.Sprintf("Anna%d Berg%d", i, round),
					"title": "Buyer", "notes": fmt.Sprintf("met at fair %d", i)}
				if i%3 != 0 {
					f["company_id"] = companies[i%3]
					f["emails"] = []Email{{Email: fmt.Sprintf("anna%d.r%d@example.com", i, round), Label: "work"}, {Email: fmt.Sprintf("a%d@home.example", i)}}
				}
				if i%2 == 0 {
					f["phones"] = []Phone{{Phone: fmt.Sprintf("+1 312-555-%04d", i), Label: "mobile"}, {Phone: "(0)20 7946 0958"}}
					f["tag:vip"] = true
				}
				if i%5 == 0 {
					f["tag:alpha"], f["tag:zeta"], f["tag:off"] = true, true, false
					f["cadence_days"] = int64(30)
				}
				if i == 44 {
					f["deleted_at"] = "2026-01-01T00:00:00.000Z"
				}
				if err := b.Create(EntityContact, id, f); err != nil {
					return err
				}
			}
			if rename {
				if _, err := b.Update(EntityCompany, companies[1], Fields{"name": "Renamed Holdings"}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	load(1, renaming)
	aside := int64(0)
	if !existing && !renaming {
		aside = 1
	}
	if got, want := auxInstalls.Load()-installs, aside; got != want {
		t.Errorf("%d search indexes built aside, want %d", got, want)
	}
	got := storetest.SearchWords(t, db.sql)
	words := []string{" firma11\n", " anna7\n", " a7\n", " 13125550008\n", " vip\n", " fair\n", " zeta\n"}
	if existing {
		words = append(words, " existing\n")
	}
	if renaming {
		words = []string{" renamed\n", " anna7\n"}
	}
	for _, w := range words {
		if !strings.Contains(got, w) {
			t.Errorf("search index lacks %q", w)
		}
	}
	if strings.Contains(got, " anna44\n") {
		t.Errorf("a deleted contact is indexed")
	}
	if want := rebuiltInstances(t, db); got != want || want == "" {
		t.Errorf("search index after a bulk load:\n%s\nafter a rebuild:\n%s", got, want)
	}

	load(2, true)
	if got, want := auxInstalls.Load()-installs, aside; got != want {
		t.Errorf("%d search indexes built aside, want %d (the second load finds the table filled)", got, want)
	}
	got = storetest.SearchWords(t, db.sql)
	if !strings.Contains(got, " renamed\n") || strings.Contains(got, " firma21\n") {
		t.Errorf("search index does not show the renamed company")
	}
	if want := rebuiltInstances(t, db); got != want {
		t.Errorf("search index after a bulk load that renames a company:\n%s\nafter a rebuild:\n%s", got, want)
	}
	if probs, err := db.Check(ctx); err != nil || len(probs) > 0 {
		t.Errorf("check: %+v %v", probs, err)
	}
	if _, err := db.sql.ExecContext(ctx, "INSERT INTO contacts_fts (contacts_fts, rank) VALUES ('integrity-check', 0)"); err != nil {
		t.Errorf("search index integrity: %v", err)
	}
	// The options a load changes for its duration are set back.
	for k, want := range map[string]int{"automerge": ftsDefaultAutomerge, "hashsize": ftsDefaultHashSize} {
		var got int
		if err := db.sql.QueryRowContext(ctx, "SELECT v FROM contacts_fts_config WHERE k = ?", k).Scan(&got); err != nil || got != want {
			t.Errorf("contacts_fts %s after a bulk load = %d (%v), want %d", k, got, err, want)
		}
	}
}
