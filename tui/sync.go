package tui

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/rolo-crm/rolo/tui/common"
)

// Syncer is what the TUI needs of team sync. cmd adapts the sync client to it, so the
// TUI does not depend on the client (dependencies point inward); tests plug a fake.
type Syncer interface {
	// SyncNow pushes this device's unsent changes and pulls everyone else's.
	SyncNow(ctx context.Context) (SyncReport, error)
	// Status reports the sync state and whether the server answers.
	Status(ctx context.Context) (SyncStatus, error)
}

// SyncReport says what one sync moved.
type SyncReport struct {
	Pushed    int  // local changes the server acknowledged
	Parked    int  // local changes the server refused (kept with their reason)
	Pulled    int  // changes received
	Applied   int  // of those, changes applied
	Hidden    int  // records removed because they turned private
	Shown     int  // records received whole
	Conflicts int  // conflict records received
	Resynced  bool // the server's log changed; everything was exchanged again
}

// changedLocal reports whether the sync wrote anything the screens show.
func (r SyncReport) changedLocal() bool {
	return r.Pulled > 0 || r.Applied > 0 || r.Hidden > 0 || r.Shown > 0 || r.Conflicts > 0 || r.Resynced
}

// SyncStatus is the sync state as the status bar shows it.
type SyncStatus struct {
	Server    string
	Online    bool // the server answered its health check
	LastSync  time.Time
	LastError string
}

// ErrOffline marks a sync that failed because the server could not be reached; the
// Syncer wraps such errors with it. The TUI then shows "offline" and retries later.
var ErrOffline = errors.New("offline")

// Sync timing.
const (
	// syncDebounce is how long after an edit the background sync waits, so a burst of
	// edits syncs once.
	syncDebounce = 2 * time.Second
	// syncTimeout bounds one sync.
	syncTimeout = 2 * time.Minute
	// retryFirst and retryMax bound the retry delay after a network error (doubling).
	retryFirst = time.Minute
	retryMax   = 15 * time.Minute
)

// notSetUp is what S says when sync is not configured.
const notSetUp = "sync is not set up: rolo sync join URL CODE"

// syncState is the root's view of background sync. One sync runs at a time; a request
// while one runs is remembered once and starts when it ends.
type syncState struct {
	running, queued bool
	seq             int // id of the latest sync started
	debounce        int // id of the latest debounce tick: only it syncs
	retryGen        int // id of the latest retry tick: a sync that ends cancels older ones
	fails           int // network failures in a row
	retryIn         time.Duration

	haveStatus bool // a Status answer or a sync result arrived
	online     bool
	offline    bool      // the last sync could not reach the server
	errText    string    // the last sync failed for another reason
	lastAt     time.Time // when the last sync ended well
	up, down   int       // what it pushed and pulled

	pending, conflicts int // from the store, with the status counts
}

type (
	syncDoneMsg struct {
		seq int
		rep SyncReport
		err error
		at  time.Time
	}
	syncStatusMsg struct {
		st  SyncStatus
		err error
	}
	syncDebounceMsg struct{ seq int }
	syncTickMsg     struct{}
	syncRetryMsg    struct{ gen int }
)

// defaultTick is tea.Tick delivering a fixed message.
func defaultTick(d time.Duration, msg tea.Msg) tea.Cmd {
	return tea.Tick(d, func(time.Time) tea.Msg { return msg })
}

// syncInit is the sync part of Init: ask the status, start the interval and, with
// automatic sync, sync once now.
func (a *App) syncInit() tea.Cmd {
	s := a.opts.Sync
	if s == nil {
		return nil
	}
	ctx := a.c.Ctx
	cmds := []tea.Cmd{func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		st, err := s.Status(ctx)
		return syncStatusMsg{st: st, err: err}
	}}
	if a.opts.SyncInterval > 0 {
		cmds = append(cmds, a.tick(a.opts.SyncInterval, syncTickMsg{}))
	}
	if a.opts.SyncAuto {
		cmds = append(cmds, a.startSync())
	}
	return tea.Batch(cmds...)
}

// startSync runs a sync now, or once after the running one.
func (a *App) startSync() tea.Cmd {
	s := a.opts.Sync
	if s == nil {
		return nil
	}
	if a.sync.running {
		a.sync.queued = true
		return nil
	}
	a.sync.running = true
	a.sync.seq++
	seq, ctx, now := a.sync.seq, a.c.Ctx, a.c.Now
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, syncTimeout)
		defer cancel()
		rep, err := s.SyncNow(ctx)
		return syncDoneMsg{seq: seq, rep: rep, err: err, at: now()}
	}
}

// afterEdit schedules the debounced sync that follows a local change.
func (a *App) afterEdit() tea.Cmd {
	if a.opts.Sync == nil || !a.opts.SyncAuto {
		return nil
	}
	a.sync.debounce++
	return a.tick(syncDebounce, syncDebounceMsg{seq: a.sync.debounce})
}

