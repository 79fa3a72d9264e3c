package store_test

import (
	"context"
	"math"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"
	"testing/quick"
	"time"

	"github.com/rolo-crm/rolo/store"
)

func TestHLC_Next(t *testing.T) {
	t.Parallel()
	t.Run("WallAhead", func(t *testing.T) {
		h := store.MakeHLC(1000, 7)
		got := h.Next(time.UnixMilli(2000))
		if got != store.MakeHLC(2000, 0) {
			t.Errorf("Next = %d/%d, want 2000/0", got.Millis(), got.Counter())
		}
	})
	t.Run("SameMillisecond", func(t *testing.T) {
		h := store.MakeHLC(1000, 7)
		got := h.Next(time.UnixMilli(1000))
		if got.Millis() != 1000 || got.Counter() != 8 {
			t.Errorf("Next = %d/%d, want 1000/8", got.Millis(), got.Counter())
		}
	})
	t.Run("WallBehind", func(t *testing.T) {
		h := store.MakeHLC(5000, 0)
		got := h.Next(time.UnixMilli(1000))
		if got.Millis() != 5000 || got.Counter() != 1 {
			t.Errorf("Next = %d/%d, want 5000/1", got.Millis(), got.Counter())
		}
	})
	t.Run("CounterOverflow", func(t *testing.T) {
		h := store.MakeHLC(5000, math.MaxUint16)
		got := h.Next(time.UnixMilli(5000))
		if got <= h {
			t.Errorf("Next after a full counter = %d, not after %d", got, h)
		}
	})
	t.Run("ManyCallsClockGoingBackwards", func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		wall := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		var h store.HLC
		for i := range 100_000 {
			// mostly forward in small steps, sometimes a jump back of up to an hour
			switch r.IntN(10) {
			case 0:
				wall = wall.Add(-time.Duration(r.Int64N(int64(time.Hour))))
			case 1, 2, 3:
				// the same millisecond
			default:
				wall = wall.Add(time.Duration(r.Int64N(int64(3 * time.Millisecond))))
			}
			next := h.Next(wall)
			if next <= h {
				t.Fatalf("call %d: Next(%v) = %d, not after %d", i, wall, next, h)
			}
			if next.Millis() < wall.UnixMilli() {
				t.Fatalf("call %d: Next = %v, behind the wall clock %v", i, next.Time(), wall)
			}
			h = next
		}
	})
}

func TestHLC_Observe(t *testing.T) {
	t.Parallel()
	now := time.UnixMilli(10_000)
	local := store.MakeHLC(10_000, 3)
	for _, tc := range []struct {
		name   string
		remote store.HLC
	}{
		{"FarAhead", store.MakeHLC(10_000+int64(24*time.Hour/time.Millisecond), 9)},
		{"SameMillisLargerCounter", store.MakeHLC(10_000, 500)},
		{"Behind", store.MakeHLC(1, 0)},
		{"Equal", local},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := local.Observe(tc.remote, now)
			if got <= tc.remote || got <= local {
				t.Errorf("Observe(%d) = %d, not past both %d and %d", tc.remote, got, tc.remote, local)
			}
			if next := got.Next(now); next <= got {
				t.Errorf("Next after Observe went backwards")
			}
		})
	}
}

func TestHLC_String(t *testing.T) {
	t.Parallel()
	for _, h := range []store.HLC{0, 1, store.MakeHLC(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC).UnixMilli(), 42), math.MaxUint64} {
		got, err := store.ParseHLC(h.String())
		if err != nil || got != h {
			t.Errorf("ParseHLC(%q) = %d, %v; want %d", h.String(), got, err, h)
		}
	}
	h := store.MakeHLC(1_700_000_000_123, 5)
	if h.Time() != time.UnixMilli(1_700_000_000_123).UTC() || h.Counter() != 5 {
		t.Errorf("parts of %d: %v %d", h, h.Time(), h.Counter())
	}
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, s := range []string{"", "-1", "abc", "1.5", " 1", "18446744073709551616"} {
			if _, err := store.ParseHLC(s); err == nil {
				t.Errorf("ParseHLC(%q) succeeded", s)
			}
		}
	})
}

