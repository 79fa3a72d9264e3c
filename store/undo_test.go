package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
)

// opRow is one row of the op log as stored.
type opRow struct {
	seq                          int64
	opID, group                  string
	hlc                          int64
	device, entity, id, kind, at string
	fields, old, base            map[string]any
}

func opsAfter(t *testing.T, db *store.DB, seq int64) []opRow {
	t.Helper()
	rows, err := db.SQL().Query("SELECT seq, op_id, group_id, hlc, device, entity, entity_id, kind, fields, old, base, at FROM ops WHERE seq > ? ORDER BY seq", seq)
	noErr(t, err)
	defer rows.Close()
	var out []opRow
	for rows.Next() {
		var o opRow
		var fields string
		var old, base *string
		noErr(t, rows.Scan(&o.seq, &o.opID, &o.group, &o.hlc, &o.device, &o.entity, &o.id, &o.kind, &fields, &old, &base, &o.at))
		noErr(t, json.Unmarshal([]byte(fields), &o.fields))
		if old != nil {
			noErr(t, json.Unmarshal([]byte(*old), &o.old))
		}
		if base != nil {
			noErr(t, json.Unmarshal([]byte(*base), &o.base))
		}
		out = append(out, o)
	}
	return out
}

func maxSeq(t *testing.T, db *store.DB) int64 {
	return scalar[int64](t, db, "SELECT coalesce(max(seq), 0) FROM ops")
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestDB_OpLog checks that every write is one change group whose ops are written with it.
func TestDB_OpLog(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("OneGroupPerWrite", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		db := f.db
		var entry2 *store.Interaction
		steps := []struct {
			name string
			ops  int // how many ops the write logs
			do   func() error
		}{
			{"create contact with new company", 2, func() error {
				_, err := db.CreateContact(ctx, store.ContactInput{Name: "Charles Babbage", Company: "Difference Ltd"})
				return err
			}},
			{"edit contact", 1, func() error {
				_, err := db.UpdateContact(ctx, f.contact.ID, store.ContactUpdate{Title: ptr("Enchantress of Numbers"), AddTags: []string{"math"}})
				return err
			}},
			{"edit company", 1, func() error {
				_, err := db.UpdateCompany(ctx, f.company.ID, store.CompanyUpdate{Name: ptr("Engines plc")})
				return err
			}},
			{"create company", 1, func() error { _, err := db.CreateCompany(ctx, store.CompanyInput{Name: "Loom"}); return err }},
			{"create deal", 1, func() error {
				_, err := db.CreateDeal(ctx, store.DealInput{Title: "Loom deal", Company: "Loom"})
				return err
			}},
			{"edit deal", 1, func() error {
				_, err := db.UpdateDeal(ctx, f.deal.ID, store.DealUpdate{Value: ptr(int64(7))})
				return err
			}},
			{"move deal", 2, func() error { _, err := db.MoveDeal(ctx, f.deal.ID, "Proposal"); return err }},
			{"win deal", 2, func() error { _, err := db.CloseDeal(ctx, f.deal.ID, store.StatusWon, ""); return err }},
			{"log", 1, func() error {
				var err error
				entry2, err = db.LogInteraction(ctx, store.InteractionInput{Kind: "email", Text: "hello", ContactID: f.contact.ID})
				return err
			}},
			{"amend", 1, func() error { _, err := db.AmendInteraction(ctx, entry2.ID, "hello again"); return err }},
			{"redact", 1, func() error { return db.RedactInteraction(ctx, f.entry.ID) }},
			{"add follow-up", 1, func() error {
				_, err := db.AddFollowUp(ctx, store.FollowUpInput{Title: "x", DueAt: t0, ContactID: f.contact.ID})
				return err
			}},
			{"snooze", 1, func() error { _, err := db.SnoozeFollowUp(ctx, f.followUp.ID, t0.Add(time.Hour), false); return err }},
			{"complete", 1, func() error { _, err := db.CompleteFollowUp(ctx, f.followUp.ID); return err }},
			{"reopen", 1, func() error { _, err := db.ReopenFollowUp(ctx, f.followUp.ID); return err }},
			{"delete follow-up", 1, func() error { return db.DeleteFollowUp(ctx, f.followUp.ID) }},
			{"delete contact", 1, func() error { return db.DeleteContact(ctx, f.contact.ID) }},
			{"restore contact", 1, func() error { return db.RestoreContact(ctx, f.contact.ID) }},
			{"undo", 1, func() error { _, err := db.Undo(ctx); return err }},
		}
		for _, s := range steps {
			t.Run(s.name, func(t *testing.T) {
				f.clk.Add(time.Second)
				seq := maxSeq(t, db)
				_, groups := opCounts(t, db)
				lastHLC := scalar[int64](t, db, "SELECT coalesce(max(hlc), 0) FROM ops")
				noErr(t, s.do())
				if _, g := opCounts(t, db); g != groups+1 {
					t.Fatalf("%d new change groups, want 1", g-groups)
				}
				var group, at, device, summary string
				var gseq int64
				noErr(t, db.SQL().QueryRow("SELECT id, seq, at, device, summary FROM op_groups ORDER BY seq DESC LIMIT 1").Scan(&group, &gseq, &at, &device, &summary))
				ops := opsAfter(t, db, seq)
				if len(ops) != s.ops {
					t.Fatalf("%d new ops, want %d: %+v", len(ops), s.ops, ops)
				}
				for _, o := range ops {
					if o.group != group || o.at != at || o.device != db.Device() || o.hlc <= lastHLC {
						t.Errorf("op %+v does not belong to group %s at %s, or its clock is not after %d", o, group, at, lastHLC)
					}
					lastHLC = o.hlc
				}
				if gseq != ops[len(ops)-1].seq || device != db.Device() || summary == "" || at != store.FormatTime(f.clk.Now()) {
					t.Errorf("group seq %d device %s summary %q at %s; last op seq %d", gseq, device, summary, at, ops[len(ops)-1].seq)
				}
				if meta := scalar[string](t, db, "SELECT value FROM meta WHERE key = 'hlc'"); meta != fmt.Sprint(lastHLC) {
					t.Errorf("stored clock %s, last op %d", meta, lastHLC)
				}
			})
		}
		checkHealthy(t, db)
	})
	t.Run("CreateCarriesAllFields", func(t *testing.T) {
		t.Parallel()
		db, _ := openClock(t)
		c := must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{Name: "Ada Lovelace", Title: "Countess", Company: "Engines",
			Emails: []store.Email{{Email: "ada@example.com", Label: "work"}}, Phones: []store.Phone{{Phone: "555-0100"}},
			Tags: []string{"vip"}, CadenceDays: 7, Source: "s", Notes: "n", Address: "a"}))
		ops := opsAfter(t, db, 0)
		if len(ops) != 2 || ops[0].entity != store.EntityCompany || ops[1].entity != store.EntityContact {
			t.Fatalf("ops = %+v", ops)
		}
		op := ops[1]
		if op.kind != store.OpCreate || op.id != c.ID || op.old != nil || op.base != nil {
			t.Errorf("create op = %+v", op)
		}
		want := map[string]any{
			"first_name": "Ada", "last_name": "Lovelace", "name": "Ada Lovelace", "title": "Countess", "company_id": c.CompanyID,
			"address": "a", "source": "s", "notes": "n", "owner": "tester", "visibility": "team", "created_at": store.FormatTime(t0),
			"cadence_days": float64(7), "tag:vip": true,
			"emails": []any{map[string]any{"email": "ada@example.com", "label": "work"}},
			"phones": []any{map[string]any{"phone": "555-0100"}},
		}
		if !reflect.DeepEqual(op.fields, want) {
			t.Errorf("create op fields:\n got %v\nwant %v", op.fields, want)
		}
		if co := ops[0].fields; co["name"] != "Engines" || co["visibility"] != "team" {
			t.Errorf("company create op fields = %v", co)
		}
		// every kind of record
		d := must[*store.Deal](t)(db.CreateDeal(ctx, store.DealInput{Title: "D", ContactID: c.ID, Value: 5, ExpectedClose: "2026-04-01"}))
		fu := must[*store.FollowUp](t)(db.AddFollowUp(ctx, store.FollowUpInput{Title: "F", DueAt: t0, AllDay: true, DealID: d.ID}))
		e := must[*store.Interaction](t)(db.LogInteraction(ctx, store.InteractionInput{Kind: "call", Text: "T", DealID: d.ID}))
		ops = opsAfter(t, db, 2)
		for i, tc := range []struct {
			id   string
			keys string
		}{
			{d.ID, "company_id contact_id created_at currency expected_close notes owner stage_entered_at stage_id status title value visibility"},
			{fu.ID, "all_day contact_id created_at deal_id due_at owner title visibility"},
			{e.ID, "company_id contact_id created_at deal_id kind occurred_at owner text visibility"},
		} {
			if ops[i].id != tc.id || strings.Join(keys(ops[i].fields), " ") != tc.keys {
				t.Errorf("create op %d (%s) has fields %v, want %s", i, ops[i].entity, keys(ops[i].fields), tc.keys)
			}
		}
	})
	t.Run("UpdateCarriesChangesOldValuesAndBaseClocks", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		db := f.db
		createHLC := scalar[int64](t, db, "SELECT hlc FROM ops WHERE entity_id = ? AND kind = 'create'", f.contact.ID)
		created := fmt.Sprintf("%d@%s", createHLC, db.Device())

		seq := maxSeq(t, db)
		must[*store.Contact](t)(db.UpdateContact(ctx, f.contact.ID, store.ContactUpdate{Title: ptr("Mathematician"), Notes: ptr("Poetical science"),
			AddEmails: []store.Email{{Email: "b@example.com"}}, RemoveTags: []string{"vip"}, AddTags: []string{"math"}}))
		ops := opsAfter(t, db, seq)
		if len(ops) != 1 {
			t.Fatalf("ops = %+v", ops)
		}
		op := ops[0]
		wantFields := map[string]any{"title": "Mathematician", "tag:vip": false, "tag:math": true,
			"emails": []any{map[string]any{"email": "ada@example.com", "label": "work"}, map[string]any{"email": "b@example.com"}}}
		wantOld := map[string]any{"title": "Countess", "tag:vip": true, "tag:math": false,
			"emails": []any{map[string]any{"email": "ada@example.com", "label": "work"}}}
		wantBase := map[string]any{"title": created, "tag:vip": created, "tag:math": created, "emails": created}
		if op.kind != store.OpUpdate || !reflect.DeepEqual(op.fields, wantFields) || !reflect.DeepEqual(op.old, wantOld) || !reflect.DeepEqual(op.base, wantBase) {
			t.Errorf("update op:\nfields %v\n   old %v\n  base %v", op.fields, op.old, op.base)
		}
		clocks := func() map[string]string {
			out := map[string]string{}
			rows, err := db.SQL().Query("SELECT field, hlc || '@' || device FROM field_clocks WHERE entity_id = ?", f.contact.ID)
			noErr(t, err)
			defer rows.Close()
			for rows.Next() {
				var k, v string
				noErr(t, rows.Scan(&k, &v))
				out[k] = v
			}
			return out
		}
		firstEdit := fmt.Sprintf("%d@%s", op.hlc, db.Device())
		if got := clocks(); !reflect.DeepEqual(got, map[string]string{"title": firstEdit, "tag:vip": firstEdit, "tag:math": firstEdit, "emails": firstEdit}) {
			t.Errorf("field clocks = %v", got)
		}

		// the second edit sees the first edit's clock for title and the create clock for cadence
		seq = maxSeq(t, db)
		must[*store.Contact](t)(db.UpdateContact(ctx, f.contact.ID, store.ContactUpdate{Title: ptr("Countess"), CadenceDays: ptr(0)}))
		op = opsAfter(t, db, seq)[0]
		if !reflect.DeepEqual(op.fields, map[string]any{"title": "Countess", "cadence_days": nil}) ||
			!reflect.DeepEqual(op.old, map[string]any{"title": "Mathematician", "cadence_days": float64(14)}) ||
			!reflect.DeepEqual(op.base, map[string]any{"title": firstEdit, "cadence_days": created}) {
			t.Errorf("second update op:\nfields %v\n   old %v\n  base %v", op.fields, op.old, op.base)
		}
		if got := clocks()["title"]; got != fmt.Sprintf("%d@%s", op.hlc, db.Device()) {
			t.Errorf("title clock = %s", got)
		}

		// delete and restore are ops of their own kind
		seq = maxSeq(t, db)
		noErr(t, db.DeleteContact(ctx, f.contact.ID))
		noErr(t, db.RestoreContact(ctx, f.contact.ID))
		ops = opsAfter(t, db, seq)
		if len(ops) != 2 || ops[0].kind != store.OpDelete || ops[1].kind != store.OpRestore || ops[1].fields["deleted_at"] != nil {
			t.Errorf("delete/restore ops = %+v", ops)
		}
	})
	t.Run("NoChangeNoOp", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		ops, groups := opCounts(t, f.db)
		must[*store.Contact](t)(f.db.UpdateContact(ctx, f.contact.ID, store.ContactUpdate{Title: ptr("Countess")}))
		must[*store.Company](t)(f.db.UpdateCompany(ctx, f.company.ID, store.CompanyUpdate{Name: ptr("Analytical Engines")}))
		must[*store.Deal](t)(f.db.UpdateDeal(ctx, f.deal.ID, store.DealUpdate{Value: ptr(int64(1_200_000))}))
		if o, g := opCounts(t, f.db); o != ops || g != groups {
			t.Errorf("no-op edits wrote %d ops and %d groups", o-ops, g-groups)
		}
	})
	t.Run("History", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		must[*store.Contact](t)(f.db.UpdateContact(ctx, f.contact.ID, store.ContactUpdate{Title: ptr("A")}))
		must[*store.Contact](t)(f.db.UpdateContact(ctx, f.contact.ID, store.ContactUpdate{Title: ptr("B")}))
		noErr(t, f.db.DeleteContact(ctx, f.contact.ID))
		h := must[[]store.Change](t)(f.db.History(ctx, f.contact.ID))
		var got []string
		for i, c := range h {
			got = append(got, c.Kind+" "+c.Summary)
			if i > 0 && (c.Seq <= h[i-1].Seq || c.HLC <= h[i-1].HLC) {
				t.Errorf("history not oldest first at %d", i)
			}
			if c.EntityID != f.contact.ID || c.Entity != store.EntityContact || c.Device != f.db.Device() || c.OpID == "" || c.GroupID == "" {
				t.Errorf("change %+v", c)
			}
		}
		want := []string{"create add contact Ada Lovelace", "update edit contact Ada Lovelace", "update edit contact Ada Lovelace", "delete delete contact Ada Lovelace"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("history = %q, want %q", got, want)
		}
		if h[2].Fields["title"] != "B" || h[2].Old["title"] != "A" {
			t.Errorf("second edit = %+v", h[2])
		}
		if h := must[[]store.Change](t)(f.db.History(ctx, store.NewID())); len(h) != 0 {
			t.Errorf("history of an unknown id = %+v", h)
		}
	})
}

