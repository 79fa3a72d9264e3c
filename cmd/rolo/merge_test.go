package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// mergeEnv holds Robert Smith and Bob Smith, one person entered twice, with Bob's
// interaction, deal and follow-up.
func mergeEnv(t *testing.T) (e *tenv, rob, bob string) {
	t.Helper()
	e = newEnv(t)
	rob = shortID(t, e.ok("contact", "add", "Robert Smith", "--email", "rob@acme.example", "--company", "Acme", "--tag", "vip"))
	bob = shortID(t, e.ok("contact", "add", "Bob Smith", "--email", "ROB@acme.example", "--email", "bob@home.example",
		"--title", "CTO", "--company", "Globex", "--tag", "golf"))
	e.ok("log", bob, "--kind", "call", "--text", "Called Bob about the renewal")
	e.ok("deal", "add", "Bob's renewal", "--contact", bob, "--value", "5000")
	e.ok("followup", "add", bob, "--due", "tomorrow", "--text", "Send Bob the quote")
	return e, rob, bob
}

func TestMerge(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		e, rob, bob := mergeEnv(t)
		before := dumpDB(t, e.db)
		out := e.ok("merge", rob, bob, "--dry-run")
		contains(t, out, "Would merge contact Bob Smith ("+bob+") into Robert Smith ("+rob+")", `takes    title "CTO", email bob@home.example, tag golf`)
		if dumpDB(t, e.db) != before {
			t.Errorf("merge --dry-run changed the database")
		}
		out = e.ok("merge", rob, bob)
		contains(t, out, "Merged contact Bob Smith ("+bob+") into Robert Smith ("+rob+").",
			`takes    title "CTO", email bob@home.example, tag golf`,
			`keeps    name "Robert Smith", not "Bob Smith"`, `keeps    company "Acme", not "Globex"`,
			"Revert with: rolo unmerge "+bob)

		// A reference to Bob leads to Robert, who shows Bob's deal, follow-up and timeline.
		r := e.rolo("contact", "show", "Bob Smith")
		if r.code != 0 {
			t.Fatalf("show: %s", r)
		}
		contains(t, r.err, "Bob Smith ("+bob+") was merged into Robert Smith ("+rob+"); using Robert Smith")
		contains(t, r.out, "Robert Smith", "CTO", "bob@home.example", "Bob's renewal", "Send Bob the quote", "Called Bob about the renewal")
		if r := e.rolo("contact", "show", "bob"); r.code != 0 || !strings.Contains(r.out, "Robert Smith") || !strings.Contains(r.err, "was merged into Robert Smith") {
			t.Errorf("show bob: %s", r)
		}
		show := e.object("contact", "show", rob)
		equal(t, "deals", len(arr(t, show, "deals")), 1)
		equal(t, "follow-ups", len(arr(t, show, "follow_ups")), 1)
		equal(t, "timeline", len(arr(t, show, "timeline")), 1)
		list := e.list("contact", "list")
		equalStrings(t, "contacts", names(list, "name"), []string{"Robert Smith"})
		contains(t, e.ok("check"), "healthy: 1 contacts")
		hist := e.ok("history", rob)
		contains(t, hist, "merge contact Bob Smith into Robert Smith", "merged_into: (none) →")
	})
	t.Run("JSON", func(t *testing.T) {
		e, rob, bob := mergeEnv(t)
		m := e.object("merge", rob, bob)
		equal(t, "entity", str(t, m, "entity"), "contact")
		equal(t, "other", str(t, m, "other"), "Bob Smith")
		equal(t, "conflicts", len(arr(t, m, "conflicts")), 2)
		if !has(m, "group") {
			t.Errorf("no group in %v", m)
		}
	})
	t.Run("Undo", func(t *testing.T) {
		e, rob, bob := mergeEnv(t)
		e.ok("merge", rob, bob)
		contains(t, e.ok("undo"), "Undid: merge contact Bob Smith into Robert Smith")
		equal(t, "contacts after undo", len(e.list("contact", "list")), 2)
		equal(t, "Robert's deals", len(arr(t, e.object("contact", "show", rob), "deals")), 0)
	})
	t.Run("Refused", func(t *testing.T) {
		e, rob, bob := mergeEnv(t)
		gone := shortID(t, e.ok("contact", "add", "Gone Person"))
		e.ok("contact", "rm", gone)
		other := shortID(t, e.ok("contact", "add", "Third Person"))
		e.ok("merge", rob, other)
		for _, tc := range []struct {
			name string
			args []string
			code int
			want string
		}{
			{"Itself", []string{"merge", rob, rob}, exitUsage, "cannot merge a record into itself"},
			{"CrossKind", []string{"merge", rob, "Acme"}, exitUsage, `cannot merge company "Acme" into contact "Robert Smith"`},
			{"AlreadyMerged", []string{"merge", bob, other}, exitUsage, `contact "Third Person" is already merged into "Robert Smith"`},
			{"Deleted", []string{"merge", rob, gone}, exitNotFound, "nothing matches"},
			{"Unknown", []string{"merge", rob, "Nobody Here"}, exitNotFound, `nothing matches "Nobody Here"`},
			{"OneArg", []string{"merge", rob}, exitUsage, "needs KEEP and OTHER"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := dumpDB(t, e.db)
				r := e.rolo(tc.args...)
				if r.code != tc.code || !strings.Contains(r.err, tc.want) {
					t.Errorf("want exit %d saying %q, got %s", tc.code, tc.want, r)
				}
				if dumpDB(t, e.db) != before {
					t.Errorf("a refused merge changed the database")
				}
			})
		}
	})
}

