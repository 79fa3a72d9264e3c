package tui

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/tui/common"
	"github.com/rolo-crm/rolo/tui/internal/tuitest"
)

// fakeSyncer records its calls and answers from a script: each sync takes the next
// step (the last one repeats).
type fakeSyncer struct {
	calls  int
	steps  []syncStep
	status SyncStatus
	// deadline records whether each call had a deadline (syncs must time out).
	deadline []bool
}

type syncStep struct {
	rep SyncReport
	err error
	// do runs during the sync, as a pull writing to the database would.
	do func()
}

func (f *fakeSyncer) SyncNow(ctx context.Context) (SyncReport, error) {
	f.calls++
	_, ok := ctx.Deadline()
	f.deadline = append(f.deadline, ok)
	if len(f.steps) == 0 {
		return SyncReport{}, nil
	}
	s := f.steps[min(f.calls, len(f.steps))-1]
	if s.do != nil {
		s.do()
	}
	return s.rep, s.err
}

func (f *fakeSyncer) Status(context.Context) (SyncStatus, error) { return f.status, nil }

// ticks records the timers the app asks for instead of waiting for them; a test fires
// one by driving its message.
type ticks struct{ list []tick }

type tick struct {
	d   time.Duration
	msg tea.Msg
}

func (tk *ticks) tick(d time.Duration, msg tea.Msg) tea.Cmd {
	tk.list = append(tk.list, tick{d, msg})
	return nil
}

// last returns the latest timer of msg's type.
func (tk *ticks) last(t *testing.T, want tea.Msg) tick {
	t.Helper()
	for i := len(tk.list) - 1; i >= 0; i-- {
		if fmt.Sprintf("%T", tk.list[i].msg) == fmt.Sprintf("%T", want) {
			return tk.list[i]
		}
	}
	t.Fatalf("no %T timer in %v", want, tk.list)
	return tick{}
}

// newSyncApp is newApp with a fake Syncer and recorded timers.
func newSyncApp(t *testing.T, w, h int, f *fakeSyncer, opts Options) (*App, *store.DB, *ticks) {
	t.Helper()
	db := tuitest.Open(t)
	fixture = tuitest.Seed(t, db)
	opts.NoColor = true
	if f != nil {
		opts.Sync = f
	}
	a := New(tuitest.Common(), db, opts)
	tk := &ticks{}
	a.tick = tk.tick
	tuitest.Drive(t, root{a}, tea.WindowSizeMsg{Width: w, Height: h})
	tuitest.Run(t, root{a}, a.Init())
	return a, db, tk
}

// fixture is the seed of the latest newSyncApp.
var fixture tuitest.Fixture

// bar is the app's last line.
func bar(t *testing.T, a *App) string {
	t.Helper()
	lines := strings.Split(plain(t, a), "\n")
	return lines[len(lines)-1]
}

func TestSync_NotSetUp(t *testing.T) {
	a, _, _ := newSyncApp(t, 80, 24, nil, Options{})
	keys(t, a, "S")
	if a.status != notSetUp {
		t.Fatalf("status = %q", a.status)
	}
	if b := bar(t, a); strings.Contains(b, "pending") || strings.Contains(b, "synced") || strings.Contains(b, "online") {
		t.Fatalf("sync figures without sync: %q", bar(t, a))
	}
}

func TestSync_KeySyncsOnce(t *testing.T) {
	f := &fakeSyncer{status: SyncStatus{Online: true}, steps: []syncStep{{rep: SyncReport{Pushed: 3, Pulled: 5}}}}
	a, db, _ := newSyncApp(t, 80, 24, f, Options{})
	if f.calls != 0 {
		t.Fatalf("synced %d times without SyncAuto", f.calls)
	}
	if b := bar(t, a); !strings.Contains(b, "online") || !strings.Contains(b, "pending") {
		t.Fatalf("before the first sync the bar shows %q; want online and the seed's pending changes", b)
	}
	n, err := db.PendingCount(context.Background())
	if err != nil || n == 0 {
		t.Fatalf("pending %d %v", n, err)
	}
	if !strings.Contains(bar(t, a), fmt.Sprintf("%d pending", n)) {
		t.Fatalf("bar %q lacks %d pending", bar(t, a), n)
	}
	keys(t, a, "S")
	if f.calls != 1 || !f.deadline[0] {
		t.Fatalf("S: %d syncs (deadline %v), want 1 with a deadline", f.calls, f.deadline)
	}
	if b := bar(t, a); !strings.Contains(b, "synced 15:00 · ↑3 ↓5") {
		t.Fatalf("bar after sync: %q", b)
	}
}

