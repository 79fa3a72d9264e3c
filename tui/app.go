// Package tui is rolo's full-screen interface: the root model App, which draws the tab
// bar, the active screen and the status bar, owns the global keys (quit, help, the
// command palette, undo, suspend) and routes messages between the screens. Each
// screen lives in its own package (tui/today, tui/contacts, tui/followups…) and
// implements common.Screen.
package tui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/tui/common"
	"github.com/rolo-crm/rolo/tui/conflicts"
	"github.com/rolo-crm/rolo/tui/contacts"
	"github.com/rolo-crm/rolo/tui/dupes"
	"github.com/rolo-crm/rolo/tui/followups"
	"github.com/rolo-crm/rolo/tui/pipeline"
	"github.com/rolo-crm/rolo/tui/prompt"
	"github.com/rolo-crm/rolo/tui/reports"
	"github.com/rolo-crm/rolo/tui/styles"
	"github.com/rolo-crm/rolo/tui/today"
)

// Options tune the App.
type Options struct {
	// NoColor switches colour off (NO_COLOR, --no-color); the terminal's background
	// report then changes nothing.
	NoColor bool
	// Screens replaces screens by number (common.ScreenToday … common.ScreenReports).
	// Tests use it to plug fakes; cmd may plug a screen built elsewhere.
	Screens map[int]common.Screen
	// Reports are the report options (the win-rate denominator) of the Reports screen.
	Reports store.ReportOptions
	// Sync syncs with the team's server; nil means sync is not set up (S then says how).
	Sync Syncer
	// SyncAuto syncs in the background: at start and a moment after every edit.
	SyncAuto bool
	// SyncInterval syncs at this interval as well; 0 means only on edits and S.
	SyncInterval time.Duration
}

// App is the root model.
type App struct {
	c        common.Common
	db       *store.DB
	opts     Options
	keys     KeyMap
	screens  []common.Screen
	active   int // index into screens (screen number - 1)
	w, h     int
	help     bool
	palette  *palette
	status   string
	statErr  bool
	counts   store.StatusCounts
	countSeq int
	haveCnt  bool
	undoSeq  int
	inited   []bool // screens load their data when first shown
	sync     syncState
	// panel is a view the root opens over the active screen (the conflicts, the
	// duplicates review); it gets the keys until it closes itself.
	panel panel
	// tick schedules a message after a delay (tea.Tick); tests replace it to fire
	// the debounce, interval and retry timers by hand.
	tick func(time.Duration, tea.Msg) tea.Cmd
}

// panel is what the root needs of a panel: a screen that can close itself.
type panel interface {
	common.Screen
	// Done reports whether the panel closed itself (esc, or it opened a record).
	Done() bool
}

type countsMsg struct {
	seq    int
	counts store.StatusCounts
	err    error
	// pending (when sync is set up) and open conflicts, for the status bar.
	pending, conflicts int
}

type undoneMsg struct {
	seq    int
	undone *store.Undone
	err    error
}

// New builds the root model over db. The screens are registered in order here
// (Options.Screens may replace one, as tests do). OpenDealMsg goes to the Pipeline
// screen's deal detail.
func New(c common.Common, db *store.DB, opts Options) *App {
	if c.Ctx == nil {
		c.Ctx = context.Background()
	}
	if c.Styles == nil {
		c.Styles = styles.New(true, opts.NoColor)
	}
	rep := reports.New(c, db)
	rep.Options = opts.Reports
	rep.WeekStart = c.WeekStart
	screens := []common.Screen{
		today.New(c, db),
		contacts.New(c, db),
		pipeline.New(c, db),
		followups.New(c, db),
		rep,
	}
	for n, s := range opts.Screens {
		if n >= 1 && n <= len(screens) && s != nil {
			screens[n-1] = s
		}
	}
	a := &App{c: c, db: db, opts: opts, keys: DefaultKeyMap(), screens: screens, w: 80, h: 24,
		inited: make([]bool, len(screens)), tick: defaultTick}
	a.resize()
	return a
}

