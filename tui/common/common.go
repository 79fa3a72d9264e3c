// Package common holds what every screen of the TUI shares: the context and
// styles passed in by the root, the messages screens use to ask the root to
// navigate or to report a change, and small layout helpers.
//
// Screens never reach into each other. A screen that wants another screen to
// open a record returns a command whose message (OpenContactMsg, OpenDealMsg…)
// the root acts on. A screen that wrote to the store returns Changed, which the
// root broadcasts to every screen so each reloads what it shows.
package common

import (
	"context"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/tui/styles"
)

// Common is what the root passes to every screen's New.
type Common struct {
	// Ctx is cancelled when the app quits; store calls made in commands use it.
	Ctx context.Context
	// Styles is the current theme. The root replaces it (and calls SetStyles on
	// every screen) when the terminal reports its background colour.
	Styles *styles.Styles
	// Now is the clock; tests pin it so golden views are stable.
	Now func() time.Time
	// Loc is the local time zone dates are shown and parsed in.
	Loc *time.Location
	// Currency is the default currency code for new deals.
	Currency string
	// Editor is the command that edits long notes ($VISUAL, $EDITOR or config).
	Editor string
	// WeekStart is the first day of the week for natural dates ("next week") and
	// the follow-ups' "this week" group.
	WeekStart time.Weekday
}

// WithDefaults fills in what c leaves unset, so a screen built from a partial Common
// still works: the real clock, the local zone, USD, a background context and the
// dark theme in colour.
func (c Common) WithDefaults() Common {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Loc == nil {
		c.Loc = time.Local
	}
	if c.Currency == "" {
		c.Currency = "USD"
	}
	if c.Ctx == nil {
		c.Ctx = context.Background()
	}
	if c.Styles == nil {
		c.Styles = styles.New(true, false)
	}
	return c
}

// Today returns the local date at midnight, for grouping by day.
func (c Common) Today() time.Time {
	n := c.Now().In(c.Loc)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, c.Loc)
}

// Store is the part of the store every screen may rely on. Screens declare the
// narrower interfaces they need; *store.DB satisfies all of them.
type Store interface {
	Count(ctx context.Context) (store.Counts, error)
}

// Screen is what the root needs of each of the five screens (today, contacts,
// pipeline, followups, reports). Each screen package's *Model implements it;
// Update mutates the model in place and returns the follow-up command.
type Screen interface {
	// Init returns the command that loads the screen's first data.
	Init() tea.Cmd
	// Update handles a message routed to this screen: key presses while it is
	// active, its own result messages, ChangedMsg and the Open…Msg aimed at it.
	Update(msg tea.Msg) tea.Cmd
	// View renders the screen's body (everything between the tab bar and the
	// status bar) in exactly the size last given to SetSize.
	View() string
	// SetSize gives the body's width and height.
	SetSize(width, height int)
	// SetStyles replaces the theme (after the terminal reports its background).
	SetStyles(s *styles.Styles)
	// Title is the tab label ("Today", "Contacts"…).
	Title() string
	// Capturing reports whether a text field, form or prompt has focus. While
	// it does, the root passes every key to the screen (only ctrl+c quits), so
	// typing "q" or "2" into a filter does not quit or switch screens.
	Capturing() bool
	// ShortHelp and FullHelp list the screen's live key bindings for the footer,
	// the ? help and the command palette (which runs an action by sending the
	// binding's first key to the screen).
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
}

// Navigation and change messages. The root handles these.
type (
	// OpenContactMsg asks the root to show a contact in the Contacts screen.
	OpenContactMsg struct{ ID string }
	// OpenCompanyMsg asks the root to show a company in the Contacts screen.
	OpenCompanyMsg struct{ ID string }
	// OpenDealMsg asks the root to show a deal (the Pipeline screen's detail).
	OpenDealMsg struct{ ID string }
	// SwitchScreenMsg asks the root to make a screen active (1–5).
	SwitchScreenMsg struct{ Screen int }

	// ChangedMsg reports that the store was written to. The root shows Status in
	// the status bar and forwards the message to every screen, which reloads.
	ChangedMsg struct{ Status string }
	// StatusMsg shows a message in the status bar without any store change.
	StatusMsg struct {
		Text string
		Err  error
	}
)

// Screen numbers, as the number keys select them.
const (
	ScreenToday = iota + 1
	ScreenContacts
	ScreenPipeline
	ScreenFollowUps
	ScreenReports
)

// Changed returns a command reporting a store change with a status line.
func Changed(status string) tea.Cmd {
	return func() tea.Msg { return ChangedMsg{Status: status} }
}

// Status returns a command that shows a message in the status bar.
func Status(text string) tea.Cmd {
	return func() tea.Msg { return StatusMsg{Text: text} }
}

// Error returns a command that shows an error in the status bar.
func Error(err error) tea.Cmd {
	return func() tea.Msg { return StatusMsg{Err: err} }
}

// Open returns a command asking the root to open a record.
func Open(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

// RunMsg asks the root to make Screen active and send it Key, as if typed: how the
// command palette runs a binding, and how one screen starts another's action (the
// first-run greeting's "add a contact").
type RunMsg struct {
	Screen int
	Key    tea.KeyPressMsg
}
