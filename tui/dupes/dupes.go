// Package dupes is the duplicates review: the likely duplicate contacts and companies
// (store.FindDuplicates), best first, one pair at a time with the two records side by
// side. m merges the pair (undo reverts it), s or n skips it. The root opens it with D.
package dupes

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/tui/common"
	"github.com/rolo-crm/rolo/tui/internal/paged"
	"github.com/rolo-crm/rolo/tui/styles"
)

// Store is what the review needs of the store.
type Store interface {
	FindDuplicates(ctx context.Context, f store.DuplicateFilter) ([]store.Duplicate, int, error)
	MergeDuplicate(ctx context.Context, d store.Duplicate) (*store.Merge, error)
	FindContactByID(ctx context.Context, id string) (*store.Contact, error)
	FindCompanyByID(ctx context.Context, id string) (*store.Company, error)
	FindDeals(ctx context.Context, f store.DealFilter) ([]store.Deal, int, error)
	Timeline(ctx context.Context, f store.TimelineFilter) ([]store.Interaction, error)
}

// KeyMap is the review's keys.
type KeyMap struct {
	Up, Down, Merge, Skip, Open, Back key.Binding
}

// DefaultKeyMap returns the review's default keys.
func DefaultKeyMap() KeyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Up:    b("k/↑", "previous pair", "k", "up"),
		Down:  b("j/↓", "next pair", "j", "down"),
		Merge: b("m", "merge", "m"),
		Skip:  b("s/n", "skip", "s", "n"),
		Open:  b("enter", "open the kept record", "enter"),
		Back:  b("esc", "close", "esc", "q"),
	}
}

// page is how many pairs one load describes; moving past the last loads more.
const page = 50

// timelineCap bounds the timeline count of a side: past it the view says "100+".
const timelineCap = 100

// fieldOrder is the order of the side-by-side rows.
var fieldOrder = []string{"title", "company", "domain", "emails", "phones", "phone", "tags", "contacts", "timeline", "deals"}

// side is one record of the selected pair, as the view lists it.
type side struct {
	name   string
	fields [][2]string // label, value
}

// Model is the duplicates review.
type Model struct {
	c       common.Common
	db      Store
	keys    KeyMap
	list    paged.List[store.Duplicate]
	skipped map[string]bool
	merged  int  // merges made in this review
	busy    bool // a merge is being written
	detSeq  int
	detKey  string  // the pair the sides describe
	sides   [2]side // keep, other
	detErr  error
	w, h    int
	done    bool
}

type loadedMsg struct {
	seq   int
	list  []store.Duplicate
	total int
	err   error
}

type detailMsg struct {
	seq   int
	key   string
	sides [2]side
	err   error
}

type mergedMsg struct {
	key   string
	merge *store.Merge
	err   error
}

// New builds the review over db.
func New(c common.Common, db Store) *Model {
	return &Model{c: c, db: db, keys: DefaultKeyMap(), list: paged.New[store.Duplicate](page), skipped: map[string]bool{}, w: 80, h: 20}
}

func pairKey(d store.Duplicate) string { return d.Keep.ID + "/" + d.Other.ID }

// Init loads the first page of pairs.
func (m *Model) Init() tea.Cmd { return m.load() }

func (m *Model) load() tea.Cmd {
	seq, limit := m.list.Load()
	ctx, db := m.c.Ctx, m.db
	return func() tea.Msg {
		list, total, err := db.FindDuplicates(ctx, store.DuplicateFilter{Limit: limit})
		return loadedMsg{seq: seq, list: list, total: total, err: err}
	}
}

// loadDetail reads the selected pair's two records, unless they are already shown.
func (m *Model) loadDetail() tea.Cmd {
	d := m.Selected()
	if d == nil || pairKey(*d) == m.detKey {
		return nil
	}
	m.detSeq++
	seq, ctx, db, pair := m.detSeq, m.c.Ctx, m.db, *d
	return func() tea.Msg {
		msg := detailMsg{seq: seq, key: pairKey(pair)}
		for i, id := range []string{pair.Keep.ID, pair.Other.ID} {
			if msg.sides[i], msg.err = describe(ctx, db, pair.Entity, id); msg.err != nil {
				break
			}
		}
		return msg
	}
}

