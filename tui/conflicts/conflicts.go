// Package conflicts is the sync conflicts panel: every open conflict (a value that lost
// to a concurrent edit of the same field), with both values, who wrote them and when.
// One key keeps the winner, one restores the other value as a new edit (which syncs),
// enter opens the record. The root opens it with C; it works with or without sync set
// up, since conflicts are local data once pulled.
package conflicts

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/tui/common"
	"github.com/rolo-crm/rolo/tui/internal/paged"
	"github.com/rolo-crm/rolo/tui/styles"
)

// Store is what the panel needs of the store.
type Store interface {
	Conflicts(ctx context.Context, f store.ConflictFilter) ([]store.Conflict, error)
	OpenConflictCount(ctx context.Context) (int, error)
	DismissConflict(ctx context.Context, id string) (*store.Conflict, error)
	RestoreConflict(ctx context.Context, id string) (*store.Conflict, error)
}

// KeyMap is the panel's keys. k moves up, as everywhere, so "keep" is w (the winner).
type KeyMap struct {
	Up, Down, Top, Bottom, Keep, Restore, Open, Back key.Binding
}

// DefaultKeyMap returns the panel's default keys.
func DefaultKeyMap() KeyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Up:      b("k/↑", "up", "k", "up"),
		Down:    b("j/↓", "down", "j", "down"),
		Top:     b("g", "first", "g", "home"),
		Bottom:  b("G", "last", "G", "shift+g", "end"),
		Keep:    b("w", "keep winner", "w"),
		Restore: b("r", "restore other value", "r"),
		Open:    b("enter", "open record", "enter"),
		Back:    b("esc", "close", "esc", "q"),
	}
}

// page is how many conflicts one load reads; moving past the last loads more.
const page = 100

// Model is the conflicts panel.
type Model struct {
	c    common.Common
	db   Store
	keys KeyMap
	list paged.List[store.Conflict]
	busy bool // a keep or restore is being written
	w, h int
	done bool
}

type loadedMsg struct {
	seq   int
	list  []store.Conflict
	total int
	err   error
}

type resolvedMsg struct {
	restore bool
	c       *store.Conflict
	err     error
}

// New builds the panel over db.
func New(c common.Common, db Store) *Model {
	return &Model{c: c, db: db, keys: DefaultKeyMap(), list: paged.New[store.Conflict](page), w: 80, h: 20}
}

// Init loads the open conflicts.
func (m *Model) Init() tea.Cmd { return m.load() }

func (m *Model) load() tea.Cmd {
	seq, limit := m.list.Load()
	ctx, db := m.c.Ctx, m.db
	return func() tea.Msg {
		list, err := db.Conflicts(ctx, store.ConflictFilter{Limit: limit})
		if err != nil {
			return loadedMsg{seq: seq, err: err}
		}
		n, err := db.OpenConflictCount(ctx)
		return loadedMsg{seq: seq, list: list, total: n, err: err}
	}
}

// Done reports whether the panel closed itself (esc, or a record opened).
func (m *Model) Done() bool { return m.done }

// Title implements common.Screen.
func (m *Model) Title() string { return "Conflicts" }

// Capturing implements common.Screen: the panel has no text field.
func (m *Model) Capturing() bool { return false }

// SetSize implements common.Screen.
func (m *Model) SetSize(w, h int) { m.w, m.h = w, h }

// SetStyles implements common.Screen.
func (m *Model) SetStyles(s *styles.Styles) { m.c.Styles = s }

// ShortHelp implements common.Screen.
func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	return []key.Binding{k.Keep, k.Restore, k.Open, k.Back}
}

// FullHelp implements common.Screen.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{{k.Up, k.Down, k.Top, k.Bottom}, {k.Keep, k.Restore, k.Open, k.Back}}
}

// Selected is the conflict under the cursor, or nil.
func (m *Model) Selected() *store.Conflict { return m.list.Selected() }

// Update implements common.Screen.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case loadedMsg:
		m.list.Apply(msg.seq, msg.list, msg.total, msg.err)
		return nil
	case resolvedMsg:
		m.busy = false
		if msg.err != nil {
			return common.Error(msg.err)
		}
		c := msg.c
		what := fmt.Sprintf("%s's %s", label(c), c.Field)
		if msg.restore {
			return common.Changed(fmt.Sprintf("Restored %s as %s (a new edit that syncs)", value(c.LoserValue), what))
		}
		return common.Changed(fmt.Sprintf("Kept %s as %s", value(c.WinnerValue), what))
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
	case key.Matches(msg, k.Back):
		m.done = true
	case key.Matches(msg, k.Up):
		m.list.Cursor = max(m.list.Cursor-1, 0)
	case key.Matches(msg, k.Down):
		return m.move(m.list.Cursor + 1)
	case key.Matches(msg, k.Top):
		m.list.Cursor = 0
	case key.Matches(msg, k.Bottom):
		return m.move(len(m.list.Items) - 1)
	case key.Matches(msg, k.Keep), key.Matches(msg, k.Restore):
		c := m.Selected()
		if c == nil || m.busy {
			return nil
		}
		m.busy = true
		restore := key.Matches(msg, k.Restore)
		ctx, db, id := m.c.Ctx, m.db, c.ID
		return func() tea.Msg {
			var got *store.Conflict
			var err error
			if restore {
				got, err = db.RestoreConflict(ctx, id)
			} else {
				got, err = db.DismissConflict(ctx, id)
			}
			return resolvedMsg{restore: restore, c: got, err: err}
		}
	case key.Matches(msg, k.Open):
		c := m.Selected()
		if c == nil {
			return nil
		}
		var open tea.Msg
		switch c.Entity {
		case store.EntityContact:
			open = common.OpenContactMsg{ID: c.EntityID}
		case store.EntityCompany:
			open = common.OpenCompanyMsg{ID: c.EntityID}
		case store.EntityDeal:
			open = common.OpenDealMsg{ID: c.EntityID}
		default:
			return common.Status(fmt.Sprintf("a %s opens from its contact or deal", strings.ReplaceAll(c.Entity, "_", "-")))
		}
		m.done = true
		return common.Open(open)
	}
	return nil
}

