package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
)

// logAt logs an entry of kind on contact at the instant at, and returns it.
func logAt(t *testing.T, db *store.DB, contactID, kind string, at time.Time) *store.Interaction {
	t.Helper()
	return must[*store.Interaction](t)(db.LogInteraction(context.Background(), store.InteractionInput{
		Kind: kind, Text: kind + " at " + at.Format(time.RFC3339), ContactID: contactID, OccurredAt: at}))
}

// date is a UTC instant in March 2026.
func march(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, time.UTC) }

// checkActivityCounts fails unless the hourly counts kept by the triggers equal a count of
// the live timeline.
func checkActivityCounts(t *testing.T, db *store.DB) {
	t.Helper()
	q := `SELECT coalesce(group_concat(hour || ' ' || kind || ' ' || n, ', '), '') FROM (SELECT * FROM (%s) ORDER BY 1, 2)`
	kept := scalar[string](t, db, fmt.Sprintf(q, "SELECT hour, kind, n FROM activity_hours WHERE n <> 0"))
	counted := scalar[string](t, db, fmt.Sprintf(q, `SELECT substr(occurred_at, 1, 13) AS hour, kind, count(*) AS n FROM interactions
		WHERE redacted = 0 AND superseded_by IS NULL AND kind IN ('call', 'email', 'meeting', 'note', 'message') GROUP BY 1, 2`))
	if kept != counted {
		t.Fatalf("activity_hours:\n  %s\nthe timeline:\n  %s", kept, counted)
	}
}

