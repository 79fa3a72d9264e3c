// Package followups is the Follow-ups screen: the agenda grouped as overdue, today,
// this week, later and done. Each group reads one page through the follow-ups index
// and pages on (enter on its "more" line), so the screen never loads every
// follow-up. x or space completes (or reopens a done one), s snoozes to a natural
// date, l logs an interaction, enter opens the contact or deal.
package followups

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/tui/common"
	"github.com/rolo-crm/rolo/tui/flow"
	"github.com/rolo-crm/rolo/tui/internal/cursor"
	"github.com/rolo-crm/rolo/tui/styles"
)

// KeyMap is the Follow-ups screen's bindings.
type KeyMap struct {
	Up, Down, Top, Bottom, Open, Done, Snooze, Log, Refresh key.Binding
}

// DefaultKeyMap returns the default bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:      key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("k/↑", "up")),
		Down:    key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("j/↓", "down")),
		Top:     key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:  key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
		Open:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open contact/deal · more")),
		Done:    key.NewBinding(key.WithKeys("x", "space"), key.WithHelp("x/space", "done (reopen if done)")),
		Snooze:  key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "snooze")),
		Log:     key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "log interaction")),
		Refresh: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "refresh")),
	}
}

// pageSize is how many follow-ups one group reads at a time.
const pageSize = 50

// The groups, in screen order.
const (
	gOverdue = iota
	gToday
	gWeek
	gLater
	gDone
	nGroups
)

var groupTitles = [nGroups]string{"Overdue", "Today", "This week", "Later", "Done"}

type group struct {
	items []store.FollowUp
	total int
}

type line struct {
	heading bool
	blank   bool
	more    int // the group whose next page this line loads, +1 (0: not a more line)
	group   int
	fu      *store.FollowUp
}

type loadedMsg struct {
	seq    int
	groups [nGroups]group
	err    error
}

type pageMsg struct {
	seq   int
	group int
	items []store.FollowUp
	err   error
}

// Model is the Follow-ups screen.
type Model struct {
	c      common.Common
	db     *store.DB
	keys   KeyMap
	flow   *flow.Flow
	w, h   int
	seq    int
	loaded bool
	err    error
	groups [nGroups]group
	lines  []line
	cursor int
	offset int
}

// New returns the Follow-ups screen.
func New(c common.Common, db *store.DB) *Model {
	return &Model{c: c, db: db, keys: DefaultKeyMap(), flow: flow.New(c, db), w: 80, h: 20}
}

// Init loads the agenda.
func (m *Model) Init() tea.Cmd { return m.load() }

// bounds are the groups' limits: the start of today, of tomorrow, and of next week.
func (m *Model) bounds() (today, tomorrow, nextWeek time.Time) {
	today, tomorrow = store.DayBounds(m.c.Now(), m.c.Loc)
	days := (int(m.c.WeekStart) - int(today.Weekday()) + 7) % 7
	if days == 0 {
		days = 7
	}
	nextWeek = today.AddDate(0, 0, days)
	return
}

func (m *Model) filter(g int) store.FollowUpFilter {
	today, tomorrow, nextWeek := m.bounds()
	switch g {
	case gOverdue:
		return store.FollowUpFilter{Before: today}
	case gToday:
		return store.FollowUpFilter{After: today, Before: tomorrow}
	case gWeek:
		return store.FollowUpFilter{After: tomorrow, Before: nextWeek}
	}
	return store.FollowUpFilter{After: nextWeek}
}

func (m *Model) fetch(g, offset, limit int) func() ([]store.FollowUp, int, error) {
	ctx, db := m.c.Ctx, m.db
	if g == gDone {
		return func() ([]store.FollowUp, int, error) { return db.DoneFollowUps(ctx, limit, offset) }
	}
	f := m.filter(g)
	f.Limit, f.Offset = limit, offset
	return func() ([]store.FollowUp, int, error) { return db.FindFollowUps(ctx, f) }
}

