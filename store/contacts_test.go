package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
)

var (
	long501 = strings.Repeat("x", 501)
	long64k = strings.Repeat("y", 64<<10+1)
)

func TestDB_CreateContact(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		db, _ := openClock(t)
		c := must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{
			Name: "  Ada   King  Lovelace ", Title: "Countess", Company: "Analytical Engines",
			Emails: []store.Email{{Email: "ada@example.com", Label: "work"}, {Email: "ada@home.example"}},
			Phones: []store.Phone{{Phone: "+44 (20) 7946-0018"}},
			Tags:   []string{" VIP ", "math"}, CadenceDays: 30, Source: "conference", Notes: "n", Address: "London",
			Visibility: "private",
		}))
		if c.FirstName != "Ada King" || c.LastName != "Lovelace" || c.Name != "Ada King Lovelace" {
			t.Errorf("names = %q / %q / %q", c.FirstName, c.LastName, c.Name)
		}
		if c.PrimaryEmail() != "ada@example.com" || len(c.Emails) != 2 || c.Emails[0].Label != "work" {
			t.Errorf("emails = %+v", c.Emails)
		}
		if c.PrimaryPhone() != "+44 (20) 7946-0018" {
			t.Errorf("phones = %+v", c.Phones)
		}
		if !reflect.DeepEqual(c.Tags, []string{"math", "vip"}) {
			t.Errorf("tags = %v", c.Tags)
		}
		if c.Company != "Analytical Engines" || c.CompanyID == "" {
			t.Errorf("company = %q %q", c.Company, c.CompanyID)
		}
		if c.CadenceDays != 30 || c.Visibility != "private" || c.Owner != "tester" || !c.CreatedAt.Equal(t0) || c.LastTouchedAt != nil {
			t.Errorf("contact = %+v", c)
		}
		co := must[*store.Company](t)(db.FindCompanyByID(ctx, c.CompanyID))
		if co.Visibility != "private" || co.Contacts != 1 {
			t.Errorf("company made for the contact = %+v", co)
		}
		// A second contact names the same company case-insensitively: no new company.
		c2 := must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{FirstName: "Charles", LastName: "Babbage", Company: "analytical engines"}))
		if c2.CompanyID != c.CompanyID {
			t.Errorf("second contact got company %s, want %s", c2.CompanyID, c.CompanyID)
		}
		if c2.Name != "Charles Babbage" {
			t.Errorf("name from first+last = %q", c2.Name)
		}
		checkHealthy(t, db)
	})
	t.Run("OnlyFirstName", func(t *testing.T) {
		t.Parallel()
		db, _ := openClock(t)
		c := must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{Name: "Cher"}))
		if c.FirstName != "Cher" || c.LastName != "" || c.Name != "Cher" {
			t.Errorf("contact = %+v", c)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		t.Parallel()
		db, _ := openClock(t)
		must[*store.Contact](t)(db.CreateContact(ctx, store.ContactInput{Name: "Existing"}))
		for _, tc := range []struct {
			name string
			in   store.ContactInput
		}{
			{"no name", store.ContactInput{Title: "CEO"}},
			{"blank name", store.ContactInput{Name: "   "}},
			{"malformed email", store.ContactInput{Name: "A", Emails: []store.Email{{Email: "not-an-email"}}}},
			{"email with display name", store.ContactInput{Name: "A", Emails: []store.Email{{Email: "Ada <ada@example.com>"}}}},
			{"email without dot", store.ContactInput{Name: "A", Emails: []store.Email{{Email: "ada@localhost"}}}},
			{"email twice", store.ContactInput{Name: "A", Emails: []store.Email{{Email: "a@x.io"}, {Email: "A@X.io"}}}},
			{"bad phone", store.ContactInput{Name: "A", Phones: []store.Phone{{Phone: "call me"}}}},
			{"short phone", store.ContactInput{Name: "A", Phones: []store.Phone{{Phone: "12"}}}},
			{"bad tag", store.ContactInput{Name: "A", Tags: []string{"two words"}}},
			{"empty tag", store.ContactInput{Name: "A", Tags: []string{" "}}},
			{"long tag", store.ContactInput{Name: "A", Tags: []string{strings.Repeat("t", 65)}}},
			{"negative cadence", store.ContactInput{Name: "A", CadenceDays: -1}},
			{"visibility", store.ContactInput{Name: "A", Visibility: "public"}},
			{"long name", store.ContactInput{Name: long501}},
			{"long title", store.ContactInput{Name: "A", Title: long501}},
			{"long notes", store.ContactInput{Name: "A", Notes: long64k}},
			{"long company name", store.ContactInput{Name: "A", Company: long501}},
			{"long email", store.ContactInput{Name: "A", Emails: []store.Email{{Email: strings.Repeat("a", 250) + "@x.io"}}}},
			{"long email label", store.ContactInput{Name: "A", Emails: []store.Email{{Email: "a@x.io", Label: long501}}}},
			{"long phone", store.ContactInput{Name: "A", Phones: []store.Phone{{Phone: "555" + strings.Repeat(" ", 100) + "0100"}}}},
			{"long phone label", store.ContactInput{Name: "A", Phones: []store.Phone{{Phone: "555-0100", Label: long501}}}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := dump(t, db)
				_, err := db.CreateContact(ctx, tc.in)
				wantErr(t, err, store.ErrInvalid)
				assertUnchanged(t, db, before)
			})
		}
	})
}

