package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
)

func TestDB_CreateDeal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		d := must[*store.Deal](t)(f.db.CreateDeal(ctx, store.DealInput{Title: " Second engine ", ContactID: f.contact.ID, Value: 5000,
			Currency: "eur", Stage: "PROP", ExpectedClose: "2026-06-30", Tags: []string{"Q2"}, Notes: "big", Visibility: "private"}))
		want := store.Deal{Title: "Second engine", ContactID: f.contact.ID, Contact: "Ada Lovelace", CompanyID: f.company.ID, Company: "Analytical Engines",
			Value: store.Money{Amount: 5000, Currency: "EUR"}, Stage: "Proposal", Status: store.StatusOpen, ExpectedClose: "2026-06-30",
			Notes: "big", Tags: []string{"q2"}}
		got := *d
		if got.Title != want.Title || got.ContactID != want.ContactID || got.Contact != want.Contact || got.CompanyID != want.CompanyID ||
			got.Company != want.Company || got.Value != want.Value || got.Stage != want.Stage || got.Status != want.Status ||
			got.ExpectedClose != want.ExpectedClose || got.Notes != want.Notes || !reflect.DeepEqual(got.Tags, want.Tags) ||
			got.Visibility != "private" || !got.StageEnteredAt.Equal(t0) || got.ClosedAt != nil {
			t.Errorf("deal = %+v", got)
		}
		// defaults: first stage, the database currency, no company
		d = must[*store.Deal](t)(f.db.CreateDeal(ctx, store.DealInput{Title: "Small"}))
		if d.Stage != "Lead" || d.Value.Currency != "USD" || d.CompanyID != "" || d.ContactID != "" || d.Visibility != "team" {
			t.Errorf("deal defaults = %+v", d)
		}
		// a company by a new name is created with the deal
		d = must[*store.Deal](t)(f.db.CreateDeal(ctx, store.DealInput{Title: "Loom", Company: "Jacquard"}))
		if d.Company != "Jacquard" {
			t.Errorf("company = %q", d.Company)
		}
		checkHealthy(t, f.db)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		for _, tc := range []struct {
			name string
			in   store.DealInput
			want error
		}{
			{"no title", store.DealInput{Value: 1}, store.ErrInvalid},
			{"blank title", store.DealInput{Title: "  "}, store.ErrInvalid},
			{"long title", store.DealInput{Title: long501}, store.ErrInvalid},
			{"long notes", store.DealInput{Title: "x", Notes: long64k}, store.ErrInvalid},
			{"negative value", store.DealInput{Title: "x", Value: -1}, store.ErrInvalid},
			{"unknown currency", store.DealInput{Title: "x", Currency: "XYZ"}, store.ErrInvalid},
			{"currency not a code", store.DealInput{Title: "x", Currency: "dollars"}, store.ErrInvalid},
			{"unknown stage", store.DealInput{Title: "x", Stage: "Won"}, store.ErrInvalid},
			{"bad close date", store.DealInput{Title: "x", ExpectedClose: "2026-02-30"}, store.ErrInvalid},
			{"close date not ISO", store.DealInput{Title: "x", ExpectedClose: "next friday"}, store.ErrInvalid},
			{"bad tag", store.DealInput{Title: "x", Tags: []string{"a b"}}, store.ErrInvalid},
			{"visibility", store.DealInput{Title: "x", Visibility: "all"}, store.ErrInvalid},
			{"long company", store.DealInput{Title: "x", Company: long501}, store.ErrInvalid},
			{"unknown contact", store.DealInput{Title: "x", ContactID: store.NewID()}, store.ErrNotFound},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := dump(t, f.db)
				_, err := f.db.CreateDeal(ctx, tc.in)
				wantErr(t, err, tc.want)
				assertUnchanged(t, f.db, before)
			})
		}
	})
}

