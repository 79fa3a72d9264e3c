package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
)

// dealTitles are the titles of deals, in order.
func dealTitles(deals []store.Deal) string {
	var out []string
	for _, d := range deals {
		out = append(out, d.Title)
	}
	return strings.Join(out, " ")
}

// sameSet fails unless deals hold exactly the titles in want (in any order), and total
// is their number.
func sameSet(t *testing.T, what string, deals []store.Deal, total int, want string) {
	t.Helper()
	got := strings.Fields(dealTitles(deals))
	w := strings.Fields(want)
	slices.Sort(got)
	slices.Sort(w)
	if !slices.Equal(got, w) || total != len(w) {
		t.Errorf("%s = %v (total %d), want %v (total %d)", what, got, total, w, len(w))
	}
}

func (b *book) stageID(name string) string {
	b.t.Helper()
	for _, s := range must[[]store.Stage](b.t)(b.db.Stages(context.Background())) {
		if s.Name == name {
			return s.ID
		}
	}
	b.t.Fatalf("no stage %s", name)
	return ""
}

func TestDB_FunnelDeals(t *testing.T) {
	ctx := context.Background()
	b := newBook(t)
	p := b.period()
	f := must[*store.Funnel](t)(b.db.Funnel(ctx, p))
	// The deals the funnel counted for each stage (TestDB_Funnel works them out):
	// D1 skipped Qualified but counts for it; D2 moved back from Proposal to Qualified and
	// counts up to Proposal, once; D5 went Lead → Qualified → Lead → Qualified and counts
	// up to Qualified; D4 was won from Qualified and counts for every stage.
	want := map[string]string{
		"Lead":        "D1 D2 D3 D4 D5 D6 D7",
		"Qualified":   "D1 D2 D4 D5 D6 D7",
		"Proposal":    "D1 D2 D4 D6 D7",
		"Negotiation": "D1 D4 D7",
	}
	for _, s := range f.Stages {
		deals, n, err := b.db.FunnelDeals(ctx, p, store.FunnelFilter{StageID: b.stageID(s.Stage)}, 0, 100)
		noErr(t, err)
		sameSet(t, s.Stage, deals, n, want[s.Stage])
		eq(t, s.Stage+": the list's length is the funnel's figure", n, s.Reached)
	}
	for status, want := range map[string]string{store.StatusWon: "D1 D4", store.StatusLost: "D2 D3", store.StatusOpen: "D5 D6 D7"} {
		deals, n, err := b.db.FunnelDeals(ctx, p, store.FunnelFilter{Status: status}, 0, 100)
		noErr(t, err)
		sameSet(t, status, deals, n, want)
	}
	all, n, err := b.db.FunnelDeals(ctx, p, store.FunnelFilter{}, 0, 100)
	noErr(t, err)
	eq(t, "all deals created", n, f.Deals)
	// Newest first: D7 (day 20) leads and D1, D2 (day 0) end the list.
	if len(all) != 7 || all[0].Title != "D7" || !strings.HasSuffix(dealTitles(all), "D2 D1") && !strings.HasSuffix(dealTitles(all), "D1 D2") {
		t.Errorf("order: %s", dealTitles(all))
	}

	t.Run("Windows", func(t *testing.T) {
		lead := store.FunnelFilter{StageID: b.stageID("Lead")}
		var got []store.Deal
		for off := 0; off < 9; off += 3 {
			deals, n, err := b.db.FunnelDeals(ctx, p, lead, off, 3)
			noErr(t, err)
			eq(t, "total", n, 7)
			got = append(got, deals...)
		}
		eq(t, "windows of 3", dealTitles(got), dealTitles(all))
	})

	t.Run("UndoneMoves", func(t *testing.T) {
		// As in TestDB_Funnel: D6 goes Proposal → Negotiation → Lead, then both moves are
		// undone, and it no longer counts for Negotiation.
		b := newBook(t)
		b.at(29)
		b.move("D6", "Negotiation")
		b.move("D6", "Lead")
		neg := store.FunnelFilter{StageID: b.stageID("Negotiation")}
		deals, n, err := b.db.FunnelDeals(ctx, b.period(), neg, 0, 100)
		noErr(t, err)
		sameSet(t, "Negotiation after moving D6 there and back", deals, n, "D1 D4 D6 D7")
		must[*store.Undone](t)(b.db.Undo(ctx))
		must[*store.Undone](t)(b.db.Undo(ctx))
		deals, n, err = b.db.FunnelDeals(ctx, b.period(), neg, 0, 100)
		noErr(t, err)
		sameSet(t, "Negotiation after the undo", deals, n, "D1 D4 D7")
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		_, _, err := b.db.FunnelDeals(ctx, p, store.FunnelFilter{Status: "stale"}, 0, 10)
		wantErr(t, err, store.ErrInvalid)
		_, _, err = b.db.FunnelDeals(ctx, p, store.FunnelFilter{}, -1, 10)
		wantErr(t, err, store.ErrInvalid)
		_, _, err = b.db.FunnelDeals(ctx, p, store.FunnelFilter{StageID: "nope"}, 0, 10)
		wantErr(t, err, store.ErrNotFound)
	})
}

