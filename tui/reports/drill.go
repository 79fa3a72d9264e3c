package reports

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/tui/common"
)

// drill is a list behind a panel's figures: the panel's figures themselves (a menu whose
// rows open lists), or the records behind one figure, loaded a window at a time as the
// cursor nears the end of what is loaded.
type drill struct {
	title   string
	note    string // what the list is, or leaves out
	items   []item
	total   int    // the length of the whole list, when it loads in windows
	next    loader // loads the window after the items; nil when they are all loaded
	labelW  int    // the width of the labels; 0 is the default
	cursor  int
	top     int
	loading bool
	seq     int
	err     error
	parent  *drill
}

// item is one row of a drill-down list. Enter sends open (to the root), or opens list
// (loading its first window), or seed (whose first window is loaded).
type item struct {
	label, detail string
	open          tea.Msg
	list          *listSpec
	seed          *drill
}

// listSpec is a list that an item opens: its title and its first window.
type listSpec struct {
	title, note string
	labelW      int
	load        loader
}

// window is one window of a list: its items, the length of the whole list, and the loader
// of the window after it (nil after the last).
type window struct {
	items []item
	total int
	next  loader
}

// loader loads a window of a list; it runs in a command.
type loader func() (window, error)

// listMsg answers the load of a window of a drill-down list.
type listMsg struct {
	seq int
	w   window
	err error
}

// pageSize is how many records a window holds; prefetch is how close to the end of the
// loaded items the cursor comes before the next window loads.
const (
	pageSize = listLimit
	prefetch = 10
)

// open drills into the focused panel: a list of its figures, each opening the records
// behind it, or (neglected contacts, rotting deals) the records themselves.
func (m *Model) open() tea.Cmd {
	p := m.panels[m.focus]
	if p.data == nil {
		return nil
	}
	var dr *drill
	switch d := p.data.(type) {
	case rotting:
		dr = m.rottingList(d)
	case neglect:
		dr = menu(m.neglectMenu(d))
	case *store.WinRate:
		dr = menu(m.winRateMenu(d))
	case *store.Funnel:
		dr = menu(m.funnelMenu(d))
	case *store.Cycle:
		dr = menu(m.cycleMenu(d))
	case *store.Velocity:
		dr = menu(m.velocityMenu(d))
	case *store.Forecast:
		dr = menu(m.forecastMenu(d))
	case *store.Activity:
		dr = m.activityMenu(d)
	default:
		return common.Status(panelTitles[m.focus] + " has no list behind it")
	}
	m.drill = dr
	return nil
}

// menu fits a list of a panel's figures' labels to the longest of them.
func menu(dr *drill) *drill {
	if dr.labelW == 0 {
		for _, it := range dr.items {
			dr.labelW = max(dr.labelW, ansi.StringWidth(it.label))
		}
		dr.labelW = min(dr.labelW, 40)
	}
	return dr
}

// seeded is a list whose first window the panel already holds: its items, then windows
// from the store as the cursor goes down.
func seeded(title, note string, first []item, total int, from func(offset int) loader) *drill {
	dr := &drill{title: title, note: note, items: first, total: total}
	if len(first) > 0 && len(first) < total {
		dr.next = from(len(first))
	}
	return dr
}

// rottingItem is a rotting deal in a list.
func (m *Model) rottingItem(d store.Deal) item {
	return item{label: d.Title, detail: fmt.Sprintf("%s · %dd in %s", compact(d.Value.Amount, d.Value.Currency),
		int(m.c.Now().Sub(d.StageEnteredAt).Hours()/24), d.Stage), open: common.OpenDealMsg{ID: d.ID}}
}

func (m *Model) rottingList(r rotting) *drill {
	ctx, db := m.c.Ctx, m.db
	var first []item
	for _, d := range r.deals {
		first = append(first, m.rottingItem(d))
	}
	from := paged(func(offset, limit int) ([]store.Deal, int, error) { return db.RottingDealsAt(ctx, offset, limit) }, m.rottingItem)
	return seeded("Rotting deals", "in a stage longer than its rotting limit, longest stuck first", first, r.n, from)
}

