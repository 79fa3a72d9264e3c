package pipeline

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/tui/common"
	"github.com/rolo-crm/rolo/tui/internal/tuitest"
	"github.com/rolo-crm/rolo/tui/prompt"
	"github.com/rolo-crm/rolo/tui/styles"
)

// now0 is the pinned "now" of every test: Tuesday 24 November 2026, noon UTC.
var now0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// fixture is a small pipeline built through the store API:
//
//	Lead         Acme renewal (12,000 USD, Ada, 30 days: rotting, follow-up 2 days overdue)
//	             Cloud migration (80,000 EUR, 5 days)  Website redesign (4,500 USD, 3 days)
//	Qualified    Data platform (150,000 USD, Grace, 10 days, follow-up in 3 days)
//	Proposal     Support contract (24,000 USD, Alan, 25 days: rotting)
//	Negotiation  Enterprise licence (250,000 USD, Ada, 2 days)
//	closed       Pilot project (won 20 days ago), Old bid (lost 10 days ago: price)
type fixture struct {
	db    *store.DB
	clk   *tuitest.Clock
	deals map[string]*store.Deal
	ada   *store.Contact
}

func newFixture(t testing.TB, stages ...store.StageSpec) *fixture {
	t.Helper()
	ctx := context.Background()
	clk := tuitest.NewClock(now0.AddDate(0, 0, -90))
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "rolo.db"), store.Options{Now: clk.Now, Owner: "rep", Currency: "USD", Stages: stages})
	if err != nil {
		t.Fatal(err)
	}
	db.SQL().SetMaxOpenConns(1) // as rolo runs the TUI
	t.Cleanup(func() { db.Close() })
	f := &fixture{db: db, clk: clk, deals: map[string]*store.Deal{}}
	contact := func(name, company, email string) *store.Contact {
		return tuitest.Must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{Name: name, Company: company, Emails: []store.Email{{Email: email}}}))
	}
	f.ada = contact("Ada Lovelace", "Acme Corp", "ada@acme.test")
	grace := contact("Grace Hopper", "Navy Labs", "grace@navy.test")
	alan := contact("Alan Turing", "Bletchley Ltd", "alan@bletchley.test")
	deal := func(daysAgo int, title, stage string, value int64, cur string, c *store.Contact) *store.Deal {
		clk.Set(now0.AddDate(0, 0, -daysAgo))
		in := store.DealInput{Title: title, Stage: stage, Value: value * 100, Currency: cur}
		if c != nil {
			in.ContactID = c.ID
		}
		d := tuitest.Must[*store.Deal](t)(db.CreateDeal(ctx, in))
		f.deals[title] = d
		return d
	}
	deal(60, "Pilot project", "Lead", 9000, "USD", grace)
	deal(45, "Old bid", "Lead", 7000, "USD", alan)
	deal(30, "Acme renewal", "Lead", 12000, "USD", f.ada)
	deal(25, "Support contract", "Proposal", 24000, "USD", alan)
	deal(10, "Data platform", "Qualified", 150000, "USD", grace)
	deal(5, "Cloud migration", "Lead", 80000, "EUR", nil)
	deal(3, "Website redesign", "Lead", 4500, "USD", nil)
	deal(2, "Enterprise licence", "Negotiation", 250000, "USD", f.ada)
	clk.Set(now0.AddDate(0, 0, -20))
	tuitest.Must[*store.Deal](t)(db.CloseDeal(ctx, f.deals["Pilot project"].ID, store.StatusWon, ""))
	clk.Set(now0.AddDate(0, 0, -10))
	tuitest.Must[*store.Deal](t)(db.CloseDeal(ctx, f.deals["Old bid"].ID, store.StatusLost, "price"))
	clk.Set(now0.AddDate(0, 0, -4))
	tuitest.Must[*store.Interaction](t)(db.LogInteraction(ctx, store.InteractionInput{Kind: "call", Text: "Renewal terms: wants two years", DealID: f.deals["Acme renewal"].ID}))
	tuitest.Must[*store.Interaction](t)(db.LogInteraction(ctx, store.InteractionInput{Kind: "email", Text: "Sent the platform overview", DealID: f.deals["Data platform"].ID}))
	clk.Set(now0.AddDate(0, 0, -3))
	tuitest.Must[*store.FollowUp](t)(db.AddFollowUp(ctx, store.FollowUpInput{Title: "Call about the renewal", DueAt: now0.AddDate(0, 0, -2), DealID: f.deals["Acme renewal"].ID}))
	tuitest.Must[*store.FollowUp](t)(db.AddFollowUp(ctx, store.FollowUpInput{Title: "Demo to the data team", DueAt: now0.AddDate(0, 0, 3).Add(3 * time.Hour), DealID: f.deals["Data platform"].ID}))
	clk.Set(now0)
	return f
}

