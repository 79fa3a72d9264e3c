package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/rolo-crm/rolo/store"
)

// found reports whether a search for q returns the record with id.
func found(t *testing.T, db *store.DB, q, id string) bool {
	t.Helper()
	hits, err := db.Search(context.Background(), q, 0)
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	for _, h := range hits {
		if h.ID == id {
			return true
		}
	}
	return false
}

func wantFound(t *testing.T, db *store.DB, q, id string) {
	t.Helper()
	if !found(t, db, q, id) {
		t.Errorf("search %q does not find %s", q, id)
	}
}

func wantNotFound(t *testing.T, db *store.DB, q, id string) {
	t.Helper()
	if found(t, db, q, id) {
		t.Errorf("search %q still finds %s", q, id)
	}
}

func TestDB_Search(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	db := f.db
	zoe := must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{Name: "Zoë Ångström", Phones: []store.Phone{{Phone: "+1 (555) 010-2030"}}}))
	fu := must[*store.FollowUp](t)(db.AddFollowUp(ctx, store.FollowUpInput{Title: "Prepare the quarterly review", DueAt: t0, ContactID: zoe.ID}))
	t.Run("Finds", func(t *testing.T) {
		for _, tc := range []struct {
			q, id string
		}{
			{"ad", f.contact.ID},       // prefix
			{"Ada Love", f.contact.ID}, // several prefixes
			{"LOVELACE", f.contact.ID}, // case
			{"zoe", zoe.ID},            // diacritics folded in the index
			{"Zoë", zoe.ID},            // and in the query
			{"angst", zoe.ID},          // Å
			{"ada@example.com", f.contact.ID},
			{"example", f.contact.ID},    // a part of an address
			{"15550102030", zoe.ID},      // phone digits
			{"555 010", zoe.ID},          // phone as written
			{"(555) 010-2030", zoe.ID},   // phone with punctuation
			{"7946 0018", f.contact.ID},  // groups of digits as written
			{"analytical", f.contact.ID}, // company name finds its contacts
			{"analytical", f.company.ID}, // and the company
			{"engines.example", f.company.ID},
			{"vip", f.contact.ID},      // tag
			{"partner", f.company.ID},  // company tag
			{"countess", f.contact.ID}, // title
			{"poetical", f.contact.ID}, // notes
			{"differ", f.deal.ID},      // deal title
			{"lovelace", f.deal.ID},    // deal's contact
			{"bernoulli", f.entry.ID},  // timeline text
			{"quarterly rev", fu.ID},   // follow-up title
		} {
			wantFound(t, db, tc.q, tc.id)
		}
		hits := must[[]store.Hit](t)(db.Search(ctx, "ada", 0))
		if len(hits) == 0 || hits[0].Entity != store.EntityContact || hits[0].Title != "Ada Lovelace" ||
			hits[0].Detail != "Analytical Engines · ada@example.com" {
			t.Errorf("hits = %+v", hits)
		}
		if hits := must[[]store.Hit](t)(db.Search(ctx, "bernoulli", 0)); len(hits) != 1 || hits[0].Entity != store.EntityInteraction ||
			!strings.Contains(hits[0].Title, "Ada Lovelace") || hits[0].Detail != f.entry.Text {
			t.Errorf("timeline hit = %+v", hits)
		}
	})
	t.Run("Limit", func(t *testing.T) {
		for i := range 5 {
			must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{Name: fmt.Sprintf("Limit Person%d", i)}))
		}
		if hits := must[[]store.Hit](t)(db.Search(ctx, "limit", 3)); len(hits) != 3 {
			t.Errorf("%d hits with limit 3", len(hits))
		}
	})
	t.Run("OddInput", func(t *testing.T) {
		for _, q := range []string{`"`, `"ada`, `ada"`, "", "   ", "!!", `"*"`, "-- --", `AND`, `ada AND`, `OR ada`, `NOT`, `*`, `ada*`, `NEAR(`, `NEAR(ada lovelace, 2)`,
			`name:ada`, `{name}: ada`, `^ada`, `ada -lovelace`, `+ada`, `(`, `)`, `'`, `ada'`, `\`, `%`, `_`, `🙂`, `ada🙂`, `日本語`,
			`ǅemal`, `ﬁnance`, `ⅷ`, `x²`, "tab\there", "new\nline", strings.Repeat("a ", 50), strings.Repeat("x", 5000),
			"\x00", "ada\x00lovelace", "\xff\xfe", `""""`, `a"b"c`, `col : x`, `-`, `--`, `1.5`, `@`} {
			_, err := db.Search(ctx, q, 0)
			hasWord := strings.IndexFunc(q, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) >= 0
			switch {
			case hasWord && err != nil:
				t.Errorf("Search(%q): %v", q, err)
			case !hasWord && !errors.Is(err, store.ErrInvalid):
				// nothing to search for: the empty-query error
				t.Errorf("Search(%q) = %v, want ErrInvalid", q, err)
			}
		}
	})
}

// TestDB_SearchConsistency follows the index through every kind of write.
func TestDB_SearchConsistency(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	db := f.db
	t.Run("EditContact", func(t *testing.T) {
		must[*store.Contact](t)(db.UpdateContact(ctx, f.contact.ID, store.ContactUpdate{Name: ptr("Augusta King"),
			RemoveEmails: []string{"ada@example.com"}, AddEmails: []store.Email{{Email: "augusta@byron.example"}},
			RemoveTags: []string{"vip"}, AddTags: []string{"mathematician"}}))
		wantNotFound(t, db, "lovelace", f.contact.ID)
		wantNotFound(t, db, "ada@example.com", f.contact.ID)
		wantNotFound(t, db, "vip", f.contact.ID)
		wantFound(t, db, "augusta", f.contact.ID)
		wantFound(t, db, "byron", f.contact.ID)
		wantFound(t, db, "mathematic", f.contact.ID)
		// the deal shows its contact's name
		wantNotFound(t, db, "lovelace", f.deal.ID)
		wantFound(t, db, "augusta king", f.deal.ID)
		checkHealthy(t, db)
	})
	t.Run("RenameCompany", func(t *testing.T) {
		must[*store.Company](t)(db.UpdateCompany(ctx, f.company.ID, store.CompanyUpdate{Name: ptr("Difference Works")}))
		wantNotFound(t, db, "analytical", f.contact.ID)
		wantNotFound(t, db, "analytical", f.company.ID)
		wantFound(t, db, "difference works", f.contact.ID)
		wantFound(t, db, "works", f.company.ID)
		wantFound(t, db, "works", f.deal.ID)
		checkHealthy(t, db)
	})
	t.Run("MoveContactToAnotherCompany", func(t *testing.T) {
		must[*store.Contact](t)(db.UpdateContact(ctx, f.contact.ID, store.ContactUpdate{Company: ptr("Jacquard Looms")}))
		wantFound(t, db, "jacquard", f.contact.ID)
		wantNotFound(t, db, "works", f.contact.ID)
	})
	t.Run("DeleteAndRestore", func(t *testing.T) {
		for _, tc := range []struct {
			name, q, id     string
			delete, restore func() error
		}{
			{"contact", "augusta", f.contact.ID, func() error { return db.DeleteContact(ctx, f.contact.ID) }, func() error { return db.RestoreContact(ctx, f.contact.ID) }},
			{"company", "works", f.company.ID, func() error { return db.DeleteCompany(ctx, f.company.ID) }, func() error { return db.RestoreCompany(ctx, f.company.ID) }},
			{"deal", "differ", f.deal.ID, func() error { return db.DeleteDeal(ctx, f.deal.ID) }, func() error { return db.RestoreDeal(ctx, f.deal.ID) }},
			{"follow-up", "notes", f.followUp.ID, func() error { return db.DeleteFollowUp(ctx, f.followUp.ID) }, func() error { return db.RestoreFollowUp(ctx, f.followUp.ID) }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantFound(t, db, tc.q, tc.id)
				noErr(t, tc.delete())
				wantNotFound(t, db, tc.q, tc.id)
				checkHealthy(t, db)
				noErr(t, tc.restore())
				wantFound(t, db, tc.q, tc.id)
				checkHealthy(t, db)
			})
		}
	})
	t.Run("AmendAndRedact", func(t *testing.T) {
		a := must[*store.Interaction](t)(db.AmendInteraction(ctx, f.entry.ID, "Discussed the Jacquard cards"))
		wantNotFound(t, db, "bernoulli", f.entry.ID)
		wantFound(t, db, "jacquard cards", a.ID)
		checkHealthy(t, db)
		noErr(t, db.RedactInteraction(ctx, a.ID))
		wantNotFound(t, db, "cards", a.ID)
		checkHealthy(t, db)
		must[*store.Undone](t)(db.Undo(ctx)) // the amended text is back, in a copy
		if hits := must[[]store.Hit](t)(db.Search(ctx, "jacquard cards", 0)); len(hits) != 1 || hits[0].Entity != store.EntityInteraction {
			t.Errorf("hits after undoing the removal = %+v", hits)
		}
		must[*store.Undone](t)(db.Undo(ctx)) // the amendment is gone, the original text is back, in a copy
		if hits := must[[]store.Hit](t)(db.Search(ctx, "bernoulli", 0)); len(hits) != 1 || hits[0].Entity != store.EntityInteraction {
			t.Errorf("hits after undoing the amendment = %+v", hits)
		}
		if hits := must[[]store.Hit](t)(db.Search(ctx, "cards", 0)); len(hits) != 0 {
			t.Errorf("hits for the undone amendment = %+v", hits)
		}
		checkHealthy(t, db)
	})
	t.Run("UndoEdits", func(t *testing.T) {
		c := must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{Name: "Undo Search"}))
		must[*store.Contact](t)(db.UpdateContact(ctx, c.ID, store.ContactUpdate{Name: ptr("Renamed Person")}))
		wantFound(t, db, "renamed", c.ID)
		must[*store.Undone](t)(db.Undo(ctx))
		wantFound(t, db, "undo search", c.ID)
		wantNotFound(t, db, "renamed", c.ID)
		must[*store.Undone](t)(db.Undo(ctx))
		wantNotFound(t, db, "undo search", c.ID)
		checkHealthy(t, db)
	})
	t.Run("RebuildSearch", func(t *testing.T) {
		// a rebuilt index answers like the one kept current write by write
		queries := []string{"augusta", "jacquard", "works", "differ", "bernoulli", "notes", "zzz"}
		var before []string
		for _, q := range queries {
			before = append(before, fmt.Sprint(must[[]store.Hit](t)(db.Search(ctx, q, 0))))
		}
		noErr(t, db.RebuildSearch(ctx))
		for i, q := range queries {
			if got := fmt.Sprint(must[[]store.Hit](t)(db.Search(ctx, q, 0))); got != before[i] {
				t.Errorf("search %q after rebuild:\n got %s\nwant %s", q, got, before[i])
			}
		}
		checkHealthy(t, db)
	})
	t.Run("FindContactsQuery", func(t *testing.T) {
		list, n := must2[[]store.Contact, int](t)(db.FindContacts(ctx, store.ContactFilter{Query: "aug"}))
		if n != 1 || list[0].ID != f.contact.ID {
			t.Errorf("FindContacts(aug) = %d", n)
		}
		_, n = must2[[]store.Company, int](t)(db.FindCompanies(ctx, store.CompanyFilter{Query: "diff wor"}))
		if n != 1 {
			t.Errorf("FindCompanies(diff wor) = %d", n)
		}
	})
	_ = time.Second
}

// TestDB_SearchTimelinePrefix: a word typed as a prefix is looked up in the timeline as
// the words that start with it, newest entries first across all of them, and the words of
// new, amended and bulk-loaded entries are known to the search.
func TestDB_SearchTimelinePrefix(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	db := f.db
	logAt := func(text string, at time.Time) *store.Interaction {
		t.Helper()
		return must[*store.Interaction](t)(db.LogInteraction(ctx, store.InteractionInput{Kind: "note", Text: text, ContactID: f.contact.ID, OccurredAt: at}))
	}
	oldest := logAt("Sent the price list", t0.Add(-3*time.Hour))
	middle := logAt("Pricing call with Zoë, went well", t0.Add(-2*time.Hour))
	newest := logAt("Prices agreed; contract next", t0.Add(-time.Hour))
	other := logAt("Printed the proposal", t0.Add(-30*time.Minute))

	timeline := func(q string) []string {
		t.Helper()
		var ids []string
		for _, h := range must[[]store.Hit](t)(db.Search(ctx, q, 0)) {
			if h.Entity == store.EntityInteraction {
				ids = append(ids, h.ID)
			}
		}
		return ids
	}
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"pric", []string{newest.ID, middle.ID, oldest.ID}}, // price, pricing, prices: newest first
		{"pricing", []string{middle.ID}},
		{"PRICE", []string{newest.ID, oldest.ID}},
		{"pr", []string{other.ID, newest.ID, middle.ID, oldest.ID}}, // the prefix index
		{"zoe", []string{middle.ID}},                                // Zoë, without the diaeresis
		{"ZOË", []string{middle.ID}},
		{"pric call", []string{middle.ID}},
		{"prices contract", []string{newest.ID}},
		{"p", nil},   // one letter says nothing about a conversation
		{"zzz", nil}, // no word starts so
	} {
		if got := timeline(tc.q); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("timeline hits for %q = %v, want %v", tc.q, got, tc.want)
		}
	}

	t.Run("Amended", func(t *testing.T) {
		amended := must[*store.Interaction](t)(db.AmendInteraction(ctx, other.ID, "Printed the quotation"))
		if got := timeline("quot"); fmt.Sprint(got) != fmt.Sprint([]string{amended.ID}) {
			t.Errorf("after amending, %q finds %v, want the amendment %s", "quot", got, amended.ID)
		}
	})
	t.Run("Bulk", func(t *testing.T) {
		err := db.Bulk(ctx, "load", func(b *store.Bulk) error {
			return b.Create(store.EntityInteraction, "", store.Fields{"kind": "note", "text": "Xylophonist referral",
				"occurred_at": t0.Format(time.RFC3339), "contact_id": f.contact.ID})
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := timeline("xylo"); len(got) != 1 {
			t.Errorf("after a bulk load, %q finds %v", "xylo", got)
		}
	})
	checkHealthy(t, db)
}

// TestDB_SearchPhrase: words joined by punctuation (an address, a phone, a hyphenated
// name) must be adjacent, with the last one a prefix.
func TestDB_SearchPhrase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := mustOpen(t)
	ann := must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{Name: "Ann Lee", Emails: []store.Email{{Email: "ann.lee@acme.com"}}}))
	other := must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{Name: "Lee Ann Smith", Company: "Acme",
		Emails: []store.Email{{Email: "lee.ann@acme.com"}}}))
	hyphen := must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{Name: "Jean-Luc Picard"}))
	wantFound(t, db, "ann.lee@acme.com", ann.ID)
	wantNotFound(t, db, "ann.lee@acme.com", other.ID)
	wantFound(t, db, "ann.lee@ac", ann.ID) // typed halfway
	wantFound(t, db, "ann lee", other.ID)  // separate words still match anywhere
	wantFound(t, db, "jean-luc", hyphen.ID)
	wantFound(t, db, "jean-l", hyphen.ID)
	wantNotFound(t, db, "luc-jean", hyphen.ID)
}

// TestDB_SearchAfterBulk: after a bulk load (demo, import) every contact is found by its
// own name, not another's: the search rows point at the right records.
func TestDB_SearchAfterBulk(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := mustOpen(t)
	must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{Name: "Existing Person"}))
	names := []string{"Aarav Demir", "Jordi Lewis", "Hélène Hall", "Mia Ricci", "Søren Kaas", "Zoë Quist"}
	ids := map[string]string{}
	err := db.Bulk(ctx, "load", func(b *store.Bulk) error {
		for i, n := range names {
			first, last, _ := strings.Cut(n, " ")
			id := fmt.Sprintf("01a00000-0000-7000-8000-%012d", i+1)
			ids[n] = id
			if err := b.Create(store.EntityContact, id, store.Fields{"first_name": first, "last_name": last, "name": n}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		hits := must[[]store.Hit](t)(db.Search(ctx, n, 0))
		if len(hits) != 1 || hits[0].ID != ids[n] || hits[0].Title != n {
			t.Errorf("search %q after a bulk load = %+v, want only %s", n, hits, ids[n])
		}
	}
	checkHealthy(t, db)
}
