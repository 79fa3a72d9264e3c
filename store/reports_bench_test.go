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