func (m *Model) neglectMenu(n neglect) *drill {
	ctx, db := m.c.Ctx, m.db
	pastItem := func(c store.Contact) item {
		return item{label: c.Name, detail: fmt.Sprintf("past its %dd cadence · %s", c.CadenceDays, m.touched(c)), open: common.OpenContactMsg{ID: c.ID}}
	}
	untouchedItem := func(u store.UntouchedContact) item {
		return item{label: u.Name, detail: plural(u.OpenDeals, "open deal", "open deals") + " · " + m.touched(u.Contact), open: common.OpenContactMsg{ID: u.ID}}
	}
	var past, untouched []item
	for _, c := range n.past {
		past = append(past, pastItem(c))
	}
	for _, u := range n.untouched {
		untouched = append(untouched, untouchedItem(u))
	}
	pastFrom := paged(func(offset, limit int) ([]store.Contact, int, error) {
		return db.NeglectedContactsAt(ctx, offset, limit)
	}, pastItem)
	untouchedFrom := paged(func(offset, limit int) ([]store.UntouchedContact, int, error) {
		return db.UntouchedContactsAt(ctx, untouchedDays, offset, limit)
	}, untouchedItem)
	return &drill{title: "Neglected contacts", note: "enter lists the contacts behind a figure", items: []item{
		{label: "Past their cadence", detail: plural(n.pastN, "contact", "contacts"),
			seed: seeded("Past their stay-in-touch cadence", "most overdue first", past, n.pastN, pastFrom)},
		{label: fmt.Sprintf("Open deals, untouched %dd", untouchedDays), detail: plural(n.untouchN, "contact", "contacts"),
			seed: seeded(fmt.Sprintf("With open deals, not touched in %d days", untouchedDays), "least recently touched first", untouched, n.untouchN, untouchedFrom)},
	}}
}

// periodLabel names a report's period in the list titles.
func (m *Model) periodLabel(p store.Period) string {
	from, to := p.From.In(m.c.Loc), p.To.In(m.c.Loc)
	if !to.After(from) {
		return ""
	}
	last := to.Add(-time.Millisecond)
	if from.Year() == last.Year() {
		return from.Format("2 Jan") + "–" + last.Format("2 Jan 2006")
	}
	return from.Format("2 Jan 2006") + "–" + last.Format("2 Jan 2006")
}

// paged returns the loaders of a list that fetch reads a window at a time from an offset,
// show making each record a row.
func paged[T any](fetch func(offset, limit int) ([]T, int, error), show func(T) item) func(offset int) loader {
	var at func(offset int) loader
	at = func(offset int) loader {
		return func() (window, error) {
			list, n, err := fetch(offset, pageSize)
			if err != nil {
				return window{}, err
			}
			w := window{total: n}
			for _, r := range list {
				w.items = append(w.items, show(r))
			}
			if end := offset + len(list); len(list) > 0 && end < n {
				w.next = at(end)
			}
			return w, nil
		}
	}
	return at
}

// deals is the loader of the deals that fetch lists, with detail telling what to show
// beside each deal's title.
func (m *Model) deals(fetch func(offset, limit int) ([]store.Deal, int, error), detail func(store.Deal) string) loader {
	return paged(fetch, func(d store.Deal) item {
		return item{label: d.Title, detail: detail(d), open: common.OpenDealMsg{ID: d.ID}}
	})(0)
}

// dealDetail is what a deal list shows beside a deal's title: its value and where it is.
func dealDetail(d store.Deal) string {
	status := d.Stage
	if d.Status != store.StatusOpen {
		status = d.Status
	}
	return compact(d.Value.Amount, d.Value.Currency) + " · " + status
}

