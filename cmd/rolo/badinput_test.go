package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// badFixture is a database with a little of everything, for failures to leave untouched.
func badFixture(t *testing.T) *tenv {
	e := newEnv(t)
	e.ok("contact", "add", "Ada Lovelace", "--email", "ada@example.com", "--company", "Analytical Engines", "--tag", "vip")
	e.ok("contact", "add", "Ada Byron", "--email", "byron@example.com")
	e.ok("deal", "add", "Pilot", "--contact", "lovelace", "--value", "1000")
	e.ok("deal", "add", "Closed deal", "--value", "10")
	e.ok("deal", "won", "closed deal")
	e.ok("log", "lovelace", "--kind", "call", "--text", "Kick-off")
	e.ok("followup", "add", "lovelace", "--due", "tomorrow", "--text", "Send the numbers")
	e.ok("followup", "add", "byron", "--due", "tomorrow", "--text", "Done already")
	e.ok("followup", "done", "done already")
	return e
}

func TestBadInput(t *testing.T) {
	e := badFixture(t)
	missingDir := filepath.Join(e.dir, "missing")
	badWeek := writeFile(t, filepath.Join(e.dir, "week.yaml"), "week_start: someday\n")
	badYAML := writeFile(t, filepath.Join(e.dir, "broken.yaml"), "stages: [\n")
	done := str(t, find(t, e.list("followup", "list", "--all"), "title", "Done already"), "id")[24:32]

	tests := []struct {
		name string
		args []string
		code int
		msg  string // stderr holds it
	}{
		{"contact add without a name", []string{"contact", "add"}, 2, "needs NAME"},
		{"contact add with two names", []string{"contact", "add", "Ada", "Lovelace"}, 2, "quote names with spaces"},
		{"contact add with an empty name", []string{"contact", "add", "  "}, 2, "needs a name"},
		{"malformed email", []string{"contact", "add", "Alan Turing", "--email", "alan-at-example"}, 2, `email "alan-at-example" is not a valid address`},
		{"malformed email with a new company", []string{"contact", "add", "Alan Turing", "--email", "a@", "--company", "Bletchley"}, 2, "not a valid address"},
		{"labelled malformed email", []string{"contact", "add", "Alan Turing", "--email", "work=alan"}, 2, "not a valid address"},
		{"duplicate email", []string{"contact", "add", "Alan Turing", "--email", "a@b.co", "--email", "a@b.co"}, 2, "given twice"},
		{"bad phone", []string{"contact", "add", "Alan Turing", "--phone", "abc"}, 2, `phone "abc" is not a phone number`},
		{"bad tag", []string{"contact", "add", "Alan Turing", "--tag", "a b"}, 2, "may not contain spaces"},
		{"bad visibility", []string{"contact", "add", "Alan Turing", "--visibility", "secret"}, 2, `visibility "secret" must be private or team`},
		{"negative cadence", []string{"contact", "add", "Alan Turing", "--cadence", "-1"}, 2, "--cadence -1"},
		{"cadence not a number", []string{"contact", "add", "Alan Turing", "--cadence", "often"}, 2, "--cadence"},
		{"edit with bad email", []string{"contact", "edit", "lovelace", "--email", "nope", "--title", "CTO"}, 2, "not a valid address"},
		{"edit removing a missing tag", []string{"contact", "edit", "lovelace", "--remove-tag", "nosuch", "--title", "CTO"}, 2, `no tag "nosuch"`},
		{"edit with negative cadence", []string{"contact", "edit", "lovelace", "--cadence", "-3"}, 2, "--cadence -3"},
		{"edit of an unknown contact", []string{"contact", "edit", "nobody", "--title", "x"}, 3, `nothing matches "nobody"`},
		{"restore of a live contact", []string{"contact", "restore", "lovelace"}, 1, "is not deleted"},
		{"company add with bad visibility", []string{"company", "add", "Bletchley", "--visibility", "secret"}, 2, "must be private or team"},
		{"company add with bad tag", []string{"company", "add", "Bletchley", "--tag", "x,y"}, 2, "may not contain spaces or commas"},

		{"deal add unknown stage", []string{"deal", "add", "Deal", "--stage", "nope"}, 2, `unknown stage "nope"`},
		{"deal add negative value", []string{"deal", "add", "Deal", "--value=-5"}, 2, "negative"},
		{"deal add too many decimals", []string{"deal", "add", "Deal", "--value", "12.345", "--currency", "USD"}, 2, "more than 2 decimals"},
		{"deal add value not a number", []string{"deal", "add", "Deal", "--value", "12k"}, 2, "not a number"},
		{"deal add unknown currency", []string{"deal", "add", "Deal", "--value", "10", "--currency", "XYZ"}, 2, `unknown currency code "XYZ"`},
		{"deal add unknown currency without value", []string{"deal", "add", "Deal", "--currency", "XYZ"}, 2, "unknown currency"},
		{"deal add unknown close date", []string{"deal", "add", "Deal", "--close", "blursday"}, 2, `cannot understand date "blursday"`},
		{"deal add unknown contact", []string{"deal", "add", "Deal", "--contact", "nobody"}, 3, `nothing matches "nobody"`},
		{"deal add ambiguous contact", []string{"deal", "add", "Deal", "--contact", "ada"}, 4, `"ada" matches 2 records`},
		{"deal edit bad value", []string{"deal", "edit", "pilot", "--value", "1.234", "--title", "New"}, 2, "decimals"},
		{"deal list bad status", []string{"deal", "list", "--status", "pending"}, 2, `--status "pending"`},
		{"deal list unknown stage", []string{"deal", "list", "--stage", "nope"}, 2, "unknown stage"},
		{"deal move to its stage", []string{"deal", "move", "pilot", "lead"}, 1, "already in Lead"},
		{"deal move to an unknown stage", []string{"deal", "move", "pilot", "nope"}, 2, "unknown stage"},
		{"deal move of a closed deal", []string{"deal", "move", "closed deal", "proposal"}, 1, "reopen it"},
		{"deal won twice", []string{"deal", "won", "closed deal"}, 1, "already won"},
		{"deal reopen of an open deal", []string{"deal", "reopen", "pilot"}, 1, "already open"},

		{"log without kind", []string{"log", "lovelace", "--text", "Hi"}, 2, "--kind is required"},
		{"log unknown kind", []string{"log", "lovelace", "--kind", "dance", "--text", "Hi"}, 2, `kind "dance"`},
		{"log without text", []string{"log", "lovelace", "--kind", "call"}, 2, "--text is required"},
		{"log blank text", []string{"log", "lovelace", "--kind", "call", "--text", "  "}, 2, "--text is required"},
		{"log at 25:00", []string{"log", "lovelace", "--kind", "call", "--text", "Hi", "--at", "25:00"}, 2, `cannot understand date "25:00"`},
		{"log far ahead", []string{"log", "lovelace", "--kind", "call", "--text", "Hi", "--at", "2030-01-01"}, 2, "more than a year ahead"},
		{"log unknown ref", []string{"log", "nobody", "--kind", "call", "--text", "Hi"}, 3, `nothing matches "nobody"`},
		{"log ambiguous ref", []string{"log", "ada", "--kind", "call", "--text", "Hi"}, 4, `"ada" matches 2 records; use an id`},
		{"log unknown deal", []string{"log", "lovelace", "--kind", "call", "--text", "Hi", "--deal", "nodeal"}, 3, "nothing matches"},

		{"followup add without due", []string{"followup", "add", "lovelace", "--text", "x"}, 2, "--due is required"},
		{"followup add garbage due", []string{"followup", "add", "lovelace", "--due", "garbage", "--text", "x"}, 2, `cannot understand date "garbage"`},
		{"followup add without text", []string{"followup", "add", "lovelace", "--due", "tomorrow"}, 2, "--text is required"},
		{"followup add to a company", []string{"followup", "add", "analytical", "--due", "tomorrow", "--text", "x"}, 3, "nothing matches"},
		{"followup done unknown id", []string{"followup", "done", "ffff0000"}, 3, `nothing matches "ffff0000"`},
		{"followup done twice", []string{"followup", "done", done}, 1, "already done"},
		// "--until yesterday" (a whole day in the past) is accepted: store bug, see
		// TestSnoozeToAPastDay.
		{"followup snooze into the past", []string{"followup", "snooze", "send the numbers", "--until", "yesterday 9am"}, 2, "not in the future"},
		{"followup snooze garbage", []string{"followup", "snooze", "send the numbers", "--until", "someday soon"}, 2, "cannot understand date"},
		{"followup list two filters", []string{"followup", "list", "--overdue", "--today"}, 2, "choose one"},

		{"contact list negative limit", []string{"contact", "list", "--limit", "-1"}, 2, "--limit -1"},
		{"company list negative limit", []string{"company", "list", "--limit", "-1"}, 2, "--limit -1"},
		{"deal list negative limit", []string{"deal", "list", "--limit", "-1"}, 2, "--limit -1"},
		{"followup list negative limit", []string{"followup", "list", "--limit", "-1"}, 2, "--limit -1"},
		{"search negative limit", []string{"search", "ada", "--limit", "-1"}, 2, "--limit -1"},
		{"today negative limit", []string{"today", "--limit", "-1"}, 2, "--limit -1"},
		{"pipeline negative limit", []string{"pipeline", "--limit", "-1"}, 2, "--limit -1"},
		{"search for nothing", []string{"search", "--", "--"}, 2, "search for what"},
		{"demo with no contacts", []string{"demo", "--contacts", "0"}, 2, "--contacts 0"},
		{"demo over existing data", []string{"demo", "--contacts", "5"}, 2, "already holds 2 contacts"},

		{"error with --json", []string{"contact", "add", "Alan Turing", "--email", "bad", "--json"}, 2, "not a valid address"},
		{"not found with --json", []string{"deal", "show", "nodeal", "--json"}, 3, "nothing matches"},
		{"unknown flag", []string{"contact", "list", "--bogus"}, 2, "unknown flag: --bogus"},
		{"unknown global flag", []string{"--bogus", "today"}, 2, "unknown flag"},
		{"flag without value", []string{"contact", "add", "X", "--email"}, 2, "needs an argument"},
		{"missing argument", []string{"deal", "move", "pilot"}, 2, "needs REF and STAGE"},
		{"missing ref", []string{"contact", "show"}, 2, "needs REF"},
		{"extra argument", []string{"today", "extra"}, 2, "extra"},
		{"missing search query", []string{"search"}, 2, "search"},
		{"backup with two files", []string{"backup", "a.db", "b.db"}, 2, "backup"},
		{"unknown command", []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"unknown subcommand", []string{"contact", "frobnicate"}, 2, `unknown command "frobnicate"`},
		{"unknown completion shell", []string{"completion", "tcsh"}, 2, "tcsh"},

		{"missing config file", []string{"--config", filepath.Join(e.dir, "nope.yaml"), "contact", "list"}, 1, "nope.yaml"},
		{"config with bad week_start", []string{"--config", badWeek, "contact", "list"}, 1, `week_start "someday"`},
		{"config that is not YAML", []string{"--config", badYAML, "contact", "list"}, 1, "broken.yaml"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := dumpDB(t, e.db)
			r := e.at(t).rolo(tc.args...)
			checkFailure(t, r, tc.code, tc.msg)
			if after := dumpDB(t, e.db); after != before {
				t.Errorf("the database changed:\n%s", diffLines(before, after))
			}
		})
	}

	t.Run("db in a missing directory", func(t *testing.T) {
		r := e.at(t).raw("--db", filepath.Join(missingDir, "rolo.db"), "contact", "add", "Ada")
		checkFailure(t, r, 1, "does not exist")
		if _, err := os.Stat(missingDir); !os.IsNotExist(err) {
			t.Errorf("%s was created (%v)", missingDir, err)
		}
	})
	t.Run("db is a directory", func(t *testing.T) {
		dir := filepath.Join(e.dir, "adir")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		r := e.at(t).raw("--db", dir, "contact", "list")
		checkFailure(t, r, 1, "is a directory")
		if l := listDir(t, dir); len(l) != 1 {
			t.Errorf("files appeared in the directory: %v", l)
		}
	})
	t.Run("db is not a database", func(t *testing.T) {
		f := writeFile(t, filepath.Join(e.dir, "notes.txt"), strings.Repeat("not a database\n", 100))
		r := e.at(t).raw("--db", f, "contact", "list")
		checkFailure(t, r, 1, "")
		b, _ := os.ReadFile(f)
		equal(t, "file untouched", string(b), strings.Repeat("not a database\n", 100))
	})
	t.Run("bad currency in the environment", func(t *testing.T) {
		t.Setenv("ROLO_CURRENCY", "XYZ")
		before := dumpDB(t, e.db)
		r := e.at(t).rolo("deal", "add", "Deal")
		checkFailure(t, r, 2, "XYZ")
		if dumpDB(t, e.db) != before {
			t.Error("the database changed")
		}
	})
}

