package reports

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
	"github.com/rolo-crm/rolo/tui/styles"
)

// now0 is the pinned "now": Tuesday 24 November 2026, noon UTC.
var now0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

type fixture struct {
	db    *store.DB
	clk   *tuitest.Clock
	deals map[string]*store.Deal
	grace *store.Contact
	alan  *store.Contact
}

// newFixture builds a small sales history through the store API:
//
//	Sep 15  Pilot project created (Grace), Oct 10 won
//	Oct  5  Old bid created (Alan), moved to Qualified Oct 20, Nov 14 lost (price)
//	Oct 25  Acme renewal created (Ada), stays in Lead: rotting
//	Nov  4  Support contract created in Proposal (Alan), Nov 18 won
//	Nov 14  Data platform created (Grace) in Qualified
//	Grace has a 7-day cadence and was never touched since Nov 1: neglected
//	calls and emails logged through November
func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	clk := tuitest.NewClock(time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC))
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "rolo.db"), store.Options{Now: clk.Now, Owner: "rep", Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	db.SQL().SetMaxOpenConns(1) // as rolo runs the TUI
	t.Cleanup(func() { db.Close() })
	f := &fixture{db: db, clk: clk, deals: map[string]*store.Deal{}}
	at := func(month time.Month, day int) { clk.Set(time.Date(2026, month, day, 10, 0, 0, 0, time.UTC)) }
	contact := func(name, company string, cadence int) *store.Contact {
		return tuitest.Must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{Name: name, Company: company, CadenceDays: cadence}))
	}
	ada := contact("Ada Lovelace", "Acme Corp", 0)
	f.grace = contact("Grace Hopper", "Navy Labs", 7)
	alan := contact("Alan Turing", "Bletchley Ltd", 0)
	f.alan = alan
	deal := func(title, stage string, value int64, c *store.Contact) {
		f.deals[title] = tuitest.Must[*store.Deal](t)(db.CreateDeal(ctx, store.DealInput{Title: title, Stage: stage, Value: value * 100, ContactID: c.ID}))
	}
	at(9, 15)
	deal("Pilot project", "Lead", 9000, f.grace)
	at(10, 5)
	deal("Old bid", "Lead", 7000, alan)
	at(10, 10)
	tuitest.Must[*store.Deal](t)(db.CloseDeal(ctx, f.deals["Pilot project"].ID, store.StatusWon, ""))
	at(10, 20)
	tuitest.Must[*store.Deal](t)(db.MoveDeal(ctx, f.deals["Old bid"].ID, "Qualified"))
	at(10, 25)
	deal("Acme renewal", "Lead", 12000, ada)
	at(11, 1)
	tuitest.Must[*store.Interaction](t)(db.LogInteraction(ctx, store.InteractionInput{Kind: "call", Text: "Intro call", ContactID: f.grace.ID}))
	at(11, 4)
	deal("Support contract", "Proposal", 24000, alan)
	for d := 5; d < 20; d += 2 {
		at(11, d)
		tuitest.Must[*store.Interaction](t)(db.LogInteraction(ctx, store.InteractionInput{Kind: "email", Text: fmt.Sprintf("Email %d", d), ContactID: alan.ID}))
	}
	at(11, 14)
	tuitest.Must[*store.Deal](t)(db.CloseDeal(ctx, f.deals["Old bid"].ID, store.StatusLost, "price"))
	deal("Data platform", "Qualified", 150000, f.grace)
	at(11, 18)
	tuitest.Must[*store.Deal](t)(db.CloseDeal(ctx, f.deals["Support contract"].ID, store.StatusWon, ""))
	tuitest.Must[*store.Interaction](t)(db.LogInteraction(ctx, store.InteractionInput{Kind: "meeting", Text: "Kick-off", ContactID: alan.ID}))
	clk.Set(now0)
	return f
}

func (f *fixture) open(t testing.TB, w, h int) *Model {
	t.Helper()
	m := New(common.Common{Ctx: context.Background(), Styles: styles.New(true, true), Now: f.clk.Now, Loc: time.UTC, Currency: "USD"}, f.db)
	m.SetSize(w, h)
	run(t, m, m.Init())
	return m
}