func (m *Model) winRateMenu(w *store.WinRate) *drill {
	ctx, db, o, per := m.c.Ctx, m.db, m.Options, w.Period
	dr := &drill{title: "Win rate, " + m.periodLabel(per), note: "enter lists the deals behind a figure"}
	add := func(label, detail, title string, f store.WinRateFilter) {
		dr.items = append(dr.items, item{label: label, detail: detail, list: &listSpec{title: title + ", " + m.periodLabel(per),
			load: m.deals(func(off, lim int) ([]store.Deal, int, error) { return db.WinRateDeals(ctx, per, o, f, off, lim) }, dealDetail)}})
	}
	stale := w.Denominator == store.WinRateClosedAndStale
	counts := func(c store.WinRateCounts) string {
		s := fmt.Sprintf("%6s of %d", pct(c.Rate), c.Won+c.Lost+c.Stale)
		if stale {
			return s + fmt.Sprintf(" (%d won, %d lost, %d stale)", c.Won, c.Lost, c.Stale)
		}
		return s + fmt.Sprintf(" (%d won, %d lost)", c.Won, c.Lost)
	}
	add("All the deals counted", counts(w.WinRateCounts), "Deals counted in the win rate", store.WinRateFilter{})
	add("Won", plural(w.Won, "deal", "deals"), "Deals won", store.WinRateFilter{Status: store.StatusWon})
	add("Lost", plural(w.Lost, "deal", "deals"), "Deals lost", store.WinRateFilter{Status: store.StatusLost})
	if stale {
		add("Stale (open, past close)", plural(w.Stale, "deal", "deals"), "Open deals past their expected close", store.WinRateFilter{Status: store.Stale})
	}
	for _, s := range w.ByStage {
		if s.Won+s.Lost+s.Stale > 0 {
			add("Furthest stage "+s.Stage, counts(s.WinRateCounts), "Deals whose furthest stage was "+s.Stage, store.WinRateFilter{StageID: s.StageID})
		}
	}
	for _, s := range w.BySource {
		add("Source: "+orDash(s.Source), counts(s.WinRateCounts), "Deals from lead source "+orDash(s.Source), store.WinRateFilter{BySource: true, Source: s.Source})
	}
	return dr
}

func (m *Model) funnelMenu(f *store.Funnel) *drill {
	ctx, db, per := m.c.Ctx, m.db, f.Period
	dr := &drill{title: "Funnel of the deals created " + m.periodLabel(per), note: "enter lists the deals the funnel counted for a stage"}
	add := func(label, detail, title string, ff store.FunnelFilter) {
		dr.items = append(dr.items, item{label: label, detail: detail, list: &listSpec{title: title, note: "created " + m.periodLabel(per) + ", newest first",
			load: m.deals(func(off, lim int) ([]store.Deal, int, error) { return db.FunnelDeals(ctx, per, ff, off, lim) }, dealDetail)}})
	}
	for _, s := range f.Stages {
		add(s.Stage, fmt.Sprintf("%s reached it · %s went on", thousands(s.Reached), pct(s.Conversion)), "Deals that reached "+s.Stage,
			store.FunnelFilter{StageID: s.StageID})
	}
	add("Won", thousands(f.Won)+" now won", "Deals won", store.FunnelFilter{Status: store.StatusWon})
	add("Lost", thousands(f.Lost)+" now lost", "Deals lost", store.FunnelFilter{Status: store.StatusLost})
	add("Open", thousands(f.Open)+" still open", "Deals still open", store.FunnelFilter{Status: store.StatusOpen})
	return dr
}

func (m *Model) cycleMenu(c *store.Cycle) *drill {
	ctx, db, per := m.c.Ctx, m.db, c.Period
	dr := &drill{title: "Cycle time, " + m.periodLabel(per), note: "enter lists the deals behind a figure"}
	dr.items = append(dr.items, item{label: "Closed deals", detail: fmt.Sprintf("%d closed · median %s · 80th pct %s", c.Closed, days(c.MedianDays), days(c.P80Days)),
		list: &listSpec{title: "Deals won or lost, " + m.periodLabel(per), note: "days from created to closed",
			load: m.deals(func(off, lim int) ([]store.Deal, int, error) { return db.ClosedDeals(ctx, per, off, lim) }, func(d store.Deal) string {
				s := dealDetail(d)
				if d.ClosedAt != nil {
					s += fmt.Sprintf(" · %.1f d", d.ClosedAt.Sub(d.CreatedAt).Hours()/24)
				}
				return s
			})}})
	for _, s := range c.Stages {
		dr.items = append(dr.items, item{label: s.Stage, detail: fmt.Sprintf("%s · median %s", plural(s.Stints, "stay ended", "stays ended"), days(s.MedianDays)),
			list: m.stays(per, s)})
	}
	return dr
}