func TestDB_UpdateDeal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		other := must[*store.Contact](t)(f.db.CreateContact(ctx, store.ContactInput{Name: "Charles Babbage"}))
		d := must[*store.Deal](t)(f.db.UpdateDeal(ctx, f.deal.ID, store.DealUpdate{Title: ptr("Analytical engine"), ContactID: ptr(other.ID),
			Company: ptr("Science Museum"), Value: ptr(int64(99)), Currency: ptr("jpy"), ExpectedClose: ptr("2027-01-31"),
			Notes: ptr("n"), Visibility: ptr("private"), AddTags: []string{"museum"}}))
		if d.Title != "Analytical engine" || d.Contact != "Charles Babbage" || d.Company != "Science Museum" ||
			d.Value != (store.Money{Amount: 99, Currency: "JPY"}) || d.ExpectedClose != "2027-01-31" || d.Notes != "n" ||
			d.Visibility != "private" || !reflect.DeepEqual(d.Tags, []string{"museum"}) {
			t.Errorf("deal = %+v", d)
		}
		d = must[*store.Deal](t)(f.db.UpdateDeal(ctx, f.deal.ID, store.DealUpdate{ContactID: ptr(""), Company: ptr(""), ExpectedClose: ptr(""), RemoveTags: []string{"museum"}}))
		if d.ContactID != "" || d.CompanyID != "" || d.ExpectedClose != "" || len(d.Tags) != 0 {
			t.Errorf("deal after clearing = %+v", d)
		}
		before := dump(t, f.db)
		must[*store.Deal](t)(f.db.UpdateDeal(ctx, f.deal.ID, store.DealUpdate{Title: ptr("Analytical engine"), Value: ptr(int64(99)), Currency: ptr("JPY")}))
		assertUnchanged(t, f.db, before)
		checkHealthy(t, f.db)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		for _, tc := range []struct {
			name string
			u    store.DealUpdate
			want error
		}{
			{"empty title", store.DealUpdate{Title: ptr("")}, store.ErrInvalid},
			{"long title", store.DealUpdate{Title: ptr(long501)}, store.ErrInvalid},
			{"negative value", store.DealUpdate{Value: ptr(int64(-5))}, store.ErrInvalid},
			{"unknown currency", store.DealUpdate{Currency: ptr("XYZ")}, store.ErrInvalid},
			{"bad close date", store.DealUpdate{ExpectedClose: ptr("31/12/2026")}, store.ErrInvalid},
			{"long notes", store.DealUpdate{Notes: ptr(long64k)}, store.ErrInvalid},
			{"visibility", store.DealUpdate{Visibility: ptr("nobody")}, store.ErrInvalid},
			{"remove absent tag", store.DealUpdate{RemoveTags: []string{"x"}}, store.ErrInvalid},
			{"unknown contact", store.DealUpdate{Title: ptr("ok"), ContactID: ptr(store.NewID())}, store.ErrNotFound},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := dump(t, f.db)
				_, err := f.db.UpdateDeal(ctx, f.deal.ID, tc.u)
				wantErr(t, err, tc.want)
				assertUnchanged(t, f.db, before)
			})
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		before := dump(t, f.db)
		_, err := f.db.UpdateDeal(ctx, f.contact.ID, store.DealUpdate{Title: ptr("x")})
		wantErr(t, err, store.ErrNotFound)
		_, err = f.db.FindDealByID(ctx, "nope")
		wantErr(t, err, store.ErrNotFound)
		assertUnchanged(t, f.db, before)
	})
}

func TestDB_MoveDeal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		f.clk.Add(3 * 24 * time.Hour)
		d := must[*store.Deal](t)(f.db.MoveDeal(ctx, f.deal.ID, "negotiation"))
		if d.Stage != "Negotiation" || !d.StageEnteredAt.Equal(f.clk.Now()) {
			t.Errorf("deal = %+v", d)
		}
		tl := must[[]store.Interaction](t)(f.db.Timeline(ctx, store.TimelineFilter{DealID: f.deal.ID}))
		if len(tl) != 1 || tl[0].Kind != "stage_change" || tl[0].Text != "Stage: Lead → Negotiation" || tl[0].ContactID != f.contact.ID {
			t.Errorf("deal timeline = %+v", tl)
		}
		checkHealthy(t, f.db)
	})
	for _, tc := range []struct {
		name  string
		id    func(f *fixture) string
		stage string
		setup func(t *testing.T, f *fixture)
		want  error
	}{
		{"ErrInvalid", func(f *fixture) string { return f.deal.ID }, "Closing", nil, store.ErrInvalid},
		{"ErrInvalidEmptyStage", func(f *fixture) string { return f.deal.ID }, "", nil, store.ErrInvalid},
		{"ErrNotFound", func(f *fixture) string { return store.NewID() }, "Qualified", nil, store.ErrNotFound},
		{"ErrConflictSameStage", func(f *fixture) string { return f.deal.ID }, "lead", nil, store.ErrConflict},
		{"ErrConflictClosed", func(f *fixture) string { return f.deal.ID }, "Qualified", func(t *testing.T, f *fixture) {
			must[*store.Deal](t)(f.db.CloseDeal(ctx, f.deal.ID, store.StatusWon, ""))
		}, store.ErrConflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			if tc.setup != nil {
				tc.setup(t, f)
			}
			before := dump(t, f.db)
			_, err := f.db.MoveDeal(ctx, tc.id(f), tc.stage)
			wantErr(t, err, tc.want)
			assertUnchanged(t, f.db, before)
		})
	}
}

