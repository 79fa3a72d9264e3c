// Package contacts is the Contacts screen: a list of every contact (or, after `c`,
// every company) that filters as you type, and a detail pane with the record's
// fields, deals, open follow-ups and timeline. The list never loads the whole table:
// it holds a window of rows read by keyset through the name index and slides it as
// the cursor nears an edge; a filter reads a bounded number of full-text matches.
package contacts

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/tui/common"
	"github.com/rolo-crm/rolo/tui/flow"
	"github.com/rolo-crm/rolo/tui/form"
	"github.com/rolo-crm/rolo/tui/styles"
)

// KeyMap is the Contacts screen's bindings.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	Open, Back, Filter, Companies           key.Binding
	Add, Edit, Delete, Log, FollowUp, Notes key.Binding
	More                                    key.Binding
}

// DefaultKeyMap returns the default bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:        key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("k/↑", "up")),
		Down:      key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("j/↓", "down")),
		PageUp:    key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown:  key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdown", "page down")),
		Top:       key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "first")),
		Bottom:    key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "last")),
		Open:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close detail/clear filter")),
		Filter:    key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Companies: key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "contacts ⇄ companies")),
		Add:       key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add")),
		Edit:      key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
		Delete:    key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "delete")),
		Log:       key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "log interaction")),
		FollowUp:  key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "add follow-up")),
		Notes:     key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "edit notes in $EDITOR")),
		More:      key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "older timeline entries")),
	}
}

type mode int

const (
	modeContacts mode = iota
	modeCompanies
)

// windowSize is how many rows one window read brings; the list keeps at most
// maxRows, dropping a window's worth from the far end as it slides.
const (
	windowSize = 100
	maxRows    = 300
	searchMax  = 500
)

// row is one list line: a contact or a company.
type row struct {
	id, name, company, email, tags string
	touched                        string
	key                            store.ListKey
}

type loadKind int

const (
	loadReset  loadKind = iota // replace the window (start, end, reload in place, search)
	loadAfter                  // append after the last row
	loadBefore                 // prepend before the first row
)

type rowsMsg struct {
	seq     int
	mode    mode
	kind    loadKind
	rows    []row
	atTop   bool
	atEnd   bool
	more    bool // a search had more matches than it read
	focusID string
	err     error
}

type detailMsg struct {
	seq    int
	detail *detail
	err    error
}

type timelineMsg struct {
	seq     int
	entries []store.Interaction
	err     error
}

type savedMsg struct {
	tag    string
	id     string
	status string
	err    error
	// contactOrCompany is the record an edit form opens on (tag "edit-open").
	contactOrCompany editLoadedMsg
}

// Model is the Contacts screen.
type Model struct {
	c    common.Common
	db   *store.DB
	keys KeyMap
	flow *flow.Flow
	form *form.Model
	w, h int

	mode       mode
	openOnLoad bool // enter was pressed in the filter before its results came
	filter     textinput.Model
	filtering  bool
	query      string
	rows       []row
	cursor     int
	offset     int
	atTop      bool
	atEnd      bool
	more       bool
	loaded     bool
	loading    bool
	seq        int
	err        error

	editing  editLoadedMsg // the record the edit form started from
	notesFor *detail       // the record whose notes are in $EDITOR

	det      *detail
	detSeq   int
	detOpen  bool
	detFocus bool
	detOff   int
}

// New returns the Contacts screen.
func New(c common.Common, db *store.DB) *Model {
	m := &Model{c: c, db: db, keys: DefaultKeyMap(), flow: flow.New(c, db), w: 80, h: 20}
	m.filter = common.NewInput(c.Styles, "/ ", "")
	m.filter.Placeholder = "type to filter by name, email, company, tag…"
	m.filter.Blur()
	return m
}

// Init loads the first window.
func (m *Model) Init() tea.Cmd { return m.reset("") }

// SetSize implements common.Screen.
func (m *Model) SetSize(w, h int) {
	m.w, m.h = w, h
	m.flow.SetWidth(w)
	m.filter.SetWidth(max(10, m.listWidth()-6))
	if m.form != nil {
		m.form.SetSize(w, h)
	}
}

// SetStyles implements common.Screen.
func (m *Model) SetStyles(s *styles.Styles) {
	m.c.Styles = s
	m.flow.SetCommon(m.c)
	v, f := m.filter.Value(), m.filter.Focused()
	m.filter = common.NewInput(s, "/ ", v)
	m.filter.Placeholder = "type to filter by name, email, company, tag…"
	if !f {
		m.filter.Blur()
	}
	m.filter.SetWidth(max(10, m.listWidth()-6))
}