// run executes cmd and what it leads to; the screen's own messages go back to it, the
// rest are returned.
func run(t testing.TB, m *Model, cmd tea.Cmd) []tea.Msg {
	t.Helper()
	var out []tea.Msg
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case panelMsg, listMsg:
			queue = append(queue, m.Update(msg))
		default:
			out = append(out, msg)
		}
	}
	return out
}

func press(t testing.TB, m *Model, keys ...string) []tea.Msg {
	t.Helper()
	var out []tea.Msg
	for _, k := range keys {
		var msg tea.KeyPressMsg
		switch k {
		case "enter":
			msg = tea.KeyPressMsg{Code: tea.KeyEnter}
		case "esc":
			msg = tea.KeyPressMsg{Code: tea.KeyEscape}
		case "right":
			msg = tea.KeyPressMsg{Code: tea.KeyRight}
		default:
			msg = tea.KeyPressMsg{Code: []rune(k)[0], Text: k}
		}
		out = append(out, run(t, m, m.Update(msg))...)
	}
	return out
}

func TestPeriod(t *testing.T) {
	f := newFixture(t)
	m := f.open(t, 120, 40)
	win := func() *store.WinRate { return m.panels[pWinRate].data.(*store.WinRate) }
	if w := win(); w.Won != 1 || w.Lost != 1 || !w.From.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("November: %d won, %d lost from %v", w.Won, w.Lost, w.From)
	}
	if v := tuitest.Plain(t, m.View(), 120, 40); !strings.Contains(v, "November 2026 (to date)") || !strings.Contains(v, "50.0% won") {
		t.Errorf("view:\n%s", v)
	}
	forecastSeq := m.panels[pForecast].seq
	press(t, m, "[")
	if w := win(); w.Won != 1 || w.Lost != 0 || !w.From.Equal(time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("October: %d won, %d lost from %v", w.Won, w.Lost, w.From)
	}
	if f := m.panels[pFunnel].data.(*store.Funnel); f.Deals != 2 {
		t.Errorf("October's funnel has %d deals, want 2 (Old bid, Acme renewal)", f.Deals)
	}
	if m.panels[pForecast].seq != forecastSeq {
		t.Error("the forecast, which is about now, reloaded with the period")
	}
	if v := tuitest.Plain(t, m.View(), 120, 40); !strings.Contains(v, "October 2026 ") || strings.Contains(v, "(to date)") {
		t.Errorf("view after [:\n%s", v)
	}
	press(t, m, "]")
	if w := win(); w.Won != 1 || w.Lost != 1 {
		t.Fatalf("back in November: %d won, %d lost", w.Won, w.Lost)
	}
	if msgs := press(t, m, "]"); len(msgs) != 1 || !strings.Contains(msgs[0].(common.StatusMsg).Text, "current month") {
		t.Errorf("] at the current month: %v", msgs)
	}
	press(t, m, "p") // quarter: Q4 so far holds all three closes
	if w := win(); w.Won != 2 || w.Lost != 1 {
		t.Fatalf("Q4: %d won, %d lost", w.Won, w.Lost)
	}
	if v := tuitest.Plain(t, m.View(), 120, 40); !strings.Contains(v, "Q4 2026 (to date)") {
		t.Errorf("view in quarters:\n%s", v)
	}
	// A late answer for a period since left is dropped.
	stale := panelMsg{panel: pWinRate, seq: m.panels[pWinRate].seq - 1, data: &store.WinRate{}}
	m.Update(stale)
	if win().Won != 2 {
		t.Error("a stale answer replaced the current one")
	}
}

// labels are the labels of the current drill-down list's items.
func labels(m *Model) []string {
	var out []string
	for _, it := range m.drill.items {
		out = append(out, it.label)
	}
	return out
}

// pick moves the cursor to the item labelled label and presses enter.
func pick(t *testing.T, m *Model, label string) []tea.Msg {
	t.Helper()
	for i, it := range m.drill.items {
		if it.label == label {
			m.drill.cursor = i
			return press(t, m, "enter")
		}
	}
	t.Fatalf("no item %q in %q: %q", label, m.drill.title, labels(m))
	return nil
}

