package tui

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/store/demo"
	"github.com/rolo-crm/rolo/tui/internal/tuitest"
)

// session is a whole Bubble Tea program running the App on a demo database, driven
// through teatest as a rep at a terminal would. Tests add steps with its helpers
// (type, wait for the screen, wait for the database) and check the database after.
type session struct {
	t  *testing.T
	tm *teatest.TestModel
	db *store.DB
	// seen accumulates the program's output, so a wait can look at everything drawn.
	seen bytes.Buffer
}

// startDemo starts the program at 100×30 on a demo database of n contacts (seed 1).
func startDemo(t *testing.T, n int) *session {
	t.Helper()
	db := tuitest.Open(t)
	if _, err := demo.Generate(context.Background(), db, demo.Options{Contacts: n, Seed: 1, Now: tuitest.Now}); err != nil {
		t.Fatal(err)
	}
	a := New(tuitest.Common(), db, Options{NoColor: true})
	tm := teatest.NewTestModel(t, a, teatest.WithInitialTermSize(100, 30))
	s := &session{t: t, tm: tm, db: db}
	s.waitOutput("Overdue")
	return s
}

// keys sends key presses: key names ("enter", "ctrl+k") or text to type.
func (s *session) keys(keys ...string) {
	for _, k := range keys {
		for _, m := range tuitest.Keys(k) {
			s.tm.Send(m)
		}
	}
}

// waitOutput waits until the program has drawn text.
func (s *session) waitOutput(text string) {
	s.t.Helper()
	teatest.WaitFor(s.t, s.tm.Output(), func(b []byte) bool {
		s.seen.Write(b)
		return bytes.Contains(s.seen.Bytes(), []byte(text))
	}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
}

// waitDB waits until cond holds of the database (the program writes from its own
// goroutines; the database is safe to read meanwhile).
func (s *session) waitDB(what string, cond func() bool) {
	s.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			s.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// quit presses q and waits for the program to end.
func (s *session) quit() {
	s.keys("q")
	s.tm.WaitFinished(s.t, teatest.WithFinalTimeout(5*time.Second))
}

// TestProgram_Day: a rep's session, end to end: search a contact, log a call, move a
// deal on the board, review three deals, quit; the database has every change.
func TestProgram_Day(t *testing.T) {
	s := startDemo(t, 300)
	ctx := context.Background()
	// A contact with a surname no other contact shares, so the filter leaves one row.
	var target store.ContactRow
	rows, err := s.db.ContactWindow(ctx, store.Window{Limit: 300})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		last := r.Name[strings.LastIndexByte(r.Name, ' ')+1:]
		if hits, _, _ := s.db.SearchContactRows(ctx, r.Name, 0); len(hits) == 1 && len(last) > 3 && r.Email != "" {
			target = r
			break
		}
	}
	if target.ID == "" {
		t.Fatal("no uniquely named contact in the demo data")
	}
	before, err := s.db.Timeline(ctx, store.TimelineFilter{ContactID: target.ID, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}

	// enter right after typing opens the top match once the search answers. The detail
	// pane's headings show it is open; the call landing in the target's timeline below
	// shows it was the right contact. (Waiting for the email itself is not reliable: the
	// renderer redraws only cells that changed, so a string may never be sent whole.)
	s.keys("2", "/", target.Name, "enter")
	s.waitOutput("Open follow-ups")
	s.keys("l", "c", "Called about the renewal", "enter")
	s.waitDB("the call in the timeline", func() bool {
		tl, err := s.db.Timeline(ctx, store.TimelineFilter{ContactID: target.ID, Limit: 1000})
		return err == nil && len(tl) == len(before)+1 && tl[0].Kind == "call" && tl[0].Text == "Called about the renewal"
	})
	s.waitOutput("Logged a call")

	// Pipeline: the board's first column starts with the deal longest in the first
	// stage; L moves it to the second stage.
	stages, err := s.db.Stages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.db.BoardColumn(ctx, stages[0].ID, 0, 1)
	if err != nil || len(first) != 1 {
		t.Fatalf("first column: %v %v", first, err)
	}
	s.keys("3")
	s.waitOutput("weighted") // the board's heading: the columns have loaded
	s.keys("L")
	s.waitDB("the deal in the second stage", func() bool {
		d, err := s.db.FindDealByID(ctx, first[0].ID)
		return err == nil && d.StageID == stages[1].ID
	})

	// Review: log a call on the first deal, schedule the second's next step, move the
	// third a stage, then end and read the summary.
	queue, err := s.db.ReviewQueue(ctx, tuitest.Common().Loc, 50)
	if err != nil || len(queue) < 3 {
		t.Fatalf("review queue: %d deals, %v", len(queue), err)
	}
	countLog := func(dealID string) int {
		tl, err := s.db.Timeline(ctx, store.TimelineFilter{DealID: dealID, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		return len(tl)
	}
	logsBefore := countLog(queue[0].Deal.ID)
	s.keys("r")
	s.waitOutput("Weekly review")
	s.keys("l", "call: agreed the next steps", "enter")
	s.waitDB("the review's call", func() bool { return countLog(queue[0].Deal.ID) == logsBefore+1 })
	s.keys("n")
	s.keys("f", "in 3d", "enter")
	s.waitOutput("send the proposal") // the hint of the second question: what?
	s.keys("Send the revised proposal", "enter")
	s.waitDB("the review's next step", func() bool {
		fus, _, err := s.db.FindFollowUps(ctx, store.FollowUpFilter{DealID: queue[1].Deal.ID})
		return err == nil && slices.ContainsFunc(fus, func(f store.FollowUp) bool { return f.Title == "Send the revised proposal" })
	})
	s.keys("n")
	third, err := s.db.FindDealByID(ctx, queue[2].Deal.ID)
	if err != nil {
		t.Fatal(err)
	}
	s.keys("L")
	s.waitDB("the review's stage move", func() bool {
		d, err := s.db.FindDealByID(ctx, third.ID)
		return err == nil && d.StageID != third.StageID
	})
	// The move's status line shows once the review has recorded it. (The renderer sends
	// only the cells that changed, so the output is searched for text new since here.)
	s.seen.Reset()
	s.waitOutput(`Moved "`)
	s.keys("esc")
	s.quit()
	a, ok := s.tm.FinalModel(t).(*App)
	if !ok {
		t.Fatal("final model is not the App")
	}
	if v := ansi.Strip(a.render()); !strings.Contains(v, "Weekly review done") || !strings.Contains(v, "Reviewed 3 of") || !strings.Contains(v, "3 changed") {
		t.Fatalf("the review's summary:\n%s", v)
	}
}
