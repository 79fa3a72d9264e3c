// Package today is the start screen: what needs the rep's attention now. Overdue
// follow-ups (in red), those due today, rotting deals, contacts past their
// stay-in-touch cadence and the follow-ups coming up this week, each line one key
// away from its action. On an empty database it greets the rep instead and offers
// to add a first contact or load demo data.
package today

import (
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/store/demo"
	"github.com/rolo-crm/rolo/tui/common"
	"github.com/rolo-crm/rolo/tui/flow"
	"github.com/rolo-crm/rolo/tui/internal/cursor"
	"github.com/rolo-crm/rolo/tui/styles"
)

// KeyMap is the Today screen's bindings.
type KeyMap struct {
	Up, Down, Top, Bottom, Open, Log, Done, Snooze, FollowUp, Refresh, Add, Demo key.Binding
}

// DefaultKeyMap returns the default bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("k/↑", "up")),
		Down:     key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("j/↓", "down")),
		Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open contact/deal")),
		Log:      key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "log interaction")),
		Done:     key.NewBinding(key.WithKeys("x", "space"), key.WithHelp("x/space", "follow-up done")),
		Snooze:   key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "snooze follow-up")),
		FollowUp: key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "add follow-up")),
		Refresh:  key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "refresh")),
		Add:      key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add first contact"), key.WithDisabled()),
		Demo:     key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "load demo data"), key.WithDisabled()),
	}
}

// DemoContacts is how many contacts the first-run demo data has.
const DemoContacts = 200

type itemKind int

const (
	heading itemKind = iota
	followUp
	deal
	contact
	note
)

type item struct {
	kind    itemKind
	text    string // heading or note text
	overdue bool
	fu      store.FollowUp
	deal    store.Deal
	contact store.Contact
}

// Selectable implements cursor.Line: follow-ups, deals and contacts.
func (it item) Selectable() bool { return it.kind == followUp || it.kind == deal || it.kind == contact }

type loadedMsg struct {
	seq      int
	agenda   *store.Agenda
	counts   store.AgendaCounts
	upcoming []store.FollowUp
	nUp      int
	empty    bool
	err      error
}

type demoTickMsg struct{ seq int }

type demoDoneMsg struct {
	stats demo.Stats
	err   error
}

// Model is the Today screen.
type Model struct {
	c       common.Common
	db      *store.DB
	keys    KeyMap
	flow    *flow.Flow
	w, h    int
	seq     int
	loaded  bool
	empty   bool
	err     error
	items   []item
	cursor  int
	offset  int
	demo    *atomic.Int64 // records written so far while demo data loads
	demoTot *atomic.Int64
	demoSeq int
}

// New returns the Today screen.
func New(c common.Common, db *store.DB) *Model {
	return &Model{c: c, db: db, keys: DefaultKeyMap(), flow: flow.New(c, db), w: 80, h: 20}
}

// Init loads the agenda.
func (m *Model) Init() tea.Cmd { return m.load() }

func (m *Model) load() tea.Cmd {
	m.seq++
	seq, ctx, db, c := m.seq, m.c.Ctx, m.db, m.c
	return func() tea.Msg {
		msg := loadedMsg{seq: seq}
		msg.agenda, msg.counts, msg.err = db.Today(ctx, c.Loc, 50)
		if msg.err != nil {
			return msg
		}
		_, end := store.DayBounds(c.Now(), c.Loc)
		msg.upcoming, msg.nUp, msg.err = db.FindFollowUps(ctx, store.FollowUpFilter{After: end, Before: end.AddDate(0, 0, 7), Limit: 20})
		if msg.err != nil {
			return msg
		}
		a := msg.agenda
		if len(a.Overdue)+len(a.DueToday)+len(a.Rotting)+len(a.Neglected)+len(msg.upcoming) == 0 {
			msg.empty, msg.err = db.IsEmpty(ctx)
		}
		return msg
	}
}

// SetSize implements common.Screen.
func (m *Model) SetSize(w, h int) {
	m.w, m.h = w, h
	m.flow.SetWidth(w)
}

