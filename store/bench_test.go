package store_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/store/demo"
)

// The store's budgets (DESIGN.md, "Budgets") are measured on the standard data set:
// `rolo demo --contacts 100000 --seed 1`, anchored at a fixed "now" so agenda results do
// not drift. It is built once (about a minute) and cached in .bench/ at the top of the
// repository, or at $ROLO_BENCH_DB:
//
//	go test -run '^$' -bench . -benchtime 200x -count 6 ./store/

// benchNow is the standard data set's "today".
var benchNow = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

var standardOnce struct {
	sync.Once
	err error
}

// standardPath is where the standard data set is cached.
func standardPath() string {
	if p := os.Getenv("ROLO_BENCH_DB"); p != "" {
		return p
	}
	return filepath.Join("..", ".bench", "standard.db")
}

// standardDB opens the standard data set, generating it first if it is missing.
func standardDB(b *testing.B) *store.DB {
	b.Helper()
	path := standardPath()
	standardOnce.Do(func() { standardOnce.err = makeStandard(path) })
	if standardOnce.err != nil {
		b.Fatalf("standard data set: %v", standardOnce.err)
	}
	db, err := store.Open(context.Background(), path, store.Options{CacheKiB: store.LongLivedCacheKiB,
		Now:      func() time.Time { return benchNow },
		NoBackup: true, // a migration must not copy 1.6 GB beside it
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// makeStandard generates the standard data set into a temporary file beside path and
// renames it into place, so an interrupted run never leaves a half-built file there.
func makeStandard(path string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".partial"
	for _, p := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	ctx := context.Background()
	db, err := store.Open(ctx, tmp, store.Options{Owner: "bench", Now: func() time.Time { return benchNow }})
	if err != nil {
		return err
	}
	start := time.Now()
	st, err := demo.Generate(ctx, db, demo.Options{Contacts: 100000, Seed: 1, Now: benchNow})
	if cerr := db.Close(); err == nil {
		err = cerr // closing checkpoints the WAL into the file
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	os.Stderr.WriteString("generated the standard data set (" + time.Since(start).Round(time.Second).String() + "): " + path + "\n")
	_ = st
	return os.Rename(tmp, path)
}

// busiestContact is the contact with the longest timeline (found once per run).
var busiest struct {
	sync.Once
	id  string
	n   int
	err error
}

func busiestContact(b *testing.B, db *store.DB) (string, int) {
	b.Helper()
	busiest.Do(func() {
		busiest.err = db.SQL().QueryRow(`SELECT contact_id, count(*) FROM interactions WHERE contact_id IS NOT NULL
			GROUP BY contact_id ORDER BY count(*) DESC, contact_id LIMIT 1`).Scan(&busiest.id, &busiest.n)
	})
	if busiest.err != nil {
		b.Fatal(busiest.err)
	}
	return busiest.id, busiest.n
}

// BenchmarkSearch: budget 3 ms per search.
func BenchmarkSearch(b *testing.B) {
	db := standardDB(b)
	ctx := context.Background()
	var fullName, email string
	err := db.SQL().QueryRow(`SELECT c.name, e.email FROM contacts c JOIN contact_emails e ON e.contact_id = c.id AND e.position = 0
		WHERE c.last_name = 'Schmidt' ORDER BY c.id LIMIT 1`).Scan(&fullName, &email)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, q string }{
		{"LastNamePrefix", "Schm"},  // Schmidt, Schmitt…: a common last name, typed halfway
		{"FullName", fullName},      // one person, first and last name
		{"Diacritics", "sore"},      // Søren, Sørensen: typed without the ø
		{"TimelineWord", "pricing"}, // a word from thousands of timeline entries
		{"Email", email},            // someone's address, as pasted
	} {
		b.Run(bc.name, func(b *testing.B) {
			var hits []store.Hit
			for b.Loop() {
				var err error
				if hits, err = db.Search(ctx, bc.q, 20); err != nil {
					b.Fatal(err)
				}
			}
			if len(hits) == 0 {
				b.Fatalf("no hits for %q", bc.q)
			}
			b.ReportMetric(float64(len(hits)), "hits/op")
		})
	}
}

// BenchmarkTimeline50: a contact's latest 50 entries; budget 2 ms.
func BenchmarkTimeline50(b *testing.B) {
	db := standardDB(b)
	ctx := context.Background()
	id, total := busiestContact(b, db)
	var got []store.Interaction
	for b.Loop() {
		var err error
		if got, err = db.Timeline(ctx, store.TimelineFilter{ContactID: id, Limit: 50}); err != nil {
			b.Fatal(err)
		}
	}
	if len(got) != 50 {
		b.Fatalf("got %d entries of %d", len(got), total)
	}
	b.ReportMetric(float64(total), "contact-entries")
}

// BenchmarkToday: the day's agenda; budget 5 ms.
func BenchmarkToday(b *testing.B) {
	db := standardDB(b)
	ctx := context.Background()
	var n store.AgendaCounts
	for b.Loop() {
		var err error
		if _, n, err = db.Today(ctx, time.UTC, 50); err != nil {
			b.Fatal(err)
		}
	}
	if n.Overdue == 0 || n.Rotting == 0 {
		b.Fatalf("agenda counts %+v", n)
	}
	b.ReportMetric(float64(n.Overdue), "overdue")
	b.ReportMetric(float64(n.Rotting), "rotting")
}

// BenchmarkPipeline: the pipeline board; budget 10 ms.
func BenchmarkPipeline(b *testing.B) {
	db := standardDB(b)
	ctx := context.Background()
	var p *store.Pipeline
	for b.Loop() {
		var err error
		if p, err = db.Pipeline(ctx, 50); err != nil {
			b.Fatal(err)
		}
	}
	open := 0
	for _, s := range p.Stages {
		open += s.Count
	}
	if open == 0 || len(p.Rotting) == 0 {
		b.Fatalf("pipeline: %d open deals, %d rotting", open, len(p.Rotting))
	}
	b.ReportMetric(float64(open), "open-deals")
}
