package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
)

// mergeFixture holds two contacts that are one person, each with a timeline entry, a
// deal and a follow-up, and a bystander.
type mergeFixture struct {
	db                  *store.DB
	clk                 *fakeClock
	acme, globex        *store.Company
	keep, other, bystan *store.Contact
	otherEntry          *store.Interaction
	otherDeal           *store.Deal
	otherFU             *store.FollowUp
}

func newMergeFixture(t *testing.T) *mergeFixture {
	t.Helper()
	ctx := context.Background()
	db, clk := openClock(t)
	f := &mergeFixture{db: db, clk: clk}
	f.acme = must[*store.Company](t)(db.CreateCompany(ctx, store.CompanyInput{Name: "Acme", Domain: "acme.example"}))
	f.globex = must[*store.Company](t)(db.CreateCompany(ctx, store.CompanyInput{Name: "Globex"}))
	f.keep = must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{
		Name: "Robert Smith", Company: f.acme.ID,
		Emails: []store.Email{{Email: "rob@acme.example", Label: "work"}},
		Phones: []store.Phone{{Phone: "+1 312 555 0100", Label: "work"}},
		Tags:   []string{"vip"}, Notes: "Met at the fair.",
	}))
	clk.Add(time.Hour)
	f.other = must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{
		Name: "Bob Smith", Title: "CTO", Company: f.globex.ID, Source: "referral",
		Emails: []store.Email{{Email: "ROB@acme.example"}, {Email: "bob@home.example", Label: "home"}},
		Phones: []store.Phone{{Phone: "(312) 555-0199", Label: "mobile"}},
		Tags:   []string{"vip", "golf"}, Notes: "Plays golf.", CadenceDays: 30,
	}))
	f.bystan = must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{Name: "Carol Jones", Company: f.acme.ID}))
	must[*store.Interaction](t)(db.LogInteraction(ctx, store.InteractionInput{Kind: "call", Text: "Robert called", ContactID: f.keep.ID}))
	clk.Add(time.Hour)
	f.otherEntry = must[*store.Interaction](t)(db.LogInteraction(ctx, store.InteractionInput{Kind: "meeting", Text: "Lunch with Bob", ContactID: f.other.ID}))
	f.otherDeal = must[*store.Deal](t)(db.CreateDeal(ctx, store.DealInput{Title: "Bob's upgrade", ContactID: f.other.ID, Value: 5000}))
	f.otherFU = must[*store.FollowUp](t)(db.AddFollowUp(ctx, store.FollowUpInput{Title: "Call Bob back", DueAt: t0.Add(48 * time.Hour), ContactID: f.other.ID}))
	clk.Add(time.Hour)
	return f
}

// contactState renders everything a contact shows: its fields (but not updated_at,
// which every write moves), its timeline, deals and follow-ups.
func contactState(t *testing.T, db *store.DB, id string) string {
	t.Helper()
	ctx := context.Background()
	c := must[*store.Contact](t)(db.FindContactByID(ctx, id))
	c.UpdatedAt = time.Time{}
	b, _ := json.Marshal(c)
	var s strings.Builder
	s.Write(b)
	for _, e := range must[[]store.Interaction](t)(db.Timeline(ctx, store.TimelineFilter{ContactID: id})) {
		fmt.Fprintf(&s, "\n  entry %s %q", e.ID, e.Text)
	}
	deals, _ := must2[[]store.Deal, int](t)(db.FindDeals(ctx, store.DealFilter{ContactID: id, All: true}))
	for _, d := range deals {
		fmt.Fprintf(&s, "\n  deal %s %q", d.ID, d.Title)
	}
	fus, _ := must2[[]store.FollowUp, int](t)(db.FindFollowUps(ctx, store.FollowUpFilter{ContactID: id, All: true}))
	for _, f := range fus {
		fmt.Fprintf(&s, "\n  follow-up %s %q", f.ID, f.Title)
	}
	return s.String()
}