// SetStyles implements common.Screen.
func (m *Model) SetStyles(s *styles.Styles) {
	m.c.Styles = s
	m.flow.SetCommon(m.c)
}

// Title implements common.Screen.
func (m *Model) Title() string { return "Today" }

// Capturing implements common.Screen.
func (m *Model) Capturing() bool { return m.flow.Active() }

// ShortHelp implements common.Screen.
func (m *Model) ShortHelp() []key.Binding {
	if m.empty {
		return []key.Binding{m.keys.Add, m.keys.Demo}
	}
	return []key.Binding{m.keys.Open, m.keys.Done, m.keys.Snooze, m.keys.Log}
}

// FullHelp implements common.Screen.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{{k.Up, k.Down, k.Top, k.Bottom}, {k.Open, k.Log, k.FollowUp, k.Refresh}, {k.Done, k.Snooze, k.Add, k.Demo}}
}

func (m *Model) build(msg loadedMsg) {
	var prev string
	if it, ok := m.current(); ok {
		prev = it.id()
	}
	m.items = m.items[:0]
	a, n := msg.agenda, msg.counts
	section := func(title string, shown, total int) {
		if len(m.items) > 0 {
			m.items = append(m.items, item{kind: note})
		}
		m.items = append(m.items, item{kind: heading, text: fmt.Sprintf("%s (%d)", title, total)})
		if shown == 0 {
			m.items = append(m.items, item{kind: note, text: "nothing"})
		}
	}
	more := func(shown, total int, where string) {
		if total > shown {
			m.items = append(m.items, item{kind: note, text: fmt.Sprintf("… %d more: %s", total-shown, where)})
		}
	}
	section("Overdue", len(a.Overdue), n.Overdue)
	for _, f := range a.Overdue {
		m.items = append(m.items, item{kind: followUp, fu: f, overdue: true})
	}
	more(len(a.Overdue), n.Overdue, "see Follow-ups (4)")
	section("Due today", len(a.DueToday), n.DueToday)
	for _, f := range a.DueToday {
		m.items = append(m.items, item{kind: followUp, fu: f})
	}
	more(len(a.DueToday), n.DueToday, "see Follow-ups (4)")
	section("Rotting deals", len(a.Rotting), n.Rotting)
	for _, d := range a.Rotting {
		m.items = append(m.items, item{kind: deal, deal: d})
	}
	more(len(a.Rotting), n.Rotting, "rolo today --json or the Pipeline")
	section("Past their cadence", len(a.Neglected), n.Neglected)
	for _, c := range a.Neglected {
		m.items = append(m.items, item{kind: contact, contact: c})
	}
	more(len(a.Neglected), n.Neglected, "rolo report neglected")
	section("Coming up · next 7 days", len(msg.upcoming), msg.nUp)
	for _, f := range msg.upcoming {
		m.items = append(m.items, item{kind: followUp, fu: f})
	}
	more(len(msg.upcoming), msg.nUp, "see Follow-ups (4)")

	// Keep the cursor on the same record if it is still listed, else near where it was.
	m.cursor = min(m.cursor, len(m.items)-1)
	for i, it := range m.items {
		if prev != "" && it.Selectable() && it.id() == prev {
			m.cursor = i
			break
		}
	}
	m.cursor = cursor.Snap(m.items, m.cursor, 1)
}

func (it item) id() string {
	switch it.kind {
	case followUp:
		return it.fu.ID
	case deal:
		return it.deal.ID
	case contact:
		return it.contact.ID
	}
	return ""
}

func (m *Model) current() (item, bool) { return cursor.At(m.items, m.cursor) }