// stays is the list of the stays in a stage that ended in per, most recent first.
func (m *Model) stays(per store.Period, s store.StageTime) *listSpec {
	ctx, db, loc := m.c.Ctx, m.db, m.c.Loc
	show := func(st store.StageStay) item {
		how := "→ " + orDash(st.EndedBy)
		if st.EndedBy == store.StatusWon || st.EndedBy == store.StatusLost {
			how = st.EndedBy
		}
		return item{label: st.Deal.Title, detail: fmt.Sprintf("%5.1f d · %s %s", st.Days, how, st.Ended.In(loc).Format("2 Jan")),
			open: common.OpenDealMsg{ID: st.Deal.ID}}
	}
	load := paged(func(offset, limit int) ([]store.StageStay, int, error) {
		return db.StageStays(ctx, per, s.StageID, offset, limit)
	}, show)(0)
	return &listSpec{title: "Stays in " + s.Stage + " that ended " + m.periodLabel(per), note: "days in the stage, and how and when the stay ended; most recent first", load: load}
}

func (m *Model) velocityMenu(v *store.Velocity) *drill {
	ctx, db, o, per := m.c.Ctx, m.db, m.Options, v.Period
	dr := &drill{title: "Velocity", note: "enter lists the deals behind a factor"}
	for _, c := range v.Currencies {
		f := store.OpenDealFilter{Currency: c.Currency}
		dr.items = append(dr.items, item{label: "Open deals in " + c.Currency, detail: fmt.Sprintf("%s open · average %s", thousands(c.OpenDeals), compact(c.AverageValue, c.Currency)),
			list: &listSpec{title: "Open deals in " + c.Currency, note: "soonest expected to close first",
				load: m.deals(func(off, lim int) ([]store.Deal, int, error) { return db.OpenDeals(ctx, f, off, lim) }, m.openDetail)}})
	}
	dr.items = append(dr.items,
		item{label: "Win rate " + pct(v.WinRate), detail: "the deals counted in it, " + m.periodLabel(per),
			list: &listSpec{title: "Deals counted in the win rate, " + m.periodLabel(per),
				load: m.deals(func(off, lim int) ([]store.Deal, int, error) {
					return db.WinRateDeals(ctx, per, o, store.WinRateFilter{}, off, lim)
				}, dealDetail)}},
		item{label: "Median cycle " + days(v.CycleDays), detail: "the deals closed " + m.periodLabel(per),
			list: &listSpec{title: "Deals won or lost, " + m.periodLabel(per),
				load: m.deals(func(off, lim int) ([]store.Deal, int, error) { return db.ClosedDeals(ctx, per, off, lim) }, dealDetail)}})
	return dr
}

// openDetail is what a list of open deals shows beside a deal's title.
func (m *Model) openDetail(d store.Deal) string {
	s := compact(d.Value.Amount, d.Value.Currency) + " · " + d.Stage
	if d.ExpectedClose != "" {
		s += " · close " + d.ExpectedClose
	}
	return s
}

func (m *Model) forecastMenu(f *store.Forecast) *drill {
	ctx, db := m.c.Ctx, m.db
	dr := &drill{title: "Forecast", note: "enter lists the open deals expected to close in a month"}
	add := func(label string, l store.ForecastLine, title string, of store.OpenDealFilter) {
		w, _ := moneyIn(l.Weighted, m.c.Currency)
		dr.items = append(dr.items, item{label: label, detail: fmt.Sprintf("%s · weighted %s", plural(l.Deals, "open deal", "open deals"), compact(w, m.c.Currency)),
			list: &listSpec{title: title,
				load: m.deals(func(off, lim int) ([]store.Deal, int, error) { return db.OpenDeals(ctx, of, off, lim) }, m.openDetail)}})
	}
	// The months' first days: the forecast's months run from the first to (not including)
	// the last; before it is overdue, from it on is later.
	var days []time.Time
	for _, ml := range f.Months {
		from, err := time.Parse("2006-01", ml.Month)
		if err != nil {
			return dr
		}
		days = append(days, from)
	}
	if len(days) == 0 {
		return dr
	}
	day := func(t time.Time) string { return t.Format(store.DateFormat) }
	first, end := days[0], days[len(days)-1].AddDate(0, 1, 0)
	if f.Overdue.Deals > 0 {
		add("Overdue", f.Overdue, "Deals expected to close before "+first.Format("January 2006"), store.OpenDealFilter{CloseTo: day(first)})
	}
	for i, from := range days {
		add(from.Format("Jan 2006"), f.Months[i], "Deals expected to close in "+from.Format("January 2006"),
			store.OpenDealFilter{CloseFrom: day(from), CloseTo: day(from.AddDate(0, 1, 0))})
	}
	if f.Later.Deals > 0 {
		add("Later", f.Later, "Deals expected to close from "+end.Format("January 2006"), store.OpenDealFilter{CloseFrom: day(end)})
	}
	add("No date", f.Unscheduled, "Open deals without an expected close date", store.OpenDealFilter{Unscheduled: true})
	return dr
}

