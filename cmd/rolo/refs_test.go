package main

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestReferences(t *testing.T) {
	e := newEnv(t)
	short := shortID(t, e.ok("contact", "add", "Ada Lovelace", "--email", "ada@example.com", "--company", "Analytical Engines"))
	byron := e.object("contact", "add", "Ada Byron", "--email", "byron@example.com")
	e.ok("deal", "add", "Engines pilot", "--contact", "ada lovelace")
	id := str(t, e.object("contact", "show", short), "id")
	// The shortest prefix of the printed short id (at least four characters) that no other
	// contact's id or short id starts with; almost always four.
	n := 4
	for ; n < len(short); n++ {
		clash := false
		for _, other := range []string{str(t, byron, "id")} {
			if strings.HasPrefix(other, short[:n]) || strings.HasPrefix(other[24:], short[:n]) {
				clash = true
			}
		}
		if !clash {
			break
		}
	}

	refs := []struct {
		name, ref string
	}{
		{"short id", short},
		{"start of the short id", short[:n]},
		{"full id", id},
		{"id prefix", id[:len(id)-1]},
		{"upper-case id", strings.ToUpper(id)},
		{"email", "ada@example.com"},
		{"email in another case", "ADA@Example.com"},
		{"exact name in any case", "ada LOVELACE"},
		{"unique name prefix", "lov"},
		{"prefixes of several words", "ad lov"},
		{"surrounding spaces", "  lovelace "},
	}
	for _, tc := range refs {
		t.Run(tc.name, func(t *testing.T) {
			e := e.at(t)
			c := e.object("contact", "show", tc.ref)
			equal(t, "resolves to", str(t, c, "id"), id)
			out := e.ok("log", tc.ref, "--kind", "note", "--text", "ref "+tc.name)
			contains(t, out, "Logged note with Ada Lovelace")
		})
	}

	t.Run("in every command", func(t *testing.T) {
		e := e.at(t)
		contains(t, e.ok("followup", "add", "lov", "--due", "tomorrow", "--text", "x"), "for Ada Lovelace")
		equal(t, "deal --contact", str(t, e.object("deal", "add", "Second", "--contact", short), "contact"), "Ada Lovelace")
		contains(t, e.ok("history", "ada@example.com"), "contact Ada Lovelace")
		contains(t, e.ok("contact", "edit", "byr", "--title", "Countess"), "Ada Byron")
		got := names(e.list("deal", "list", "--contact", "lovelace"), "title")
		slices.Sort(got) // both were created at the same (fixed) instant
		equalStrings(t, "deal list --contact", got, []string{"Engines pilot", "Second"})
	})

	t.Run("exact name beats a prefix", func(t *testing.T) {
		e := e.at(t)
		e.ok("contact", "add", "Ada Lovelace Junior")
		equal(t, "exact", str(t, e.object("contact", "show", "ada lovelace"), "id"), id)
	})

	t.Run("ambiguous", func(t *testing.T) {
		e := e.at(t)
		r := e.rolo("log", "ada", "--kind", "call", "--text", "Which Ada?")
		equal(t, "exit", r.code, 4)
		equal(t, "stdout", r.out, "")
		lines := strings.Split(strings.TrimRight(r.err, "\n"), "\n")
		equal(t, "first line", lines[0], `rolo: "ada" matches 3 records; use an id`)
		if len(lines) != 4 {
			t.Fatalf("want one line per candidate:\n%s", r.err)
		}
		all := e.list("contact", "list")
		for _, c := range all {
			sid := str(t, c, "id")[24:32]
			found := 0
			for _, l := range lines[1:] {
				if strings.Contains(l, sid) && strings.Contains(l, str(t, c, "name")) && strings.HasPrefix(strings.TrimSpace(l), "contact") {
					found++
				}
			}
			equal(t, "lines naming "+str(t, c, "name"), found, 1)
		}
		// One of the printed ids then works.
		sid := strings.Fields(lines[1])[1]
		e.ok("log", sid, "--kind", "call", "--text", "This Ada")
	})

	t.Run("not found", func(t *testing.T) {
		e := e.at(t)
		for _, args := range [][]string{
			{"contact", "show", "nobody"},
			{"log", "nobody", "--kind", "call", "--text", "x"},
			{"contact", "show", "ffffffff"},
			{"deal", "show", "ada"},
		} {
			r := e.rolo(args...)
			if r.code != 3 || r.out != "" || !regexp.MustCompile(`^rolo: nothing matches "[^"]+"\n$`).MatchString(r.err) {
				t.Errorf("rolo %q: %s", args, r)
			}
		}
	})

	t.Run("deleted record by name prefix", func(t *testing.T) {
		e.ok("contact", "rm", "byr")
		contains(t, e.ok("contact", "restore", "byr"), "Restored contact Ada Byron")
		e.ok("contact", "rm", "ada byron")
		contains(t, e.ok("history", "byr"), "delete")
		contains(t, e.ok("contact", "restore", "ada byr"), "Restored contact Ada Byron")
	})
}
