package store_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/rolo-crm/rolo/store"
)

func TestDB_Resolve(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	db := f.db
	grace := must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{Name: "Grace Hopper", Emails: []store.Email{{Email: "grace@navy.example"}}}))
	gone := must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{Name: "Gone Person", Emails: []store.Email{{Email: "gone@example.com"}}}))
	noErr(t, db.DeleteContact(ctx, gone.ID))

	t.Run("OK", func(t *testing.T) {
		for _, tc := range []struct {
			name, ref string
			o         store.ResolveOptions
			entity    string
			id        string
		}{
			{"full id", f.contact.ID, store.ResolveOptions{}, store.EntityContact, f.contact.ID},
			{"full id upper case", strings.ToUpper(f.deal.ID), store.ResolveOptions{}, store.EntityDeal, f.deal.ID},
			{"id prefix", f.company.ID[:23], store.ResolveOptions{}, store.EntityCompany, f.company.ID},
			{"short id", store.ShortID(grace.ID), store.ResolveOptions{}, store.EntityContact, grace.ID},
			{"short id prefix", store.ShortID(grace.ID)[:6], store.ResolveOptions{}, store.EntityContact, grace.ID},
			{"email", "ada@example.com", store.ResolveOptions{}, store.EntityContact, f.contact.ID},
			{"email any case", "GRACE@Navy.Example", store.ResolveOptions{}, store.EntityContact, grace.ID},
			{"exact name", "ada lovelace", store.ResolveOptions{}, store.EntityContact, f.contact.ID},
			{"exact company name", "ANALYTICAL ENGINES", store.ResolveOptions{}, store.EntityCompany, f.company.ID},
			{"exact deal title", "difference engine", store.ResolveOptions{}, store.EntityDeal, f.deal.ID},
			{"name prefix", "grac", store.ResolveOptions{}, store.EntityContact, grace.ID},
			{"name prefixes", "  gr hop ", store.ResolveOptions{}, store.EntityContact, grace.ID},
			{"diacritics", "lövelace", store.ResolveOptions{}, store.EntityContact, f.contact.ID},
			{"follow-up title", "send the", store.ResolveOptions{Kinds: []string{store.EntityFollowUp}}, store.EntityFollowUp, f.followUp.ID},
			{"interaction by id", store.ShortID(f.entry.ID), store.ResolveOptions{Kinds: []string{store.EntityInteraction}}, store.EntityInteraction, f.entry.ID},
			{"deleted by id", gone.ID, store.ResolveOptions{Deleted: true}, store.EntityContact, gone.ID},
			{"deleted by name", "gone person", store.ResolveOptions{Deleted: true}, store.EntityContact, gone.ID},
			{"deleted by email", "gone@example.com", store.ResolveOptions{Deleted: true}, store.EntityContact, gone.ID},
			{"deleted by name prefix", "gon pers", store.ResolveOptions{Deleted: true}, store.EntityContact, gone.ID},
			{"kinds restrict", "analytical", store.ResolveOptions{Kinds: []string{store.EntityCompany}}, store.EntityCompany, f.company.ID},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c, err := db.Resolve(ctx, tc.ref, tc.o)
				if err != nil {
					t.Fatalf("Resolve(%q): %v", tc.ref, err)
				}
				if c.Entity != tc.entity || c.ID != tc.id || c.Label == "" {
					t.Errorf("Resolve(%q) = %+v, want %s %s", tc.ref, c, tc.entity, tc.id)
				}
			})
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		for _, tc := range []struct {
			ref string
			o   store.ResolveOptions
		}{
			{"nobody", store.ResolveOptions{}},
			{"ffff", store.ResolveOptions{}},
			{store.NewID(), store.ResolveOptions{}},
			{"nobody@example.com", store.ResolveOptions{}},
			{gone.ID, store.ResolveOptions{}},
			{"gone person", store.ResolveOptions{}},
			{"gone@example.com", store.ResolveOptions{}},
			{"gon", store.ResolveOptions{}},
			{"100%", store.ResolveOptions{Deleted: true}},
			{"gone_", store.ResolveOptions{Deleted: true}},
			{"ada lovelace", store.ResolveOptions{Kinds: []string{store.EntityDeal}}},
			{f.contact.ID, store.ResolveOptions{Kinds: []string{store.EntityCompany, store.EntityDeal}}},
			{`"NEAR(`, store.ResolveOptions{}},
			{"!!!", store.ResolveOptions{}},
		} {
			_, err := db.Resolve(ctx, tc.ref, tc.o)
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Resolve(%q, %+v) = %v, want ErrNotFound", tc.ref, tc.o, err)
			}
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := db.Resolve(ctx, "  ", store.ResolveOptions{})
		wantErr(t, err, store.ErrInvalid)
		_, err = db.Resolve(ctx, "ada", store.ResolveOptions{Kinds: []string{store.EntityStage}})
		wantErr(t, err, store.ErrInvalid)
	})
	t.Run("Ambiguous", func(t *testing.T) {
		twin := must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{Name: "Ada Lovelace", Title: "the other one"}))
		ada2 := must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{Name: "Ada Byron"}))
		for _, tc := range []struct {
			ref  string
			want []string
		}{
			{"Ada Lovelace", []string{f.contact.ID, twin.ID}}, // same name
			{"ada b", []string{ada2.ID}},                      // unique: not ambiguous
			{"lovel", []string{f.contact.ID, twin.ID}},        // same prefix
		} {
			c, err := db.Resolve(ctx, tc.ref, store.ResolveOptions{Kinds: []string{store.EntityContact}})
			if len(tc.want) == 1 {
				if err != nil || c.ID != tc.want[0] {
					t.Errorf("Resolve(%q) = %+v, %v; want %s", tc.ref, c, err, tc.want[0])
				}
				continue
			}
			var amb *store.AmbiguousError
			if !errors.As(err, &amb) {
				t.Fatalf("Resolve(%q) = %+v, %v; want an AmbiguousError", tc.ref, c, err)
			}
			var got []string
			for _, cand := range amb.Candidates {
				got = append(got, cand.ID)
				if cand.Entity != store.EntityContact || cand.Label != "Ada Lovelace" {
					t.Errorf("candidate %+v", cand)
				}
			}
			sort.Strings(got)
			sort.Strings(tc.want)
			if strings.Join(got, " ") != strings.Join(tc.want, " ") || amb.Ref != tc.ref || !strings.Contains(amb.Error(), "2 records") {
				t.Errorf("Resolve(%q) candidates %v, want %v (%v)", tc.ref, got, tc.want, amb)
			}
		}
		// "ada" is a prefix of three contacts
		_, err := db.Resolve(ctx, "ada", store.ResolveOptions{})
		var amb *store.AmbiguousError
		if !errors.As(err, &amb) || len(amb.Candidates) != 3 {
			t.Errorf("Resolve(ada) = %v", err)
		}
		// ids made in the same millisecond share a prefix
		_, err = db.Resolve(ctx, f.contact.ID[:4], store.ResolveOptions{})
		if !errors.As(err, &amb) {
			t.Errorf("Resolve(%q) = %v, want ambiguous", f.contact.ID[:4], err)
		}
		// many matches are capped at ten candidates
		for range 12 {
			must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{Name: "Many Same"}))
		}
		_, err = db.Resolve(ctx, "many same", store.ResolveOptions{})
		if !errors.As(err, &amb) || len(amb.Candidates) != 10 {
			t.Errorf("Resolve(many same) = %v", err)
		}
	})
	t.Run("ShortID", func(t *testing.T) {
		id := "01a20c61-f581-7e6b-8dc2-77f09ebf9b5a"
		if got := store.ShortID(id); got != "77f09ebf" {
			t.Errorf("ShortID = %q", got)
		}
		if got := store.ShortID("abc"); got != "abc" {
			t.Errorf("ShortID(short) = %q", got)
		}
		if len(store.NewID()) != 36 {
			t.Errorf("NewID = %q", store.NewID())
		}
	})
}

// A name made of the letters a–f only is tried as a name before it is tried as an id, so
// "Cafe" finds the contact named Cafe even when some id's short id starts with "cafe".
func TestDB_Resolve_HexLikeName(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	c, err := db.CreateContact(ctx, store.ContactInput{Name: "Cafe"})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 300; i++ {
		if _, err := db.CreateContact(ctx, store.ContactInput{Name: fmt.Sprintf("Filler %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, ref := range []string{"Cafe", "cafe", "CAFE"} {
		got, err := db.Resolve(ctx, ref, store.ResolveOptions{})
		if err != nil || got.ID != c.ID {
			t.Errorf("Resolve(%q) = %+v, %v; want %s", ref, got, err, c.ID)
		}
	}
}