func (m *Model) activityMenu(a *store.Activity) *drill {
	dr := &drill{title: "Activity per week", labelW: 16,
		note: fmt.Sprintf(" %-16s  %6s %6s %8s %6s %8s %7s", "week of", "calls", "emails", "meetings", "notes", "messages", "total")}
	for i := len(a.Weeks) - 1; i >= 0; i-- { // the newest week first, as its entries
		w := a.Weeks[i]
		label := w.Start.In(m.c.Loc).Format("Mon 2 Jan 2006")
		if !w.Complete {
			label += "*"
		}
		detail := fmt.Sprintf("%6s %6s %8s %6s %8s %7s", thousands(w.Calls), thousands(w.Emails), thousands(w.Meetings),
			thousands(w.Notes), thousands(w.Messages), thousands(w.Total))
		dr.items = append(dr.items, item{label: label, detail: detail, list: m.weekEntries(w)})
	}
	if len(a.Weeks) > 0 && !a.Weeks[len(a.Weeks)-1].Complete {
		dr.note += "   * so far"
	}
	return dr
}

// weekEntries is the list of a week's timeline entries, newest first.
func (m *Model) weekEntries(w store.ActivityWeek) *listSpec {
	ctx, db, loc := m.c.Ctx, m.db, m.c.Loc
	var at func(after *store.ActivityCursor) loader
	at = func(after *store.ActivityCursor) loader {
		return func() (window, error) {
			pg, err := db.ActivityEntries(ctx, store.ActivityFilter{From: w.Start, To: w.End, After: after, Limit: pageSize})
			if err != nil {
				return window{}, err
			}
			win := window{total: pg.Counts.Total}
			for _, e := range pg.Entries {
				win.items = append(win.items, entryItem(e, loc))
			}
			if pg.Next != nil {
				win.next = at(pg.Next)
			}
			return win, nil
		}
	}
	start := w.Start.In(loc)
	title := "Activity in the week of " + start.Format("Mon 2 Jan 2006")
	if !w.Complete {
		title += " (so far)"
	}
	return &listSpec{title: title, labelW: 24, load: at(nil),
		note: fmt.Sprintf("%s, %s, %s, %s, %s; newest first", plural(w.Calls, "call", "calls"), plural(w.Emails, "email", "emails"),
			plural(w.Meetings, "meeting", "meetings"), plural(w.Notes, "note", "notes"), plural(w.Messages, "message", "messages"))}
}

// entryItem is a timeline entry in a list: when, what kind, who or what it was about and
// its text. Enter opens its contact, or its deal, or its company.
func entryItem(e store.Interaction, loc *time.Location) item {
	var about []string
	var open tea.Msg
	switch {
	case e.ContactID != "":
		about, open = append(about, e.Contact), common.OpenContactMsg{ID: e.ContactID}
	case e.DealID != "":
		open = common.OpenDealMsg{ID: e.DealID}
	case e.CompanyID != "":
		about, open = append(about, e.Company), common.OpenCompanyMsg{ID: e.CompanyID}
	}
	if e.Deal != "" {
		about = append(about, e.Deal)
	}
	text := strings.Join(strings.Fields(e.Text), " ")
	return item{label: e.OccurredAt.In(loc).Format("Mon 2 Jan 15:04") + " " + e.Kind,
		detail: strings.Join(about, " · ") + " — " + text, open: open}
}

