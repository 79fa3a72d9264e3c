package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
)

func TestDB_AddFollowUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		if fu := f.followUp; fu.Title != "Send the notes" || !fu.DueAt.Equal(t0.Add(48*time.Hour)) || fu.AllDay || fu.ContactID != f.contact.ID ||
			fu.Contact != "Ada Lovelace" || fu.DoneAt != nil || fu.Owner != "tester" {
			t.Errorf("follow-up = %+v", fu)
		}
		day := time.Date(2026, 3, 5, 0, 0, 0, 0, time.FixedZone("X", 2*3600))
		fu := must[*store.FollowUp](t)(f.db.AddFollowUp(ctx, store.FollowUpInput{Title: "Call about the deal", DueAt: day, AllDay: true, DealID: f.deal.ID}))
		if !fu.AllDay || !fu.DueAt.Equal(day) || fu.DealID != f.deal.ID || fu.ContactID != f.contact.ID || fu.Deal != "Difference engine" {
			t.Errorf("deal follow-up = %+v", fu)
		}
		checkHealthy(t, f.db)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		for _, tc := range []struct {
			name string
			in   store.FollowUpInput
			want error
		}{
			{"no title", store.FollowUpInput{DueAt: t0, ContactID: f.contact.ID}, store.ErrInvalid},
			{"long title", store.FollowUpInput{Title: long501, DueAt: t0, ContactID: f.contact.ID}, store.ErrInvalid},
			{"no due", store.FollowUpInput{Title: "x", ContactID: f.contact.ID}, store.ErrInvalid},
			{"no link", store.FollowUpInput{Title: "x", DueAt: t0}, store.ErrInvalid},
			{"unknown contact", store.FollowUpInput{Title: "x", DueAt: t0, ContactID: store.NewID()}, store.ErrNotFound},
			{"unknown deal", store.FollowUpInput{Title: "x", DueAt: t0, DealID: store.NewID()}, store.ErrNotFound},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := dump(t, f.db)
				_, err := f.db.AddFollowUp(ctx, tc.in)
				wantErr(t, err, tc.want)
				assertUnchanged(t, f.db, before)
			})
		}
	})
}

func TestDB_CompleteFollowUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		f.clk.Add(time.Hour)
		fu := must[*store.FollowUp](t)(f.db.CompleteFollowUp(ctx, f.followUp.ID))
		if fu.DoneAt == nil || !fu.DoneAt.Equal(f.clk.Now()) {
			t.Errorf("done at = %v", fu.DoneAt)
		}
		if _, n := must2[[]store.FollowUp, int](t)(f.db.FindFollowUps(ctx, store.FollowUpFilter{})); n != 0 {
			t.Errorf("open follow-ups = %d", n)
		}
		if _, n := must2[[]store.FollowUp, int](t)(f.db.FindFollowUps(ctx, store.FollowUpFilter{All: true})); n != 1 {
			t.Errorf("all follow-ups = %d", n)
		}
		fu = must[*store.FollowUp](t)(f.db.ReopenFollowUp(ctx, f.followUp.ID))
		if fu.DoneAt != nil {
			t.Errorf("reopened follow-up is done at %v", fu.DoneAt)
		}
		checkHealthy(t, f.db)
	})
	t.Run("ErrConflict", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		before := dump(t, f.db)
		_, err := f.db.ReopenFollowUp(ctx, f.followUp.ID)
		wantErr(t, err, store.ErrConflict)
		assertUnchanged(t, f.db, before)
		must[*store.FollowUp](t)(f.db.CompleteFollowUp(ctx, f.followUp.ID))
		before = dump(t, f.db)
		_, err = f.db.CompleteFollowUp(ctx, f.followUp.ID)
		wantErr(t, err, store.ErrConflict)
		_, err = f.db.SnoozeFollowUp(ctx, f.followUp.ID, t0.Add(time.Hour), false)
		wantErr(t, err, store.ErrConflict)
		assertUnchanged(t, f.db, before)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		before := dump(t, f.db)
		for _, fn := range []func(string) error{
			func(id string) error { _, err := f.db.CompleteFollowUp(ctx, id); return err },
			func(id string) error { _, err := f.db.ReopenFollowUp(ctx, id); return err },
			func(id string) error { _, err := f.db.SnoozeFollowUp(ctx, id, t0.Add(time.Hour), false); return err },
			func(id string) error { _, err := f.db.FindFollowUpByID(ctx, id); return err },
			func(id string) error { return f.db.DeleteFollowUp(ctx, id) },
			func(id string) error { return f.db.RestoreFollowUp(ctx, id) },
		} {
			wantErr(t, fn(store.NewID()), store.ErrNotFound)
		}
		assertUnchanged(t, f.db, before)
	})
}