// view renders what a user can see: live records and their timelines, without the times an
// undo rewrites (updated_at, the ids and creation times of re-shown entries).
func view(t *testing.T, db *store.DB) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	contacts, _ := must2[[]store.Contact, int](t)(db.FindContacts(ctx, store.ContactFilter{}))
	for _, c := range contacts {
		c.UpdatedAt = time.Time{}
		fmt.Fprintf(&b, "contact %+v\n", c)
		for _, e := range must[[]store.Interaction](t)(db.Timeline(ctx, store.TimelineFilter{ContactID: c.ID})) {
			fmt.Fprintf(&b, "  entry %s %s %q deal=%s\n", e.Kind, e.OccurredAt.Format(time.RFC3339), e.Text, e.DealID)
		}
	}
	companies, _ := must2[[]store.Company, int](t)(db.FindCompanies(ctx, store.CompanyFilter{}))
	for _, c := range companies {
		c.UpdatedAt = time.Time{}
		fmt.Fprintf(&b, "company %+v\n", c)
	}
	deals, _ := must2[[]store.Deal, int](t)(db.FindDeals(ctx, store.DealFilter{All: true}))
	for _, d := range deals {
		if d.DeletedAt != nil {
			continue
		}
		d.UpdatedAt = time.Time{}
		fmt.Fprintf(&b, "deal %+v\n", d)
		for _, e := range must[[]store.Interaction](t)(db.Timeline(ctx, store.TimelineFilter{DealID: d.ID})) {
			fmt.Fprintf(&b, "  entry %s %q\n", e.Kind, e.Text)
		}
	}
	fus, _ := must2[[]store.FollowUp, int](t)(db.FindFollowUps(ctx, store.FollowUpFilter{All: true}))
	for _, f := range fus {
		f.UpdatedAt = time.Time{}
		fmt.Fprintf(&b, "follow-up %+v\n", f)
	}
	return b.String()
}

