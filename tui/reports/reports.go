// Package reports is the TUI's Reports screen (5): panels for the win rate, the funnel,
// the cycle time, the velocity, the forecast, the activity, the neglected contacts and the
// rotting deals, drawn as text charts. [ and ] shift the period (a month, a quarter or a
// year: p switches), j/k move between panels, and enter opens what is behind a number: a
// panel's figures, then the records one figure counted (drill.go), a window at a time.
//
// Each panel loads in its own command; a panel's message carries a request number, so
// an answer for a period since left never overwrites the current one.
package reports

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/tui/common"
	"github.com/rolo-crm/rolo/tui/styles"
)

// Store is what the Reports screen needs of the store; *store.DB satisfies it.
type Store interface {
	WinRate(ctx context.Context, p store.Period, o store.ReportOptions) (*store.WinRate, error)
	Funnel(ctx context.Context, p store.Period) (*store.Funnel, error)
	Cycle(ctx context.Context, p store.Period) (*store.Cycle, error)
	Velocity(ctx context.Context, p store.Period, o store.ReportOptions) (*store.Velocity, error)
	Forecast(ctx context.Context, o store.ForecastOptions) (*store.Forecast, error)
	Activity(ctx context.Context, o store.ActivityOptions) (*store.Activity, error)
	NeglectedContacts(ctx context.Context, limit int) ([]store.Contact, int, error)
	UntouchedContacts(ctx context.Context, days, limit int) ([]store.UntouchedContact, int, error)
	RottingDeals(ctx context.Context, limit int) ([]store.Deal, int, error)
	NeglectedContactsAt(ctx context.Context, offset, limit int) ([]store.Contact, int, error)
	UntouchedContactsAt(ctx context.Context, days, offset, limit int) ([]store.UntouchedContact, int, error)
	RottingDealsAt(ctx context.Context, offset, limit int) ([]store.Deal, int, error)
	WinRateDeals(ctx context.Context, p store.Period, o store.ReportOptions, f store.WinRateFilter, offset, limit int) ([]store.Deal, int, error)
	FunnelDeals(ctx context.Context, p store.Period, f store.FunnelFilter, offset, limit int) ([]store.Deal, int, error)
	ClosedDeals(ctx context.Context, p store.Period, offset, limit int) ([]store.Deal, int, error)
	OpenDeals(ctx context.Context, f store.OpenDealFilter, offset, limit int) ([]store.Deal, int, error)
	StageStays(ctx context.Context, p store.Period, stageID string, offset, limit int) ([]store.StageStay, int, error)
	ActivityEntries(ctx context.Context, f store.ActivityFilter) (*store.ActivityPage, error)
}

var _ common.Screen = (*Model)(nil)

// The panels, in reading order.
const (
	pWinRate = iota
	pFunnel
	pCycle
	pVelocity
	pForecast
	pActivity
	pNeglected
	pRotting
	numPanels
)

var panelTitles = [numPanels]string{"Win rate", "Funnel", "Cycle time", "Velocity", "Forecast (weighted)", "Activity", "Neglected contacts", "Rotting deals"}

// periodic reports whether a panel depends on the period ([ and ] reload it).
func periodic(p int) bool {
	return p == pWinRate || p == pFunnel || p == pCycle || p == pVelocity || p == pActivity
}

// Lists behind the panels: how many items a drill-down shows.
const (
	listLimit     = 100
	untouchedDays = 30
)

// Period units.
const (
	unitMonth = iota
	unitQuarter
	unitYear
)

var unitNames = []string{"month", "quarter", "year"}

// KeyMap is the Reports screen's keys.
type KeyMap struct {
	Next, Prev, Earlier, Later, Unit, Open, Back key.Binding
}

// DefaultKeyMap returns the Reports screen's default keys.
func DefaultKeyMap() KeyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Next:    b("j/→", "next panel", "j", "down", "right", "l"),
		Prev:    b("k/←", "previous panel", "k", "up", "left", "h"),
		Earlier: b("[", "earlier period", "["),
		Later:   b("]", "later period", "]"),
		Unit:    b("p", "month/quarter/year", "p"),
		Open:    b("enter", "drill down", "enter"),
		Back:    b("esc", "back", "esc"),
	}
}

// panel is one report and its latest answer.
type panel struct {
	seq     int
	loading bool
	err     error
	data    any
}

// panelMsg answers a panel's load.
type panelMsg struct {
	panel, seq int
	data       any
	err        error
}

// neglect is the neglected-contacts panel's data.
type neglect struct {
	past      []store.Contact
	pastN     int
	untouched []store.UntouchedContact
	untouchN  int
}

// rotting is the rotting-deals panel's data.
type rotting struct {
	deals []store.Deal
	n     int
}