func TestDB_UpdateContact(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		db := f.db
		f.clk.Add(time.Minute)
		c := must[*store.Contact](t)(db.UpdateContact(ctx, f.contact.ID, store.ContactUpdate{
			Name: ptr("Augusta Ada King"), Title: ptr("Mathematician"), Company: ptr("Babbage & Co"),
			AddEmails: []store.Email{{Email: "countess@example.com"}, {Email: "ADA@example.com"}}, RemovePhones: []string{"+442079460018"},
			AddPhones: []store.Phone{{Phone: "555-0100"}}, AddTags: []string{"math"}, RemoveTags: []string{"VIP"},
			CadenceDays: ptr(0), Visibility: ptr("private"), Notes: ptr(""), Address: ptr("Marylebone"), Source: ptr("referral"),
		}))
		if c.FirstName != "Augusta Ada" || c.LastName != "King" || c.Name != "Augusta Ada King" || c.Title != "Mathematician" {
			t.Errorf("names = %+v", c)
		}
		if c.Company != "Babbage & Co" || c.CompanyID == f.company.ID {
			t.Errorf("company = %q", c.Company)
		}
		if len(c.Emails) != 2 || c.Emails[0].Email != "ada@example.com" || c.Emails[1].Email != "countess@example.com" {
			t.Errorf("emails = %+v (adding an existing address again must not duplicate it)", c.Emails)
		}
		if len(c.Phones) != 1 || c.Phones[0].Phone != "555-0100" {
			t.Errorf("phones = %+v", c.Phones)
		}
		if !reflect.DeepEqual(c.Tags, []string{"math"}) {
			t.Errorf("tags = %v", c.Tags)
		}
		if c.CadenceDays != 0 || c.Visibility != "private" || c.Notes != "" || c.Address != "Marylebone" || c.Source != "referral" {
			t.Errorf("contact = %+v", c)
		}
		if !c.UpdatedAt.Equal(t0.Add(time.Minute)) || !c.CreatedAt.Equal(t0) {
			t.Errorf("created %v updated %v", c.CreatedAt, c.UpdatedAt)
		}
		// first and last name alone
		c = must[*store.Contact](t)(db.UpdateContact(ctx, f.contact.ID, store.ContactUpdate{LastName: ptr("Lovelace")}))
		if c.Name != "Augusta Ada Lovelace" {
			t.Errorf("name after last-name edit = %q", c.Name)
		}
		// unlink the company
		c = must[*store.Contact](t)(db.UpdateContact(ctx, f.contact.ID, store.ContactUpdate{Company: ptr("")}))
		if c.CompanyID != "" {
			t.Errorf("company after unlink = %q", c.CompanyID)
		}
		checkHealthy(t, db)
	})
	t.Run("NoChange", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		before := dump(t, f.db)
		f.clk.Add(time.Minute)
		for _, u := range []store.ContactUpdate{
			{},
			{Title: ptr("Countess"), Name: ptr("Ada Lovelace"), CadenceDays: ptr(14), Company: ptr(f.company.ID)},
			{AddTags: []string{"vip"}, AddEmails: []store.Email{{Email: "ada@example.com", Label: "work"}}},
			{Company: ptr("ANALYTICAL ENGINES")},
		} {
			must[*store.Contact](t)(f.db.UpdateContact(ctx, f.contact.ID, u))
			if after := dump(t, f.db); after != before {
				t.Fatalf("edit %+v that changes nothing changed the database:\n%s", u, diffLines(before, after))
			}
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		must[*store.Company](t)(f.db.CreateCompany(ctx, store.CompanyInput{Name: "Twin"}))
		must[*store.Company](t)(f.db.CreateCompany(ctx, store.CompanyInput{Name: "twin"}))
		for _, tc := range []struct {
			name string
			u    store.ContactUpdate
			want error
		}{
			{"empty name", store.ContactUpdate{Name: ptr("")}, store.ErrInvalid},
			{"blank first and last", store.ContactUpdate{FirstName: ptr(" "), LastName: ptr("")}, store.ErrInvalid},
			{"long name", store.ContactUpdate{Name: ptr(long501)}, store.ErrInvalid},
			{"long title", store.ContactUpdate{Title: ptr(long501)}, store.ErrInvalid},
			{"long notes", store.ContactUpdate{Notes: ptr(long64k)}, store.ErrInvalid},
			{"malformed email", store.ContactUpdate{AddEmails: []store.Email{{Email: "ada@"}}}, store.ErrInvalid},
			{"remove unknown email", store.ContactUpdate{RemoveEmails: []string{"nobody@example.com"}}, store.ErrInvalid},
			{"bad phone", store.ContactUpdate{AddPhones: []store.Phone{{Phone: "+1 555 CALL NOW"}}}, store.ErrInvalid},
			{"remove unknown phone", store.ContactUpdate{RemovePhones: []string{"999"}}, store.ErrInvalid},
			{"bad tag", store.ContactUpdate{AddTags: []string{"a,b"}}, store.ErrInvalid},
			{"remove absent tag", store.ContactUpdate{RemoveTags: []string{"nope"}}, store.ErrInvalid},
			{"negative cadence", store.ContactUpdate{CadenceDays: ptr(-3)}, store.ErrInvalid},
			{"visibility", store.ContactUpdate{Visibility: ptr("everyone")}, store.ErrInvalid},
			{"valid field then bad one", store.ContactUpdate{Title: ptr("CTO"), AddTags: []string{"bad tag"}}, store.ErrInvalid},
			{"long new company", store.ContactUpdate{Title: ptr("CTO"), Company: ptr(long501)}, store.ErrInvalid},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := dump(t, f.db)
				_, err := f.db.UpdateContact(ctx, f.contact.ID, tc.u)
				wantErr(t, err, tc.want)
				assertUnchanged(t, f.db, before)
			})
		}
		t.Run("AmbiguousCompany", func(t *testing.T) {
			before := dump(t, f.db)
			_, err := f.db.UpdateContact(ctx, f.contact.ID, store.ContactUpdate{Title: ptr("CTO"), Company: ptr("TWIN")})
			var amb *store.AmbiguousError
			if !errors.As(err, &amb) || len(amb.Candidates) != 2 {
				t.Fatalf("err = %v, want an AmbiguousError with two companies", err)
			}
			assertUnchanged(t, f.db, before)
		})
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		before := dump(t, f.db)
		_, err := f.db.UpdateContact(ctx, store.NewID(), store.ContactUpdate{Title: ptr("x")})
		wantErr(t, err, store.ErrNotFound)
		// an id that names no live company is not taken for the name of a new one
		_, err = f.db.UpdateContact(ctx, f.contact.ID, store.ContactUpdate{Company: ptr(store.NewID())})
		wantErr(t, err, store.ErrNotFound)
		_, err = f.db.CreateContact(ctx, store.ContactInput{Name: "New", Company: store.NewID()})
		wantErr(t, err, store.ErrNotFound)
		_, err = f.db.CreateDeal(ctx, store.DealInput{Title: "New", Company: store.NewID()})
		wantErr(t, err, store.ErrNotFound)
		_, err = f.db.FindContactByID(ctx, f.company.ID)
		wantErr(t, err, store.ErrNotFound)
		assertUnchanged(t, f.db, before)
	})
}