func TestDrillDown(t *testing.T) {
	f := newFixture(t)
	m := f.open(t, 80, 24)

	// Rotting deals → the deal.
	m.focus = pRotting
	press(t, m, "enter")
	if m.drill == nil {
		t.Fatal("enter on rotting deals opened no list")
	}
	msgs := press(t, m, "enter")
	if len(msgs) != 1 || msgs[0] != (common.OpenDealMsg{ID: f.deals["Acme renewal"].ID}) {
		t.Fatalf("enter on a rotting deal: %v", msgs)
	}
	press(t, m, "esc")

	// Neglected contacts → the contact.
	press(t, m, "k") // from rotting back to neglected
	if m.focus != pNeglected {
		t.Fatalf("k moved to panel %d", m.focus)
	}
	press(t, m, "enter")
	if got := strings.Join(labels(m), ","); got != "Past their cadence,Open deals, untouched 30d" {
		t.Fatalf("neglect figures: %s", got)
	}
	pick(t, m, "Past their cadence")
	if d := m.drill; d.total != 1 || d.items[0].label != "Grace Hopper" {
		t.Fatalf("past their cadence: %q of %d", labels(m), d.total)
	}
	msgs = press(t, m, "enter")
	if len(msgs) != 1 || msgs[0] != (common.OpenContactMsg{ID: f.grace.ID}) {
		t.Fatalf("enter on a neglected contact: %v", msgs)
	}
	press(t, m, "esc")
	// Grace (Data platform) and Ada (Acme renewal) have open deals; Grace was called 23
	// days ago and Ada never, since 30 Sep: only Ada is untouched for 30 days.
	pick(t, m, "Open deals, untouched 30d")
	if d := m.drill; d.total != 1 || d.items[0].label != "Ada Lovelace" {
		t.Fatalf("untouched: %q of %d", labels(m), d.total)
	}
	press(t, m, "esc", "esc")

	// Funnel → a stage → the deals the funnel counted for it → the deal. November's
	// funnel: Support contract (created in Proposal, so it counts for Lead and Qualified
	// too, and won: every stage) and Data platform (created in Qualified).
	m.focus = pFunnel
	press(t, m, "enter")
	if got := strings.Join(labels(m), ","); got != "Lead,Qualified,Proposal,Negotiation,Won,Lost,Open" {
		t.Fatalf("funnel figures: %s", got)
	}
	pick(t, m, "Qualified")
	if v := tuitest.Plain(t, m.View(), 80, 24); !strings.Contains(v, "Deals that reached Qualified") || !strings.Contains(v, "Data platform") ||
		!strings.Contains(v, "Support contract") || !strings.Contains(v, "1 of 2") {
		t.Fatalf("deals that reached Qualified:\n%s", v)
	}
	msgs = press(t, m, "enter")
	if len(msgs) != 1 || msgs[0] != (common.OpenDealMsg{ID: f.deals["Data platform"].ID}) {
		t.Fatalf("enter on a deal of the stage: %v", msgs)
	}
	press(t, m, "esc")
	if m.drill == nil || !strings.Contains(m.drill.title, "Funnel") {
		t.Fatal("esc from the deals did not go back to the funnel's figures")
	}
	press(t, m, "esc")
	if m.drill != nil {
		t.Fatal("esc from the figures did not go back to the panels")
	}

	// Win rate → all the deals counted (November: Old bid lost Nov 14, Support contract
	// won Nov 18, most recently closed first) → the deal; → lost; → furthest stage.
	m.focus = pWinRate
	press(t, m, "enter")
	pick(t, m, "All the deals counted")
	v := tuitest.Plain(t, m.View(), 80, 24)
	if !strings.Contains(v, "Deals counted in the win rate") || strings.Index(v, "Support contract") > strings.Index(v, "Old bid") ||
		strings.Contains(v, "Pilot project") {
		t.Fatalf("deals counted in November's win rate:\n%s", v)
	}
	msgs = press(t, m, "enter")
	if len(msgs) != 1 || msgs[0] != (common.OpenDealMsg{ID: f.deals["Support contract"].ID}) {
		t.Fatalf("enter on a closed deal: %v", msgs)
	}
	press(t, m, "esc")
	pick(t, m, "Lost")
	if d := m.drill; d.total != 1 || d.items[0].label != "Old bid" {
		t.Fatalf("lost: %q of %d", labels(m), d.total)
	}
	press(t, m, "esc")
	// Old bid went Lead → Qualified; Support contract was created in Proposal.
	pick(t, m, "Furthest stage Qualified")
	if d := m.drill; d.total != 1 || d.items[0].label != "Old bid" {
		t.Fatalf("furthest stage Qualified: %q of %d", labels(m), d.total)
	}
	press(t, m, "esc", "esc")

	// Cycle → the closed deals, with their days to close (Support contract: Nov 4 → 18).
	m.focus = pCycle
	press(t, m, "enter")
	pick(t, m, "Closed deals")
	if v := tuitest.Plain(t, m.View(), 80, 24); !strings.Contains(v, "Support contract") || !strings.Contains(v, "14.0 d") {
		t.Fatalf("closed deals of the cycle:\n%s", v)
	}
	press(t, m, "esc")
	// → a stage's stays: Old bid was in Qualified from 20 Oct until it was lost on 14 Nov.
	cyc := m.panels[pCycle].data.(*store.Cycle)
	pick(t, m, "Qualified")
	if d := m.drill; d.total != cyc.Stages[1].Stints || d.total != 1 || d.items[0].label != "Old bid" || !strings.Contains(d.items[0].detail, "25.0 d · lost 14 Nov") {
		t.Fatalf("stays in Qualified: %q of %d: %+v", labels(m), d.total, d.items)
	}
	msgs = press(t, m, "enter")
	if len(msgs) != 1 || msgs[0] != (common.OpenDealMsg{ID: f.deals["Old bid"].ID}) {
		t.Fatalf("enter on a stay: %v", msgs)
	}
	press(t, m, "esc", "esc")

	// Velocity → the open deals in USD: Acme renewal and Data platform.
	m.focus = pVelocity
	press(t, m, "enter")
	pick(t, m, "Open deals in USD")
	if d := m.drill; d.total != 2 {
		t.Fatalf("open deals in USD: %q of %d", labels(m), d.total)
	}
	press(t, m, "esc", "esc")

	// Forecast → a month → the deals expected to close in it; → no date.
	close := "2026-12-15"
	tuitest.Must[*store.Deal](t)(f.db.UpdateDeal(context.Background(), f.deals["Data platform"].ID, store.DealUpdate{ExpectedClose: &close}))
	run(t, m, m.Update(common.ChangedMsg{}))
	m.focus = pForecast
	press(t, m, "enter")
	if got := strings.Join(labels(m), ","); got != "Nov 2026,Dec 2026,Jan 2027,No date" {
		t.Fatalf("forecast lines: %s", got)
	}
	pick(t, m, "Dec 2026")
	if v := tuitest.Plain(t, m.View(), 80, 24); !strings.Contains(v, "Deals expected to close in December 2026") || !strings.Contains(v, "Data platform") ||
		strings.Contains(v, "Acme renewal") {
		t.Fatalf("December's deals:\n%s", v)
	}
	press(t, m, "esc")
	pick(t, m, "No date")
	if d := m.drill; d.total != 1 || d.items[0].label != "Acme renewal" {
		t.Fatalf("no date: %q of %d", labels(m), d.total)
	}
	press(t, m, "esc", "esc")
	if m.drill != nil {
		t.Fatal("esc twice did not go back to the panels")
	}
}

