package main

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// reportEnv is a small sales history, built a day at a time up to fixedNow (Wednesday 11
// March 2026, 10:00 local):
//
//	20 days ago  Ada (referral, cadence 7 days) and Bob (website); Engines (Ada, 1000 USD,
//	             Lead); Looms (Bob, 500 EUR, Lead); Mill (Ada, 2000 GBP, Qualified, close
//	             2026-04-15); Gears (no contact, 300 USD, Lead, close 2026-03-01); a call
//	             with Ada
//	15 days ago  Engines → Proposal (skipping Qualified); an email to Bob
//	10 days ago  Engines won
//	 5 days ago  Looms lost
func reportEnv(t *testing.T) *tenv {
	e := newEnv(t)
	e.setNow(fixedNow.AddDate(0, 0, -20))
	e.ok("contact", "add", "Ada Lovelace", "--source", "referral", "--cadence", "7")
	e.ok("contact", "add", "Bob Babbage", "--source", "website")
	e.ok("deal", "add", "Engines", "--contact", "ada", "--value", "1000")
	e.ok("deal", "add", "Looms", "--contact", "bob", "--value", "500", "--currency", "EUR")
	e.ok("deal", "add", "Mill", "--contact", "ada", "--value", "2000", "--currency", "GBP", "--stage", "qualified", "--close", "2026-04-15")
	e.ok("deal", "add", "Gears", "--value", "300", "--close", "2026-03-01")
	e.ok("log", "ada", "--kind", "call", "--text", "Kick-off")
	e.setNow(fixedNow.AddDate(0, 0, -15))
	e.ok("deal", "move", "engines", "proposal")
	e.ok("log", "bob", "--kind", "email", "--text", "Sent the quote")
	e.setNow(fixedNow.AddDate(0, 0, -10))
	e.ok("deal", "won", "engines")
	e.setNow(fixedNow.AddDate(0, 0, -5))
	e.ok("deal", "lost", "looms", "--reason", "Budget")
	e.setNow(fixedNow)
	return e
}

// float reads a number field along a dotted path.
func float(t *testing.T, m obj, path string) float64 {
	t.Helper()
	v := field(t, m, path)
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("field %s is %T (%v), want a number", path, v, v)
	}
	f, err := n.Float64()
	if err != nil {
		t.Fatalf("field %s: %v", path, err)
	}
	return f
}

