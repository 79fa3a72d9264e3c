package ical_test

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/store/ical"
)

var testNow = time.Date(2026, 3, 11, 10, 0, 0, 0, time.UTC)

func TestExport(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "rolo.db"), store.Options{Now: func() time.Time { return testNow }, Owner: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cet := time.FixedZone("CET", 3600)
	ada, err := db.CreateContact(ctx, store.ContactInput{Name: "Ada Lovelace", Company: "Analytical Engines"})
	if err != nil {
		t.Fatal(err)
	}
	deal, err := db.CreateDeal(ctx, store.DealInput{Title: "Engines pilot", ContactID: ada.ID})
	if err != nil {
		t.Fatal(err)
	}
	// An all-day follow-up (due at local midnight, as rolo stores whole days), a timed one
	// for a deal, one done and one deleted.
	fu1, err := db.AddFollowUp(ctx, store.FollowUpInput{Title: "Send the proposal, with numbers; and a note",
		DueAt: time.Date(2026, 3, 13, 0, 0, 0, 0, cet), AllDay: true, ContactID: ada.ID})
	if err != nil {
		t.Fatal(err)
	}
	fu2, err := db.AddFollowUp(ctx, store.FollowUpInput{Title: strings.Repeat("Call about the pilot's next steps ", 3),
		DueAt: time.Date(2026, 3, 12, 15, 30, 0, 0, cet), DealID: deal.ID})
	if err != nil {
		t.Fatal(err)
	}
	done, _ := db.AddFollowUp(ctx, store.FollowUpInput{Title: "Done already", DueAt: testNow, ContactID: ada.ID})
	if _, err := db.CompleteFollowUp(ctx, done.ID); err != nil {
		t.Fatal(err)
	}
	gone, _ := db.AddFollowUp(ctx, store.FollowUpInput{Title: "Deleted", DueAt: testNow, ContactID: ada.ID})
	if err := db.DeleteFollowUp(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	meet, err := db.LogInteraction(ctx, store.InteractionInput{Kind: "meeting", Text: "Pilot review\nBring the demo", ContactID: ada.ID,
		OccurredAt: time.Date(2026, 3, 20, 14, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.LogInteraction(ctx, store.InteractionInput{Kind: "meeting", Text: "Past meeting", ContactID: ada.ID,
		OccurredAt: testNow.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	st, err := ical.Export(ctx, db, &buf, ical.Options{Now: testNow, Location: cet})
	if err != nil {
		t.Fatal(err)
	}
	if st.ToDos != 2 || st.Events != 1 {
		t.Errorf("stats %+v", st)
	}
	short := func(id string) string { return store.ShortID(id) }
	r := strings.NewReplacer(fu1.ID, "FU1", fu2.ID, "FU2", meet.ID, "MEET", short(ada.ID), "ADA", short(deal.ID), "DEAL")
	want := `BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//rolo//rolo CRM//EN
CALSCALE:GREGORIAN
X-WR-CALNAME:rolo
BEGIN:VTODO
UID:FU2@rolo
DTSTAMP:20260311T100000Z
CREATED:20260311T100000Z
LAST-MODIFIED:20260311T100000Z
SUMMARY:Call about the pilot's next steps Call about the pilot's next steps Call about the pilot's next steps
DUE:20260312T143000Z
STATUS:NEEDS-ACTION
DESCRIPTION:Ada Lovelace\nrolo contact show ADA\nDeal: Engines pilot\nrolo deal show DEAL
BEGIN:VALARM
ACTION:DISPLAY
DESCRIPTION:Call about the pilot's next steps Call about the pilot's next steps Call about the pilot's next steps
TRIGGER;VALUE=DATE-TIME:20260312T143000Z
END:VALARM
END:VTODO
BEGIN:VTODO
UID:FU1@rolo
DTSTAMP:20260311T100000Z
CREATED:20260311T100000Z
LAST-MODIFIED:20260311T100000Z
SUMMARY:Send the proposal\, with numbers\; and a note
DUE;VALUE=DATE:20260313
STATUS:NEEDS-ACTION
DESCRIPTION:Ada Lovelace\nrolo contact show ADA
BEGIN:VALARM
ACTION:DISPLAY
DESCRIPTION:Send the proposal\, with numbers\; and a note
TRIGGER;VALUE=DATE-TIME:20260313T080000Z
END:VALARM
END:VTODO
BEGIN:VEVENT
UID:MEET@rolo
DTSTAMP:20260311T100000Z
CREATED:20260311T100000Z
DTSTART:20260320T140000Z
DURATION:PT1H
SUMMARY:Meeting with Ada Lovelace: Pilot review
DESCRIPTION:Pilot review\nBring the demo\n\nAda Lovelace\nrolo contact show ADA
END:VEVENT
END:VCALENDAR
`
	// Compared unfolded, since ids change where lines fold.
	got := r.Replace(strings.ReplaceAll(buf.String(), "\r\n ", ""))
	if !strings.Contains(buf.String(), "\r\n") || strings.Contains(strings.ReplaceAll(buf.String(), "\r\n", ""), "\n") {
		t.Errorf("lines do not all end in CRLF")
	}
	for _, l := range strings.Split(buf.String(), "\r\n") {
		if len(l) > 75 {
			t.Errorf("line of %d octets: %q", len(l), l)
		}
	}
	if got = strings.ReplaceAll(got, "\r\n", "\n"); got != want {
		t.Errorf("calendar:\n%s\nwant:\n%s", got, want)
	}
	if !strings.Contains(buf.String(), "\r\n ") {
		t.Errorf("no line was folded")
	}
	if regexp.MustCompile(`(?m)^DTSTAMP:\d{8}T\d{6}Z$`).FindAllString(got, -1) == nil {
		t.Errorf("no UTC DTSTAMP")
	}
}