func TestDB_SnoozeFollowUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		fu := must[*store.FollowUp](t)(f.db.SnoozeFollowUp(ctx, f.followUp.ID, t0.Add(72*time.Hour), false))
		if !fu.DueAt.Equal(t0.Add(72*time.Hour)) || fu.AllDay {
			t.Errorf("snoozed = %+v", fu)
		}
		// an all-day snooze to today is fine even though today's midnight has passed
		today := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
		fu = must[*store.FollowUp](t)(f.db.SnoozeFollowUp(ctx, f.followUp.ID, today, true))
		if !fu.DueAt.Equal(today) || !fu.AllDay {
			t.Errorf("snoozed = %+v", fu)
		}
		// the op log keeps every earlier due time
		var dues []string
		for _, c := range must[[]store.Change](t)(f.db.History(ctx, f.followUp.ID)) {
			if d, ok := c.Old["due_at"]; ok {
				dues = append(dues, d.(string))
			}
		}
		if want := []string{store.FormatTime(t0.Add(48 * time.Hour)), store.FormatTime(t0.Add(72 * time.Hour))}; !reflect.DeepEqual(dues, want) {
			t.Errorf("earlier due times in history = %q, want %q", dues, want)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		before := dump(t, f.db)
		_, err := f.db.SnoozeFollowUp(ctx, f.followUp.ID, t0.Add(-time.Minute), false)
		wantErr(t, err, store.ErrInvalid)
		_, err = f.db.SnoozeFollowUp(ctx, f.followUp.ID, t0, false)
		wantErr(t, err, store.ErrInvalid)
		yesterday := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		_, err = f.db.SnoozeFollowUp(ctx, f.followUp.ID, yesterday, true)
		wantErr(t, err, store.ErrInvalid)
		assertUnchanged(t, f.db, before)
	})
}

func TestDB_DeleteFollowUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	noErr(t, f.db.DeleteFollowUp(ctx, f.followUp.ID))
	if _, n := must2[[]store.FollowUp, int](t)(f.db.FindFollowUps(ctx, store.FollowUpFilter{All: true})); n != 0 {
		t.Errorf("follow-ups after delete = %d", n)
	}
	before := dump(t, f.db)
	wantErr(t, f.db.DeleteFollowUp(ctx, f.followUp.ID), store.ErrConflict)
	assertUnchanged(t, f.db, before)
	noErr(t, f.db.RestoreFollowUp(ctx, f.followUp.ID))
	wantErr(t, f.db.RestoreFollowUp(ctx, f.followUp.ID), store.ErrConflict)
	checkHealthy(t, f.db)
}

func TestDB_FindFollowUps(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	mk := func(title string, due time.Time, deal bool) *store.FollowUp {
		in := store.FollowUpInput{Title: title, DueAt: due, ContactID: f.contact.ID}
		if deal {
			in.DealID = f.deal.ID
		}
		return must[*store.FollowUp](t)(f.db.AddFollowUp(ctx, in))
	}
	mk("past", t0.Add(-time.Hour), false)
	mk("soon", t0.Add(time.Hour), true)
	done := mk("done", t0.Add(-2*time.Hour), false)
	must[*store.FollowUp](t)(f.db.CompleteFollowUp(ctx, done.ID))
	titles := func(list []store.FollowUp) []string {
		out := []string{}
		for _, x := range list {
			out = append(out, x.Title)
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		f     store.FollowUpFilter
		want  []string
		total int
	}{
		{"open by due", store.FollowUpFilter{}, []string{"past", "soon", "Send the notes"}, 3},
		{"overdue", store.FollowUpFilter{Before: t0}, []string{"past"}, 1},
		{"window", store.FollowUpFilter{After: t0, Before: t0.Add(24 * time.Hour)}, []string{"soon"}, 1},
		{"deal", store.FollowUpFilter{DealID: f.deal.ID}, []string{"soon"}, 1},
		{"done too", store.FollowUpFilter{All: true, ContactID: f.contact.ID, Limit: 2}, []string{"done", "past"}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			list, total := must2[[]store.FollowUp, int](t)(f.db.FindFollowUps(ctx, tc.f))
			if got := titles(list); !reflect.DeepEqual(got, tc.want) || total != tc.total {
				t.Errorf("got %v (%d), want %v (%d)", got, total, tc.want, tc.total)
			}
		})
	}
}

