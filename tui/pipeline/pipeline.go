// Package pipeline is the TUI's Pipeline screen (3): a kanban board of the open deals,
// one column per stage; a deal's detail (its contact, next steps and timeline); and the
// weekly review, which walks the deals most in need of attention one at a time.
//
// The board never loads every deal: it reads the stage totals (store.Pipeline) and, for
// each column, only the window of cards on screen plus a margin (store.BoardColumn), and
// loads the next window as the selection scrolls. Every store call runs in a tea.Cmd
// whose message carries a request number, so a late answer never overwrites a newer one.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/store/when"
	"github.com/rolo-crm/rolo/tui/common"
	"github.com/rolo-crm/rolo/tui/prompt"
	"github.com/rolo-crm/rolo/tui/styles"
)

// Store is what the Pipeline screen needs of the store; *store.DB satisfies it.
type Store interface {
	Pipeline(ctx context.Context, limit int) (*store.Pipeline, error)
	BoardColumn(ctx context.Context, stageID string, offset, limit int) ([]store.Deal, error)
	FindDealByID(ctx context.Context, id string) (*store.Deal, error)
	FindContactByID(ctx context.Context, id string) (*store.Contact, error)
	Timeline(ctx context.Context, f store.TimelineFilter) ([]store.Interaction, error)
	NextStep(ctx context.Context, dealID string) (*store.FollowUp, error)
	FindFollowUps(ctx context.Context, f store.FollowUpFilter) ([]store.FollowUp, int, error)
	MoveDeal(ctx context.Context, id, stage string) (*store.Deal, error)
	CloseDeal(ctx context.Context, id, status, reason string) (*store.Deal, error)
	CreateDeal(ctx context.Context, in store.DealInput) (*store.Deal, error)
	LogInteraction(ctx context.Context, in store.InteractionInput) (*store.Interaction, error)
	AddFollowUp(ctx context.Context, in store.FollowUpInput) (*store.FollowUp, error)
	ReviewQueue(ctx context.Context, loc *time.Location, limit int) ([]store.ReviewItem, error)
	Resolve(ctx context.Context, ref string, o store.ResolveOptions) (store.Candidate, error)
}

var _ common.Screen = (*Model)(nil)

// ReviewSize is how many deals a weekly review walks at most.
const ReviewSize = 50

type mode int

const (
	modeBoard mode = iota
	modeDetail
	modeReview
	modeSummary
)

// Model is the Pipeline screen.
type Model struct {
	c    common.Common
	db   Store
	keys KeyMap

	width, height int
	mode          mode
	seq           int // the last request number handed out

	board  board
	detail *detail
	review *review

	prompt *prompt.Model
	form   form // what the open prompt (and the ones before it) are for
}

// form is the state of a sequence of prompts: the action, the deal it is about, and the
// answers so far.
type form struct {
	action  string // "lost", "log", "followup", "add"
	dealID  string
	title   string
	answers map[string]string
}

// New returns the Pipeline screen over db.
func New(c common.Common, db Store) *Model {
	c = c.WithDefaults()
	return &Model{c: c, db: db, keys: DefaultKeyMap(), width: 80, height: 20}
}

// Title implements common.Screen.
func (m *Model) Title() string { return "Pipeline" }

// SetSize implements common.Screen.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = max(width, 1), max(height, 1)
	if m.prompt != nil {
		m.prompt.SetWidth(m.width)
	}
}

// SetStyles implements common.Screen.
func (m *Model) SetStyles(s *styles.Styles) { m.c.Styles = s }

// Capturing implements common.Screen: a prompt takes every key while it is open.
func (m *Model) Capturing() bool { return m.prompt != nil }

// Init implements common.Screen: it loads the board.
func (m *Model) Init() tea.Cmd { return m.loadBoard() }

func (m *Model) next() int {
	m.seq++
	return m.seq
}

