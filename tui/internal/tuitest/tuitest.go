// Package tuitest drives screens and the root model in tests without a terminal:
// it runs commands synchronously and feeds their messages back, and builds a small
// fixed data set on a pinned clock so golden views are stable.
package tuitest

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	_ "github.com/charmbracelet/x/exp/teatest/v2" // defines -update

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/tui/common"
	"github.com/rolo-crm/rolo/tui/styles"
)

// updating reports flag -update (rewrite golden files instead of comparing them).
// teatest defines the flag; importing it here makes it exist in every package that
// uses tuitest, once.
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// Now is the pinned clock of every TUI test: a Wednesday afternoon.
var Now = time.Date(2026, 3, 4, 15, 0, 0, 0, time.UTC)

// Common is the shared context of a test: pinned clock, UTC, no colour.
func Common() common.Common {
	return common.Common{Ctx: context.Background(), Styles: styles.New(true, true), Now: func() time.Time { return Now },
		Loc: time.UTC, Currency: "USD", Editor: "true", WeekStart: time.Monday}
}

// Open opens an empty database on the pinned clock.
func Open(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "rolo.db"),
		store.Options{Now: func() time.Time { return Now }, Owner: "tester"})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	// As rolo runs the TUI: one connection (a read that waited for a second one would
	// hang the test, as it would hang the screen).
	db.SQL().SetMaxOpenConns(1)
	return db
}

// Fixture is the ids of the small fixed data set.
type Fixture struct {
	Ann, Bob, Cleo, Dan  string // contacts
	Acme, Globex         string // companies
	Renewal, Pilot       string // deals
	Late, Today, Next    string // follow-ups: overdue, due today, next week
	LaterOne, DoneOne    string
	RenewalFU            string // a follow-up on the renewal deal
	TimelineOfAnnEntries int
}

// Seed fills db with the fixed data set.
func Seed(tb testing.TB, db *store.DB) Fixture {
	tb.Helper()
	ctx := context.Background()
	var f Fixture
	must := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
	}
	co, err := db.CreateCompany(ctx, store.CompanyInput{Name: "Acme Corp", Domain: "acme.com", Tags: []string{"customer"}})
	must(err)
	f.Acme = co.ID
	co, err = db.CreateCompany(ctx, store.CompanyInput{Name: "Globex", Domain: "globex.io"})
	must(err)
	f.Globex = co.ID
	add := func(name, company, email string, cadence int, tags ...string) string {
		var emails []store.Email
		if email != "" {
			emails = []store.Email{{Email: email}}
		}
		c, err := db.CreateContact(ctx, store.ContactInput{Name: name, Company: company, Emails: emails, CadenceDays: cadence,
			Tags: tags, Title: "Buyer"})
		must(err)
		return c.ID
	}
	f.Ann = add("Ann Lee", "Acme Corp", "ann@acme.com", 0, "vip")
	f.Bob = add("Bob Stone", "Acme Corp", "bob@acme.com", 7)
	f.Cleo = add("Cleo Park", "Globex", "cleo@globex.io", 0, "partner")
	f.Dan = add("Dan Moss", "", "", 0)
	d, err := db.CreateDeal(ctx, store.DealInput{Title: "Acme renewal", ContactID: f.Ann, Value: 1200000, Currency: "USD", Stage: "Proposal"})
	must(err)
	f.Renewal = d.ID
	d, err = db.CreateDeal(ctx, store.DealInput{Title: "Globex pilot", ContactID: f.Cleo, Value: 500000, Currency: "USD"})
	must(err)
	f.Pilot = d.ID
	for i, t := range []string{"Intro call, wants a quote", "Sent the quote", "Met at their office"} {
		_, err := db.LogInteraction(ctx, store.InteractionInput{Kind: store.InteractionKinds[i], Text: t, ContactID: f.Ann,
			OccurredAt: Now.AddDate(0, 0, -10+3*i)})
		must(err)
	}
	f.TimelineOfAnnEntries = 3
	fu := func(title string, due time.Time, allDay bool, contact, deal string) string {
		u, err := db.AddFollowUp(ctx, store.FollowUpInput{Title: title, DueAt: due, AllDay: allDay, ContactID: contact, DealID: deal})
		must(err)
		return u.ID
	}
	f.Late = fu("Send the contract", Now.AddDate(0, 0, -2), true, f.Ann, "")
	f.Today = fu("Call Cleo back", Now.Add(2*time.Hour), false, f.Cleo, "")
	f.Next = fu("Check in with Bob", Now.AddDate(0, 0, 2), true, f.Bob, "")
	f.LaterOne = fu("Quarterly review", Now.AddDate(0, 0, 20), true, f.Ann, "")
	f.RenewalFU = fu("Chase the signature", Now.AddDate(0, 0, 1), true, "", f.Renewal)
	f.DoneOne = fu("Book the demo", Now.AddDate(0, 0, -5), true, f.Dan, "")
	_, err = db.CompleteFollowUp(ctx, f.DoneOne)
	must(err)
	return f
}

// Model is anything that takes messages and returns commands: a screen, or the root.
type Model interface{ Update(tea.Msg) tea.Cmd }