// TestDB_Today checks the agenda on both sides of a local midnight, in a zone five hours
// ahead of UTC, so the local day and the UTC day differ.
func TestDB_Today(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	loc := time.FixedZone("UTC+5", 5*3600)
	local := func(day, h, m int) time.Time { return time.Date(2026, 3, day, h, m, 0, 0, loc) }
	clk := newClock(local(1, 9, 0))
	db := mustOpen(t, store.Options{Now: clk.Now})
	c := must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{Name: "Zoë Agenda"}))
	add := func(title string, due time.Time, allDay bool) *store.FollowUp {
		return must[*store.FollowUp](t)(db.AddFollowUp(ctx, store.FollowUpInput{Title: title, DueAt: due, AllDay: allDay, ContactID: c.ID}))
	}
	add("timed yesterday 23:30", local(2, 23, 30), false)
	add("all-day yesterday", local(2, 0, 0), true)
	add("all-day today", local(3, 0, 0), true)
	add("timed today 00:05", local(3, 0, 5), false)
	add("timed today 23:50", local(3, 23, 50), false)
	add("all-day tomorrow", local(4, 0, 0), true)
	add("timed tomorrow 00:00", local(4, 0, 0), false)
	done := add("done yesterday", local(2, 10, 0), false)
	must[*store.FollowUp](t)(db.CompleteFollowUp(ctx, done.ID))
	gone := add("deleted yesterday", local(2, 10, 0), false)
	noErr(t, db.DeleteFollowUp(ctx, gone.ID))

	titles := func(list []store.FollowUp) []string {
		out := []string{}
		for _, x := range list {
			out = append(out, x.Title)
		}
		return out
	}
	for _, tc := range []struct {
		name     string
		now      time.Time
		overdue  []string
		dueToday []string
	}{
		{"JustAfterMidnight", local(3, 0, 10),
			[]string{"all-day yesterday", "timed yesterday 23:30", "timed today 00:05"},
			[]string{"all-day today", "timed today 23:50"}},
		{"JustBeforeMidnight", local(2, 23, 50),
			[]string{"timed yesterday 23:30"},
			[]string{"all-day yesterday"}},
		{"LateNextDay", local(3, 23, 55),
			[]string{"all-day yesterday", "timed yesterday 23:30", "timed today 00:05", "timed today 23:50"},
			[]string{"all-day today"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk.Set(tc.now)
			a, n := must2[*store.Agenda, store.AgendaCounts](t)(db.Today(ctx, loc, 0))
			if got := titles(a.Overdue); !reflect.DeepEqual(got, tc.overdue) || n.Overdue != len(tc.overdue) {
				t.Errorf("overdue = %q (%d), want %q", got, n.Overdue, tc.overdue)
			}
			if got := titles(a.DueToday); !reflect.DeepEqual(got, tc.dueToday) || n.DueToday != len(tc.dueToday) {
				t.Errorf("due today = %q (%d), want %q", got, n.DueToday, tc.dueToday)
			}
			// the limit caps the lists, not the counts
			a, n2 := must2[*store.Agenda, store.AgendaCounts](t)(db.Today(ctx, loc, 1))
			if len(a.Overdue) != 1 || n2 != n {
				t.Errorf("limited agenda: %d overdue, counts %+v want %+v", len(a.Overdue), n2, n)
			}
		})
	}
	start, end := store.DayBounds(local(3, 0, 10).UTC(), loc)
	if !start.Equal(local(3, 0, 0)) || !end.Equal(local(4, 0, 0)) {
		t.Errorf("DayBounds = %v .. %v", start, end)
	}
}