// Update implements common.Screen.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case prompt.DoneMsg:
		return m.promptDone(msg)
	case tea.KeyPressMsg:
		if m.prompt != nil {
			return m.prompt.Update(msg)
		}
		return m.key(msg)
	case tea.WindowSizeMsg:
		// The root has resized every screen (SetSize); a taller board may need longer
		// windows than the first load asked for.
		return m.board.fill(m)
	case common.ChangedMsg:
		return m.reload()
	case common.OpenDealMsg:
		m.prompt = nil
		return m.openDeal(msg.ID)
	case boardMsg:
		return m.board.loaded(m, msg)
	case windowMsg:
		m.board.window(msg)
		return m.board.fill(m)
	case detailMsg:
		if m.detail != nil && msg.seq == m.detail.seq {
			m.detail.set(msg)
		}
		return nil
	case queueMsg:
		return m.queueLoaded(msg)
	case itemMsg:
		if r := m.review; r != nil && msg.seq == r.itemSeq {
			r.setItem(msg)
		}
		return nil
	case actionMsg:
		return m.acted(msg)
	}
	if m.prompt != nil {
		return m.prompt.Update(msg)
	}
	return nil
}

// reload refreshes whatever the screen shows after a change to the store.
func (m *Model) reload() tea.Cmd {
	cmds := []tea.Cmd{m.loadBoard()}
	if m.detail != nil && m.mode == modeDetail {
		cmds = append(cmds, m.loadDetail(m.detail.id))
	}
	if r := m.review; r != nil && m.mode == modeReview && r.idx < len(r.items) {
		cmds = append(cmds, m.loadItem(r.items[r.idx].Deal.ID))
	}
	return tea.Batch(cmds...)
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	switch m.mode {
	case modeDetail:
		return m.detailKey(msg)
	case modeReview:
		return m.reviewKey(msg)
	case modeSummary:
		if key.Matches(msg, m.keys.Back, m.keys.Open) {
			m.mode, m.review = modeBoard, nil
		}
		return nil
	}
	return m.boardKey(msg)
}

// View implements common.Screen.
func (m *Model) View() string {
	var lines []string
	switch m.mode {
	case modeDetail:
		lines = m.detailView()
	case modeReview:
		lines = m.reviewView()
	case modeSummary:
		lines = m.summaryView()
	default:
		lines = m.boardView()
	}
	if m.prompt != nil {
		lines = overlay(lines, m.prompt.View(), m.width, m.height)
	}
	return frame(lines, m.width, m.height)
}

// overlay puts box over the lower part of lines, centred.
func overlay(lines []string, box string, w, h int) []string {
	out := make([]string, h)
	copy(out, lines)
	b := strings.Split(box, "\n")
	top := max(0, h-len(b)-1)
	for i, l := range b {
		if top+i >= h {
			break
		}
		lw := min(w, ansi.StringWidth(l))
		pad := max(0, (w-lw)/2)
		out[top+i] = strings.Repeat(" ", pad) + l
	}
	return out
}

// ShortHelp implements common.Screen.
func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	switch m.mode {
	case modeDetail:
		return []key.Binding{k.Contact, k.Log, k.FollowUp, k.Prev, k.Next, k.Won, k.Lost, k.Back}
	case modeReview:
		return []key.Binding{k.Log, k.FollowUp, k.Prev, k.Next, k.Won, k.Lost, k.Skip, k.Back}
	case modeSummary:
		return []key.Binding{k.Back}
	}
	return []key.Binding{k.Left, k.Right, k.Up, k.Down, k.Prev, k.Next, k.Won, k.Lost, k.Open, k.Add, k.Review}
}

// FullHelp implements common.Screen.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	switch m.mode {
	case modeDetail:
		return [][]key.Binding{{k.Contact, k.Log, k.FollowUp}, {k.Prev, k.Next, k.Won, k.Lost}, {k.Back}}
	case modeReview:
		return [][]key.Binding{{k.Log, k.FollowUp}, {k.Prev, k.Next, k.Won, k.Lost}, {k.Skip, k.Back}}
	case modeSummary:
		return [][]key.Binding{{k.Back}}
	}
	return [][]key.Binding{{k.Left, k.Right, k.Up, k.Down, k.Top, k.Bottom}, {k.Prev, k.Next, k.Won, k.Lost}, {k.Open, k.Add, k.Review}}
}

