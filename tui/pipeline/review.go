package pipeline

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/rolo-crm/rolo/store"
)

// reviewEntries is how many of a deal's latest timeline entries the review shows.
const reviewEntries = 5

// review is the weekly review: a queue of open deals, most in need of attention first
// (store.ReviewQueue), walked one at a time, and what was done to each.
type review struct {
	queueSeq int
	loaded   bool
	err      error
	items    []store.ReviewItem
	idx      int // the deal shown
	seen     int // how many deals were shown (the reviewed ones are items[:seen])
	itemSeq  int
	cur      *dealData // the shown deal, freshly read; nil until loaded
	changes  map[string][]string
	hasNext  map[string]bool
	closed   map[string]bool
}

type queueMsg struct {
	seq   int
	items []store.ReviewItem
	err   error
}

type itemMsg struct {
	seq int
	dealData
}

// startReview loads the review queue.
func (m *Model) startReview() tea.Cmd {
	seq := m.next()
	m.mode = modeReview
	m.review = &review{queueSeq: seq, changes: map[string][]string{}, hasNext: map[string]bool{}, closed: map[string]bool{}}
	ctx, db, loc := m.c.Ctx, m.db, m.c.Loc
	return func() tea.Msg {
		items, err := db.ReviewQueue(ctx, loc, ReviewSize)
		return queueMsg{seq: seq, items: items, err: err}
	}
}

func (m *Model) queueLoaded(msg queueMsg) tea.Cmd {
	r := m.review
	if r == nil || msg.seq != r.queueSeq {
		return nil
	}
	r.loaded, r.err, r.items = true, msg.err, msg.items
	if msg.err != nil {
		return nil
	}
	for _, it := range r.items {
		r.hasNext[it.Deal.ID] = it.NextStep != nil
	}
	if len(r.items) == 0 {
		m.mode = modeSummary
		return nil
	}
	r.idx, r.seen = 0, 1
	return m.loadItem(r.items[0].Deal.ID)
}

func (m *Model) loadItem(id string) tea.Cmd {
	seq := m.next()
	m.review.itemSeq = seq
	ctx, db := m.c.Ctx, m.db
	return func() tea.Msg { return itemMsg{seq: seq, dealData: fetchDeal(ctx, db, id, reviewEntries, 1)} }
}

func (r *review) setItem(msg itemMsg) {
	if msg.err != nil || msg.deal == nil {
		r.cur = &msg.dealData
		return
	}
	r.cur = &msg.dealData
	r.hasNext[msg.deal.ID] = len(msg.next) > 0
	if msg.deal.Status != store.StatusOpen {
		r.closed[msg.deal.ID] = true
	}
}

// record notes a change made during the review.
func (r *review) record(msg actionMsg) {
	if msg.change != "" {
		r.changes[msg.dealID] = append(r.changes[msg.dealID], msg.change)
	}
	if msg.sched {
		r.hasNext[msg.dealID] = true
	}
	if msg.closed {
		r.closed[msg.dealID] = true
	}
}

// deal is the deal shown: as last read, or as the queue had it.
func (r *review) deal() *store.Deal {
	if r.idx >= len(r.items) {
		return nil
	}
	if r.cur != nil && r.cur.deal != nil && r.cur.deal.ID == r.items[r.idx].Deal.ID {
		return r.cur.deal
	}
	d := r.items[r.idx].Deal
	return &d
}

// advance shows the next deal, or the summary after the last.
func (m *Model) advance() tea.Cmd {
	r := m.review
	r.idx++
	r.cur = nil
	if r.idx >= len(r.items) {
		m.mode = modeSummary
		return nil
	}
	r.seen = max(r.seen, r.idx+1)
	return m.loadItem(r.items[r.idx].Deal.ID)
}

func (m *Model) reviewKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	r := m.review
	if key.Matches(msg, k.Back) {
		m.mode = modeSummary
		return nil
	}
	if r == nil || !r.loaded || r.err != nil {
		return nil
	}
	d := r.deal()
	switch {
	case key.Matches(msg, k.Skip):
		return m.advance()
	case key.Matches(msg, k.Log):
		return m.logOn(d)
	case key.Matches(msg, k.FollowUp):
		return m.schedule(d)
	case key.Matches(msg, k.Prev):
		return m.move(d, -1)
	case key.Matches(msg, k.Next):
		return m.move(d, +1)
	case key.Matches(msg, k.Won):
		return m.won(d)
	case key.Matches(msg, k.Lost):
		return m.lost(d)
	}
	return nil
}

var reasonLabels = map[string]string{
	store.ReviewOverdue:    "next step overdue",
	store.ReviewRotting:    "rotting in its stage",
	store.ReviewNoNextStep: "no next step scheduled",
	store.ReviewScheduled:  "on track",
}

