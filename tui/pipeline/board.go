package pipeline

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/tui/common"
)

// Board layout.
const (
	minColWidth = 20 // a column's width with its border; narrower columns are scrolled out
	cardLines   = 3  // title; company; value and days in stage
	colHeader   = 4  // name and count; total; weighted total; position rule
)

// board is the kanban board: the stage totals and, per column, a window of cards.
type board struct {
	ready bool
	err   error
	seq   int // the newest board load
	p     *store.Pipeline
	cols  []column
	col   int // the selected column
	first int // the first column on screen
}

// column is one stage: its totals, the selection and the window of cards loaded.
type column struct {
	sum         store.StageSummary
	cursor, top int          // the selected card and the first on screen, as positions in the stage
	offset      int          // the position of cards[0]
	cards       []store.Deal // the loaded window
	want        int          // the newest request whose window this column takes
	pending     int          // the offset requested and not answered yet, or -1
}

// boardMsg is a loaded board: the totals and each column's first window.
type boardMsg struct {
	seq     int
	p       *store.Pipeline
	windows map[string]windowMsg
	err     error
}

// windowMsg is a window of one column's cards.
type windowMsg struct {
	seq     int
	stageID string
	offset  int
	cards   []store.Deal
	err     error
}

func (b *board) stages() []store.Stage {
	out := make([]store.Stage, len(b.cols))
	for i, c := range b.cols {
		out[i] = c.sum.Stage
	}
	return out
}

func (b *board) selectedStage() (store.Stage, bool) {
	if b.col < len(b.cols) {
		return b.cols[b.col].sum.Stage, true
	}
	return store.Stage{}, false
}

// selected is the deal under the cursor, if its card is loaded.
func (b *board) selected() *store.Deal {
	if b.col >= len(b.cols) {
		return nil
	}
	c := &b.cols[b.col]
	if i := c.cursor - c.offset; c.sum.Count > 0 && i >= 0 && i < len(c.cards) {
		d := c.cards[i]
		return &d
	}
	return nil
}

// visibleCards is how many cards a column shows at the screen's height.
func (m *Model) visibleCards() int {
	return max(1, (m.height-1-2-colHeader)/cardLines)
}

// minWindow is the fewest cards a column loads at a time: enough for a tall terminal
// whose size arrives after the first load.
const minWindow = 45

// windowFor is the window a column wants loaded: a screen of cards above and below the
// visible ones.
func (m *Model) windowFor(c *column) (offset, limit int) {
	v := m.visibleCards()
	return max(0, c.top-v), max(3*v, minWindow)
}

// loadBoard loads the totals and every column's window.
func (m *Model) loadBoard() tea.Cmd {
	seq := m.next()
	m.board.seq = seq
	offsets := map[string]int{}
	for i := range m.board.cols {
		c := &m.board.cols[i]
		c.want = seq
		c.pending, _ = m.windowFor(c)
		offsets[c.sum.Stage.ID] = c.pending
	}
	_, limit := m.windowFor(&column{})
	ctx, db := m.c.Ctx, m.db
	return func() tea.Msg {
		p, err := db.Pipeline(ctx, 1)
		if err != nil {
			return boardMsg{seq: seq, err: err}
		}
		msg := boardMsg{seq: seq, p: p, windows: map[string]windowMsg{}}
		for _, s := range p.Stages {
			if s.Count == 0 {
				continue
			}
			off := min(offsets[s.Stage.ID], max(0, s.Count-1))
			cards, err := db.BoardColumn(ctx, s.Stage.ID, off, limit)
			if err != nil {
				return boardMsg{seq: seq, err: err}
			}
			msg.windows[s.Stage.ID] = windowMsg{seq: seq, stageID: s.Stage.ID, offset: off, cards: cards}
		}
		return msg
	}
}

// loaded applies a loaded board, keeping each column's selection.
func (b *board) loaded(m *Model, msg boardMsg) tea.Cmd {
	if msg.seq != b.seq {
		return nil
	}
	if msg.err != nil {
		b.err = msg.err
		return common.Error(msg.err)
	}
	b.ready, b.err, b.p = true, nil, msg.p
	old := map[string]column{}
	for _, c := range b.cols {
		old[c.sum.Stage.ID] = c
	}
	cols := make([]column, len(msg.p.Stages))
	for i, s := range msg.p.Stages {
		c, ok := old[s.Stage.ID]
		if !ok {
			c = column{want: msg.seq}
		}
		c.sum = s
		c.cursor = max(0, min(c.cursor, s.Count-1))
		c.top = max(0, min(c.top, c.cursor))
		if c.want <= msg.seq {
			w := msg.windows[s.Stage.ID]
			c.offset, c.cards, c.pending, c.want = w.offset, w.cards, -1, msg.seq
		}
		cols[i] = c
	}
	b.cols = cols
	b.col = max(0, min(b.col, len(cols)-1))
	return b.fill(m)
}

