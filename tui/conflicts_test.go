package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/tui/common"
	"github.com/rolo-crm/rolo/tui/internal/tuitest"
)

// withConflicts is the seeded app (no sync set up: conflicts are local data) with two
// open conflicts: the renewal deal's title (newest) and Ann's title.
func withConflicts(t *testing.T, w, h int) (*App, *store.DB, tuitest.Fixture) {
	t.Helper()
	a, db, f := newApp(t, w, h, true)
	tuitest.Conflict(t, db, tuitest.ConflictOpts{Entity: store.EntityContact, EntityID: f.Ann, Field: "title",
		Winner: `"Buyer"`, Loser: `"Head of Buying"`, WinnerUser: "ann", LoserUser: "bob", At: tuitest.Now.Add(-3 * time.Hour)})
	tuitest.Conflict(t, db, tuitest.ConflictOpts{Entity: store.EntityDeal, EntityID: f.Renewal, Field: "title",
		Winner: `"Acme renewal"`, Loser: `"Acme renewal 2026"`, WinnerUser: "cleo", LoserUser: "ann", At: tuitest.Now.Add(-time.Hour)})
	tuitest.Drive(t, root{a}, common.ChangedMsg{}) // the counts reload
	return a, db, f
}

func openConflicts(t *testing.T, db *store.DB) int {
	t.Helper()
	n, err := db.OpenConflictCount(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestConflicts_Golden(t *testing.T) {
	for _, size := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		t.Run(itoa(size.w), func(t *testing.T) {
			a, _, _ := withConflicts(t, size.w, size.h)
			keys(t, a, "C")
			tuitest.Golden(t, "conflicts_"+itoa(size.w)+"x"+itoa(size.h), plain(t, a))
		})
	}
}

func TestConflicts_KeepRestoreOpen(t *testing.T) {
	ctx := context.Background()
	a, db, f := withConflicts(t, 80, 24)
	if !strings.Contains(bar(t, a), "2 conflicts") {
		t.Fatalf("bar %q", bar(t, a))
	}
	keys(t, a, "C")
	v := plain(t, a)
	if !strings.Contains(v, "Sync conflicts · 2 open") || !strings.Contains(v, "Acme renewal 2026") {
		t.Fatalf("panel:\n%s", v)
	}
	// w keeps the winner of the first (the deal): the title stays, the conflict closes.
	keys(t, a, "w")
	d, err := db.FindDealByID(ctx, f.Renewal)
	if err != nil || d.Title != "Acme renewal" || openConflicts(t, db) != 1 {
		t.Fatalf("keep: deal %+v %v, open %d", d, err, openConflicts(t, db))
	}
	if a.status != "Kept Acme renewal as Acme renewal's title" || !strings.Contains(bar(t, a), "1 conflict") {
		t.Fatalf("status %q, bar %q", a.status, bar(t, a))
	}
	if v := plain(t, a); strings.Contains(v, "Acme renewal 2026") || !strings.Contains(v, "Head of Buying") {
		t.Fatalf("the panel did not reload:\n%s", v)
	}
	// r restores the other value of Ann's title: a new edit.
	pending, _ := db.PendingCount(ctx)
	keys(t, a, "r")
	c, err := db.FindContactByID(ctx, f.Ann)
	if err != nil || c.Title != "Head of Buying" || openConflicts(t, db) != 0 {
		t.Fatalf("restore: %+v %v, open %d", c, err, openConflicts(t, db))
	}
	if n, _ := db.PendingCount(ctx); n != pending+1 {
		t.Fatalf("pending %d → %d: a restore is an edit that syncs", pending, n)
	}
	if !strings.Contains(a.status, "Restored Head of Buying as Ann Lee's title") {
		t.Fatalf("status %q", a.status)
	}
	if v := plain(t, a); !strings.Contains(v, "none open") || strings.Contains(bar(t, a), "conflict") {
		t.Fatalf("after both:\n%s", v)
	}
	// The restore can be undone like any edit, from the panel.
	keys(t, a, "u")
	if c, _ := db.FindContactByID(ctx, f.Ann); c.Title != "Buyer" {
		t.Fatalf("undo left the title %q", c.Title)
	}
	keys(t, a, "esc")
	if a.panel != nil {
		t.Fatal("esc did not close the panel")
	}

	// enter opens the record and closes the panel.
	tuitest.Conflict(t, db, tuitest.ConflictOpts{Entity: store.EntityContact, EntityID: f.Cleo, Field: "title",
		Winner: `"Buyer"`, Loser: `"CTO"`, WinnerUser: "ann", LoserUser: "bob", At: tuitest.Now})
	keys(t, a, "C", "enter")
	if a.panel != nil || a.Active() != common.ScreenContacts || !strings.Contains(plain(t, a), "cleo@globex.io") {
		t.Fatalf("enter did not open Cleo:\n%s", plain(t, a))
	}
}

func TestConflicts_PaletteAndHelp(t *testing.T) {
	a, _, _ := withConflicts(t, 80, 24)
	keys(t, a, "ctrl+k")
	tuitest.Drive(t, root{a}, tuitest.Type("conflicts")...)
	keys(t, a, "enter")
	if a.panel == nil || a.panel.Title() != "Conflicts" {
		t.Fatal("the palette did not open the conflicts panel")
	}
	keys(t, a, "?")
	if v := plain(t, a); !strings.Contains(v, "keep winner") || !strings.Contains(v, "sync conflicts") {
		t.Fatalf("help:\n%s", v)
	}
	keys(t, a, "esc", "q")
	if a.panel != nil {
		t.Fatal("q did not close the panel")
	}
}
