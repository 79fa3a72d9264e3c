package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
)

// dupeFixture is a crafted data set with one pair per rule, and records that must not pair.
type dupeFixture struct {
	db  *store.DB
	ids map[string]string // name → id
}

func newDupeFixture(t *testing.T) *dupeFixture {
	t.Helper()
	ctx := context.Background()
	db, clk := openClock(t)
	f := &dupeFixture{db: db, ids: map[string]string{}}
	company := func(name, domain string) {
		clk.Add(time.Minute)
		c := must[*store.Company](t)(db.CreateCompany(ctx, store.CompanyInput{Name: name, Domain: domain}))
		f.ids[name] = c.ID
	}
	contact := func(key, name, company, email, phone string) {
		clk.Add(time.Minute)
		in := store.ContactInput{Name: name, Company: f.ids[company]}
		if email != "" {
			in.Emails = []store.Email{{Email: email}}
		}
		if phone != "" {
			in.Phones = []store.Phone{{Phone: phone}}
		}
		f.ids[key] = must[*store.Contact](t)(db.CreateContact(ctx, in)).ID
	}
	company("Acme", "acme.example")
	company("ACME, Inc.", "www.Acme.example")
	company("Globex", "")
	company("Globex Corp", "")
	company("Initech", "initech.example")
	company("Initech GmbH", "initech.example.de")
	company("Umbrella", "umbrella.example")

	contact("ada1", "Ada Lovelace", "Acme", "ada@lovelace.example", "")
	contact("ada2", "Ada  Lovelace", "", "ADA@Lovelace.example", "")
	contact("info1", "Front Desk", "Umbrella", "info@umbrella.example", "")
	contact("info2", "Peter Parker", "Umbrella", "info@umbrella.example", "")
	contact("grace1", "Grace Hopper", "", "", "+1 312 555 0100")
	contact("grace2", "Grace Hoper", "", "", "(312) 555-0100")
	contact("alan", "Alan Turing", "", "", "+44 20 7946 0000")
	contact("joan", "Joan Clarke", "", "", "020 7946 0000")
	contact("rob", "Robert Smith", "Globex", "", "")
	contact("bob", "Bob Smith", "Globex", "", "")
	contact("jose1", "José Núñez", "Globex", "", "")
	contact("jose2", "jose nunez", "Globex", "", "")
	contact("kath1", "Katherine Johnson", "Globex", "", "")
	contact("kath2", "Katherin Johnson", "Globex", "", "")
	contact("dorothy", "Dorothy Vaughan", "Globex", "", "+1 415 555 0111")
	contact("mary", "Mary Jackson", "Globex", "", "+1 415 555 0112")
	contact("gone", "Ada Lovelace", "Acme", "ada@lovelace.example", "")
	noErr(t, db.DeleteContact(ctx, f.ids["gone"]))
	return f
}

// pairs renders the list as "score keep / other: reason".
func (f *dupeFixture) pairs(list []store.Duplicate) []string {
	name := map[string]string{}
	for k, id := range f.ids {
		name[id] = k
	}
	var out []string
	for _, d := range list {
		out = append(out, fmt.Sprintf("%03d %s / %s: %s", d.Score, name[d.Keep.ID], name[d.Other.ID], d.Reason))
	}
	return out
}

func TestDB_FindDuplicates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newDupeFixture(t)
	t.Run("Scores", func(t *testing.T) {
		list, total := must2[[]store.Duplicate, int](t)(f.db.FindDuplicates(ctx, store.DuplicateFilter{MinScore: 1}))
		want := []string{
			"100 Acme / ACME, Inc.: same domain acme.example; same name",
			"100 ada1 / ada2: same email ada@lovelace.example; same name",
			"095 grace1 / grace2: same phone +13125550100; names one letter apart",
			"090 info1 / info2: same email info@umbrella.example; same company",
			"085 Globex / Globex Corp: same name",
			"085 jose1 / jose2: same name; same company",
			"075 rob / bob: same name but for a nickname; same company",
			"070 kath1 / kath2: names one letter apart; same company",
			"050 Initech / Initech GmbH: same name; but different domains",
			"040 alan / joan: same phone +442079460000",
		}
		if got := f.pairs(list); !slices.Equal(got, want) || total != len(want) {
			t.Errorf("pairs (%d):\n%s\nwant:\n%s", total, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		for _, d := range list {
			if len(d.Reasons) == 0 || d.Reason != strings.Join(d.Reasons, "; ") {
				t.Errorf("reasons %q / %q", d.Reasons, d.Reason)
			}
		}
		if d := list[1]; d.Keep.Name != "Ada Lovelace" || d.Keep.Detail != "Acme · ada@lovelace.example" || d.Other.Detail != "ADA@Lovelace.example" {
			t.Errorf("details: %+v", d)
		}
	})
	t.Run("DefaultsAndFilters", func(t *testing.T) {
		list, total := must2[[]store.Duplicate, int](t)(f.db.FindDuplicates(ctx, store.DuplicateFilter{}))
		if total != 8 || len(list) != 8 || list[len(list)-1].Score < 60 {
			t.Errorf("default min score: %d pairs, %q", total, f.pairs(list))
		}
		list, total = must2[[]store.Duplicate, int](t)(f.db.FindDuplicates(ctx, store.DuplicateFilter{Entity: store.EntityCompany, Limit: 1}))
		if total != 2 || len(list) != 1 || list[0].Entity != store.EntityCompany {
			t.Errorf("companies, limit 1: %d %q", total, f.pairs(list))
		}
		list, _ = must2[[]store.Duplicate, int](t)(f.db.FindDuplicates(ctx, store.DuplicateFilter{MinScore: store.ConfidentScore}))
		if len(list) != 4 {
			t.Errorf("confident pairs: %q", f.pairs(list))
		}
		if _, _, err := f.db.FindDuplicates(ctx, store.DuplicateFilter{Entity: store.EntityDeal}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("deals: %v", err)
		}
		if _, _, err := f.db.FindDuplicates(ctx, store.DuplicateFilter{MinScore: 101}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("score 101: %v", err)
		}
	})
}

func TestDB_MergeDuplicate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newDupeFixture(t)
	db := f.db
	// A third Ada makes three pairs of Adas: merging the pairs in turn follows the earlier
	// merges, and the last pair, already one record, is skipped.
	ada3 := must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{Name: "Ada Lovelace", Emails: []store.Email{{Email: "ada@lovelace.example"}}}))
	list, _ := must2[[]store.Duplicate, int](t)(db.FindDuplicates(ctx, store.DuplicateFilter{MinScore: store.ConfidentScore}))
	var merged, skipped int
	for _, d := range list {
		m, err := db.MergeDuplicate(ctx, d)
		noErr(t, err)
		if m == nil {
			skipped++
		} else {
			merged++
		}
	}
	if merged != 5 || skipped != 1 {
		t.Errorf("merged %d, skipped %d of %q", merged, skipped, f.pairs(list))
	}
	for _, id := range []string{f.ids["ada2"], ada3.ID} {
		if s := must[string](t)(db.Survivor(ctx, store.EntityContact, id)); s != f.ids["ada1"] {
			t.Errorf("survivor of %s = %s", id, s)
		}
	}
	if list, _ := must2[[]store.Duplicate, int](t)(db.FindDuplicates(ctx, store.DuplicateFilter{MinScore: store.ConfidentScore})); len(list) != 0 {
		t.Errorf("after merging: %q", f.pairs(list))
	}
	checkHealthy(t, db)
}

