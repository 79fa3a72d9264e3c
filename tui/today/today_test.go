package today

import (
	"context"
	"strings"
	"testing"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/tui/common"
	"github.com/rolo-crm/rolo/tui/internal/tuitest"
)

func setup(t *testing.T) (*Model, *store.DB, tuitest.Fixture) {
	t.Helper()
	return tuitest.Setup(t, New)
}

func TestToday_CompleteWithX(t *testing.T) {
	m, db, f := setup(t)
	out := tuitest.Press(t, m, "x")
	if !out.Has(common.ChangedMsg{}) {
		t.Fatalf("no change reported: %v", out.Msgs)
	}
	fu, err := db.FindFollowUpByID(context.Background(), f.Late)
	if err != nil || fu.DoneAt == nil {
		t.Fatalf("done_at not set: %+v %v", fu, err)
	}
	// The view, reloaded, no longer lists it.
	if strings.Contains(m.View(), "Send the contract") {
		t.Fatalf("completed follow-up still shown:\n%s", m.View())
	}
}

func TestToday_Snooze(t *testing.T) {
	m, db, f := setup(t)
	tuitest.Press(t, m, "s")
	if !m.Capturing() {
		t.Fatal("s did not open the snooze prompt")
	}
	// Replace the suggested date with a bad one: the error is shown inline, nothing changes.
	tuitest.Press(t, m, "ctrl+u", "someday", "enter")
	if !strings.Contains(m.View(), "cannot understand date") || !m.Capturing() {
		t.Fatalf("bad date not reported inline:\n%s", m.View())
	}
	fu, _ := db.FindFollowUpByID(context.Background(), f.Late)
	if !fu.DueAt.Equal(tuitest.Now.AddDate(0, 0, -2)) {
		t.Fatalf("due moved by a bad date: %v", fu.DueAt)
	}
	tuitest.Press(t, m, "ctrl+u", "next monday", "enter")
	fu, _ = db.FindFollowUpByID(context.Background(), f.Late)
	if got := fu.DueAt.Format("2006-01-02"); got != "2026-03-09" || !fu.AllDay {
		t.Fatalf("snoozed due = %s all-day %v", got, fu.AllDay)
	}
}

func TestToday_Log(t *testing.T) {
	m, db, f := setup(t)
	tuitest.Press(t, m, "l", "c", "Talked about the contract", "enter")
	tl, err := db.Timeline(context.Background(), store.TimelineFilter{ContactID: f.Ann})
	if err != nil {
		t.Fatal(err)
	}
	if len(tl) != f.TimelineOfAnnEntries+1 || tl[0].Kind != "call" || tl[0].Text != "Talked about the contract" {
		t.Fatalf("timeline = %+v", tl)
	}
}

func TestToday_OpenAndFirstRun(t *testing.T) {
	m, _, f := setup(t)
	out := tuitest.Press(t, m, "enter")
	if len(out.Msgs) == 0 || out.Msgs[0] != (common.OpenContactMsg{ID: f.Ann}) {
		t.Fatalf("enter sent %v", out.Msgs)
	}

	db := tuitest.Open(t)
	m = New(tuitest.Common(), db)
	m.SetSize(80, 21)
	tuitest.Run(t, m, m.Init())
	if !strings.Contains(m.View(), "Welcome to rolo") {
		t.Fatalf("no greeting on an empty database:\n%s", m.View())
	}
	out = tuitest.Press(t, m, "a")
	if len(out.Msgs) == 0 || out.Msgs[0].(common.RunMsg).Screen != common.ScreenContacts {
		t.Fatalf("a sent %v", out.Msgs)
	}
	tuitest.Press(t, m, "D")
	n, err := db.StatusCounts(context.Background(), tuitest.Common().Loc)
	if err != nil || n.Contacts != DemoContacts {
		t.Fatalf("demo data: %+v %v", n, err)
	}
	if strings.Contains(m.View(), "Welcome") {
		t.Fatalf("still greeting after demo data:\n%s", m.View())
	}
}
