package demo_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/store/demo"
)

var anchor = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

func mustOpen(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "rolo.db"),
		store.Options{Owner: "demo", Now: func() time.Time { return anchor }})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func generate(tb testing.TB, contacts int, seed int64) (*store.DB, demo.Stats) {
	tb.Helper()
	db := mustOpen(tb)
	st, err := demo.Generate(context.Background(), db, demo.Options{Contacts: contacts, Seed: seed, Now: anchor})
	if err != nil {
		tb.Fatal(err)
	}
	return db, st
}

func count(tb testing.TB, db *store.DB, q string, args ...any) int {
	tb.Helper()
	var n int
	if err := db.SQL().QueryRow(q, args...).Scan(&n); err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestGenerate(t *testing.T) {
	ctx := context.Background()
	db, st := generate(t, 500, 1)

	t.Run("Proportions", func(t *testing.T) {
		want := demo.Stats{Companies: 100, Contacts: 500, Deals: 100, FollowUps: 165, Interactions: st.Interactions}
		if st != want {
			t.Errorf("stats = %+v, want %+v", st, want)
		}
		if st.Interactions < 4000 || st.Interactions > 6000 {
			t.Errorf("%d interactions for 500 contacts, want about 5000", st.Interactions)
		}
		for table, n := range map[string]int{"companies": st.Companies, "contacts": st.Contacts, "deals": st.Deals,
			"interactions": st.Interactions, "follow_ups": st.FollowUps} {
			if got := count(t, db, "SELECT count(*) FROM "+table); got != n {
				t.Errorf("%s holds %d rows, stats say %d", table, got, n)
			}
			if got := count(t, db, "SELECT count(*) FROM ops WHERE kind = 'create' AND entity_id IN (SELECT id FROM "+table+")"); got != n {
				t.Errorf("%s: %d create ops for %d rows", table, got, n)
			}
		}
		withCompany := count(t, db, "SELECT count(*) FROM contacts WHERE company_id IS NOT NULL")
		if withCompany < 380 || withCompany > 470 {
			t.Errorf("%d of 500 contacts have a company, want about 85%%", withCompany)
		}
		cadence := count(t, db, "SELECT count(*) FROM contacts WHERE cadence_days IS NOT NULL")
		if cadence < 80 || cadence > 170 {
			t.Errorf("%d of 500 contacts have a cadence, want about 25%%", cadence)
		}
		won := count(t, db, "SELECT count(*) FROM deals WHERE status = 'won'")
		lost := count(t, db, "SELECT count(*) FROM deals WHERE status = 'lost'")
		if won < 5 || won > 30 || lost < 5 || lost > 30 {
			t.Errorf("%d won and %d lost of 100 deals, want about 15 each", won, lost)
		}
		if n := count(t, db, "SELECT count(*) FROM interactions WHERE kind = 'status_change'"); n != won+lost {
			t.Errorf("%d status changes for %d closed deals", n, won+lost)
		}
		if n := count(t, db, "SELECT count(*) FROM interactions WHERE kind = 'stage_change'"); n < 50 {
			t.Errorf("only %d stage changes", n)
		}
		if n := count(t, db, "SELECT count(DISTINCT currency) FROM deals"); n < 2 {
			t.Errorf("deals use %d currencies, want USD with some EUR and GBP", n)
		}
		done := count(t, db, "SELECT count(*) FROM follow_ups WHERE done_at IS NOT NULL")
		if done < 25 || done > 75 {
			t.Errorf("%d of 165 follow-ups done, want about 30%%", done)
		}
	})

	t.Run("Check", func(t *testing.T) {
		problems, err := db.Check(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range problems {
			t.Errorf("check: %s: %s", p.Check, p.Detail)
		}
	})

	t.Run("Valid", func(t *testing.T) { checkValid(t, db) })

	t.Run("Search", func(t *testing.T) {
		var first, name string
		if err := db.SQL().QueryRow("SELECT first_name, name FROM contacts ORDER BY id LIMIT 1").Scan(&first, &name); err != nil {
			t.Fatal(err)
		}
		hits, err := db.Search(ctx, first, 500)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, h := range hits {
			found = found || h.Entity == store.EntityContact && h.Title == name
		}
		if !found {
			t.Errorf("searching %q did not find contact %q in %d hits", first, name, len(hits))
		}
		if hits, err := db.Search(ctx, "pricing", 5); err != nil || len(hits) == 0 {
			t.Errorf("searching the timeline for \"pricing\": %d hits, %v", len(hits), err)
		}
	})

	t.Run("Today", func(t *testing.T) {
		a, n, err := db.Today(ctx, time.UTC, 50)
		if err != nil {
			t.Fatal(err)
		}
		if n.Overdue == 0 || n.DueToday == 0 || n.Rotting == 0 || n.Neglected == 0 {
			t.Errorf("agenda counts %+v: want some of each", n)
		}
		if len(a.Overdue) == 0 || len(a.Rotting) == 0 {
			t.Errorf("agenda has %d overdue follow-ups and %d rotting deals", len(a.Overdue), len(a.Rotting))
		}
		future := count(t, db, "SELECT count(*) FROM follow_ups WHERE done_at IS NULL AND due_at >= ?", store.FormatTime(anchor.AddDate(0, 0, 1)))
		if future <= n.Overdue {
			t.Errorf("%d follow-ups ahead and %d overdue: most should lie ahead", future, n.Overdue)
		}
	})

	t.Run("Pipeline", func(t *testing.T) {
		p, err := db.Pipeline(ctx, 50)
		if err != nil {
			t.Fatal(err)
		}
		open, rotting := 0, 0
		for _, s := range p.Stages {
			if s.Count == 0 {
				t.Errorf("stage %s has no open deals", s.Stage.Name)
			}
			open += s.Count
			rotting += s.Rotting
		}
		if len(p.Rotting) == 0 || len(p.Totals) == 0 {
			t.Errorf("pipeline has %d rotting deals and %d totals", len(p.Rotting), len(p.Totals))
		}
		if share := float64(rotting) / float64(open); share < 0.08 || share > 0.35 {
			t.Errorf("%d of %d open deals rotting (%.0f%%), want 15-25%%", rotting, open, 100*share)
		}
	})
}

// checkValid checks every value against the store's validators and the data's own rules.
func checkValid(t *testing.T, db *store.DB) {
	t.Helper()
	forEach := func(q string, fn func(vals []sql.NullString)) {
		t.Helper()
		rows, err := db.SQL().Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fn(vals)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	forEach("SELECT email FROM contact_emails", func(v []sql.NullString) {
		if !store.ValidEmail(v[0].String) || v[0].String != strings.ToLower(v[0].String) {
			t.Errorf("invalid email %q", v[0].String)
		}
	})
	forEach("SELECT phone, label FROM contact_phones UNION ALL SELECT phone, 'work' FROM companies", func(v []sql.NullString) {
		if !store.ValidPhone(v[0].String) || (v[1].String != "work" && v[1].String != "mobile") {
			t.Errorf("invalid phone %q (%s)", v[0].String, v[1].String)
		}
	})
	forEach("SELECT tag FROM tags", func(v []sql.NullString) {
		if v[0].String != strings.ToLower(v[0].String) || strings.ContainsAny(v[0].String, " ,\t") {
			t.Errorf("invalid tag %q", v[0].String)
		}
	})
	forEach("SELECT domain FROM companies", func(v []sql.NullString) {
		d := v[0].String
		if d == "" || d != strings.ToLower(d) || strings.ContainsAny(d, " /@") || !strings.Contains(d, ".") {
			t.Errorf("invalid domain %q", d)
		}
	})
	if n := count(t, db, "SELECT count(*) FROM (SELECT domain FROM companies GROUP BY domain HAVING count(*) > 1)"); n > 0 {
		t.Errorf("%d domains shared by several companies", n)
	}
	ids := "SELECT id FROM companies UNION ALL SELECT id FROM contacts UNION ALL SELECT id FROM deals UNION ALL SELECT id FROM interactions UNION ALL SELECT id FROM follow_ups"
	forEach(ids, func(v []sql.NullString) {
		id := v[0].String
		if len(id) != 36 || id[14] != '7' || !strings.ContainsRune("89ab", rune(id[19])) || id != strings.ToLower(id) {
			t.Errorf("id %q is not a canonical UUIDv7", id)
		}
	})
	// Every time column in the store's format.
	times := map[string][]string{
		"companies":    {"created_at", "updated_at"},
		"contacts":     {"created_at", "updated_at", "last_touched_at"},
		"deals":        {"created_at", "stage_entered_at", "closed_at"},
		"interactions": {"created_at", "occurred_at"},
		"follow_ups":   {"created_at", "due_at", "done_at"},
	}
	for table, cols := range times {
		for _, c := range cols {
			forEach(fmt.Sprintf("SELECT %s FROM %s WHERE %[1]s IS NOT NULL", c, table), func(v []sql.NullString) {
				tm, err := time.Parse(store.TimeFormat, v[0].String)
				if err != nil || tm.After(anchor) && c != "due_at" {
					t.Errorf("%s.%s = %q: bad or in the future", table, c, v[0].String)
				}
			})
		}
	}
	checks := []struct{ what, q string }{
		{"contacts created after one of their entries", `SELECT count(*) FROM interactions i JOIN contacts c ON c.id = i.contact_id WHERE i.occurred_at < c.created_at`},
		{"deals created before their contact", `SELECT count(*) FROM deals d JOIN contacts c ON c.id = d.contact_id WHERE d.created_at < c.created_at`},
		{"contacts created before their company", `SELECT count(*) FROM contacts c JOIN companies co ON co.id = c.company_id WHERE c.created_at < co.created_at`},
		{"deals whose company is not their contact's", `SELECT count(*) FROM deals d JOIN contacts c ON c.id = d.contact_id WHERE d.company_id IS NOT c.company_id`},
		{"deals without a contact or company", `SELECT count(*) FROM deals WHERE contact_id IS NULL OR company_id IS NULL`},
		{"lost deals without a reason", `SELECT count(*) FROM deals WHERE status = 'lost' AND lost_reason NOT IN ('price', 'went with competitor', 'no budget', 'timing', 'no decision')`},
		{"stage entered outside the deal's life", `SELECT count(*) FROM deals WHERE stage_entered_at < created_at OR (closed_at IS NOT NULL AND stage_entered_at > closed_at)`},
		{"done follow-ups without a past done time", `SELECT count(*) FROM follow_ups WHERE done_at IS NOT NULL AND (done_at < created_at OR done_at > '2026-11-24T12:00:00.000Z')`},
		{"texts with an unexpanded template slot", `SELECT count(*) FROM (SELECT text AS s FROM interactions UNION ALL SELECT title FROM follow_ups UNION ALL SELECT notes FROM contacts UNION ALL SELECT notes FROM deals) WHERE s GLOB '*[{}]*' OR s LIKE '% ' OR s LIKE '%  %'`},
		{"names that are not first + last", `SELECT count(*) FROM contacts WHERE name <> first_name || ' ' || last_name OR first_name = '' OR last_name = ''`},
		{"deal entries not linked to the deal's contact and company", `SELECT count(*) FROM interactions i JOIN deals d ON d.id = i.deal_id WHERE i.contact_id IS NOT d.contact_id OR i.company_id IS NOT d.company_id`},
		{"stage changes with an odd text", `SELECT count(*) FROM interactions WHERE kind = 'stage_change' AND text NOT GLOB 'Stage: * → *'`},
		{"stage changes not naming their stages", `SELECT count(*) FROM interactions i LEFT JOIN stages a ON a.id = i.from_stage LEFT JOIN stages b ON b.id = i.to_stage
			WHERE i.kind = 'stage_change' AND i.text IS NOT 'Stage: ' || a.name || ' → ' || b.name`},
		{"won entries with an odd text", `SELECT count(*) FROM interactions i JOIN deals d ON d.id = i.deal_id WHERE i.kind = 'status_change' AND d.status = 'won' AND i.text NOT GLOB 'Won: [0-9]*.[0-9][0-9] ' || d.currency`},
	}
	for _, c := range checks {
		if n := count(t, db, c.q); n > 0 {
			t.Errorf("%d %s", n, c.what)
		}
	}
	var maxEntries int
	if err := db.SQL().QueryRow("SELECT max(n) FROM (SELECT count(*) AS n FROM interactions GROUP BY contact_id)").Scan(&maxEntries); err != nil {
		t.Fatal(err)
	}
	if maxEntries < 40 {
		t.Errorf("the busiest contact has %d entries; want some with more than 40", maxEntries)
	}
}

// dump hashes the data that must not depend on anything but the seed and now.
func dump(t *testing.T, db *store.DB) string {
	t.Helper()
	h := sha256.New()
	for _, q := range []string{
		`SELECT id, first_name, last_name, name, title, coalesce(company_id, ''), address, source, notes,
			coalesce(cadence_days, 0), coalesce(last_touched_at, ''), created_at FROM contacts ORDER BY id`,
		`SELECT d.id, d.title, d.contact_id, d.company_id, d.value, d.currency, s.name, d.status, d.lost_reason,
			d.expected_close, d.stage_entered_at, coalesce(d.closed_at, ''), d.notes, d.created_at
			FROM deals d JOIN stages s ON s.id = d.stage_id ORDER BY d.id`,
		`SELECT id, kind, occurred_at, text, coalesce(contact_id, ''), coalesce(deal_id, '') FROM interactions ORDER BY id`,
		`SELECT id, title, due_at, coalesce(done_at, '') FROM follow_ups ORDER BY id`,
		`SELECT contact_id, position, email FROM contact_emails ORDER BY 1, 2`,
		`SELECT entity_id, tag FROM tags ORDER BY 1, 2`,
	} {
		rows, err := db.SQL().Query(q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(h, vals...)
		}
		rows.Close()
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

func TestGenerate_Deterministic(t *testing.T) {
	a, _ := generate(t, 300, 7)
	b, _ := generate(t, 300, 7)
	c, _ := generate(t, 300, 8)
	da, db, dc := dump(t, a), dump(t, b), dump(t, c)
	if da != db {
		t.Error("two runs with the same seed and now differ")
	}
	if da == dc {
		t.Error("runs with different seeds are identical")
	}
}

func TestGenerate_Tiny(t *testing.T) {
	for _, n := range []int{1, 2, 7} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			db, st := generate(t, n, 3)
			if st.Contacts != n || st.Companies < 1 {
				t.Errorf("stats %+v", st)
			}
			problems, err := db.Check(context.Background())
			if err != nil || len(problems) > 0 {
				t.Errorf("check: %v %v", problems, err)
			}
		})
	}
}

func TestGenerate_ErrInvalid(t *testing.T) {
	db := mustOpen(t)
	if _, err := demo.Generate(context.Background(), db, demo.Options{Contacts: 0}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("0 contacts: err = %v, want ErrInvalid", err)
	}
}

func TestGenerate_Progress(t *testing.T) {
	db := mustOpen(t)
	var calls, last, total int
	st, err := demo.Generate(context.Background(), db, demo.Options{Contacts: 300, Seed: 1, Now: anchor,
		Progress: func(done, tot int) {
			if done < last || done > tot {
				t.Errorf("progress %d/%d after %d", done, tot, last)
			}
			calls++
			last, total = done, tot
		}})
	if err != nil {
		t.Fatal(err)
	}
	if calls < 3 || last != total || total != st.Records() {
		t.Errorf("%d progress calls, last %d/%d, records %d", calls, last, total, st.Records())
	}
}

func TestGenerate_Canceled(t *testing.T) {
	db := mustOpen(t)
	ctx, cancel := context.WithCancel(context.Background())
	_, err := demo.Generate(ctx, db, demo.Options{Contacts: 300, Seed: 1, Now: anchor, Progress: func(done, total int) { cancel() }})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n := count(t, db, "SELECT count(*) FROM contacts"); n != 0 {
		t.Errorf("a canceled run left %d contacts", n)
	}
}