func TestDB_MergeRecords(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("Contacts", func(t *testing.T) {
		t.Parallel()
		f := newMergeFixture(t)
		db := f.db
		plan := must[*store.Merge](t)(db.PlanMerge(ctx, f.keep.ID, f.other.ID))
		m := must[*store.Merge](t)(db.MergeRecords(ctx, f.keep.ID, f.other.ID))
		if m.Group == "" || plan.Group != "" {
			t.Errorf("group: plan %q, merge %q", plan.Group, m.Group)
		}
		if !slices.Equal(plan.Taken, m.Taken) {
			t.Errorf("the plan said %q, the merge took %q", plan.Taken, m.Taken)
		}
		wantTaken := []string{`title "CTO"`, "email bob@home.example", "phone (312) 555-0199", `source "referral"`, "notes (appended)", "tag golf", "cadence 30 days"}
		if !slices.Equal(m.Taken, wantTaken) {
			t.Errorf("taken = %q, want %q", m.Taken, wantTaken)
		}
		var conflicts []string
		for _, c := range m.Conflicts {
			conflicts = append(conflicts, c.Field+": "+c.Kept+" / "+c.Other)
		}
		if want := []string{"name: Robert Smith / Bob Smith", "company: Acme / Globex"}; !slices.Equal(conflicts, want) {
			t.Errorf("conflicts = %q, want %q", conflicts, want)
		}

		got := must[*store.Contact](t)(db.FindContactByID(ctx, f.keep.ID))
		if got.Name != "Robert Smith" || got.Title != "CTO" || got.CompanyID != f.acme.ID || got.CadenceDays != 30 || got.Source != "referral" {
			t.Errorf("survivor = %+v", got)
		}
		if want := []store.Email{{Email: "rob@acme.example", Label: "work"}, {Email: "bob@home.example", Label: "home"}}; !slices.Equal(got.Emails, want) {
			t.Errorf("emails = %+v", got.Emails)
		}
		if len(got.Phones) != 2 || got.Phones[1].Phone != "(312) 555-0199" {
			t.Errorf("phones = %+v", got.Phones)
		}
		if !slices.Equal(got.Tags, []string{"golf", "vip"}) || got.Notes != "Met at the fair.\n\nPlays golf." {
			t.Errorf("tags %q notes %q", got.Tags, got.Notes)
		}
		absorbed := must[*store.Contact](t)(db.FindContactByID(ctx, f.other.ID))
		if absorbed.MergedInto != f.keep.ID || absorbed.Title != "CTO" || len(absorbed.Emails) != 2 {
			t.Errorf("absorbed = %+v", absorbed)
		}

		// Children stay where they are and show under the survivor.
		if tl := timelineTexts(t, db, store.TimelineFilter{ContactID: f.keep.ID}); !slices.Equal(tl, []string{"Lunch with Bob", "Robert called"}) {
			t.Errorf("survivor's timeline = %q", tl)
		}
		deals, n := must2[[]store.Deal, int](t)(db.FindDeals(ctx, store.DealFilter{ContactID: f.keep.ID}))
		if n != 1 || deals[0].ID != f.otherDeal.ID || deals[0].ContactID != f.other.ID {
			t.Errorf("survivor's deals = %d %+v", n, deals)
		}
		fus, n := must2[[]store.FollowUp, int](t)(db.FindFollowUps(ctx, store.FollowUpFilter{ContactID: f.keep.ID}))
		if n != 1 || fus[0].ID != f.otherFU.ID {
			t.Errorf("survivor's follow-ups = %d %+v", n, fus)
		}
		if got.LastTouchedAt == nil || !got.LastTouchedAt.Equal(f.otherEntry.OccurredAt) {
			t.Errorf("survivor last touched %v, want the absorbed record's latest entry %v", got.LastTouchedAt, f.otherEntry.OccurredAt)
		}

		// Lists, counts and search see one person.
		list, n := must2[[]store.Contact, int](t)(db.FindContacts(ctx, store.ContactFilter{}))
		if n != 2 || slices.ContainsFunc(list, func(c store.Contact) bool { return c.ID == f.other.ID }) {
			t.Errorf("list = %d contacts", n)
		}
		if c := must[store.Counts](t)(db.Count(ctx)); c.Contacts != 2 {
			t.Errorf("count = %+v", c)
		}
		if found(t, db, "Bob", f.other.ID) || !found(t, db, "bob@home", f.keep.ID) {
			t.Errorf("search: the absorbed record is found, or the survivor is not found by its new email")
		}
		// Acme's list of contacts: Robert and Carol, counted once.
		co := must[*store.Company](t)(db.FindCompanyByID(ctx, f.acme.ID))
		if co.Contacts != 2 {
			t.Errorf("Acme has %d contacts", co.Contacts)
		}

		// A reference to the absorbed record lands on the survivor, and says so.
		for _, ref := range []string{"Bob Smith", store.ShortID(f.other.ID), f.other.ID, "bob@home.example", "rob@acme.example"} {
			c, err := db.Resolve(ctx, ref, store.ResolveOptions{Kinds: []string{store.EntityContact}})
			if err != nil || c.ID != f.keep.ID {
				t.Errorf("resolve %q = %+v, %v", ref, c, err)
			}
			if ref == "Bob Smith" && (c.Via == nil || c.Via.ID != f.other.ID) {
				t.Errorf("resolve %q: via = %+v", ref, c.Via)
			}
		}
		if c := must[store.Candidate](t)(db.Resolve(ctx, f.other.ID, store.ResolveOptions{Merged: true})); c.ID != f.other.ID {
			t.Errorf("resolve with Merged = %+v", c)
		}

		// History of the survivor shows the merge.
		var summaries []string
		for _, h := range must[[]store.Change](t)(db.History(ctx, f.keep.ID)) {
			summaries = append(summaries, h.EntityID[:4]+" "+h.Summary)
		}
		if !slices.ContainsFunc(summaries, func(s string) bool { return strings.HasSuffix(s, "merge contact Bob Smith into Robert Smith") }) {
			t.Errorf("history = %q", summaries)
		}
		checkHealthy(t, db)
	})
	t.Run("Undo", func(t *testing.T) {
		t.Parallel()
		f := newMergeFixture(t)
		before := view(t, f.db)
		keep, other := contactState(t, f.db, f.keep.ID), contactState(t, f.db, f.other.ID)
		must[*store.Merge](t)(f.db.MergeRecords(ctx, f.keep.ID, f.other.ID))
		u := must[*store.Undone](t)(f.db.Undo(ctx))
		if u.Summary != "merge contact Bob Smith into Robert Smith" {
			t.Errorf("undid %q", u.Summary)
		}
		if after := view(t, f.db); after != before {
			t.Errorf("undo of a merge:\n%s", diffLines(before, after))
		}
		if got := contactState(t, f.db, f.keep.ID); got != keep {
			t.Errorf("survivor after undo:\n%s", diffLines(keep, got))
		}
		if got := contactState(t, f.db, f.other.ID); got != other {
			t.Errorf("absorbed after undo:\n%s", diffLines(other, got))
		}
		checkHealthy(t, f.db)
	})
	t.Run("Companies", func(t *testing.T) {
		t.Parallel()
		f := newMergeFixture(t)
		db := f.db
		dup := must[*store.Company](t)(db.CreateCompany(ctx, store.CompanyInput{Name: "ACME Inc", Phone: "+1 312 555 0000", Tags: []string{"partner"}}))
		dan := must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{Name: "Dan Brown", Company: dup.ID}))
		deal := must[*store.Deal](t)(db.CreateDeal(ctx, store.DealInput{Title: "ACME rollout", Company: dup.ID}))
		must[*store.Interaction](t)(db.LogInteraction(ctx, store.InteractionInput{Kind: "note", Text: "ACME note", CompanyID: dup.ID}))
		m := must[*store.Merge](t)(db.MergeRecords(ctx, f.acme.ID, dup.ID))
		if want := []string{`phone "+1 312 555 0000"`, "tag partner"}; !slices.Equal(m.Taken, want) {
			t.Errorf("taken = %q", m.Taken)
		}
		co := must[*store.Company](t)(db.FindCompanyByID(ctx, f.acme.ID))
		if co.Contacts != 3 || co.Phone != "+1 312 555 0000" {
			t.Errorf("survivor = %+v", co)
		}
		list, n := must2[[]store.Contact, int](t)(db.FindContacts(ctx, store.ContactFilter{CompanyID: f.acme.ID}))
		if n != 3 || !slices.ContainsFunc(list, func(c store.Contact) bool { return c.ID == dan.ID }) {
			t.Errorf("Acme's contacts: %d", n)
		}
		deals, _ := must2[[]store.Deal, int](t)(db.FindDeals(ctx, store.DealFilter{CompanyID: f.acme.ID}))
		if len(deals) != 1 || deals[0].ID != deal.ID {
			t.Errorf("Acme's deals = %+v", deals)
		}
		if tl := timelineTexts(t, db, store.TimelineFilter{CompanyID: f.acme.ID}); !slices.Contains(tl, "ACME note") {
			t.Errorf("Acme's timeline = %q", tl)
		}
		if c := must[store.Counts](t)(db.Count(ctx)); c.Companies != 2 {
			t.Errorf("count = %+v", c)
		}
		companies, _ := must2[[]store.Company, int](t)(db.FindCompanies(ctx, store.CompanyFilter{}))
		total := 0
		for _, c := range companies {
			total += c.Contacts
		}
		if total != 4 {
			t.Errorf("the companies list counts %d contacts, want 4 (each once)", total)
		}
		checkHealthy(t, db)
	})
	t.Run("Refused", func(t *testing.T) {
		t.Parallel()
		f := newMergeFixture(t)
		db := f.db
		deleted := must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{Name: "Gone Person"}))
		noErr(t, db.DeleteContact(ctx, deleted.ID))
		third := must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{Name: "Third Person"}))
		must[*store.Merge](t)(db.MergeRecords(ctx, f.keep.ID, third.ID))
		deal := f.otherDeal
		for _, tc := range []struct {
			name, keep, other, want string
			err                     error
		}{
			{"Itself", f.keep.ID, f.keep.ID, "cannot merge a record into itself", store.ErrInvalid},
			{"IntoDeleted", deleted.ID, f.other.ID, `contact "Gone Person" is deleted; restore it before merging`, store.ErrInvalid},
			{"Deleted", f.other.ID, deleted.ID, `contact "Gone Person" is deleted`, store.ErrInvalid},
			{"CrossKind", f.keep.ID, f.acme.ID, `cannot merge company "Acme" into contact "Robert Smith": both must be contacts or both companies`, store.ErrInvalid},
			{"Deal", deal.ID, f.other.ID, "only contacts and companies can be merged, not deals", store.ErrInvalid},
			{"AlreadyMerged", f.other.ID, third.ID, `contact "Third Person" is already merged into "Robert Smith"`, store.ErrInvalid},
			{"IntoMerged", third.ID, f.other.ID, `contact "Third Person" is already merged`, store.ErrInvalid},
			{"Unknown", f.keep.ID, store.NewID(), "not found", store.ErrNotFound},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := dump(t, db)
				_, err := db.MergeRecords(ctx, tc.keep, tc.other)
				if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("err = %v, want %v saying %q", err, tc.err, tc.want)
				}
				if _, err := db.PlanMerge(ctx, tc.keep, tc.other); !errors.Is(err, tc.err) {
					t.Errorf("plan: err = %v", err)
				}
				assertUnchanged(t, db, before)
			})
		}
	})
}

