package store_test

import (
	"context"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
)

// day is day n of the fake clock: t0 (Monday 2 March 2026, 10:00 UTC) plus n days.
func day(n int) time.Time { return t0.AddDate(0, 0, n) }

// book is a hand-built sales history: deals created, moved and closed on chosen days.
type book struct {
	t     *testing.T
	db    *store.DB
	clk   *fakeClock
	deals map[string]*store.Deal
}

// at sets the clock to day n.
func (b *book) at(n int) { b.clk.Set(day(n)) }

// add creates deal name in stage with a value in minor units, an expected close date
// (or "") and a contact of the given lead source ("-" for no contact).
func (b *book) add(name, source, stage string, value int64, currency, closeDate string) {
	b.t.Helper()
	ctx := context.Background()
	in := store.DealInput{Title: name, Stage: stage, Value: value, Currency: currency, ExpectedClose: closeDate}
	if source != "-" {
		c := must[*store.Contact](b.t)(b.db.CreateContact(ctx, store.ContactInput{Name: "Contact of " + name, Source: source}))
		in.ContactID = c.ID
	}
	b.deals[name] = must[*store.Deal](b.t)(b.db.CreateDeal(ctx, in))
}

func (b *book) move(name, stage string) {
	b.t.Helper()
	must[*store.Deal](b.t)(b.db.MoveDeal(context.Background(), b.deals[name].ID, stage))
}

func (b *book) close(name, status string) {
	b.t.Helper()
	must[*store.Deal](b.t)(b.db.CloseDeal(context.Background(), b.deals[name].ID, status, ""))
}

// newBook builds this history (default stages: Lead 10%, Qualified 25%, Proposal 50%,
// Negotiation 75%; money in minor units) and leaves the clock at day 30:
//
//	day -5  D0 created in Lead (partner, 800 USD)
//	day -2  D0 → Qualified
//	day  0  D1 created in Lead (referral, 1000 USD); D2 created in Lead (referral, 2000 USD)
//	day  1  D2 → Qualified; D3 created in Lead (website, 500 EUR); D4 created in Lead (website, 3000 EUR)
//	day  2  D1 → Proposal (skips Qualified); D5 created in Lead (no contact, 4000 USD, close 2026-03-22);
//	        D6 created in Proposal (cold call, 1500 GBP, close 2026-04-11)
//	day  3  D3 lost (in Lead); D4 → Qualified; D5 → Qualified
//	day  4  D2 → Proposal
//	day  5  D1 → Negotiation; D5 → Lead (backwards)
//	day  6  D2 → Qualified (backwards)
//	day  7  D5 → Qualified (enters Qualified a second time)
//	day  8  D4 won (from Qualified: skips Proposal and Negotiation)
//	day 10  D1 won
//	day 12  D2 lost (in Qualified, after reaching Proposal)
//	day 15  D0 lost (in Qualified)
//	day 20  D7 created in Negotiation (website, 1000 USD, close 2026-04-16)
//	day 30  (now) D8 created in Lead (website, 2000 EUR, no close date);
//	        D9 created in Lead (website, 3000 USD, close 2026-06-30);
//	        D10 created in Lead (website, 500 USD, close 2026-07-01)
//
// The reports look at the 30 days up to now: [day 0, day 30). D0 was created before
// them, D8–D10 at their end (so outside), and everything else within.
func newBook(t *testing.T) *book {
	t.Helper()
	db, clk := openClock(t)
	b := &book{t: t, db: db, clk: clk, deals: map[string]*store.Deal{}}
	b.at(-5)
	b.add("D0", "partner", "Lead", 80000, "USD", "")
	b.at(-2)
	b.move("D0", "Qualified")
	b.at(0)
	b.add("D1", "referral", "Lead", 100000, "USD", "")
	b.add("D2", "referral", "Lead", 200000, "USD", "")
	b.at(1)
	b.move("D2", "Qualified")
	b.add("D3", "website", "Lead", 50000, "EUR", "")
	b.add("D4", "website", "Lead", 300000, "EUR", "")
	b.at(2)
	b.move("D1", "Proposal")
	b.add("D5", "-", "Lead", 400000, "USD", "2026-03-22")
	b.add("D6", "cold call", "Proposal", 150000, "GBP", "2026-04-11")
	b.at(3)
	b.close("D3", store.StatusLost)
	b.move("D4", "Qualified")
	b.move("D5", "Qualified")
	b.at(4)
	b.move("D2", "Proposal")
	b.at(5)
	b.move("D1", "Negotiation")
	b.move("D5", "Lead")
	b.at(6)
	b.move("D2", "Qualified")
	b.at(7)
	b.move("D5", "Qualified")
	b.at(8)
	b.close("D4", store.StatusWon)
	b.at(10)
	b.close("D1", store.StatusWon)
	b.at(12)
	b.close("D2", store.StatusLost)
	b.at(15)
	b.close("D0", store.StatusLost)
	b.at(20)
	b.add("D7", "website", "Negotiation", 100000, "USD", "2026-04-16")
	b.at(30)
	b.add("D8", "website", "Lead", 200000, "EUR", "")
	b.add("D9", "website", "Lead", 300000, "USD", "2026-06-30")
	b.add("D10", "website", "Lead", 50000, "USD", "2026-07-01")
	return b
}