// Drive sends msgs to m, running every command they produce (and the commands those
// produce) until none is left. Commands that would leave the test (quit, suspend,
// a program exec) are not run; their messages are collected in Out.
func Drive(tb testing.TB, m Model, msgs ...tea.Msg) *Out {
	tb.Helper()
	out := &Out{}
	for _, msg := range msgs {
		out.run(tb, m, m.Update(msg), 0)
	}
	return out
}

// Run runs cmd like Drive runs the commands of a message.
func Run(tb testing.TB, m Model, cmd tea.Cmd) *Out {
	tb.Helper()
	out := &Out{}
	out.run(tb, m, cmd, 0)
	return out
}

// Out is what driving produced.
type Out struct {
	// Msgs are every message delivered, in order.
	Msgs []tea.Msg
	// Quit is true when a command asked the program to quit.
	Quit bool
}

// Has reports whether a message of the same type as want was delivered.
func (o *Out) Has(want tea.Msg) bool {
	for _, m := range o.Msgs {
		if reflect.TypeOf(m) == reflect.TypeOf(want) {
			return true
		}
	}
	return false
}

func (o *Out) run(tb testing.TB, m Model, cmd tea.Cmd, depth int) {
	tb.Helper()
	if cmd == nil {
		return
	}
	if depth > 60 {
		tb.Fatalf("commands did not settle after %d rounds", depth)
	}
	msg := cmd()
	switch msg := msg.(type) {
	case nil:
		return
	case tea.BatchMsg:
		for _, c := range msg {
			o.run(tb, m, c, depth+1)
		}
		return
	case tea.QuitMsg:
		o.Quit = true
		return
	}
	name := reflect.TypeOf(msg).String()
	if strings.Contains(name, "execMsg") || strings.Contains(name, "suspendMsg") || strings.Contains(name, "sequenceMsg") {
		o.Msgs = append(o.Msgs, msg)
		return
	}
	o.Msgs = append(o.Msgs, msg)
	o.run(tb, m, m.Update(msg), depth+1)
}

// Key is a key press by name ("j", "enter", "ctrl+k", "space").
func Key(name string) tea.KeyPressMsg { return common.KeyPress(name) }

// Type is the key presses that type s.
func Type(s string) []tea.Msg {
	var out []tea.Msg
	for _, r := range s {
		if r == ' ' {
			out = append(out, Key("space"))
			continue
		}
		out = append(out, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return out
}

// shortID matches the short ids shown beside titles: random, so goldens mask them.
var shortID = regexp.MustCompile(`\b[0-9a-f]{8}\b`)

// Keys is one key press when s names a key ("enter", "ctrl+u", "x"), else the key
// presses that type s.
func Keys(s string) []tea.Msg {
	if k := common.KeyPress(s); k.Code != 0 {
		return []tea.Msg{k}
	}
	return Type(s)
}

// Golden compares got with testdata/NAME.golden (or writes it under -update), with
// the short ids masked.
func Golden(tb testing.TB, name, got string) {
	tb.Helper()
	GoldenExact(tb, name, shortID.ReplaceAllString(got, "xxxxxxxx"))
}

// GoldenExact is Golden without masking: for views that show no ids.
func GoldenExact(tb testing.TB, name, got string) {
	tb.Helper()
	path := filepath.Join("testdata", name+".golden")
	if updating() {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run go test -update in this package to create it)", err)
	}
	if string(want) != got {
		tb.Errorf("view differs from %s (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// CheckSize fails when view is not exactly w cells wide on every line and h lines.
func CheckSize(tb testing.TB, view string, w, h int) {
	tb.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		tb.Errorf("view has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if n := cellWidth(l); n != w {
			tb.Errorf("line %d is %d cells wide, want %d: %q", i+1, n, w, l)
		}
	}
}

func cellWidth(s string) int { return ansi.StringWidth(s) }

// ConflictOpts describe a conflict record as the server would send it.
type ConflictOpts struct {
	Entity, EntityID, Field string
	// Winner and Loser are the two values, as JSON ("\"VP\"").
	Winner, Loser string
	// WinnerUser and LoserUser are who wrote each; the devices are named after them.
	WinnerUser, LoserUser string
	// At is when the losing edit was made; the winning one is a minute later.
	At time.Time
}

var conflictN int

// Conflict records a sync conflict in db the way a pull does (ApplyRemote with a
// conflict change), so the record and its current value are the test's own.
func Conflict(tb testing.TB, db *store.DB, o ConflictOpts) string {
	tb.Helper()
	conflictN++
	id := fmt.Sprintf("0190aaaa-0000-7000-8000-%012d", conflictN)
	_, err := db.ApplyRemote(context.Background(), []store.RemoteChange{{Kind: store.ChangeConflict, OpID: "k" + id,
		Conflict: &store.Conflict{ID: id, Entity: o.Entity, EntityID: o.EntityID, Field: o.Field,
			WinnerValue: json.RawMessage(o.Winner), WinnerUser: o.WinnerUser, WinnerDevice: "dev-" + o.WinnerUser,
			WinnerHLC:  store.HLC(0).Next(o.At.Add(time.Minute)),
			LoserValue: json.RawMessage(o.Loser), LoserUser: o.LoserUser, LoserDevice: "dev-" + o.LoserUser,
			LoserHLC: store.HLC(0).Next(o.At), At: o.At.Add(time.Minute)}}}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return id
}
