package main

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// rfc parses an RFC 3339 time from JSON.
func rfc(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("time %q: %v", s, err)
	}
	return tm
}

func TestLog(t *testing.T) {
	e := newEnv(t)
	e.ok("contact", "add", "Ada Lovelace", "--email", "ada@example.com", "--company", "Analytical Engines")
	e.ok("deal", "add", "Engines pilot", "--contact", "ada")

	tests := []struct {
		name, ref string
		args      []string
		label     string // what the output says was logged with
		want      map[string]string
	}{
		{"contact", "ada", []string{"--kind", "call", "--text", "Walked through the pilot; she wants numbers by Friday"},
			"Ada Lovelace", map[string]string{"contact": "Ada Lovelace", "kind": "call"}},
		{"company", "analytical engines", []string{"--kind", "meeting", "--text", "Site visit"},
			"Analytical Engines", map[string]string{"company": "Analytical Engines", "kind": "meeting"}},
		{"deal", "pilot", []string{"--kind", "email", "--text", "Sent the quote"},
			"Engines pilot", map[string]string{"deal": "Engines pilot", "kind": "email"}},
		{"contact with deal", "ada@example.com", []string{"--kind", "NOTE", "--text", "Prefers mornings", "--deal", "pilot"},
			"Ada Lovelace", map[string]string{"contact": "Ada Lovelace", "deal": "Engines pilot", "kind": "note"}},
		{"message", "ada", []string{"--kind", "message", "--text", "Texted the agenda"},
			"Ada Lovelace", map[string]string{"contact": "Ada Lovelace", "kind": "message"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := e.at(t)
			out := e.ok(append([]string{"log", tc.ref}, tc.args...)...)
			if !regexp.MustCompile(`^Logged ` + tc.want["kind"] + ` with ` + regexp.QuoteMeta(tc.label) + ` \([0-9a-f]{8}\)\n$`).MatchString(out) {
				t.Errorf("log printed %q", out)
			}
			i := e.object(append([]string{"log", tc.ref}, tc.args...)...)
			for k, v := range tc.want {
				equal(t, k, str(t, i, k), v)
			}
			equal(t, "occurred_at is now", rfc(t, str(t, i, "occurred_at")).Equal(fixedNow), true)
		})
	}

	t.Run("at yesterday 3pm", func(t *testing.T) {
		e := e.at(t)
		i := e.object("log", "ada", "--kind", "call", "--text", "Earlier call", "--at", "yesterday 3pm")
		at := rfc(t, str(t, i, "occurred_at"))
		want := time.Date(2026, 3, 10, 15, 0, 0, 0, time.Local)
		if !at.Equal(want) {
			t.Errorf("occurred_at %v, want %v", at, want)
		}
		if !strings.HasSuffix(str(t, i, "occurred_at"), "Z") {
			t.Errorf("occurred_at %q is not UTC", i["occurred_at"])
		}
	})

	t.Run("timelines", func(t *testing.T) {
		e := e.at(t)
		c := e.object("contact", "show", "ada")
		equal(t, "last touched", rfc(t, str(t, c, "last_touched_at")).Equal(fixedNow), true)
		// 7 logged on the contact and 2 on its deal, which reach the deal's contact too.
		equal(t, "contact timeline", len(arr(t, c, "timeline")), 9)
		out := e.ok("contact", "show", "ada")
		contains(t, out, "Timeline", "Walked through the pilot", "2026-03-10 15:00  call", "Prefers mornings")
		co := e.object("company", "show", "analytical")
		contains(t, strings.Join(texts(t, arr(t, co, "timeline")), "\n"), "Site visit")
		d := e.object("deal", "show", "pilot")
		contains(t, strings.Join(texts(t, arr(t, d, "timeline")), "\n"), "Sent the quote", "Prefers mornings")
	})
}

func texts(t *testing.T, l []any) []string {
	var out []string
	for _, v := range l {
		out = append(out, v.(obj)["text"].(string))
	}
	return out
}