func TestDB_DeleteContact(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		f := newFixture(t)
		f.clk.Add(time.Minute)
		noErr(t, f.db.DeleteContact(ctx, f.contact.ID))
		c := must[*store.Contact](t)(f.db.FindContactByID(ctx, f.contact.ID))
		if c.DeletedAt == nil || !c.DeletedAt.Equal(t0.Add(time.Minute)) {
			t.Errorf("deleted_at = %v", c.DeletedAt)
		}
		list, total := must2[[]store.Contact, int](t)(f.db.FindContacts(ctx, store.ContactFilter{}))
		if total != 0 || len(list) != 0 {
			t.Errorf("live contacts after delete = %d", total)
		}
		if co := must[*store.Company](t)(f.db.FindCompanyByID(ctx, f.company.ID)); co.Contacts != 0 {
			t.Errorf("company still counts %d contacts", co.Contacts)
		}
		_, total = must2[[]store.Contact, int](t)(f.db.FindContacts(ctx, store.ContactFilter{All: true}))
		if total != 1 {
			t.Errorf("contacts with All = %d", total)
		}
		noErr(t, f.db.RestoreContact(ctx, f.contact.ID))
		c = must[*store.Contact](t)(f.db.FindContactByID(ctx, f.contact.ID))
		if c.DeletedAt != nil || !reflect.DeepEqual(c.Emails, f.contact.Emails) || !reflect.DeepEqual(c.Tags, f.contact.Tags) {
			t.Errorf("restored contact = %+v", c)
		}
		checkHealthy(t, f.db)
	})
	t.Run("ErrConflict", func(t *testing.T) {
		f := newFixture(t)
		before := dump(t, f.db)
		wantErr(t, f.db.RestoreContact(ctx, f.contact.ID), store.ErrConflict)
		assertUnchanged(t, f.db, before)
		noErr(t, f.db.DeleteContact(ctx, f.contact.ID))
		before = dump(t, f.db)
		wantErr(t, f.db.DeleteContact(ctx, f.contact.ID), store.ErrConflict)
		assertUnchanged(t, f.db, before)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		f := newFixture(t)
		before := dump(t, f.db)
		wantErr(t, f.db.DeleteContact(ctx, store.NewID()), store.ErrNotFound)
		wantErr(t, f.db.RestoreContact(ctx, store.NewID()), store.ErrNotFound)
		wantErr(t, f.db.DeleteContact(ctx, f.deal.ID), store.ErrNotFound)
		assertUnchanged(t, f.db, before)
	})
}