func (m *Model) load() tea.Cmd {
	m.seq++
	seq := m.seq
	var fetches [nGroups]func() ([]store.FollowUp, int, error)
	for g := range nGroups {
		// A reload keeps as many rows as were shown, so paging on survives a change.
		fetches[g] = m.fetch(g, 0, max(pageSize, len(m.groups[g].items)))
	}
	return func() tea.Msg {
		msg := loadedMsg{seq: seq}
		for g, f := range fetches {
			msg.groups[g].items, msg.groups[g].total, msg.err = f()
			if msg.err != nil {
				break
			}
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
func (m *Model) Title() string { return "Follow-ups" }

// Capturing implements common.Screen.
func (m *Model) Capturing() bool { return m.flow.Active() }

// ShortHelp implements common.Screen.
func (m *Model) ShortHelp() []key.Binding {
	return []key.Binding{m.keys.Done, m.keys.Snooze, m.keys.Open, m.keys.Log}
}

// FullHelp implements common.Screen.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{{k.Up, k.Down, k.Top, k.Bottom}, {k.Open, k.Done, k.Snooze, k.Log, k.Refresh}}
}

func (m *Model) build() {
	var prev string
	if l, ok := m.current(); ok && l.fu != nil {
		prev = l.fu.ID
	}
	m.lines = m.lines[:0]
	for g := range nGroups {
		grp := &m.groups[g]
		if g > 0 {
			m.lines = append(m.lines, line{blank: true})
		}
		m.lines = append(m.lines, line{heading: true, group: g})
		for i := range grp.items {
			m.lines = append(m.lines, line{group: g, fu: &grp.items[i]})
		}
		if grp.total > len(grp.items) {
			m.lines = append(m.lines, line{group: g, more: g + 1})
		}
	}
	for i, l := range m.lines {
		if prev != "" && l.fu != nil && l.fu.ID == prev {
			m.cursor = i
			return
		}
	}
	m.cursor = cursor.Snap(m.lines, m.cursor, 1)
}

// Selectable implements cursor.Line: follow-ups and "more" lines.
func (l line) Selectable() bool { return l.fu != nil || l.more > 0 }

func (m *Model) current() (line, bool) { return cursor.At(m.lines, m.cursor) }

// Update implements common.Screen.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	if cmd, ok := m.flow.Update(msg); ok {
		return cmd
	}
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.seq != m.seq {
			return nil
		}
		m.loaded, m.err = true, msg.err
		if msg.err == nil {
			m.groups = msg.groups
			m.build()
		}
	case pageMsg:
		if msg.seq != m.seq {
			return nil
		}
		if msg.err != nil {
			return common.Error(msg.err)
		}
		m.groups[msg.group].items = append(m.groups[msg.group].items, msg.items...)
		m.build()
	case common.ChangedMsg:
		return m.load()
	case tea.KeyPressMsg:
		return m.key(msg)
	}
	return nil
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Up):
		m.cursor = cursor.Step(m.lines, m.cursor, -1)
		return nil
	case key.Matches(msg, k.Down):
		m.cursor = cursor.Step(m.lines, m.cursor, 1)
		return nil
	case key.Matches(msg, k.Top):
		m.cursor = cursor.Snap(m.lines, 0, 1)
		return nil
	case key.Matches(msg, k.Bottom):
		m.cursor = cursor.Snap(m.lines, len(m.lines)-1, -1)
		return nil
	case key.Matches(msg, k.Refresh):
		return m.load()
	}
	l, ok := m.current()
	if !ok {
		return nil
	}
	if l.more > 0 {
		if key.Matches(msg, k.Open) {
			g := l.more - 1
			fetch, seq := m.fetch(g, len(m.groups[g].items), pageSize), m.seq
			return func() tea.Msg {
				items, _, err := fetch()
				return pageMsg{seq: seq, group: g, items: items, err: err}
			}
		}
		return nil
	}
	fu := *l.fu
	switch {
	case key.Matches(msg, k.Open):
		if fu.DealID != "" {
			return common.Open(common.OpenDealMsg{ID: fu.DealID})
		}
		return common.Open(common.OpenContactMsg{ID: fu.ContactID})
	case key.Matches(msg, k.Done):
		if fu.DoneAt != nil {
			ctx, db := m.c.Ctx, m.db
			return func() tea.Msg {
				if _, err := db.ReopenFollowUp(ctx, fu.ID); err != nil {
					return common.StatusMsg{Err: err}
				}
				return common.ChangedMsg{Status: "Reopened: " + fu.Title}
			}
		}
		return m.flow.Complete(fu)
	case key.Matches(msg, k.Snooze):
		if fu.DoneAt != nil {
			return common.Status("that follow-up is done; x reopens it")
		}
		m.flow.Snooze(fu)
	case key.Matches(msg, k.Log):
		t := flow.Target{ContactID: fu.ContactID, DealID: fu.DealID, Label: fu.Contact}
		if fu.DealID != "" {
			t.Label = fu.Deal
		}
		m.flow.Log(t)
	}
	return nil
}