func TestDB_Unmerge(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("Exact", func(t *testing.T) {
		t.Parallel()
		f := newMergeFixture(t)
		db := f.db
		keep, other := contactState(t, db, f.keep.ID), contactState(t, db, f.other.ID)
		before := view(t, db)
		must[*store.Merge](t)(db.MergeRecords(ctx, f.keep.ID, f.other.ID))
		// An edit of a field the merge did not touch survives the unmerge.
		f.clk.Add(time.Minute)
		must[*store.Contact](t)(db.UpdateContact(ctx, f.bystan.ID, store.ContactUpdate{Title: ptr("Buyer")}))
		u := must[*store.Unmerged](t)(db.Unmerge(ctx, f.other.ID))
		if u.ID != f.other.ID || u.SurvivorID != f.keep.ID || !slices.Equal(u.Restored, []string{"cadence_days", "emails", "notes", "phones", "source", "tag golf", "title"}) {
			t.Errorf("unmerged = %+v", u)
		}
		if got := contactState(t, db, f.keep.ID); got != keep {
			t.Errorf("survivor after unmerge:\n%s", diffLines(keep, got))
		}
		if got := contactState(t, db, f.other.ID); got != other {
			t.Errorf("absorbed after unmerge:\n%s", diffLines(other, got))
		}
		if after := view(t, db); strings.Count(after, "contact {") != 3 || !strings.Contains(after, "Title:Buyer") {
			t.Errorf("after unmerge:\n%s", diffLines(before, after))
		}
		// History shows both.
		var summaries []string
		for _, h := range must[[]store.Change](t)(db.History(ctx, f.other.ID)) {
			summaries = append(summaries, h.Summary)
		}
		for _, want := range []string{"merge contact Bob Smith into Robert Smith", "unmerge contact Bob Smith from Robert Smith"} {
			if !slices.Contains(summaries, want) {
				t.Errorf("history lacks %q: %q", want, summaries)
			}
		}
		if _, err := db.Unmerge(ctx, f.other.ID); !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), "not merged") {
			t.Errorf("second unmerge: %v", err)
		}
		checkHealthy(t, db)
	})
	t.Run("BySurvivor", func(t *testing.T) {
		t.Parallel()
		f := newMergeFixture(t)
		must[*store.Merge](t)(f.db.MergeRecords(ctx, f.keep.ID, f.other.ID))
		u := must[*store.Unmerged](t)(f.db.Unmerge(ctx, f.keep.ID))
		if u.ID != f.other.ID {
			t.Errorf("unmerged %+v", u)
		}
		must[*store.Merge](t)(f.db.MergeRecords(ctx, f.keep.ID, f.other.ID))
		must[*store.Merge](t)(f.db.MergeRecords(ctx, f.keep.ID, f.bystan.ID))
		var amb *store.AmbiguousError
		if _, err := f.db.Unmerge(ctx, f.keep.ID); !errors.As(err, &amb) || len(amb.Candidates) != 2 {
			t.Errorf("unmerge of a survivor of two merges: %v", err)
		}
	})
	t.Run("RefusesAfterEdit", func(t *testing.T) {
		t.Parallel()
		f := newMergeFixture(t)
		db := f.db
		must[*store.Merge](t)(db.MergeRecords(ctx, f.keep.ID, f.other.ID))
		must[*store.Contact](t)(db.UpdateContact(ctx, f.keep.ID, store.ContactUpdate{AddEmails: []store.Email{{Email: "new@acme.example"}}, Title: ptr("CEO")}))
		before := dump(t, db)
		_, err := db.Unmerge(ctx, f.other.ID)
		if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), "the emails, title of \"Robert Smith\" changed after the merge") {
			t.Errorf("err = %v", err)
		}
		assertUnchanged(t, db, before)
		// Put back as merged, the fields can be restored exactly again.
		must[*store.Contact](t)(db.UpdateContact(ctx, f.keep.ID, store.ContactUpdate{RemoveEmails: []string{"new@acme.example"}, Title: ptr("CTO")}))
		// A taken tag removed since is already as it was: that is no obstacle.
		must[*store.Contact](t)(db.UpdateContact(ctx, f.keep.ID, store.ContactUpdate{RemoveTags: []string{"golf"}}))
		u := must[*store.Unmerged](t)(db.Unmerge(ctx, f.other.ID))
		if slices.Contains(u.Restored, "tag golf") {
			t.Errorf("restored %q", u.Restored)
		}
	})
	t.Run("Transitive", func(t *testing.T) {
		t.Parallel()
		f := newMergeFixture(t)
		db := f.db
		// other → bystander, then bystander → keep: keep shows all three.
		must[*store.Interaction](t)(db.LogInteraction(ctx, store.InteractionInput{Kind: "note", Text: "Carol note", ContactID: f.bystan.ID}))
		must[*store.Merge](t)(db.MergeRecords(ctx, f.bystan.ID, f.other.ID))
		must[*store.Merge](t)(db.MergeRecords(ctx, f.keep.ID, f.bystan.ID))
		if tl := timelineTexts(t, db, store.TimelineFilter{ContactID: f.keep.ID}); len(tl) != 3 {
			t.Errorf("timeline = %q", tl)
		}
		deals, _ := must2[[]store.Deal, int](t)(db.FindDeals(ctx, store.DealFilter{ContactID: f.keep.ID}))
		fus, _ := must2[[]store.FollowUp, int](t)(db.FindFollowUps(ctx, store.FollowUpFilter{ContactID: f.keep.ID}))
		if len(deals) != 1 || len(fus) != 1 {
			t.Errorf("deals %d, follow-ups %d", len(deals), len(fus))
		}
		for _, ref := range []string{f.other.ID, "Bob Smith", "Carol Jones"} {
			if c := must[store.Candidate](t)(db.Resolve(ctx, ref, store.ResolveOptions{})); c.ID != f.keep.ID {
				t.Errorf("resolve %q = %+v", ref, c)
			}
		}
		if s := must[string](t)(db.Survivor(ctx, store.EntityContact, f.other.ID)); s != f.keep.ID {
			t.Errorf("survivor = %s", s)
		}
		keep := must[*store.Contact](t)(db.FindContactByID(ctx, f.keep.ID))
		if keep.LastTouchedAt == nil || !keep.LastTouchedAt.Equal(f.otherEntry.OccurredAt.Add(time.Hour)) && !keep.LastTouchedAt.After(f.otherEntry.OccurredAt) {
			t.Errorf("last touched = %v", keep.LastTouchedAt)
		}
		// The inner merge cannot be undone while its survivor is merged itself.
		_, err := db.Unmerge(ctx, f.other.ID)
		if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), "unmerge Carol Jones") {
			t.Errorf("err = %v", err)
		}
		must[*store.Unmerged](t)(db.Unmerge(ctx, f.bystan.ID))
		must[*store.Unmerged](t)(db.Unmerge(ctx, f.other.ID))
		if tl := timelineTexts(t, db, store.TimelineFilter{ContactID: f.keep.ID}); len(tl) != 1 {
			t.Errorf("timeline after unmerges = %q", tl)
		}
		checkHealthy(t, db)
	})
}