// openList opens the list spec over the current one and loads its first window.
func (m *Model) openList(s *listSpec) tea.Cmd {
	m.drill = &drill{title: s.title, note: s.note, labelW: s.labelW, next: s.load, parent: m.drill}
	return m.loadMore()
}

// loadMore loads the current list's next window, unless one is loading.
func (m *Model) loadMore() tea.Cmd {
	d := m.drill
	if d == nil || d.next == nil || d.loading {
		return nil
	}
	m.seq++
	d.seq, d.loading = m.seq, true
	seq, load := d.seq, d.next
	return func() tea.Msg {
		w, err := load()
		return listMsg{seq: seq, w: w, err: err}
	}
}

// gotList applies a window to the list that asked for it.
func (m *Model) gotList(msg listMsg) tea.Cmd {
	d := m.drill
	if d == nil || msg.seq != d.seq {
		return nil // an answer for a list since left
	}
	d.loading, d.err = false, msg.err
	if msg.err != nil {
		return nil
	}
	d.items = append(d.items, msg.w.items...)
	d.total, d.next = msg.w.total, msg.w.next
	return m.nearEnd()
}

// nearEnd loads the next window when the cursor is close to the end of the loaded items.
func (m *Model) nearEnd() tea.Cmd {
	if d := m.drill; d != nil && d.cursor >= len(d.items)-prefetch {
		return m.loadMore()
	}
	return nil
}

func (m *Model) drillKey(msg tea.KeyPressMsg) tea.Cmd {
	d := m.drill
	k := m.keys
	switch {
	case key.Matches(msg, k.Back):
		m.drill = d.parent
	case key.Matches(msg, k.Next):
		d.cursor = min(d.cursor+1, max(0, len(d.items)-1))
		return m.nearEnd()
	case key.Matches(msg, k.Prev):
		d.cursor = max(0, d.cursor-1)
	case key.Matches(msg, k.Open):
		if d.cursor >= len(d.items) {
			return nil
		}
		it := d.items[d.cursor]
		if it.open != nil {
			return common.Open(it.open)
		}
		if it.list != nil {
			return m.openList(it.list)
		}
		if it.seed != nil {
			dr := *it.seed // the item keeps its first window for the next time
			dr.items = slices.Clone(dr.items)
			dr.parent = m.drill
			m.drill = &dr
			return m.nearEnd()
		}
	}
	return nil
}

func (m *Model) drillView() []string {
	st := m.c.Styles
	d := m.drill
	right := "enter opens · esc back"
	if d.total > 0 {
		right = fmt.Sprintf("%s of %s · ", thousands(min(d.cursor+1, d.total)), thousands(d.total)) + right
	}
	lines := []string{spread(st.Title.Render(d.title), st.Muted.Render(right), m.width)}
	if d.note != "" {
		lines = append(lines, st.Subtle.Render(d.note))
	}
	switch {
	case d.err != nil:
		return append(lines, st.Danger.Render(d.err.Error()))
	case len(d.items) == 0 && d.loading:
		return append(lines, st.Subtle.Render("loading…"))
	case len(d.items) == 0:
		return append(lines, st.Subtle.Render("Nothing here."))
	}
	room := max(1, m.height-len(lines))
	if d.cursor < d.top {
		d.top = d.cursor
	}
	if d.cursor >= d.top+room {
		d.top = d.cursor - room + 1
	}
	lw := min(40, max(12, m.width/2))
	if d.labelW > 0 {
		lw = d.labelW
	}
	for i := d.top; i < len(d.items) && i < d.top+room; i++ {
		it := d.items[i]
		row := fit(it.label, lw) + "  " + it.detail
		if i == d.cursor {
			lines = append(lines, st.Key.Render("▌")+st.Selected.Render(fit(row, m.width-1)))
		} else {
			lines = append(lines, " "+fit(st.Heading.Render(fit(it.label, lw))+"  "+st.Subtle.Render(it.detail), m.width-1))
		}
	}
	return lines
}