func TestDB_FindContacts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := openClock(t)
	acme := must[*store.Company](t)(db.CreateCompany(ctx, store.CompanyInput{Name: "Acme"}))
	names := []string{"zed Last", "Amy Adams", "bob Brown", "Carl Clark", "Dora Diaz"}
	ids := map[string]string{}
	for i, n := range names {
		in := store.ContactInput{Name: n}
		if i%2 == 0 {
			in.Company, in.Tags = acme.ID, []string{"even"}
		}
		ids[n] = must[*store.Contact](t)(db.CreateContact(ctx, in)).ID
	}
	noErr(t, db.DeleteContact(ctx, ids["Dora Diaz"]))
	for _, tc := range []struct {
		name  string
		f     store.ContactFilter
		want  []string
		total int
	}{
		{"all live, by name case-insensitively", store.ContactFilter{}, []string{"Amy Adams", "bob Brown", "Carl Clark", "zed Last"}, 4},
		{"page", store.ContactFilter{Limit: 2, Offset: 1}, []string{"bob Brown", "Carl Clark"}, 4},
		{"offset without limit", store.ContactFilter{Offset: 3}, []string{"zed Last"}, 4},
		{"tag", store.ContactFilter{Tag: "EVEN"}, []string{"bob Brown", "zed Last"}, 2},
		{"company", store.ContactFilter{CompanyID: acme.ID}, []string{"bob Brown", "zed Last"}, 2},
		{"query", store.ContactFilter{Query: "cla"}, []string{"Carl Clark"}, 1},
		{"query by company", store.ContactFilter{Query: "acm"}, []string{"bob Brown", "zed Last"}, 2},
		{"odd query", store.ContactFilter{Query: `"AND NEAR(`}, []string{}, 0},
		{"punctuation query is no filter", store.ContactFilter{Query: `!!`}, []string{"Amy Adams", "bob Brown", "Carl Clark", "zed Last"}, 4},
		{"deleted too", store.ContactFilter{All: true, Tag: "even"}, []string{"bob Brown", "Dora Diaz", "zed Last"}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			list, total, err := db.FindContacts(ctx, tc.f)
			noErr(t, err)
			got := []string{}
			for _, c := range list {
				got = append(got, c.Name)
			}
			if !reflect.DeepEqual(got, tc.want) || total != tc.total {
				t.Errorf("got %v (total %d), want %v (total %d)", got, total, tc.want, tc.total)
			}
		})
	}
}

