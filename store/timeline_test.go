package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
)

func timelineTexts(t *testing.T, db *store.DB, f store.TimelineFilter) []string {
	t.Helper()
	out := []string{}
	for _, e := range must[[]store.Interaction](t)(db.Timeline(context.Background(), f)) {
		out = append(out, e.Text)
	}
	return out
}

func lastTouched(t *testing.T, db *store.DB, id string) *time.Time {
	t.Helper()
	return must[*store.Contact](t)(db.FindContactByID(context.Background(), id)).LastTouchedAt
}

func TestDB_LogInteraction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		if lt := lastTouched(t, f.db, f.contact.ID); lt == nil || !lt.Equal(t0) {
			t.Fatalf("last touched after the fixture's call = %v", lt)
		}
		// an older entry does not move last-touched back
		old := must[*store.Interaction](t)(f.db.LogInteraction(ctx, store.InteractionInput{Kind: "meeting", Text: " Met at the Royal Society ",
			ContactID: f.contact.ID, OccurredAt: t0.Add(-48 * time.Hour)}))
		if old.Text != "Met at the Royal Society" || old.CompanyID != f.company.ID || old.Company != "Analytical Engines" ||
			old.Contact != "Ada Lovelace" || old.Owner != "tester" || !old.OccurredAt.Equal(t0.Add(-48*time.Hour)) {
			t.Errorf("entry = %+v", old)
		}
		if lt := lastTouched(t, f.db, f.contact.ID); !lt.Equal(t0) {
			t.Errorf("last touched moved back to %v", lt)
		}
		// a newer entry moves it forward
		f.clk.Add(time.Hour)
		must[*store.Interaction](t)(f.db.LogInteraction(ctx, store.InteractionInput{Kind: "email", Text: "Sent notes", ContactID: f.contact.ID}))
		if lt := lastTouched(t, f.db, f.contact.ID); !lt.Equal(t0.Add(time.Hour)) {
			t.Errorf("last touched = %v", lt)
		}
		// logged on a deal: the deal's contact and company are linked too
		e := must[*store.Interaction](t)(f.db.LogInteraction(ctx, store.InteractionInput{Kind: "note", Text: "Budget approved", DealID: f.deal.ID}))
		if e.ContactID != f.contact.ID || e.CompanyID != f.company.ID || e.Deal != "Difference engine" {
			t.Errorf("deal entry = %+v", e)
		}
		// logged on a company alone
		must[*store.Interaction](t)(f.db.LogInteraction(ctx, store.InteractionInput{Kind: "message", Text: "Newsletter", CompanyID: f.company.ID}))
		if got := timelineTexts(t, f.db, store.TimelineFilter{ContactID: f.contact.ID}); len(got) != 4 ||
			got[0] != "Budget approved" || got[3] != "Met at the Royal Society" {
			t.Errorf("contact timeline = %q", got)
		}
		if got := timelineTexts(t, f.db, store.TimelineFilter{CompanyID: f.company.ID}); len(got) != 5 {
			t.Errorf("company timeline = %q", got)
		}
		if got := timelineTexts(t, f.db, store.TimelineFilter{DealID: f.deal.ID}); len(got) != 1 {
			t.Errorf("deal timeline = %q", got)
		}
		checkHealthy(t, f.db)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		for _, tc := range []struct {
			name string
			in   store.InteractionInput
			want error
		}{
			{"kind", store.InteractionInput{Kind: "lunch", Text: "x", ContactID: f.contact.ID}, store.ErrInvalid},
			{"system kind", store.InteractionInput{Kind: "stage_change", Text: "x", ContactID: f.contact.ID}, store.ErrInvalid},
			{"no text", store.InteractionInput{Kind: "call", Text: "  ", ContactID: f.contact.ID}, store.ErrInvalid},
			{"long text", store.InteractionInput{Kind: "call", Text: long64k, ContactID: f.contact.ID}, store.ErrInvalid},
			{"no link", store.InteractionInput{Kind: "call", Text: "x"}, store.ErrInvalid},
			{"far future", store.InteractionInput{Kind: "call", Text: "x", ContactID: f.contact.ID, OccurredAt: t0.AddDate(2, 0, 0)}, store.ErrInvalid},
			{"unknown contact", store.InteractionInput{Kind: "call", Text: "x", ContactID: store.NewID()}, store.ErrNotFound},
			{"unknown deal", store.InteractionInput{Kind: "call", Text: "x", DealID: store.NewID()}, store.ErrNotFound},
			{"unknown company", store.InteractionInput{Kind: "call", Text: "x", CompanyID: store.NewID()}, store.ErrNotFound},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := dump(t, f.db)
				_, err := f.db.LogInteraction(ctx, tc.in)
				wantErr(t, err, tc.want)
				assertUnchanged(t, f.db, before)
			})
		}
	})
}

func TestDB_RedactInteraction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		older := must[*store.Interaction](t)(f.db.LogInteraction(ctx, store.InteractionInput{Kind: "note", Text: "older", ContactID: f.contact.ID, OccurredAt: t0.Add(-time.Hour)}))
		noErr(t, f.db.RedactInteraction(ctx, f.entry.ID))
		if got := timelineTexts(t, f.db, store.TimelineFilter{ContactID: f.contact.ID}); len(got) != 1 || got[0] != "older" {
			t.Errorf("timeline after redaction = %q", got)
		}
		if lt := lastTouched(t, f.db, f.contact.ID); lt == nil || !lt.Equal(older.OccurredAt) {
			t.Errorf("last touched = %v, want the older entry's %v", lt, older.OccurredAt)
		}
		// the entry stays in the file
		if e := must[*store.Interaction](t)(f.db.FindInteractionByID(ctx, f.entry.ID)); e.Text != f.entry.Text {
			t.Errorf("redacted entry = %+v", e)
		}
		noErr(t, f.db.RedactInteraction(ctx, older.ID))
		if lt := lastTouched(t, f.db, f.contact.ID); lt != nil {
			t.Errorf("last touched with an empty timeline = %v", lt)
		}
		checkHealthy(t, f.db)
	})
	t.Run("ErrConflict", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		noErr(t, f.db.RedactInteraction(ctx, f.entry.ID))
		before := dump(t, f.db)
		wantErr(t, f.db.RedactInteraction(ctx, f.entry.ID), store.ErrConflict)
		assertUnchanged(t, f.db, before)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		before := dump(t, f.db)
		wantErr(t, f.db.RedactInteraction(ctx, store.NewID()), store.ErrNotFound)
		assertUnchanged(t, f.db, before)
	})
}