func TestUnmerge(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		e, rob, bob := mergeEnv(t)
		robBefore, bobBefore := e.object("contact", "show", rob), e.object("contact", "show", bob)
		e.ok("merge", rob, bob)
		out := e.ok("unmerge", bob)
		contains(t, out, "Unmerged contact Bob Smith ("+bob+") from Robert Smith ("+rob+"); restored Robert Smith's emails, tag golf, title.")
		robAfter, bobAfter := e.object("contact", "show", rob), e.object("contact", "show", bob)
		for _, m := range []obj{robBefore, bobBefore, robAfter, bobAfter} {
			delete(m, "updated_at")
		}
		for _, pair := range [][2]obj{{robBefore, robAfter}, {bobBefore, bobAfter}} {
			if b, a := jsonString(t, pair[0]), jsonString(t, pair[1]); b != a {
				t.Errorf("after unmerge:\n%s\nbefore:\n%s", a, b)
			}
		}
		hist := e.ok("history", bob)
		contains(t, hist, "merge contact Bob Smith into Robert Smith", "unmerge contact Bob Smith from Robert Smith")
		r := e.rolo("unmerge", bob)
		if r.code != exitUsage || !strings.Contains(r.err, `contact "Bob Smith" is not merged with another record`) {
			t.Errorf("second unmerge: %s", r)
		}
		contains(t, e.ok("check"), "healthy: 2 contacts")
	})
	t.Run("BySurvivorAndName", func(t *testing.T) {
		e, rob, bob := mergeEnv(t)
		e.ok("merge", rob, bob)
		contains(t, e.ok("unmerge", "Robert Smith"), "Unmerged contact Bob Smith")
		e.ok("merge", rob, bob)
		contains(t, e.ok("unmerge", "bob"), "Unmerged contact Bob Smith")
		third := shortID(t, e.ok("contact", "add", "Third Person"))
		e.ok("merge", rob, bob)
		e.ok("merge", rob, third)
		r := e.rolo("unmerge", rob)
		if r.code != exitAmbiguous || !strings.Contains(r.err, "Bob Smith") || !strings.Contains(r.err, "Third Person") {
			t.Errorf("unmerge of a survivor of two merges: %s", r)
		}
	})
	t.Run("RefusedAfterEdit", func(t *testing.T) {
		e, rob, bob := mergeEnv(t)
		e.ok("merge", rob, bob)
		e.ok("contact", "edit", rob, "--title", "CEO")
		before := dumpDB(t, e.db)
		r := e.rolo("unmerge", bob)
		if r.code != exitUsage || !strings.Contains(r.err, `cannot unmerge exactly: the title of "Robert Smith" changed after the merge`) {
			t.Errorf("got %s", r)
		}
		if dumpDB(t, e.db) != before {
			t.Errorf("a refused unmerge changed the database")
		}
		e.ok("undo")
		e.ok("unmerge", bob)
	})
}

