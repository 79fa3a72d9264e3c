package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
)

func titles(deals []store.Deal) []string {
	out := []string{}
	for _, d := range deals {
		out = append(out, d.Title)
	}
	return out
}

func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDB_BoardColumn(t *testing.T) {
	ctx := context.Background()
	db, clk := openClock(t)
	stages := must[[]store.Stage](t)(db.Stages(ctx))
	lead := stages[0]
	// Five deals in Lead, one day apart; one in Qualified, one won, one deleted.
	var ids []string
	for _, title := range []string{"A", "B", "C", "D", "E"} {
		d := must[*store.Deal](t)(db.CreateDeal(ctx, store.DealInput{Title: title, Value: 100}))
		ids = append(ids, d.ID)
		clk.Add(24 * time.Hour)
	}
	must[*store.Deal](t)(db.CreateDeal(ctx, store.DealInput{Title: "Q", Stage: "Qualified"}))
	must[*store.Deal](t)(db.CloseDeal(ctx, ids[1], store.StatusWon, ""))
	if err := db.DeleteDeal(ctx, ids[3]); err != nil {
		t.Fatal(err)
	}
	// Moving A out and back makes it the newest in Lead.
	must[*store.Deal](t)(db.MoveDeal(ctx, ids[0], "Qualified"))
	clk.Add(time.Hour)
	must[*store.Deal](t)(db.MoveDeal(ctx, ids[0], "Lead"))

	t.Run("OK", func(t *testing.T) {
		got := must[[]store.Deal](t)(db.BoardColumn(ctx, lead.ID, 0, 10))
		if want := []string{"C", "E", "A"}; !sameStrings(titles(got), want) {
			t.Fatalf("column = %v, want %v (longest in stage first, open only)", titles(got), want)
		}
		if got[0].Stage != "Lead" || got[0].Value.Amount != 100 {
			t.Errorf("card = %+v", got[0])
		}
	})
	t.Run("Window", func(t *testing.T) {
		got := must[[]store.Deal](t)(db.BoardColumn(ctx, lead.ID, 1, 1))
		if want := []string{"E"}; !sameStrings(titles(got), want) {
			t.Fatalf("window = %v, want %v", titles(got), want)
		}
		got = must[[]store.Deal](t)(db.BoardColumn(ctx, lead.ID, 3, 10))
		if len(got) != 0 {
			t.Fatalf("past the end = %v, want none", titles(got))
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		if _, err := db.BoardColumn(ctx, lead.ID, -1, 10); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("negative offset: err = %v, want ErrInvalid", err)
		}
	})
}

func TestDB_ReviewQueue(t *testing.T) {
	ctx := context.Background()
	db, clk := openClock(t)
	c := must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{Name: "Ada Lovelace"}))
	mk := func(title string, value int64) *store.Deal {
		return must[*store.Deal](t)(db.CreateDeal(ctx, store.DealInput{Title: title, Value: value, ContactID: c.ID}))
	}
	rotting := mk("Rotting", 100) // Lead rots after 14 days
	clk.Add(20 * 24 * time.Hour)
	overdueSmall := mk("Overdue small", 10)
	overdueBig := mk("Overdue big", 900)
	none := mk("No next step", 50)
	noneBig := mk("No next step big", 500)
	fine := mk("Scheduled", 5000)
	allDayToday := mk("All-day today", 1)
	won := mk("Won", 10000)
	now := clk.Now()
	add := func(d *store.Deal, due time.Time, allDay bool) {
		must[*store.FollowUp](t)(db.AddFollowUp(ctx, store.FollowUpInput{Title: "call " + d.Title, DueAt: due, AllDay: allDay, DealID: d.ID}))
	}
	add(overdueSmall, now.Add(-time.Hour), false)
	add(overdueBig, now.Add(-48*time.Hour), true)
	add(overdueBig, now.Add(72*time.Hour), false) // a later step: the overdue one is next
	add(fine, now.Add(24*time.Hour), false)
	add(rotting, now.Add(24*time.Hour), false) // rotting, though scheduled
	// An all-day follow-up due today is not overdue until the day is over.
	today, _ := store.DayBounds(now, time.UTC)
	add(allDayToday, today, true)
	must[*store.Deal](t)(db.CloseDeal(ctx, won.ID, store.StatusWon, ""))
	done := must[*store.FollowUp](t)(db.AddFollowUp(ctx, store.FollowUpInput{Title: "done", DueAt: now.Add(-time.Hour), DealID: none.ID}))
	must[*store.FollowUp](t)(db.CompleteFollowUp(ctx, done.ID))

	q := must[[]store.ReviewItem](t)(db.ReviewQueue(ctx, time.UTC, 0))
	var got []string
	for _, it := range q {
		got = append(got, it.Deal.Title+"/"+it.Reason)
	}
	want := []string{"Overdue big/overdue", "Overdue small/overdue", "Rotting/rotting",
		"No next step big/no next step", "No next step/no next step", "Scheduled/scheduled", "All-day today/scheduled"}
	if !sameStrings(got, want) {
		t.Fatalf("queue =\n%v\nwant\n%v", got, want)
	}
	if ns := q[0].NextStep; ns == nil || ns.Title != "call Overdue big" || !ns.AllDay {
		t.Errorf("next step of the first = %+v, want the overdue all-day call", ns)
	}
	if q[3].NextStep != nil {
		t.Errorf("a deal with only done follow-ups has next step %+v", q[3].NextStep)
	}
	if !q[2].Rotting || q[0].Rotting {
		t.Errorf("rotting flags: %v %v", q[2].Rotting, q[0].Rotting)
	}
	if q[0].Deal.Contact != "Ada Lovelace" {
		t.Errorf("deal contact = %q", q[0].Deal.Contact)
	}
	short := must[[]store.ReviewItem](t)(db.ReviewQueue(ctx, time.UTC, 2))
	if len(short) != 2 || short[1].Deal.ID != overdueSmall.ID {
		t.Fatalf("limit 2 = %d items", len(short))
	}

	ns := must[*store.FollowUp](t)(db.NextStep(ctx, overdueBig.ID))
	if ns == nil || ns.Title != "call Overdue big" {
		t.Fatalf("NextStep = %+v", ns)
	}
	if ns := must[*store.FollowUp](t)(db.NextStep(ctx, noneBig.ID)); ns != nil {
		t.Fatalf("NextStep of a deal without one = %+v", ns)
	}
}

// BenchmarkBoardColumn: one window of cards on the standard data set, at the top of the
// largest column and 5,000 cards down (the end of it).
//
//	go test -run '^$' -bench 'BoardColumn|ReviewQueue' -benchtime 50x -count 5 ./store/
func BenchmarkBoardColumn(b *testing.B) {
	db := standardDB(b)
	ctx := context.Background()
	stages, err := db.Stages(ctx)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name   string
		offset int
	}{{"Top", 0}, {"Deep", 5000}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				d, err := db.BoardColumn(ctx, stages[0].ID, bc.offset, 40)
				if err != nil || len(d) == 0 {
					b.Fatalf("%d cards, %v", len(d), err)
				}
			}
		})
	}
}

// BenchmarkReviewQueue: the weekly review's first 50 deals on the standard data set
// (13,833 open deals); budget 50 ms.
func BenchmarkReviewQueue(b *testing.B) {
	db := standardDB(b)
	ctx := context.Background()
	for b.Loop() {
		q, err := db.ReviewQueue(ctx, time.UTC, 50)
		if err != nil || len(q) != 50 {
			b.Fatalf("%d items, %v", len(q), err)
		}
	}
}