func TestDB_CloseDeal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		f.clk.Add(time.Hour)
		d := must[*store.Deal](t)(f.db.CloseDeal(ctx, f.deal.ID, store.StatusLost, "budget"))
		if d.Status != store.StatusLost || d.LostReason != "budget" || d.ClosedAt == nil || !d.ClosedAt.Equal(f.clk.Now()) {
			t.Errorf("lost deal = %+v", d)
		}
		d = must[*store.Deal](t)(f.db.CloseDeal(ctx, f.deal.ID, store.StatusOpen, ""))
		if d.Status != store.StatusOpen || d.LostReason != "" || d.ClosedAt != nil {
			t.Errorf("reopened deal = %+v", d)
		}
		d = must[*store.Deal](t)(f.db.CloseDeal(ctx, f.deal.ID, store.StatusWon, ""))
		if d.Status != store.StatusWon || d.ClosedAt == nil {
			t.Errorf("won deal = %+v", d)
		}
		var texts []string
		for _, e := range must[[]store.Interaction](t)(f.db.Timeline(ctx, store.TimelineFilter{DealID: f.deal.ID})) {
			texts = append(texts, e.Kind+": "+e.Text)
		}
		if len(texts) != 3 || texts[2] != "status_change: Lost: budget" || texts[1] != "status_change: Reopened" ||
			texts[0] != "status_change: Won: 12,000.00 GBP" {
			// entries logged in the same instant come back by id, newest first
			t.Errorf("timeline = %q", texts)
		}
		_, total := must2[[]store.Deal, int](t)(f.db.FindDeals(ctx, store.DealFilter{}))
		if total != 0 {
			t.Errorf("open deals = %d", total)
		}
		checkHealthy(t, f.db)
	})
	for _, tc := range []struct {
		name           string
		id             func(f *fixture) string
		status, reason string
		setup          func(t *testing.T, f *fixture)
		want           error
	}{
		{"ErrInvalid", func(f *fixture) string { return f.deal.ID }, "abandoned", "", nil, store.ErrInvalid},
		{"ErrInvalidLongReason", func(f *fixture) string { return f.deal.ID }, store.StatusLost, long501, nil, store.ErrInvalid},
		{"ErrNotFound", func(f *fixture) string { return store.NewID() }, store.StatusWon, "", nil, store.ErrNotFound},
		{"ErrConflictAlreadyOpen", func(f *fixture) string { return f.deal.ID }, store.StatusOpen, "", nil, store.ErrConflict},
		{"ErrConflictWonThenLost", func(f *fixture) string { return f.deal.ID }, store.StatusLost, "", func(t *testing.T, f *fixture) {
			must[*store.Deal](t)(f.db.CloseDeal(ctx, f.deal.ID, store.StatusWon, ""))
		}, store.ErrConflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			if tc.setup != nil {
				tc.setup(t, f)
			}
			before := dump(t, f.db)
			_, err := f.db.CloseDeal(ctx, tc.id(f), tc.status, tc.reason)
			wantErr(t, err, tc.want)
			assertUnchanged(t, f.db, before)
		})
	}
}