func TestDB_WinRateDeals(t *testing.T) {
	ctx := context.Background()
	b := newBook(t)
	p := b.period()
	for _, den := range []string{store.WinRateClosed, store.WinRateClosedAndStale} {
		t.Run(den, func(t *testing.T) {
			o := store.ReportOptions{WinRateDenominator: den}
			w := must[*store.WinRate](t)(b.db.WinRate(ctx, p, o))
			list := func(f store.WinRateFilter) ([]store.Deal, int) {
				t.Helper()
				deals, n, err := b.db.WinRateDeals(ctx, p, o, f, 0, 100)
				noErr(t, err)
				return deals, n
			}
			stale := den == store.WinRateClosedAndStale
			// Closed in the period: D1, D4 won; D0, D2, D3 lost. With closed_and_stale, D5
			// (expected 2026-03-22, still open) counts too.
			want := map[string]string{"": "D0 D1 D2 D3 D4", store.StatusWon: "D1 D4", store.StatusLost: "D0 D2 D3", store.Stale: ""}
			if stale {
				want[""] += " D5"
				want[store.Stale] = "D5"
			}
			for status, titles := range want {
				deals, n := list(store.WinRateFilter{Status: status})
				sameSet(t, "status "+status, deals, n, titles)
			}
			_, n := list(store.WinRateFilter{})
			eq(t, "all: the win rate's denominator", n, w.Won+w.Lost+w.Stale)
			// By lead source: referral D1, D2; website D3, D4; partner D0; none: D5.
			bySource := map[string]string{"referral": "D1 D2", "website": "D3 D4", "partner": "D0"}
			if stale {
				bySource[""] = "D5"
			}
			eq(t, "sources", len(w.BySource), len(bySource))
			for _, s := range w.BySource {
				deals, n := list(store.WinRateFilter{BySource: true, Source: s.Source})
				sameSet(t, "source "+s.Source, deals, n, bySource[s.Source])
				eq(t, "source "+s.Source+": the list's length is the figure", n, s.Won+s.Lost+s.Stale)
			}
			// By the furthest stage reached: D3 Lead; D0 and D4 Qualified (and D5, which went
			// back to Lead and then to Qualified again); D2 Proposal (it moved back to
			// Qualified, but had reached Proposal); D1 Negotiation (it skipped Qualified).
			byStage := map[string]string{"Lead": "D3", "Qualified": "D0 D4", "Proposal": "D2", "Negotiation": "D1"}
			if stale {
				byStage["Qualified"] += " D5"
			}
			for _, s := range w.ByStage {
				deals, n := list(store.WinRateFilter{StageID: b.stageID(s.Stage)})
				sameSet(t, "stage "+s.Stage, deals, n, byStage[s.Stage])
				eq(t, "stage "+s.Stage+": the list's length is the figure", n, s.Won+s.Lost+s.Stale)
			}
			// Both at once: website deals whose furthest stage was Qualified: D4.
			deals, n := list(store.WinRateFilter{BySource: true, Source: "website", StageID: b.stageID("Qualified")})
			sameSet(t, "website and Qualified", deals, n, "D4")
		})
	}
	t.Run("Order", func(t *testing.T) {
		// Most recently closed first: D0 (day 15), D2 (12), D1 (10), D4 (8), D3 (3).
		deals, _, err := b.db.WinRateDeals(ctx, p, store.ReportOptions{}, store.WinRateFilter{}, 0, 100)
		noErr(t, err)
		eq(t, "order", dealTitles(deals), "D0 D2 D1 D4 D3")
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		_, _, err := b.db.WinRateDeals(ctx, p, store.ReportOptions{}, store.WinRateFilter{Status: "open"}, 0, 10)
		wantErr(t, err, store.ErrInvalid)
		_, _, err = b.db.WinRateDeals(ctx, store.Period{From: day(3), To: day(2)}, store.ReportOptions{}, store.WinRateFilter{}, 0, 10)
		wantErr(t, err, store.ErrInvalid)
	})
}