// window applies a loaded window, unless a newer one was asked for since.
func (b *board) window(msg windowMsg) {
	for i := range b.cols {
		c := &b.cols[i]
		if c.sum.Stage.ID != msg.stageID || msg.seq != c.want {
			continue
		}
		c.pending = -1
		if msg.err == nil {
			c.offset, c.cards = msg.offset, msg.cards
		}
	}
}

// fill asks for the windows the columns on screen are missing.
func (b *board) fill(m *Model) tea.Cmd {
	var cmds []tea.Cmd
	v := m.visibleCards()
	for i := range b.cols {
		c := &b.cols[i]
		if c.sum.Count == 0 {
			continue
		}
		lo, hi := c.top, min(c.sum.Count, c.top+v)
		have, end := c.offset, c.offset+len(c.cards)
		covered := lo >= have && hi <= end
		near := (lo-have < v/2+1 && have > 0) || (end-hi < v/2+1 && end < c.sum.Count)
		if covered && !near {
			continue
		}
		off, limit := m.windowFor(c)
		if off == c.pending || (off == c.offset && covered) {
			continue
		}
		seq := m.next()
		c.want, c.pending = seq, off
		ctx, db, id := m.c.Ctx, m.db, c.sum.Stage.ID
		cmds = append(cmds, func() tea.Msg {
			cards, err := db.BoardColumn(ctx, id, off, limit)
			return windowMsg{seq: seq, stageID: id, offset: off, cards: cards, err: err}
		})
	}
	return tea.Batch(cmds...)
}

func (m *Model) boardKey(msg tea.KeyPressMsg) tea.Cmd {
	b := &m.board
	k := m.keys
	if len(b.cols) == 0 {
		if key.Matches(msg, k.Add) && b.ready {
			return m.add()
		}
		return nil
	}
	c := &b.cols[b.col]
	v := m.visibleCards()
	scroll := func(to int) tea.Cmd {
		c.cursor = max(0, min(to, c.sum.Count-1))
		if c.cursor < c.top {
			c.top = c.cursor
		}
		if c.cursor >= c.top+v {
			c.top = c.cursor - v + 1
		}
		return b.fill(m)
	}
	switch {
	case key.Matches(msg, k.Left):
		b.col = max(0, b.col-1)
		return b.fill(m)
	case key.Matches(msg, k.Right):
		b.col = min(len(b.cols)-1, b.col+1)
		return b.fill(m)
	case key.Matches(msg, k.Up):
		return scroll(c.cursor - 1)
	case key.Matches(msg, k.Down):
		return scroll(c.cursor + 1)
	case key.Matches(msg, k.Top):
		return scroll(0)
	case key.Matches(msg, k.Bottom):
		return scroll(c.sum.Count - 1)
	case key.Matches(msg, k.Prev):
		return m.move(b.selected(), -1)
	case key.Matches(msg, k.Next):
		return m.move(b.selected(), +1)
	case key.Matches(msg, k.Won):
		return m.won(b.selected())
	case key.Matches(msg, k.Lost):
		return m.lost(b.selected())
	case key.Matches(msg, k.Open):
		if d := b.selected(); d != nil {
			return m.openDeal(d.ID)
		}
	case key.Matches(msg, k.Add):
		return m.add()
	case key.Matches(msg, k.Review):
		return m.startReview()
	}
	return nil
}