func TestActivityDrill(t *testing.T) {
	f := newFixture(t)
	m := f.open(t, 80, 24)
	a := m.panels[pActivity].data.(*store.Activity)
	m.focus = pActivity
	press(t, m, "enter")
	// November so far, in weeks from Monday, newest first: 23 Nov (so far) nothing; 16
	// Nov emails 17, 19 and the meeting 18; 9 Nov emails 9–15; 2 Nov emails 5, 7; 26 Oct
	// the call of 1 Nov.
	if got := strings.Join(labels(m), ","); got != "Mon 23 Nov 2026*,Mon 16 Nov 2026,Mon 9 Nov 2026,Mon 2 Nov 2026,Mon 26 Oct 2026" {
		t.Fatalf("weeks: %s", got)
	}
	if d := m.drill.items[1].detail; !strings.HasSuffix(strings.Join(strings.Fields(d), " "), "0 2 1 0 0 3") {
		t.Errorf("the week of 16 Nov: %q", d)
	}
	press(t, m, "j", "enter")
	d := m.drill
	// The list holds exactly the entries the panel counted for the week, newest first.
	if week := a.Weeks[len(a.Weeks)-2]; d.total != week.Total || len(d.items) != week.Total || week.Total != 3 {
		t.Fatalf("the week of 16 Nov lists %d of %d entries; the panel counted %d", len(d.items), d.total, week.Total)
	}
	if got := strings.Join(labels(m), ","); got != "Thu 19 Nov 10:00 email,Wed 18 Nov 10:00 meeting,Tue 17 Nov 10:00 email" {
		t.Fatalf("entries: %s", got)
	}
	if !strings.Contains(d.items[1].detail, "Alan Turing — Kick-off") {
		t.Errorf("the meeting: %q", d.items[1].detail)
	}
	msgs := press(t, m, "j", "enter")
	if len(msgs) != 1 || msgs[0] != (common.OpenContactMsg{ID: f.alan.ID}) {
		t.Fatalf("enter on an entry: %v", msgs)
	}
	press(t, m, "esc")
	if m.drill == nil || m.drill.title != "Activity per week" || m.drill.cursor != 1 {
		t.Fatalf("esc from the entries did not go back to the weeks: %+v", m.drill)
	}
	press(t, m, "esc")
	if m.drill != nil {
		t.Fatal("esc from the weeks did not go back to the panels")
	}
}