// Title implements common.Screen.
func (m *Model) Title() string { return "Contacts" }

// Capturing implements common.Screen.
func (m *Model) Capturing() bool { return m.filtering || m.form != nil || m.flow.Active() }

// ShortHelp implements common.Screen.
func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	if m.detOpen {
		return []key.Binding{k.Back, k.Log, k.FollowUp, k.Edit}
	}
	return []key.Binding{k.Open, k.Add, k.Log, k.Companies}
}

// FullHelp implements common.Screen.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Open, k.Back, k.Filter, k.Companies, k.More},
		{k.Add, k.Edit, k.Delete, k.Log, k.FollowUp, k.Notes},
	}
}

// Rows is how many rows the list holds now (a window, never the whole table).
func (m *Model) Rows() int { return len(m.rows) }

// Query is the filter in effect.
func (m *Model) Query() string { return m.query }

// --- loading -----------------------------------------------------------------

func (m *Model) reset(focusID string) tea.Cmd {
	m.query = strings.TrimSpace(m.filter.Value())
	return m.loadWindow(loadReset, store.Window{Limit: windowSize * 2}, focusID)
}

func (m *Model) loadWindow(kind loadKind, w store.Window, focusID string) tea.Cmd {
	m.seq++
	m.loading = true
	seq, ctx, db, md, q := m.seq, m.c.Ctx, m.db, m.mode, m.query
	c := m.c
	return func() tea.Msg {
		msg := rowsMsg{seq: seq, mode: md, kind: kind, focusID: focusID}
		if q != "" {
			msg.rows, msg.more, msg.err = search(ctx, db, md, q, c)
			msg.atTop, msg.atEnd = true, true
			return msg
		}
		msg.rows, msg.err = window(ctx, db, md, w, c)
		full := len(msg.rows) >= w.Limit
		switch {
		case kind == loadAfter:
			msg.atEnd = !full
		case kind == loadBefore:
			msg.atTop = !full
		case w.FromEnd:
			msg.atEnd, msg.atTop = true, !full
		case w.From != nil:
			msg.atEnd = !full
		default:
			msg.atTop, msg.atEnd = true, !full
		}
		return msg
	}
}

func (m *Model) applyRows(msg rowsMsg) {
	m.loading = false
	m.loaded, m.err = true, msg.err
	if msg.err != nil {
		return
	}
	switch msg.kind {
	case loadReset:
		m.rows, m.atTop, m.atEnd, m.more = msg.rows, msg.atTop, msg.atEnd, msg.more
		m.cursor = 0
		if msg.focusID == "end" {
			m.cursor = len(m.rows) - 1
		} else if msg.focusID != "" {
			for i, r := range m.rows {
				if r.id == msg.focusID {
					m.cursor = i
				}
			}
		}
		m.offset = 0
	case loadAfter:
		m.rows = append(m.rows, msg.rows...)
		m.atEnd = msg.atEnd
		if drop := len(m.rows) - maxRows; drop > 0 {
			m.rows = m.rows[drop:]
			m.cursor -= drop
			m.offset = max(m.offset-drop, 0)
			m.atTop = false
		}
	case loadBefore:
		m.rows = append(append([]row{}, msg.rows...), m.rows...)
		m.cursor += len(msg.rows)
		m.offset += len(msg.rows)
		m.atTop = msg.atTop
		if len(m.rows) > maxRows {
			m.rows = m.rows[:maxRows]
			m.atEnd = false
		}
	}
	m.cursor = max(0, min(m.cursor, len(m.rows)-1))
}

// slide loads the next window when the cursor comes near an edge of the one held.
func (m *Model) slide() tea.Cmd {
	if m.loading || m.query != "" || len(m.rows) == 0 {
		return nil
	}
	margin := max(m.h, 10)
	if m.cursor >= len(m.rows)-margin && !m.atEnd {
		k := m.rows[len(m.rows)-1].key
		return m.loadWindow(loadAfter, store.Window{After: &k, Limit: windowSize}, "")
	}
	if m.cursor < margin && !m.atTop {
		k := m.rows[0].key
		return m.loadWindow(loadBefore, store.Window{Before: &k, Limit: windowSize}, "")
	}
	return nil
}