func TestDB_DeleteDeal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	noErr(t, f.db.DeleteDeal(ctx, f.deal.ID))
	if _, total := must2[[]store.Deal, int](t)(f.db.FindDeals(ctx, store.DealFilter{})); total != 0 {
		t.Errorf("live deals after delete = %d", total)
	}
	if _, total := must2[[]store.Deal, int](t)(f.db.FindDeals(ctx, store.DealFilter{All: true})); total != 1 {
		t.Errorf("deals with All = %d", total)
	}
	before := dump(t, f.db)
	wantErr(t, f.db.DeleteDeal(ctx, f.deal.ID), store.ErrConflict)
	wantErr(t, f.db.DeleteDeal(ctx, store.NewID()), store.ErrNotFound)
	wantErr(t, f.db.RestoreDeal(ctx, f.contact.ID), store.ErrNotFound)
	assertUnchanged(t, f.db, before)
	noErr(t, f.db.RestoreDeal(ctx, f.deal.ID))
	wantErr(t, f.db.RestoreDeal(ctx, f.deal.ID), store.ErrConflict)
	checkHealthy(t, f.db)
}

func TestDB_FindDeals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	f.clk.Add(time.Minute)
	b := must[*store.Deal](t)(f.db.CreateDeal(ctx, store.DealInput{Title: "B", Stage: "Qualified"}))
	f.clk.Add(time.Minute)
	c := must[*store.Deal](t)(f.db.CreateDeal(ctx, store.DealInput{Title: "C", Company: f.company.ID, Tags: []string{"x"}}))
	must[*store.Deal](t)(f.db.CloseDeal(ctx, c.ID, store.StatusWon, ""))
	titles := func(ds []store.Deal) []string {
		out := []string{}
		for _, d := range ds {
			out = append(out, d.Title)
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		f     store.DealFilter
		want  []string
		total int
	}{
		{"open, newest first", store.DealFilter{}, []string{"B", "Difference engine"}, 2},
		{"stage", store.DealFilter{StageID: b.StageID}, []string{"B"}, 1},
		{"won", store.DealFilter{Status: store.StatusWon}, []string{"C"}, 1},
		{"contact", store.DealFilter{ContactID: f.contact.ID}, []string{"Difference engine"}, 1},
		{"company, any status", store.DealFilter{CompanyID: f.company.ID, All: true}, []string{"C", "Difference engine"}, 2},
		{"page", store.DealFilter{All: true, Limit: 1, Offset: 1}, []string{"B"}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			list, total := must2[[]store.Deal, int](t)(f.db.FindDeals(ctx, tc.f))
			if got := titles(list); !reflect.DeepEqual(got, tc.want) || total != tc.total {
				t.Errorf("got %v (%d), want %v (%d)", got, total, tc.want, tc.total)
			}
		})
	}
}

func TestDB_FindStage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := mustOpen(t, store.Options{Stages: []store.StageSpec{{"Lead", 10, 14}, {"Proposal", 50, 21}, {"Proposal sent", 60, 21}}})
	for _, tc := range []struct{ in, want string }{
		{"lead", "Lead"}, {"LE", "Lead"}, {" proposal ", "Proposal"}, {"proposal s", "Proposal sent"},
	} {
		s, err := db.FindStage(ctx, tc.in)
		if err != nil || s.Name != tc.want {
			t.Errorf("FindStage(%q) = %q, %v; want %q", tc.in, s.Name, err, tc.want)
		}
	}
	for _, in := range []string{"", "prop", "won", "x"} {
		_, err := db.FindStage(ctx, in)
		wantErr(t, err, store.ErrInvalid)
	}
}