// TestActivityWindows: a week of 230 entries loads a window at a time as the cursor goes
// down, and ends with every entry once.
func TestActivityWindows(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	start := time.Date(2026, 11, 16, 8, 0, 0, 0, time.UTC)
	for i := range 227 {
		tuitest.Must[*store.Interaction](t)(f.db.LogInteraction(ctx, store.InteractionInput{Kind: "note", Text: fmt.Sprintf("Note %d", i),
			ContactID: f.grace.ID, OccurredAt: start.Add(time.Duration(i) * 7 * time.Minute)}))
	}
	m := f.open(t, 80, 24)
	m.focus = pActivity
	press(t, m, "enter", "j", "enter")
	d := m.drill
	if d.total != 230 || len(d.items) != pageSize {
		t.Fatalf("first window: %d of %d", len(d.items), d.total)
	}
	for range 229 {
		press(t, m, "j")
	}
	if len(d.items) != 230 || d.cursor != 229 || d.next != nil {
		t.Fatalf("after going down: %d loaded, cursor %d", len(d.items), d.cursor)
	}
	seen := map[string]bool{}
	for i, it := range d.items {
		if seen[it.detail] {
			t.Fatalf("item %d is listed twice: %s", i, it.detail)
		}
		seen[it.detail] = true
	}
	// Newest first: the email of 19 Nov leads; the notes from 16 Nov 08:00 every 7 minutes
	// (to 17 Nov 10:22) end with the first of them.
	if !strings.Contains(d.items[0].detail, "Email 19") || !strings.Contains(d.items[229].detail, "Note 0") {
		t.Errorf("first %q, last %q", d.items[0].detail, d.items[229].detail)
	}
	if v := tuitest.Plain(t, m.View(), 80, 24); !strings.Contains(v, "230 of 230") {
		t.Errorf("the position:\n%s", v)
	}
}

// TestFunnelDrillCounts: each stage's list is exactly what the funnel counted for it, with
// a deal that skipped stages and one that moved backwards.
func TestFunnelDrillCounts(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// Data platform (Qualified) goes on to Negotiation, then back to Lead: it reached
	// Negotiation, and counts for every stage once.
	tuitest.Must[*store.Deal](t)(f.db.MoveDeal(ctx, f.deals["Data platform"].ID, "Negotiation"))
	tuitest.Must[*store.Deal](t)(f.db.MoveDeal(ctx, f.deals["Data platform"].ID, "Lead"))
	m := f.open(t, 120, 40)
	fn := m.panels[pFunnel].data.(*store.Funnel)
	m.focus = pFunnel
	press(t, m, "enter")
	for _, s := range fn.Stages {
		pick(t, m, s.Stage)
		if d := m.drill; d.total != s.Reached || len(d.items) != s.Reached {
			t.Errorf("%s: the list has %d (total %d), the funnel counted %d", s.Stage, len(d.items), d.total, s.Reached)
		}
		// Both November deals reached every stage: Support contract skipped to Proposal
		// and was won, Data platform reached Negotiation before going back.
		if s.Reached != 2 {
			t.Errorf("%s reached by %d, want 2", s.Stage, s.Reached)
		}
		press(t, m, "esc")
	}
}