func (m *Model) reviewView() []string {
	st := m.c.Styles
	r := m.review
	switch {
	case r == nil || !r.loaded:
		return []string{st.Subtle.Render("Finding the deals that need attention…")}
	case r.err != nil:
		return []string{st.Danger.Render("Could not load the review: " + r.err.Error()), st.Muted.Render("esc goes back")}
	}
	it := r.items[r.idx]
	reason := reasonLabels[it.Reason]
	switch it.Reason {
	case store.ReviewOverdue, store.ReviewRotting:
		reason = st.Danger.Render(reason)
	case store.ReviewNoNextStep:
		reason = st.Warning.Render(reason)
	default:
		reason = st.Success.Render(reason)
	}
	if it.Rotting && it.Reason != store.ReviewRotting {
		reason += st.Subtle.Render(" · ") + st.Danger.Render("rotting")
	}
	lines := []string{
		spread(st.Title.Render("Weekly review")+st.Subtle.Render(" · ")+reason,
			st.Subtle.Render(fmt.Sprintf("deal %d of %d", r.idx+1, len(r.items))), m.width),
		"",
	}
	d := r.deal()
	var contact *store.Contact
	var entries []store.Interaction
	var next []store.FollowUp
	nextN := 0
	loaded := r.cur != nil && r.cur.deal != nil && r.cur.deal.ID == d.ID
	if loaded {
		contact, entries, next, nextN = r.cur.contact, r.cur.timeline, r.cur.next, r.cur.nextN
	} else if it.NextStep != nil {
		next, nextN = []store.FollowUp{*it.NextStep}, 1
	}
	lines = append(lines, m.dealLines(d, contact)...)
	lines = append(lines, "", st.Heading.Render("Next step"))
	if nextN > 1 {
		nextN = 1 // the next step only; the detail lists the others
	}
	lines = append(lines, m.stepLines(next, nextN)...)
	lines = append(lines, "", st.Heading.Render("Last interactions"))
	if loaded {
		lines = append(lines, m.entryLines(entries, reviewEntries)...)
	} else {
		lines = append(lines, st.Muted.Render("  loading…"))
	}
	if ch := r.changes[d.ID]; len(ch) > 0 {
		lines = append(lines, "", st.Success.Render("Done in this review: "+strings.Join(ch, " · ")))
	}
	return lines
}

func (m *Model) summaryView() []string {
	st := m.c.Styles
	r := m.review
	if r == nil {
		return nil
	}
	if r.err != nil {
		return []string{st.Danger.Render("Could not load the review: " + r.err.Error())}
	}
	if len(r.items) == 0 {
		return []string{st.Title.Render("Weekly review"), "", "No open deals to review.", "", st.Muted.Render("esc goes back to the board")}
	}
	reviewed := r.items[:min(r.seen, len(r.items))]
	changed := 0
	var noNext []string
	var body []string
	tw := 10
	for _, it := range reviewed {
		tw = max(tw, len([]rune(it.Deal.Title)))
	}
	tw = min(tw, m.width*2/5)
	for _, it := range reviewed {
		id := it.Deal.ID
		what := st.Muted.Render("no change")
		if ch := r.changes[id]; len(ch) > 0 {
			changed++
			what = strings.Join(ch, ", ")
		}
		body = append(body, "  "+fit(it.Deal.Title, tw)+"  "+what)
		if !r.closed[id] && !r.hasNext[id] {
			noNext = append(noNext, "  "+it.Deal.Title)
		}
	}
	lines := []string{
		st.Title.Render("Weekly review done"),
		st.Subtle.Render(fmt.Sprintf("Reviewed %d of %d deals · %d changed", len(reviewed), len(r.items), changed)),
		"",
	}
	tail := []string{""}
	if len(noNext) == 0 {
		tail = append(tail, st.Success.Render("Every reviewed open deal has a next step."))
	} else {
		tail = append(tail, st.Warning.Render(fmt.Sprintf("Still no next step (%d)", len(noNext))))
		tail = append(tail, noNext...)
	}
	tail = append(tail, "", st.Muted.Render("esc or enter goes back to the board"))
	// Keep the list of changes and the deals without a next step both in view: share
	// the height, cutting each with a count of what is left out.
	room := m.height - len(lines)
	if len(body)+len(tail) > room {
		half := max(2, room/2)
		if len(body) > half {
			body = append(body[:half-1], st.Muted.Render(fmt.Sprintf("  … %d more", len(body)-half+1)))
		}
		if left := room - len(body); len(tail) > left && left > 3 {
			cut := len(tail) - left + 1
			tail = append(tail[:left-2], st.Muted.Render(fmt.Sprintf("  … %d more", cut)), tail[len(tail)-1])
		}
	}
	return append(append(lines, body...), tail...)
}