// reload re-reads the window in place after a change, keeping the cursor's record.
func (m *Model) reload() tea.Cmd {
	focus := ""
	if r, ok := m.current(); ok {
		focus = r.id
	}
	if m.query != "" || m.atTop || len(m.rows) == 0 {
		return m.loadWindow(loadReset, store.Window{Limit: max(windowSize*2, len(m.rows))}, focus)
	}
	k := m.rows[0].key
	return m.loadWindow(loadReset, store.Window{From: &k, Limit: max(windowSize*2, len(m.rows))}, focus)
}

func (m *Model) current() (row, bool) {
	if m.cursor < 0 || m.cursor >= len(m.rows) {
		return row{}, false
	}
	return m.rows[m.cursor], true
}

// --- update ------------------------------------------------------------------

// Update implements common.Screen.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	if cmd, ok := m.flow.Update(msg); ok {
		return cmd
	}
	switch msg := msg.(type) {
	case rowsMsg:
		if msg.seq != m.seq || msg.mode != m.mode {
			return nil
		}
		m.applyRows(msg)
		if m.openOnLoad && msg.kind == loadReset {
			m.openOnLoad = false
			if r, ok := m.current(); ok {
				m.detOpen, m.detFocus, m.detOff = true, true, 0
				return m.loadDetail(m.rowKind(), r.id)
			}
		}
		return m.slide()
	case detailMsg:
		if msg.seq != m.detSeq {
			return nil
		}
		if msg.err != nil {
			if errors.Is(msg.err, store.ErrNotFound) {
				m.det, m.detOpen, m.detFocus = nil, false, false
			}
			return common.Error(msg.err)
		}
		m.det = msg.detail
	case timelineMsg:
		if msg.seq != m.detSeq || m.det == nil {
			return nil
		}
		if msg.err != nil {
			return common.Error(msg.err)
		}
		m.det.timeline = append(m.det.timeline, msg.entries...)
		m.det.timelineDone = len(msg.entries) < timelinePage
	case savedMsg:
		return m.saved(msg)
	case form.SubmitMsg:
		if m.form != nil && msg.Tag == m.form.Tag() {
			return m.save(msg)
		}
	case form.CancelMsg:
		m.form = nil
	case common.EditedMsg:
		if m.form != nil {
			return m.form.Update(msg)
		}
		if msg.Tag == "notes" {
			return m.saveNotes(msg)
		}
	case common.ChangedMsg:
		cmds := []tea.Cmd{m.reload()}
		if m.detOpen && m.det != nil {
			cmds = append(cmds, m.loadDetail(m.det.kind, m.det.id))
		}
		return tea.Batch(cmds...)
	case common.OpenContactMsg:
		return m.openRecord(kindContact, msg.ID)
	case common.OpenCompanyMsg:
		return m.openRecord(kindCompany, msg.ID)
	case common.OpenDealMsg:
		return m.openRecord(kindDeal, msg.ID)
	case tea.KeyPressMsg:
		if m.form != nil {
			return m.form.Update(msg)
		}
		if m.filtering {
			return m.filterKey(msg)
		}
		return m.key(msg)
	}
	return nil
}

func (m *Model) openRecord(k recordKind, id string) tea.Cmd {
	m.form = nil
	m.filtering = false
	m.filter.Blur()
	m.detOpen, m.detFocus, m.detOff = true, true, 0
	return m.loadDetail(k, id)
}

func (m *Model) filterKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "esc":
		m.filtering = false
		m.filter.Blur()
		m.filter.SetValue("")
		if m.query != "" {
			return m.reset("")
		}
		return nil
	case "enter", "down", "up":
		m.filtering = false
		m.filter.Blur()
		if msg.String() == "enter" && m.loading {
			// Typed fast: open the top match of what was typed once it arrives.
			m.openOnLoad = true
			return nil
		}
		if msg.String() == "enter" && len(m.rows) > 0 {
			r := m.rows[m.cursor]
			m.detOpen, m.detFocus, m.detOff = true, true, 0
			return m.loadDetail(m.rowKind(), r.id)
		}
		return nil
	}
	var cmd tea.Cmd
	m.filter, cmd = m.filter.Update(msg)
	if strings.TrimSpace(m.filter.Value()) != m.query {
		return tea.Batch(cmd, m.reset(""))
	}
	return cmd
}

