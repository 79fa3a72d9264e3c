package contacts

import (
	"context"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"charm.land/bubbles/v2/key"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/tui/common"
)

type recordKind int

const (
	kindContact recordKind = iota
	kindCompany
	kindDeal
)

func (k recordKind) String() string {
	return [...]string{"contact", "company", "deal"}[k]
}

// timelinePage is how many timeline entries one read brings; m loads the next page.
const timelinePage = 50

// detail is the open record with what the pane shows about it.
type detail struct {
	kind         recordKind
	id, label    string
	contact      *store.Contact
	company      *store.Company
	deal         *store.Deal
	people       []store.ContactRow
	deals        []store.Deal
	nDeals       int
	followUps    []store.FollowUp
	timeline     []store.Interaction
	timelineDone bool
}

func window(ctx context.Context, db *store.DB, md mode, w store.Window, c common.Common) ([]row, error) {
	if md == modeCompanies {
		list, err := db.CompanyWindow(ctx, w)
		return companyRows(list), err
	}
	list, err := db.ContactWindow(ctx, w)
	return contactRows(list, c), err
}

func search(ctx context.Context, db *store.DB, md mode, q string, c common.Common) ([]row, bool, error) {
	if md == modeCompanies {
		list, more, err := db.SearchCompanyRows(ctx, q, searchMax)
		return companyRows(list), more, err
	}
	list, more, err := db.SearchContactRows(ctx, q, searchMax)
	return contactRows(list, c), more, err
}

func contactRows(list []store.ContactRow, c common.Common) []row {
	out := make([]row, len(list))
	for i, r := range list {
		out[i] = row{id: r.ID, name: r.Name, company: r.Company, email: r.Email, tags: strings.Join(r.Tags, " "),
			touched: c.Ago(r.LastTouchedAt), key: r.Key()}
	}
	return out
}

func companyRows(list []store.CompanyRow) []row {
	out := make([]row, len(list))
	for i, r := range list {
		out[i] = row{id: r.ID, name: r.Name, company: r.Domain, tags: strings.Join(r.Tags, " "), key: r.Key()}
	}
	return out
}

func (m *Model) loadDetail(k recordKind, id string) tea.Cmd {
	m.detSeq++
	seq, ctx, db := m.detSeq, m.c.Ctx, m.db
	return func() tea.Msg {
		d := &detail{kind: k, id: id}
		var err error
		switch k {
		case kindContact:
			if d.contact, err = db.FindContactByID(ctx, id); err != nil {
				return detailMsg{seq: seq, err: err}
			}
			d.label = d.contact.Name
			if d.deals, d.nDeals, err = db.FindDeals(ctx, store.DealFilter{ContactID: id, Limit: 10}); err != nil {
				return detailMsg{seq: seq, err: err}
			}
			if d.followUps, _, err = db.FindFollowUps(ctx, store.FollowUpFilter{ContactID: id, Limit: 10}); err != nil {
				return detailMsg{seq: seq, err: err}
			}
			d.timeline, err = db.Timeline(ctx, store.TimelineFilter{ContactID: id, Limit: timelinePage})
		case kindCompany:
			if d.company, err = db.FindCompanyByID(ctx, id); err != nil {
				return detailMsg{seq: seq, err: err}
			}
			d.label = d.company.Name
			if d.people, err = db.CompanyContacts(ctx, id, 20); err != nil {
				return detailMsg{seq: seq, err: err}
			}
			if d.deals, d.nDeals, err = db.FindDeals(ctx, store.DealFilter{CompanyID: id, Limit: 10}); err != nil {
				return detailMsg{seq: seq, err: err}
			}
			d.timeline, err = db.Timeline(ctx, store.TimelineFilter{CompanyID: id, Limit: timelinePage})
		case kindDeal:
			if d.deal, err = db.FindDealByID(ctx, id); err != nil {
				return detailMsg{seq: seq, err: err}
			}
			d.label = d.deal.Title
			if d.followUps, _, err = db.FindFollowUps(ctx, store.FollowUpFilter{DealID: id, Limit: 10}); err != nil {
				return detailMsg{seq: seq, err: err}
			}
			d.timeline, err = db.Timeline(ctx, store.TimelineFilter{DealID: id, Limit: timelinePage})
		}
		d.timelineDone = len(d.timeline) < timelinePage
		return detailMsg{seq: seq, detail: d, err: err}
	}
}

func (m *Model) loadOlder() tea.Cmd {
	d := m.det
	if d == nil || d.timelineDone || len(d.timeline) == 0 {
		return nil
	}
	seq, ctx, db := m.detSeq, m.c.Ctx, m.db
	f := store.TimelineFilter{Before: &d.timeline[len(d.timeline)-1], Limit: timelinePage}
	switch d.kind {
	case kindContact:
		f.ContactID = d.id
	case kindCompany:
		f.CompanyID = d.id
	case kindDeal:
		f.DealID = d.id
	}
	return func() tea.Msg {
		e, err := db.Timeline(ctx, f)
		return timelineMsg{seq: seq, entries: e, err: err}
	}
}