// describe reads what tells a record apart: a contact's company, emails, phones and
// tags, a company's domain, phone and tags, and how much hangs off it.
func describe(ctx context.Context, db Store, entity, id string) (side, error) {
	var s side
	add := func(label, value string) {
		if value != "" {
			s.fields = append(s.fields, [2]string{label, value})
		}
	}
	f := store.DealFilter{ContactID: id, Limit: 1}
	tf := store.TimelineFilter{ContactID: id, Limit: timelineCap}
	switch entity {
	case store.EntityContact:
		c, err := db.FindContactByID(ctx, id)
		if err != nil {
			return s, err
		}
		s.name = c.Name
		add("title", c.Title)
		add("company", c.Company)
		var emails, phones []string
		for _, e := range c.Emails {
			emails = append(emails, e.Email)
		}
		for _, p := range c.Phones {
			phones = append(phones, p.Phone)
		}
		add("emails", strings.Join(emails, ", "))
		add("phones", strings.Join(phones, ", "))
		add("tags", strings.Join(c.Tags, ", "))
	case store.EntityCompany:
		c, err := db.FindCompanyByID(ctx, id)
		if err != nil {
			return s, err
		}
		s.name = c.Name
		add("domain", c.Domain)
		add("phone", c.Phone)
		add("tags", strings.Join(c.Tags, ", "))
		add("contacts", fmt.Sprint(c.Contacts))
		f = store.DealFilter{CompanyID: id, Limit: 1}
		tf = store.TimelineFilter{CompanyID: id, Limit: timelineCap}
	default:
		return s, fmt.Errorf("a %s has no duplicates review", entity)
	}
	_, deals, err := db.FindDeals(ctx, f)
	if err != nil {
		return s, err
	}
	tl, err := db.Timeline(ctx, tf)
	if err != nil {
		return s, err
	}
	n := fmt.Sprint(len(tl))
	if len(tl) >= timelineCap {
		n = fmt.Sprintf("%d+", timelineCap)
	}
	s.fields = append(s.fields, [2]string{"timeline", n + " entries"}, [2]string{"deals", fmt.Sprintf("%d open", deals)})
	return s, nil
}

// Done reports whether the review closed itself.
func (m *Model) Done() bool { return m.done }

// Title implements common.Screen.
func (m *Model) Title() string { return "Duplicates" }

// Capturing implements common.Screen: the review has no text field.
func (m *Model) Capturing() bool { return false }

// SetSize implements common.Screen.
func (m *Model) SetSize(w, h int) { m.w, m.h = w, h }

// SetStyles implements common.Screen.
func (m *Model) SetStyles(s *styles.Styles) { m.c.Styles = s }

// ShortHelp implements common.Screen.
func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	return []key.Binding{k.Merge, k.Skip, k.Down, k.Back}
}

// FullHelp implements common.Screen.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{{k.Up, k.Down, k.Open}, {k.Merge, k.Skip, k.Back}}
}

// Selected is the pair under the cursor, or nil.
func (m *Model) Selected() *store.Duplicate { return m.list.Selected() }

// Update implements common.Screen.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case loadedMsg:
		if !m.list.Apply(msg.seq, msg.list, msg.total, msg.err) {
			return nil
		}
		return m.loadDetail()
	case detailMsg:
		if msg.seq != m.detSeq {
			return nil
		}
		m.detKey, m.sides, m.detErr = msg.key, msg.sides, msg.err
		return nil
	case mergedMsg:
		m.busy = false
		switch {
		case msg.err != nil:
			return common.Error(msg.err)
		case msg.merge == nil:
			m.drop(msg.key)
			return tea.Batch(common.Status("Already one record"), m.loadDetail())
		}
		m.merged++
		m.drop(msg.key)
		mg := msg.merge
		// The list reloads on the ChangedMsg this sends (the root broadcasts it).
		return tea.Batch(common.Changed(fmt.Sprintf("Merged %s into %s · u undoes", mg.Other, mg.Keep)), m.loadDetail())
	case common.ChangedMsg:
		return m.load()
	case tea.KeyPressMsg:
		return m.key(msg)
	}
	return nil
}

// drop removes a merged pair at once, so the next pair shows while the list reloads.
func (m *Model) drop(key string) {
	l := &m.list
	for i, d := range l.Items {
		if pairKey(d) == key {
			l.Items = append(l.Items[:i:i], l.Items[i+1:]...)
			l.Total = max(l.Total-1, 0)
			break
		}
	}
	l.Clamp()
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Back):
		m.done = true
	case key.Matches(msg, k.Up):
		m.list.Cursor = max(m.list.Cursor-1, 0)
		return m.loadDetail()
	case key.Matches(msg, k.Down):
		return m.move(m.list.Cursor + 1)
	case key.Matches(msg, k.Skip):
		d := m.Selected()
		if d == nil {
			return nil
		}
		m.skipped[pairKey(*d)] = true
		// On to the next pair not skipped yet, if any after this one.
		next := m.list.Cursor + 1
		for next < len(m.list.Items) && m.skipped[pairKey(m.list.Items[next])] {
			next++
		}
		if next >= len(m.list.Items) {
			next = m.list.Cursor + 1
		}
		return m.move(next)
	case key.Matches(msg, k.Merge):
		d := m.Selected()
		if d == nil || m.busy {
			return nil
		}
		m.busy = true
		ctx, db, pair := m.c.Ctx, m.db, *d
		return func() tea.Msg {
			mg, err := db.MergeDuplicate(ctx, pair)
			return mergedMsg{key: pairKey(pair), merge: mg, err: err}
		}
	case key.Matches(msg, k.Open):
		d := m.Selected()
		if d == nil {
			return nil
		}
		m.done = true
		if d.Entity == store.EntityCompany {
			return common.Open(common.OpenCompanyMsg{ID: d.Keep.ID})
		}
		return common.Open(common.OpenContactMsg{ID: d.Keep.ID})
	}
	return nil
}