func TestDedupe(t *testing.T) {
	e, rob, bob := mergeEnv(t)
	e.ok("contact", "add", "Grace Hopper", "--phone", "+1 312 555 0100", "--company", "Navy")
	e.ok("contact", "add", "Grace Hoper", "--phone", "(312) 555-0100")
	e.ok("contact", "add", "Ann Other", "--company", "Navy")
	e.ok("company", "add", "Globex Corp.")

	out := e.ok("dedupe")
	contains(t, out, "SCORE", "100", "Robert Smith ("+rob+")", "Bob Smith ("+bob+")",
		"same email rob@acme.example; same name but for a nickname", "95", "same phone +13125550100; names one letter apart",
		"85", "Globex", "same name", "rolo dedupe --apply")
	l := e.list("dedupe")
	equal(t, "pairs", len(l), 3)
	equal(t, "best", num(t, l[0], "score"), 100)
	equal(t, "keep", str(t, l[0], "keep.name"), "Robert Smith")
	equal(t, "reasons", len(arr(t, l[0], "reasons")), 2)
	equal(t, "companies only", len(e.list("dedupe", "--kind", "company")), 1)
	equal(t, "limit", len(e.list("dedupe", "--limit", "1")), 1)

	for _, args := range [][]string{{"dedupe", "--kind", "deal"}, {"dedupe", "--min-score", "101"}, {"dedupe", "--limit", "-1"}, {"dedupe", "extra"}} {
		if r := e.rolo(args...); r.code != exitUsage {
			t.Errorf("rolo %q: want exit 2, got %s", args, r)
		}
	}

	out = e.ok("dedupe", "--apply")
	contains(t, out, "Plan: 2 merges", "merge Bob Smith ("+bob+")", "into Robert Smith ("+rob+")", `takes    title "CTO"`,
		"merge Grace Hoper", "Merged 2 pairs.")
	lacks(t, out, "Globex Corp")
	equalStrings(t, "contacts", names(e.list("contact", "list"), "name"), []string{"Ann Other", "Grace Hopper", "Robert Smith"})
	contains(t, e.ok("dedupe", "--apply"), "No duplicates scoring 90 or more; nothing to merge.")
	var res obj
	e.okJSON(&res, "dedupe", "--apply")
	equal(t, "merged", len(arr(t, res, "merged")), 0)
	e.ok("unmerge", bob)
	equal(t, "contacts after unmerge", len(e.list("contact", "list")), 4)
	contains(t, e.ok("check"), "healthy")
	// --apply is one change: one undo takes back every merge it made.
	e.ok("dedupe", "--apply")
	equal(t, "contacts after the second --apply", len(e.list("contact", "list")), 3)
	e.ok("undo")                                         // the second --apply (its one merge) ...
	e.ok("undo")                                         // ... the unmerge ...
	contains(t, e.ok("undo"), "merge 2 duplicate pairs") // ... and the first --apply, whole
	equal(t, "contacts after undoing both", len(e.list("contact", "list")), 5)
	contains(t, e.ok("check"), "healthy")
}

// jsonString renders a decoded object again, with its keys in order.
func jsonString(t *testing.T, m obj) string {
	t.Helper()
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