func TestDB_ClosedDeals(t *testing.T) {
	ctx := context.Background()
	b := newBook(t)
	c := must[*store.Cycle](t)(b.db.Cycle(ctx, b.period()))
	deals, n, err := b.db.ClosedDeals(ctx, b.period(), 0, 2)
	noErr(t, err)
	eq(t, "closed: the cycle's figure", n, c.Closed)
	eq(t, "the first window", dealTitles(deals), "D0 D2")
	deals, _, err = b.db.ClosedDeals(ctx, b.period(), 4, 2)
	noErr(t, err)
	eq(t, "the last window", dealTitles(deals), "D3")
}

func TestDB_OpenDeals(t *testing.T) {
	ctx := context.Background()
	b := newBook(t)
	list := func(f store.OpenDealFilter) ([]store.Deal, int) {
		t.Helper()
		deals, n, err := b.db.OpenDeals(ctx, f, 0, 100)
		noErr(t, err)
		return deals, n
	}
	// The velocity's currencies (TestDB_Velocity): EUR D8; GBP D6; USD D5, D7, D9, D10.
	v := must[*store.Velocity](t)(b.db.Velocity(ctx, b.period(), store.ReportOptions{}))
	byCurrency := map[string]string{"EUR": "D8", "GBP": "D6", "USD": "D5 D7 D9 D10"}
	for _, c := range v.Currencies {
		deals, n := list(store.OpenDealFilter{Currency: c.Currency})
		sameSet(t, c.Currency, deals, n, byCurrency[c.Currency])
		eq(t, c.Currency+": the list's length is the figure", n, c.OpenDeals)
	}
	// Soonest expected first, those without a date last: D5 03-22, D6 04-11, D7 04-16,
	// D9 06-30, D10 07-01, D8 none.
	deals, _ := list(store.OpenDealFilter{})
	eq(t, "order", dealTitles(deals), "D5 D6 D7 D9 D10 D8")
	// The forecast's lines on day 30 (TestDB_Forecast): overdue D5; April D6, D7; May
	// none; June D9; later D10; no date D8.
	f := must[*store.Forecast](t)(b.db.Forecast(ctx, store.ForecastOptions{Months: 3, Loc: time.UTC}))
	for _, c := range []struct {
		what   string
		filter store.OpenDealFilter
		line   store.ForecastLine
		want   string
	}{
		{"overdue", store.OpenDealFilter{CloseTo: "2026-04-01"}, f.Overdue, "D5"},
		{"April", store.OpenDealFilter{CloseFrom: "2026-04-01", CloseTo: "2026-05-01"}, f.Months[0], "D6 D7"},
		{"May", store.OpenDealFilter{CloseFrom: "2026-05-01", CloseTo: "2026-06-01"}, f.Months[1], ""},
		{"June", store.OpenDealFilter{CloseFrom: "2026-06-01", CloseTo: "2026-07-01"}, f.Months[2], "D9"},
		{"later", store.OpenDealFilter{CloseFrom: "2026-07-01"}, f.Later, "D10"},
		{"no date", store.OpenDealFilter{Unscheduled: true}, f.Unscheduled, "D8"},
	} {
		deals, n := list(c.filter)
		sameSet(t, c.what, deals, n, c.want)
		eq(t, c.what+": the list's length is the figure", n, c.line.Deals)
	}
	t.Run("ErrInvalid", func(t *testing.T) {
		_, _, err := b.db.OpenDeals(ctx, store.OpenDealFilter{CloseFrom: "April"}, 0, 10)
		wantErr(t, err, store.ErrInvalid)
		_, _, err = b.db.OpenDeals(ctx, store.OpenDealFilter{Unscheduled: true, CloseTo: "2026-04-01"}, 0, 10)
		wantErr(t, err, store.ErrInvalid)
	})
}