// View implements common.Screen.
func (m *Model) View() string {
	st := m.c.Styles
	var out []string
	switch {
	case !m.loaded:
		out = []string{"", " " + st.Subtle.Render("Loading follow-ups…")}
	case m.err != nil:
		out = []string{"", " " + st.Danger.Render("Could not load follow-ups: "+common.ErrText(m.err))}
	default:
		out = m.list()
	}
	v := common.Fit(strings.Join(out, "\n"), m.w, m.h)
	if f := m.flow.View(); f != "" {
		v = common.Overlay(v, f, m.w, m.h)
	}
	return v
}

func (m *Model) list() []string {
	st := m.c.Styles
	m.offset = common.Scroll(m.offset, m.cursor, m.h, len(m.lines))
	whenW := 16
	whoW := max(10, min(30, (m.w-whenW-8)/3))
	titleW := max(10, m.w-whenW-whoW-8)
	now := m.c.Now()
	var out []string
	for i := m.offset; i < len(m.lines) && len(out) < m.h; i++ {
		l := m.lines[i]
		switch {
		case l.blank:
			out = append(out, "")
		case l.heading:
			g := m.groups[l.group]
			h := st.Heading.Render(fmt.Sprintf("%s (%d)", groupTitles[l.group], g.total))
			if l.group == gOverdue && g.total > 0 {
				h = st.Danger.Bold(true).Render(fmt.Sprintf("%s (%d)", groupTitles[l.group], g.total))
			}
			if g.total == 0 {
				h += st.Muted.Render("  nothing")
			}
			out = append(out, " "+h)
		case l.more > 0:
			g := m.groups[l.more-1]
			text := fmt.Sprintf("… %d more (enter shows %d more)", g.total-len(g.items), min(pageSize, g.total-len(g.items)))
			if i == m.cursor {
				out = append(out, " › "+st.Selected.Render(common.PadRight(text, m.w-4)))
			} else {
				out = append(out, "   "+st.Muted.Render(text))
			}
		default:
			fu := l.fu
			who := fu.Contact
			if fu.Deal != "" {
				who = fu.Deal
			}
			when := m.c.Date(fu.DueAt, fu.AllDay)
			if fu.DoneAt != nil {
				when = "done " + m.c.Date(*fu.DoneAt, true)
			}
			text := common.PadRight(fu.Title, titleW) + "  " + common.PadRight(who, whoW) + "  " + common.PadRight(when, whenW)
			late := fu.DoneAt == nil && (l.group == gOverdue || (!fu.AllDay && fu.DueAt.Before(now)))
			switch {
			case i == m.cursor:
				out = append(out, " › "+st.Selected.Render(text))
			case late:
				out = append(out, "   "+st.Danger.Render(text))
			case fu.DoneAt != nil:
				out = append(out, "   "+st.Muted.Render(text))
			default:
				out = append(out, "   "+text)
			}
		}
	}
	return out
}