func TestDB_RottingDeals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, clk := openClock(t)
	mk := func(title, stage string) *store.Deal {
		return must[*store.Deal](t)(db.CreateDeal(ctx, store.DealInput{Title: title, Stage: stage}))
	}
	oldest := mk("oldest lead", "Lead") // 16 days in Lead at the end
	clk.Add(24 * time.Hour)
	mk("rotting lead", "Lead") // 15 days
	closed := mk("closed", "Lead")
	must[*store.Deal](t)(db.CloseDeal(ctx, closed.ID, store.StatusLost, ""))
	gone := mk("deleted", "Lead")
	noErr(t, db.DeleteDeal(ctx, gone.ID))
	clk.Add(2 * 24 * time.Hour)
	mk("fresh lead", "Lead")          // 13 days
	mk("proposal 13 days", "Prop")    // limit 21
	moved := mk("moved late", "Lead") // moved to Qualified 1 day before the end
	clk.Add(12 * 24 * time.Hour)
	must[*store.Deal](t)(db.MoveDeal(ctx, moved.ID, "Qualified"))
	clk.Add(24 * time.Hour)
	_ = oldest

	list, total := must2[[]store.Deal, int](t)(db.RottingDeals(ctx, 0))
	var got []string
	for _, d := range list {
		got = append(got, d.Title)
	}
	if want := []string{"oldest lead", "rotting lead"}; !reflect.DeepEqual(got, want) || total != 2 {
		t.Errorf("rotting = %q (%d), want %q", got, total, want)
	}
	list, total = must2[[]store.Deal, int](t)(db.RottingDeals(ctx, 1))
	if len(list) != 1 || total != 2 {
		t.Errorf("limited: %d of %d", len(list), total)
	}
	// A window further down: the second of two, then none.
	list, total = must2[[]store.Deal, int](t)(db.RottingDealsAt(ctx, 1, 10))
	if len(list) != 1 || list[0].Title != "rotting lead" || total != 2 {
		t.Errorf("from 1: %d of %d", len(list), total)
	}
	list, total = must2[[]store.Deal, int](t)(db.RottingDealsAt(ctx, 2, 10))
	if len(list) != 0 || total != 2 {
		t.Errorf("from 2: %d of %d", len(list), total)
	}
	_, _, err := db.RottingDealsAt(ctx, -1, 10)
	wantErr(t, err, store.ErrInvalid)
	a, n := must2[*store.Agenda, store.AgendaCounts](t)(db.Today(ctx, time.UTC, 0))
	if n.Rotting != 2 || len(a.Rotting) != 2 {
		t.Errorf("agenda rotting = %d", n.Rotting)
	}
}

func TestDB_NeglectedContacts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, clk := openClock(t)
	mk := func(name string, cadence int) *store.Contact {
		return must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{Name: name, CadenceDays: cadence}))
	}
	never := mk("Never Touched", 7) // created at t0, never touched: due at t0+7d
	touched := mk("Touched Recently", 7)
	mk("No Cadence", 0)
	gone := mk("Deleted Person", 1)
	noErr(t, db.DeleteContact(ctx, gone.ID))
	long := mk("Long Cadence", 30)
	old := mk("Touched Long Ago", 3)
	must[*store.Interaction](t)(db.LogInteraction(ctx, store.InteractionInput{Kind: "call", Text: "x", ContactID: old.ID, OccurredAt: t0.Add(-24 * time.Hour)}))
	clk.Add(8 * 24 * time.Hour)
	must[*store.Interaction](t)(db.LogInteraction(ctx, store.InteractionInput{Kind: "call", Text: "x", ContactID: touched.ID, OccurredAt: clk.Now().Add(-3 * 24 * time.Hour)}))
	_, _ = never, long

	list, total := must2[[]store.Contact, int](t)(db.NeglectedContacts(ctx, 0))
	var got []string
	for _, c := range list {
		got = append(got, c.Name)
	}
	// most overdue first: Touched Long Ago was due at t0+2d, Never Touched at t0+7d
	if want := []string{"Touched Long Ago", "Never Touched"}; !reflect.DeepEqual(got, want) || total != 2 {
		t.Errorf("neglected = %q (%d), want %q", got, total, want)
	}
	list, total = must2[[]store.Contact, int](t)(db.NeglectedContactsAt(ctx, 1, 10))
	if len(list) != 1 || list[0].Name != "Never Touched" || total != 2 {
		t.Errorf("from 1: %d of %d", len(list), total)
	}
	a, n := must2[*store.Agenda, store.AgendaCounts](t)(db.Today(ctx, time.UTC, 0))
	if n.Neglected != 2 || len(a.Neglected) != 2 {
		t.Errorf("agenda neglected = %d", n.Neglected)
	}
}
