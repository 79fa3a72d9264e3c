package main

import (
	"context"
	"database/sql"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/store/demo"
)

// standardNow anchors the standard data set, so agenda-style results are stable.
var standardNow = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

var standardOnce sync.Once

// standardDB returns the path of the standard data set (DESIGN.md: rolo demo --contacts
// 100000 --seed 1), generating it on first use. It is cached between runs in
// .bench/standard.db (or $ROLO_BENCH_DB); a half-written file is never left behind.
func standardDB(b *testing.B) string {
	b.Helper()
	path := os.Getenv("ROLO_BENCH_DB")
	if path == "" {
		path = filepath.Join("..", "..", ".bench", "standard.db")
	}
	standardOnce.Do(func() {
		if _, err := os.Stat(path); err == nil {
			return
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			b.Fatal(err)
		}
		tmp := path + ".partial"
		os.Remove(tmp)
		ctx := context.Background()
		db, err := store.Open(ctx, tmp, store.Options{Now: func() time.Time { return standardNow }})
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("generating the standard data set in %s (about a minute)", path)
		if _, err := demo.Generate(ctx, db, demo.Options{Contacts: 100000, Seed: 1, Now: standardNow}); err != nil {
			b.Fatal(err)
		}
		if _, err := db.SQL().Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			b.Fatal(err)
		}
		db.Close()
		if err := os.Rename(tmp, path); err != nil {
			b.Fatal(err)
		}
		os.Remove(tmp + "-wal")
		os.Remove(tmp + "-shm")
	})
	return path
}

func buildBinary(b *testing.B, dir, name, pkg string) string {
	b.Helper()
	out := filepath.Join(dir, name)
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		b.Fatalf("build %s: %v", pkg, err)
	}
	return out
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// BenchmarkProcessSearch compares the whole process `rolo search QUERY --json` with a
// minimal Go program (testdata/searchfloor) that opens the same file with modernc.org/sqlite
// and runs the same FTS5 statements. Runs alternate so machine noise hits both alike; it
// reports each one's median and their ratio (budget: rolo ≤ 1.3 × floor).
func BenchmarkProcessSearch(b *testing.B) {
	path := standardDB(b)
	dir := b.TempDir()
	rolo := buildBinary(b, dir, "rolo", ".")
	floor := buildBinary(b, dir, "searchfloor", "./testdata/searchfloor")
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		b.Fatal(err)
	}
	var query string
	if err := db.QueryRow("SELECT last_name FROM contacts ORDER BY id LIMIT 1 OFFSET 5000").Scan(&query); err != nil {
		b.Fatal(err)
	}
	db.Close()
	env := append(os.Environ(), "XDG_CONFIG_HOME="+dir, "ROLO_CONFIG=", "NO_COLOR=1")
	run := func(bin string, args ...string) time.Duration {
		cmd := exec.Command(bin, args...)
		cmd.Env, cmd.Stdout, cmd.Stderr = env, io.Discard, os.Stderr
		start := time.Now()
		if err := cmd.Run(); err != nil {
			b.Fatalf("%s: %v", bin, err)
		}
		return time.Since(start)
	}
	// Warm the page cache and both binaries.
	for range 3 {
		run(floor, path, query)
		run(rolo, "--db", path, "search", query, "--json")
	}
	var tf, tr []time.Duration
	for b.Loop() {
		tf = append(tf, run(floor, path, query))
		tr = append(tr, run(rolo, "--db", path, "search", query, "--json"))
	}
	mf, mr := median(tf), median(tr)
	b.ReportMetric(float64(mf.Microseconds())/1000, "floor-ms")
	b.ReportMetric(float64(mr.Microseconds())/1000, "rolo-ms")
	b.ReportMetric(float64(mr)/float64(mf), "ratio")
	b.Logf("query %q: floor median %v, rolo median %v, ratio %.2f (n=%d)", query, mf, mr, float64(mr)/float64(mf), len(tf))
}