func equalFloat(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9 {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// objsAt reads an array of objects along a dotted path.
func objsAt(t *testing.T, m obj, path string) []obj {
	t.Helper()
	return objs(t, arr(t, m, path))
}

func TestReport(t *testing.T) {
	e := reportEnv(t)

	t.Run("win-rate", func(t *testing.T) {
		e := e.at(t)
		w := e.object("report", "win-rate")
		// Closed in the last 90 days: Engines won, Looms lost: 1 ÷ (1 + 1) = 0.5.
		equal(t, "denominator", str(t, w, "denominator"), "closed")
		equal(t, "won", num(t, w, "won"), 1)
		equal(t, "lost", num(t, w, "lost"), 1)
		equalFloat(t, "rate", float(t, w, "rate"), 0.5)
		// referral (Ada): Engines won, 1 ÷ 1; website (Bob): Looms lost, 0 ÷ 1.
		src := objsAt(t, w, "by_source")
		equalStrings(t, "sources", names(src, "source"), []string{"referral", "website"})
		equalFloat(t, "referral", float(t, src[0], "rate"), 1)
		equalFloat(t, "website", float(t, src[1], "rate"), 0)
		// Furthest stage: Looms Lead (lost), Engines Proposal (won).
		st := objsAt(t, w, "by_stage")
		equalStrings(t, "stages", names(st, "stage"), []string{"Lead", "Qualified", "Proposal", "Negotiation"})
		equalFloat(t, "Lead", float(t, st[0], "rate"), 0)
		equal(t, "Qualified has no rate", has(st[1], "rate"), false)
		equalFloat(t, "Proposal", float(t, st[2], "rate"), 1)
		out := e.ok("report", "win-rate")
		contains(t, out, "won ÷ (won + lost): 50.0% (1 won, 1 lost)", "By lead source", "referral", "100.0%", "By furthest stage reached", "n/a")
	})

	t.Run("win-rate closed_and_stale", func(t *testing.T) {
		// Gears, open, was expected to close on 1 March: 1 ÷ (1 + 1 + 1) = 0.3333.
		e := e.at(t)
		w := e.object("report", "win-rate", "--denominator", "closed_and_stale")
		equal(t, "denominator", str(t, w, "denominator"), "closed_and_stale")
		equal(t, "stale", num(t, w, "stale"), 1)
		equalFloat(t, "rate", float(t, w, "rate"), 0.3333)
		t.Setenv("ROLO_WIN_RATE_DENOMINATOR", "closed_and_stale")
		w = e.object("report", "win-rate")
		equal(t, "from the config", str(t, w, "denominator"), "closed_and_stale")
		contains(t, e.ok("report", "win-rate"), "won ÷ (won + lost + stale open deals): 33.3%", "STALE")
		w = e.object("report", "win-rate", "--denominator", "closed")
		equal(t, "the flag beats the config", str(t, w, "denominator"), "closed")
	})

	t.Run("funnel", func(t *testing.T) {
		// Created in the last 90 days: Engines (won: every stage), Looms (lost in Lead),
		// Mill (created in Qualified: Lead and Qualified), Gears (Lead).
		// Lead 4, Qualified 2, Proposal 1, Negotiation 1, won 1:
		// 2 ÷ 4 = 0.5, 1 ÷ 2 = 0.5, 1 ÷ 1 = 1, 1 ÷ 1 = 1.
		e := e.at(t)
		f := e.object("report", "funnel")
		equal(t, "deals", num(t, f, "deals"), 4)
		equal(t, "won", num(t, f, "won"), 1)
		equal(t, "lost", num(t, f, "lost"), 1)
		equal(t, "open", num(t, f, "open"), 2)
		st := objsAt(t, f, "stages")
		for i, want := range []struct {
			reached int64
			conv    float64
		}{{4, 0.5}, {2, 0.5}, {1, 1}, {1, 1}} {
			equal(t, "reached", num(t, st[i], "reached"), want.reached)
			equalFloat(t, "conversion", float(t, st[i], "conversion"), want.conv)
		}
		contains(t, e.ok("report", "funnel"), "Funnel of the 4 deals created", "REACHED", "100.0% (won)", "Now 1 won, 1 lost, 2 open")
	})

	t.Run("cycle", func(t *testing.T) {
		// Engines 20 → 10 days ago = 10 days; Looms 20 → 5 days ago = 15 days. Median
		// (10 + 15) ÷ 2 = 12.5; 80th percentile 10 + 0.8 × 5 = 14.
		// In Lead: Engines 5 days (to its move), Looms 15 (to its loss): median 10. In
		// Proposal: Engines 5 (to its win).
		e := e.at(t)
		c := e.object("report", "cycle")
		equal(t, "closed", num(t, c, "closed"), 2)
		equalFloat(t, "median", float(t, c, "median_days"), 12.5)
		equalFloat(t, "p80", float(t, c, "p80_days"), 14)
		st := objsAt(t, c, "stages")
		equalFloat(t, "Lead", float(t, st[0], "median_days"), 10)
		equal(t, "Qualified stays", num(t, st[1], "stints"), 0)
		equal(t, "Qualified has no median", has(st[1], "median_days"), false)
		equalFloat(t, "Proposal", float(t, st[2], "median_days"), 5)
		contains(t, e.ok("report", "cycle"), "median 12.5, 80th percentile 14.0", "MEDIAN DAYS")
	})

	t.Run("velocity", func(t *testing.T) {
		// Win rate 0.5, median cycle 12.5 days. Open: Mill 200000 GBP → 200000 × 0.5 ÷ 12.5
		// = 8000 a day; Gears 30000 USD → 30000 × 0.5 ÷ 12.5 = 1200 a day.
		e := e.at(t)
		v := e.object("report", "velocity")
		equalFloat(t, "win rate", float(t, v, "win_rate"), 0.5)
		equalFloat(t, "cycle", float(t, v, "cycle_days"), 12.5)
		cs := objsAt(t, v, "currencies")
		equalStrings(t, "currencies", names(cs, "currency"), []string{"GBP", "USD"})
		equal(t, "GBP per day", num(t, cs[0], "per_day"), 8000)
		equal(t, "GBP average", num(t, cs[0], "average_value"), 200000)
		equal(t, "USD per day", num(t, cs[1], "per_day"), 1200)
		contains(t, e.ok("report", "velocity"), "Win rate 50.0% and median cycle 12.5 days", "80.00 GBP", "12.00 USD")
	})

	t.Run("forecast", func(t *testing.T) {
		// March and April 2026: Gears (Lead, 300 USD, 1 March) is due this month: × 10% =
		// 30 USD; Mill (Qualified, 2000 GBP, 15 April) × 25% = 500 GBP. Two closed deals
		// reached Lead: too few for history, so the stages' probabilities are used.
		e := e.at(t)
		f := e.object("report", "forecast", "--months", "2")
		ms := objsAt(t, f, "months")
		equalStrings(t, "months", names(ms, "month"), []string{"2026-03", "2026-04"})
		equal(t, "march weighted", num(t, objsAt(t, ms[0], "weighted")[0], "amount"), 3000)
		equal(t, "april weighted", num(t, objsAt(t, ms[1], "weighted")[0], "amount"), 50000)
		equal(t, "april by history", num(t, objsAt(t, ms[1], "historical")[0], "amount"), 50000)
		equal(t, "unscheduled", num(t, f, "unscheduled.deals"), 0)
		conv := objsAt(t, f, "conversion")
		equal(t, "Lead basis", str(t, conv[0], "basis"), "probability")
		equal(t, "Lead reached", num(t, conv[0], "reached"), 2)
		contains(t, e.ok("report", "forecast"), "Mar 2026", "Apr 2026", "May 2026", "Unscheduled", "500.00 GBP", "stage probability")
	})

	t.Run("activity", func(t *testing.T) {
		e := e.at(t)
		a := e.object("report", "activity")
		weeks := objsAt(t, a, "weeks")
		equal(t, "weeks", len(weeks), 12)
		calls, emails := int64(0), int64(0)
		for _, w := range weeks {
			calls += num(t, w, "calls")
			emails += num(t, w, "emails")
		}
		equal(t, "calls", calls, 1)
		equal(t, "emails", emails, 1)
		equal(t, "trend", len(arr(t, a, "trend")), 6)
		equal(t, "weeks", len(objsAt(t, e.object("report", "activity", "--weeks", "3"), "weeks")), 3)
		contains(t, e.ok("report", "activity"), "WEEK OF", "(so far)", "Trend: the week of")
	})

	t.Run("activity week", func(t *testing.T) {
		// The email to Bob, 15 days ago (Tuesday 24 February), is the one entry of the week
		// of Monday 23 February; the call with Ada, 20 days ago, is in the week before.
		e := e.at(t)
		w := e.object("report", "activity", "--week", "2026-02-24")
		equal(t, "start", rfc(t, str(t, w, "start")).Local().Format("2006-01-02 15:04"), "2026-02-23 00:00")
		equal(t, "end", rfc(t, str(t, w, "end")).Local().Format("2006-01-02 15:04"), "2026-03-02 00:00")
		equal(t, "complete", field(t, w, "complete"), any(true))
		equal(t, "emails", num(t, w, "emails"), 1)
		equal(t, "count", num(t, w, "count"), 1)
		entries := objsAt(t, w, "entries")
		equal(t, "entries", len(entries), 1)
		equal(t, "text", str(t, entries[0], "text"), "Sent the quote")
		equal(t, "contact", str(t, entries[0], "contact"), "Bob Babbage")
		// The same week as the report counts it.
		r := e.object("report", "activity", "--from", "2026-02-23", "--to", "2026-03-01")
		equal(t, "the report's week", num(t, objsAt(t, r, "weeks")[0], "total"), num(t, w, "total"))
		contains(t, e.ok("report", "activity", "--week", "2026-02-24"), "Activity in the week of Mon 2026-02-23", "1 email",
			"Bob Babbage", "Sent the quote")
		// --kind keeps one kind; --limit caps the list.
		calls := e.object("report", "activity", "--week", "2026-02-19", "--kind", "call")
		equal(t, "calls", num(t, calls, "count"), 1)
		equal(t, "call", str(t, objsAt(t, calls, "entries")[0], "text"), "Kick-off")
		equal(t, "no call", num(t, e.object("report", "activity", "--week", "2026-02-24", "--kind", "call"), "count"), 0)
		contains(t, e.ok("report", "activity", "--week", "2026-02-24", "--kind", "call"), "No call was logged.")
		equal(t, "limited", len(objsAt(t, e.object("report", "activity", "--week", "2026-02-24", "--limit", "0"), "entries")), 1)
		// This week is shown so far.
		contains(t, e.ok("report", "activity", "--week", "today"), "(so far)", "Nothing was logged.")
	})

	t.Run("neglected", func(t *testing.T) {
		// Ada (cadence 7) was last called 20 days ago. With --days 10, Ada (open deal Mill)
		// is also a valuable contact left alone; Bob's only deal is lost.
		e := e.at(t)
		n := e.object("report", "neglected", "--days", "10")
		equal(t, "past cadence", num(t, n, "past_cadence_count"), 1)
		equalStrings(t, "names", names(objsAt(t, n, "past_cadence"), "name"), []string{"Ada Lovelace"})
		equal(t, "untouched", num(t, n, "untouched_count"), 1)
		u := objsAt(t, n, "untouched")[0]
		equal(t, "name", str(t, u, "name"), "Ada Lovelace")
		equal(t, "open deals", num(t, u, "open_deals"), 1)
		equal(t, "default days", num(t, e.object("report", "neglected"), "untouched_count"), 0)
		contains(t, e.ok("report", "neglected", "--days", "10"), "Past their stay-in-touch cadence (1)", "not touched in 10 days (1)", "2,000.00 GBP")
	})

	t.Run("rotting", func(t *testing.T) {
		// Mill (Qualified, 14-day limit) and Gears (Lead, 14) have sat 20 days.
		e := e.at(t)
		r := e.object("report", "rotting")
		equal(t, "count", num(t, r, "count"), 2)
		equal(t, "deals", len(arr(t, r, "deals")), 2)
		contains(t, e.ok("report", "rotting"), "Rotting deals (2)", "Mill", "Gears")
	})

	t.Run("period", func(t *testing.T) {
		// Only Looms closed in the last 7 days (5 days ago); --to a whole day runs to its end.
		e := e.at(t)
		w := e.object("report", "win-rate", "--from", "7 days ago")
		equal(t, "won", num(t, w, "won"), 0)
		equal(t, "lost", num(t, w, "lost"), 1)
		w = e.object("report", "win-rate", "--from", "2026-02-01", "--to", "2026-03-01")
		equal(t, "won by 1 March", num(t, w, "won"), 1)
		equal(t, "lost by 1 March", num(t, w, "lost"), 0)
		equal(t, "to", rfc(t, str(t, w, "to")).Local().Format("2006-01-02 15:04"), "2026-03-02 00:00")
	})
}

func TestReport_Empty(t *testing.T) {
	// A new database: no deals, no timeline. Every report answers, with n/a where a
	// figure would divide by zero.
	e := newEnv(t)
	for _, name := range []string{"win-rate", "funnel", "cycle", "velocity", "forecast", "activity", "neglected", "rotting"} {
		t.Run(name, func(t *testing.T) {
			e := e.at(t)
			m := e.object("report", name)
			if len(m) == 0 {
				t.Errorf("empty JSON object")
			}
			if out := e.ok("report", name); strings.TrimSpace(out) == "" {
				t.Errorf("no text output")
			}
		})
	}
	w := e.object("report", "win-rate")
	equal(t, "no rate", has(w, "rate"), false)
	equal(t, "by_source", len(arr(t, w, "by_source")), 0)
	contains(t, e.ok("report", "win-rate"), "n/a", "No deal was closed in this period")
	c := e.object("report", "cycle")
	equal(t, "no median", has(c, "median_days"), false)
	contains(t, e.ok("report", "velocity"), "No open deals.")
	contains(t, e.ok("report", "rotting"), "No deal is rotting")
}

func TestReport_BadInput(t *testing.T) {
	e := reportEnv(t)
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"unknown report", []string{"report", "profit"}, 2, `unknown command "profit"`},
		{"garbage --from", []string{"report", "win-rate", "--from", "garbage"}, 2, `--from: cannot understand date "garbage"`},
		{"garbage --to", []string{"report", "funnel", "--to", "blursday"}, 2, `--to: cannot understand date "blursday"`},
		{"--from after --to", []string{"report", "cycle", "--from", "2026-03-01", "--to", "2026-02-01"}, 2, "must be before --to"},
		{"period on forecast", []string{"report", "forecast", "--from", "2026-01-01"}, 2, "--from does not apply"},
		{"period on rotting", []string{"report", "rotting", "--to", "today"}, 2, "--to does not apply"},
		{"period on neglected", []string{"report", "neglected", "--from", "today"}, 2, "--from does not apply"},
		{"months 0", []string{"report", "forecast", "--months", "0"}, 2, "--months 0"},
		{"months not a number", []string{"report", "forecast", "--months", "many"}, 2, "--months"},
		{"weeks 0", []string{"report", "activity", "--weeks", "0"}, 2, "--weeks 0"},
		{"garbage --week", []string{"report", "activity", "--week", "someday"}, 2, `--week: cannot understand date "someday"`},
		{"--week and --weeks", []string{"report", "activity", "--week", "today", "--weeks", "3"}, 2, "--weeks does not apply"},
		{"--week and --from", []string{"report", "activity", "--week", "today", "--from", "2026-01-01"}, 2, "--from does not apply"},
		{"--kind alone", []string{"report", "activity", "--kind", "call"}, 2, "give --week too"},
		{"--limit alone", []string{"report", "activity", "--limit", "5"}, 2, "give --week too"},
		{"bad --kind", []string{"report", "activity", "--week", "today", "--kind", "stage_change"}, 2, `--kind "stage_change" must be one of`},
		{"future --week", []string{"report", "activity", "--week", "in 2w"}, 2, "has not started yet"},
		{"negative --limit on a week", []string{"report", "activity", "--week", "today", "--limit", "-1"}, 2, "--limit -1"},
		{"days 0", []string{"report", "neglected", "--days", "0"}, 2, "--days 0"},
		{"negative limit", []string{"report", "rotting", "--limit", "-1"}, 2, "--limit -1"},
		{"bad denominator", []string{"report", "velocity", "--denominator", "all"}, 2, `--denominator "all"`},
		{"extra argument", []string{"report", "funnel", "now"}, 2, "rolo report funnel"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := dumpDB(t, e.db)
			checkFailure(t, e.at(t).rolo(tc.args...), tc.code, tc.msg)
			if dumpDB(t, e.db) != before {
				t.Error("the database changed")
			}
		})
	}
	t.Run("bad config", func(t *testing.T) {
		t.Setenv("ROLO_WIN_RATE_DENOMINATOR", "everything")
		checkFailure(t, e.at(t).rolo("report", "win-rate"), 1, `win_rate_denominator "everything" must be closed or closed_and_stale`)
	})
}
