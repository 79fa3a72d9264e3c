package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
)

// BenchmarkReport: every report on the standard data set, for the default period (the 90
// days up to the data set's "now"); budget 100 ms each (DESIGN.md).
//
//	go test -run '^$' -bench Report -benchtime 20x -count 5 ./store/
func BenchmarkReport(b *testing.B) {
	db := standardDB(b)
	ctx := context.Background()
	p := store.LastDays(benchNow, store.DefaultPeriodDays)
	o := store.ReportOptions{}
	for _, bc := range []struct {
		name string
		run  func() (n int, err error)
	}{
		{"WinRate", func() (int, error) {
			w, err := db.WinRate(ctx, p, o)
			return w.Won + w.Lost, err
		}},
		{"WinRateStale", func() (int, error) {
			w, err := db.WinRate(ctx, p, store.ReportOptions{WinRateDenominator: store.WinRateClosedAndStale})
			return w.Won + w.Lost + w.Stale, err
		}},
		{"Funnel", func() (int, error) {
			f, err := db.Funnel(ctx, p)
			return f.Deals, err
		}},
		{"Cycle", func() (int, error) {
			c, err := db.Cycle(ctx, p)
			n := c.Closed
			for _, s := range c.Stages {
				n += s.Stints
			}
			return n, err
		}},
		{"Velocity", func() (int, error) {
			v, err := db.Velocity(ctx, p, o)
			n := 0
			for _, c := range v.Currencies {
				n += c.OpenDeals
			}
			return n, err
		}},
		{"Forecast", func() (int, error) {
			f, err := db.Forecast(ctx, store.ForecastOptions{Months: 3, Loc: time.UTC})
			n := f.Overdue.Deals + f.Later.Deals + f.Unscheduled.Deals
			for _, m := range f.Months {
				n += m.Deals
			}
			return n, err
		}},
		{"Activity", func() (int, error) {
			a, err := db.Activity(ctx, store.ActivityOptions{Weeks: 12, WeekStart: time.Monday, Loc: time.UTC})
			n := 0
			for _, w := range a.Weeks {
				n += w.Total
			}
			return n, err
		}},
		{"Neglected", func() (int, error) {
			_, n, err := db.NeglectedContacts(ctx, 10)
			if err != nil {
				return 0, err
			}
			_, m, err := db.UntouchedContacts(ctx, 30, 10)
			return n + m, err
		}},
		{"Rotting", func() (int, error) {
			_, n, err := db.RottingDeals(ctx, 10)
			return n, err
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var n int
			for b.Loop() {
				var err error
				if n, err = bc.run(); err != nil {
					b.Fatal(err)
				}
			}
			if n == 0 {
				b.Fatalf("%s counted nothing", bc.name)
			}
			b.ReportMetric(float64(n), "rows")
		})
	}
}

// BenchmarkReportDrill: the lists behind the reports' figures on the standard data set,
// a window of 100 each with the count of the whole list, for the default period; budget
// 100 ms each, as a report's.
//
//	go test -run '^$' -bench ReportDrill -benchtime 20x -count 5 ./store/
func BenchmarkReportDrill(b *testing.B) {
	db := standardDB(b)
	ctx := context.Background()
	p := store.LastDays(benchNow, store.DefaultPeriodDays)
	o := store.ReportOptions{}
	stages, err := db.Stages(ctx)
	if err != nil {
		b.Fatal(err)
	}
	const window = 100
	// The busiest week: the last complete one before now, Monday 16 November 2026.
	week := store.ActivityFilter{From: time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), Limit: window}
	deep := week // the window 50 windows down
	for range 50 {
		pg, err := db.ActivityEntries(ctx, deep)
		if err != nil || pg.Next == nil {
			b.Fatalf("walking the week: %v", err)
		}
		deep.After = pg.Next
	}
	deals := func(f func() ([]store.Deal, int, error)) func() (int, error) {
		return func() (int, error) {
			list, n, err := f()
			if err == nil && len(list) == 0 {
				n = 0
			}
			return n, err
		}
	}
	entries := func(f store.ActivityFilter) func() (int, error) {
		return func() (int, error) {
			pg, err := db.ActivityEntries(ctx, f)
			if err != nil {
				return 0, err
			}
			if len(pg.Entries) != window {
				return 0, nil
			}
			return pg.Counts.Of(f.Kind + map[bool]string{true: "total"}[f.Kind == ""]), nil
		}
	}
	calls := week
	calls.Kind = "call"
	for _, bc := range []struct {
		name string
		run  func() (n int, err error)
	}{
		{"ActivityWeek", entries(week)},
		{"ActivityWeekDeep", entries(deep)},
		{"ActivityWeekCalls", entries(calls)},
		{"FunnelLead", deals(func() ([]store.Deal, int, error) {
			return db.FunnelDeals(ctx, p, store.FunnelFilter{StageID: stages[0].ID}, 0, window)
		})},
		{"FunnelNegotiation", deals(func() ([]store.Deal, int, error) {
			return db.FunnelDeals(ctx, p, store.FunnelFilter{StageID: stages[len(stages)-1].ID}, 0, window)
		})},
		{"FunnelLeadDeep", deals(func() ([]store.Deal, int, error) {
			return db.FunnelDeals(ctx, p, store.FunnelFilter{StageID: stages[0].ID}, 10000, window)
		})},
		{"WinRateAll", deals(func() ([]store.Deal, int, error) {
			return db.WinRateDeals(ctx, p, store.ReportOptions{WinRateDenominator: store.WinRateClosedAndStale}, store.WinRateFilter{}, 0, window)
		})},
		{"WinRateSource", deals(func() ([]store.Deal, int, error) {
			return db.WinRateDeals(ctx, p, o, store.WinRateFilter{BySource: true, Source: "website"}, 0, window)
		})},
		{"WinRateStage", deals(func() ([]store.Deal, int, error) {
			return db.WinRateDeals(ctx, p, o, store.WinRateFilter{StageID: stages[1].ID}, 0, window)
		})},
		{"StageStays", func() (int, error) {
			list, n, err := db.StageStays(ctx, p, stages[0].ID, 0, window)
			if err == nil && len(list) == 0 {
				n = 0
			}
			return n, err
		}},
		{"StageStaysYear", func() (int, error) {
			list, n, err := db.StageStays(ctx, store.LastDays(benchNow, 365), stages[0].ID, 0, window)
			if err == nil && len(list) == 0 {
				n = 0
			}
			return n, err
		}},
		{"Closed", deals(func() ([]store.Deal, int, error) { return db.ClosedDeals(ctx, p, 0, window) })},
		{"OpenCurrency", deals(func() ([]store.Deal, int, error) {
			return db.OpenDeals(ctx, store.OpenDealFilter{Currency: "USD"}, 0, window)
		})},
		{"ForecastMonth", deals(func() ([]store.Deal, int, error) {
			return db.OpenDeals(ctx, store.OpenDealFilter{CloseFrom: "2026-12-01", CloseTo: "2027-01-01"}, 0, window)
		})},
		{"ForecastLater", deals(func() ([]store.Deal, int, error) {
			return db.OpenDeals(ctx, store.OpenDealFilter{CloseFrom: "2027-02-01"}, 0, window)
		})},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var n int
			for b.Loop() {
				var err error
				if n, err = bc.run(); err != nil {
					b.Fatal(err)
				}
			}
			if n == 0 {
				b.Fatalf("%s listed nothing", bc.name)
			}
			b.ReportMetric(float64(n), "rows")
		})
	}
}