// TestHLC_Property checks, over random sequences of local events and received clocks with a
// wall clock that jumps about, that the clock only ever moves forward and always past what it
// received.
func TestHLC_Property(t *testing.T) {
	t.Parallel()
	type step struct {
		WallDeltaMs int32 // may be negative: the wall clock is set back
		Remote      uint64
		Receive     bool
	}
	prop := func(start uint32, steps []step) bool {
		wall := int64(start) * 1000
		h := store.MakeHLC(wall, 0)
		for _, s := range steps {
			wall += int64(s.WallDeltaMs)
			if wall < 0 {
				wall = 0
			}
			now := time.UnixMilli(wall)
			var next store.HLC
			if s.Receive {
				remote := store.HLC(s.Remote >> 2) // keep clear of overflow at the top
				next = h.Observe(remote, now)
				if next <= remote {
					return false
				}
			} else {
				next = h.Next(now)
			}
			if next <= h || next.Millis() < wall {
				return false
			}
			if p, err := store.ParseHLC(next.String()); err != nil || p != next {
				return false
			}
			h = next
		}
		return true
	}
	if err := quick.Check(prop, &quick.Config{MaxCount: 2000}); err != nil {
		t.Error(err)
	}
}

// opClocks returns every op's clock in log order.
func opClocks(tb testing.TB, db *store.DB) []store.HLC {
	tb.Helper()
	rows, err := db.SQL().Query("SELECT hlc FROM ops ORDER BY seq")
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []store.HLC
	for rows.Next() {
		var h int64
		if err := rows.Scan(&h); err != nil {
			tb.Fatal(err)
		}
		out = append(out, store.HLC(h))
	}
	return out
}

func assertIncreasing(tb testing.TB, hs []store.HLC) {
	tb.Helper()
	for i := 1; i < len(hs); i++ {
		if hs[i] <= hs[i-1] {
			tb.Fatalf("op %d has clock %d, not after op %d's %d", i+1, hs[i], i, hs[i-1])
		}
	}
}

// TestDB_Clock checks the clock through the database: it survives a restart with the wall
// clock set back, and two handles on one file never issue the same reading.
func TestDB_Clock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("SurvivesReopenWithClockSetBack", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "rolo.db")
		clk := newClock(t0)
		db, err := store.Open(ctx, path, store.Options{Now: clk.Now})
		noErr(t, err)
		for i := range 5 {
			clk.Add(time.Second)
			_, err := db.CreateContact(ctx, store.ContactInput{Name: "Person " + string(rune('A'+i))})
			noErr(t, err)
		}
		before := opClocks(t, db)
		noErr(t, db.Close())

		clk.Set(t0.Add(-time.Hour)) // an hour before every earlier op
		db = mustOpenPath(t, path, store.Options{Now: clk.Now})
		c := must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{Name: "After Restart"}))
		after := opClocks(t, db)
		if len(after) != len(before)+1 {
			t.Fatalf("%d ops, want %d", len(after), len(before)+1)
		}
		assertIncreasing(t, after)
		if last := after[len(after)-1]; last.Millis() < t0.UnixMilli() {
			t.Errorf("clock after restart %v fell back towards the wall clock", last.Time())
		}
		if rec := scalar[int64](t, db, "SELECT hlc FROM contacts WHERE id = ?", c.ID); store.HLC(rec) != after[len(after)-1] {
			t.Errorf("record clock %d, op clock %d", rec, after[len(after)-1])
		}
		stored := must[store.HLC](t)(store.ParseHLC(scalar[string](t, db, "SELECT value FROM meta WHERE key = 'hlc'")))
		if stored != after[len(after)-1] {
			t.Errorf("meta clock %d, last op %d", stored, after[len(after)-1])
		}
	})
	t.Run("TwoHandlesAlternating", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "rolo.db")
		ahead, behind := newClock(t0), newClock(t0.Add(-time.Hour))
		a := mustOpenPath(t, path, store.Options{Now: ahead.Now})
		b := mustOpenPath(t, path, store.Options{Now: behind.Now})
		if a.Device() != b.Device() {
			t.Errorf("two handles on one file have devices %s and %s", a.Device(), b.Device())
		}
		for i := range 20 {
			db := a
			if i%2 == 1 {
				db = b
			}
			c := must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{Name: "Alternating Writer"}))
			must[*store.Contact](t)(db.UpdateContact(ctx, c.ID, store.ContactUpdate{Title: ptr("T")}))
		}
		assertIncreasing(t, opClocks(t, a))
		checkHealthy(t, a)
	})
	t.Run("TwoHandlesConcurrent", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "rolo.db")
		a := mustOpenPath(t, path, store.Options{Now: newClock(t0).Now})
		b := mustOpenPath(t, path, store.Options{Now: newClock(t0.Add(-time.Hour)).Now})
		var wg sync.WaitGroup
		errs := make(chan error, 2)
		for _, db := range []*store.DB{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 15 {
					if _, err := db.CreateContact(ctx, store.ContactInput{Name: "Concurrent Writer"}); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		hs := opClocks(t, a)
		if len(hs) != 30 {
			t.Fatalf("%d ops, want 30", len(hs))
		}
		assertIncreasing(t, hs)
	})
}