// Update implements common.Screen.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	if cmd, ok := m.flow.Update(msg); ok {
		return cmd
	}
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.seq != m.seq {
			return nil // a newer load is on its way
		}
		m.loaded, m.err = true, msg.err
		if msg.err != nil {
			return nil
		}
		m.empty = msg.empty
		m.keys.Add.SetEnabled(m.empty)
		m.keys.Demo.SetEnabled(m.empty)
		m.build(msg)
	case common.ChangedMsg:
		return m.load()
	case demoTickMsg:
		if m.demo != nil && msg.seq == m.demoSeq {
			return m.tick()
		}
	case demoDoneMsg:
		m.demo = nil
		if msg.err != nil {
			return common.Error(msg.err)
		}
		return common.Changed(fmt.Sprintf("Loaded demo data: %d contacts, %d companies, %d deals (u undoes it)",
			msg.stats.Contacts, msg.stats.Companies, msg.stats.Deals))
	case tea.KeyPressMsg:
		return m.key(msg)
	}
	return nil
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	if m.demo != nil {
		return nil // loading demo data: nothing to act on yet
	}
	switch {
	case key.Matches(msg, k.Add):
		return func() tea.Msg { return common.RunMsg{Screen: common.ScreenContacts, Key: common.KeyPress("a")} }
	case key.Matches(msg, k.Demo):
		return m.startDemo()
	case key.Matches(msg, k.Up):
		m.cursor = cursor.Step(m.items, m.cursor, -1)
	case key.Matches(msg, k.Down):
		m.cursor = cursor.Step(m.items, m.cursor, 1)
	case key.Matches(msg, k.Top):
		m.cursor = cursor.Snap(m.items, 0, 1)
	case key.Matches(msg, k.Bottom):
		m.cursor = cursor.Snap(m.items, len(m.items)-1, -1)
	case key.Matches(msg, k.Refresh):
		return m.load()
	}
	it, ok := m.current()
	if !ok {
		return nil
	}
	switch {
	case key.Matches(msg, k.Open):
		switch it.kind {
		case followUp:
			if it.fu.DealID != "" {
				return common.Open(common.OpenDealMsg{ID: it.fu.DealID})
			}
			return common.Open(common.OpenContactMsg{ID: it.fu.ContactID})
		case deal:
			return common.Open(common.OpenDealMsg{ID: it.deal.ID})
		case contact:
			return common.Open(common.OpenContactMsg{ID: it.contact.ID})
		}
	case key.Matches(msg, k.Log):
		m.flow.Log(target(it))
	case key.Matches(msg, k.FollowUp):
		m.flow.FollowUp(target(it))
	case key.Matches(msg, k.Done):
		if it.kind == followUp {
			return m.flow.Complete(it.fu)
		}
		return common.Status("x completes a follow-up; this line is not one")
	case key.Matches(msg, k.Snooze):
		if it.kind == followUp {
			m.flow.Snooze(it.fu)
			return nil
		}
		return common.Status("s snoozes a follow-up; this line is not one")
	}
	return nil
}

func target(it item) flow.Target {
	switch it.kind {
	case followUp:
		if it.fu.DealID != "" {
			return flow.Target{DealID: it.fu.DealID, ContactID: it.fu.ContactID, Label: it.fu.Deal}
		}
		return flow.Target{ContactID: it.fu.ContactID, Label: it.fu.Contact}
	case deal:
		return flow.Target{DealID: it.deal.ID, ContactID: it.deal.ContactID, Label: it.deal.Title}
	}
	return flow.Target{ContactID: it.contact.ID, Label: it.contact.Name}
}

func (m *Model) startDemo() tea.Cmd {
	done, total := new(atomic.Int64), new(atomic.Int64)
	m.demo, m.demoTot = done, total
	m.demoSeq++
	ctx, db, now := m.c.Ctx, m.db, m.c.Now()
	run := func() tea.Msg {
		st, err := demo.Generate(ctx, db, demo.Options{Contacts: DemoContacts, Seed: 1, Now: now,
			Progress: func(d, t int) { done.Store(int64(d)); total.Store(int64(t)) }})
		return demoDoneMsg{stats: st, err: err}
	}
	return tea.Batch(run, m.tick())
}

func (m *Model) tick() tea.Cmd {
	seq := m.demoSeq
	return tea.Tick(100*time.Millisecond, func(time.Time) tea.Msg { return demoTickMsg{seq: seq} })
}