// rolo dedupe --apply is one change: every confident pair merged in one transaction, one
// undo takes them all back exactly, and unmerging one pair of it restores only that pair.
func TestDB_MergeDuplicates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newDupeFixture(t)
	db := f.db
	// Two more Adas bring their own title and phone, so two merges in the one change give
	// fields to the same survivor.
	ada3 := must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{Name: "Ada Lovelace", Title: "Countess",
		Emails: []store.Email{{Email: "ada@lovelace.example"}}}))
	before := view(t, db)
	list, _ := must2[[]store.Duplicate, int](t)(db.FindDuplicates(ctx, store.DuplicateFilter{MinScore: store.ConfidentScore}))
	merged, skipped, err := db.MergeDuplicates(ctx, list)
	noErr(t, err)
	if len(merged) != 5 || skipped != 1 {
		t.Fatalf("merged %d, skipped %d of %q", len(merged), skipped, f.pairs(list))
	}
	for _, m := range merged[1:] {
		if m.Group != merged[0].Group {
			t.Fatalf("merges in groups %s and %s: want one change", merged[0].Group, m.Group)
		}
	}
	if s := must[string](t)(db.Survivor(ctx, store.EntityContact, ada3.ID)); s != f.ids["ada1"] {
		t.Errorf("survivor of the third Ada = %s", s)
	}
	if got := must[*store.Contact](t)(db.FindContactByID(ctx, f.ids["ada1"])); got.Title != "Countess" {
		t.Errorf("survivor's title %q, want the one the third Ada brought", got.Title)
	}
	after := view(t, db)
	checkHealthy(t, db)

	// Unmerging the third Ada takes back her merge only: the title she brought goes, the
	// other merges of the change stay.
	u := must[*store.Unmerged](t)(db.Unmerge(ctx, ada3.ID))
	if !slices.Equal(u.Restored, []string{"title"}) {
		t.Errorf("unmerge restored %v, want [title]", u.Restored)
	}
	if s := must[string](t)(db.Survivor(ctx, store.EntityContact, f.ids["ada2"])); s != f.ids["ada1"] {
		t.Errorf("unmerging one pair unmerged ada2 too (survivor %s)", s)
	}
	must[*store.Undone](t)(db.Undo(ctx)) // the unmerge
	if got := view(t, db); got != after {
		t.Errorf("undoing the unmerge:\n%s", diffLines(after, got))
	}

	// One undo takes back the whole change.
	u2 := must[*store.Undone](t)(db.Undo(ctx))
	if !strings.Contains(u2.Summary, "5 duplicate pairs") {
		t.Errorf("undone %q", u2.Summary)
	}
	if got := view(t, db); got != before {
		t.Errorf("undoing dedupe --apply:\n%s", diffLines(before, got))
	}
	checkHealthy(t, db)

	// A pair that cannot merge (a record deleted since the list was made) merges nothing.
	list, _ = must2[[]store.Duplicate, int](t)(db.FindDuplicates(ctx, store.DuplicateFilter{MinScore: store.ConfidentScore}))
	noErr(t, db.DeleteContact(ctx, f.ids["grace2"]))
	mid := view(t, db)
	if _, _, err := db.MergeDuplicates(ctx, list); err == nil {
		t.Fatal("merging a deleted record: no error")
	}
	if got := view(t, db); got != mid {
		t.Errorf("a failed dedupe --apply changed:\n%s", diffLines(mid, got))
	}
}
