package client_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/sync/client"
	"github.com/rolo-crm/rolo/sync/internal/synctest"
	"github.com/rolo-crm/rolo/sync/server"
	"github.com/rolo-crm/rolo/sync/wire"
)

func syncAll(t *testing.T, devs ...*synctest.Device) {
	t.Helper()
	for round := 0; round < 2; round++ {
		for _, d := range devs {
			if _, err := d.Client.SyncNow(context.Background()); err != nil {
				t.Fatalf("sync %s: %v", d.User, err)
			}
		}
	}
}

func teamExport(t *testing.T, d *synctest.Device) string {
	t.Helper()
	var b bytes.Buffer
	if err := d.DB.SyncExport(context.Background(), &b, store.ExportOptions{TeamOnly: true, Derived: true}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestSync_TwoDevices(t *testing.T) {
	ctx := context.Background()
	tm := synctest.NewTeam(t, server.Config{})
	ann := tm.Join("ann", true, store.Options{Owner: "ann"}, nil)
	bob := tm.Join("bob", false, store.Options{Owner: "robert"}, nil)
	c, err := ann.DB.CreateContact(ctx, store.ContactInput{Name: "Cleo Park", Company: "Acme", Tags: []string{"vip"}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := ann.DB.CreateDeal(ctx, store.DealInput{Title: "Acme renewal", ContactID: c.ID, Value: 120000})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ann.Client.SyncNow(ctx)
	if err != nil || rep.Pushed == 0 {
		t.Fatalf("ann's sync: %+v %v", rep, err)
	}
	rep, err = bob.Client.SyncNow(ctx)
	if err != nil || rep.Applied == 0 {
		t.Fatalf("bob's sync: %+v %v", rep, err)
	}
	got, err := bob.DB.FindDealByID(ctx, d.ID)
	if err != nil || got.Stage != "Lead" || got.Contact != "Cleo Park" {
		t.Fatalf("bob's copy of the deal: %+v %v", got, err)
	}
	stages, _ := bob.DB.Stages(ctx)
	if len(stages) != 4 {
		t.Fatalf("bob has %d stages; want the team's 4", len(stages))
	}
	// Concurrent edits of one field: one wins everywhere, the other is a conflict record.
	t1, t2 := "CEO", "Founder"
	if _, err := ann.DB.UpdateContact(ctx, c.ID, store.ContactUpdate{Title: &t1}); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.DB.UpdateContact(ctx, c.ID, store.ContactUpdate{Title: &t2}); err != nil {
		t.Fatal(err)
	}
	syncAll(t, ann, bob)
	if a, b := teamExport(t, ann), teamExport(t, bob); a != b {
		t.Fatalf("exports differ:\n%s\n---\n%s", a, b)
	}
	ka, _ := ann.DB.Conflicts(ctx, store.ConflictFilter{})
	kb, _ := bob.DB.Conflicts(ctx, store.ConflictFilter{})
	if len(ka) != 1 || len(kb) != 1 || ka[0].Field != "title" {
		t.Fatalf("conflicts: ann %+v bob %+v", ka, kb)
	}
	winner, _ := ann.DB.FindContactByID(ctx, c.ID)
	loser := string(ka[0].LoserValue)
	if loser != `"CEO"` && loser != `"Founder"` || loser == `"`+winner.Title+`"` {
		t.Fatalf("conflict keeps %s, contact has %q", loser, winner.Title)
	}
	// Restoring the loser is an edit that syncs.
	if _, err := bob.DB.RestoreConflict(ctx, kb[0].ID); err != nil {
		t.Fatal(err)
	}
	syncAll(t, bob, ann)
	after, _ := ann.DB.FindContactByID(ctx, c.ID)
	if `"`+after.Title+`"` != loser {
		t.Fatalf("after restore ann has %q; want %s", after.Title, loser)
	}
	st, err := bob.Client.Status(ctx)
	if err != nil || !st.Online || st.Pending != 0 || st.User != "bob" || st.LastSync.IsZero() {
		t.Fatalf("status %+v %v", st, err)
	}
}

func TestSync_PrivateFlip(t *testing.T) {
	ctx := context.Background()
	tm := synctest.NewTeam(t, server.Config{})
	ann := tm.Join("ann", false, store.Options{Owner: "ann"}, nil)
	bob := tm.Join("bob", false, store.Options{Owner: "bob"}, nil)
	c, err := ann.DB.CreateContact(ctx, store.ContactInput{Name: "Quiet Quinn"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ann.DB.LogInteraction(ctx, store.InteractionInput{Kind: "note", Text: "salary expectations", ContactID: c.ID}); err != nil {
		t.Fatal(err)
	}
	p, err := ann.DB.CreateContact(ctx, store.ContactInput{Name: "Private Pat", Visibility: "private"})
	if err != nil {
		t.Fatal(err)
	}
	syncAll(t, ann, bob)
	if _, err := bob.DB.FindContactByID(ctx, p.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("bob received ann's private contact: %v", err)
	}
	if hits, _ := bob.DB.Search(ctx, "salary", 5); len(hits) != 1 {
		t.Fatalf("bob lacks the team note: %v", hits)
	}
	private := "private"
	if _, err := ann.DB.UpdateContact(ctx, c.ID, store.ContactUpdate{Visibility: &private}); err != nil {
		t.Fatal(err)
	}
	syncAll(t, ann, bob)
	if _, err := bob.DB.FindContactByID(ctx, c.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("contact turned private is still on bob's device: %v", err)
	}
	if hits, _ := bob.DB.Search(ctx, "salary", 5); len(hits) != 0 {
		t.Fatalf("its note is still on bob's device: %v", hits)
	}
	// Back to team: bob gets it whole again.
	team := "team"
	if _, err := ann.DB.UpdateContact(ctx, c.ID, store.ContactUpdate{Visibility: &team}); err != nil {
		t.Fatal(err)
	}
	syncAll(t, ann, bob)
	if got, err := bob.DB.FindContactByID(ctx, c.ID); err != nil || got.Name != "Quiet Quinn" {
		t.Fatalf("shown again: %+v %v", got, err)
	}
	if hits, _ := bob.DB.Search(ctx, "salary", 5); len(hits) != 1 {
		t.Fatalf("its note did not come back: %v", hits)
	}
	if a, b := teamExport(t, ann), teamExport(t, bob); a != b {
		t.Fatalf("exports differ:\n%s\n---\n%s", a, b)
	}
}

func TestSync_ExistingDatabaseJoins(t *testing.T) {
	ctx := context.Background()
	dir := synctest.Dir(t)
	db, err := store.Open(ctx, dir+"/old.db", store.Options{Owner: "localname"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, n := range []string{"One", "Two", "Three"} {
		c, err := db.CreateContact(ctx, store.ContactInput{Name: n + " Person", Tags: []string{"old"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateDeal(ctx, store.DealInput{Title: n + " deal", ContactID: c.ID}); err != nil {
			t.Fatal(err)
		}
	}
	tm := synctest.NewTeam(t, server.Config{})
	ann := tm.Enrol(db, dir+"/old.db", "ann", false, nil)
	bob := tm.Join("bob", false, store.Options{Owner: "bob"}, nil)
	syncAll(t, ann, bob)
	list, _, err := bob.DB.FindContacts(ctx, store.ContactFilter{Tag: "old"})
	if err != nil || len(list) != 3 || list[0].Owner != "ann" {
		t.Fatalf("bob sees %+v %v", list, err)
	}
	deals, _, _ := bob.DB.FindDeals(ctx, store.DealFilter{})
	if len(deals) != 3 || deals[0].Stage != "Lead" {
		t.Fatalf("bob's deals %+v", deals)
	}
	if a, b := teamExport(t, ann), teamExport(t, bob); a != b {
		t.Fatalf("exports differ:\n%s\n---\n%s", a, b)
	}
}

func TestSync_EpochChangeResyncs(t *testing.T) {
	ctx := context.Background()
	tm := synctest.NewTeam(t, server.Config{})
	ann := tm.Join("ann", false, store.Options{Owner: "ann"}, nil)
	if _, err := ann.DB.CreateCompany(ctx, store.CompanyInput{Name: "Initech"}); err != nil {
		t.Fatal(err)
	}
	syncAll(t, ann)
	// The server is replaced by an empty one (a restore from nothing, say): a new epoch.
	tm2 := synctest.NewTeam(t, server.Config{})
	code := tm2.Invite("ann", false)
	res, err := client.Enroll(ctx, nil, tm2.URL, code, ann.DB.Device(), "again")
	if err != nil {
		t.Fatal(err)
	}
	ann.Client.BaseURL, ann.Client.Token = tm2.URL, res.Token
	rep, err := ann.Client.SyncNow(ctx)
	if err != nil || !rep.Resynced || rep.Pushed == 0 {
		t.Fatalf("after the epoch change: %+v %v", rep, err)
	}
	bob := tm2.Join("bob", false, store.Options{Owner: "bob"}, nil)
	syncAll(t, bob)
	if list, _, _ := bob.DB.FindCompanies(ctx, store.CompanyFilter{}); len(list) != 1 {
		t.Fatalf("the new server lacks ann's company: %+v", list)
	}
}

// A device whose clock runs hours fast has its push refused (clock_ahead); it re-stamps
// its unsent changes by the server's clock, keeping their order, and they land. Its next
// edits are stamped by the server's time, and nobody else's clock is dragged ahead.
func TestSync_ClockAheadIsRestamped(t *testing.T) {
	ctx := context.Background()
	serverNow := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	tm := synctest.NewTeam(t, server.Config{Now: func() time.Time { return serverNow }})
	fast := func() time.Time { return serverNow.Add(2 * time.Hour) }
	ann := tm.Join("ann", true, store.Options{Owner: "ann", Now: fast}, nil)
	bob := tm.Join("bob", false, store.Options{Owner: "bob", Now: func() time.Time { return serverNow }}, nil)
	c, err := ann.DB.CreateContact(ctx, store.ContactInput{Name: "Cleo Park"})
	if err != nil {
		t.Fatal(err)
	}
	t1, t2 := "CTO", "CEO"
	for _, title := range []*string{&t1, &t2} {
		if _, err := ann.DB.UpdateContact(ctx, c.ID, store.ContactUpdate{Title: title}); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := ann.Client.SyncNow(ctx)
	if err != nil {
		t.Fatalf("ann's sync: %v", err)
	}
	if rep.Restamped == 0 || rep.ClockOffset != -2*time.Hour || rep.Pushed == 0 || rep.Parked != 0 {
		t.Fatalf("ann's sync report: %+v", rep)
	}
	limit := uint64(store.MakeHLC(serverNow.Add(wire.MaxClockAhead).UnixMilli(), 0))
	for _, ch := range tm.Log(t) {
		if ch.HLC > limit {
			t.Fatalf("the server holds a change stamped ahead: %+v", ch)
		}
	}
	// The order of ann's edits survived: the later title wins, with no conflict.
	syncAll(t, ann, bob)
	got, err := bob.DB.FindContactByID(ctx, c.ID)
	if err != nil || got.Title != "CEO" {
		t.Fatalf("bob's copy: %+v %v", got, err)
	}
	if k, _ := bob.DB.Conflicts(ctx, store.ConflictFilter{}); len(k) != 0 {
		t.Fatalf("conflicts: %+v", k)
	}
	if a, b := teamExport(t, ann), teamExport(t, bob); a != b {
		t.Fatalf("exports differ:\n%s\n---\n%s", a, b)
	}
	// The next edit on ann's device is stamped by the server's time and is accepted as is.
	t3 := "Chair"
	if _, err := ann.DB.UpdateContact(ctx, c.ID, store.ContactUpdate{Title: &t3}); err != nil {
		t.Fatal(err)
	}
	rep, err = ann.Client.SyncNow(ctx)
	if err != nil || rep.Restamped != 0 || rep.Pushed != 1 || rep.ClockOffset != -2*time.Hour {
		t.Fatalf("ann's second sync: %+v %v", rep, err)
	}
	syncAll(t, ann, bob)
	if got, _ := bob.DB.FindContactByID(ctx, c.ID); got.Title != "Chair" {
		t.Fatalf("bob's title: %q", got.Title)
	}
	for _, d := range []*synctest.Device{ann, bob} {
		if probs, err := d.DB.Check(ctx); err != nil || len(probs) != 0 {
			t.Fatalf("%s: check: %v %v", d.User, probs, err)
		}
	}
}

// The TUI runs its store on one connection: every sync path (push, park and refetch,
// pull, conflicts, re-stamping) must work without a second one, while the screens keep
// reading between the steps. A wait for a connection that never frees would hang: the
// deadline turns that into a failure.
func TestSync_SingleConnection(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	serverNow := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	tm := synctest.NewTeam(t, server.Config{Now: func() time.Time { return serverNow }})
	ann := tm.Join("ann", true, store.Options{Owner: "ann", Now: func() time.Time { return serverNow.Add(time.Hour) }}, nil)
	bob := tm.Join("bob", false, store.Options{Owner: "bob", Now: func() time.Time { return serverNow }}, nil)
	ann.DB.SQL().SetMaxOpenConns(1)
	c, err := bob.DB.CreateContact(ctx, store.ContactInput{Name: "Cleo Park", Tags: []string{"vip"}})
	if err != nil {
		t.Fatal(err)
	}
	syncAll(t, bob)
	if _, err := ann.Client.SyncNow(ctx); err != nil {
		t.Fatalf("ann's first sync: %v", err)
	}
	// Concurrent edits (a conflict), a private record of bob's that ann then edits
	// (parked and refetched), and ann's clock an hour fast (re-stamped).
	t1, t2 := "CEO", "Founder"
	if _, err := ann.DB.UpdateContact(ctx, c.ID, store.ContactUpdate{Title: &t1}); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.DB.UpdateContact(ctx, c.ID, store.ContactUpdate{Title: &t2}); err != nil {
		t.Fatal(err)
	}
	private := "private"
	if _, err := bob.DB.UpdateContact(ctx, c.ID, store.ContactUpdate{Visibility: &private}); err != nil {
		t.Fatal(err)
	}
	syncAll(t, bob)
	done := make(chan error, 1)
	go func() {
		_, err := ann.Client.SyncNow(ctx)
		done <- err
	}()
	// The screens read while the sync runs.
	for i := 0; i < 20; i++ {
		if _, _, err := ann.DB.FindContacts(ctx, store.ContactFilter{Limit: 20}); err != nil {
			t.Fatalf("read during sync: %v", err)
		}
		if _, err := ann.Client.Status(ctx); err != nil {
			t.Fatalf("status during sync: %v", err)
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("ann's sync on one connection: %v", err)
	}
	if _, err := ann.DB.FindContactByID(ctx, c.ID); err == nil {
		t.Fatal("bob's contact turned private is still on ann's device")
	}
	syncAll(t, ann, bob)
	if a, b := teamExport(t, ann), teamExport(t, bob); a != b {
		t.Fatalf("exports differ:\n%s\n---\n%s", a, b)
	}
}
