package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
)

// t0 is the fake clock's start: a Monday morning, UTC.
var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// fakeClock is a controllable store clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *fakeClock { return &fakeClock{t: t} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// mustOpen opens a fresh database in a temporary directory; opts default to a zero
// Options. The database is closed when the test ends.
func mustOpen(tb testing.TB, opts ...store.Options) *store.DB {
	tb.Helper()
	return mustOpenPath(tb, filepath.Join(tb.TempDir(), "rolo.db"), opts...)
}

// mustOpenPath opens the database at path.
func mustOpenPath(tb testing.TB, path string, opts ...store.Options) *store.DB {
	tb.Helper()
	var o store.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	db, err := store.Open(context.Background(), path, o)
	if err != nil {
		tb.Fatalf("open %s: %v", path, err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// openClock opens a fresh database whose clock is a fake clock starting at t0.
func openClock(tb testing.TB) (*store.DB, *fakeClock) {
	tb.Helper()
	clk := newClock(t0)
	return mustOpen(tb, store.Options{Now: clk.Now, Owner: "tester"}), clk
}

// dump renders every row of every ordinary table (search tables excluded), in a stable
// order, so a test can compare the whole database before and after a call.
func dump(tb testing.TB, db *store.DB) string {
	tb.Helper()
	ctx := context.Background()
	rows, err := db.SQL().QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE '%\_fts%' ESCAPE '\' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
	if err != nil {
		tb.Fatalf("dump: %v", err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			tb.Fatalf("dump: %v", err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	if len(tables) < 10 {
		tb.Fatalf("dump: only %d tables: %v", len(tables), tables)
	}
	var b strings.Builder
	for _, table := range tables {
		fmt.Fprintf(&b, "== %s\n", table)
		b.WriteString(dumpQuery(tb, db, "SELECT * FROM "+table))
	}
	return b.String()
}

// dumpQuery renders the rows of q ordered by every column.
func dumpQuery(tb testing.TB, db *store.DB, q string) string {
	tb.Helper()
	rows, err := db.SQL().Query(q + " LIMIT 0")
	if err != nil {
		tb.Fatalf("dump %q: %v", q, err)
	}
	cols, _ := rows.Columns()
	rows.Close()
	order := make([]string, len(cols))
	for i := range cols {
		order[i] = fmt.Sprint(i + 1)
	}
	rows, err = db.SQL().Query(q + " ORDER BY " + strings.Join(order, ", "))
	if err != nil {
		tb.Fatalf("dump %q: %v", q, err)
	}
	defer rows.Close()
	var b strings.Builder
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			tb.Fatalf("dump %q: %v", q, err)
		}
		for i, v := range vals {
			if i > 0 {
				b.WriteString(" | ")
			}
			if bs, ok := v.([]byte); ok {
				v = string(bs)
			}
			fmt.Fprintf(&b, "%s=%v", cols[i], v)
		}
		b.WriteByte('\n')
	}
	if err := rows.Err(); err != nil {
		tb.Fatalf("dump %q: %v", q, err)
	}
	return b.String()
}

// assertUnchanged fails when the database differs from the dump before.
func assertUnchanged(tb testing.TB, db *store.DB, before string) {
	tb.Helper()
	if after := dump(tb, db); after != before {
		tb.Errorf("database changed by a failed call:\n%s", diffLines(before, after))
	}
}

// diffLines lists the lines only in a (-) and only in b (+).
func diffLines(a, b string) string {
	in := func(s string) map[string]int {
		m := map[string]int{}
		for _, l := range strings.Split(s, "\n") {
			m[l]++
		}
		return m
	}
	ma, mb := in(a), in(b)
	var out strings.Builder
	for _, l := range strings.Split(a, "\n") {
		if mb[l] == 0 {
			fmt.Fprintf(&out, "- %s\n", l)
		}
	}
	for _, l := range strings.Split(b, "\n") {
		if ma[l] == 0 {
			fmt.Fprintf(&out, "+ %s\n", l)
		}
	}
	return out.String()
}

// wantErr fails unless err wraps want.
func wantErr(tb testing.TB, err, want error) {
	tb.Helper()
	if !errors.Is(err, want) {
		tb.Fatalf("err = %v, want %v", err, want)
	}
}

func noErr(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

func must[T any](tb testing.TB) func(T, error) T {
	return func(v T, err error) T {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
		return v
	}
}

func ptr[T any](v T) *T { return &v }

// scalar runs a query returning one value.
func scalar[T any](tb testing.TB, db *store.DB, q string, args ...any) T {
	tb.Helper()
	var v T
	if err := db.SQL().QueryRow(q, args...).Scan(&v); err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
	return v
}

// checkHealthy fails when db.Check finds anything.
func checkHealthy(tb testing.TB, db *store.DB) {
	tb.Helper()
	probs, err := db.Check(context.Background())
	if err != nil {
		tb.Fatalf("check: %v", err)
	}
	if len(probs) > 0 {
		tb.Fatalf("check found problems: %+v", probs)
	}
}

// opCounts returns how many ops and change groups the log holds.
func opCounts(tb testing.TB, db *store.DB) (ops, groups int) {
	tb.Helper()
	return scalar[int](tb, db, "SELECT count(*) FROM ops"), scalar[int](tb, db, "SELECT count(*) FROM op_groups")
}

// fixture is a small database with one of everything.
type fixture struct {
	db       *store.DB
	clk      *fakeClock
	company  *store.Company
	contact  *store.Contact
	deal     *store.Deal
	entry    *store.Interaction
	followUp *store.FollowUp
}

func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	ctx := context.Background()
	db, clk := openClock(tb)
	f := &fixture{db: db, clk: clk}
	f.company = must[*store.Company](tb)(db.CreateCompany(ctx, store.CompanyInput{Name: "Analytical Engines", Domain: "engines.example", Tags: []string{"partner"}}))
	f.contact = must[*store.Contact](tb)(db.CreateContact(ctx, store.ContactInput{
		Name: "Ada Lovelace", Title: "Countess", Company: f.company.ID,
		Emails: []store.Email{{Email: "ada@example.com", Label: "work"}},
		Phones: []store.Phone{{Phone: "+44 20 7946 0018", Label: "office"}},
		Tags:   []string{"vip"}, CadenceDays: 14, Notes: "Poetical science",
	}))
	f.deal = must[*store.Deal](tb)(db.CreateDeal(ctx, store.DealInput{Title: "Difference engine", ContactID: f.contact.ID, Value: 1_200_000, Currency: "GBP"}))
	f.entry = must[*store.Interaction](tb)(db.LogInteraction(ctx, store.InteractionInput{Kind: "call", Text: "Discussed the Bernoulli numbers", ContactID: f.contact.ID}))
	f.followUp = must[*store.FollowUp](tb)(db.AddFollowUp(ctx, store.FollowUpInput{Title: "Send the notes", DueAt: t0.Add(48 * time.Hour), ContactID: f.contact.ID}))
	return f
}

func TestOpen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		db := mustOpen(t, store.Options{Owner: "ada"})
		if db.Owner() != "ada" {
			t.Errorf("owner = %q", db.Owner())
		}
		if len(db.Device()) != 36 {
			t.Errorf("device = %q, want a UUID", db.Device())
		}
		stages := must[[]store.Stage](t)(db.Stages(ctx))
		want := store.DefaultStages()
		if len(stages) != len(want) {
			t.Fatalf("stages = %+v", stages)
		}
		for i, s := range stages {
			if s.Name != want[i].Name || s.Probability != want[i].Probability || s.RottingDays != want[i].RottingDays || s.Position != i {
				t.Errorf("stage %d = %+v, want %+v", i, s, want[i])
			}
		}
		if v := scalar[int](t, db, "PRAGMA user_version"); v != store.SchemaVersion() {
			t.Errorf("user_version = %d, want %d", v, store.SchemaVersion())
		}
		if m := scalar[string](t, db, "PRAGMA journal_mode"); m != "wal" {
			t.Errorf("journal_mode = %q", m)
		}
		if fk := scalar[int](t, db, "PRAGMA foreign_keys"); fk != 1 {
			t.Errorf("foreign_keys = %d", fk)
		}
		if ps := scalar[int](t, db, "PRAGMA page_size"); ps != 16384 {
			t.Errorf("page_size = %d, want 16384 for a new database", ps)
		}
		checkHealthy(t, db)
	})
	t.Run("KeepsPageSize", func(t *testing.T) {
		t.Parallel()
		// A database made before new ones got 16 KiB pages (an empty one, as a first
		// open interrupted after SQLite wrote its header) keeps its 4 KiB pages.
		path := filepath.Join(t.TempDir(), "rolo.db")
		sdb, err := sql.Open("sqlite", "file:"+path)
		noErr(t, err)
		for _, q := range []string{"PRAGMA page_size = 4096", "PRAGMA journal_mode = WAL"} {
			_, err := sdb.ExecContext(ctx, q)
			noErr(t, err)
		}
		noErr(t, sdb.Close())
		db := mustOpenPath(t, path)
		if ps := scalar[int](t, db, "PRAGMA page_size"); ps != 4096 {
			t.Errorf("page_size = %d, want the file's own 4096", ps)
		}
		must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{Name: "Ada"}))
		checkHealthy(t, db)
	})
	t.Run("CustomStages", func(t *testing.T) {
		t.Parallel()
		db := mustOpen(t, store.Options{Stages: []store.StageSpec{{"Intro", 5, 7}, {"Demo", 40, 0}}, Currency: "eur", Visibility: "private"})
		stages := must[[]store.Stage](t)(db.Stages(ctx))
		if len(stages) != 2 || stages[0].Name != "Intro" || stages[1].RottingDays != 0 {
			t.Fatalf("stages = %+v", stages)
		}
		d := must[*store.Deal](t)(db.CreateDeal(ctx, store.DealInput{Title: "x", Value: 5}))
		if d.Value.Currency != "EUR" || d.Visibility != "private" || d.Stage != "Intro" {
			t.Errorf("deal defaults = %+v", d)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct {
			name string
			opts store.Options
		}{
			{"visibility", store.Options{Visibility: "public"}},
			{"currency", store.Options{Currency: "XYZ"}},
			{"stage without name", store.Options{Stages: []store.StageSpec{{"", 10, 1}}}},
			{"stage probability", store.Options{Stages: []store.StageSpec{{"A", 101, 1}}}},
			{"stage rotting", store.Options{Stages: []store.StageSpec{{"A", 10, -1}}}},
			{"stage twice", store.Options{Stages: []store.StageSpec{{"A", 10, 1}, {"a", 20, 1}}}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := store.Open(ctx, filepath.Join(t.TempDir(), "rolo.db"), tc.opts)
				wantErr(t, err, store.ErrInvalid)
			})
		}
		_, err := store.Open(ctx, "", store.Options{})
		wantErr(t, err, store.ErrInvalid)
	})
	t.Run("Accessors", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "rolo.db")
		clk := newClock(time.Date(2026, 1, 1, 12, 0, 0, 0, time.FixedZone("X", 3600)))
		db := mustOpenPath(t, path, store.Options{Now: clk.Now})
		if db.Path() != path {
			t.Errorf("path = %q", db.Path())
		}
		if got := db.Now(); got.Location() != time.UTC || !got.Equal(clk.Now()) {
			t.Errorf("now = %v", got)
		}
		if !strings.Contains(store.DSN(path), "_txlock=immediate") {
			t.Errorf("DSN = %q", store.DSN(path))
		}
	})
}

// TestOpen_OddPath opens a database whose path needs escaping in a URI.
func TestOpen_OddPath(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, name := range []string{"my rolo.db", "a#b.db", "what?.db", "100%.db", "zoë.db"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "dir with space")
			noErr(t, mkdir(dir))
			path := filepath.Join(dir, name)
			db := mustOpenPath(t, path)
			must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{Name: "Ada"}))
			db.Close()
			if !fileExists(path) {
				t.Fatalf("%s was not created; dir holds %v", path, listDir(t, dir))
			}
			db2 := mustOpenPath(t, path)
			if n := must[store.Counts](t)(db2.Count(ctx)).Contacts; n != 1 {
				t.Errorf("contacts after reopen = %d", n)
			}
		})
	}
}

func mkdir(dir string) error { return os.MkdirAll(dir, 0o755) }

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func listDir(tb testing.TB, dir string) []string {
	tb.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func must2[T, U any](tb testing.TB) func(T, U, error) (T, U) {
	return func(v T, u U, err error) (T, U) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
		return v, u
	}
}
