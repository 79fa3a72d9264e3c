package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestHistory(t *testing.T) {
	e := newEnv(t)
	e.ok("contact", "add", "Ada Lovelace", "--title", "CTO", "--tag", "vip")
	e.ok("contact", "edit", "ada", "--title", "Chief Engineer", "--remove-tag", "vip")

	t.Run("text", func(t *testing.T) {
		e := e.at(t)
		out := e.ok("history", "ada")
		if !regexp.MustCompile(`^contact Ada Lovelace  [0-9a-f]{8}\n`).MatchString(out) {
			t.Errorf("history starts %q", out)
		}
		contains(t, out, "create  add contact Ada Lovelace", `title: "CTO"`, "update  edit contact Ada Lovelace",
			`title: "CTO" → "Chief Engineer"`, "tag:vip: yes → no", "2026-03-11 10:00:00")
	})
	t.Run("json", func(t *testing.T) {
		e := e.at(t)
		var changes []obj
		out := e.okJSON(&changes, "history", "ada")
		if !strings.HasPrefix(strings.TrimSpace(out), "[") || len(changes) != 2 {
			t.Fatalf("history --json:\n%s", out)
		}
		equal(t, "first kind", str(t, changes[0], "kind"), "create")
		equal(t, "second kind", str(t, changes[1], "kind"), "update")
		equal(t, "new title", str(t, changes[1], "fields.title"), "Chief Engineer")
		equal(t, "old title", str(t, changes[1], "old.title"), "CTO")
		equal(t, "summary", str(t, changes[1], "summary"), "edit contact Ada Lovelace")
	})
	t.Run("deal moves", func(t *testing.T) {
		e := e.at(t)
		e.ok("deal", "add", "Pilot", "--stage", "lead")
		e.ok("deal", "move", "pilot", "qualified")
		contains(t, e.ok("history", "pilot"), "deal Pilot", "→")
	})
}

func TestUndo(t *testing.T) {
	e := newEnv(t)
	t.Run("fresh database", func(t *testing.T) {
		e := e.at(t)
		equal(t, "undo", e.ok("undo"), "Nothing to undo.\n")
		var m obj
		e.okJSON(&m, "undo")
		if v, ok := m["undone"]; !ok || v != nil {
			t.Errorf("undo --json on a fresh database: %v", m)
		}
	})
	t.Run("walks back", func(t *testing.T) {
		e := e.at(t)
		e.ok("contact", "add", "Ada Lovelace", "--company", "Analytical Engines")
		e.ok("contact", "add", "Grace Hopper")
		e.ok("contact", "edit", "grace", "--title", "Rear Admiral")

		equal(t, "first undo", e.ok("undo"), "Undid: edit contact Grace Hopper (just now)\n")
		equal(t, "title back", str(t, e.object("contact", "show", "grace"), "title"), "")
		equal(t, "second undo", e.ok("undo"), "Undid: add contact Grace Hopper (just now)\n")
		equalStrings(t, "contacts", names(e.list("contact", "list"), "name"), []string{"Ada Lovelace"})
		u := e.object("undo")
		equal(t, "third undo", str(t, u, "summary"), "add contact Ada Lovelace")
		equal(t, "contacts", len(e.list("contact", "list")), 0)
		equal(t, "the company created with the contact is undone too", len(e.list("company", "list")), 0)
		equal(t, "then", e.ok("undo"), "Nothing to undo.\n")
		contains(t, e.ok("check"), "is healthy")
	})
}

func TestBackupAndCheck(t *testing.T) {
	e := newEnv(t)
	e.ok("contact", "add", "Ada Lovelace", "--email", "ada@example.com")
	e.ok("deal", "add", "Pilot", "--contact", "ada", "--value", "100")

	t.Run("check", func(t *testing.T) {
		e := e.at(t)
		out := e.ok("check")
		equal(t, "check", out, e.db+" is healthy: 1 contacts, 0 companies, 1 deals, 0 timeline entries, 0 open follow-ups, 2 changes logged.\n")
		equal(t, "json", strings.TrimSpace(e.ok("check", "--json")), "[]")
	})
	t.Run("default location", func(t *testing.T) {
		e := e.at(t)
		out := e.ok("backup")
		want := filepath.Join(e.dir, "backups", "rolo-"+fixedNow.Format("20060102-150405")+".db")
		if !strings.HasPrefix(out, "Backed up to "+want+" (") {
			t.Errorf("backup printed %q, want the file %s", out, want)
		}
		if _, err := os.Stat(want); err != nil {
			t.Fatal(err)
		}
		r := e.raw("--db", want, "check")
		if r.code != 0 {
			t.Fatalf("check of the backup: %s", r)
		}
		contains(t, r.out, "is healthy: 1 contacts")
		equalStrings(t, "backup holds the data", names(listOn(t, e, want, "contact", "list"), "name"), []string{"Ada Lovelace"})
	})
	t.Run("named file", func(t *testing.T) {
		e := e.at(t)
		dest := filepath.Join(e.dir, "copy.db")
		m := e.object("backup", dest)
		equal(t, "file", str(t, m, "file"), dest)
		if num(t, m, "bytes") <= 0 {
			t.Errorf("bytes %v", m["bytes"])
		}
		r := e.raw("--db", dest, "check")
		if r.code != 0 || !strings.Contains(r.out, "is healthy") {
			t.Fatalf("check of the copy: %s", r)
		}
		r = e.rolo("backup", dest)
		if r.code != 1 || !strings.Contains(r.err, "already exists") {
			t.Errorf("backup over an existing file: %s", r)
		}
	})
}