// Actions shared by the board, the detail and the review.

// actionMsg is the result of a write.
type actionMsg struct {
	dealID string
	change string // what changed, for the review's summary ("moved to Qualified")
	status string // the status line
	closed bool   // the deal was won or lost
	sched  bool   // a next step was scheduled
	err    error
}

func (m *Model) acted(msg actionMsg) tea.Cmd {
	if msg.err != nil {
		return common.Error(msg.err)
	}
	// A write started in the review counts in its summary even when its answer arrives
	// after the rep ended the review (esc right after a key).
	if r := m.review; r != nil && (m.mode == modeReview || m.mode == modeSummary) {
		r.record(msg)
		if msg.closed && m.mode == modeReview {
			return tea.Batch(common.Changed(msg.status), m.advance())
		}
	}
	return common.Changed(msg.status)
}

// move returns the command moving a deal one stage back (dir −1) or forward (+1).
func (m *Model) move(d *store.Deal, dir int) tea.Cmd {
	if d == nil {
		return nil
	}
	if d.Status != store.StatusOpen {
		return common.Status(fmt.Sprintf("%q is %s; only open deals move", d.Title, d.Status))
	}
	stages := m.board.stages()
	i := -1
	for k, s := range stages {
		if s.ID == d.StageID {
			i = k
		}
	}
	if i < 0 {
		return common.Status("the stages are still loading")
	}
	j := i + dir
	if j < 0 {
		return common.Status(fmt.Sprintf("%q is in the first stage", d.Title))
	}
	if j >= len(stages) {
		return common.Status(fmt.Sprintf("%q is in the last stage: w marks it won", d.Title))
	}
	ctx, db, id, title, from, to := m.c.Ctx, m.db, d.ID, d.Title, stages[i].Name, stages[j].Name
	return func() tea.Msg {
		_, err := db.MoveDeal(ctx, id, to)
		return actionMsg{dealID: id, change: "moved " + from + " → " + to,
			status: fmt.Sprintf("Moved %q to %s", title, to), err: err}
	}
}

// close returns the command marking a deal won or lost.
func (m *Model) close(d *store.Deal, status, reason string) tea.Cmd {
	ctx, db, id, title := m.c.Ctx, m.db, d.ID, d.Title
	return func() tea.Msg {
		_, err := db.CloseDeal(ctx, id, status, reason)
		change := status
		if status == store.StatusLost && reason != "" {
			change += " (" + reason + ")"
		}
		return actionMsg{dealID: id, change: change, status: fmt.Sprintf("Marked %q %s", title, status), closed: true, err: err}
	}
}

// won marks a deal won at once (undo is one key away in the root).
func (m *Model) won(d *store.Deal) tea.Cmd {
	if d == nil {
		return nil
	}
	if d.Status != store.StatusOpen {
		return common.Status(fmt.Sprintf("%q is already %s", d.Title, d.Status))
	}
	return m.close(d, store.StatusWon, "")
}

// ask opens a prompt.
func (m *Model) ask(p *prompt.Model) tea.Cmd {
	p.SetWidth(m.width)
	m.prompt = p
	return nil
}

// lost asks the reason a deal was lost.
func (m *Model) lost(d *store.Deal) tea.Cmd {
	if d == nil {
		return nil
	}
	if d.Status != store.StatusOpen {
		return common.Status(fmt.Sprintf("%q is already %s", d.Title, d.Status))
	}
	m.form = form{action: "lost", dealID: d.ID, title: d.Title}
	return m.ask(prompt.Text(m.c.Styles, "lost", "Why was "+quote(d.Title)+" lost?", "enter to mark it lost (the reason may be empty) · esc cancels", "", nil))
}