func TestDB_AmendInteraction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		f.clk.Add(time.Hour)
		a := must[*store.Interaction](t)(f.db.AmendInteraction(ctx, f.entry.ID, " Discussed Bernoulli numbers and the Engine "))
		if a.Text != "Discussed Bernoulli numbers and the Engine" || a.Supersedes != f.entry.ID || !a.OccurredAt.Equal(f.entry.OccurredAt) ||
			a.Kind != "call" || a.ContactID != f.contact.ID || !a.CreatedAt.Equal(f.clk.Now()) {
			t.Errorf("amendment = %+v", a)
		}
		if got := timelineTexts(t, f.db, store.TimelineFilter{ContactID: f.contact.ID}); len(got) != 1 || got[0] != a.Text {
			t.Errorf("timeline = %q", got)
		}
		// amending the amendment
		b := must[*store.Interaction](t)(f.db.AmendInteraction(ctx, a.ID, "third version"))
		if got := timelineTexts(t, f.db, store.TimelineFilter{ContactID: f.contact.ID}); len(got) != 1 || got[0] != b.Text {
			t.Errorf("timeline = %q", got)
		}
		if lt := lastTouched(t, f.db, f.contact.ID); lt == nil || !lt.Equal(t0) {
			t.Errorf("last touched = %v", lt)
		}
		checkHealthy(t, f.db)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		before := dump(t, f.db)
		_, err := f.db.AmendInteraction(ctx, f.entry.ID, " ")
		wantErr(t, err, store.ErrInvalid)
		_, err = f.db.AmendInteraction(ctx, f.entry.ID, long64k)
		wantErr(t, err, store.ErrInvalid)
		assertUnchanged(t, f.db, before)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		before := dump(t, f.db)
		_, err := f.db.AmendInteraction(ctx, store.NewID(), "x")
		wantErr(t, err, store.ErrNotFound)
		_, err = f.db.FindInteractionByID(ctx, f.contact.ID)
		wantErr(t, err, store.ErrNotFound)
		assertUnchanged(t, f.db, before)
	})
	// An entry that was already replaced or removed cannot be amended: that would put two
	// versions of one entry, or a removed one, back on the timeline.
	t.Run("ErrConflict", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		must[*store.Interaction](t)(f.db.AmendInteraction(ctx, f.entry.ID, "second version"))
		before := dump(t, f.db)
		_, err := f.db.AmendInteraction(ctx, f.entry.ID, "a rival second version")
		wantErr(t, err, store.ErrConflict)
		assertUnchanged(t, f.db, before)
		if got := timelineTexts(t, f.db, store.TimelineFilter{ContactID: f.contact.ID}); len(got) != 1 {
			t.Errorf("timeline = %q", got)
		}

		e := must[*store.Interaction](t)(f.db.LogInteraction(ctx, store.InteractionInput{Kind: "note", Text: "to remove", ContactID: f.contact.ID}))
		noErr(t, f.db.RedactInteraction(ctx, e.ID))
		before = dump(t, f.db)
		_, err = f.db.AmendInteraction(ctx, e.ID, "back from the dead")
		wantErr(t, err, store.ErrConflict)
		assertUnchanged(t, f.db, before)
	})
}

func TestDB_Timeline(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	noErr(t, f.db.RedactInteraction(ctx, f.entry.ID))
	at := t0.Add(-100 * time.Hour)
	for i := range 7 {
		// two entries share each instant, so paging must break ties by id
		must[*store.Interaction](t)(f.db.LogInteraction(ctx, store.InteractionInput{Kind: "note", Text: string(rune('a' + i)),
			ContactID: f.contact.ID, OccurredAt: at.Add(time.Duration(i/2) * time.Hour)}))
	}
	var pages [][]string
	var before *store.Interaction
	for {
		page := must[[]store.Interaction](t)(f.db.Timeline(ctx, store.TimelineFilter{ContactID: f.contact.ID, Limit: 3, Before: before}))
		if len(page) == 0 {
			break
		}
		var texts []string
		for _, e := range page {
			texts = append(texts, e.Text)
		}
		pages = append(pages, texts)
		before = &page[len(page)-1]
	}
	want := [][]string{{"g", "f", "e"}, {"d", "c", "b"}, {"a"}}
	if len(pages) != len(want) {
		t.Fatalf("pages = %q, want %q", pages, want)
	}
	for i := range want {
		if len(pages[i]) != len(want[i]) {
			t.Fatalf("pages = %q, want %q", pages, want)
		}
		for j := range want[i] {
			if pages[i][j] != want[i][j] {
				t.Fatalf("pages = %q, want %q", pages, want)
			}
		}
	}
	if got := timelineTexts(t, f.db, store.TimelineFilter{ContactID: f.contact.ID}); len(got) != 7 {
		t.Errorf("default limit timeline = %q", got)
	}
	_, err := f.db.Timeline(ctx, store.TimelineFilter{})
	wantErr(t, err, store.ErrInvalid)
}
