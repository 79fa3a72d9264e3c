package tui

import (
	"context"
	"strconv"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/tui/common"
	"github.com/rolo-crm/rolo/tui/internal/tuitest"
)

// root adapts App (whose Update returns the model too) to tuitest.Model.
type root struct{ *App }

func (r root) Update(msg tea.Msg) tea.Cmd { return r.update(msg) }

func newApp(t *testing.T, w, h int, seed bool) (*App, *store.DB, tuitest.Fixture) {
	t.Helper()
	db := tuitest.Open(t)
	var f tuitest.Fixture
	if seed {
		f = tuitest.Seed(t, db)
	}
	a := New(tuitest.Common(), db, Options{NoColor: true})
	tuitest.Drive(t, root{a}, tea.WindowSizeMsg{Width: w, Height: h})
	tuitest.Run(t, root{a}, a.Init())
	return a, db, f
}

func keys(t *testing.T, a *App, names ...string) *tuitest.Out {
	t.Helper()
	var msgs []tea.Msg
	for _, n := range names {
		msgs = append(msgs, tuitest.Key(n))
	}
	return tuitest.Drive(t, root{a}, msgs...)
}

// plain is the rendered app without ANSI codes, checked to fill the terminal exactly.
func plain(t *testing.T, a *App) string {
	t.Helper()
	v := a.render()
	tuitest.CheckSize(t, v, a.w, a.h)
	return ansi.Strip(v)
}