func TestDB_Activity(t *testing.T) {
	ctx := context.Background()
	db, clk := openClock(t)
	ada := must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{Name: "Ada Lovelace"}))
	deal := must[*store.Deal](t)(db.CreateDeal(ctx, store.DealInput{Title: "Engines", ContactID: ada.ID}))
	// Now is Wednesday 25 March 2026, 12:45 UTC. Weeks start on Monday: 2, 9, 16 and 23
	// March (the last one so far).
	clk.Set(march(25, 12, 45))
	for _, e := range []struct {
		kind string
		at   time.Time
	}{
		{"call", march(1, 23, 0)}, // Sunday 1 March: the week before the report
		{"call", march(2, 9, 0)}, {"call", march(4, 15, 0)}, {"email", march(5, 8, 0)}, {"note", march(8, 23, 59)},
		{"call", march(9, 0, 0)}, {"email", march(10, 10, 0)}, {"email", march(11, 10, 0)}, {"email", march(13, 18, 0)},
		{"meeting", march(12, 14, 0)},
		{"call", march(16, 9, 0)}, {"call", march(17, 9, 0)}, {"call", march(20, 9, 0)}, {"email", march(18, 9, 0)},
		{"email", march(19, 9, 0)}, {"message", march(22, 21, 0)},
		{"meeting", march(24, 11, 0)}, {"call", march(25, 11, 30)}, {"call", march(25, 12, 10)},
		{"call", march(25, 12, 50)}, // after now: not counted yet
	} {
		logAt(t, db, ada.ID, e.kind, e.at)
	}
	// A note in the week of 9 March, edited: it counts once. An email in the week of 16
	// March, removed: it does not count. A stage change is not activity.
	note := logAt(t, db, ada.ID, "note", march(11, 16, 0))
	must[*store.Interaction](t)(db.AmendInteraction(ctx, note.ID, "Edited note"))
	gone := logAt(t, db, ada.ID, "email", march(18, 16, 0))
	noErr(t, db.RedactInteraction(ctx, gone.ID))
	must[*store.Deal](t)(db.MoveDeal(ctx, deal.ID, "Qualified"))
	checkActivityCounts(t, db)

	a := must[*store.Activity](t)(db.Activity(ctx, store.ActivityOptions{Weeks: 4, WeekStart: time.Monday, Loc: time.UTC}))
	eq(t, "from", a.From, march(2, 0, 0))
	eq(t, "to", a.To, march(25, 12, 45))
	// Week of 2 March: calls 2 (2nd, 4th), emails 1, notes 1 (Sunday 8th, 23:59) = 4
	// Week of 9 March: calls 1 (Monday 00:00), emails 3, meetings 1, notes 1 (edited) = 6
	// Week of 16 March: calls 3, emails 2 (the removed one not), messages 1 = 6
	// Week of 23 March so far (to 12:45 on the 25th): meetings 1, calls 2 (11:30, 12:10;
	// not 12:50) = 3
	want := []store.ActivityWeek{
		{Start: march(2, 0, 0), End: march(9, 0, 0), Complete: true, ActivityCounts: store.ActivityCounts{Calls: 2, Emails: 1, Notes: 1, Total: 4}},
		{Start: march(9, 0, 0), End: march(16, 0, 0), Complete: true, ActivityCounts: store.ActivityCounts{Calls: 1, Emails: 3, Meetings: 1, Notes: 1, Total: 6}},
		{Start: march(16, 0, 0), End: march(23, 0, 0), Complete: true, ActivityCounts: store.ActivityCounts{Calls: 3, Emails: 2, Messages: 1, Total: 6}},
		{Start: march(23, 0, 0), End: march(25, 12, 45), Complete: false, ActivityCounts: store.ActivityCounts{Calls: 2, Meetings: 1, Total: 3}},
	}
	if len(a.Weeks) != len(want) {
		t.Fatalf("weeks: %+v", a.Weeks)
	}
	for i, w := range want {
		if g := a.Weeks[i]; !g.Start.Equal(w.Start) || !g.End.Equal(w.End) || g.Complete != w.Complete || g.ActivityCounts != w.ActivityCounts {
			t.Errorf("week %d = %+v, want %+v", i, g, w)
		}
	}
	// The trend compares the last complete week (16 March) with the mean of the complete
	// weeks before it (2 and 9 March):
	//   calls 3 against (2 + 1) ÷ 2 = 1.5: (3 − 1.5) ÷ 1.5 = +100%
	//   emails 2 against (1 + 3) ÷ 2 = 2: 0%
	//   meetings 0 against (0 + 1) ÷ 2 = 0.5: −100%
	//   notes 0 against (1 + 1) ÷ 2 = 1: −100%
	//   messages 1 against 0: no change to speak of (n/a)
	//   total 6 against (4 + 6) ÷ 2 = 5: (6 − 5) ÷ 5 = +20%
	if a.TrendWeek == nil || !a.TrendWeek.Equal(march(16, 0, 0)) {
		t.Fatalf("trend week = %v", a.TrendWeek)
	}
	type trend struct {
		kind   string
		last   int
		avg    float64
		change *float64
	}
	wantTrend := []trend{{"call", 3, 1.5, ptr(100.0)}, {"email", 2, 2, ptr(0.0)}, {"meeting", 0, 0.5, ptr(-100.0)},
		{"note", 0, 1, ptr(-100.0)}, {"message", 1, 0, nil}, {"total", 6, 5, ptr(20.0)}}
	if len(a.Trend) != len(wantTrend) {
		t.Fatalf("trend: %+v", a.Trend)
	}
	for i, w := range wantTrend {
		g := a.Trend[i]
		eq(t, "kind", g.Kind, w.kind)
		eq(t, w.kind+" last week", g.LastWeek, w.last)
		approx(t, w.kind+" average", g.Average, w.avg)
		if w.change == nil {
			na(t, w.kind+" change", g.ChangePct)
		} else {
			approx(t, w.kind+" change", g.ChangePct, *w.change)
		}
	}

	t.Run("NoActivity", func(t *testing.T) {
		// Four weeks to 23 February, before anything was logged: zeros, and no trend to
		// speak of.
		a := must[*store.Activity](t)(db.Activity(ctx, store.ActivityOptions{To: time.Date(2026, 2, 23, 0, 0, 0, 0, time.UTC), Weeks: 4, WeekStart: time.Monday}))
		eq(t, "weeks", len(a.Weeks), 4)
		eq(t, "first week", a.Weeks[0].Start, time.Date(2026, 1, 26, 0, 0, 0, 0, time.UTC))
		for _, w := range a.Weeks {
			eq(t, "complete", w.Complete, true)
			eq(t, "total", w.Total, 0)
		}
		if a.TrendWeek == nil || len(a.Trend) != 6 {
			t.Fatalf("trend: %v %+v", a.TrendWeek, a.Trend)
		}
		for _, k := range a.Trend {
			eq(t, k.Kind+" last week", k.LastWeek, 0)
			approx(t, k.Kind+" average", k.Average, 0)
			na(t, k.Kind+" change", k.ChangePct)
		}
	})

	t.Run("OneWeekSoFar", func(t *testing.T) {
		// Only the current week: nothing is complete, so there is no trend.
		a := must[*store.Activity](t)(db.Activity(ctx, store.ActivityOptions{Weeks: 1, WeekStart: time.Monday}))
		eq(t, "weeks", len(a.Weeks), 1)
		eq(t, "total", a.Weeks[0].Total, 3)
		if a.TrendWeek != nil || len(a.Trend) != 0 {
			t.Errorf("trend: %v %+v", a.TrendWeek, a.Trend)
		}
	})

	t.Run("From", func(t *testing.T) {
		// From Wednesday 11 March: the first week is the one holding it, 9 March.
		a := must[*store.Activity](t)(db.Activity(ctx, store.ActivityOptions{From: march(11, 12, 0), To: march(23, 0, 0), WeekStart: time.Monday}))
		eq(t, "weeks", len(a.Weeks), 2)
		eq(t, "first", a.Weeks[0].Start, march(9, 0, 0))
		eq(t, "last complete", a.Weeks[1].Complete, true)
	})

	t.Run("SundayWeeks", func(t *testing.T) {
		// Weeks from Sunday: 1 March holds the Sunday call and the 2nd–7th; the note of
		// Sunday 8 March 23:59 opens the next week.
		a := must[*store.Activity](t)(db.Activity(ctx, store.ActivityOptions{To: march(8, 0, 0), Weeks: 1, WeekStart: time.Sunday}))
		eq(t, "start", a.Weeks[0].Start, march(1, 0, 0))
		eq(t, "calls", a.Weeks[0].Calls, 3)
		eq(t, "notes", a.Weeks[0].Notes, 0)
	})

	t.Run("HalfHourZone", func(t *testing.T) {
		// In UTC+05:30, Monday 9 March starts at 18:30 UTC on Sunday the 8th, in the middle
		// of an hour: the note of 23:59 UTC on the 8th is Monday morning there, and a call at
		// 18:10 UTC is still Sunday evening.
		india := time.FixedZone("UTC+05:30", 5*3600+1800)
		logAt(t, db, ada.ID, "call", march(8, 18, 10))
		logAt(t, db, ada.ID, "call", march(8, 18, 40))
		a := must[*store.Activity](t)(db.Activity(ctx, store.ActivityOptions{To: march(15, 18, 30), Weeks: 2, WeekStart: time.Monday, Loc: india}))
		eq(t, "first week", a.Weeks[0].Start, march(1, 18, 30))
		// Week from 2 March local: the calls at 23:00 UTC on the 1st (04:30 on the 2nd
		// there), on the 2nd and 4th, and at 18:10 on the 8th = 4; the note of the 8th at
		// 23:59 UTC is in the next week.
		eq(t, "calls", a.Weeks[0].Calls, 4)
		eq(t, "notes", a.Weeks[0].Notes, 0)
		// Week from 9 March local: the call at 18:40 UTC on the 8th, the one on the 9th;
		// the note of the 8th and the edited note of the 11th.
		eq(t, "next calls", a.Weeks[1].Calls, 2)
		eq(t, "next notes", a.Weeks[1].Notes, 2)
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := db.Activity(ctx, store.ActivityOptions{Weeks: -1})
		wantErr(t, err, store.ErrInvalid)
		_, err = db.Activity(ctx, store.ActivityOptions{From: march(20, 0, 0), To: march(10, 0, 0)})
		wantErr(t, err, store.ErrInvalid)
	})
}