func TestDB_Pipeline(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, clk := openClock(t)
	mk := func(title string, value int64, cur, stage string) *store.Deal {
		return must[*store.Deal](t)(db.CreateDeal(ctx, store.DealInput{Title: title, Value: value, Currency: cur, Stage: stage}))
	}
	mk("old lead", 1000, "USD", "Lead")
	clk.Add(10 * 24 * time.Hour)
	mk("lead eur", 2000, "EUR", "Lead")
	mk("lead usd", 3000, "USD", "Lead")
	p1 := mk("proposal", 10001, "USD", "Proposal")
	won := mk("won", 50000, "USD", "Proposal")
	must[*store.Deal](t)(db.CloseDeal(ctx, won.ID, store.StatusWon, ""))
	lost := mk("lost", 70000, "EUR", "Lead")
	must[*store.Deal](t)(db.CloseDeal(ctx, lost.ID, store.StatusLost, "no"))
	gone := mk("deleted", 80000, "EUR", "Lead")
	noErr(t, db.DeleteDeal(ctx, gone.ID))
	clk.Add(5 * 24 * time.Hour) // old lead: 15 days in Lead (limit 14); the others 5
	_ = p1

	p := must[*store.Pipeline](t)(db.Pipeline(ctx, 10))
	if len(p.Stages) != 4 {
		t.Fatalf("stages = %d", len(p.Stages))
	}
	lead := p.Stages[0]
	if lead.Stage.Name != "Lead" || lead.Count != 3 || lead.Rotting != 1 {
		t.Errorf("lead column = %+v", lead)
	}
	wantTotals := []store.CurrencyTotal{{"EUR", 2000}, {"USD", 4000}}
	if !reflect.DeepEqual(lead.Totals, wantTotals) {
		t.Errorf("lead totals = %+v, want %+v", lead.Totals, wantTotals)
	}
	if want := []store.CurrencyTotal{{"EUR", 200}, {"USD", 400}}; !reflect.DeepEqual(lead.Weighted, want) {
		t.Errorf("lead weighted = %+v, want %+v", lead.Weighted, want)
	}
	prop := p.Stages[2]
	if prop.Count != 1 || !reflect.DeepEqual(prop.Totals, []store.CurrencyTotal{{"USD", 10001}}) ||
		!reflect.DeepEqual(prop.Weighted, []store.CurrencyTotal{{"USD", 5000}}) {
		t.Errorf("proposal column = %+v", prop)
	}
	if p.Stages[1].Count != 0 || len(p.Stages[1].Totals) != 0 {
		t.Errorf("empty column = %+v", p.Stages[1])
	}
	if want := []store.CurrencyTotal{{"EUR", 2000}, {"USD", 14001}}; !reflect.DeepEqual(p.Totals, want) {
		t.Errorf("totals = %+v, want %+v", p.Totals, want)
	}
	if want := []store.CurrencyTotal{{"EUR", 200}, {"USD", 5400}}; !reflect.DeepEqual(p.Weighted, want) {
		t.Errorf("weighted = %+v, want %+v", p.Weighted, want)
	}
	if len(p.Rotting) != 1 || p.Rotting[0].Title != "old lead" {
		t.Errorf("rotting = %+v", p.Rotting)
	}
}

func TestMoney(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, cur string
		want    int64
		format  string
	}{
		{"12000", "USD", 1_200_000, "12,000.00"},
		{"12000.5", "USD", 1_200_050, "12,000.50"},
		{"12,000.50", "EUR", 1_200_050, "12,000.50"},
		{" 1_000 ", "USD", 100_000, "1,000.00"},
		{".5", "USD", 50, "0.50"},
		{"0", "USD", 0, "0.00"},
		{"1500", "JPY", 1500, "1,500"},
		{"1.234", "KWD", 1234, "1.234"},
		{"999999999999999", "USD", 99_999_999_999_999_900, "999,999,999,999,999.00"},
	} {
		got, err := store.ParseAmount(tc.in, tc.cur)
		if err != nil || got != tc.want {
			t.Errorf("ParseAmount(%q, %s) = %d, %v; want %d", tc.in, tc.cur, got, err, tc.want)
			continue
		}
		if s := store.FormatAmount(got, tc.cur); s != tc.format {
			t.Errorf("FormatAmount(%d, %s) = %q, want %q", got, tc.cur, s, tc.format)
		}
	}
	for _, tc := range []struct{ in, cur string }{
		{"", "USD"}, {"-5", "USD"}, {"1.234", "USD"}, {"1.5", "JPY"}, {"12abc", "USD"}, {"1e5", "USD"}, {"1.2.3", "USD"},
		{"1000000000000000", "USD"}, {"+5", "USD"}, {"١٢", "USD"}, {".", "USD"}, {",", "USD"}, {"_._", "USD"},
	} {
		if n, err := store.ParseAmount(tc.in, tc.cur); err == nil {
			t.Errorf("ParseAmount(%q, %s) = %d, want an error", tc.in, tc.cur, n)
		} else {
			wantErr(t, err, store.ErrInvalid)
		}
	}
	if s := (store.Money{Amount: -123456, Currency: "USD"}).String(); s != "-1,234.56 USD" {
		t.Errorf("Money.String = %q", s)
	}
	if !store.ValidCurrency("EUR") || store.ValidCurrency("XYZ") || store.ValidCurrency("eur") {
		t.Errorf("ValidCurrency")
	}
}
