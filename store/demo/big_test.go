package demo_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/store/demo"
)

// TestBig times the standard data set (the budget is 60 s for 100,000 contacts) and prints
// the time per phase. It runs only when asked:
//
//	ROLO_DEMO_BIG=1 go test -run TestBig -v ./store/demo
//
// ROLO_DEMO_CONTACTS changes the size; ROLO_DEMO_OUT keeps the database at that path;
// ROLO_DEMO_CHECK=1 runs db.Check on the result; ROLO_DEMO_PHASES=1 times a second
// RebuildSearch on its own.
func TestBig(t *testing.T) {
	if os.Getenv("ROLO_DEMO_BIG") == "" {
		t.Skip("set ROLO_DEMO_BIG=1 to time the standard data set")
	}
	n := 100000
	if s := os.Getenv("ROLO_DEMO_CONTACTS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			t.Fatal(err)
		}
	}
	path := os.Getenv("ROLO_DEMO_OUT")
	if path == "" {
		path = filepath.Join(t.TempDir(), "rolo.db")
	}
	ctx := context.Background()
	db, err := store.Open(ctx, path, store.Options{Now: func() time.Time { return anchor }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	start := time.Now()
	var firstWrite, rowsDone time.Time
	st, err := demo.Generate(ctx, db, demo.Options{Contacts: n, Seed: 1, Now: anchor, Progress: func(done, total int) {
		if firstWrite.IsZero() {
			// The first thousand records are written a moment after planning ends.
			firstWrite = time.Now()
		}
		if done == total {
			rowsDone = time.Now()
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	end := time.Now()
	t.Logf("records: %+v = %d", st, st.Records())
	t.Logf("plan in memory (until the first 1000 rows): %v", firstWrite.Sub(start).Round(time.Millisecond))
	t.Logf("write rows and ops:                          %v", rowsDone.Sub(firstWrite).Round(time.Millisecond))
	t.Logf("search index, last touched, commit:          %v", end.Sub(rowsDone).Round(time.Millisecond))
	t.Logf("total Generate:                              %v", end.Sub(start).Round(time.Millisecond))
	if d := end.Sub(start); n == 100000 && d > 60*time.Second {
		t.Errorf("Generate took %v, budget 60 s", d)
	}

	if os.Getenv("ROLO_DEMO_CHECK") != "" {
		t0 := time.Now()
		problems, err := db.Check(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range problems {
			t.Errorf("check: %s: %s", p.Check, p.Detail)
		}
		t.Logf("check: %d problems in %v", len(problems), time.Since(t0).Round(time.Millisecond))
	}
	if os.Getenv("ROLO_DEMO_PHASES") != "" {
		// The tail's parts, measured again on their own.
		t0 := time.Now()
		if err := db.RebuildSearch(ctx); err != nil {
			t.Fatal(err)
		}
		t.Logf("RebuildSearch again:                          %v", time.Since(t0).Round(time.Millisecond))
		for _, tbl := range []string{"companies_fts", "contacts_fts", "deals_fts", "interactions_fts", "follow_ups_fts"} {
			var pages int
			if err := db.SQL().QueryRow("SELECT count(*) FROM " + tbl + "_data").Scan(&pages); err != nil {
				t.Fatal(err)
			}
			t.Logf("  %s: %d data rows", tbl, pages)
		}
	}
	if fi, err := os.Stat(path); err == nil {
		wal, _ := os.Stat(path + "-wal")
		var walSize int64
		if wal != nil {
			walSize = wal.Size()
		}
		t.Logf("file %d MB, wal %d MB", fi.Size()>>20, walSize>>20)
	}
}