// Init implements tea.Model: ask the terminal's background colour, load the active
// screen and the status counts. Other screens load when first shown, so the first
// frame does not wait behind queries for screens nobody looked at yet.
func (a *App) Init() tea.Cmd {
	cmds := []tea.Cmd{a.loadCounts(), a.initScreen(a.active), a.syncInit()}
	if !a.opts.NoColor {
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	return tea.Batch(cmds...)
}

// initScreen runs screen i's Init the first time it is needed.
func (a *App) initScreen(i int) tea.Cmd {
	if a.inited[i] {
		return nil
	}
	a.inited[i] = true
	return a.screens[i].Init()
}

func (a *App) loadCounts() tea.Cmd {
	a.countSeq++
	seq, ctx, db, loc, syncing := a.countSeq, a.c.Ctx, a.db, a.c.Loc, a.opts.Sync != nil
	return func() tea.Msg {
		m := countsMsg{seq: seq}
		m.counts, m.err = db.StatusCounts(ctx, loc)
		if m.err == nil && syncing {
			m.pending, m.err = db.PendingCount(ctx)
		}
		if m.err == nil {
			m.conflicts, m.err = db.OpenConflictCount(ctx)
		}
		return m
	}
}

func (a *App) bodyHeight() int { return max(a.h-3, 1) }

func (a *App) resize() {
	for _, s := range a.screens {
		s.SetSize(a.w, a.bodyHeight())
	}
	if a.panel != nil {
		a.panel.SetSize(a.w, a.bodyHeight())
	}
}

// openPanel shows p over the active screen and starts its load.
func (a *App) openPanel(p panel) tea.Cmd {
	a.panel = p
	p.SetSize(a.w, a.bodyHeight())
	return p.Init()
}

// setActive makes screen n (1–5) active and returns its first load, if it has not
// loaded yet.
func (a *App) setActive(n int) tea.Cmd {
	if n < 1 || n > len(a.screens) {
		return nil
	}
	a.active = n - 1
	return a.initScreen(a.active)
}

// Active is the number (1–5) of the active screen.
func (a *App) Active() int { return a.active + 1 }

// Screen returns screen n (1–5).
func (a *App) Screen(n int) common.Screen { return a.screens[n-1] }

// activate makes screen n active and sends it msg (its first load, if it starts one
// now, is built first, so the screen's own request ids order the answers).
func (a *App) activate(n int, msg tea.Msg) tea.Cmd {
	init := a.setActive(n)
	return tea.Batch(init, a.screens[n-1].Update(msg))
}

// Update implements tea.Model.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	return a, a.update(msg)
}

func (a *App) update(msg tea.Msg) tea.Cmd {
	if cmd, ok := a.syncUpdate(msg); ok {
		return cmd
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.w, a.h = max(msg.Width, 1), max(msg.Height, 1)
		a.resize()
		// Screens that load a window of rows (the board's columns) load more when the
		// terminal grows; the others ignore the message.
		var cmds []tea.Cmd
		for i, s := range a.screens {
			if a.inited[i] {
				cmds = append(cmds, s.Update(msg))
			}
		}
		return tea.Batch(cmds...)
	case tea.BackgroundColorMsg:
		if a.opts.NoColor {
			return nil
		}
		a.c.Styles = styles.New(msg.IsDark(), false)
		for _, s := range a.screens {
			s.SetStyles(a.c.Styles)
		}
		if a.panel != nil {
			a.panel.SetStyles(a.c.Styles)
		}
		return nil
	case countsMsg:
		if msg.seq == a.countSeq && msg.err == nil {
			a.counts, a.haveCnt = msg.counts, true
			a.sync.pending, a.sync.conflicts = msg.pending, msg.conflicts
		}
		return nil
	case undoneMsg:
		switch {
		case errors.Is(msg.err, store.ErrNothingToUndo):
			a.setStatus("Nothing to undo", false)
			return nil
		case msg.err != nil:
			a.setStatus(common.ErrText(msg.err), true)
			return nil
		}
		return tea.Batch(a.changed(common.ChangedMsg{Status: "Undid: " + msg.undone.Summary}), a.afterEdit())
	case common.ChangedMsg:
		// A local edit: reload, and sync a moment later.
		return tea.Batch(a.changed(msg), a.afterEdit())
	case common.StatusMsg:
		if msg.Err != nil {
			a.setStatus(common.ErrText(msg.Err), true)
		} else {
			a.setStatus(msg.Text, false)
		}
		return nil
	case common.OpenContactMsg, common.OpenCompanyMsg:
		return a.activate(common.ScreenContacts, msg)
	case common.OpenDealMsg:
		return a.activate(common.ScreenPipeline, msg)
	case common.SwitchScreenMsg:
		return a.setActive(msg.Screen)
	case common.RunMsg:
		return a.activate(msg.Screen, msg.Key)
	case tea.KeyPressMsg:
		return a.key(msg)
	case prompt.DoneMsg, common.EditedMsg:
		// Answers to a prompt or an editor belong to the screen that opened it: the
		// active one (a screen holding a prompt captures every key, so it stays active).
		return a.screens[a.active].Update(msg)
	}
	// Anything else is a screen's own result (a load, a save): every screen sees it and
	// each keeps what it recognises, so a reply still lands after the rep moved on.
	var cmds []tea.Cmd
	for _, s := range a.screens {
		cmds = append(cmds, s.Update(msg))
	}
	if a.panel != nil {
		cmds = append(cmds, a.panel.Update(msg))
	}
	return tea.Batch(cmds...)
}