func TestDB_StageStays(t *testing.T) {
	ctx := context.Background()
	b := newBook(t)
	p := b.period()
	c := must[*store.Cycle](t)(b.db.Cycle(ctx, p))
	// The stays TestDB_Cycle works out, most recently ended first (on the same day, closes
	// before moves, then the later move first):
	//   Lead: D5 5→7 = 2 (to Qualified), D3 1→3 = 2 (lost), D5 2→3 = 1 (to Qualified),
	//         D4 1→3 = 2 (to Qualified), D1 0→2 = 2 (to Proposal: it skipped Qualified),
	//         D2 0→1 = 1 (to Qualified)
	//   Qualified: D0 -2→15 = 17 (lost), D2 6→12 = 6 (lost, after moving back from
	//         Proposal), D4 3→8 = 5 (won), D5 3→5 = 2 (back to Lead), D2 1→4 = 3 (to Proposal)
	//   Proposal: D2 4→6 = 2 (back to Qualified), D1 2→5 = 3
	//   Negotiation: D1 5→10 = 5 (won)
	want := map[string]string{
		"Lead":        "D5 2 Qualified, D3 2 lost, D5 1 Qualified, D4 2 Qualified, D1 2 Proposal, D2 1 Qualified",
		"Qualified":   "D0 17 lost, D2 6 lost, D4 5 won, D5 2 Lead, D2 3 Proposal",
		"Proposal":    "D2 2 Qualified, D1 3 Negotiation",
		"Negotiation": "D1 5 won",
	}
	for _, s := range c.Stages {
		stays, n, err := b.db.StageStays(ctx, p, b.stageID(s.Stage), 0, 100)
		noErr(t, err)
		eq(t, s.Stage+": the list's length is the cycle's figure", n, s.Stints)
		var got []string
		for _, st := range stays {
			got = append(got, fmt.Sprintf("%s %g %s", st.Deal.Title, st.Days, st.EndedBy))
		}
		eq(t, s.Stage, strings.Join(got, ", "), want[s.Stage])
	}
	t.Run("Windows", func(t *testing.T) {
		stays, n, err := b.db.StageStays(ctx, p, b.stageID("Lead"), 4, 4)
		noErr(t, err)
		eq(t, "total", n, 6)
		eq(t, "the last window", len(stays), 2)
		eq(t, "its first stay ended", stays[0].Ended, day(2))
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, _, err := b.db.StageStays(ctx, p, "nope", 0, 10)
		wantErr(t, err, store.ErrNotFound)
	})
}