func TestFollowUps(t *testing.T) {
	e := newEnv(t)
	e.ok("contact", "add", "Ada Lovelace", "--email", "ada@example.com")
	e.ok("deal", "add", "Engines pilot", "--contact", "ada")
	ids := map[string]string{}

	t.Run("empty", func(t *testing.T) {
		e := e.at(t)
		contains(t, e.ok("followup", "list"), "Nothing to follow up")
		for _, f := range []string{"--overdue", "--today", "--week", "--all"} {
			equal(t, "followup list "+f, strings.TrimSpace(e.ok("followup", "list", f, "--json")), "[]")
		}
	})

	t.Run("add", func(t *testing.T) {
		tests := []struct {
			name, ref, due, text string
			wantDue              string // as printed
			deal                 bool
		}{
			{"overdue", "ada", "yesterday", "Send the notes", "Tue 10 Mar 2026", false},
			{"today", "ada@example.com", "today 5pm", "Call back", "Wed 11 Mar 2026 17:00", false},
			{"deal", "pilot", "fri", "Chase the signature", "Fri 13 Mar 2026", true},
			{"later", "ada", "in 2w", "Quarterly check-in", "Wed 25 Mar 2026", false},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				e := e.at(t)
				out := e.ok("followup", "add", tc.ref, "--due", tc.due, "--text", tc.text)
				label := "Ada Lovelace"
				if tc.deal {
					label = "Engines pilot"
				}
				if !regexp.MustCompile(`^Follow-up [0-9a-f]{8} for ` + label + ` due ` + tc.wantDue + `\n$`).MatchString(out) {
					t.Errorf("add printed %q", out)
				}
				ids[tc.name] = regexp.MustCompile(`[0-9a-f]{8}`).FindString(out)
			})
		}
		f := e.list("followup", "list")
		equalStrings(t, "by due date", names(f, "title"), []string{"Send the notes", "Call back", "Chase the signature", "Quarterly check-in"})
		d := find(t, f, "title", "Chase the signature")
		equal(t, "deal", str(t, d, "deal"), "Engines pilot")
		equal(t, "deal's contact", str(t, d, "contact"), "Ada Lovelace")
		equal(t, "all_day", d["all_day"], any(true))
		c := find(t, f, "title", "Call back")
		equal(t, "timed", c["all_day"], any(false))
		equal(t, "due_at", rfc(t, str(t, c, "due_at")).Equal(time.Date(2026, 3, 11, 17, 0, 0, 0, time.Local)), true)
		contains(t, e.ok("contact", "show", "ada"), "Open follow-ups", "Send the notes")
		contains(t, e.ok("deal", "show", "pilot"), "Open follow-ups", "Chase the signature")
	})

	t.Run("list filters", func(t *testing.T) {
		tests := []struct {
			flag string
			want []string
		}{
			{"--overdue", []string{"Send the notes"}},
			{"--today", []string{"Call back"}},
			{"--week", []string{"Call back", "Chase the signature"}},
			{"--all", []string{"Send the notes", "Call back", "Chase the signature", "Quarterly check-in"}},
		}
		for _, tc := range tests {
			t.Run(tc.flag, func(t *testing.T) {
				e := e.at(t)
				equalStrings(t, tc.flag, names(e.list("followup", "list", tc.flag), "title"), tc.want)
				out := e.ok("followup", "list", tc.flag)
				for _, w := range tc.want {
					contains(t, out, w)
				}
			})
		}
		out := e.ok("followup", "list")
		for _, h := range []string{"ID", "DUE", "WHAT", "FOR"} {
			contains(t, strings.SplitN(out, "\n", 2)[0], h)
		}
	})

	t.Run("done and reopen", func(t *testing.T) {
		e := e.at(t)
		id := ids["today"]
		equal(t, "done output", e.ok("followup", "done", id), "Done: Call back ("+id+")\n")
		lacks(t, strings.Join(names(e.list("followup", "list"), "title"), ","), "Call back")
		all := e.list("followup", "list", "--all")
		if !has(find(t, all, "title", "Call back"), "done_at") {
			t.Error("done follow-up has no done_at")
		}
		contains(t, e.ok("followup", "list", "--all"), "✓")
		equal(t, "reopen output", e.ok("followup", "reopen", id), "Reopened Call back ("+id+")\n")
		f := find(t, e.list("followup", "list"), "title", "Call back")
		if has(f, "done_at") {
			t.Error("reopened follow-up keeps done_at")
		}
	})

	t.Run("snooze", func(t *testing.T) {
		e := e.at(t)
		id := ids["overdue"]
		equal(t, "snooze output", e.ok("followup", "snooze", id, "--until", "tomorrow 9am"), "Snoozed Send the notes ("+id+") until Thu 12 Mar 2026 09:00\n")
		equal(t, "overdue after snooze", len(e.list("followup", "list", "--overdue")), 0)
		f := e.object("followup", "snooze", ids["today"])
		equal(t, "default snooze is tomorrow", rfc(t, str(t, f, "due_at")).Equal(time.Date(2026, 3, 12, 0, 0, 0, 0, time.Local)), true)
		equal(t, "all day", f["all_day"], any(true))
	})

	t.Run("rm and restore", func(t *testing.T) {
		e := e.at(t)
		id := ids["later"]
		equal(t, "rm output", e.ok("followup", "rm", id), "Deleted followup Quarterly check-in ("+id+"); bring it back with: rolo followup restore "+id+"\n")
		lacks(t, strings.Join(names(e.list("followup", "list", "--all"), "title"), ","), "Quarterly")
		equal(t, "restore output", e.ok("followup", "restore", id), "Restored followup Quarterly check-in ("+id+")\n")
		contains(t, strings.Join(names(e.list("followup", "list"), "title"), ","), "Quarterly")
	})
}