// listOn lists on another database file.
func listOn(t *testing.T, e *tenv, db string, args ...string) []obj {
	t.Helper()
	r := e.raw(append([]string{"--db", db, "--json"}, args...)...)
	if r.code != 0 {
		t.Fatalf("%s", r)
	}
	var l []obj
	decode(t, r.out, &l)
	return l
}

func TestDemo(t *testing.T) {
	e := newEnv(t)
	t.Run("fills", func(t *testing.T) {
		e := e.at(t)
		out := e.ok("demo", "--contacts", "50")
		if !regexp.MustCompile(`^Added 50 contacts, 10 companies, 10 deals, \d+ timeline entries and \d+ follow-ups in \d+\.\ds\.\n$`).MatchString(out) {
			t.Errorf("demo printed %q", out)
		}
		equal(t, "contacts", len(e.list("contact", "list", "--limit", "0")), 50)
		equal(t, "companies", len(e.list("company", "list", "--limit", "0")), 10)
		contains(t, e.ok("check"), "is healthy: 50 contacts, 10 companies, 10 deals")
	})
	t.Run("refuses a second run", func(t *testing.T) {
		e := e.at(t)
		before := dumpDB(t, e.db)
		r := e.rolo("demo", "--contacts", "50")
		if r.code != 2 || r.out != "" || !strings.HasPrefix(r.err, "rolo: ") || strings.Count(r.err, "\n") != 1 {
			t.Errorf("second demo: %s", r)
		}
		contains(t, r.err, "already holds 50 contacts", "--force")
		if dumpDB(t, e.db) != before {
			t.Error("a refused demo changed the database")
		}
	})
	t.Run("force", func(t *testing.T) {
		e := e.at(t)
		m := e.object("demo", "--contacts", "50", "--force", "--seed", "2")
		equal(t, "contacts", num(t, m, "contacts"), 50)
		equal(t, "companies", num(t, m, "companies"), 10)
		equal(t, "deals", num(t, m, "deals"), 10)
		if num(t, m, "interactions") <= 0 || num(t, m, "follow_ups") <= 0 {
			t.Errorf("demo --json: %v", m)
		}
		equal(t, "contacts", len(e.list("contact", "list", "--limit", "0")), 100)
		contains(t, e.ok("check"), "is healthy: 100 contacts")
	})
}

func TestCompletion(t *testing.T) {
	for _, sh := range []string{"bash", "zsh", "fish", "powershell"} {
		t.Run(sh, func(t *testing.T) {
			e := newEnv(t)
			out := e.ok("completion", sh)
			if len(out) < 100 || !strings.Contains(out, "rolo") {
				t.Errorf("completion %s: %d bytes", sh, len(out))
			}
		})
	}
}

// readmeCommands are the commands of README's table.
var readmeCommands = []string{"contact", "company", "deal", "log", "followup", "today", "pipeline", "search",
	"history", "undo", "backup", "check", "demo", "completion"}

func TestHelp(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"--help", []string{"--help"}},
		{"-h", []string{"-h"}},
		{"help", []string{"help"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			r := e.raw(tc.args...)
			if r.code != 0 || r.err != "" {
				t.Fatalf("%s", r)
			}
			contains(t, r.out, "Usage:")
			for _, c := range readmeCommands {
				if !regexp.MustCompile(`(?m)^  ` + c + `\s`).MatchString(r.out) {
					t.Errorf("help does not list %q:\n%s", c, r.out)
				}
			}
		})
	}
	t.Run("no arguments without a terminal is bad usage", func(t *testing.T) {
		e := newEnv(t)
		r := e.raw()
		if r.code != 2 {
			t.Fatalf("want exit 2, got %s", r)
		}
		contains(t, r.err, "needs a terminal")
		contains(t, r.err, "Usage:")
		if _, err := os.Stat(filepath.Join(e.dir, "data", "rolo", "rolo.db")); err == nil {
			t.Error("help created a database")
		}
	})
	t.Run("every command has help", func(t *testing.T) {
		e := newEnv(t)
		for _, c := range readmeCommands {
			r := e.raw(c, "--help")
			if r.code != 0 || !strings.Contains(r.out, "Usage:") {
				t.Errorf("rolo %s --help: %s", c, r)
			}
		}
	})
}
