package main

import (
	"regexp"
	"strings"
	"testing"
)

func TestDealCommands(t *testing.T) {
	e := newEnv(t)
	e.ok("contact", "add", "Ada Lovelace", "--email", "ada@example.com", "--company", "Analytical Engines")
	e.ok("company", "add", "Babbage & Co")
	var pilot, support string

	t.Run("empty list", func(t *testing.T) {
		e := e.at(t)
		contains(t, e.ok("deal", "list"), "No deals match")
		equal(t, "json", strings.TrimSpace(e.ok("deal", "list", "--json")), "[]")
	})

	t.Run("add", func(t *testing.T) {
		e := e.at(t)
		out := e.ok("deal", "add", "Engines pilot", "--contact", "ada", "--value", "12000", "--stage", "qualified",
			"--close", "2026-04-30", "--tag", "pilot", "--note", "Start small")
		if !regexp.MustCompile(`^Added deal Engines pilot \([0-9a-f]{8}\) in Qualified, 12,000\.00 USD\n$`).MatchString(out) {
			t.Fatalf("add printed %q", out)
		}
		pilot = shortID(t, out)
		d := e.object("deal", "show", pilot)
		equal(t, "title", str(t, d, "title"), "Engines pilot")
		equal(t, "value.amount", num(t, d, "value.amount"), 1200000)
		equal(t, "value.currency", str(t, d, "value.currency"), "USD")
		equal(t, "stage", str(t, d, "stage"), "Qualified")
		equal(t, "status", str(t, d, "status"), "open")
		equal(t, "contact", str(t, d, "contact"), "Ada Lovelace")
		equal(t, "company from the contact", str(t, d, "company"), "Analytical Engines")
		equal(t, "expected_close", str(t, d, "expected_close"), "2026-04-30")
		equal(t, "notes", str(t, d, "notes"), "Start small")
		equalStrings(t, "tags", strs(t, d, "tags"), []string{"pilot"})
		equal(t, "follow_ups", len(arr(t, d, "follow_ups")), 0)
		equal(t, "timeline", len(arr(t, d, "timeline")), 0)

		s := e.object("deal", "add", "Support plan", "--company", "Babbage & Co", "--value", "4500.50", "--currency", "eur", "--close", "end of month")
		support = str(t, s, "id")
		equal(t, "value.amount", num(t, s, "value.amount"), 450050)
		equal(t, "value.currency", str(t, s, "value.currency"), "EUR")
		equal(t, "first stage is the default", str(t, s, "stage"), "Lead")
		equal(t, "company", str(t, s, "company"), "Babbage & Co")
		equal(t, "end of month", str(t, s, "expected_close"), "2026-03-31")
		if has(s, "contact") {
			t.Errorf("deal without --contact has contact %v", s["contact"])
		}
		equal(t, "no new company", len(e.list("company", "list")), 2)
	})

	t.Run("edit", func(t *testing.T) {
		e := e.at(t)
		out := e.ok("deal", "edit", pilot, "--value", "15000", "--title", "Engines pilot v2", "--remove-tag", "pilot", "--tag", "q2")
		equal(t, "edit output", out, "Updated deal Engines pilot v2 ("+pilot+")\n")
		d := e.object("deal", "show", pilot)
		equal(t, "value.amount", num(t, d, "value.amount"), 1500000)
		equal(t, "currency kept", str(t, d, "value.currency"), "USD")
		equal(t, "stage kept", str(t, d, "stage"), "Qualified")
		equalStrings(t, "tags", strs(t, d, "tags"), []string{"q2"})
	})

	t.Run("show text", func(t *testing.T) {
		e := e.at(t)
		out := e.ok("deal", "show", "engines pilot v2")
		if !strings.HasPrefix(out, "Engines pilot v2  "+pilot+"\n") {
			t.Errorf("show starts %q", out)
		}
		contains(t, out, "15,000.00 USD", "Qualified, 0 days", "open", "Ada Lovelace", "Analytical Engines", "2026-04-30", "q2", "Start small")
		contains(t, e.ok("contact", "show", "ada"), "Open deals", "Engines pilot v2", "15,000.00 USD")
		contains(t, e.ok("company", "show", "babbage"), "Open deals", "Support plan", "4,500.50 EUR")
	})

	t.Run("list", func(t *testing.T) {
		e := e.at(t)
		out := e.ok("deal", "list")
		for _, h := range []string{"ID", "TITLE", "COMPANY", "STAGE", "STATUS", "VALUE", "CLOSE"} {
			contains(t, strings.SplitN(out, "\n", 2)[0], h)
		}
		contains(t, out, "Engines pilot v2", "Support plan", "15,000.00 USD", "4,500.50 EUR")
		equal(t, "open deals", len(e.list("deal", "list")), 2)
		equalStrings(t, "--stage", names(e.list("deal", "list", "--stage", "QUAL"), "title"), []string{"Engines pilot v2"})
		equalStrings(t, "--contact", names(e.list("deal", "list", "--contact", "ada@example.com"), "title"), []string{"Engines pilot v2"})
		equalStrings(t, "--company", names(e.list("deal", "list", "--company", "babbage"), "title"), []string{"Support plan"})
		equal(t, "--status won", len(e.list("deal", "list", "--status", "won")), 0)
	})

	t.Run("move", func(t *testing.T) {
		e := e.at(t)
		equal(t, "move output", e.ok("deal", "move", pilot, "prop"), "Moved Engines pilot v2 ("+pilot+") to Proposal\n")
		d := e.object("deal", "move", pilot, "Negotiation")
		equal(t, "stage", str(t, d, "stage"), "Negotiation")
		tl := e.object("deal", "show", pilot)
		kinds := []string{}
		for _, i := range arr(t, tl, "timeline") {
			kinds = append(kinds, i.(obj)["kind"].(string))
		}
		equalStrings(t, "timeline", kinds, []string{"stage_change", "stage_change"})
		contains(t, e.ok("deal", "show", pilot), "stage  ")
	})

	t.Run("won and reopen", func(t *testing.T) {
		e := e.at(t)
		equal(t, "won output", e.ok("deal", "won", pilot), "Won Engines pilot v2 ("+pilot+"), 15,000.00 USD\n")
		won := e.list("deal", "list", "--status", "won")
		equalStrings(t, "won list", names(won, "title"), []string{"Engines pilot v2"})
		equal(t, "status", str(t, won[0], "status"), "won")
		if !has(won[0], "closed_at") {
			t.Error("a won deal has no closed_at")
		}
		equalStrings(t, "open list", names(e.list("deal", "list"), "title"), []string{"Support plan"})
		contains(t, e.ok("deal", "list", "--status", "won"), "won")
		equal(t, "reopen output", e.ok("deal", "reopen", pilot), "Reopened Engines pilot v2 ("+pilot+"), 15,000.00 USD\n")
		d := e.object("deal", "show", pilot)
		equal(t, "status", str(t, d, "status"), "open")
		if has(d, "closed_at") {
			t.Error("a reopened deal keeps closed_at")
		}
	})

	t.Run("lost with reason", func(t *testing.T) {
		e := e.at(t)
		d := e.object("deal", "lost", support, "--reason", "price")
		equal(t, "status", str(t, d, "status"), "lost")
		equal(t, "lost_reason", str(t, d, "lost_reason"), "price")
		equalStrings(t, "lost list", names(e.list("deal", "list", "--status", "lost"), "title"), []string{"Support plan"})
		contains(t, e.ok("deal", "show", support), "lost", "(price)")
		equal(t, "--all", len(e.list("deal", "list", "--all")), 2)
	})

	t.Run("rm and restore", func(t *testing.T) {
		e := e.at(t)
		out := e.ok("deal", "rm", pilot)
		equal(t, "rm output", out, "Deleted deal Engines pilot v2 ("+pilot+"); bring it back with: rolo deal restore "+pilot+"\n")
		equal(t, "open after rm", len(e.list("deal", "list")), 0)
		all := e.list("deal", "list", "--all")
		if !has(find(t, all, "title", "Engines pilot v2"), "deleted_at") {
			t.Error("deleted deal has no deleted_at in --all")
		}
		equal(t, "restore output", e.ok("deal", "restore", pilot), "Restored deal Engines pilot v2 ("+pilot+")\n")
		equalStrings(t, "after restore", names(e.list("deal", "list"), "title"), []string{"Engines pilot v2"})
	})
}