func TestToday(t *testing.T) {
	e := newEnv(t)

	t.Run("all clear", func(t *testing.T) {
		e := e.at(t)
		out := e.ok("today")
		equal(t, "today", out, "Wednesday 11 March 2026\n\nAll clear: nothing overdue, nothing due today, no deal rotting, nobody neglected.\n")
		m := e.object("today")
		for _, k := range []string{"overdue", "due_today", "rotting", "neglected"} {
			equal(t, k, len(arr(t, m, k)), 0)
			equal(t, "counts."+k, num(t, m, "counts."+k), 0)
		}
	})

	// Three weeks later the Lead deal (14 days) rots and the weekly contact is neglected.
	e.ok("contact", "add", "Ada Lovelace", "--cadence", "7", "--company", "Analytical Engines")
	e.ok("contact", "add", "Grace Hopper")
	e.ok("deal", "add", "Engines pilot", "--contact", "ada", "--value", "5000")
	later := fixedNow.Add(21 * 24 * time.Hour)
	e.setNow(later)
	e.ok("followup", "add", "ada", "--due", "yesterday", "--text", "Send the notes")
	e.ok("followup", "add", "grace", "--due", "today 5pm", "--text", "Call back")
	e.ok("followup", "add", "grace", "--due", "tomorrow", "--text", "Not yet")

	t.Run("agenda", func(t *testing.T) {
		e := e.at(t)
		out := e.ok("today")
		contains(t, out, later.Format("Monday 2 January 2006"), "Overdue (1)", "Send the notes", "(1d ago)",
			"Due today (1)", "17:00", "Call back", "Rotting deals (1)", "Engines pilot", "21d", "5,000.00 USD",
			"Neglected contacts (1)", "Ada Lovelace", "7d", "never")
		lacks(t, out, "Not yet", "Grace Hopper  ")
		m := e.object("today")
		equalStrings(t, "overdue", names(objs(t, arr(t, m, "overdue")), "title"), []string{"Send the notes"})
		equalStrings(t, "due_today", names(objs(t, arr(t, m, "due_today")), "title"), []string{"Call back"})
		equalStrings(t, "rotting", names(objs(t, arr(t, m, "rotting")), "title"), []string{"Engines pilot"})
		equalStrings(t, "neglected", names(objs(t, arr(t, m, "neglected")), "name"), []string{"Ada Lovelace"})
		for _, k := range []string{"overdue", "due_today", "rotting", "neglected"} {
			equal(t, "counts."+k, num(t, m, "counts."+k), 1)
		}
	})

	t.Run("logging resets the cadence", func(t *testing.T) {
		e := e.at(t)
		e.ok("log", "ada", "--kind", "call", "--text", "Caught up")
		m := e.object("today")
		equal(t, "neglected", len(arr(t, m, "neglected")), 0)
	})

	t.Run("limit", func(t *testing.T) {
		e := e.at(t)
		e.ok("followup", "add", "grace", "--due", "2 days ago", "--text", "Older one")
		out := e.ok("today", "--limit", "1")
		contains(t, out, "Overdue (2) — showing 1, use --limit 0 for all")
		m := e.object("today", "--limit", "1")
		equal(t, "overdue shown", len(arr(t, m, "overdue")), 1)
		equal(t, "overdue counted", num(t, m, "counts.overdue"), 2)
	})

	t.Run("limit 0 means all", func(t *testing.T) {
		e := e.at(t)
		for i := range 50 {
			e.ok("followup", "add", "grace", "--due", "3 days ago", "--text", "Backlog "+string(rune('A'+i%26))+string(rune('a'+i/26)))
		}
		m := e.object("today", "--limit", "0")
		equal(t, "overdue counted", num(t, m, "counts.overdue"), 52)
		equal(t, "overdue shown", len(arr(t, m, "overdue")), 52)
		lacks(t, e.ok("today", "--limit", "0"), "showing")
		equal(t, "followup list --overdue --limit 0", len(e.list("followup", "list", "--overdue", "--limit", "0")), 52)
		r := e.rolo("followup", "list", "--overdue")
		equal(t, "default cut (the oldest first)", strings.Count(r.out, "Backlog"), 50)
		equal(t, "cut note", r.err, "showing 50 of 52; use --limit 0 for all\n")
	})
}