func (a *App) setStatus(s string, isErr bool) {
	a.status, a.statErr = s, isErr
}

// changed broadcasts a store change to every screen and refreshes the counts.
func (a *App) changed(msg common.ChangedMsg) tea.Cmd {
	if msg.Status != "" {
		a.setStatus(msg.Status, false)
	}
	cmds := []tea.Cmd{a.loadCounts()}
	for i, s := range a.screens {
		if a.inited[i] { // the others load fresh when first shown
			cmds = append(cmds, s.Update(msg))
		}
	}
	if a.panel != nil {
		cmds = append(cmds, a.panel.Update(msg))
	}
	return tea.Batch(cmds...)
}

func (a *App) key(msg tea.KeyPressMsg) tea.Cmd {
	k := a.keys
	if key.Matches(msg, k.ForceQuit) {
		return tea.Quit
	}
	if a.palette != nil {
		cmd, done := a.palette.update(msg)
		if !done {
			return cmd
		}
		sel := a.palette.selected
		a.palette = nil
		if sel == nil {
			return nil
		}
		return a.run(*sel)
	}
	if a.help {
		if key.Matches(msg, k.Help, k.Back) || msg.String() == "q" {
			a.help = false
		}
		return nil
	}
	if a.panel != nil {
		return a.panelKey(msg)
	}
	cur := a.screens[a.active]
	if cur.Capturing() {
		return cur.Update(msg)
	}
	for i, b := range k.screenKeys() {
		if key.Matches(msg, b) {
			return a.setActive(i + 1)
		}
	}
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Next):
		return a.setActive((a.active+1)%len(a.screens) + 1)
	case key.Matches(msg, k.Prev):
		return a.setActive((a.active+len(a.screens)-1)%len(a.screens) + 1)
	case key.Matches(msg, k.Help):
		a.help = true
	case key.Matches(msg, k.Palette):
		a.palette = newPalette(a.c.Styles, a.commands())
		a.palette.w, a.palette.h = a.w, a.bodyHeight()
	case key.Matches(msg, k.Undo):
		return a.undo()
	case key.Matches(msg, k.Sync) && !screenBinds(cur, k.Sync):
		return a.syncKey()
	case key.Matches(msg, k.Conflicts) && !screenBinds(cur, k.Conflicts):
		return a.openPanel(conflicts.New(a.c, a.db))
	case key.Matches(msg, k.Duplicates) && !screenBinds(cur, k.Duplicates):
		return a.openPanel(dupes.New(a.c, a.db))
	case key.Matches(msg, k.Suspend):
		return tea.Suspend
	case key.Matches(msg, k.Search):
		if hasKey(cur.FullHelp(), "/") {
			return cur.Update(msg)
		}
		return a.activate(common.ScreenContacts, msg)
	default:
		return cur.Update(msg)
	}
	return nil
}

// screenBinds reports whether screen s has a live binding of its own for one of b's
// keys: then the screen's meaning wins over the global one.
func screenBinds(s common.Screen, b key.Binding) bool {
	for _, k := range b.Keys() {
		if hasKey(s.FullHelp(), k) {
			return true
		}
	}
	return false
}