// TestDB_ActivityCounts checks that the hourly counts follow every way the timeline
// changes: logging, editing, removing, undoing, and bulk loads into an empty and into a
// non-empty timeline.
func TestDB_ActivityCounts(t *testing.T) {
	ctx := context.Background()
	db, clk := openClock(t)
	checkActivityCounts(t, db)
	ada := must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{Name: "Ada Lovelace"}))
	load := func(n int, at time.Time) {
		t.Helper()
		noErr(t, db.Bulk(ctx, "load", func(b *store.Bulk) error {
			for i := range n {
				err := b.Create(store.EntityInteraction, store.NewID(), store.Fields{"kind": store.InteractionKinds[i%5],
					"occurred_at": store.FormatTime(at.Add(time.Duration(i) * 37 * time.Minute)), "text": "loaded",
					"contact_id": ada.ID, "created_at": store.FormatTime(at)})
				if err != nil {
					return err
				}
			}
			return nil
		}))
	}
	load(200, march(1, 0, 0)) // into an empty timeline
	checkActivityCounts(t, db)
	a := logAt(t, db, ada.ID, "call", march(3, 10, 0))
	b := logAt(t, db, ada.ID, "email", march(3, 10, 30))
	checkActivityCounts(t, db)
	must[*store.Interaction](t)(db.AmendInteraction(ctx, a.ID, "edited"))
	noErr(t, db.RedactInteraction(ctx, b.ID))
	checkActivityCounts(t, db)
	for range 3 { // the removal, the edit and the call, undone
		must[*store.Undone](t)(db.Undo(ctx))
		checkActivityCounts(t, db)
	}
	load(50, march(2, 12, 0)) // into a timeline that has entries, over the same hours
	checkActivityCounts(t, db)
	clk.Set(march(31, 0, 0))
	act := must[*store.Activity](t)(db.Activity(ctx, store.ActivityOptions{Weeks: 6, WeekStart: time.Monday}))
	total := 0
	for _, w := range act.Weeks {
		total += w.Total
	}
	eq(t, "counted", total, scalar[int](t, db, `SELECT count(*) FROM interactions WHERE redacted = 0 AND superseded_by IS NULL
		AND kind IN ('call', 'email', 'meeting', 'note', 'message') AND occurred_at >= ?`, store.FormatTime(act.From)))
	if !strings.HasPrefix(fmt.Sprint(act.From), "2026-02-23") {
		t.Errorf("from = %v", act.From)
	}
}