func objs(t *testing.T, l []any) []obj {
	var out []obj
	for _, v := range l {
		out = append(out, v.(obj))
	}
	return out
}

func TestPipeline(t *testing.T) {
	e := newEnv(t)

	t.Run("empty", func(t *testing.T) {
		e := e.at(t)
		p := e.object("pipeline")
		stages := objs(t, arr(t, p, "stages"))
		var got []string
		for _, s := range stages {
			got = append(got, str(t, s, "stage.name"))
			equal(t, "count", num(t, s, "count"), 0)
			equal(t, "totals", len(arr(t, s, "totals")), 0)
		}
		equalStrings(t, "default stages", got, []string{"Lead", "Qualified", "Proposal", "Negotiation"})
		equal(t, "totals", len(arr(t, p, "totals")), 0)
		equal(t, "rotting", len(arr(t, p, "rotting")), 0)
		contains(t, e.ok("pipeline"), "Lead", "10%", "Negotiation", "75%", "Total")
	})

	e.ok("deal", "add", "Big", "--value", "10000")
	e.ok("deal", "add", "Small", "--value", "2000.10", "--stage", "lead")
	e.ok("deal", "add", "Euro", "--value", "3000.50", "--currency", "EUR", "--stage", "proposal")
	e.ok("deal", "add", "Closed", "--value", "999")
	e.ok("deal", "won", "closed")

	t.Run("totals per currency", func(t *testing.T) {
		e := e.at(t)
		p := e.object("pipeline")
		want := map[string]struct {
			count int64
			cur   string
			total int64
		}{
			"Lead":     {2, "USD", 1200010},
			"Proposal": {1, "EUR", 300050},
		}
		for _, s := range objs(t, arr(t, p, "stages")) {
			name := str(t, s, "stage.name")
			prob := num(t, s, "stage.probability")
			w, ok := want[name]
			if !ok {
				equal(t, name+" count", num(t, s, "count"), 0)
				continue
			}
			equal(t, name+" count", num(t, s, "count"), w.count)
			totals, weighted := objs(t, arr(t, s, "totals")), objs(t, arr(t, s, "weighted"))
			if len(totals) != 1 || len(weighted) != 1 {
				t.Fatalf("%s totals %v weighted %v", name, totals, weighted)
			}
			equal(t, name+" currency", str(t, totals[0], "currency"), w.cur)
			equal(t, name+" total", num(t, totals[0], "amount"), w.total)
			equal(t, name+" weighted currency", str(t, weighted[0], "currency"), w.cur)
			equal(t, name+" weighted = total × probability", num(t, weighted[0], "amount"), w.total*prob/100)
		}
		totals := objs(t, arr(t, p, "totals"))
		if len(totals) != 2 {
			t.Fatalf("totals %v", totals)
		}
		equal(t, "EUR first", str(t, totals[0], "currency"), "EUR")
		equal(t, "EUR total", num(t, totals[0], "amount"), 300050)
		equal(t, "USD total", num(t, totals[1], "amount"), 1200010)
		weighted := objs(t, arr(t, p, "weighted"))
		equal(t, "EUR weighted", num(t, weighted[0], "amount"), 150025)
		equal(t, "USD weighted", num(t, weighted[1], "amount"), 120001)

		out := e.ok("pipeline")
		for _, h := range []string{"STAGE", "PROB", "DEALS", "ROTTING", "TOTAL", "WEIGHTED"} {
			contains(t, strings.SplitN(out, "\n", 2)[0], h)
		}
		contains(t, out, "12,000.10 USD", "1,200.01 USD", "3,000.50 EUR", "1,500.25 EUR", "3,000.50 EUR, 12,000.10 USD")
		lacks(t, out, "999")
	})

	t.Run("rotting", func(t *testing.T) {
		e := e.at(t)
		e.setNow(fixedNow.Add(15 * 24 * time.Hour))
		p := e.object("pipeline")
		equalStrings(t, "rotting", names(objs(t, arr(t, p, "rotting")), "title"), []string{"Big", "Small"})
		contains(t, e.ok("pipeline"), "Rotting deals", "Big", "15d")
	})
}