// panelKey routes a key while a panel is open: help, the palette, undo and sync stay
// global; everything else is the panel's.
func (a *App) panelKey(msg tea.KeyPressMsg) tea.Cmd {
	k := a.keys
	switch {
	case key.Matches(msg, k.Help):
		a.help = true
		return nil
	case key.Matches(msg, k.Palette):
		a.palette = newPalette(a.c.Styles, a.commands())
		a.palette.w, a.palette.h = a.w, a.bodyHeight()
		return nil
	case key.Matches(msg, k.Undo):
		return a.undo()
	case key.Matches(msg, k.Sync):
		return a.syncKey()
	}
	cmd := a.panel.Update(msg)
	if a.panel.Done() {
		a.panel = nil
	}
	return cmd
}

func hasKey(groups [][]key.Binding, k string) bool {
	for _, g := range groups {
		for _, b := range g {
			if !b.Enabled() {
				continue
			}
			for _, bk := range b.Keys() {
				if bk == k {
					return true
				}
			}
		}
	}
	return false
}

func (a *App) undo() tea.Cmd {
	a.undoSeq++
	seq, ctx, db := a.undoSeq, a.c.Ctx, a.db
	return func() tea.Msg {
		u, err := db.Undo(ctx)
		return undoneMsg{seq: seq, undone: u, err: err}
	}
}

// commands lists every live binding for the palette: the global ones, then each
// screen's.
func (a *App) commands() []command {
	var out []command
	seen := map[string]bool{}
	add := func(screen int, prefix string, b key.Binding) {
		h := b.Help()
		if !b.Enabled() || h.Desc == "" || len(b.Keys()) == 0 {
			return
		}
		label := prefix + h.Desc
		if seen[label] {
			return
		}
		seen[label] = true
		out = append(out, command{screen: screen, label: label, binding: b})
	}
	for _, g := range a.keys.FullHelp() {
		for _, b := range g {
			if key.Matches(common.KeyPress(b.Keys()[0]), a.keys.Palette) {
				continue
			}
			add(0, "", b)
		}
	}
	for i, s := range a.screens {
		for _, g := range s.FullHelp() {
			for _, b := range g {
				add(i+1, s.Title()+": ", b)
			}
		}
	}
	return out
}

// run executes a palette command: a global binding as if typed, a screen's binding by
// switching to the screen and sending it the binding's first key.
func (a *App) run(c command) tea.Cmd {
	kp, ok := common.FirstKey(c.binding)
	if !ok {
		return nil
	}
	if c.screen == 0 {
		return a.key(kp)
	}
	a.panel = nil // a screen's action: show the screen
	return a.activate(c.screen, kp)
}

// View implements tea.Model.
func (a *App) View() tea.View {
	v := tea.NewView(a.render())
	v.AltScreen = true
	v.WindowTitle = "rolo · " + a.screens[a.active].Title()
	if a.panel != nil {
		v.WindowTitle = "rolo · " + a.panel.Title()
	}
	return v
}

func (a *App) render() string {
	body := a.screens[a.active].View()
	if a.panel != nil {
		body = a.panel.View()
	}
	switch {
	case a.help:
		body = a.helpView()
	case a.palette != nil:
		body = common.Overlay(body, a.palette.view(), a.w, a.bodyHeight())
	}
	body = common.Fit(body, a.w, a.bodyHeight())
	lines := []string{a.tabs(), body, a.footer(), a.statusBar()}
	return strings.Join(lines, "\n")
}

func (a *App) tabs() string {
	st := a.c.Styles
	var parts []string
	for i, s := range a.screens {
		label := fmt.Sprintf("%d %s", i+1, s.Title())
		if i == a.active {
			parts = append(parts, st.Tabs.Active.Render(label))
		} else {
			parts = append(parts, st.Tabs.Inactive.Render(label))
		}
	}
	bar := strings.Join(parts, "")
	brand := st.Title.Render("rolo") + " "
	if lipgloss.Width(bar)+lipgloss.Width(brand)+1 <= a.w {
		bar += strings.Repeat(" ", a.w-lipgloss.Width(bar)-lipgloss.Width(brand)) + brand
	}
	return common.PadRight(bar, a.w)
}