// View implements common.Screen.
func (m *Model) View() string {
	st := m.c.Styles
	var body string
	switch {
	case m.demo != nil:
		total, done := m.demoTot.Load(), m.demo.Load()
		bar := ""
		if total > 0 {
			width := max(10, min(m.w-10, 50))
			fill := int(int64(width) * min(done, total) / total)
			bar = "\n\n  " + st.Accent.Render(strings.Repeat("█", fill)) + st.Muted.Render(strings.Repeat("░", width-fill)) +
				fmt.Sprintf(" %d%%", 100*min(done, total)/total)
		}
		body = "\n  " + st.Title.Render("Loading demo data…") + "\n\n  " +
			st.Subtle.Render(fmt.Sprintf("%d sample contacts with companies, deals, a timeline and follow-ups.", DemoContacts)) + bar
	case !m.loaded:
		body = "\n  " + st.Subtle.Render("Loading today's agenda…")
	case m.err != nil:
		body = "\n  " + st.Danger.Render("Could not load today's agenda: "+common.ErrText(m.err)) + "\n\n  " + st.Subtle.Render("r retries")
	case m.empty:
		body = m.welcome()
	default:
		body = m.list()
	}
	out := common.Fit(body, m.w, m.h)
	if v := m.flow.View(); v != "" {
		out = common.Overlay(out, v, m.w, m.h)
	}
	return out
}

func (m *Model) welcome() string {
	st := m.c.Styles
	lines := []string{
		"",
		"  " + st.Title.Render("Welcome to rolo."),
		"",
		"  " + "Your contact book is empty. Start with one of these:",
		"",
		"    " + st.Key.Render("a") + "  add your first contact",
		"    " + st.Key.Render("D") + fmt.Sprintf("  load demo data (%d sample contacts, their companies, deals,", DemoContacts),
		"       " + "a timeline and follow-ups), to try rolo out; u undoes it",
		"",
		"  " + st.Subtle.Render("From the shell: rolo contact add NAME, rolo import csv FILE, rolo demo."),
		"  " + st.Subtle.Render("? shows every key; q quits."),
	}
	return strings.Join(lines, "\n")
}

func (m *Model) list() string {
	st := m.c.Styles
	m.offset = common.Scroll(m.offset, m.cursor, m.h, len(m.items))
	whenW := 16
	whoW := max(10, min(28, (m.w-whenW-6)/3))
	titleW := max(10, m.w-whenW-whoW-8)
	var lines []string
	for i := m.offset; i < len(m.items) && len(lines) < m.h; i++ {
		it := m.items[i]
		var line string
		switch it.kind {
		case heading:
			line = " " + st.Heading.Render(it.text)
		case note:
			line = "   " + st.Muted.Render(it.text)
		case followUp:
			who := it.fu.Contact
			if it.fu.Deal != "" {
				who = it.fu.Deal
			}
			due := m.c.Date(it.fu.DueAt, it.fu.AllDay)
			line = common.PadRight(it.fu.Title, titleW) + "  " + common.PadRight(who, whoW) + "  " + common.PadRight(due, whenW)
			if it.overdue && i != m.cursor {
				line = st.Danger.Render(line)
			}
		case deal:
			days := int(m.c.Now().Sub(it.deal.StageEnteredAt).Hours() / 24)
			who := it.deal.Company
			if who == "" {
				who = it.deal.Contact
			}
			line = common.PadRight(it.deal.Title+" · "+it.deal.Value.String(), titleW) + "  " + common.PadRight(who, whoW) + "  " +
				common.PadRight(fmt.Sprintf("%s %dd", it.deal.Stage, days), whenW)
			if i != m.cursor {
				line = st.Warning.Render(line)
			}
		case contact:
			c := it.contact
			line = common.PadRight(c.Name, titleW) + "  " + common.PadRight(c.Company, whoW) + "  " +
				common.PadRight(fmt.Sprintf("%s /%dd", m.c.Ago(c.LastTouchedAt), c.CadenceDays), whenW)
		}
		if it.Selectable() {
			mark := "   "
			if i == m.cursor {
				mark = " › "
				line = st.Selected.Render(common.PadRight(line, m.w-4))
			}
			line = mark + line
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}