func TestSearch(t *testing.T) {
	e := newEnv(t)
	e.ok("contact", "add", "Ada Lovelace", "--email", "ada@example.com", "--company", "Analytical Engines", "--phone", "+44 20 7946 0000")
	e.ok("deal", "add", "Engines pilot", "--contact", "ada")
	e.ok("log", "ada", "--kind", "call", "--text", "She wants numbers by Friday")
	e.ok("followup", "add", "ada", "--due", "fri", "--text", "Send the proposal")

	tests := []struct {
		query  string
		entity string
		title  string
	}{
		{"lov", "contact", "Ada Lovelace"},
		{"ad lov", "contact", "Ada Lovelace"},
		{"ada@example.com", "contact", "Ada Lovelace"},
		{"analytical", "company", "Analytical Engines"},
		{"analyt", "contact", "Ada Lovelace"},
		{"pilot", "deal", "Engines pilot"},
		{"numbers", "interaction", ""},
		{"propos", "follow_up", "Send the proposal"},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			e := e.at(t)
			hits := e.list("search", tc.query)
			found := false
			for _, h := range hits {
				if h["entity"] == tc.entity && (tc.title == "" || h["title"] == tc.title) {
					found = true
				}
			}
			if !found {
				t.Errorf("search %q: no %s %q in %v", tc.query, tc.entity, tc.title, hits)
			}
			out := e.ok("search", tc.query)
			contains(t, out, "KIND", strings.ReplaceAll(tc.entity, "_", "-"), tc.title)
		})
	}
	t.Run("interaction detail", func(t *testing.T) {
		e := e.at(t)
		contains(t, e.ok("search", "numbers"), "She wants numbers by Friday")
	})
	t.Run("nothing", func(t *testing.T) {
		e := e.at(t)
		equal(t, "text", e.ok("search", "zzzz"), "Nothing matches \"zzzz\".\n")
		equal(t, "json", strings.TrimSpace(e.ok("search", "zzzz", "--json")), "[]")
	})
}
