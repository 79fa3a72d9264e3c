package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
)

// The TUI runs the store on one connection. Every write must then work without a second
// one: a read made inside a write (to check what it changes) goes through the write's
// transaction. On the pool it would wait for a connection forever; the deadline turns
// such a wait into a failure.
func TestOneConnection_EveryWrite(t *testing.T) {
	db := mustOpen(t)
	db.SQL().SetMaxOpenConns(1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	co, err := db.CreateCompany(ctx, store.CompanyInput{Name: "Acme", Tags: []string{"b2b"}})
	must("add company", err)
	name, title := "Acme Corp", "CTO"
	_, err = db.UpdateCompany(ctx, co.ID, store.CompanyUpdate{Name: &name})
	must("edit company", err)
	a, err := db.CreateContact(ctx, store.ContactInput{Name: "Robert Smith", Company: "Acme Corp", Emails: []store.Email{{Email: "rob@acme.test"}}})
	must("add contact", err)
	b, err := db.CreateContact(ctx, store.ContactInput{Name: "Bob Smith", Phones: []store.Phone{{Phone: "+1 555 0100"}}})
	must("add contact", err)
	_, err = db.UpdateContact(ctx, a.ID, store.ContactUpdate{Title: &title})
	must("edit contact", err)
	d, err := db.CreateDeal(ctx, store.DealInput{Title: "Renewal", ContactID: a.ID, Value: 5000})
	must("add deal", err)
	deal := "Renewal 2027"
	_, err = db.UpdateDeal(ctx, d.ID, store.DealUpdate{Title: &deal})
	must("edit deal", err)
	_, err = db.MoveDeal(ctx, d.ID, "Proposal")
	must("move deal", err)
	_, err = db.CloseDeal(ctx, d.ID, "won", "")
	must("win deal", err)
	i, err := db.LogInteraction(ctx, store.InteractionInput{Kind: "call", Text: "Talked renewal", ContactID: a.ID})
	must("log", err)
	_, err = db.AmendInteraction(ctx, i.ID, "Talked about the renewal")
	must("amend", err)
	f, err := db.AddFollowUp(ctx, store.FollowUpInput{Title: "Send contract", DueAt: time.Now().Add(24 * time.Hour), ContactID: a.ID})
	must("add follow-up", err)
	_, err = db.SnoozeFollowUp(ctx, f.ID, time.Now().Add(48*time.Hour), false)
	must("snooze", err)
	_, err = db.CompleteFollowUp(ctx, f.ID)
	must("complete", err)
	_, err = db.MergeRecords(ctx, a.ID, b.ID)
	must("merge", err)
	_, err = db.Unmerge(ctx, b.ID)
	must("unmerge", err)
	must("delete", db.DeleteContact(ctx, b.ID))
	must("restore", db.RestoreContact(ctx, b.ID))
	for n := 0; n < 3; n++ {
		_, err := db.Undo(ctx)
		must("undo", err)
	}
	if probs, err := db.Check(ctx); err != nil || len(probs) != 0 {
		t.Fatalf("check: %v %v", probs, err)
	}
}