func TestSync_OneAtATime(t *testing.T) {
	f := &fakeSyncer{}
	a, _, _ := newSyncApp(t, 80, 24, f, Options{})
	first := a.update(tuitest.Key("S")) // the sync is running: its command has not returned
	if first == nil || !a.sync.running {
		t.Fatal("S did not start a sync")
	}
	if !strings.Contains(bar(t, a), "syncing…") {
		t.Fatalf("bar while syncing: %q", bar(t, a))
	}
	// Two more requests while it runs make one more sync, after it.
	if cmd := a.update(tuitest.Key("S")); cmd != nil {
		t.Fatal("a second S started a second sync at once")
	}
	if cmd := a.update(common.ChangedMsg{}); cmd == nil {
		t.Fatal("ChangedMsg returned no command")
	}
	a.opts.SyncAuto = true
	tuitest.Drive(t, root{a}, syncDebounceMsg{seq: a.afterEditSeqForTest()})
	if f.calls != 0 {
		t.Fatalf("%d syncs ran while one was in flight", f.calls)
	}
	tuitest.Run(t, root{a}, first)
	if f.calls != 2 {
		t.Fatalf("syncs = %d, want the running one and one queued", f.calls)
	}
	if a.sync.running || a.sync.queued {
		t.Fatalf("state after: %+v", a.sync)
	}
}

// afterEditSeqForTest schedules a debounce like an edit does and returns its id.
func (a *App) afterEditSeqForTest() int {
	a.afterEdit()
	return a.sync.debounce
}

func TestSync_EditDebounced(t *testing.T) {
	f := &fakeSyncer{}
	a, _, tk := newSyncApp(t, 80, 24, f, Options{SyncAuto: true})
	if f.calls != 1 {
		t.Fatalf("SyncAuto: %d syncs at start, want 1", f.calls)
	}
	// Two edits in a row (x completes the overdue follow-up, then undo): one sync, after
	// the last one's debounce.
	keys(t, a, "x")
	d1 := tk.last(t, syncDebounceMsg{})
	keys(t, a, "u")
	d2 := tk.last(t, syncDebounceMsg{})
	if d1.d != syncDebounce || d2.msg == d1.msg {
		t.Fatalf("debounce timers %+v %+v", d1, d2)
	}
	tuitest.Drive(t, root{a}, d1.msg)
	if f.calls != 1 {
		t.Fatalf("a superseded debounce synced (%d)", f.calls)
	}
	tuitest.Drive(t, root{a}, d2.msg)
	if f.calls != 2 {
		t.Fatalf("the debounce did not sync (%d)", f.calls)
	}
	// Without SyncAuto an edit does not sync.
	a.opts.SyncAuto = false
	n := len(tk.list)
	keys(t, a, "x")
	if len(tk.list) != n {
		t.Fatalf("an edit scheduled a sync without SyncAuto: %v", tk.list[n:])
	}
}

func TestSync_Interval(t *testing.T) {
	f := &fakeSyncer{}
	a, _, tk := newSyncApp(t, 80, 24, f, Options{SyncInterval: 5 * time.Minute})
	it := tk.last(t, syncTickMsg{})
	if it.d != 5*time.Minute || f.calls != 0 {
		t.Fatalf("interval timer %+v, calls %d", it, f.calls)
	}
	n := len(tk.list)
	tuitest.Drive(t, root{a}, it.msg)
	if f.calls != 1 || len(tk.list) != n+1 {
		t.Fatalf("the interval tick: %d syncs, timers %v", f.calls, tk.list[n:])
	}
}