// footer is one line of the active screen's most useful keys, then the global ones.
func (a *App) footer() string {
	st := a.c.Styles
	var parts []string
	binds := a.screens[a.active].ShortHelp()
	capturing := a.panel == nil && a.screens[a.active].Capturing()
	switch {
	case a.help:
		binds = []key.Binding{a.keys.Back}
	case a.palette != nil || capturing:
		binds = []key.Binding{a.keys.ForceQuit}
	case a.panel != nil:
		binds = append(a.panel.ShortHelp(), a.keys.Palette, a.keys.Help)
	default:
		binds = append(binds, a.keys.Search, a.keys.Palette, a.keys.Help, a.keys.Quit)
	}
	for _, b := range binds {
		if !b.Enabled() {
			continue
		}
		h := b.Help()
		parts = append(parts, st.Key.Render(h.Key)+" "+st.Subtle.Render(h.Desc))
	}
	return common.PadRight(" "+strings.Join(parts, st.Muted.Render(" · ")), a.w)
}

func (a *App) statusBar() string {
	st := a.c.Styles
	left := " "
	if a.status != "" {
		if a.statErr {
			left += st.Status.Error.Render("✗ " + a.status)
		} else {
			left += st.Status.Info.Render(a.status)
		}
	}
	right := a.countsText(2)
	room := a.w / 2 // what the right side may take beside a status message
	if segs := a.syncSegments(); len(segs) > 0 {
		// The sync figures come first; the counts give way (the file name, then the
		// contacts and deals) when the line is short.
		room = a.w - 1
		if a.status != "" {
			room = max(a.w/2, a.w-lipgloss.Width(left)-1)
		}
		sync := strings.Join(segs, st.Subtle.Render(" · "))
		for detail := 2; detail >= 0; detail-- {
			right = sync + st.Subtle.Render(" │ ") + a.countsText(detail)
			if lipgloss.Width(right)+1 <= room {
				break
			}
		}
		if lipgloss.Width(right)+1 > room {
			right = sync
		}
	}
	right += " "
	rw := lipgloss.Width(right)
	if rw > room && a.status != "" {
		right = common.Truncate(right, room)
		rw = lipgloss.Width(right)
	}
	if rw >= a.w {
		return common.PadRight(right, a.w)
	}
	return common.PadRight(left, a.w-rw) + right
}

// countsText is the status bar's file name and counts: detail 2 is everything, 1 drops
// the file name, 0 keeps only the overdue follow-ups.
func (a *App) countsText(detail int) string {
	st := a.c.Styles
	var right string
	if detail >= 2 || !a.haveCnt {
		right = filepath.Base(a.db.Path())
	}
	if !a.haveCnt {
		return st.Status.Right.Render(right)
	}
	n := a.counts
	if detail >= 1 {
		if right != "" {
			right += " · "
		}
		right += fmt.Sprintf("%s contacts · %s open deals · ", thousands(n.Contacts), thousands(n.OpenDeals))
	} else if right != "" {
		right += " · "
	}
	od := fmt.Sprintf("%s overdue", thousands(n.Overdue))
	if n.Overdue > 0 {
		od = st.Danger.Render(od)
	}
	return st.Status.Right.Render(right) + od
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// helpView renders every live binding: the global ones, then the active screen's.
func (a *App) helpView() string {
	st := a.c.Styles
	var cols [][]string
	col := func(title string, groups [][]key.Binding) {
		for gi, g := range groups {
			var lines []string
			if gi == 0 {
				lines = append(lines, st.Heading.Render(title))
			} else {
				lines = append(lines, "")
			}
			for _, b := range g {
				if !b.Enabled() {
					continue
				}
				h := b.Help()
				lines = append(lines, st.Key.Render(common.PadRight(h.Key, 10))+" "+h.Desc)
			}
			cols = append(cols, lines)
		}
	}
	col("Everywhere", a.keys.FullHelp())
	if a.panel != nil {
		col(a.panel.Title(), a.panel.FullHelp())
	} else {
		col(a.screens[a.active].Title(), a.screens[a.active].FullHelp())
	}
	// Lay the columns out left to right, wrapping to a new band when the width is used.
	const colW = 30
	perRow := max(1, a.w/colW)
	var out []string
	out = append(out, " "+st.Title.Render("Keys")+st.Subtle.Render(" · ? or esc closes"), "")
	for i := 0; i < len(cols); i += perRow {
		band := cols[i:min(i+perRow, len(cols))]
		height := 0
		for _, c := range band {
			height = max(height, len(c))
		}
		for r := range height {
			var line string
			for _, c := range band {
				cell := ""
				if r < len(c) {
					cell = c[r]
				}
				line += common.PadRight(" "+cell, colW)
			}
			out = append(out, line)
		}
		out = append(out, "")
	}
	return strings.Join(out, "\n")
}
