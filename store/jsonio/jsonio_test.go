package jsonio_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/store/demo"
	"github.com/rolo-crm/rolo/store/jsonio"
)

var demoNow = time.Date(2026, 3, 11, 10, 0, 0, 0, time.UTC)

func open(tb testing.TB, path string) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), path, store.Options{Now: func() time.Time { return demoNow }, Owner: "tester"})
	if err != nil {
		tb.Fatalf("open %s: %v", path, err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func export(tb testing.TB, db *store.DB) []byte {
	tb.Helper()
	var b bytes.Buffer
	if _, err := jsonio.Export(context.Background(), db, &b); err != nil {
		tb.Fatalf("export: %v", err)
	}
	return b.Bytes()
}

// demoDB is a database with the demo data set of that many contacts, plus some edits,
// deletions and undone changes, so every table and kind of op is in the export.
func demoDB(t *testing.T, contacts int) *store.DB {
	t.Helper()
	ctx := context.Background()
	db := open(t, filepath.Join(t.TempDir(), "a.db"))
	if _, err := demo.Generate(ctx, db, demo.Options{Contacts: contacts, Seed: 1, Now: demoNow}); err != nil {
		t.Fatal(err)
	}
	c, err := db.CreateContact(ctx, store.ContactInput{Name: "Zoë <Ångström> & \"Co\"", Emails: []store.Email{{Email: "zoe@example.com", Label: "work"}},
		Notes: "line one\nline two\ttab \u2028 \x01", Tags: []string{"vip"}})
	if err != nil {
		t.Fatal(err)
	}
	title := "Chief \\ Officer"
	if _, err := db.UpdateContact(ctx, c.ID, store.ContactUpdate{Title: &title, AddTags: []string{"x"}}); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteContact(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Undo(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestExportImport_ByteIdentical(t *testing.T) {
	ctx := context.Background()
	a := demoDB(t, 300)
	first := export(t, a)
	b := open(t, filepath.Join(t.TempDir(), "b.db"))
	st, err := jsonio.Import(ctx, b, bytes.NewReader(first))
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if st.Rows < 3000 {
		t.Errorf("imported only %d rows", st.Rows)
	}
	second := export(t, b)
	if !bytes.Equal(first, second) {
		t.Fatalf("export → import → export differs:\n%s", firstDiff(first, second))
	}
	if probs, err := b.Check(ctx); err != nil || len(probs) > 0 {
		t.Errorf("check after import: %+v %v", probs, err)
	}
	if b.Device() != a.Device() {
		t.Errorf("device = %s, want the exported %s", b.Device(), a.Device())
	}
	// The restored database works: search finds a contact, and new changes follow the clock.
	hits, err := b.Search(ctx, "Zoë", 5)
	if err != nil || len(hits) == 0 {
		t.Errorf("search after import: %v %v", hits, err)
	}
	if _, err := b.CreateContact(ctx, store.ContactInput{Name: "After Restore"}); err != nil {
		t.Fatal(err)
	}
	if probs, err := b.Check(ctx); err != nil || len(probs) > 0 {
		t.Errorf("check after a new change: %+v %v", probs, err)
	}
	// The document is valid JSON and says what it is.
	if !bytes.HasPrefix(first, []byte("{\n  \"format\": \"rolo-export\",\n  \"version\": 1,")) {
		t.Errorf("document starts %q", first[:80])
	}
}

func firstDiff(a, b []byte) string {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, la[i], lb[i])
		}
	}
	return "lengths differ"
}

func TestImport_RefusesNonEmpty(t *testing.T) {
	ctx := context.Background()
	a := demoDB(t, 10)
	doc := export(t, a)
	_, err := jsonio.Import(ctx, a, bytes.NewReader(doc))
	if !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), "is not empty") {
		t.Fatalf("import into a non-empty database: %v", err)
	}
}

