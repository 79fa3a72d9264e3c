package pipeline

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/tui/common"
)

// dealData is a deal with what its detail and its review show.
type dealData struct {
	deal     *store.Deal
	contact  *store.Contact
	timeline []store.Interaction
	next     []store.FollowUp // open follow-ups, earliest first
	nextN    int              // how many open follow-ups in all
	err      error
}

// fetchDeal reads a deal, its contact, its latest timeline entries and its open
// follow-ups. It runs inside a command.
func fetchDeal(ctx context.Context, db Store, id string, entries, steps int) dealData {
	var d dealData
	if d.deal, d.err = db.FindDealByID(ctx, id); d.err != nil {
		return d
	}
	if d.deal.ContactID != "" {
		if d.contact, d.err = db.FindContactByID(ctx, d.deal.ContactID); d.err != nil {
			return d
		}
	}
	if d.timeline, d.err = db.Timeline(ctx, store.TimelineFilter{DealID: id, Limit: entries}); d.err != nil {
		return d
	}
	d.next, d.nextN, d.err = db.FindFollowUps(ctx, store.FollowUpFilter{DealID: id, Limit: steps})
	return d
}

// detail is the deal detail: the deal, its contact, its next steps and its timeline.
type detail struct {
	id  string
	seq int
	dealData
	loaded bool
}

type detailMsg struct {
	seq int
	dealData
}

func (d *detail) set(msg detailMsg) {
	d.dealData, d.loaded = msg.dealData, true
}

// openDeal shows a deal's detail.
func (m *Model) openDeal(id string) tea.Cmd {
	m.mode = modeDetail
	m.detail = &detail{id: id}
	return m.loadDetail(id)
}

func (m *Model) loadDetail(id string) tea.Cmd {
	seq := m.next()
	m.detail.seq = seq
	ctx, db := m.c.Ctx, m.db
	entries := max(10, m.height)
	return func() tea.Msg { return detailMsg{seq: seq, dealData: fetchDeal(ctx, db, id, entries, 5)} }
}

func (m *Model) detailKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	d := m.detail
	if key.Matches(msg, k.Back) {
		m.mode, m.detail = modeBoard, nil
		return m.board.fill(m)
	}
	if d == nil || d.deal == nil {
		return nil
	}
	switch {
	case key.Matches(msg, k.Contact):
		if d.deal.ContactID == "" {
			return common.Status(fmt.Sprintf("%q has no contact", d.deal.Title))
		}
		return common.Open(common.OpenContactMsg{ID: d.deal.ContactID})
	case key.Matches(msg, k.Log):
		return m.logOn(d.deal)
	case key.Matches(msg, k.FollowUp):
		return m.schedule(d.deal)
	case key.Matches(msg, k.Prev):
		return m.move(d.deal, -1)
	case key.Matches(msg, k.Next):
		return m.move(d.deal, +1)
	case key.Matches(msg, k.Won):
		return m.won(d.deal)
	case key.Matches(msg, k.Lost):
		return m.lost(d.deal)
	}
	return nil
}

// dealLines renders the head of a deal: title, stage and value, contact and company.
func (m *Model) dealLines(d *store.Deal, c *store.Contact) []string {
	st := m.c.Styles
	now := m.c.Now()
	var stage store.Stage
	for _, s := range m.board.stages() {
		if s.ID == d.StageID {
			stage = s
		}
	}
	parts := []string{st.Heading.Render(d.Stage), st.Accent.Render(d.Value.String())}
	switch d.Status {
	case store.StatusOpen:
		days := fmt.Sprintf("%s in stage", plural(daysIn(*d, now), "day", "days"))
		if isRotting(*d, stage, now) {
			parts = append(parts, st.Danger.Render(days+" (rotting)"))
		} else {
			parts = append(parts, st.Subtle.Render(days))
		}
	case store.StatusWon:
		parts = append(parts, st.Success.Render("won "+closedOn(d, m.c.Loc)))
	case store.StatusLost:
		lost := "lost " + closedOn(d, m.c.Loc)
		if d.LostReason != "" {
			lost += ": " + d.LostReason
		}
		parts = append(parts, st.Danger.Render(lost))
	}
	if d.ExpectedClose != "" {
		parts = append(parts, st.Subtle.Render("closes "+d.ExpectedClose))
	}
	contact := st.Subtle.Render("Contact: ") + st.Muted.Render("none")
	if c != nil {
		bits := []string{c.Name}
		if e := c.PrimaryEmail(); e != "" {
			bits = append(bits, e)
		}
		if p := c.PrimaryPhone(); p != "" {
			bits = append(bits, p)
		}
		contact = st.Subtle.Render("Contact: ") + strings.Join(bits, " · ")
	} else if d.Contact != "" {
		contact = st.Subtle.Render("Contact: ") + d.Contact
	}
	if d.Company != "" {
		contact += st.Subtle.Render("  Company: ") + d.Company
	}
	return []string{st.Title.Render(d.Title), strings.Join(parts, st.Subtle.Render(" · ")), contact}
}

func closedOn(d *store.Deal, loc *time.Location) string {
	if d.ClosedAt == nil {
		return ""
	}
	return d.ClosedAt.In(loc).Format("2 Jan 2006")
}

// stepLines renders open follow-ups, overdue ones in red.
func (m *Model) stepLines(steps []store.FollowUp, total int) []string {
	st := m.c.Styles
	if len(steps) == 0 {
		return []string{"  " + st.Warning.Render("none scheduled") + st.Muted.Render(" · f schedules one")}
	}
	var out []string
	for _, f := range steps {
		w := dueLabel(f, m.c.Loc)
		if overdue(f, m.c.Now(), m.c.Loc) {
			w = st.Danger.Render(w + " (overdue)")
		} else {
			w = st.Accent.Render(w)
		}
		out = append(out, "  "+w+"  "+f.Title)
	}
	if total > len(steps) {
		out = append(out, st.Muted.Render(fmt.Sprintf("  … %d more", total-len(steps))))
	}
	return out
}

// entryLines renders timeline entries, one line each.
func (m *Model) entryLines(list []store.Interaction, limit int) []string {
	st := m.c.Styles
	if len(list) == 0 {
		return []string{st.Muted.Render("  nothing logged yet · l logs an interaction")}
	}
	var out []string
	for i, e := range list {
		if i == limit {
			break
		}
		kind := strings.ReplaceAll(e.Kind, "_", " ")
		text := strings.Join(strings.Fields(e.Text), " ")
		out = append(out, "  "+st.Subtle.Render(e.OccurredAt.In(m.c.Loc).Format("2 Jan 2006"))+"  "+
			st.Heading.Render(fmt.Sprintf("%-13s", kind))+" "+text)
	}
	return out
}

func (m *Model) detailView() []string {
	st := m.c.Styles
	d := m.detail
	switch {
	case d == nil || !d.loaded:
		return []string{st.Subtle.Render("Loading the deal…")}
	case d.err != nil:
		return []string{st.Danger.Render("Could not load the deal: " + d.err.Error()), st.Muted.Render("esc goes back to the board")}
	}
	lines := m.dealLines(d.deal, d.contact)
	lines = append(lines, "", st.Heading.Render("Next steps"))
	lines = append(lines, m.stepLines(d.next, d.nextN)...)
	lines = append(lines, "", st.Heading.Render("Timeline"))
	room := m.height - len(lines)
	entries := m.entryLines(d.timeline, max(1, room))
	if len(d.timeline) > room && room > 1 {
		entries = append(entries[:room-1], st.Muted.Render("  … older entries"))
	}
	return append(lines, entries...)
}