func TestDB_Undo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, f *fixture)
	}{
		{"CreateContactWithNewCompany", func(t *testing.T, f *fixture) {
			must[*store.Contact](t)(f.db.CreateContact(ctx, store.ContactInput{Name: "Charles Babbage", Company: "Difference Ltd", Tags: []string{"x"}}))
		}},
		{"EditContact", func(t *testing.T, f *fixture) {
			must[*store.Contact](t)(f.db.UpdateContact(ctx, f.contact.ID, store.ContactUpdate{Name: ptr("Augusta King"), Title: ptr("Mathematician"),
				Company: ptr("New Co"), AddEmails: []store.Email{{Email: "new@example.com"}}, RemoveEmails: []string{"ada@example.com"},
				AddPhones: []store.Phone{{Phone: "555-0199", Label: "home"}}, RemovePhones: []string{"+44 20 7946 0018"},
				AddTags: []string{"math"}, RemoveTags: []string{"vip"}, CadenceDays: ptr(0), Visibility: ptr("private"), Notes: ptr("")}))
		}},
		{"EditCompany", func(t *testing.T, f *fixture) {
			must[*store.Company](t)(f.db.UpdateCompany(ctx, f.company.ID, store.CompanyUpdate{Name: ptr("Renamed"), Domain: ptr(""), AddTags: []string{"t"}}))
		}},
		{"EditDeal", func(t *testing.T, f *fixture) {
			must[*store.Deal](t)(f.db.UpdateDeal(ctx, f.deal.ID, store.DealUpdate{Title: ptr("T"), Value: ptr(int64(1)), Currency: ptr("EUR"),
				ExpectedClose: ptr("2027-01-01"), ContactID: ptr(""), AddTags: []string{"q"}}))
		}},
		{"DeleteContact", func(t *testing.T, f *fixture) { noErr(t, f.db.DeleteContact(ctx, f.contact.ID)) }},
		{"DeleteCompany", func(t *testing.T, f *fixture) { noErr(t, f.db.DeleteCompany(ctx, f.company.ID)) }},
		{"DeleteDeal", func(t *testing.T, f *fixture) { noErr(t, f.db.DeleteDeal(ctx, f.deal.ID)) }},
		{"DeleteFollowUp", func(t *testing.T, f *fixture) { noErr(t, f.db.DeleteFollowUp(ctx, f.followUp.ID)) }},
		{"MoveDeal", func(t *testing.T, f *fixture) { must[*store.Deal](t)(f.db.MoveDeal(ctx, f.deal.ID, "Negotiation")) }},
		{"WinDeal", func(t *testing.T, f *fixture) {
			must[*store.Deal](t)(f.db.CloseDeal(ctx, f.deal.ID, store.StatusWon, ""))
		}},
		{"LoseDeal", func(t *testing.T, f *fixture) {
			must[*store.Deal](t)(f.db.CloseDeal(ctx, f.deal.ID, store.StatusLost, "price"))
		}},
		{"CreateDeal", func(t *testing.T, f *fixture) {
			must[*store.Deal](t)(f.db.CreateDeal(ctx, store.DealInput{Title: "New", ContactID: f.contact.ID}))
		}},
		{"Log", func(t *testing.T, f *fixture) {
			must[*store.Interaction](t)(f.db.LogInteraction(ctx, store.InteractionInput{Kind: "meeting", Text: "Lunch", ContactID: f.contact.ID}))
		}},
		{"Amend", func(t *testing.T, f *fixture) {
			must[*store.Interaction](t)(f.db.AmendInteraction(ctx, f.entry.ID, "Amended"))
		}},
		{"Redact", func(t *testing.T, f *fixture) { noErr(t, f.db.RedactInteraction(ctx, f.entry.ID)) }},
		{"AddFollowUp", func(t *testing.T, f *fixture) {
			must[*store.FollowUp](t)(f.db.AddFollowUp(ctx, store.FollowUpInput{Title: "New", DueAt: t0, DealID: f.deal.ID}))
		}},
		{"CompleteFollowUp", func(t *testing.T, f *fixture) { must[*store.FollowUp](t)(f.db.CompleteFollowUp(ctx, f.followUp.ID)) }},
		{"SnoozeFollowUp", func(t *testing.T, f *fixture) {
			must[*store.FollowUp](t)(f.db.SnoozeFollowUp(ctx, f.followUp.ID, t0.AddDate(0, 0, 9), true))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.clk.Add(time.Hour)
			before := view(t, f.db)
			tc.change(t, f)
			changed := view(t, f.db)
			if changed == before {
				t.Fatalf("the change changed nothing visible")
			}
			f.clk.Add(time.Hour)
			u := must[*store.Undone](t)(f.db.Undo(ctx))
			if u.Ops == 0 || u.Summary == "" {
				t.Errorf("undone = %+v", u)
			}
			if after := view(t, f.db); after != before {
				t.Errorf("after undo:\n%s", diffLines(before, after))
			}
			checkHealthy(t, f.db)
		})
	}
	t.Run("MoveDealDetails", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		f.clk.Add(48 * time.Hour)
		must[*store.Deal](t)(f.db.MoveDeal(ctx, f.deal.ID, "Proposal"))
		must[*store.Undone](t)(f.db.Undo(ctx))
		d := must[*store.Deal](t)(f.db.FindDealByID(ctx, f.deal.ID))
		if d.Stage != "Lead" || !d.StageEnteredAt.Equal(t0) {
			t.Errorf("deal after undo: stage %s entered %v", d.Stage, d.StageEnteredAt)
		}
		if tl := must[[]store.Interaction](t)(f.db.Timeline(ctx, store.TimelineFilter{DealID: f.deal.ID})); len(tl) != 0 {
			t.Errorf("stage change still on the timeline: %+v", tl)
		}
		if hits := must[[]store.Hit](t)(f.db.Search(ctx, "Stage Proposal", 0)); len(hits) != 0 {
			t.Errorf("search finds %+v", hits)
		}
	})
	t.Run("LogRecomputesLastTouched", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		f.clk.Add(24 * time.Hour)
		must[*store.Interaction](t)(f.db.LogInteraction(ctx, store.InteractionInput{Kind: "call", Text: "later", ContactID: f.contact.ID}))
		if lt := lastTouched(t, f.db, f.contact.ID); !lt.Equal(f.clk.Now()) {
			t.Fatalf("last touched = %v", lt)
		}
		must[*store.Undone](t)(f.db.Undo(ctx))
		if lt := lastTouched(t, f.db, f.contact.ID); lt == nil || !lt.Equal(t0) {
			t.Errorf("last touched after undo = %v, want %v", lt, t0)
		}
	})
	t.Run("WalksBackGroupByGroup", func(t *testing.T) {
		t.Parallel()
		db, clk := openClock(t)
		var c *store.Contact
		var d *store.Deal
		var e, a *store.Interaction
		var fu *store.FollowUp
		steps := []func(){
			func() {
				c = must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{Name: "Grace Hopper", Company: "Navy"}))
			},
			func() {
				must[*store.Contact](t)(db.UpdateContact(ctx, c.ID, store.ContactUpdate{Title: ptr("Rear Admiral"), AddTags: []string{"cobol"}}))
			},
			func() {
				d = must[*store.Deal](t)(db.CreateDeal(ctx, store.DealInput{Title: "Compiler", ContactID: c.ID, Value: 100}))
			},
			func() { must[*store.Deal](t)(db.MoveDeal(ctx, d.ID, "Qualified")) },
			func() { must[*store.Deal](t)(db.MoveDeal(ctx, d.ID, "Proposal")) },
			func() {
				e = must[*store.Interaction](t)(db.LogInteraction(ctx, store.InteractionInput{Kind: "call", Text: "found a moth", ContactID: c.ID}))
			},
			func() { a = must[*store.Interaction](t)(db.AmendInteraction(ctx, e.ID, "found a moth in the relay")) },
			func() { noErr(t, db.RedactInteraction(ctx, a.ID)) },
			func() {
				fu = must[*store.FollowUp](t)(db.AddFollowUp(ctx, store.FollowUpInput{Title: "tape it in the log", DueAt: t0.Add(time.Hour), DealID: d.ID}))
			},
			func() { must[*store.FollowUp](t)(db.SnoozeFollowUp(ctx, fu.ID, t0.Add(5*time.Hour), false)) },
			func() { must[*store.FollowUp](t)(db.CompleteFollowUp(ctx, fu.ID)) },
			func() { must[*store.Deal](t)(db.CloseDeal(ctx, d.ID, store.StatusWon, "")) },
			func() { noErr(t, db.DeleteContact(ctx, c.ID)) },
		}
		var views []string
		for _, s := range steps {
			views = append(views, view(t, db))
			clk.Add(time.Minute)
			s()
		}
		opsBefore := dumpQuery(t, db, "SELECT * FROM ops")
		nOps, _ := opCounts(t, db)
		for i := len(steps) - 1; i >= 0; i-- {
			clk.Add(time.Minute)
			must[*store.Undone](t)(db.Undo(ctx))
			if got := view(t, db); got != views[i] {
				t.Errorf("after undoing step %d:\n%s", i, diffLines(views[i], got))
			}
			checkHealthy(t, db)
		}
		_, err := db.Undo(ctx)
		wantErr(t, err, store.ErrNothingToUndo)
		// undo only ever appended to the log
		nOpsAfter, groups := opCounts(t, db)
		if nOpsAfter <= nOps || groups != 2*len(steps) {
			t.Errorf("ops %d -> %d, groups %d", nOps, nOpsAfter, groups)
		}
		if got := dumpQuery(t, db, fmt.Sprintf("SELECT * FROM ops WHERE seq <= %d", nOps)); got != opsBefore {
			t.Errorf("undo rewrote earlier ops:\n%s", diffLines(opsBefore, got))
		}
		if n := scalar[int](t, db, "SELECT count(*) FROM op_groups WHERE undoes IS NULL AND undone_by IS NULL"); n != 0 {
			t.Errorf("%d groups left not undone", n)
		}
		if n := scalar[int](t, db, "SELECT count(*) FROM op_groups g JOIN op_groups u ON u.id = g.undone_by WHERE u.undoes = g.id"); n != len(steps) {
			t.Errorf("%d undo links, want %d", n, len(steps))
		}
		h := must[[]store.Change](t)(db.History(ctx, c.ID))
		if last := h[len(h)-1]; last.Kind != store.OpDelete || !strings.HasPrefix(last.Summary, "undo ") {
			t.Errorf("the contact's last change = %+v, want the undo of its creation", last)
		}
	})
	t.Run("TwoHandlesConcurrently", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "rolo.db")
		a := mustOpenPath(t, path)
		b := mustOpenPath(t, path)
		for i := range 12 {
			c := must[*store.Contact](t)(a.CreateContact(ctx, store.ContactInput{Name: fmt.Sprintf("Person %d", i)}))
			must[*store.Contact](t)(b.UpdateContact(ctx, c.ID, store.ContactUpdate{Title: ptr("T")}))
		}
		var wg sync.WaitGroup
		errs := make(chan error, 2)
		for _, db := range []*store.DB{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					_, err := db.Undo(ctx)
					switch {
					case errors.Is(err, store.ErrNothingToUndo):
						return
					case err != nil && !errors.Is(err, store.ErrConflict):
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		// every change was undone exactly once
		if n := scalar[int](t, a, "SELECT count(*) FROM op_groups WHERE undoes IS NOT NULL"); n != 24 {
			t.Errorf("%d undo groups, want 24", n)
		}
		if n := scalar[int](t, a, "SELECT count(*) FROM op_groups WHERE undoes IS NOT NULL GROUP BY undoes ORDER BY 1 DESC LIMIT 1"); n != 1 {
			t.Errorf("a change was undone %d times", n)
		}
		if n := must[store.Counts](t)(a.Count(ctx)).Contacts; n != 0 {
			t.Errorf("%d contacts left", n)
		}
		assertIncreasing(t, opClocks(t, a))
		checkHealthy(t, a)
	})
	t.Run("ErrNothingToUndo", func(t *testing.T) {
		t.Parallel()
		db := mustOpen(t)
		before := dump(t, db)
		_, err := db.Undo(ctx)
		if !errors.Is(err, store.ErrNothingToUndo) {
			t.Fatalf("err = %v", err)
		}
		assertUnchanged(t, db, before)
	})
	t.Run("AfterManualChanges", func(t *testing.T) {
		t.Parallel()
		db, _ := openClock(t)
		c := must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{Name: "Temp"}))
		noErr(t, db.DeleteContact(ctx, c.ID))
		if u := must[*store.Undone](t)(db.Undo(ctx)); !strings.HasPrefix(u.Summary, "delete contact") {
			t.Errorf("first undo reverted %q", u.Summary)
		}
		noErr(t, db.DeleteContact(ctx, c.ID)) // by hand again
		noErr(t, db.RestoreContact(ctx, c.ID))
		for _, want := range []string{"restore contact", "delete contact", "add contact"} {
			if u := must[*store.Undone](t)(db.Undo(ctx)); !strings.HasPrefix(u.Summary, want) {
				t.Errorf("undo reverted %q, want %q", u.Summary, want)
			}
		}
		if c := must[*store.Contact](t)(db.FindContactByID(ctx, c.ID)); c.DeletedAt == nil {
			t.Errorf("contact is live after its creation was undone")
		}
		_, err := db.Undo(ctx)
		wantErr(t, err, store.ErrNothingToUndo)
		checkHealthy(t, db)
	})
	t.Run("LogRedactUndoUndo", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		before := view(t, f.db)
		e := must[*store.Interaction](t)(f.db.LogInteraction(ctx, store.InteractionInput{Kind: "note", Text: "oops", ContactID: f.contact.ID}))
		noErr(t, f.db.RedactInteraction(ctx, e.ID))
		must[*store.Undone](t)(f.db.Undo(ctx)) // the note is back
		if got := timelineTexts(t, f.db, store.TimelineFilter{ContactID: f.contact.ID}); len(got) != 2 {
			t.Errorf("timeline after undoing the removal = %q", got)
		}
		must[*store.Undone](t)(f.db.Undo(ctx)) // the note was never logged
		if after := view(t, f.db); after != before {
			t.Errorf("after two undos:\n%s", diffLines(before, after))
		}
		checkHealthy(t, f.db)
	})
}
