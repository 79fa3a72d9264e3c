package tui

import (
	"context"
	"strings"
	"testing"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/tui/common"
	"github.com/rolo-crm/rolo/tui/internal/tuitest"
)

// dupIDs are the duplicates the test adds to the seed.
type dupIDs struct{ ann2, robert, acme2 string }

// withDuplicates is the seeded app with three likely duplicates: a second Ann Lee with
// her email (score 100), the ACME, Inc. company (same folded name as Acme Corp) and
// Robert Stone at Acme (Bob Stone's nickname).
func withDuplicates(t *testing.T, w, h int) (*App, *store.DB, tuitest.Fixture, dupIDs) {
	t.Helper()
	a, db, f := newApp(t, w, h, true)
	ctx := context.Background()
	var ids dupIDs
	c, err := db.CreateContact(ctx, store.ContactInput{Name: "Ann Lee", Emails: []store.Email{{Email: "ann@acme.com"}},
		Phones: []store.Phone{{Phone: "+1 555 0100"}}, Tags: []string{"lead"}})
	if err != nil {
		t.Fatal(err)
	}
	ids.ann2 = c.ID
	if c, err = db.CreateContact(ctx, store.ContactInput{Name: "Robert Stone", Company: "Acme Corp"}); err != nil {
		t.Fatal(err)
	}
	ids.robert = c.ID
	co, err := db.CreateCompany(ctx, store.CompanyInput{Name: "ACME, Inc."})
	if err != nil {
		t.Fatal(err)
	}
	ids.acme2 = co.ID
	tuitest.Drive(t, root{a}, common.ChangedMsg{})
	return a, db, f, ids
}

func survivor(t *testing.T, db *store.DB, entity, id string) string {
	t.Helper()
	s, err := db.Survivor(context.Background(), entity, id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDupes_Golden(t *testing.T) {
	for _, size := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		t.Run(itoa(size.w), func(t *testing.T) {
			a, _, _, _ := withDuplicates(t, size.w, size.h)
			keys(t, a, "2", "D")
			tuitest.Golden(t, "duplicates_"+itoa(size.w)+"x"+itoa(size.h), plain(t, a))
		})
	}
}

func TestDupes_MergeSkipUndo(t *testing.T) {
	a, db, f, ids := withDuplicates(t, 80, 24)
	keys(t, a, "D")
	v := plain(t, a)
	if !strings.Contains(v, "pair 1 of 3") || !strings.Contains(v, "ann@acme.com") || !strings.Contains(v, "+1 555 0100") {
		t.Fatalf("review:\n%s", v)
	}
	// The best pair is the two Ann Lees (same email): m merges the newer into the older.
	keys(t, a, "m")
	if got := survivor(t, db, store.EntityContact, ids.ann2); got != f.Ann {
		t.Fatalf("after m the second Ann survives as %q, want merged into %s", got, f.Ann)
	}
	if a.status != "Merged Ann Lee into Ann Lee · u undoes" {
		t.Fatalf("status %q", a.status)
	}
	v = plain(t, a)
	if !strings.Contains(v, "pair 1 of 2") || !strings.Contains(v, "1 merged") || strings.Contains(v, "+1 555 0100") {
		t.Fatalf("after the merge:\n%s", v)
	}
	// s skips the company pair: the cursor moves on to Bob and Robert, nothing merges.
	sel := a.panel.(interface{ Selected() *store.Duplicate }).Selected()
	if sel == nil || sel.Entity != store.EntityCompany {
		t.Fatalf("second pair %+v", sel)
	}
	keys(t, a, "s")
	sel = a.panel.(interface{ Selected() *store.Duplicate }).Selected()
	if sel == nil || sel.Other.ID != ids.robert || !strings.Contains(plain(t, a), "1 skipped") {
		t.Fatalf("after s: %+v\n%s", sel, plain(t, a))
	}
	if got := survivor(t, db, store.EntityCompany, ids.acme2); got != ids.acme2 {
		t.Fatalf("skip merged the companies (%s)", got)
	}
	// u undoes the merge, from inside the review; the pair is back.
	keys(t, a, "u")
	if got := survivor(t, db, store.EntityContact, ids.ann2); got != ids.ann2 {
		t.Fatalf("undo left the second Ann merged into %s", got)
	}
	if !strings.Contains(plain(t, a), "of 3") {
		t.Fatalf("after undo:\n%s", plain(t, a))
	}
	// enter opens the kept record.
	keys(t, a, "k", "k", "enter")
	if a.panel != nil || a.Active() != common.ScreenContacts || !strings.Contains(plain(t, a), "ann@acme.com") {
		t.Fatalf("enter:\n%s", plain(t, a))
	}
}

// On the first-run Today, D still loads the demo data; elsewhere it opens the review.
func TestDupes_KeyClash(t *testing.T) {
	a, _, _ := newApp(t, 80, 24, false)
	if !screenBinds(a.Screen(common.ScreenToday), a.keys.Duplicates) {
		t.Fatal("the first-run Today does not keep its D")
	}
	keys(t, a, "2", "D")
	if a.panel == nil || a.panel.Title() != "Duplicates" || !strings.Contains(plain(t, a), "No likely duplicates left") {
		t.Fatalf("D on Contacts:\n%s", plain(t, a))
	}
	keys(t, a, "esc")
	b, _, _ := newApp(t, 80, 24, true)
	if screenBinds(b.Screen(common.ScreenToday), b.keys.Duplicates) {
		t.Fatal("Today keeps D with data in the database")
	}
}