// period is the 30 days up to the book's now: [day 0, day 30).
func (b *book) period() store.Period { return store.LastDays(day(30), 30) }

// approx fails unless got is present and equals want (values are rounded by the store).
func approx(t *testing.T, what string, got *float64, want float64) {
	t.Helper()
	if got == nil {
		t.Errorf("%s = n/a, want %v", what, want)
	} else if math.Abs(*got-want) > 1e-9 {
		t.Errorf("%s = %v, want %v", what, *got, want)
	}
}

// na fails unless got is absent ("n/a").
func na[T any](t *testing.T, what string, got *T) {
	t.Helper()
	if got != nil {
		t.Errorf("%s = %v, want n/a", what, *got)
	}
}

func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func TestDB_WinRate(t *testing.T) {
	ctx := context.Background()
	b := newBook(t)

	t.Run("Closed", func(t *testing.T) {
		w := must[*store.WinRate](t)(b.db.WinRate(ctx, b.period(), store.ReportOptions{}))
		eq(t, "denominator", w.Denominator, store.WinRateClosed)
		eq(t, "from", w.From, day(0))
		eq(t, "to", w.To, day(30))
		// Closed in [day 0, day 30): D1 and D4 won; D0, D2 and D3 lost. 2 ÷ (2 + 3) = 0.4.
		eq(t, "won", w.Won, 2)
		eq(t, "lost", w.Lost, 3)
		eq(t, "stale", w.Stale, 0)
		approx(t, "rate", w.Rate, 0.4)
		// By source, most deals first, then by name: referral D1 won, D2 lost: 1 ÷ 2 = 0.5;
		// website D4 won, D3 lost: 1 ÷ 2 = 0.5; partner D0 lost: 0 ÷ 1 = 0.
		if len(w.BySource) != 3 {
			t.Fatalf("by source: %+v", w.BySource)
		}
		for i, want := range []struct {
			source    string
			won, lost int
			rate      float64
		}{{"referral", 1, 1, 0.5}, {"website", 1, 1, 0.5}, {"partner", 0, 1, 0}} {
			s := w.BySource[i]
			eq(t, "source", s.Source, want.source)
			eq(t, want.source+" won", s.Won, want.won)
			eq(t, want.source+" lost", s.Lost, want.lost)
			approx(t, want.source+" rate", s.Rate, want.rate)
		}
		// By the furthest stage each reached: D3 Lead (lost); D0 Qualified (lost) and D4
		// Qualified (won: it skipped the rest); D2 Proposal (lost: it moved back to
		// Qualified, but had reached Proposal); D1 Negotiation (won).
		// Lead 0 ÷ 1 = 0; Qualified 1 ÷ 2 = 0.5; Proposal 0 ÷ 1 = 0; Negotiation 1 ÷ 1 = 1.
		if len(w.ByStage) != 4 {
			t.Fatalf("by stage: %+v", w.ByStage)
		}
		for i, want := range []struct {
			stage     string
			won, lost int
			rate      float64
		}{{"Lead", 0, 1, 0}, {"Qualified", 1, 1, 0.5}, {"Proposal", 0, 1, 0}, {"Negotiation", 1, 0, 1}} {
			s := w.ByStage[i]
			eq(t, "stage", s.Stage, want.stage)
			eq(t, want.stage+" won", s.Won, want.won)
			eq(t, want.stage+" lost", s.Lost, want.lost)
			approx(t, want.stage+" rate", s.Rate, want.rate)
		}
	})

	t.Run("ClosedAndStale", func(t *testing.T) {
		w := must[*store.WinRate](t)(b.db.WinRate(ctx, b.period(), store.ReportOptions{WinRateDenominator: store.WinRateClosedAndStale}))
		eq(t, "denominator", w.Denominator, store.WinRateClosedAndStale)
		// Stale: open deals expected to close on a day in [2026-03-02, 2026-04-01): D5
		// (2026-03-22). Not D6 (04-11), D7 (04-16), D9 (06-30), D10 (07-01) nor D8 (no date).
		// 2 ÷ (2 + 3 + 1) = 0.3333.
		eq(t, "stale", w.Stale, 1)
		approx(t, "rate", w.Rate, 0.3333)
		// D5 has no contact: source "". It reached Qualified (Lead → Qualified → Lead →
		// Qualified): Qualified is now D4 won, D0 lost, D5 stale: 1 ÷ 3 = 0.3333.
		var none *store.SourceWinRate
		for i := range w.BySource {
			if w.BySource[i].Source == "" {
				none = &w.BySource[i]
			}
		}
		if none == nil || none.Stale != 1 || none.Won+none.Lost != 0 {
			t.Fatalf("no-source row: %+v", w.BySource)
		}
		approx(t, "no-source rate", none.Rate, 0)
		approx(t, "Qualified rate", w.ByStage[1].Rate, 0.3333)
		eq(t, "Qualified stale", w.ByStage[1].Stale, 1)
	})

	t.Run("NoClosedDeals", func(t *testing.T) {
		// The 30 days before day 0 hold no closing (D0 closed on day 15): no rate, and no
		// division by zero.
		w := must[*store.WinRate](t)(b.db.WinRate(ctx, store.Period{From: day(-30), To: day(0)}, store.ReportOptions{}))
		eq(t, "won", w.Won, 0)
		eq(t, "lost", w.Lost, 0)
		na(t, "rate", w.Rate)
		eq(t, "sources", len(w.BySource), 0)
		for _, s := range w.ByStage {
			na(t, s.Stage+" rate", s.Rate)
		}
		out, err := json.Marshal(w)
		noErr(t, err)
		if string(out) == "" || json.Valid(out) == false {
			t.Fatalf("json %s", out)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := b.db.WinRate(ctx, store.Period{From: day(3), To: day(2)}, store.ReportOptions{})
		wantErr(t, err, store.ErrInvalid)
		_, err = b.db.WinRate(ctx, b.period(), store.ReportOptions{WinRateDenominator: "everything"})
		wantErr(t, err, store.ErrInvalid)
	})
}

func TestDB_Funnel(t *testing.T) {
	ctx := context.Background()
	b := newBook(t)
	f := must[*store.Funnel](t)(b.db.Funnel(ctx, b.period()))
	// Created in [day 0, day 30): D1–D7 (D0 before, D8–D10 at the end). Now D1 and D4 won,
	// D2 and D3 lost, D5, D6 and D7 open.
	eq(t, "deals", f.Deals, 7)
	eq(t, "won", f.Won, 2)
	eq(t, "lost", f.Lost, 2)
	eq(t, "open", f.Open, 3)
	// Furthest stage reached, counting a deal for every stage up to it (and a won deal for
	// every stage):
	//   D1 won (Lead → Proposal → Negotiation, skipping Qualified): all four
	//   D2 lost, reached Proposal (moving back to Qualified adds nothing): Lead–Proposal
	//   D3 lost in Lead: Lead
	//   D4 won from Qualified: all four
	//   D5 open, Lead → Qualified → Lead → Qualified (Qualified once): Lead–Qualified
	//   D6 open, created in Proposal: Lead–Proposal
	//   D7 open, created in Negotiation: all four
	// Lead 7; Qualified 6 (not D3); Proposal 5 (not D3, D5); Negotiation 3 (D1, D4, D7); won 2.
	// Conversions: 6 ÷ 7 = 0.8571, 5 ÷ 6 = 0.8333, 3 ÷ 5 = 0.6, and to won 2 ÷ 3 = 0.6667.
	want := []struct {
		stage   string
		reached int
		conv    float64
	}{{"Lead", 7, 0.8571}, {"Qualified", 6, 0.8333}, {"Proposal", 5, 0.6}, {"Negotiation", 3, 0.6667}}
	if len(f.Stages) != len(want) {
		t.Fatalf("stages: %+v", f.Stages)
	}
	for i, w := range want {
		s := f.Stages[i]
		eq(t, "stage", s.Stage, w.stage)
		eq(t, w.stage+" reached", s.Reached, w.reached)
		approx(t, w.stage+" conversion", s.Conversion, w.conv)
	}

	t.Run("Empty", func(t *testing.T) {
		f := must[*store.Funnel](t)(b.db.Funnel(ctx, store.Period{From: day(100), To: day(110)}))
		eq(t, "deals", f.Deals, 0)
		for _, s := range f.Stages {
			eq(t, s.Stage+" reached", s.Reached, 0)
			na(t, s.Stage+" conversion", s.Conversion)
		}
	})

	t.Run("UndoneMoves", func(t *testing.T) {
		// Undoing a move redacts its timeline entry, so the move is no longer history. D6
		// goes Proposal → Negotiation → Lead (a backward move from Negotiation), then both
		// moves are undone: it is back in Proposal and never reached Negotiation, which
		// keeps its 3 deals.
		b := newBook(t)
		b.at(29)
		b.move("D6", "Negotiation")
		b.move("D6", "Lead")
		f := must[*store.Funnel](t)(b.db.Funnel(ctx, b.period()))
		eq(t, "Negotiation reached before the undo", f.Stages[3].Reached, 4)
		must[*store.Undone](t)(b.db.Undo(ctx))
		must[*store.Undone](t)(b.db.Undo(ctx))
		f = must[*store.Funnel](t)(b.db.Funnel(ctx, b.period()))
		eq(t, "Negotiation reached", f.Stages[3].Reached, 3)
		eq(t, "Proposal reached", f.Stages[2].Reached, 5)
	})
}

func TestDB_Cycle(t *testing.T) {
	ctx := context.Background()
	b := newBook(t)
	c := must[*store.Cycle](t)(b.db.Cycle(ctx, b.period()))
	// Closed in [day 0, day 30), days from created to closed:
	//   D0 -5 → 15 = 20; D1 0 → 10 = 10; D2 0 → 12 = 12; D3 1 → 3 = 2; D4 1 → 8 = 7.
	// Sorted 2, 7, 10, 12, 20: median x[0.5·4] = x[2] = 10; 80th percentile at
	// h = 0.8·4 = 3.2: x[3] + 0.2·(x[4] − x[3]) = 12 + 0.2·8 = 13.6.
	eq(t, "closed", c.Closed, 5)
	eq(t, "won", c.Won, 2)
	eq(t, "lost", c.Lost, 3)
	approx(t, "median", c.MedianDays, 10)
	approx(t, "p80", c.P80Days, 13.6)
	// Stays that ended in the period, by a move (from the previous move or creation) or a
	// close (from entering the last stage):
	//   Lead: D2 0→1 = 1, D1 0→2 = 2, D4 1→3 = 2, D5 2→3 = 1, D5 5→7 = 2, D3 1→3 (lost) = 2
	//         → 1, 1, 2, 2, 2, 2: median (x[2] + x[3]) ÷ 2 = 2
	//   Qualified: D2 1→4 = 3, D5 3→5 = 2, D4 3→8 (won) = 5, D2 6→12 (lost) = 6,
	//         D0 -2→15 (lost) = 17 → 2, 3, 5, 6, 17: median 5
	//         (D0's stay in Lead, -5→-2, ended before the period.)
	//   Proposal: D1 2→5 = 3, D2 4→6 = 2 → median 2.5 (D6 is still there: not counted)
	//   Negotiation: D1 5→10 (won) = 5 → 5 (D7 is still there)
	want := []struct {
		stage  string
		stints int
		median float64
	}{{"Lead", 6, 2}, {"Qualified", 5, 5}, {"Proposal", 2, 2.5}, {"Negotiation", 1, 5}}
	if len(c.Stages) != len(want) {
		t.Fatalf("stages: %+v", c.Stages)
	}
	for i, w := range want {
		s := c.Stages[i]
		eq(t, "stage", s.Stage, w.stage)
		eq(t, w.stage+" stints", s.Stints, w.stints)
		approx(t, w.stage+" median", s.MedianDays, w.median)
	}

	t.Run("NoClosedDeals", func(t *testing.T) {
		c := must[*store.Cycle](t)(b.db.Cycle(ctx, store.Period{From: day(100), To: day(110)}))
		eq(t, "closed", c.Closed, 0)
		na(t, "median", c.MedianDays)
		na(t, "p80", c.P80Days)
		for _, s := range c.Stages {
			eq(t, s.Stage+" stints", s.Stints, 0)
			na(t, s.Stage+" median", s.MedianDays)
		}
	})
}

func TestDB_Velocity(t *testing.T) {
	ctx := context.Background()
	b := newBook(t)
	v := must[*store.Velocity](t)(b.db.Velocity(ctx, b.period(), store.ReportOptions{}))
	// Win rate 0.4 and median cycle 10 days (TestDB_WinRate, TestDB_Cycle). Open now:
	//   EUR: D8 200000 → 1 deal, average 200000; 200000 × 0.4 ÷ 10 = 8000 a day
	//   GBP: D6 150000 → 1 deal, average 150000; 150000 × 0.4 ÷ 10 = 6000 a day
	//   USD: D5 400000, D7 100000, D9 300000, D10 50000 → 4 deals, total 850000,
	//        average 212500; 4 × 212500 × 0.4 ÷ 10 = 34000 a day
	approx(t, "win rate", v.WinRate, 0.4)
	approx(t, "cycle", v.CycleDays, 10)
	want := []store.CurrencyVelocity{
		{Currency: "EUR", OpenDeals: 1, AverageValue: 200000, PerDay: ptr[int64](8000)},
		{Currency: "GBP", OpenDeals: 1, AverageValue: 150000, PerDay: ptr[int64](6000)},
		{Currency: "USD", OpenDeals: 4, AverageValue: 212500, PerDay: ptr[int64](34000)},
	}
	if len(v.Currencies) != len(want) {
		t.Fatalf("currencies: %+v", v.Currencies)
	}
	for i, w := range want {
		g := v.Currencies[i]
		if g.Currency != w.Currency || g.OpenDeals != w.OpenDeals || g.AverageValue != w.AverageValue || g.PerDay == nil || *g.PerDay != *w.PerDay {
			t.Errorf("currency %d = %+v (per day %v), want %+v (per day %d)", i, g, g.PerDay, w, *w.PerDay)
		}
	}

	t.Run("NoClosedDeals", func(t *testing.T) {
		// No win rate and no cycle: the open deals are shown, their velocity is n/a.
		v := must[*store.Velocity](t)(b.db.Velocity(ctx, store.Period{From: day(100), To: day(110)}, store.ReportOptions{}))
		na(t, "win rate", v.WinRate)
		na(t, "cycle", v.CycleDays)
		eq(t, "currencies", len(v.Currencies), 3)
		for _, c := range v.Currencies {
			na(t, c.Currency+" per day", c.PerDay)
		}
	})
}

func totals(l []store.CurrencyTotal) map[string]int64 {
	m := map[string]int64{}
	for _, t := range l {
		m[t.Currency] = t.Amount
	}
	return m
}

func sameTotals(t *testing.T, what string, got []store.CurrencyTotal, want map[string]int64) {
	t.Helper()
	g := totals(got)
	if len(g) != len(want) {
		t.Errorf("%s = %v, want %v", what, g, want)
		return
	}
	for c, a := range want {
		if g[c] != a {
			t.Errorf("%s = %v, want %v", what, g, want)
			return
		}
	}
}

func TestDB_Forecast(t *testing.T) {
	ctx := context.Background()
	b := newBook(t)
	f := must[*store.Forecast](t)(b.db.Forecast(ctx, store.ForecastOptions{Months: 3, Loc: time.UTC}))
	// Historical conversion from each stage, over the closed deals (D0–D4), a won deal
	// having reached every stage: won D1, D4; lost D3 (furthest Lead), D0 (Qualified),
	// D2 (Proposal).
	//   Lead: 2 won ÷ 5 reached = 0.4 (5 reached: history)
	//   Qualified: 2 ÷ 4 (D1, D4, D0, D2) — fewer than 5: the stage's 25%
	//   Proposal: 2 ÷ 3 (D1, D4, D2) — the stage's 50%
	//   Negotiation: 2 ÷ 2 — the stage's 75%
	wantConv := []store.StageConversion{
		{Stage: "Lead", Probability: 10, Reached: 5, Won: 2, Rate: 0.4, Basis: "history"},
		{Stage: "Qualified", Probability: 25, Reached: 4, Won: 2, Rate: 0.25, Basis: "probability"},
		{Stage: "Proposal", Probability: 50, Reached: 3, Won: 2, Rate: 0.5, Basis: "probability"},
		{Stage: "Negotiation", Probability: 75, Reached: 2, Won: 2, Rate: 0.75, Basis: "probability"},
	}
	for i, w := range wantConv {
		if f.Conversion[i] != w {
			t.Errorf("conversion %d = %+v, want %+v", i, f.Conversion[i], w)
		}
	}
	// Now is day 30, 1 April 2026: the months are April, May and June 2026. Open deals:
	//   D5 Qualified 400000 USD, 2026-03-22: overdue; × 25% = 100000; history (25%) 100000
	//   D6 Proposal 150000 GBP, 2026-04-11: April; × 50% = 75000; history 75000
	//   D7 Negotiation 100000 USD, 2026-04-16: April; × 75% = 75000; history 75000
	//   D9 Lead 300000 USD, 2026-06-30: June; × 10% = 30000; history × 0.4 = 120000
	//   D10 Lead 50000 USD, 2026-07-01: later; × 10% = 5000; history × 0.4 = 20000
	//   D8 Lead 200000 EUR, no date: unscheduled; × 10% = 20000; history × 0.4 = 80000
	type line struct {
		month                       string
		deals                       int
		total, weighted, historical map[string]int64
	}
	check := func(what string, got store.ForecastLine, w line) {
		t.Helper()
		eq(t, what+" month", got.Month, w.month)
		eq(t, what+" deals", got.Deals, w.deals)
		sameTotals(t, what+" total", got.Totals, w.total)
		sameTotals(t, what+" weighted", got.Weighted, w.weighted)
		sameTotals(t, what+" historical", got.Historical, w.historical)
	}
	if len(f.Months) != 3 {
		t.Fatalf("months: %+v", f.Months)
	}
	check("april", f.Months[0], line{"2026-04", 2, map[string]int64{"GBP": 150000, "USD": 100000},
		map[string]int64{"GBP": 75000, "USD": 75000}, map[string]int64{"GBP": 75000, "USD": 75000}})
	check("may", f.Months[1], line{"2026-05", 0, map[string]int64{}, map[string]int64{}, map[string]int64{}})
	check("june", f.Months[2], line{"2026-06", 1, map[string]int64{"USD": 300000},
		map[string]int64{"USD": 30000}, map[string]int64{"USD": 120000}})
	check("overdue", f.Overdue, line{"", 1, map[string]int64{"USD": 400000},
		map[string]int64{"USD": 100000}, map[string]int64{"USD": 100000}})
	check("later", f.Later, line{"", 1, map[string]int64{"USD": 50000},
		map[string]int64{"USD": 5000}, map[string]int64{"USD": 20000}})
	check("unscheduled", f.Unscheduled, line{"", 1, map[string]int64{"EUR": 200000},
		map[string]int64{"EUR": 20000}, map[string]int64{"EUR": 80000}})

	t.Run("LocalMonth", func(t *testing.T) {
		// At 10:00 UTC on 1 April it is still 31 March 23:00 eleven hours west: the months
		// are March to May, D5 (22 March) is due this month, and D9 (30 June) is later.
		west := time.FixedZone("UTC-11", -11*3600)
		f := must[*store.Forecast](t)(b.db.Forecast(ctx, store.ForecastOptions{Months: 3, Loc: west}))
		eq(t, "first month", f.Months[0].Month, "2026-03")
		eq(t, "march deals", f.Months[0].Deals, 1)
		eq(t, "april deals", f.Months[1].Deals, 2)
		eq(t, "overdue deals", f.Overdue.Deals, 0)
		eq(t, "later deals", f.Later.Deals, 2)
	})

	t.Run("Months", func(t *testing.T) {
		f := must[*store.Forecast](t)(b.db.Forecast(ctx, store.ForecastOptions{Months: 1}))
		eq(t, "months", len(f.Months), 1)
		eq(t, "later deals", f.Later.Deals, 2) // D9, D10
		_, err := b.db.Forecast(ctx, store.ForecastOptions{Months: -1})
		wantErr(t, err, store.ErrInvalid)
	})
}

func TestDB_UntouchedContacts(t *testing.T) {
	ctx := context.Background()
	db, clk := openClock(t)
	mk := func(name string, deal string, status string) *store.Contact {
		c := must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{Name: name}))
		if deal != "" {
			d := must[*store.Deal](t)(db.CreateDeal(ctx, store.DealInput{Title: deal, ContactID: c.ID, Value: 10000, Currency: "EUR"}))
			if status != store.StatusOpen {
				must[*store.Deal](t)(db.CloseDeal(ctx, d.ID, status, ""))
			}
		}
		return c
	}
	// Day 0: Ada (two open deals), Bob (open deal), Cy (a won deal only), Di (no deal).
	ada := mk("Ada Lovelace", "Engines", store.StatusOpen)
	must[*store.Deal](t)(db.CreateDeal(ctx, store.DealInput{Title: "Looms", ContactID: ada.ID, Value: 5000, Currency: "USD"}))
	bob := mk("Bob Babbage", "Mill", store.StatusOpen)
	mk("Cy Clement", "Gears", store.StatusWon)
	mk("Di Diff", "", "")
	// Day 20: Bob is called. Day 40: with 30 days, Ada (never touched, created day 0) is
	// untouched; Bob (touched day 20) is not; Cy and Di have no open deal.
	clk.Set(day(20))
	must[*store.Interaction](t)(db.LogInteraction(ctx, store.InteractionInput{Kind: "call", Text: "Hello", ContactID: bob.ID}))
	clk.Set(day(40))
	list, total := must2[[]store.UntouchedContact, int](t)(db.UntouchedContacts(ctx, 30, 10))
	eq(t, "total", total, 1)
	if len(list) != 1 || list[0].ID != ada.ID || list[0].OpenDeals != 2 {
		t.Fatalf("untouched = %+v", list)
	}
	sameTotals(t, "open value", list[0].OpenValue, map[string]int64{"EUR": 10000, "USD": 5000})
	// With 10 days, Bob is untouched too, and Ada (never touched) comes first.
	list, total = must2[[]store.UntouchedContact, int](t)(db.UntouchedContacts(ctx, 10, 0))
	eq(t, "total", total, 2)
	if len(list) != 2 || list[0].ID != ada.ID || list[1].ID != bob.ID {
		t.Fatalf("untouched = %+v", list)
	}
	// A limit cuts the list, not the count.
	list, total = must2[[]store.UntouchedContact, int](t)(db.UntouchedContacts(ctx, 10, 1))
	eq(t, "total", total, 2)
	eq(t, "shown", len(list), 1)
	// A window further down: Bob; past the end, nothing, and the count still.
	list, total = must2[[]store.UntouchedContact, int](t)(db.UntouchedContactsAt(ctx, 10, 1, 10))
	eq(t, "total from 1", total, 2)
	if len(list) != 1 || list[0].ID != bob.ID {
		t.Fatalf("from 1 = %+v", list)
	}
	list, total = must2[[]store.UntouchedContact, int](t)(db.UntouchedContactsAt(ctx, 10, 5, 10))
	eq(t, "total from 5", total, 2)
	eq(t, "shown from 5", len(list), 0)
	_, _, err := db.UntouchedContacts(ctx, 0, 10)
	wantErr(t, err, store.ErrInvalid)
}

func TestDB_MoveDeal_StageHistory(t *testing.T) {
	ctx := context.Background()
	b := newBook(t)
	// Every move names its stages: D5 went Lead → Qualified → Lead → Qualified.
	stages := map[string]string{}
	for _, s := range must[[]store.Stage](t)(b.db.Stages(ctx)) {
		stages[s.ID] = s.Name
	}
	rows, err := b.db.SQL().Query(`SELECT from_stage, to_stage, text FROM interactions WHERE deal_id = ? AND kind = 'stage_change'
		ORDER BY occurred_at`, b.deals["D5"].ID)
	noErr(t, err)
	defer rows.Close()
	var got []string
	for rows.Next() {
		var from, to, text string
		noErr(t, rows.Scan(&from, &to, &text))
		got = append(got, stages[from]+">"+stages[to])
		eq(t, "text", text, "Stage: "+stages[from]+" → "+stages[to])
	}
	noErr(t, rows.Err())
	eq(t, "history", len(got), 3)
	if len(got) == 3 && (got[0] != "Lead>Qualified" || got[1] != "Qualified>Lead" || got[2] != "Lead>Qualified") {
		t.Errorf("history = %v", got)
	}
	checkHealthy(t, b.db)
}