func TestImport_BadDocumentsChangeNothing(t *testing.T) {
	ctx := context.Background()
	a := demoDB(t, 10)
	doc := string(export(t, a))
	cases := map[string]string{
		"empty":         "",
		"not json":      "hello",
		"other format":  `{"format": "x", "version": 1, "schema": 1, "tables": {}}`,
		"newer schema":  `{"format": "rolo-export", "version": 1, "schema": 99, "tables": {}}`,
		"unknown table": `{"format": "rolo-export", "version": 1, "schema": 1, "tables": {"nope": []}}`,
		"truncated":     doc[:len(doc)/2],
		"trailing":      doc + "{}",
		"broken link":   strings.Replace(doc, `"contacts": [`, `"contacts": [`+"\n"+`{"id":"x","name":"X","company_id":"missing","owner":"o","visibility":"team","created_at":"t","updated_at":"t","hlc":1,"device":"d"},`, 1),
		"no meta":       `{"format": "rolo-export", "version": 1, "schema": 1, "tables": {"meta": []}}`,
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "b.db")
			b := open(t, path)
			before := export(t, b)
			if _, err := jsonio.Import(ctx, b, strings.NewReader(in)); err == nil {
				t.Fatal("import succeeded")
			} else if !errors.Is(err, store.ErrInvalid) && name != "not json" {
				t.Logf("error: %v", err)
			}
			if after := export(t, b); !bytes.Equal(before, after) {
				t.Errorf("a failed import changed the database")
			}
		})
	}
}

// FuzzJSONImport checks that no document makes the importer panic, and that a failed
// import leaves the database exactly as it was (empty).
func FuzzJSONImport(f *testing.F) {
	ctx := context.Background()
	dir := f.TempDir()
	template := filepath.Join(dir, "template.db")
	db, err := store.Open(ctx, template, store.Options{Now: func() time.Time { return demoNow }, Owner: "tester"})
	if err != nil {
		f.Fatal(err)
	}
	empty := export(f, db)
	db.Close()
	small := filepath.Join(dir, "small.db")
	sdb, err := store.Open(ctx, small, store.Options{Now: func() time.Time { return demoNow }, Owner: "tester"})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := demo.Generate(ctx, sdb, demo.Options{Contacts: 3, Seed: 1, Now: demoNow}); err != nil {
		f.Fatal(err)
	}
	seed := export(f, sdb)
	sdb.Close()
	f.Add(seed)
	f.Add(empty)
	f.Add([]byte(`{"format":"rolo-export","version":1,"schema":1,"tables":{"meta":[{"key":"device_id","value":"d"},{"key":"owner","value":"o"},{"key":"hlc","value":"1"}]}}`))
	f.Add([]byte(`{"format":"rolo-export","version":1,"schema":1,"tables":{"contacts":[{"id":1.5}]}}`))
	f.Add([]byte(`{"format":"rolo-export","version":1,"schema":1,"tables":{"ops":[{"seq":1,"fields":{"a":[1,{}]},"old":{"blob":"AA=="}}]}}`))
	tmpl, err := os.ReadFile(template)
	if err != nil {
		f.Fatal(err)
	}
	n := 0
	f.Fuzz(func(t *testing.T, doc []byte) {
		n++
		path := filepath.Join(t.TempDir(), "f.db")
		if err := os.WriteFile(path, tmpl, 0o600); err != nil {
			t.Fatal(err)
		}
		db, err := store.Open(ctx, path, store.Options{Now: func() time.Time { return demoNow }})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		_, err = jsonio.Import(ctx, db, bytes.NewReader(doc))
		if err != nil {
			if got := export(t, db); !bytes.Equal(got, empty) {
				t.Fatalf("a failed import (%v) changed the database", err)
			}
			return
		}
		// A successful import exports again without error.
		if _, err := jsonio.Export(ctx, db, io.Discard); err != nil {
			t.Fatalf("export after import: %v", err)
		}
	})
}