func (f *fixture) common() common.Common {
	return common.Common{Ctx: context.Background(), Styles: styles.New(true, true), Now: f.clk.Now, Loc: time.UTC, Currency: "USD"}
}

// open builds the screen at w×h and runs its first load.
func (f *fixture) open(t testing.TB, w, h int) *Model {
	t.Helper()
	m := New(f.common(), f.db)
	m.SetSize(w, h)
	run(t, m, m.Init())
	return m
}

func (f *fixture) deal(t testing.TB, title string) *store.Deal {
	t.Helper()
	return tuitest.Must[*store.Deal](t)(f.db.FindDealByID(context.Background(), f.deals[title].ID))
}

// run executes cmd and everything it leads to, as the root would: the screen's own
// messages, prompt answers and ChangedMsg go back to the screen; the rest (Open…,
// StatusMsg) are returned in order.
func run(t testing.TB, m *Model, cmd tea.Cmd) []tea.Msg {
	t.Helper()
	var out []tea.Msg
	queue := []tea.Cmd{cmd}
	for n := 0; len(queue) > 0; n++ {
		if n > 500 {
			t.Fatal("too many messages")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case boardMsg, windowMsg, detailMsg, queueMsg, itemMsg, actionMsg, prompt.DoneMsg:
			queue = append(queue, m.Update(msg))
		case common.ChangedMsg:
			out = append(out, msg)
			queue = append(queue, m.Update(msg))
		default:
			out = append(out, msg)
		}
	}
	return out
}

func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// press sends keys one at a time, running what each leads to.
func press(t testing.TB, m *Model, keys ...string) []tea.Msg {
	t.Helper()
	var out []tea.Msg
	for _, k := range keys {
		out = append(out, run(t, m, m.Update(keyMsg(k)))...)
	}
	return out
}