func TestDB_ActivityEntries(t *testing.T) {
	ctx := context.Background()
	db, clk := openClock(t)
	ada := must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{Name: "Ada Lovelace", Company: "Analytical Engines"}))
	deal := must[*store.Deal](t)(db.CreateDeal(ctx, store.DealInput{Title: "Engines", ContactID: ada.ID}))
	acme := must[*store.Company](t)(db.CreateCompany(ctx, store.CompanyInput{Name: "Acme"}))
	clk.Set(march(25, 12, 45))
	// The week of 16 March (Monday), and one entry on each side of it.
	logAt(t, db, ada.ID, "call", march(15, 23, 59))     // the week before
	c1 := logAt(t, db, ada.ID, "call", march(16, 0, 0)) // first instant of the week
	e1 := logAt(t, db, ada.ID, "email", march(17, 9, 15))
	e2 := logAt(t, db, ada.ID, "email", march(17, 9, 15)) // the same instant: the later one first
	m1 := must[*store.Interaction](t)(db.LogInteraction(ctx, store.InteractionInput{Kind: "meeting", Text: "Pricing", DealID: deal.ID, OccurredAt: march(18, 14, 0)}))
	n1 := must[*store.Interaction](t)(db.LogInteraction(ctx, store.InteractionInput{Kind: "note", Text: "Acme moved offices", CompanyID: acme.ID, OccurredAt: march(19, 9, 40)}))
	edited := logAt(t, db, ada.ID, "message", march(20, 17, 5))
	n2 := must[*store.Interaction](t)(db.AmendInteraction(ctx, edited.ID, "Edited message"))
	gone := logAt(t, db, ada.ID, "email", march(21, 8, 0))
	noErr(t, db.RedactInteraction(ctx, gone.ID))
	c2 := logAt(t, db, ada.ID, "call", march(22, 23, 59))
	logAt(t, db, ada.ID, "call", march(23, 0, 0)) // the week after
	must[*store.Deal](t)(db.MoveDeal(ctx, deal.ID, "Qualified"))

	week := store.ActivityFilter{From: march(16, 0, 0), To: march(23, 0, 0), Limit: 100}
	a := must[*store.Activity](t)(db.Activity(ctx, store.ActivityOptions{From: week.From, To: week.To, WeekStart: time.Monday}))
	// In the week: calls c1, c2; emails e1, e2 (the removed one not); the meeting m1; the
	// note n1; the message n2 (its edit, once). 2 + 2 + 1 + 1 + 1 = 7. The stage change is
	// not activity.
	eq(t, "weeks", len(a.Weeks), 1)
	page := must[*store.ActivityPage](t)(db.ActivityEntries(ctx, week))
	eq(t, "counts: the report's week", page.Counts, a.Weeks[0].ActivityCounts)
	eq(t, "total", page.Counts.Total, 7)
	ids := func(list []store.Interaction) string {
		var out []string
		for _, i := range list {
			out = append(out, i.ID)
		}
		return strings.Join(out, " ")
	}
	wantOrder := ids([]store.Interaction{*c2, *n2, *n1, *m1, *e2, *e1, *c1})
	eq(t, "newest first", ids(page.Entries), wantOrder)
	eq(t, "the list's length is the week's count", len(page.Entries), a.Weeks[0].Total)
	if page.Next != nil {
		t.Error("a window holding every entry says more follow")
	}
	// Who and what each is about, for the list.
	eq(t, "meeting's deal", page.Entries[3].Deal, "Engines")
	eq(t, "meeting's contact", page.Entries[3].Contact, "Ada Lovelace")
	eq(t, "note's company", page.Entries[2].Company, "Acme")
	eq(t, "edited text", page.Entries[1].Text, "Edited message")

	t.Run("Windows", func(t *testing.T) {
		f := week
		f.Limit = 2
		var got []store.Interaction
		for range 10 {
			p := must[*store.ActivityPage](t)(db.ActivityEntries(ctx, f))
			eq(t, "total in every window", p.Counts.Total, 7)
			got = append(got, p.Entries...)
			if p.Next == nil {
				break
			}
			f.After = p.Next
		}
		eq(t, "windows of 2", ids(got), wantOrder)
	})

	t.Run("Kind", func(t *testing.T) {
		f := week
		f.Kind = "email"
		p := must[*store.ActivityPage](t)(db.ActivityEntries(ctx, f))
		eq(t, "emails", ids(p.Entries), ids([]store.Interaction{*e2, *e1}))
		eq(t, "email count", p.Counts.Of("email"), 2)
	})

	t.Run("CutHours", func(t *testing.T) {
		// In a time zone half an hour behind UTC, the week of Monday 16 March runs from
		// 00:30 UTC on the 16th to 00:30 UTC on the 23rd: both ends cut a UTC hour. c1 (16
		// March 00:00 UTC) falls in the week before, and the call of 23 March 00:00 UTC in
		// this one: c2, n2, n1, m1, e2, e1 and that call, 7.
		loc := time.FixedZone("UTC-0:30", -30*60)
		a := must[*store.Activity](t)(db.Activity(ctx, store.ActivityOptions{To: time.Date(2026, 3, 23, 0, 30, 0, 0, time.UTC), Weeks: 1, WeekStart: time.Monday, Loc: loc}))
		w := a.Weeks[0]
		eq(t, "start", w.Start, time.Date(2026, 3, 16, 0, 30, 0, 0, time.UTC))
		p := must[*store.ActivityPage](t)(db.ActivityEntries(ctx, store.ActivityFilter{From: w.Start, To: w.End, Limit: 100}))
		eq(t, "entries", len(p.Entries), 7)
		eq(t, "counts: the report's week", p.Counts, w.ActivityCounts)
		eq(t, "the newest is 23 March 00:00", p.Entries[0].OccurredAt, march(23, 0, 0))
		eq(t, "the oldest is e1", p.Entries[6].ID, e1.ID)
	})

	t.Run("NoActivity", func(t *testing.T) {
		p := must[*store.ActivityPage](t)(db.ActivityEntries(ctx, store.ActivityFilter{From: march(2, 0, 0), To: march(9, 0, 0)}))
		eq(t, "entries", len(p.Entries), 0)
		eq(t, "total", p.Counts.Total, 0)
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := db.ActivityEntries(ctx, store.ActivityFilter{From: week.To, To: week.From})
		wantErr(t, err, store.ErrInvalid)
		_, err = db.ActivityEntries(ctx, store.ActivityFilter{From: week.From, To: week.To, Kind: "stage_change"})
		wantErr(t, err, store.ErrInvalid)
	})
}