func (m *Model) rowKind() recordKind {
	if m.mode == modeCompanies {
		return kindCompany
	}
	return kindContact
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Back):
		if m.detOpen {
			m.detOpen, m.detFocus = false, false
			return nil
		}
		if m.query != "" {
			m.filter.SetValue("")
			return m.reset("")
		}
		return nil
	case key.Matches(msg, k.Filter):
		m.filtering, m.detFocus = true, false
		if m.narrow() {
			m.detOpen = false
		}
		return m.filter.Focus()
	case key.Matches(msg, k.Companies):
		if m.mode == modeContacts {
			m.mode = modeCompanies
		} else {
			m.mode = modeContacts
		}
		m.detOpen, m.detFocus = false, false
		m.rows = nil
		return m.reset("")
	case key.Matches(msg, k.Add):
		return m.openAdd()
	}
	if m.detOpen && m.detFocus {
		if cmd, ok := m.detailKey(msg); ok {
			return cmd
		}
	}
	switch {
	case key.Matches(msg, k.Up):
		m.cursor = max(m.cursor-1, 0)
		return m.slide()
	case key.Matches(msg, k.Down):
		m.cursor = min(m.cursor+1, max(len(m.rows)-1, 0))
		return m.slide()
	case key.Matches(msg, k.PageUp):
		m.cursor = max(m.cursor-m.listHeight(), 0)
		return m.slide()
	case key.Matches(msg, k.PageDown):
		m.cursor = min(m.cursor+m.listHeight(), max(len(m.rows)-1, 0))
		return m.slide()
	case key.Matches(msg, k.Top):
		if m.atTop {
			m.cursor = 0
			return nil
		}
		return m.loadWindow(loadReset, store.Window{Limit: windowSize * 2}, "")
	case key.Matches(msg, k.Bottom):
		if m.atEnd {
			m.cursor = max(len(m.rows)-1, 0)
			return nil
		}
		return m.loadWindow(loadReset, store.Window{FromEnd: true, Limit: windowSize * 2}, "end")
	case key.Matches(msg, k.Open):
		if r, ok := m.current(); ok {
			m.detOpen, m.detFocus, m.detOff = true, true, 0
			return m.loadDetail(m.rowKind(), r.id)
		}
		return nil
	}
	// Record actions act on the open record, else on the selected row.
	kind, id, label := m.target()
	if id == "" {
		return nil
	}
	switch {
	case key.Matches(msg, k.Edit):
		return m.openEdit(kind, id)
	case key.Matches(msg, k.Delete):
		return m.askDelete(kind, id, label)
	case key.Matches(msg, k.Log):
		m.flow.Log(m.flowTarget(kind, id, label))
	case key.Matches(msg, k.FollowUp):
		if kind == kindCompany {
			return common.Status("follow-ups belong to a contact or a deal: open one of the company's contacts")
		}
		m.flow.FollowUp(m.flowTarget(kind, id, label))
	case key.Matches(msg, k.Notes):
		return m.editNotes(kind, id)
	}
	return nil
}

// target is the record actions apply to: the open detail's, else the selected row's.
func (m *Model) target() (recordKind, string, string) {
	if m.detOpen && m.det != nil {
		return m.det.kind, m.det.id, m.det.label
	}
	if r, ok := m.current(); ok {
		return m.rowKind(), r.id, r.name
	}
	return 0, "", ""
}

func (m *Model) flowTarget(kind recordKind, id, label string) flow.Target {
	t := flow.Target{Label: label}
	switch kind {
	case kindContact:
		t.ContactID = id
	case kindCompany:
		t.CompanyID = id
	case kindDeal:
		t.DealID = id
		if m.det != nil && m.det.deal != nil {
			t.ContactID = m.det.deal.ContactID
		}
	}
	return t
}

func (m *Model) askDelete(kind recordKind, id, label string) tea.Cmd {
	ctx, db := m.c.Ctx, m.db
	m.flow.Confirm(fmt.Sprintf("Delete %s %s? (u undoes it)", kind, label), func() tea.Cmd {
		return func() tea.Msg {
			var err error
			switch kind {
			case kindContact:
				err = db.DeleteContact(ctx, id)
			case kindCompany:
				err = db.DeleteCompany(ctx, id)
			case kindDeal:
				err = db.DeleteDeal(ctx, id)
			}
			if err != nil {
				return common.StatusMsg{Err: err}
			}
			return savedMsg{tag: "delete", id: id, status: fmt.Sprintf("Deleted %s %s", kind, label)}
		}
	})
	return nil
}

func (m *Model) narrow() bool { return m.w < 100 }

func (m *Model) listWidth() int {
	if m.detOpen && !m.narrow() {
		return m.w * 45 / 100
	}
	return m.w
}

func (m *Model) listHeight() int { return max(m.h-3, 1) }