// Model is the Reports screen.
type Model struct {
	c    common.Common
	db   Store
	keys KeyMap

	width, height int
	seq           int
	unit, shift   int // the period: this unit shifted back shift times
	panels        [numPanels]panel
	focus         int
	scroll        int // the first line shown in the stacked layout
	drill         *drill
	// Options are the report options (the win-rate denominator).
	Options store.ReportOptions
	// WeekStart starts the activity report's weeks.
	WeekStart time.Weekday
}

// New returns the Reports screen over db.
func New(c common.Common, db Store) *Model {
	c = c.WithDefaults()
	return &Model{c: c, db: db, keys: DefaultKeyMap(), width: 80, height: 20, WeekStart: time.Monday}
}

// Title implements common.Screen.
func (m *Model) Title() string { return "Reports" }

// SetSize implements common.Screen.
func (m *Model) SetSize(width, height int) { m.width, m.height = max(width, 1), max(height, 1) }

// SetStyles implements common.Screen.
func (m *Model) SetStyles(s *styles.Styles) { m.c.Styles = s }

// Capturing implements common.Screen: the screen has no text field.
func (m *Model) Capturing() bool { return false }

// Init implements common.Screen: every panel loads in its own command.
func (m *Model) Init() tea.Cmd { return m.load(func(int) bool { return true }) }

// period is the span the period panels cover: the unit holding now, shifted back; the
// current one ends now.
func (m *Model) period() (store.Period, string) {
	now := m.c.Now().In(m.c.Loc)
	var from time.Time
	var label string
	switch m.unit {
	case unitQuarter:
		q := (int(now.Month()) - 1) / 3
		from = time.Date(now.Year(), time.Month(q*3+1), 1, 0, 0, 0, 0, m.c.Loc).AddDate(0, -3*m.shift, 0)
		label = fmt.Sprintf("Q%d %d", (int(from.Month())-1)/3+1, from.Year())
	case unitYear:
		from = time.Date(now.Year()-m.shift, 1, 1, 0, 0, 0, 0, m.c.Loc)
		label = fmt.Sprint(from.Year())
	default:
		from = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, m.c.Loc).AddDate(0, -m.shift, 0)
		label = from.Format("January 2006")
	}
	to := [...]time.Time{from.AddDate(0, 1, 0), from.AddDate(0, 3, 0), from.AddDate(1, 0, 0)}[m.unit]
	if !to.Before(now) {
		to = now
		label += " (to date)"
	}
	return store.Period{From: from, To: to}, label
}

// load starts the loads of the panels which pick.
func (m *Model) load(which func(int) bool) tea.Cmd {
	var cmds []tea.Cmd
	p, _ := m.period()
	ctx, db, o, loc, ws := m.c.Ctx, m.db, m.Options, m.c.Loc, m.WeekStart
	for i := range numPanels {
		if !which(i) {
			continue
		}
		m.seq++
		seq := m.seq
		m.panels[i].seq, m.panels[i].loading = seq, true
		var fetch func() (any, error)
		switch i {
		case pWinRate:
			fetch = func() (any, error) { return db.WinRate(ctx, p, o) }
		case pFunnel:
			fetch = func() (any, error) { return db.Funnel(ctx, p) }
		case pCycle:
			fetch = func() (any, error) { return db.Cycle(ctx, p) }
		case pVelocity:
			fetch = func() (any, error) { return db.Velocity(ctx, p, o) }
		case pForecast:
			fetch = func() (any, error) { return db.Forecast(ctx, store.ForecastOptions{Months: 3, Loc: loc}) }
		case pActivity:
			fetch = func() (any, error) {
				return db.Activity(ctx, store.ActivityOptions{From: p.From, To: p.To, WeekStart: ws, Loc: loc})
			}
		case pNeglected:
			fetch = func() (any, error) {
				var n neglect
				var err error
				if n.past, n.pastN, err = db.NeglectedContacts(ctx, listLimit); err != nil {
					return nil, err
				}
				n.untouched, n.untouchN, err = db.UntouchedContacts(ctx, untouchedDays, listLimit)
				return n, err
			}
		case pRotting:
			fetch = func() (any, error) {
				d, n, err := db.RottingDeals(ctx, listLimit)
				return rotting{d, n}, err
			}
		}
		cmds = append(cmds, func() tea.Msg {
			data, err := fetch()
			return panelMsg{panel: i, seq: seq, data: data, err: err}
		})
	}
	return tea.Batch(cmds...)
}