// logOn asks what happened, to log it on a deal.
func (m *Model) logOn(d *store.Deal) tea.Cmd {
	if d == nil {
		return nil
	}
	m.form = form{action: "log", dealID: d.ID, title: d.Title}
	return m.ask(prompt.Text(m.c.Styles, "log", "Log on "+quote(d.Title),
		"kind first: call, email, meeting, note or message (default note) · e.g. call: talked pricing", "", validateLog))
}

// schedule asks when and what the deal's next step is.
func (m *Model) schedule(d *store.Deal) tea.Cmd {
	if d == nil {
		return nil
	}
	m.form = form{action: "followup", dealID: d.ID, title: d.Title, answers: map[string]string{}}
	return m.ask(prompt.Text(m.c.Styles, "due", "Next step for "+quote(d.Title)+": when?",
		"tomorrow 3pm, fri, next monday, in 3d, 2026-12-01 …", "", m.validateWhen))
}

// add starts the add-deal prompts: title, value, stage, contact.
func (m *Model) add() tea.Cmd {
	m.form = form{action: "add", answers: map[string]string{}}
	return m.ask(prompt.Text(m.c.Styles, "title", "New deal: title", "esc cancels", "", func(s string) error {
		if s == "" {
			return errors.New("a deal needs a title")
		}
		return nil
	}))
}

func quote(s string) string {
	if len([]rune(s)) > 40 {
		s = string([]rune(s)[:39]) + "…"
	}
	return "“" + s + "”"
}

// parseLog splits "call: talked pricing" into its kind and text; without a kind the
// entry is a note.
func parseLog(s string) (kind, text string) {
	s = strings.TrimSpace(s)
	first, rest, _ := strings.Cut(s, " ")
	k := strings.ToLower(strings.TrimSuffix(first, ":"))
	for _, known := range store.InteractionKinds {
		if k == known {
			return k, strings.TrimSpace(rest)
		}
	}
	if k, rest, ok := strings.Cut(s, ":"); ok {
		for _, known := range store.InteractionKinds {
			if strings.ToLower(strings.TrimSpace(k)) == known {
				return known, strings.TrimSpace(rest)
			}
		}
	}
	return "note", s
}

func validateLog(s string) error {
	if _, text := parseLog(s); text == "" {
		return errors.New("say what happened")
	}
	return nil
}

func (m *Model) parseWhen(s string) (when.Result, error) {
	return when.Parse(s, m.c.Now().In(m.c.Loc), time.Monday)
}

func (m *Model) validateWhen(s string) error {
	if s == "" {
		return errors.New("say when")
	}
	_, err := m.parseWhen(s)
	return err
}

// parseValue reads "12000", "12,000.50" or "12000 EUR"; empty is zero.
func (m *Model) parseValue(s string) (int64, string, error) {
	cur := m.c.Currency
	f := strings.Fields(s)
	if len(f) == 0 {
		return 0, cur, nil
	}
	if len(f) == 2 && store.ValidCurrency(strings.ToUpper(f[1])) {
		cur = strings.ToUpper(f[1])
	} else if len(f) != 1 {
		return 0, cur, fmt.Errorf("%q is not an amount (12000, 12000.50 or 12000 EUR)", s)
	}
	v, err := store.ParseAmount(f[0], cur)
	if err != nil {
		return 0, cur, errors.New(strings.TrimPrefix(err.Error(), store.ErrInvalid.Error()+": "))
	}
	return v, cur, nil
}

// stageNamed finds a stage by name, case-insensitively or by a unique prefix.
func (m *Model) stageNamed(s string) (store.Stage, error) {
	stages := m.board.stages()
	var prefix []store.Stage
	var names []string
	for _, st := range stages {
		names = append(names, st.Name)
		if strings.EqualFold(st.Name, s) {
			return st, nil
		}
		if s != "" && strings.HasPrefix(strings.ToLower(st.Name), strings.ToLower(s)) {
			prefix = append(prefix, st)
		}
	}
	if len(prefix) == 1 {
		return prefix[0], nil
	}
	return store.Stage{}, fmt.Errorf("no stage %q (stages: %s)", s, strings.Join(names, ", "))
}