// checkFailure asserts a failed run: its exit code, nothing on stdout, and one sentence on
// stderr starting "rolo: " (an ambiguous reference lists its candidates after it).
func checkFailure(t *testing.T, r result, code int, msg string) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit %d, want %d\n%s", r.code, code, r)
	}
	if r.out != "" {
		t.Errorf("stdout is not empty:\n%s", r.out)
	}
	if !strings.HasPrefix(r.err, "rolo: ") || !strings.HasSuffix(r.err, "\n") {
		t.Errorf("stderr does not start with \"rolo: \" or end a line: %q", r.err)
	}
	lines := strings.Split(strings.TrimSuffix(r.err, "\n"), "\n")
	if code == exitAmbiguous {
		if len(lines) < 3 {
			t.Errorf("an ambiguous reference lists fewer than two candidates:\n%s", r.err)
		}
		for _, l := range lines[1:] {
			if !strings.HasPrefix(l, "  ") || !shortIDRe.MatchString("("+strings.Fields(l)[1]+")") {
				t.Errorf("candidate line %q does not give a short id", l)
			}
		}
	} else if len(lines) != 1 {
		t.Errorf("stderr is %d lines, want one:\n%s", len(lines), r.err)
	}
	if !strings.Contains(r.err, msg) {
		t.Errorf("stderr %q does not say %q", r.err, msg)
	}
	for _, bad := range []string{"goroutine ", "panic", "invalid input:", "not found:", "%!"} {
		if strings.Contains(r.err, bad) {
			t.Errorf("stderr holds %q: %q", bad, r.err)
		}
	}
}

func diffLines(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	in := func(l []string) map[string]bool {
		m := map[string]bool{}
		for _, s := range l {
			m[s] = true
		}
		return m
	}
	am, bm := in(al), in(bl)
	var out []string
	for _, s := range al {
		if !bm[s] {
			out = append(out, "- "+s)
		}
	}
	for _, s := range bl {
		if !am[s] {
			out = append(out, "+ "+s)
		}
	}
	return strings.Join(out, "\n")
}

func TestSnoozeToAPastDay(t *testing.T) {
	// A whole day counts as the future until it has ended: "today" is fine, "yesterday" is not.
	e := badFixture(t)
	before := dumpDB(t, e.db)
	checkFailure(t, e.rolo("followup", "snooze", "send the numbers", "--until", "yesterday"), 2, "not in the future")
	if dumpDB(t, e.db) != before {
		t.Error("the database changed")
	}
}