func TestDB_CreateCompany(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		db, _ := openClock(t)
		co := must[*store.Company](t)(db.CreateCompany(ctx, store.CompanyInput{Name: " Initech ", Domain: " Initech.COM ", Phone: "+1 555 0100",
			Tags: []string{"Software"}, Address: "Austin", Notes: "TPS reports"}))
		if co.Name != "Initech" || co.Domain != "initech.com" || co.Phone != "+1 555 0100" || !reflect.DeepEqual(co.Tags, []string{"software"}) ||
			co.Visibility != "team" || co.Owner != "tester" || co.Contacts != 0 {
			t.Errorf("company = %+v", co)
		}
		got := must[*store.Company](t)(db.FindCompanyByID(ctx, co.ID))
		if !reflect.DeepEqual(got, co) {
			t.Errorf("FindCompanyByID = %+v, want %+v", got, co)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		db, _ := openClock(t)
		for _, tc := range []struct {
			name string
			in   store.CompanyInput
		}{
			{"no name", store.CompanyInput{Domain: "x.com"}},
			{"bad domain", store.CompanyInput{Name: "A", Domain: "nodot"}},
			{"domain with slash", store.CompanyInput{Name: "A", Domain: "https://a.com"}},
			{"bad phone", store.CompanyInput{Name: "A", Phone: "abc"}},
			{"long phone", store.CompanyInput{Name: "A", Phone: "555" + strings.Repeat(".", 100)}},
			{"bad tag", store.CompanyInput{Name: "A", Tags: []string{"a b"}}},
			{"visibility", store.CompanyInput{Name: "A", Visibility: "secret"}},
			{"long name", store.CompanyInput{Name: long501}},
			{"long notes", store.CompanyInput{Name: "A", Notes: long64k}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := dump(t, db)
				_, err := db.CreateCompany(ctx, tc.in)
				wantErr(t, err, store.ErrInvalid)
				assertUnchanged(t, db, before)
			})
		}
	})
}

func TestDB_UpdateCompany(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		f := newFixture(t)
		co := must[*store.Company](t)(f.db.UpdateCompany(ctx, f.company.ID, store.CompanyUpdate{Name: ptr("Engines Ltd"), Domain: ptr("ENGINES.co.uk"),
			Phone: ptr("020 7946 0000"), Address: ptr("London"), Notes: ptr("x"), Visibility: ptr("private"),
			AddTags: []string{"client"}, RemoveTags: []string{"partner"}}))
		if co.Name != "Engines Ltd" || co.Domain != "engines.co.uk" || co.Phone != "020 7946 0000" || co.Visibility != "private" ||
			!reflect.DeepEqual(co.Tags, []string{"client"}) || co.Contacts != 1 {
			t.Errorf("company = %+v", co)
		}
		if c := must[*store.Contact](t)(f.db.FindContactByID(ctx, f.contact.ID)); c.Company != "Engines Ltd" {
			t.Errorf("contact's company = %q", c.Company)
		}
		before := dump(t, f.db)
		must[*store.Company](t)(f.db.UpdateCompany(ctx, f.company.ID, store.CompanyUpdate{Name: ptr("Engines Ltd"), AddTags: []string{"client"}}))
		assertUnchanged(t, f.db, before)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := newFixture(t)
		for _, tc := range []struct {
			name string
			u    store.CompanyUpdate
		}{
			{"empty name", store.CompanyUpdate{Name: ptr(" ")}},
			{"bad domain", store.CompanyUpdate{Domain: ptr("a b.com")}},
			{"bad phone", store.CompanyUpdate{Phone: ptr("x")}},
			{"long notes", store.CompanyUpdate{Notes: ptr(long64k)}},
			{"visibility", store.CompanyUpdate{Visibility: ptr("x")}},
			{"remove absent tag", store.CompanyUpdate{RemoveTags: []string{"nope"}}},
			{"bad tag", store.CompanyUpdate{AddTags: []string{""}}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := dump(t, f.db)
				_, err := f.db.UpdateCompany(ctx, f.company.ID, tc.u)
				wantErr(t, err, store.ErrInvalid)
				assertUnchanged(t, f.db, before)
			})
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		f := newFixture(t)
		before := dump(t, f.db)
		_, err := f.db.UpdateCompany(ctx, f.contact.ID, store.CompanyUpdate{Name: ptr("x")})
		wantErr(t, err, store.ErrNotFound)
		wantErr(t, f.db.DeleteCompany(ctx, store.NewID()), store.ErrNotFound)
		wantErr(t, f.db.RestoreCompany(ctx, store.NewID()), store.ErrNotFound)
		assertUnchanged(t, f.db, before)
	})
}

