package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
)

// BenchmarkFindDuplicates lists every candidate pair of the standard data set (100,000
// contacts, 20,000 companies), as rolo dedupe does; the aim is at most 2 s.
//
//	go test -run '^$' -bench FindDuplicates -benchtime 5x ./store/
func BenchmarkFindDuplicates(b *testing.B) {
	db := standardDB(b)
	ctx := context.Background()
	var times []time.Duration
	var n int
	for b.Loop() {
		start := time.Now()
		_, total, err := db.FindDuplicates(ctx, store.DuplicateFilter{Limit: 50})
		if err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
		n = total
	}
	slices.Sort(times)
	b.ReportMetric(times[len(times)/2].Seconds(), "median-s")
	b.Logf("%d candidate pairs; median %v over %d runs", n, times[len(times)/2], len(times))
}