func TestDB_CheckMerges(t *testing.T) {
	t.Parallel()
	f := newMergeFixture(t)
	execSQL(t, f.db, "UPDATE contacts SET merged_into = ? WHERE id = ?", f.other.ID, f.keep.ID)
	execSQL(t, f.db, "UPDATE contacts SET merged_into = ? WHERE id = ?", f.keep.ID, f.other.ID)
	execSQL(t, f.db, "UPDATE companies SET merged_into = 'nowhere' WHERE id = ?", f.globex.ID)
	probs := must[[]store.Problem](t)(f.db.Check(context.Background()))
	var all []string
	for _, p := range probs {
		all = append(all, p.Check+": "+p.Detail)
	}
	for _, want := range []string{"merges: 2 records merged into themselves through a cycle of merges",
		"merges: 1 records merged into a record that does not exist"} {
		if !slices.ContainsFunc(all, func(s string) bool { return strings.HasPrefix(s, want) }) {
			t.Errorf("check = %q, want %q", all, want)
		}
	}
	// Reads stay finite on a cycle.
	if tl := timelineTexts(t, f.db, store.TimelineFilter{ContactID: f.keep.ID}); len(tl) != 2 {
		t.Errorf("timeline on a cycle = %q", tl)
	}
	if _, err := f.db.Survivor(context.Background(), store.EntityContact, f.keep.ID); err == nil {
		t.Errorf("survivor of a cycle: no error")
	}
}