// detailKey scrolls the detail pane; ok is false for keys the list handles.
func (m *Model) detailKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := m.keys
	switch {
	case key.Matches(msg, k.Down):
		m.detOff++
		if m.det != nil && m.detOff+m.h >= len(m.detailLines(m.detailWidth())) {
			return m.loadOlder(), true
		}
		return nil, true
	case key.Matches(msg, k.Up):
		m.detOff = max(m.detOff-1, 0)
		return nil, true
	case key.Matches(msg, k.PageDown):
		m.detOff += m.h - 2
		return m.loadOlder(), true
	case key.Matches(msg, k.PageUp):
		m.detOff = max(m.detOff-m.h+2, 0)
		return nil, true
	case key.Matches(msg, k.Top):
		m.detOff = 0
		return nil, true
	case key.Matches(msg, k.More):
		return m.loadOlder(), true
	case key.Matches(msg, k.Open):
		return nil, true
	}
	return nil, false
}

func (m *Model) detailWidth() int {
	if m.narrow() {
		return m.w
	}
	return m.w - m.listWidth() - 1
}

// detailLines renders the open record as lines of at most w cells.
func (m *Model) detailLines(w int) []string {
	st := m.c.Styles
	d := m.det
	if d == nil {
		return []string{"", " " + st.Subtle.Render("Loading…")}
	}
	var out []string
	add := func(s string) { out = append(out, common.Truncate(s, w)) }
	field := func(label, v string) {
		if v != "" {
			add(" " + st.Subtle.Render(common.PadRight(label, 10)) + " " + v)
		}
	}
	section := func(title string) {
		add("")
		add(" " + st.Heading.Render(title))
	}
	switch d.kind {
	case kindContact:
		c := d.contact
		add(" " + st.Title.Render(c.Name) + "  " + st.Muted.Render(store.ShortID(c.ID)))
		if c.Title != "" || c.Company != "" {
			add(" " + strings.TrimPrefix(strings.TrimSpace(c.Title+" · "+c.Company), "· "))
		}
		add("")
		for i, e := range c.Emails {
			field(map[bool]string{true: "email", false: ""}[i == 0], e.Email+label(e.Label))
		}
		for i, p := range c.Phones {
			field(map[bool]string{true: "phone", false: ""}[i == 0], p.Phone+label(p.Label))
		}
		field("tags", strings.Join(c.Tags, " "))
		field("source", c.Source)
		field("address", c.Address)
		if c.CadenceDays > 0 {
			field("cadence", fmt.Sprintf("every %d days", c.CadenceDays))
		}
		field("touched", m.c.Ago(c.LastTouchedAt))
		if c.Notes != "" {
			field("notes", firstLine(c.Notes))
		}
	case kindCompany:
		c := d.company
		add(" " + st.Title.Render(c.Name) + "  " + st.Muted.Render(store.ShortID(c.ID)))
		add("")
		field("domain", c.Domain)
		field("phone", c.Phone)
		field("address", c.Address)
		field("tags", strings.Join(c.Tags, " "))
		if c.Notes != "" {
			field("notes", firstLine(c.Notes))
		}
		section(fmt.Sprintf("Contacts (%d)", c.Contacts))
		for _, p := range d.people {
			add("   " + p.Name + st.Subtle.Render("  "+p.Email))
		}
		if len(d.people) == 0 {
			add("   " + st.Muted.Render("none"))
		}
	case kindDeal:
		dl := d.deal
		add(" " + st.Title.Render(dl.Title) + "  " + st.Muted.Render(store.ShortID(dl.ID)))
		add("")
		field("value", st.Accent.Render(dl.Value.String()))
		field("stage", dl.Stage+" · "+dl.Status)
		field("contact", dl.Contact)
		field("company", dl.Company)
		field("close", dl.ExpectedClose)
		field("in stage", fmt.Sprintf("since %s", m.c.Date(dl.StageEnteredAt, true)))
		field("lost", dl.LostReason)
	}
	if d.kind != kindDeal {
		section(fmt.Sprintf("Open deals (%d)", d.nDeals))
		for _, dl := range d.deals {
			add("   " + dl.Title + "  " + st.Accent.Render(dl.Value.String()) + st.Subtle.Render("  "+dl.Stage))
		}
		if len(d.deals) == 0 {
			add("   " + st.Muted.Render("none"))
		}
	}
	if d.kind != kindCompany {
		section(fmt.Sprintf("Open follow-ups (%d)", len(d.followUps)))
		for _, f := range d.followUps {
			due := m.c.Date(f.DueAt, f.AllDay)
			line := "   " + common.PadRight(due, 16) + " " + f.Title
			if f.DueAt.Before(m.c.Now()) {
				line = st.Danger.Render(line)
			}
			add(line)
		}
		if len(d.followUps) == 0 {
			add("   " + st.Muted.Render("none"))
		}
	}
	section("Timeline")
	for _, e := range d.timeline {
		when := m.c.Date(e.OccurredAt, false)
		add("   " + st.Subtle.Render(common.PadRight(when, 16)) + " " + st.Accent.Render(common.PadRight(e.Kind, 8)) + " " + firstLine(e.Text))
	}
	switch {
	case len(d.timeline) == 0:
		add("   " + st.Muted.Render("nothing logged yet: l logs a call, email, meeting, note or message"))
	case !d.timelineDone:
		add("   " + st.Muted.Render("… older entries: scroll down or m"))
	}
	return out
}

func label(l string) string {
	if l == "" {
		return ""
	}
	return " (" + l + ")"
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}