func TestSync_OfflineRetries(t *testing.T) {
	netErr := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	f := &fakeSyncer{steps: []syncStep{
		{err: fmt.Errorf("%w: %w", ErrOffline, netErr)},
		{err: netErr},
		{rep: SyncReport{Pushed: 1}},
	}}
	a, _, tk := newSyncApp(t, 80, 24, f, Options{})
	keys(t, a, "S")
	if b := bar(t, a); !strings.Contains(b, "offline (retrying in 1m)") {
		t.Fatalf("bar after a network error: %q", b)
	}
	r := tk.last(t, syncRetryMsg{})
	if r.d != time.Minute {
		t.Fatalf("retry in %v", r.d)
	}
	tuitest.Drive(t, root{a}, r.msg)
	if f.calls != 2 || !strings.Contains(bar(t, a), "offline (retrying in 2m)") {
		t.Fatalf("retry: %d syncs, bar %q", f.calls, bar(t, a))
	}
	// A manual sync that works cancels the pending retry.
	r2 := tk.last(t, syncRetryMsg{})
	keys(t, a, "S")
	if !strings.Contains(bar(t, a), "synced 15:00 · ↑1 ↓0") {
		t.Fatalf("bar after recovering: %q", bar(t, a))
	}
	tuitest.Drive(t, root{a}, r2.msg)
	if f.calls != 3 {
		t.Fatalf("a stale retry synced: %d", f.calls)
	}
}

func TestSync_Failed(t *testing.T) {
	f := &fakeSyncer{steps: []syncStep{{err: errors.New("the server refused this device's token")}}}
	a, _, tk := newSyncApp(t, 80, 24, f, Options{})
	keys(t, a, "S")
	if !a.statErr || !strings.Contains(a.status, "refused") || !strings.Contains(bar(t, a), "sync failed") {
		t.Fatalf("status %q, bar %q", a.status, bar(t, a))
	}
	for _, tc := range tk.list {
		if _, ok := tc.msg.(syncRetryMsg); ok {
			t.Fatal("a refused token is retried")
		}
	}
}

// A sync that pulls changes makes the screens reload: the pulled contact shows.
func TestSync_PullReloads(t *testing.T) {
	f := &fakeSyncer{}
	a, db, _ := newSyncApp(t, 80, 24, f, Options{})
	f.steps = []syncStep{{rep: SyncReport{Pulled: 1, Applied: 1}, do: func() {
		if _, err := db.CreateContact(context.Background(), store.ContactInput{Name: "Aaron Pulled"}); err != nil {
			t.Error(err)
		}
	}}}
	keys(t, a, "2")
	if strings.Contains(plain(t, a), "Aaron Pulled") {
		t.Fatal("shown before the sync")
	}
	keys(t, a, "S")
	if v := plain(t, a); !strings.Contains(v, "Aaron Pulled") || !strings.Contains(v, "5 contacts") {
		t.Fatalf("the pull did not reload the screen and counts:\n%s", v)
	}
	// Conflicts received are announced.
	f.steps = []syncStep{{rep: SyncReport{Pulled: 1, Conflicts: 2}}}
	keys(t, a, "S")
	if a.status != "Sync: 2 new conflicts · C reviews" {
		t.Fatalf("status %q", a.status)
	}
}

func TestSync_StatusBarGolden(t *testing.T) {
	for _, size := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		t.Run(itoa(size.w), func(t *testing.T) {
			f := &fakeSyncer{steps: []syncStep{{rep: SyncReport{Pushed: 3, Pulled: 5}}}}
			a, db, _ := newSyncApp(t, size.w, size.h, f, Options{})
			keys(t, a, "S")
			tuitest.Conflict(t, db, tuitest.ConflictOpts{Entity: store.EntityContact, EntityID: fixture.Ann, Field: "title",
				Winner: `"Buyer"`, Loser: `"Head of Buying"`, WinnerUser: "ann", LoserUser: "bob", At: tuitest.Now.Add(-time.Hour)})
			keys(t, a, "x") // an edit: pending grows, the counts reload
			tuitest.Golden(t, "sync_status_"+itoa(size.w)+"x"+itoa(size.h), plain(t, a))
			if b := bar(t, a); !strings.Contains(b, "synced 15:00 · ↑3 ↓5") || !strings.Contains(b, "1 conflict") ||
				!strings.Contains(b, "pending") {
				t.Fatalf("bar %q", b)
			}
		})
	}
}