// Update implements common.Screen.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case panelMsg:
		p := &m.panels[msg.panel]
		if msg.seq != p.seq {
			return nil // an answer for a period since left
		}
		p.loading, p.err = false, msg.err
		if msg.err == nil {
			p.data = msg.data
		}
		return nil
	case listMsg:
		return m.gotList(msg)
	case common.ChangedMsg:
		return m.load(func(int) bool { return true })
	case tea.KeyPressMsg:
		if m.drill != nil {
			return m.drillKey(msg)
		}
		return m.key(msg)
	}
	return nil
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Next):
		m.focus = (m.focus + 1) % numPanels
	case key.Matches(msg, k.Prev):
		m.focus = (m.focus + numPanels - 1) % numPanels
	case key.Matches(msg, k.Earlier):
		m.shift++
		return m.load(periodic)
	case key.Matches(msg, k.Later):
		if m.shift == 0 {
			return common.Status("This is the current " + unitNames[m.unit] + ": there is no later one yet")
		}
		m.shift--
		return m.load(periodic)
	case key.Matches(msg, k.Unit):
		m.unit, m.shift = (m.unit+1)%3, 0
		return m.load(periodic)
	case key.Matches(msg, k.Open):
		return m.open()
	}
	return nil
}

// rows are the keys that move in a drill-down list: the panels' keys, named for rows.
func (m *Model) rows() (down, up key.Binding) {
	down, up = m.keys.Next, m.keys.Prev
	down.SetHelp("j/↓", "next row")
	up.SetHelp("k/↑", "previous row")
	return down, up
}

// ShortHelp implements common.Screen.
func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	if m.drill != nil {
		down, up := m.rows()
		return []key.Binding{down, up, k.Open, k.Back}
	}
	return []key.Binding{k.Next, k.Prev, k.Earlier, k.Later, k.Unit, k.Open}
}

// FullHelp implements common.Screen.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	if m.drill != nil {
		down, up := m.rows()
		return [][]key.Binding{{down, up}, {k.Open, k.Back}}
	}
	return [][]key.Binding{{k.Next, k.Prev}, {k.Earlier, k.Later, k.Unit}, {k.Open}}
}

// View implements common.Screen.
func (m *Model) View() string {
	if m.drill != nil {
		return frame(m.drillView(), m.width, m.height)
	}
	st := m.c.Styles
	_, label := m.period()
	head := spread(st.Title.Render("Reports")+st.Subtle.Render(" · ")+st.Heading.Render(label),
		st.Muted.Render("[ ] period · p "+unitNames[(m.unit+1)%3]+" · enter drills down"), m.width)
	lines := []string{head}
	if m.width >= 100 && m.height >= 30 {
		lines = append(lines, m.grid()...)
	} else {
		lines = append(lines, m.stacked()...)
	}
	return frame(lines, m.width, m.height)
}

// box draws panel i in w×h cells.
func (m *Model) box(i, w, h int) string {
	st := m.c.Styles
	iw, ih := w-2, h-2
	title := st.Heading.Render(panelTitles[i])
	if periodic(i) {
		title += st.Muted.Render(" · period")
	} else {
		title += st.Muted.Render(" · now")
	}
	body := []string{fit(title, iw)}
	body = append(body, m.panelBody(i, iw, ih-1)...)
	if len(body) > ih {
		body = body[:ih]
	}
	for k := range body {
		body[k] = fit(body[k], iw)
	}
	for len(body) < ih {
		body = append(body, fit("", iw))
	}
	b := st.Border
	if i == m.focus {
		b = st.Focused
	}
	return b.Width(w).Height(h).Render(strings.Join(body, "\n"))
}

// grid lays the panels out two by two.
func (m *Model) grid() []string {
	h := m.height - 1
	rows := (numPanels + 1) / 2
	var out []string
	for r := range rows {
		rh := h / rows
		if r == rows-1 {
			rh = h - rh*(rows-1)
		}
		left := m.box(2*r, m.width/2, rh)
		right := m.box(2*r+1, m.width-m.width/2, rh)
		out = append(out, strings.Split(lipgloss.JoinHorizontal(lipgloss.Top, left, right), "\n")...)
	}
	return out
}

// stackedLines is the most a panel takes in the stacked layout, with its border.
const stackedLines = 10

// stacked lays the panels out one under the other, scrolled to keep the focused one in view.
func (m *Model) stacked() []string {
	h := m.height - 1
	var all []string
	var top, bottom int
	for i := range numPanels {
		n := min(stackedLines, len(m.panelBody(i, m.width-2, stackedLines-3))+3)
		if i == m.focus {
			top, bottom = len(all), len(all)+n
		}
		all = append(all, strings.Split(m.box(i, m.width, n), "\n")...)
	}
	if top < m.scroll {
		m.scroll = top
	}
	if bottom > m.scroll+h {
		m.scroll = bottom - h
	}
	m.scroll = max(0, min(m.scroll, len(all)-h))
	end := min(len(all), m.scroll+h)
	return all[m.scroll:end]
}
