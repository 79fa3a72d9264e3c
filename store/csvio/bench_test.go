package csvio_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/store/csvio"
	"github.com/rolo-crm/rolo/store/demo"
)

// standardNow anchors the standard data set, as in cmd/rolo's benchmarks.
var standardNow = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

var benchCSVOnce sync.Once

// benchCSV returns the path of rolo's CSV export of the standard data set (demo, 100,000
// contacts, seed 1), making it on first use. It is cached between runs in
// .bench/contacts-100k.csv (or $ROLO_BENCH_CSV); it is exported from the standard data set
// at $ROLO_BENCH_DB, else from standard.db beside the CSV when that exists (cmd/rolo's
// benchmarks make .bench/standard.db), else from a database generated here. The standard
// data set is only read.
func benchCSV(b *testing.B) string {
	b.Helper()
	path := os.Getenv("ROLO_BENCH_CSV")
	if path == "" {
		path = filepath.Join("..", "..", ".bench", "contacts-100k.csv")
	}
	benchCSVOnce.Do(func() {
		if _, err := os.Stat(path); err == nil {
			return
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		src := os.Getenv("ROLO_BENCH_DB")
		if src == "" {
			src = filepath.Join(filepath.Dir(path), "standard.db")
		}
		if _, err := os.Stat(src); err != nil {
			src = filepath.Join(b.TempDir(), "standard.db")
			db, err := store.Open(ctx, src, store.Options{Now: func() time.Time { return standardNow }})
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("generating the standard data set (about a minute)")
			if _, err := demo.Generate(ctx, db, demo.Options{Contacts: 100000, Seed: 1, Now: standardNow}); err != nil {
				b.Fatal(err)
			}
			db.Close()
		}
		db, err := store.Open(ctx, src, store.Options{Now: func() time.Time { return standardNow }, NoBackup: true})
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		tmp := path + ".partial"
		out, err := os.Create(tmp)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := csvio.Export(ctx, db, out); err != nil {
			b.Fatal(err)
		}
		if err := out.Close(); err != nil {
			b.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil {
			b.Fatal(err)
		}
	})
	return path
}

// BenchmarkImportCSV100k imports rolo's CSV of the standard data set (100,000 contacts and
// the 20,000 companies they name) into a new database; the budget is 5 s (DESIGN.md).
func BenchmarkImportCSV100k(b *testing.B) {
	data, err := os.ReadFile(benchCSV(b))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var times, cpus []time.Duration
	for b.Loop() {
		b.StopTimer()
		db, err := store.Open(ctx, filepath.Join(b.TempDir(), "rolo.db"), store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start, cpu := time.Now(), cpuTime()
		_, res, err := csvio.Import(ctx, db, data, csvio.ReadOptions{Name: "contacts.csv"}, store.ImportOptions{})
		if err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
		cpus = append(cpus, cpuTime()-cpu)
		b.StopTimer()
		if res.Created.Contacts != 100000 || len(res.Skipped) > 0 {
			b.Fatalf("imported %+v", res)
		}
		db.Close()
		b.StartTimer()
	}
	s := slices.Clone(times)
	slices.Sort(s)
	med := s[len(s)/2]
	slices.Sort(cpus)
	b.ReportMetric(med.Seconds(), "median-s")
	// CPU time (user and system, all threads) varies less than wall time on a shared
	// machine: other jobs delay the import, but do not make it do more work.
	b.ReportMetric(cpus[len(cpus)/2].Seconds(), "median-cpu-s")
	b.Logf("import of 100,000 contacts: median %v (CPU %v) over %d runs (budget 5 s)", med, cpus[len(cpus)/2], len(s))
}

// cpuTime is the CPU time the process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