func TestDB_DeleteCompany(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	noErr(t, f.db.DeleteCompany(ctx, f.company.ID))
	if c := must[*store.Contact](t)(f.db.FindContactByID(ctx, f.contact.ID)); c.CompanyID != f.company.ID {
		t.Errorf("contact lost its company link on company delete")
	}
	_, total := must2[[]store.Company, int](t)(f.db.FindCompanies(ctx, store.CompanyFilter{}))
	if total != 0 {
		t.Errorf("live companies = %d", total)
	}
	before := dump(t, f.db)
	wantErr(t, f.db.DeleteCompany(ctx, f.company.ID), store.ErrConflict)
	assertUnchanged(t, f.db, before)
	// a deleted company's id does not link, nor become the name of a new company
	other := must[*store.Contact](t)(f.db.CreateContact(ctx, store.ContactInput{Name: "Other"}))
	before = dump(t, f.db)
	_, err := f.db.UpdateContact(ctx, other.ID, store.ContactUpdate{Company: ptr(f.company.ID)})
	wantErr(t, err, store.ErrNotFound)
	assertUnchanged(t, f.db, before)
	noErr(t, f.db.RestoreCompany(ctx, f.company.ID))
	list, total := must2[[]store.Company, int](t)(f.db.FindCompanies(ctx, store.CompanyFilter{Tag: "PARTNER", Query: "analyt"}))
	if total != 1 || len(list) != 1 || list[0].Contacts != 1 || !reflect.DeepEqual(list[0].Tags, []string{"partner"}) {
		t.Errorf("companies = %+v", list)
	}
	checkHealthy(t, f.db)
}

func TestValidEmail(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"ada@example.com": true, "a.b+c@sub.example.co.uk": true, "ADA@EXAMPLE.COM": true,
		"": false, "ada": false, "ada@": false, "@example.com": false, "ada@example": false, "ada@example.": false,
		"Ada <ada@example.com>": false, "ada @example.com": false, "ada@exa mple.com": false, `"a"@example.com`: false,
		"a@b@c.com": false,
	} {
		if got := store.ValidEmail(s); got != want {
			t.Errorf("ValidEmail(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestPhone(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in     string
		valid  bool
		digits string
	}{
		{"+1 (555) 010-2030", true, "+15550102030"},
		{" +44 20 7946 0018 ", true, "+442079460018"},
		{"555.0100 ext. 12", true, "555010012"},
		{"555-0100 x12", true, "555010012"},
		{"12", false, "12"},
		{"call me", false, ""},
		{"1+2+3", true, "123"},
		{"123456789012345678901", false, "123456789012345678901"},
		{"555" + strings.Repeat("-", 62), false, "555"},
		{"٣٤٥٦", false, ""}, // digits PhoneDigits would drop, so nothing could match the number
	} {
		if got := store.ValidPhone(tc.in); got != tc.valid {
			t.Errorf("ValidPhone(%q) = %v, want %v", tc.in, got, tc.valid)
		}
		if got := store.PhoneDigits(tc.in); got != tc.digits {
			t.Errorf("PhoneDigits(%q) = %q, want %q", tc.in, got, tc.digits)
		}
	}
}

// Edits read the record under the write lock: two handles adding tags to one contact at the
// same time never lose a tag.
func TestDB_UpdateContact_Concurrent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rolo.db")
	a := mustOpenPath(t, path)
	b := mustOpenPath(t, path)
	c, err := a.CreateContact(ctx, store.ContactInput{Name: "Ada Lovelace"})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w, db := range []*store.DB{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 15 {
				if _, err := db.UpdateContact(ctx, c.ID, store.ContactUpdate{AddTags: []string{fmt.Sprintf("w%d-%d", w, i)}}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	got, err := a.FindContactByID(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Tags) != 30 {
		t.Errorf("got %d tags, want 30: %v", len(got.Tags), got.Tags)
	}
}