// move puts the cursor on pair i, loading the next page when it reaches the end of
// what is loaded.
func (m *Model) move(i int) tea.Cmd {
	more := m.list.Move(i)
	cmd := m.loadDetail()
	if more {
		return tea.Batch(cmd, m.load())
	}
	return cmd
}

// View implements common.Screen.
func (m *Model) View() string {
	st := m.c.Styles
	head := " " + st.Title.Render("Duplicates")
	switch {
	case !m.list.Loaded:
		return common.Fit(head+"\n\n "+st.Subtle.Render("looking for duplicates…"), m.w, m.h)
	case m.list.Err != nil:
		return common.Fit(head+"\n\n "+st.Danger.Render(common.ErrText(m.list.Err)), m.w, m.h)
	case len(m.list.Items) == 0:
		msg := "No likely duplicates left."
		if m.merged > 0 {
			msg = fmt.Sprintf("Merged %d · no likely duplicates left.", m.merged)
		}
		return common.Fit(head+"\n\n "+st.Subtle.Render(msg), m.w, m.h)
	}
	info := fmt.Sprintf(" · pair %d of %d", m.list.Cursor+1, m.list.Total)
	if n := len(m.skipped); n > 0 {
		info += fmt.Sprintf(" · %d skipped", n)
	}
	if m.merged > 0 {
		info += fmt.Sprintf(" · %d merged", m.merged)
	}
	head += st.Subtle.Render(info)
	sides := m.sideBySide()
	rows := max(m.h-3-len(sides), 1)
	nameW := max(min((m.w-40)/2, 26), 8)
	lines := append([]string{head, ""}, m.list.Rows(st, m.w, rows, func(d *store.Duplicate) string {
		mark := " "
		if m.skipped[pairKey(*d)] {
			mark = "·"
		}
		return fmt.Sprintf("%3d %s ", d.Score, mark) + common.PadRight(d.Keep.Name, nameW) + " ⇐ " +
			common.PadRight(d.Other.Name, nameW) + "  " + d.Reason
	})...)
	lines = append(lines, "")
	lines = append(lines, sides...)
	return common.Fit(strings.Join(lines, "\n"), m.w, m.h)
}

// sideBySide draws the selected pair: the record kept on the left, the one merged into
// it on the right, field by field.
func (m *Model) sideBySide() []string {
	st := m.c.Styles
	d := m.Selected()
	if d == nil {
		return nil
	}
	kind := "contact"
	if d.Entity == store.EntityCompany {
		kind = "company"
	}
	reason := d.Reason
	if len(d.Reasons) > 0 {
		reason = strings.Join(d.Reasons, "; ")
	}
	out := []string{" " + st.Heading.Render(fmt.Sprintf("Score %d", d.Score)) + st.Subtle.Render(" · "+kind+" · "+reason)}
	if m.detErr != nil && m.detKey == pairKey(*d) {
		return append(out, " "+st.Danger.Render(common.ErrText(m.detErr)))
	}
	colW := max((m.w-4)/2, 10)
	labelW := 10
	cell := func(s string) string { return common.PadRight(s, colW) }
	out = append(out, " "+st.Success.Render(cell("Keep"))+"  "+st.Warning.Render(cell("Merge into it")))
	if m.detKey != pairKey(*d) {
		return append(out, " "+cell(d.Keep.Name)+"  "+cell(d.Other.Name), " "+st.Subtle.Render("loading…"))
	}
	out = append(out, " "+st.Heading.Render(cell(m.sides[0].name))+"  "+st.Heading.Render(cell(m.sides[1].name)))
	// Align the two records on their labels: every label either has.
	var labels []string
	for _, l := range fieldOrder {
		for _, s := range m.sides {
			if slices.ContainsFunc(s.fields, func(f [2]string) bool { return f[0] == l }) {
				labels = append(labels, l)
				break
			}
		}
	}
	val := func(s side, label string) string {
		for _, f := range s.fields {
			if f[0] == label {
				return f[1]
			}
		}
		return "—"
	}
	for _, l := range labels {
		left := st.Subtle.Render(common.PadRight(l, labelW)) + val(m.sides[0], l)
		right := st.Subtle.Render(common.PadRight(l, labelW)) + val(m.sides[1], l)
		out = append(out, " "+cell(left)+"  "+cell(right))
	}
	return out
}