// boardView renders the board: a summary line, then as many columns as fit.
func (m *Model) boardView() []string {
	b := &m.board
	st := m.c.Styles
	w := m.width
	switch {
	case b.err != nil && !b.ready:
		return []string{st.Danger.Render("Could not load the pipeline: " + b.err.Error())}
	case !b.ready:
		return []string{st.Subtle.Render("Loading the pipeline…")}
	case len(b.cols) == 0:
		return []string{st.Subtle.Render("The pipeline has no stages.")}
	}
	n := len(b.cols)
	vis := min(n, max(1, w/minColWidth))
	if b.col < b.first {
		b.first = b.col
	}
	if b.col >= b.first+vis {
		b.first = b.col - vis + 1
	}
	b.first = max(0, min(b.first, n-vis))

	// The summary line: open deals, totals in the default currency, hidden columns.
	open := 0
	for _, c := range b.cols {
		open += c.sum.Count
	}
	cur := m.c.Currency
	left := st.Title.Render("Pipeline") + st.Subtle.Render(" · "+plural(open, "open deal", "open deals"))
	if amt, ok, others := totalIn(b.p.Totals, cur); ok || others > 0 {
		wt, _, _ := totalIn(b.p.Weighted, cur)
		if ok {
			left += " · " + st.Accent.Render(compact(amt, cur)) + st.Subtle.Render(" · weighted ") + st.Accent.Render(compact(wt, cur))
		}
		if others > 0 {
			left += st.Subtle.Render(fmt.Sprintf(" · +%d other %s", others, pluralWord(others, "currency", "currencies")))
		}
	}
	var right []string
	if b.first > 0 {
		right = append(right, fmt.Sprintf("‹ %d more", b.first))
	}
	if hidden := n - b.first - vis; hidden > 0 {
		right = append(right, fmt.Sprintf("%d more ›", hidden))
	}
	lines := []string{spread(left, st.Muted.Render(strings.Join(right, "  ")), w)}

	// The columns.
	h := m.height - 1
	if h < 2+colHeader+1 {
		return lines
	}
	var cols []string
	base, extra := w/vis, w%vis
	for i := b.first; i < b.first+vis; i++ {
		cw := base
		if i-b.first < extra {
			cw++
		}
		cols = append(cols, m.columnView(i, cw, h))
	}
	lines = append(lines, strings.Split(lipgloss.JoinHorizontal(lipgloss.Top, cols...), "\n")...)
	return lines
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// columnView renders column i in a box of w×h cells.
func (m *Model) columnView(i, w, h int) string {
	st := m.c.Styles
	b := &m.board
	c := &b.cols[i]
	focused := i == b.col
	iw, ih := w-2, h-2
	now := m.c.Now()
	cur := m.c.Currency

	var lines []string
	lines = append(lines, spread(st.Heading.Render(c.sum.Stage.Name), st.Subtle.Render(thousands(c.sum.Count)), iw))
	total, ok, others := totalIn(c.sum.Totals, cur)
	weighted, _, _ := totalIn(c.sum.Weighted, cur)
	sum := st.Accent.Render("Σ " + compact(total, cur))
	switch {
	case c.sum.Count == 0:
		sum = st.Muted.Render("Σ 0")
	case !ok:
		sum = st.Muted.Render("Σ — " + cur)
	}
	more := ""
	if others > 0 {
		// Totals in other currencies are not added in: say how many there are.
		more = fmt.Sprintf("+%d other %s", others, pluralWord(others, "currency", "currencies"))
		if ansi.StringWidth(sum)+1+len([]rune(more)) > iw {
			more = fmt.Sprintf("+%d cur", others)
		}
	}
	lines = append(lines, spread(sum, st.Subtle.Render(more), iw))
	rot := ""
	if c.sum.Rotting > 0 {
		rot = st.Danger.Render(fmt.Sprintf("!%s rotting", thousands(c.sum.Rotting)))
		if iw < 24 {
			rot = st.Danger.Render(fmt.Sprintf("!%s", thousands(c.sum.Rotting)))
		}
	}
	lines = append(lines, spread(st.Subtle.Render("≈ "+compact(weighted, cur)), rot, iw))
	v := m.visibleCards()
	rule := ""
	if c.sum.Count > 0 {
		rule = fmt.Sprintf("─ %d–%d of %s ", c.top+1, min(c.sum.Count, c.top+v), thousands(c.sum.Count))
	}
	if pad := iw - len([]rune(rule)); pad > 0 {
		rule += strings.Repeat("─", pad)
	}
	lines = append(lines, fit(st.Muted.Render(rule), iw))

	if c.sum.Count == 0 {
		lines = append(lines, fit(st.Muted.Render(" no deals"), iw))
	}
	for k := c.top; k < c.sum.Count && k < c.top+v && len(lines)+cardLines <= ih; k++ {
		sel := focused && k == c.cursor
		j := k - c.offset
		if j < 0 || j >= len(c.cards) {
			lines = append(lines, fit(st.Muted.Render(" …"), iw), fit("", iw), fit("", iw))
			continue
		}
		lines = append(lines, m.card(c.cards[j], c.sum.Stage, sel, iw, now)...)
	}
	for len(lines) < ih {
		lines = append(lines, fit("", iw))
	}
	box := st.Border
	if focused {
		box = st.Focused
	}
	return box.Width(w).Height(h).Render(strings.Join(lines[:ih], "\n"))
}

// card renders a deal in three lines of w cells.
func (m *Model) card(d store.Deal, s store.Stage, sel bool, w int, now time.Time) []string {
	st := m.c.Styles
	who := d.Company
	if who == "" {
		who = d.Contact
	}
	if who == "" {
		who = "—"
	}
	days := fmt.Sprintf("%dd", daysIn(d, now))
	rotting := isRotting(d, s, now)
	if rotting {
		days = "!" + days
	}
	value := compact(d.Value.Amount, d.Value.Currency)
	cw := w - 1
	if sel {
		gut := st.Key.Render("▌")
		return []string{
			gut + st.Selected.Render(fit(d.Title, cw)),
			gut + st.Selected.Render(fit(who, cw)),
			gut + st.Selected.Render(spread(value, days, cw)),
		}
	}
	daysS := st.Subtle.Render(days)
	if rotting {
		daysS = st.Danger.Render(days)
	}
	return []string{
		" " + fit(st.Heading.Render(d.Title), cw),
		" " + fit(st.Subtle.Render(who), cw),
		" " + spread(st.Accent.Render(value), daysS, cw),
	}
}
