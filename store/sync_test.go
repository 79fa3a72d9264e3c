package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
)

// toRemote turns a device's pending ops into the changes another device pulls, as a
// server without conflicts would deliver them, and marks them pushed.
func toRemote(t *testing.T, db *store.DB, user string) []store.RemoteChange {
	t.Helper()
	ctx := context.Background()
	ops, through, err := db.PendingOps(ctx, 100000)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.RemoteChange
	for _, op := range ops {
		var f map[string]json.RawMessage
		if err := json.Unmarshal(op.Fields, &f); err != nil {
			t.Fatal(err)
		}
		out = append(out, store.RemoteChange{OpID: op.OpID, HLC: op.HLC, Device: op.Device, User: user, Entity: op.Entity,
			EntityID: op.EntityID, Kind: op.Kind, Fields: f, Base: op.Base, At: op.At})
	}
	if err := db.MarkPushed(ctx, through, nil); err != nil {
		t.Fatal(err)
	}
	return out
}

func apply(t *testing.T, db *store.DB, changes []store.RemoteChange) store.ApplyResult {
	t.Helper()
	res, err := db.ApplyRemote(context.Background(), changes, map[string]string{store.SyncCursor: "v1.a.1"})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func export(t *testing.T, db *store.DB, o store.ExportOptions) string {
	t.Helper()
	var b bytes.Buffer
	if err := db.SyncExport(context.Background(), &b, o); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// pair opens two databases joined to one team as users ann and bob, with their stage ops
// exchanged.
func pair(t *testing.T) (a, b *store.DB, clkA, clkB *fakeClock) {
	t.Helper()
	clkA, clkB = newClock(t0), newClock(t0.Add(time.Second))
	a = mustOpen(t, store.Options{Now: clkA.Now, Owner: "ann"})
	b = mustOpen(t, store.Options{Now: clkB.Now, Owner: "bob-local"})
	ctx := context.Background()
	if err := a.PrepareJoin(ctx, "ann"); err != nil {
		t.Fatal(err)
	}
	if err := b.PrepareJoin(ctx, "bob"); err != nil {
		t.Fatal(err)
	}
	ra, rb := toRemote(t, a, "ann"), toRemote(t, b, "bob")
	apply(t, a, rb)
	apply(t, b, ra)
	return a, b, clkA, clkB
}

func TestSync_PrepareJoin(t *testing.T) {
	ctx := context.Background()
	db, _ := openClock(t)
	c, err := db.CreateContact(ctx, store.ContactInput{Name: "Ann Lee"})
	if err != nil {
		t.Fatal(err)
	}
	d, err := db.CreateDeal(ctx, store.DealInput{Title: "Big", ContactID: c.ID})
	if err != nil {
		t.Fatal(err)
	}
	lead, err := db.FindStage(ctx, "lead")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.MoveDeal(ctx, d.ID, "qualified"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.MoveDeal(ctx, d.ID, "lead"); err != nil {
		t.Fatal(err)
	}
	if err := db.PrepareJoin(ctx, "ann"); err != nil {
		t.Fatal(err)
	}
	d2, err := db.FindDealByID(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d2.StageID != store.StageID("lead") || d2.Owner != "ann" || db.Owner() != "ann" {
		t.Fatalf("after join: stage %s owner %s/%s", d2.StageID, d2.Owner, db.Owner())
	}
	// The timeline's stage changes, the deal's rows and every op name the team-wide ids.
	var moves int
	err = db.SQL().QueryRow("SELECT count(*) FROM interactions WHERE from_stage IN (?1, ?2) AND to_stage IN (?1, ?2)",
		store.StageID("lead"), store.StageID("qualified")).Scan(&moves)
	if err != nil || moves != 2 {
		t.Fatalf("%d stage changes name the team-wide stages (%v); want 2", moves, err)
	}
	var stale int
	err = db.SQL().QueryRow("SELECT count(*) FROM ops WHERE instr(fields, ?1) > 0 OR instr(old, ?1) > 0 OR entity_id = ?1", lead.ID).Scan(&stale)
	if err != nil || stale != 0 {
		t.Fatalf("%d ops still name the old id of stage lead (%v)", stale, err)
	}
	ops, _, err := db.PendingOps(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	stages := 0
	for _, op := range ops {
		if op.Entity == store.EntityStage && op.Kind == store.OpCreate {
			stages++
		}
		if strings.Contains(string(op.Fields), `"owner":"tester"`) {
			t.Errorf("op %s still names the old owner: %s", op.OpID, op.Fields)
		}
		if op.Entity == store.EntityDeal && !strings.Contains(string(op.Fields), store.StageID("Lead")) &&
			!strings.Contains(string(op.Fields), store.StageID("Qualified")) {
			t.Errorf("deal op names the old stage: %s", op.Fields)
		}
	}
	if stages != 4 {
		t.Fatalf("%d stage creates pending; want 4", stages)
	}
	if _, err := db.Undo(ctx); err != nil {
		t.Fatal(err) // undoes the deal, not the join
	}
	if _, err := db.FindStage(ctx, "lead"); err != nil {
		t.Fatalf("undo after join removed a stage: %v", err)
	}
}

// Joining with --visibility private makes every record already held private, in its row
// and in the op log that goes up, as if it always was; an invalid choice changes nothing.
func TestSync_PrepareJoinAsPrivate(t *testing.T) {
	ctx := context.Background()
	db, _ := openClock(t)
	c, err := db.CreateContact(ctx, store.ContactInput{Name: "Ann Lee", Company: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.LogInteraction(ctx, store.InteractionInput{Kind: "call", Text: "hello", ContactID: c.ID}); err != nil {
		t.Fatal(err)
	}
	team := "team"
	if _, err := db.UpdateContact(ctx, c.ID, store.ContactUpdate{Visibility: &team}); err != nil {
		t.Fatal(err)
	}
	if err := db.PrepareJoinAs(ctx, "ann", "secret"); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("join as secret: %v", err)
	}
	if err := db.PrepareJoinAs(ctx, "ann", "private"); err != nil {
		t.Fatal(err)
	}
	got, err := db.FindContactByID(ctx, c.ID)
	if err != nil || got.Visibility != "private" {
		t.Fatalf("contact after join: %+v %v", got, err)
	}
	for _, table := range []string{"companies", "contacts", "interactions"} {
		var n int
		if err := db.SQL().QueryRow("SELECT count(*) FROM " + table + " WHERE visibility <> 'private'").Scan(&n); err != nil || n != 0 {
			t.Fatalf("%s: %d rows not private (%v)", table, n, err)
		}
	}
	ops, _, err := db.PendingOps(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range ops {
		if strings.Contains(string(op.Fields), `"visibility":"team"`) {
			t.Errorf("op %s still shares with the team: %s", op.OpID, op.Fields)
		}
	}
	if probs, err := db.Check(ctx); err != nil || len(probs) != 0 {
		t.Fatalf("check: %v %v", probs, err)
	}
}

func TestSync_ApplyConverges(t *testing.T) {
	ctx := context.Background()
	a, b, clkA, clkB := pair(t)
	c, err := a.CreateContact(ctx, store.ContactInput{Name: "Cleo Park", Emails: []store.Email{{Email: "cleo@x.io", Label: "work"}},
		Tags: []string{"vip"}, Company: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	e, err := a.LogInteraction(ctx, store.InteractionInput{Kind: "call", Text: "discussed pricing", ContactID: c.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.AmendInteraction(ctx, e.ID, "discussed pricing and terms"); err != nil {
		t.Fatal(err)
	}
	res := apply(t, b, toRemote(t, a, "ann"))
	if res.Applied == 0 || res.Parked != 0 {
		t.Fatalf("apply: %+v", res)
	}
	if ea, eb := export(t, a, store.ExportOptions{Derived: true}), export(t, b, store.ExportOptions{Derived: true}); ea != eb {
		t.Fatalf("exports differ:\n%s\n---\n%s", ea, eb)
	}
	hits, err := b.Search(ctx, "terms", 10)
	if err != nil || len(hits) != 1 {
		t.Fatalf("search on b: %v %v", hits, err)
	}
	tl, err := b.Timeline(ctx, store.TimelineFilter{ContactID: c.ID})
	if err != nil || len(tl) != 1 || tl[0].Text != "discussed pricing and terms" {
		t.Fatalf("timeline on b: %+v %v", tl, err)
	}
	got, err := b.FindContactByID(ctx, c.ID)
	if err != nil || got.LastTouchedAt == nil || got.Company != "Acme" {
		t.Fatalf("contact on b: %+v %v", got, err)
	}

	// Concurrent edits of one field: the later clock wins on both.
	clkA.Add(time.Minute)
	clkB.Add(2 * time.Minute)
	ta, tb := "CEO", "CTO"
	if _, err := a.UpdateContact(ctx, c.ID, store.ContactUpdate{Title: &ta, AddTags: []string{"x"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.UpdateContact(ctx, c.ID, store.ContactUpdate{Title: &tb, RemoveTags: []string{"vip"}}); err != nil {
		t.Fatal(err)
	}
	ra, rb := toRemote(t, a, "ann"), toRemote(t, b, "bob")
	apply(t, a, rb)
	apply(t, b, ra)
	ea, eb := export(t, a, store.ExportOptions{Derived: true}), export(t, b, store.ExportOptions{Derived: true})
	if ea != eb {
		t.Fatalf("exports differ after concurrent edits:\n%s\n---\n%s", ea, eb)
	}
	got, _ = a.FindContactByID(ctx, c.ID)
	if got.Title != "CTO" || strings.Join(got.Tags, ",") != "x" {
		t.Fatalf("merged contact: title %q tags %v", got.Title, got.Tags)
	}
	// Replaying changes nothing.
	res = apply(t, a, rb)
	if res.Applied != 0 || res.Skipped != len(rb) {
		t.Fatalf("replay: %+v", res)
	}
	if export(t, a, store.ExportOptions{Derived: true}) != ea {
		t.Fatal("replay changed the data")
	}
	// History on a shows b's edit.
	h, err := a.History(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if h[len(h)-1].Device != b.Device() {
		t.Fatalf("last history entry from %s; want b", h[len(h)-1].Device)
	}
}

func TestSync_ClockAdvances(t *testing.T) {
	ctx := context.Background()
	a, b, clkA, _ := pair(t)
	clkA.Add(2 * time.Hour) // a's clock runs two hours fast
	c, err := a.CreateContact(ctx, store.ContactInput{Name: "Dee"})
	if err != nil {
		t.Fatal(err)
	}
	apply(t, b, toRemote(t, a, "ann"))
	title := "after"
	if _, err := b.UpdateContact(ctx, c.ID, store.ContactUpdate{Title: &title}); err != nil {
		t.Fatal(err)
	}
	ops, _, _ := b.PendingOps(ctx, 10)
	if len(ops) != 1 || ops[0].HLC <= store.MakeHLC(t0.Add(2*time.Hour).UnixMilli(), 0) {
		t.Fatalf("b's edit after seeing a's is not ordered after it: %+v", ops)
	}
	apply(t, a, toRemote(t, b, "bob"))
	got, _ := a.FindContactByID(ctx, c.ID)
	if got.Title != "after" {
		t.Fatalf("a has title %q; b's later edit lost to a fast clock", got.Title)
	}
}

func TestSync_HideAndShow(t *testing.T) {
	ctx := context.Background()
	a, b, _, _ := pair(t)
	c, err := a.CreateContact(ctx, store.ContactInput{Name: "Secret Sam", Tags: []string{"hush"}})
	if err != nil {
		t.Fatal(err)
	}
	e, err := a.LogInteraction(ctx, store.InteractionInput{Kind: "note", Text: "confidential", ContactID: c.ID})
	if err != nil {
		t.Fatal(err)
	}
	ra := toRemote(t, a, "ann")
	apply(t, b, ra)
	res := apply(t, b, []store.RemoteChange{
		{Kind: store.ChangeHide, Entity: store.EntityInteraction, EntityID: e.ID, OpID: "h1"},
		{Kind: store.ChangeHide, Entity: store.EntityContact, EntityID: c.ID, OpID: "h2"},
	})
	if res.Hidden != 2 {
		t.Fatalf("hide: %+v", res)
	}
	if _, err := b.FindContactByID(ctx, c.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("hidden contact still found: %v", err)
	}
	if hits, _ := b.Search(ctx, "confidential", 10); len(hits) != 0 {
		t.Fatalf("hidden entry still searchable: %v", hits)
	}
	if hits, _ := b.Search(ctx, "Sam", 10); len(hits) != 0 {
		t.Fatalf("hidden contact still searchable: %v", hits)
	}
	if h, _ := b.History(ctx, c.ID); len(h) != 0 {
		t.Fatalf("hidden contact's ops still on b: %d", len(h))
	}
	var n int
	b.SQL().QueryRow("SELECT count(*) FROM tags WHERE entity_id = ?", c.ID).Scan(&n)
	if n != 0 {
		t.Fatal("hidden contact's tags still on b")
	}
	// Shown again whole, with per-field clocks.
	fields := map[string]json.RawMessage{}
	clocks := map[string]string{}
	for _, ch := range ra {
		if ch.EntityID != c.ID {
			continue
		}
		for k, v := range ch.Fields {
			fields[k] = v
			clocks[k] = clockOf(ch)
		}
	}
	res = apply(t, b, []store.RemoteChange{{Kind: store.ChangeShow, Entity: store.EntityContact, EntityID: c.ID, OpID: "s1",
		Fields: fields, Clocks: clocks, Created: clocks["name"], HLC: 1, Device: "x"}})
	if res.Shown != 1 {
		t.Fatalf("show: %+v", res)
	}
	got, err := b.FindContactByID(ctx, c.ID)
	if err != nil || got.Name != "Secret Sam" || len(got.Tags) != 1 {
		t.Fatalf("shown contact: %+v %v", got, err)
	}
}

func clockOf(c store.RemoteChange) string {
	return c.HLC.String() + "@" + c.Device
}

func TestSync_ParkUnappliable(t *testing.T) {
	ctx := context.Background()
	_, b, _, _ := pair(t)
	good := store.RemoteChange{OpID: "op-good", HLC: store.MakeHLC(t0.UnixMilli(), 1), Device: "dev-x", Entity: store.EntityCompany,
		EntityID: "co-1", Kind: store.OpCreate, Fields: map[string]json.RawMessage{"name": json.RawMessage(`"Globex"`),
			"owner": json.RawMessage(`"ann"`), "visibility": json.RawMessage(`"team"`), "created_at": json.RawMessage(`"2026-03-02T10:00:00.000Z"`)}}
	bad := good
	bad.OpID, bad.EntityID = "op-bad", "co-2"
	bad.Fields = map[string]json.RawMessage{"name": json.RawMessage(`"Initech"`), "colour": json.RawMessage(`1`)}
	res := apply(t, b, []store.RemoteChange{bad, good})
	if res.Parked != 1 || res.Applied != 1 {
		t.Fatalf("apply: %+v", res)
	}
	parked, err := b.ParkedOps(ctx)
	if err != nil || len(parked) != 1 || parked[0].OpID != "op-bad" || parked[0].Direction != "pull" {
		t.Fatalf("parked: %+v %v", parked, err)
	}
	if _, err := b.FindCompanyByID(ctx, "co-1"); err != nil {
		t.Fatal(err)
	}
}

func TestSync_Conflicts(t *testing.T) {
	ctx := context.Background()
	a, b, _, _ := pair(t)
	c, err := a.CreateContact(ctx, store.ContactInput{Name: "Eve", Title: "VP"})
	if err != nil {
		t.Fatal(err)
	}
	apply(t, b, toRemote(t, a, "ann"))
	res := apply(t, b, []store.RemoteChange{{Kind: store.ChangeConflict, OpID: "k1", Conflict: &store.Conflict{
		ID: "0190aaaa-0000-7000-8000-000000000001", Entity: store.EntityContact, EntityID: c.ID, Field: "title",
		WinnerValue: json.RawMessage(`"VP"`), WinnerUser: "ann", WinnerDevice: a.Device(), WinnerHLC: 2,
		LoserValue: json.RawMessage(`"Head of Sales"`), LoserUser: "bob", LoserDevice: b.Device(), LoserHLC: 1, At: t0}}})
	if res.Conflicts != 1 {
		t.Fatalf("apply: %+v", res)
	}
	list, err := b.Conflicts(ctx, store.ConflictFilter{})
	if err != nil || len(list) != 1 || list[0].Label != "Eve" {
		t.Fatalf("conflicts: %+v %v", list, err)
	}
	if n, _ := b.OpenConflictCount(ctx); n != 1 {
		t.Fatalf("open conflicts %d", n)
	}
	if _, err := b.RestoreConflict(ctx, "0190aaaa"); err != nil {
		t.Fatal(err)
	}
	got, _ := b.FindContactByID(ctx, c.ID)
	if got.Title != "Head of Sales" {
		t.Fatalf("restored title %q", got.Title)
	}
	if n, _ := b.OpenConflictCount(ctx); n != 0 {
		t.Fatalf("open conflicts after restore: %d", n)
	}
	if n, _ := b.PendingCount(ctx); n != 1 {
		t.Fatalf("restore left %d pending ops; want 1 (it is an edit that syncs)", n)
	}
	if _, err := b.DismissConflict(ctx, "0190aaaa"); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("dismissing a resolved conflict: %v", err)
	}
	if _, err := b.FindConflict(ctx, "zz"); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("short ref: %v", err)
	}
}

func TestSync_MarkPushedAndPending(t *testing.T) {
	ctx := context.Background()
	db, _ := openClock(t)
	if err := db.PrepareJoin(ctx, "ann"); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"A", "B", "C"} {
		if _, err := db.CreateCompany(ctx, store.CompanyInput{Name: n}); err != nil {
			t.Fatal(err)
		}
	}
	n, _ := db.PendingCount(ctx)
	ops, through, err := db.PendingOps(ctx, 2)
	if err != nil || len(ops) != 2 {
		t.Fatalf("pending: %d %v", len(ops), err)
	}
	parkedID := ops[1].OpID
	if err := db.MarkPushed(ctx, through, []store.Parked{{OpID: ops[1].OpID, Entity: ops[1].Entity, EntityID: ops[1].EntityID, Code: "forbidden", Reason: "no"}}); err != nil {
		t.Fatal(err)
	}
	if m, _ := db.PendingCount(ctx); m != n-2 {
		t.Fatalf("pending %d after marking 2 of %d", m, n)
	}
	if p, _ := db.ParkedOps(ctx); len(p) != 1 || p[0].Code != "forbidden" {
		t.Fatalf("parked %+v", p)
	}
	// An older answer never moves the mark back.
	if err := db.MarkPushed(ctx, 1, nil); err != nil {
		t.Fatal(err)
	}
	if m, _ := db.PendingCount(ctx); m != n-2 {
		t.Fatalf("pending %d after a stale mark", m)
	}
	if err := db.ResetSync(ctx); err != nil {
		t.Fatal(err)
	}
	// Everything is offered again, except the parked op.
	if m, _ := db.PendingCount(ctx); m != n-1 {
		t.Fatalf("pending %d after reset; want %d", m, n-1)
	}
	ops, _, _ = db.PendingOps(ctx, 1000)
	for _, op := range ops {
		if op.OpID == parkedID {
			t.Fatal("a parked op is offered again after a reset")
		}
	}
}