func TestApp_Golden(t *testing.T) {
	for _, size := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		name := func(s string) string { return s + "_" + itoa(size.w) + "x" + itoa(size.h) }
		t.Run(name("screens"), func(t *testing.T) {
			a, _, _ := newApp(t, size.w, size.h, true)
			tuitest.Golden(t, name("today"), plain(t, a))
			keys(t, a, "2")
			tuitest.Golden(t, name("contacts"), plain(t, a))
			keys(t, a, "enter")
			tuitest.Golden(t, name("contact_detail"), plain(t, a))
			keys(t, a, "esc", "c")
			tuitest.Golden(t, name("companies"), plain(t, a))
			keys(t, a, "enter")
			tuitest.Golden(t, name("company_detail"), plain(t, a))
			keys(t, a, "4")
			tuitest.Golden(t, name("followups"), plain(t, a))
			keys(t, a, "3")
			tuitest.Golden(t, name("pipeline"), plain(t, a))
			keys(t, a, "5")
			tuitest.Golden(t, name("reports"), plain(t, a))
			keys(t, a, "1", "?")
			tuitest.Golden(t, name("help"), plain(t, a))
			keys(t, a, "esc", "ctrl+k")
			tuitest.Drive(t, root{a}, tuitest.Type("snooze")...)
			tuitest.Golden(t, name("palette"), plain(t, a))
		})
		t.Run(name("first_run"), func(t *testing.T) {
			a, _, _ := newApp(t, size.w, size.h, false)
			tuitest.Golden(t, name("first_run"), plain(t, a))
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestApp_UndoRestores(t *testing.T) {
	a, db, f := newApp(t, 80, 24, true)
	ctx := context.Background()
	keys(t, a, "x") // the cursor starts on the overdue follow-up
	fu, err := db.FindFollowUpByID(ctx, f.Late)
	if err != nil || fu.DoneAt == nil {
		t.Fatalf("x did not complete the follow-up: %+v %v", fu, err)
	}
	keys(t, a, "u")
	fu, err = db.FindFollowUpByID(ctx, f.Late)
	if err != nil || fu.DoneAt != nil {
		t.Fatalf("u did not restore the follow-up: %+v %v", fu, err)
	}
	if !strings.HasPrefix(a.status, "Undid: ") {
		t.Fatalf("status = %q", a.status)
	}
	// Nothing else of this device is undoable except the seed; undo everything and more.
	for range 40 {
		keys(t, a, "u")
	}
	if a.status != "Nothing to undo" {
		t.Fatalf("status after undoing everything = %q", a.status)
	}
}

func TestApp_PaletteRunsScreenBinding(t *testing.T) {
	a, _, _ := newApp(t, 80, 24, true)
	keys(t, a, "ctrl+k")
	tuitest.Drive(t, root{a}, tuitest.Type("contacts add")...)
	keys(t, a, "enter")
	if a.Active() != common.ScreenContacts {
		t.Fatalf("active = %d, want Contacts", a.Active())
	}
	if !a.Screen(common.ScreenContacts).Capturing() || !strings.Contains(plain(t, a), "New contact") {
		t.Fatalf("the add form is not open:\n%s", plain(t, a))
	}
	// Typing q into the form does not quit; ctrl+c does.
	if out := keys(t, a, "q"); out.Quit {
		t.Fatal("q quit while a form had focus")
	}
	if out := keys(t, a, "ctrl+c"); !out.Quit {
		t.Fatal("ctrl+c did not quit")
	}
}

func TestApp_GlobalKeys(t *testing.T) {
	a, _, f := newApp(t, 80, 24, true)
	keys(t, a, "tab")
	if a.Active() != 2 {
		t.Fatalf("tab: active = %d", a.Active())
	}
	keys(t, a, "shift+tab", "shift+tab")
	if a.Active() != 5 {
		t.Fatalf("shift+tab: active = %d", a.Active())
	}
	// / on a screen without a filter jumps to the Contacts filter.
	keys(t, a, "/")
	if a.Active() != 2 || !a.Screen(2).Capturing() {
		t.Fatalf("/ did not focus the contacts filter: active %d", a.Active())
	}
	keys(t, a, "esc", "4")
	// enter on a deal's follow-up opens the deal in the Pipeline screen.
	keys(t, a, "j", "j", "enter")
	if a.Active() != 3 || !strings.Contains(plain(t, a), "Acme renewal") {
		t.Fatalf("deal not opened:\n%s", plain(t, a))
	}
	tuitest.Drive(t, root{a}, common.OpenContactMsg{ID: f.Cleo})
	if !strings.Contains(plain(t, a), "cleo@globex.io") {
		t.Fatalf("contact not opened:\n%s", plain(t, a))
	}
	if out := keys(t, a, "ctrl+z"); len(out.Msgs) == 0 {
		t.Fatal("ctrl+z did not suspend")
	}
	if out := keys(t, a, "q"); !out.Quit {
		t.Fatal("q did not quit")
	}
}

func TestApp_Resize(t *testing.T) {
	a, _, _ := newApp(t, 80, 24, true)
	for _, s := range []struct{ w, h int }{{80, 24}, {100, 30}, {200, 60}, {81, 25}} {
		tuitest.Drive(t, root{a}, tea.WindowSizeMsg{Width: s.w, Height: s.h})
		for _, k := range []string{"1", "2", "enter", "4", "3", "5", "?"} {
			keys(t, a, k)
			plain(t, a)
		}
		keys(t, a, "esc", "esc")
	}
}

// TestApp_ReportsActivityOpensContact: in Reports, enter on the activity panel lists its
// weeks, enter on a week its entries, and enter on an entry opens its contact in the
// Contacts screen.
func TestApp_ReportsActivityOpensContact(t *testing.T) {
	a, _, _ := newApp(t, 80, 24, true)
	// The panels in order: win rate, funnel, cycle, velocity, forecast, activity. March
	// so far starts in the week of Monday 23 February, which holds Ann's email (25 Feb)
	// and meeting (28 Feb); the current week has nothing yet.
	keys(t, a, "5", "j", "j", "j", "j", "j", "enter", "j", "enter")
	if v := plain(t, a); !strings.Contains(v, "Activity in the week of Mon 23 Feb 2026") || !strings.Contains(v, "Met at their office") {
		t.Fatalf("the week's entries:\n%s", v)
	}
	keys(t, a, "enter")
	if v := plain(t, a); a.Active() != 2 || !strings.Contains(v, "ann@acme.com") {
		t.Fatalf("enter on an entry did not open Ann (active %d):\n%s", a.Active(), v)
	}
}
