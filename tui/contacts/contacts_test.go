package contacts

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/tui/internal/tuitest"
)

func setup(t *testing.T) (*Model, *store.DB, tuitest.Fixture) {
	t.Helper()
	return tuitest.Setup(t, New)
}

func TestContacts_FilterAsYouType(t *testing.T) {
	m, _, _ := setup(t)
	if m.Rows() != 4 {
		t.Fatalf("rows = %d", m.Rows())
	}
	tuitest.Press(t, m, "/", "c", "l")
	if m.Query() != "cl" || m.Rows() != 1 || !strings.Contains(m.View(), "Cleo Park") {
		t.Fatalf("filter cl: %d rows\n%s", m.Rows(), m.View())
	}
	tuitest.Press(t, m, "backspace", "backspace", "acme")
	if m.Rows() != 2 {
		t.Fatalf("filter acme: %d rows", m.Rows())
	}
	tuitest.Press(t, m, "esc")
	if m.Query() != "" || m.Rows() != 4 || m.Capturing() {
		t.Fatalf("esc did not clear the filter: %q %d", m.Query(), m.Rows())
	}
}

func TestContacts_AddFormValidates(t *testing.T) {
	m, db, _ := setup(t)
	tuitest.Press(t, m, "a", "Zoe Quinn", "tab", "not-an-email")
	tuitest.Press(t, m, "ctrl+s")
	v := m.View()
	if !strings.Contains(v, `email "not-an-email" is not a valid address`) || m.form == nil {
		t.Fatalf("bad email not reported inline:\n%s", v)
	}
	if rows, _, _ := db.SearchContactRows(context.Background(), "zoe", 0); len(rows) != 0 {
		t.Fatal("a contact was created despite the error")
	}
	// Fix the email; save creates the contact and opens it.
	for range len("not-an-email") {
		tuitest.Press(t, m, "backspace")
	}
	tuitest.Press(t, m, "zoe@quinn.dev", "tab", "tab", "Initech", "ctrl+s")
	if m.form != nil {
		t.Fatalf("form still open: %s", m.form.Err())
	}
	rows, _, err := db.SearchContactRows(context.Background(), "zoe", 0)
	if err != nil || len(rows) != 1 || rows[0].Email != "zoe@quinn.dev" || rows[0].Company != "Initech" {
		t.Fatalf("created = %+v %v", rows, err)
	}
	if !strings.Contains(m.View(), "zoe@quinn.dev") {
		t.Fatalf("the new contact is not shown:\n%s", m.View())
	}
}

func TestContacts_EditLogFollowUpDelete(t *testing.T) {
	m, db, f := setup(t)
	ctx := context.Background()
	// The cursor is on Ann Lee (first by name).
	tuitest.Press(t, m, "e")
	if m.form == nil {
		t.Fatal("e did not open the form")
	}
	tuitest.Press(t, m, "tab", "tab", "+1 555 0100", "ctrl+s")
	c, err := db.FindContactByID(ctx, f.Ann)
	if err != nil || c.PrimaryPhone() != "+1 555 0100" || c.PrimaryEmail() != "ann@acme.com" {
		t.Fatalf("after edit: %+v %v", c, err)
	}
	tuitest.Press(t, m, "l", "e", "Sent the revised quote", "enter")
	tl, _ := db.Timeline(ctx, store.TimelineFilter{ContactID: f.Ann})
	if tl[0].Kind != "email" || tl[0].Text != "Sent the revised quote" {
		t.Fatalf("timeline head = %+v", tl[0])
	}
	tuitest.Press(t, m, "f", "Send the deck", "enter", "ctrl+u", "fri 9am", "enter")
	fus, _, _ := db.FindFollowUps(ctx, store.FollowUpFilter{ContactID: f.Ann})
	found := false
	for _, fu := range fus {
		if fu.Title == "Send the deck" && fu.DueAt.Format("2006-01-02 15:04") == "2026-03-06 09:00" {
			found = true
		}
	}
	if !found {
		t.Fatalf("follow-up not added: %+v", fus)
	}
	tuitest.Press(t, m, "d")
	if !strings.Contains(m.View(), "Delete contact Ann Lee?") {
		t.Fatalf("no confirmation:\n%s", m.View())
	}
	tuitest.Press(t, m, "n")
	if c, _ := db.FindContactByID(ctx, f.Ann); c.DeletedAt != nil {
		t.Fatal("deleted although the rep said no")
	}
	tuitest.Press(t, m, "d", "y")
	if c, _ := db.FindContactByID(ctx, f.Ann); c.DeletedAt == nil {
		t.Fatal("not deleted after y")
	}
	if strings.Contains(m.View(), "Ann Lee") {
		t.Fatalf("deleted contact still listed:\n%s", m.View())
	}
}

func TestContacts_Companies(t *testing.T) {
	m, db, f := setup(t)
	tuitest.Press(t, m, "c")
	if m.Rows() != 2 || !strings.Contains(m.View(), "Globex") {
		t.Fatalf("companies: %d rows\n%s", m.Rows(), m.View())
	}
	tuitest.Press(t, m, "enter")
	if !strings.Contains(m.View(), "Bob Stone") {
		t.Fatalf("company detail lacks its contacts:\n%s", m.View())
	}
	tuitest.Press(t, m, "l", "m", "Quarterly business review", "enter")
	tl, _ := db.Timeline(context.Background(), store.TimelineFilter{CompanyID: f.Acme})
	if tl[0].Kind != "meeting" || tl[0].Text != "Quarterly business review" {
		t.Fatalf("company timeline head = %+v", tl[0])
	}
	tuitest.Press(t, m, "esc", "a", "Initech", "tab", "initech", "ctrl+s")
	if !strings.Contains(m.form.Err(), "not a domain name") {
		t.Fatalf("bad domain not reported: %q", m.form.Err())
	}
	tuitest.Press(t, m, ".com", "ctrl+s")
	if m.form != nil || m.Rows() != 3 {
		t.Fatalf("company not added: rows %d form %v\n%s", m.Rows(), m.form != nil, m.View())
	}
}

// TestContacts_Window checks the list slides a bounded window over many contacts.
func TestContacts_Window(t *testing.T) {
	db := tuitest.Open(t)
	ctx := context.Background()
	for i := range 700 {
		if _, err := db.CreateContact(ctx, store.ContactInput{Name: fmt.Sprintf("Person %04d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	m := New(tuitest.Common(), db)
	m.SetSize(80, 21)
	tuitest.Run(t, m, m.Init())
	for range 650 {
		tuitest.Press(t, m, "j")
		if m.Rows() > maxRows {
			t.Fatalf("window grew to %d rows", m.Rows())
		}
	}
	if r, _ := m.current(); r.name != "Person 0650" {
		t.Fatalf("after 650 downs the cursor is on %q", r.name)
	}
	tuitest.Press(t, m, "G")
	if r, _ := m.current(); r.name != "Person 0699" {
		t.Fatalf("G: on %q", r.name)
	}
	for range 300 {
		tuitest.Press(t, m, "k")
	}
	if r, _ := m.current(); r.name != "Person 0399" {
		t.Fatalf("after G and 300 ups: on %q", r.name)
	}
	tuitest.Press(t, m, "g")
	if r, _ := m.current(); r.name != "Person 0000" {
		t.Fatalf("g: on %q", r.name)
	}
}