// promptDone acts on a closed prompt.
func (m *Model) promptDone(d prompt.DoneMsg) tea.Cmd {
	m.prompt = nil
	if d.Cancelled {
		m.form = form{}
		return nil
	}
	f := &m.form
	ctx, db := m.c.Ctx, m.db
	switch d.Tag {
	case "lost":
		deal := &store.Deal{Record: store.Record{ID: f.dealID}, Title: f.title}
		return m.close(deal, store.StatusLost, d.Value)
	case "log":
		kind, text := parseLog(d.Value)
		id, title := f.dealID, f.title
		return func() tea.Msg {
			_, err := db.LogInteraction(ctx, store.InteractionInput{Kind: kind, Text: text, DealID: id})
			return actionMsg{dealID: id, change: "logged " + kind, status: fmt.Sprintf("Logged %s on %q", kind, title), err: err}
		}
	case "due":
		f.answers["due"] = d.Value
		return m.ask(prompt.Text(m.c.Styles, "what", "Next step for "+quote(f.title)+": what?", "e.g. send the proposal", "", func(s string) error {
			if s == "" {
				return errors.New("say what to do")
			}
			return nil
		}))
	case "what":
		r, err := m.parseWhen(f.answers["due"])
		if err != nil {
			return common.Error(err)
		}
		id, text := f.dealID, d.Value
		label := r.Time.In(m.c.Loc).Format("Mon 2 Jan")
		if !r.AllDay {
			label = r.Time.In(m.c.Loc).Format("Mon 2 Jan 15:04")
		}
		return func() tea.Msg {
			_, err := db.AddFollowUp(ctx, store.FollowUpInput{Title: text, DueAt: r.Time, AllDay: r.AllDay, DealID: id})
			return actionMsg{dealID: id, change: "scheduled " + label + ": " + text, sched: true,
				status: fmt.Sprintf("Scheduled %q for %s", text, label), err: err}
		}
	case "title":
		f.answers["title"] = d.Value
		return m.ask(prompt.Text(m.c.Styles, "value", "New deal: value", "12000, 12000.50 or 12000 EUR (default "+m.c.Currency+"); empty for none", "", func(s string) error {
			_, _, err := m.parseValue(s)
			return err
		}))
	case "value":
		f.answers["value"] = d.Value
		stage := ""
		if s, ok := m.board.selectedStage(); ok {
			stage = s.Name
		}
		return m.ask(prompt.Text(m.c.Styles, "stage", "New deal: stage", "a stage name or the start of one", stage, func(s string) error {
			_, err := m.stageNamed(s)
			return err
		}))
	case "stage":
		f.answers["stage"] = d.Value
		return m.ask(prompt.Text(m.c.Styles, "contact", "New deal: contact", "a name, email or id; empty for none", "", nil))
	case "contact":
		value, cur, err := m.parseValue(f.answers["value"])
		if err != nil {
			return common.Error(err)
		}
		st, err := m.stageNamed(f.answers["stage"])
		if err != nil {
			return common.Error(err)
		}
		in := store.DealInput{Title: f.answers["title"], Value: value, Currency: cur, Stage: st.Name}
		ref := d.Value
		return func() tea.Msg {
			if ref != "" {
				c, err := db.Resolve(ctx, ref, store.ResolveOptions{Kinds: []string{store.EntityContact}})
				if err != nil {
					return actionMsg{err: fmt.Errorf("contact %q: %w; the deal was not added", ref, err)}
				}
				in.ContactID = c.ID
			}
			dl, err := db.CreateDeal(ctx, in)
			if err != nil {
				return actionMsg{err: err}
			}
			return actionMsg{dealID: dl.ID, status: fmt.Sprintf("Added %q to %s", dl.Title, dl.Stage)}
		}
	}
	return nil
}
