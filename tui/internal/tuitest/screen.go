package tuitest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/tui/common"
)

// Screen is a screen as the tests build it: it loads in Init and lays out in SetSize.
type Screen interface {
	Model
	Init() tea.Cmd
	SetSize(w, h int)
}

// Setup opens a database seeded with the fixed data set, builds a screen over it with
// newScreen (a screen package's New), sizes it 80×21 (the root's body at 80×24) and
// runs its first load.
func Setup[S Screen](tb testing.TB, newScreen func(common.Common, *store.DB) S) (S, *store.DB, Fixture) {
	tb.Helper()
	db := Open(tb)
	f := Seed(tb, db)
	m := newScreen(Common(), db)
	m.SetSize(80, 21)
	Run(tb, m, m.Init())
	return m, db, f
}

// Press sends each of keys in turn (a key name such as "enter", "ctrl+u" or "x", or
// text to type) and returns what the last one produced.
func Press(tb testing.TB, m Model, keys ...string) *Out {
	tb.Helper()
	var out *Out
	for _, k := range keys {
		out = Drive(tb, m, Keys(k)...)
	}
	return out
}

// Clock is a clock a test can set, shared by a store and the screen over it.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock that reads t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now reads the clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// Must wraps a call that returns a value and an error, failing tb on the error:
// Must[*store.Deal](t)(db.FindDealByID(ctx, id)).
func Must[T any](tb testing.TB) func(T, error) T {
	return func(v T, err error) T {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
		return v
	}
}

// Plain is view without ANSI styles, after failing tb unless it is exactly w cells
// wide on every line and h lines high.
func Plain(tb testing.TB, view string, w, h int) string {
	tb.Helper()
	v := ansi.Strip(view)
	lines := strings.Split(v, "\n")
	if len(lines) != h {
		tb.Fatalf("view has %d lines, want %d:\n%s", len(lines), h, v)
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw != w {
			tb.Fatalf("line %d is %d cells wide, want %d: %q", i+1, lw, w, l)
		}
	}
	return v
}

// StandardDB opens the standard data set of the benchmarks (`rolo demo --contacts
// 100000 --seed 1`, 20,000 deals of which 13,833 open), copied to .bench/ at the top
// of the repository (or at $ROLO_BENCH_DB), at the data set's "now". It skips the
// benchmark when the file is not there. Call it from a package two levels down
// (tui/pipeline, tui/reports).
func StandardDB(b *testing.B) *store.DB {
	b.Helper()
	path := os.Getenv("ROLO_BENCH_DB")
	if path == "" {
		path = filepath.Join("..", "..", ".bench", "standard.db")
	}
	if _, err := os.Stat(path); err != nil {
		b.Skipf("no standard data set at %s (see store/bench_test.go)", path)
	}
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	db, err := store.Open(context.Background(), path, store.Options{Now: func() time.Time { return now }, NoBackup: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}
