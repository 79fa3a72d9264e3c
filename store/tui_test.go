package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
)

func names(rows []store.ContactRow) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Name)
	}
	return out
}

func TestDB_ContactWindow(t *testing.T) {
	db, _ := openClock(t)
	ctx := context.Background()
	// Two contacts share a name, so the id must break the tie across windows.
	for _, n := range []string{"erin b", "Alice A", "carol c", "Bob B", "dave d", "Erin B", "frank f"} {
		if _, err := db.CreateContact(ctx, store.ContactInput{Name: n, Company: "Acme", Tags: []string{"vip"}}); err != nil {
			t.Fatal(err)
		}
	}
	gone, err := db.CreateContact(ctx, store.ContactInput{Name: "Zed Gone"})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteContact(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}

	t.Run("OK", func(t *testing.T) {
		var all []store.ContactRow
		w := store.Window{Limit: 2}
		for range 10 {
			rows, err := db.ContactWindow(ctx, w)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, rows...)
			if len(rows) < 2 {
				break
			}
			k := rows[len(rows)-1].Key()
			w = store.Window{After: &k, Limit: 2}
		}
		got := fmt.Sprint(names(all))
		if got != "[Alice A Bob B carol c dave d erin b Erin B frank f]" && got != "[Alice A Bob B carol c dave d Erin B erin b frank f]" {
			t.Fatalf("forward windows = %s", got)
		}
		if all[0].Company != "Acme" || len(all[0].Tags) != 1 || all[0].Tags[0] != "vip" {
			t.Fatalf("row = %+v", all[0])
		}
		// Backwards from the end gives the same order.
		end, err := db.ContactWindow(ctx, store.Window{FromEnd: true, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(names(end)) != fmt.Sprint(names(all[4:])) {
			t.Fatalf("from end = %v, want %v", names(end), names(all[4:]))
		}
		k := end[0].Key()
		before, err := db.ContactWindow(ctx, store.Window{Before: &k, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(names(before)) != fmt.Sprint(names(all[:4])) {
			t.Fatalf("before = %v, want %v", names(before), names(all[:4]))
		}
	})

	t.Run("Search", func(t *testing.T) {
		rows, more, err := db.SearchContactRows(ctx, "er", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || more {
			t.Fatalf("search er = %v more=%v", names(rows), more)
		}
		rows, more, err = db.SearchContactRows(ctx, "acme", 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 || !more {
			t.Fatalf("capped search = %v more=%v", names(rows), more)
		}
		rows, _, err = db.SearchContactRows(ctx, "zed", 0)
		if err != nil || len(rows) != 0 {
			t.Fatalf("deleted contact found: %v %v", names(rows), err)
		}
	})

	t.Run("Companies", func(t *testing.T) {
		rows, err := db.CompanyWindow(ctx, store.Window{})
		if err != nil || len(rows) != 1 || rows[0].Name != "Acme" {
			t.Fatalf("companies = %+v %v", rows, err)
		}
		hits, _, err := db.SearchCompanyRows(ctx, "acm", 0)
		if err != nil || len(hits) != 1 {
			t.Fatalf("company search = %+v %v", hits, err)
		}
		people, err := db.CompanyContacts(ctx, rows[0].ID, 0)
		if err != nil || len(people) != 7 {
			t.Fatalf("company contacts = %d %v", len(people), err)
		}
	})
}

func TestDB_StatusCounts(t *testing.T) {
	db, clk := openClock(t)
	ctx := context.Background()
	if empty, err := db.IsEmpty(ctx); err != nil || !empty {
		t.Fatalf("new database empty = %v %v", empty, err)
	}
	c, err := db.CreateContact(ctx, store.ContactInput{Name: "Ann Lee"})
	if err != nil {
		t.Fatal(err)
	}
	if empty, err := db.IsEmpty(ctx); err != nil || empty {
		t.Fatalf("empty after a contact = %v %v", empty, err)
	}
	if _, err := db.CreateDeal(ctx, store.DealInput{Title: "Big one", ContactID: c.ID}); err != nil {
		t.Fatal(err)
	}
	past, err := db.AddFollowUp(ctx, store.FollowUpInput{Title: "call back", DueAt: clk.Now().Add(-time.Hour), ContactID: c.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddFollowUp(ctx, store.FollowUpInput{Title: "later", DueAt: clk.Now().Add(48 * time.Hour), ContactID: c.ID}); err != nil {
		t.Fatal(err)
	}
	n, err := db.StatusCounts(ctx, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if n != (store.StatusCounts{Contacts: 1, OpenDeals: 1, Overdue: 1}) {
		t.Fatalf("counts = %+v", n)
	}
	if _, err := db.CompleteFollowUp(ctx, past.ID); err != nil {
		t.Fatal(err)
	}
	done, total, err := db.DoneFollowUps(ctx, 10, 0)
	if err != nil || total != 1 || len(done) != 1 || done[0].ID != past.ID {
		t.Fatalf("done = %+v %d %v", done, total, err)
	}
}

// BenchmarkTUIQueries measures the TUI's windowed queries on the standard data set.
func BenchmarkTUIQueries(b *testing.B) {
	path := filepath.Join("..", ".bench", "standard.db")
	if _, err := os.Stat(path); err != nil {
		b.Skip("no .bench/standard.db (copy the standard data set there)")
	}
	db := mustOpenPath(b, path)
	ctx := context.Background()
	b.Run("ContactWindow", func(b *testing.B) {
		k := store.ListKey{Name: "M", ID: ""}
		for b.Loop() {
			if _, err := db.ContactWindow(ctx, store.Window{After: &k, Limit: 60}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ContactWindowEnd", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.ContactWindow(ctx, store.Window{FromEnd: true, Limit: 60}); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, q := range []string{"m", "mar", "martin"} {
		b.Run("Search/"+q, func(b *testing.B) {
			for b.Loop() {
				if _, _, err := db.SearchContactRows(ctx, q, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("StatusCounts", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.StatusCounts(ctx, time.Local); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("DoneFollowUps", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := db.DoneFollowUps(ctx, 50, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
}
