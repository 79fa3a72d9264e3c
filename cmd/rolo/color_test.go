package main

import (
	"strings"
	"testing"
)

// TestNoColor checks that no output carries an escape sequence when NO_COLOR or
// --no-color is set, or when the output is not a terminal (here it never is).
func TestNoColor(t *testing.T) {
	commands := [][]string{
		{"contact", "list"}, {"contact", "list", "--all"}, {"contact", "show", "ada"}, {"contact", "show", "grace"},
		{"company", "list", "--all"}, {"company", "show", "analytical"},
		{"deal", "list", "--all"}, {"deal", "show", "pilot"}, {"deal", "show", "lost one"},
		{"followup", "list", "--all"}, {"followup", "list", "--overdue"}, {"today"}, {"pipeline"},
		{"search", "ada"}, {"history", "ada"}, {"check"}, {"contact", "add", "X Y", "--email", "bad"},
		{"log", "zz-nobody", "--kind", "call", "--text", "x"}, {"log", "ad", "--kind", "call", "--text", "x"},
		{"--help"}, {"contact", "--help"}, {},
	}
	modes := []struct {
		name string
		env  string
		flag []string
	}{
		{"not a terminal", "", nil},
		{"NO_COLOR", "1", nil},
		{"--no-color", "", []string{"--no-color"}},
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			e := newEnv(t)
			t.Setenv("NO_COLOR", m.env)
			e.ok("contact", "add", "Ada Lovelace", "--company", "Analytical Engines", "--cadence", "1", "--tag", "vip")
			e.ok("contact", "add", "Adam Smith")
			e.ok("contact", "add", "Grace Hopper")
			e.ok("contact", "rm", "grace")
			e.ok("deal", "add", "Pilot", "--contact", "lovelace", "--value", "100")
			e.ok("deal", "add", "Won one", "--value", "100")
			e.ok("deal", "won", "won one")
			e.ok("deal", "add", "Lost one", "--value", "100")
			e.ok("deal", "lost", "lost one", "--reason", "price")
			e.ok("log", "lovelace", "--kind", "call", "--text", "Hello")
			e.ok("followup", "add", "lovelace", "--due", "yesterday", "--text", "Late")
			e.ok("followup", "add", "lovelace", "--due", "today 11pm", "--text", "Soon")
			e.ok("followup", "add", "lovelace", "--due", "tomorrow", "--text", "Done one")
			e.ok("followup", "done", "done one")
			e.setNow(fixedNow.AddDate(0, 0, 30)) // rotting deals and neglected contacts
			for _, args := range commands {
				r := e.rolo(append(m.flag, args...)...)
				if strings.Contains(r.out+r.err, "\x1b[") {
					t.Errorf("rolo %q printed an escape sequence:\n%q", args, r.out+r.err)
				}
				if r.code != 0 && !strings.HasPrefix(r.err, "rolo: ") {
					t.Errorf("rolo %q: %s", args, r)
				}
			}
		})
	}
}

// TestPaint checks the colour switch itself: paint adds codes only when colour is on.
func TestPaint(t *testing.T) {
	a := &App{}
	equal(t, "off", a.paint(sgrRed, "x"), "x")
	a.color = true
	equal(t, "on", a.paint(sgrRed, "x"), "\x1b[31mx\x1b[0m")
	equal(t, "empty", a.paint(sgrRed, ""), "")
	equal(t, "a buffer is not a terminal", isTerminal(&strings.Builder{}), false)
}