// move puts the cursor on row i, loading the next page when it reaches the end of what
// is loaded.
func (m *Model) move(i int) tea.Cmd {
	if m.list.Move(i) {
		return m.load()
	}
	return nil
}

// label names a conflict's record.
func label(c *store.Conflict) string {
	if c.Label != "" {
		return c.Label
	}
	return c.Entity + " " + store.ShortID(c.EntityID)
}

// value shows a field value: text as it is, nothing as "(empty)", lists joined.
func value(raw json.RawMessage) string {
	var v any
	if len(raw) == 0 || json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	switch v := v.(type) {
	case nil:
		return "(empty)"
	case string:
		if v == "" {
			return "(empty)"
		}
		return strings.Join(strings.Fields(v), " ")
	case []any:
		var parts []string
		for _, p := range v {
			parts = append(parts, fmt.Sprint(p))
		}
		return strings.Join(parts, ", ")
	}
	return strings.TrimSpace(string(raw))
}

// View implements common.Screen.
func (m *Model) View() string {
	st := m.c.Styles
	head := " " + st.Title.Render("Sync conflicts")
	switch {
	case !m.list.Loaded:
		return common.Fit(head+"\n\n "+st.Subtle.Render("loading…"), m.w, m.h)
	case m.list.Err != nil:
		return common.Fit(head+"\n\n "+st.Danger.Render(common.ErrText(m.list.Err)), m.w, m.h)
	case len(m.list.Items) == 0:
		return common.Fit(head+st.Subtle.Render(" · none open")+"\n\n "+
			st.Subtle.Render("When two people change the same field before syncing, the later edit wins and the")+"\n "+
			st.Subtle.Render("other value is kept here, to keep or restore."), m.w, m.h)
	}
	head += st.Subtle.Render(fmt.Sprintf(" · %d open", m.list.Total))
	if len(m.list.Items) < m.list.Total {
		head += st.Subtle.Render(fmt.Sprintf(" (%d loaded)", len(m.list.Items)))
	}
	detail := m.detail()
	rows := max(m.h-3-len(detail), 1)
	labelW := max(min(m.w/4, 28), 10)
	fieldW := max(min(m.w/5, 22), 10)
	lines := append([]string{head, ""}, m.list.Rows(st, m.w, rows, func(c *store.Conflict) string {
		return common.PadRight(label(c), labelW) + " " + common.PadRight(c.Entity+" · "+c.Field, fieldW) + " " +
			"kept " + value(c.WinnerValue) + " · other " + value(c.LoserValue)
	})...)
	// The detail stays at the foot however few rows there are.
	for len(lines) < rows+2 {
		lines = append(lines, "")
	}
	lines = append(lines, "")
	lines = append(lines, detail...)
	return common.Fit(strings.Join(lines, "\n"), m.w, m.h)
}

// detail is the selected conflict in full: both values, who wrote them and when.
func (m *Model) detail() []string {
	st := m.c.Styles
	c := m.Selected()
	if c == nil {
		return nil
	}
	who := func(user, device string, h store.HLC) string {
		s := user
		if device != "" {
			s += " on " + store.ShortID(device)
		}
		if h != 0 {
			s += " · " + m.c.Date(h.Time(), false)
		}
		return s
	}
	valW := max(min(m.w/3, 40), 12)
	return []string{
		" " + st.Heading.Render(label(c)) + st.Subtle.Render(" · "+c.Entity+" · "+c.Field),
		"   " + st.Success.Render(common.PadRight("kept", 7)) + common.PadRight(value(c.WinnerValue), valW) + " " +
			st.Subtle.Render(who(c.WinnerUser, c.WinnerDevice, c.WinnerHLC)),
		"   " + st.Warning.Render(common.PadRight("other", 7)) + common.PadRight(value(c.LoserValue), valW) + " " +
			st.Subtle.Render(who(c.LoserUser, c.LoserDevice, c.LoserHLC)),
	}
}
