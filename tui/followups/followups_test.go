package followups

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

func TestFollowUps_Groups(t *testing.T) {
	m, _, _ := setup(t)
	v := m.View()
	for _, want := range []string{"Overdue (1)", "Today (1)", "This week (2)", "Later (1)", "Done (1)", "Book the demo"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(v)
	}
}

func TestFollowUps_DoneWithSpaceAndReopen(t *testing.T) {
	m, db, f := setup(t)
	ctx := context.Background()
	tuitest.Press(t, m, "j") // Call Cleo back (today)
	tuitest.Press(t, m, "space")
	fu, _ := db.FindFollowUpByID(ctx, f.Today)
	if fu.DoneAt == nil {
		t.Fatal("space did not complete the follow-up")
	}
	if !strings.Contains(m.View(), "Today (0)") {
		t.Fatalf("not moved to done:\n%s", m.View())
	}
	tuitest.Press(t, m, "G", "x") // the cursor follows it to Done; x reopens
	fu, _ = db.FindFollowUpByID(ctx, f.Today)
	if fu.DoneAt != nil {
		t.Fatalf("x on a done follow-up did not reopen it:\n%s", m.View())
	}
}

func TestFollowUps_SnoozeAndOpen(t *testing.T) {
	m, db, f := setup(t)
	tuitest.Press(t, m, "s", "ctrl+u", "in 2w", "enter")
	fu, _ := db.FindFollowUpByID(context.Background(), f.Late)
	if got := fu.DueAt.Format("2006-01-02"); got != "2026-03-18" {
		t.Fatalf("snoozed to %s", got)
	}
	if !strings.Contains(m.View(), "Overdue (0)") || !strings.Contains(m.View(), "Later (2)") {
		t.Fatalf("groups not updated:\n%s", m.View())
	}
	tuitest.Press(t, m, "g")
	out := tuitest.Press(t, m, "j", "enter") // Chase the signature: a deal's follow-up
	if len(out.Msgs) == 0 || out.Msgs[0] != (common.OpenDealMsg{ID: f.Renewal}) {
		t.Fatalf("enter sent %v", out.Msgs)
	}
}