// syncUpdate handles the sync messages; ok is false for any other message.
func (a *App) syncUpdate(msg tea.Msg) (cmd tea.Cmd, ok bool) {
	switch msg := msg.(type) {
	case syncStatusMsg:
		if msg.err == nil && !a.sync.haveStatus {
			a.sync.haveStatus = true
			a.sync.online = msg.st.Online
			a.sync.lastAt = msg.st.LastSync
		}
		return nil, true
	case syncDebounceMsg:
		if msg.seq != a.sync.debounce {
			return nil, true // a later edit rescheduled it
		}
		return a.startSync(), true
	case syncTickMsg:
		return tea.Batch(a.tick(a.opts.SyncInterval, syncTickMsg{}), a.startSync()), true
	case syncRetryMsg:
		if msg.gen != a.sync.retryGen || !a.sync.offline {
			return nil, true
		}
		return a.startSync(), true
	case syncDoneMsg:
		return a.syncDone(msg), true
	}
	return nil, false
}

func (a *App) syncDone(msg syncDoneMsg) tea.Cmd {
	if msg.seq != a.sync.seq {
		return nil
	}
	s := &a.sync
	s.running = false
	s.haveStatus = true
	s.retryGen++ // a newer result: earlier retries are moot
	var cmds []tea.Cmd
	switch {
	case msg.err != nil && isOffline(msg.err):
		s.online, s.offline, s.errText = false, true, ""
		s.fails++
		s.retryIn = min(retryFirst<<min(s.fails-1, 8), retryMax)
		cmds = append(cmds, a.tick(s.retryIn, syncRetryMsg{gen: s.retryGen}))
	case msg.err != nil:
		s.online, s.offline, s.errText = true, false, common.ErrText(msg.err)
		s.fails = 0
		a.setStatus("sync: "+s.errText, true)
	default:
		s.online, s.offline, s.errText, s.fails = true, false, "", 0
		s.lastAt, s.up, s.down = msg.at, msg.rep.Pushed, msg.rep.Pulled
	}
	if msg.err == nil && msg.rep.changedLocal() {
		status := ""
		if n := msg.rep.Conflicts; n > 0 {
			status = fmt.Sprintf("Sync: %s · C reviews", plural(n, "new conflict", "new conflicts"))
		}
		// The screens reload what the pull changed; this is no local edit, so it does
		// not schedule another sync.
		cmds = append(cmds, a.changed(common.ChangedMsg{Status: status}))
	} else {
		cmds = append(cmds, a.loadCounts()) // the pending count moved
	}
	if s.queued {
		s.queued = false
		cmds = append(cmds, a.startSync())
	}
	return tea.Batch(cmds...)
}

// isOffline reports whether err means the server could not be reached.
func isOffline(err error) bool {
	var ue *url.Error
	var ne net.Error
	return errors.Is(err, ErrOffline) || errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ue) || errors.As(err, &ne)
}

// syncKey is S: sync now, or say how to set sync up.
func (a *App) syncKey() tea.Cmd {
	if a.opts.Sync == nil {
		a.setStatus(notSetUp, false)
		return nil
	}
	if a.sync.running {
		a.sync.queued = true
		a.setStatus("Syncing… (another sync follows)", false)
		return nil
	}
	return a.startSync()
}

// syncSegments are the status bar's sync figures, most important first: the state,
// then the pending changes and the open conflicts when there are any. Without a
// Syncer only the conflicts show (they are local data).
func (a *App) syncSegments() []string {
	st := a.c.Styles
	s := a.sync
	var out []string
	if a.opts.Sync != nil {
		switch {
		case s.running:
			out = append(out, st.Subtle.Render("syncing…"))
		case s.offline:
			out = append(out, st.Warning.Render("offline (retrying in "+shortDur(s.retryIn)+")"))
		case s.errText != "":
			out = append(out, st.Danger.Render("sync failed"))
		case !s.lastAt.IsZero() && (s.up > 0 || s.down > 0):
			out = append(out, st.Success.Render("synced "+s.lastAt.In(a.c.Loc).Format("15:04"))+
				st.Subtle.Render(fmt.Sprintf(" · ↑%d ↓%d", s.up, s.down)))
		case !s.lastAt.IsZero():
			out = append(out, st.Success.Render("synced "+s.lastAt.In(a.c.Loc).Format("15:04")))
		case s.haveStatus && s.online:
			out = append(out, st.Success.Render("online"))
		case s.haveStatus:
			out = append(out, st.Warning.Render("offline"))
		}
		if s.pending > 0 {
			out = append(out, st.Subtle.Render(fmt.Sprintf("%s pending", thousands(s.pending))))
		}
	}
	if s.conflicts > 0 {
		out = append(out, st.Danger.Render(plural(s.conflicts, "conflict", "conflicts")))
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return thousands(n) + " " + many
}

// shortDur is a retry delay as the status bar shows it: "1m", "15m", "30s".
func shortDur(d time.Duration) string {
	switch {
	case d >= time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	case d >= time.Minute:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	return fmt.Sprintf("%ds", int(d.Seconds()))
}