// typeText types into the open prompt (the cursor's blink commands are dropped).
func typeText(t testing.TB, m *Model, s string) {
	t.Helper()
	if m.prompt == nil {
		t.Fatalf("no prompt open to type %q into", s)
	}
	for _, r := range s {
		m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func statusErr(msgs []tea.Msg) error {
	for _, msg := range msgs {
		if s, ok := msg.(common.StatusMsg); ok && s.Err != nil {
			return s.Err
		}
	}
	return nil
}

// selectCard puts the cursor on the card titled title.
func selectCard(t testing.TB, m *Model, title string) {
	t.Helper()
	for ci, c := range m.board.cols {
		for k, d := range c.cards {
			if d.Title == title {
				m.board.col = ci
				m.board.cols[ci].cursor = c.offset + k
				return
			}
		}
	}
	t.Fatalf("no card %q on the board", title)
}

func TestBoard_Load(t *testing.T) {
	f := newFixture(t)
	m := f.open(t, 80, 24)
	if !m.board.ready || len(m.board.cols) != 4 {
		t.Fatalf("board ready=%v with %d columns", m.board.ready, len(m.board.cols))
	}
	lead := m.board.cols[0]
	var got []string
	for _, d := range lead.cards {
		got = append(got, d.Title)
	}
	if want := "Acme renewal,Cloud migration,Website redesign"; strings.Join(got, ",") != want {
		t.Fatalf("Lead = %v, want %s (longest in stage first)", got, want)
	}
	v := tuitest.Plain(t, m.View(), 80, 24)
	for _, want := range []string{"Lead", "Negotiation", "Acme renewal", "!30d", "+1 other currency", "4 open deals"} {
		if want == "4 open deals" {
			want = "6 open deals"
		}
		if !strings.Contains(v, want) {
			t.Errorf("board lacks %q:\n%s", want, v)
		}
	}
}

func TestBoard_MoveWithHL(t *testing.T) {
	f := newFixture(t)
	m := f.open(t, 80, 24)
	selectCard(t, m, "Acme renewal")
	msgs := press(t, m, "L")
	if err := statusErr(msgs); err != nil {
		t.Fatal(err)
	}
	if d := f.deal(t, "Acme renewal"); d.Stage != "Qualified" {
		t.Fatalf("after L the deal is in %s, want Qualified", d.Stage)
	}
	if len(msgs) == 0 || !strings.Contains(msgs[0].(common.ChangedMsg).Status, "Qualified") {
		t.Errorf("no ChangedMsg naming the stage: %v", msgs)
	}
	// The board reloaded: Qualified now holds it, newest in the stage, so last.
	press(t, m, "l", "G")
	if d := m.board.selected(); d == nil || d.Title != "Acme renewal" {
		t.Fatalf("selected after l G = %+v, want Acme renewal", d)
	}
	press(t, m, "H")
	if d := f.deal(t, "Acme renewal"); d.Stage != "Lead" {
		t.Fatalf("after H the deal is in %s, want Lead", d.Stage)
	}
	// shift+h, as terminals that report modifiers send it, moves too.
	selectCard(t, m, "Data platform")
	run(t, m, m.Update(tea.KeyPressMsg{Code: 'h', Mod: tea.ModShift}))
	if d := f.deal(t, "Data platform"); d.Stage != "Lead" {
		t.Fatalf("after shift+h the deal is in %s, want Lead", d.Stage)
	}
	// The first stage has no previous one: nothing changes, the status says why.
	selectCard(t, m, "Website redesign")
	msgs = press(t, m, "H")
	if d := f.deal(t, "Website redesign"); d.Stage != "Lead" {
		t.Fatalf("H in the first stage moved the deal to %s", d.Stage)
	}
	if len(msgs) != 1 || !strings.Contains(msgs[0].(common.StatusMsg).Text, "first stage") {
		t.Errorf("msgs = %v", msgs)
	}
}

func TestBoard_WonAndLost(t *testing.T) {
	f := newFixture(t)
	m := f.open(t, 80, 24)
	selectCard(t, m, "Support contract")
	press(t, m, "w")
	if d := f.deal(t, "Support contract"); d.Status != store.StatusWon {
		t.Fatalf("after w the deal is %s", d.Status)
	}
	if strings.Contains(tuitest.Plain(t, m.View(), 80, 24), "Support contract") {
		t.Error("a won deal is still on the board")
	}

	selectCard(t, m, "Website redesign")
	press(t, m, "x")
	if !m.Capturing() {
		t.Fatal("x opened no prompt")
	}
	if v := tuitest.Plain(t, m.View(), 80, 24); !strings.Contains(v, "Why was “Website redesign” lost?") {
		t.Errorf("prompt not shown:\n%s", v)
	}
	typeText(t, m, "went with a competitor")
	press(t, m, "enter")
	d := f.deal(t, "Website redesign")
	if d.Status != store.StatusLost || d.LostReason != "went with a competitor" {
		t.Fatalf("after x: status %s, reason %q", d.Status, d.LostReason)
	}
	if m.Capturing() {
		t.Error("the prompt is still open")
	}

	// esc cancels: nothing changes.
	selectCard(t, m, "Acme renewal")
	press(t, m, "x", "esc")
	if d := f.deal(t, "Acme renewal"); d.Status != store.StatusOpen {
		t.Fatalf("x then esc changed the deal to %s", d.Status)
	}
}

func TestBoard_Add(t *testing.T) {
	f := newFixture(t)
	m := f.open(t, 80, 24)
	press(t, m, "l", "a") // in Qualified: the stage prompt offers it
	typeText(t, m, "Analytics add-on")
	press(t, m, "enter")
	typeText(t, m, "12000 dollars")
	press(t, m, "enter")
	if m.prompt == nil || m.prompt.Tag() != "value" {
		t.Fatal("a bad amount closed the prompt")
	}
	for range len("12000 dollars") {
		m.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
	}
	typeText(t, m, "5,000.50 EUR")
	press(t, m, "enter")
	press(t, m, "enter") // the stage: Qualified, as offered
	typeText(t, m, "ada@acme.test")
	msgs := press(t, m, "enter")
	if err := statusErr(msgs); err != nil {
		t.Fatal(err)
	}
	list := tuitest.Must[[]store.Deal](t)(f.db.BoardColumn(context.Background(), m.board.cols[1].sum.Stage.ID, 0, 10))
	var got *store.Deal
	for i := range list {
		if list[i].Title == "Analytics add-on" {
			got = &list[i]
		}
	}
	if got == nil || got.Value.Amount != 500050 || got.Value.Currency != "EUR" || got.ContactID != f.ada.ID {
		t.Fatalf("added deal = %+v", got)
	}
	// An unknown contact adds nothing and says so.
	press(t, m, "a")
	typeText(t, m, "Ghost deal")
	press(t, m, "enter", "enter", "enter")
	typeText(t, m, "nobody at all")
	msgs = press(t, m, "enter")
	if err := statusErr(msgs); err == nil || !strings.Contains(err.Error(), "not added") {
		t.Fatalf("unknown contact: err = %v", err)
	}
}

func TestDetail(t *testing.T) {
	f := newFixture(t)
	m := f.open(t, 80, 24)
	run(t, m, m.Update(common.OpenDealMsg{ID: f.deals["Acme renewal"].ID}))
	if m.mode != modeDetail {
		t.Fatal("OpenDealMsg did not open the detail")
	}
	v := tuitest.Plain(t, m.View(), 80, 24)
	for _, want := range []string{"Acme renewal", "Ada Lovelace", "Call about the renewal", "overdue", "Renewal terms"} {
		if !strings.Contains(v, want) {
			t.Errorf("detail lacks %q:\n%s", want, v)
		}
	}
	msgs := press(t, m, "o")
	if len(msgs) != 1 || msgs[0] != (common.OpenContactMsg{ID: f.ada.ID}) {
		t.Fatalf("o returned %v, want OpenContactMsg for Ada", msgs)
	}
	if msgs := press(t, m, "enter"); len(msgs) != 1 || msgs[0] != (common.OpenContactMsg{ID: f.ada.ID}) {
		t.Fatalf("enter returned %v", msgs)
	}

	press(t, m, "l")
	typeText(t, m, "meeting: walked through the renewal")
	press(t, m, "enter")
	tl := tuitest.Must[[]store.Interaction](t)(f.db.Timeline(context.Background(), store.TimelineFilter{DealID: f.deals["Acme renewal"].ID, Limit: 1}))
	if tl[0].Kind != "meeting" || tl[0].Text != "walked through the renewal" {
		t.Fatalf("logged %s %q", tl[0].Kind, tl[0].Text)
	}

	press(t, m, "f")
	typeText(t, m, "someday maybe")
	press(t, m, "enter")
	if m.prompt == nil || m.prompt.Tag() != "due" {
		t.Fatal("an unparseable date closed the prompt")
	}
	m.prompt = nil
	press(t, m, "f")
	typeText(t, m, "fri 3pm")
	press(t, m, "enter")
	typeText(t, m, "Send the contract")
	press(t, m, "enter")
	ups := tuitest.Must[[]store.FollowUp](t)(func() ([]store.FollowUp, error) {
		l, _, err := f.db.FindFollowUps(context.Background(), store.FollowUpFilter{DealID: f.deals["Acme renewal"].ID})
		return l, err
	}())
	if len(ups) != 2 || ups[1].Title != "Send the contract" || !ups[1].DueAt.Equal(time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)) {
		t.Fatalf("follow-ups = %+v", ups)
	}
	if v := tuitest.Plain(t, m.View(), 80, 24); !strings.Contains(v, "Send the contract") || !strings.Contains(v, "walked through") {
		t.Errorf("detail did not reload:\n%s", v)
	}

	press(t, m, "esc")
	if m.mode != modeBoard {
		t.Fatal("esc did not go back to the board")
	}
}

func TestReview(t *testing.T) {
	f := newFixture(t)
	m := f.open(t, 80, 24)
	press(t, m, "r")
	if m.mode != modeReview {
		t.Fatal("r did not start the review")
	}
	var order []string
	for _, it := range m.review.items {
		order = append(order, it.Deal.Title)
	}
	// Overdue next step, rotting, no next step (most valuable first), scheduled.
	want := "Acme renewal,Support contract,Enterprise licence,Cloud migration,Website redesign,Data platform"
	if strings.Join(order, ",") != want {
		t.Fatalf("queue = %v\nwant %s", order, want)
	}
	v := tuitest.Plain(t, m.View(), 80, 24)
	for _, s := range []string{"deal 1 of 6", "next step overdue", "Acme renewal", "Call about the renewal", "Renewal terms"} {
		if !strings.Contains(v, s) {
			t.Errorf("review lacks %q:\n%s", s, v)
		}
	}

	// Deal 1: log a call, then skip on.
	press(t, m, "l")
	typeText(t, m, "call: agreed on two years")
	press(t, m, "enter", "n")
	// Deal 2: schedule the next step, then skip with space.
	press(t, m, "f")
	typeText(t, m, "next monday")
	press(t, m, "enter")
	typeText(t, m, "Chase the signature")
	press(t, m, "enter")
	if v := tuitest.Plain(t, m.View(), 80, 24); !strings.Contains(v, "Chase the signature") {
		t.Errorf("the review did not reload the deal:\n%s", v)
	}
	press(t, m, "space")
	// Deal 3: Enterprise licence is in the last stage; L says so, H moves it back.
	msgs := press(t, m, "L")
	if len(msgs) != 1 || !strings.Contains(msgs[0].(common.StatusMsg).Text, "last stage") {
		t.Fatalf("L in the last stage: %v", msgs)
	}
	press(t, m, "H", "n")
	// Deal 4: won, which moves on by itself.
	press(t, m, "w")
	if m.review.idx != 4 {
		t.Fatalf("after w the review shows deal %d, want 5", m.review.idx+1)
	}
	press(t, m, "esc")
	if m.mode != modeSummary {
		t.Fatal("esc did not end the review")
	}

	if d := f.deal(t, "Enterprise licence"); d.Stage != "Proposal" {
		t.Errorf("Enterprise licence is in %s, want Proposal", d.Stage)
	}
	if d := f.deal(t, "Cloud migration"); d.Status != store.StatusWon {
		t.Errorf("Cloud migration is %s, want won", d.Status)
	}
	ns := tuitest.Must[*store.FollowUp](t)(f.db.NextStep(context.Background(), f.deals["Support contract"].ID))
	if ns == nil || ns.Title != "Chase the signature" {
		t.Errorf("Support contract's next step = %+v", ns)
	}
	s := tuitest.Plain(t, m.View(), 80, 24)
	for _, want := range []string{
		"Reviewed 5 of 6 deals · 4 changed",
		"Acme renewal", "logged call",
		"Support contract", "scheduled Mon 30 Nov: Chase the signature",
		"Enterprise licence", "moved Negotiation → Proposal",
		"Cloud migration", "won",
		"Website redesign", "no change",
		"Still no next step (2)",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
	// The deals without a next step are Enterprise licence and Website redesign (Cloud
	// migration was won; Acme renewal still has its overdue call).
	tail := s[strings.Index(s, "Still no next step"):]
	if !strings.Contains(tail, "Enterprise licence") || !strings.Contains(tail, "Website redesign") || strings.Contains(tail, "Cloud migration") {
		t.Errorf("no-next-step list:\n%s", tail)
	}
	press(t, m, "esc")
	if m.mode != modeBoard {
		t.Fatal("esc from the summary did not go back to the board")
	}
}

func TestBoard_Window(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for i := range 100 {
		f.clk.Set(now0.Add(-time.Duration(100-i) * time.Minute))
		tuitest.Must[*store.Deal](t)(f.db.CreateDeal(ctx, store.DealInput{Title: fmt.Sprintf("Bulk %02d", i), Stage: "Qualified", Value: 100}))
	}
	f.clk.Set(now0)
	m := f.open(t, 80, 24)
	c := &m.board.cols[1]
	v := m.visibleCards()
	if c.sum.Count != 101 || len(c.cards) != minWindow {
		t.Fatalf("Qualified: %d deals, %d loaded; want 101 and a window of %d", c.sum.Count, len(c.cards), minWindow)
	}
	press(t, m, "l", "G")
	if d := m.board.selected(); d == nil || d.Title != "Bulk 99" {
		t.Fatalf("after G: %+v, want the newest bulk deal", d)
	}
	if c.offset != 101-2*v || c.offset+len(c.cards) != 101 {
		t.Fatalf("after G the window is %d+%d", c.offset, len(c.cards))
	}
	if s := tuitest.Plain(t, m.View(), 80, 24); !strings.Contains(s, fmt.Sprintf("%d–101 of 101", 101-v+1)) {
		t.Errorf("no position in the column:\n%s", s)
	}
	press(t, m, "g")
	if d := m.board.selected(); d == nil || d.Title != "Data platform" {
		t.Fatalf("after g: %+v", d)
	}
	// A taller screen shows every card it has room for once the root resizes it.
	m.SetSize(80, 200)
	run(t, m, m.Update(tea.WindowSizeMsg{Width: 80, Height: 202}))
	if s := tuitest.Plain(t, m.View(), 80, 200); strings.Contains(s, " … ") || !strings.Contains(s, "Bulk 60") {
		t.Errorf("after a resize to 200 lines:\n%s", s)
	}
	m.SetSize(80, 24)
	// A late window (an earlier request) never overwrites a newer one.
	stale := windowMsg{seq: c.want - 1, stageID: c.sum.Stage.ID, offset: 30, cards: nil}
	m.Update(stale)
	if c.offset != 0 || len(c.cards) == 0 {
		t.Fatal("a stale window replaced the loaded one")
	}
}

func TestBoard_NarrowScroll(t *testing.T) {
	f := newFixture(t, store.StageSpec{Name: "Lead", Probability: 10, RottingDays: 14},
		store.StageSpec{Name: "Qualified", Probability: 20, RottingDays: 14},
		store.StageSpec{Name: "Demo", Probability: 30, RottingDays: 14},
		store.StageSpec{Name: "Proposal", Probability: 50, RottingDays: 21},
		store.StageSpec{Name: "Negotiation", Probability: 75, RottingDays: 21},
		store.StageSpec{Name: "Contract", Probability: 90, RottingDays: 7})
	m := f.open(t, 80, 24)
	v := tuitest.Plain(t, m.View(), 80, 24)
	if !strings.Contains(v, "2 more ›") || strings.Contains(v, "Contract") {
		t.Fatalf("at 80 columns 4 of 6 stages show:\n%s", v)
	}
	press(t, m, "l", "l", "l", "l", "right")
	v = tuitest.Plain(t, m.View(), 80, 24)
	if !strings.Contains(v, "‹ 2 more") || !strings.Contains(v, "Contract") || strings.Contains(v, "Qualified") {
		t.Fatalf("scrolled to the last stage:\n%s", v)
	}
	tuitest.GoldenExact(t, "board_6_stages_80x24", v)
}

func TestGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		w, h := size[0], size[1]
		t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
			f := newFixture(t)
			m := f.open(t, w, h)
			tuitest.GoldenExact(t, fmt.Sprintf("board_%dx%d", w, h), tuitest.Plain(t, m.View(), w, h))

			press(t, m, "x")
			tuitest.GoldenExact(t, fmt.Sprintf("board_lost_prompt_%dx%d", w, h), tuitest.Plain(t, m.View(), w, h))
			press(t, m, "esc")

			press(t, m, "enter")
			tuitest.GoldenExact(t, fmt.Sprintf("detail_%dx%d", w, h), tuitest.Plain(t, m.View(), w, h))
			press(t, m, "esc")

			press(t, m, "r")
			tuitest.GoldenExact(t, fmt.Sprintf("review_%dx%d", w, h), tuitest.Plain(t, m.View(), w, h))
			press(t, m, "l")
			typeText(t, m, "call: agreed on two years")
			press(t, m, "enter", "n", "H", "n", "n", "esc")
			tuitest.GoldenExact(t, fmt.Sprintf("review_summary_%dx%d", w, h), tuitest.Plain(t, m.View(), w, h))
		})
	}
}