func TestStackedScroll(t *testing.T) {
	f := newFixture(t)
	m := f.open(t, 80, 24)
	for range pRotting {
		press(t, m, "j")
	}
	v := tuitest.Plain(t, m.View(), 80, 24)
	if !strings.Contains(v, "Rotting deals") || !strings.Contains(v, "Acme renewal") {
		t.Fatalf("the focused last panel is not in view:\n%s", v)
	}
	tuitest.GoldenExact(t, "reports_rotting_80x24", v)
}

func TestGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		w, h := size[0], size[1]
		t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
			f := newFixture(t)
			m := f.open(t, w, h)
			tuitest.GoldenExact(t, fmt.Sprintf("reports_%dx%d", w, h), tuitest.Plain(t, m.View(), w, h))
			m.focus = pNeglected
			press(t, m, "enter")
			tuitest.GoldenExact(t, fmt.Sprintf("reports_neglected_%dx%d", w, h), tuitest.Plain(t, m.View(), w, h))
		})
	}
}

// TestGoldenDrill: the lists behind the panels, at both sizes.
func TestGoldenDrill(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		w, h := size[0], size[1]
		t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
			f := newFixture(t)
			m := f.open(t, w, h)
			shot := func(name string) {
				t.Helper()
				tuitest.GoldenExact(t, fmt.Sprintf("drill_%s_%dx%d", name, w, h), tuitest.Plain(t, m.View(), w, h))
			}
			for _, c := range []struct {
				name  string
				panel int
				pick  string // the figure to open, or "" for the panel's figures
			}{
				{"winrate", pWinRate, ""},
				{"winrate_all", pWinRate, "All the deals counted"},
				{"funnel", pFunnel, ""},
				{"funnel_qualified", pFunnel, "Qualified"},
				{"cycle", pCycle, ""},
				{"cycle_proposal", pCycle, "Proposal"},
				{"velocity", pVelocity, ""},
				{"forecast", pForecast, ""},
				{"activity", pActivity, ""},
				{"activity_week", pActivity, "Mon 16 Nov 2026"},
				{"neglected_past", pNeglected, "Past their cadence"},
				{"rotting", pRotting, ""},
			} {
				m.focus = c.panel
				press(t, m, "enter")
				if c.pick != "" {
					pick(t, m, c.pick)
				}
				shot(c.name)
				for m.drill != nil {
					press(t, m, "esc")
				}
			}
		})
	}
}

// TestRottingWindows: the rotting deals list starts with the panel's first window and
// loads the rest from the store as the cursor goes down.
func TestRottingWindows(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.clk.Set(time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC))
	for i := range 104 {
		tuitest.Must[*store.Deal](t)(f.db.CreateDeal(ctx, store.DealInput{Title: fmt.Sprintf("Bulk %03d", i), Stage: "Lead", Value: 100}))
	}
	f.clk.Set(now0)
	m := f.open(t, 80, 24)
	m.focus = pRotting
	press(t, m, "enter")
	d := m.drill
	if d.total != 105 || len(d.items) != listLimit || d.next == nil {
		t.Fatalf("first window: %d of %d", len(d.items), d.total)
	}
	for range 104 {
		press(t, m, "j")
	}
	seen := map[string]bool{}
	for _, it := range d.items {
		seen[it.label] = true
	}
	if len(d.items) != 105 || len(seen) != 105 || d.next != nil || d.items[104].label != "Acme renewal" {
		t.Fatalf("after going down: %d loaded (%d different), last %q", len(d.items), len(seen), d.items[len(d.items)-1].label)
	}
}
