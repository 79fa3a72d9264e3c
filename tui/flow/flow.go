// Package flow holds the small multi-step actions several screens share: log an
// interaction (l, then a kind key, then the text), add a follow-up (title, then a
// natural due date), snooze or complete a follow-up, and confirm a delete. A screen
// keeps one Flow, starts an action on a key, and while Active passes it every
// message first. The store is only called from commands; each command's result is a
// common.ChangedMsg (which the root broadcasts) or a common.StatusMsg error.
package flow

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/tui/common"
	"github.com/rolo-crm/rolo/tui/prompt"
)

// Target is what an action is about: a contact, a company or a deal (one or more
// ids) and a label for the prompts ("Ann Lee").
type Target struct {
	ContactID, CompanyID, DealID string
	Label                        string
}

// Kinds maps the second key of `l` to an interaction kind.
var Kinds = []struct{ Key, Kind string }{
	{"c", "call"}, {"e", "email"}, {"m", "meeting"}, {"n", "note"}, {"s", "message"},
}

// Flow is the state of the action in progress (none when idle).
type Flow struct {
	c        common.Common
	db       *store.DB
	width    int
	choosing bool // waiting for the kind key of a log
	target   Target
	kind     string
	fu       *store.FollowUp
	title    string
	prompt   *prompt.Model
	confirm  func() tea.Cmd
}

// New returns an idle flow.
func New(c common.Common, db *store.DB) *Flow { return &Flow{c: c, db: db, width: 60} }

// SetCommon replaces the shared context (after a theme change).
func (f *Flow) SetCommon(c common.Common) { f.c = c }

// SetWidth sets the width available to prompts.
func (f *Flow) SetWidth(w int) {
	f.width = w
	if f.prompt != nil {
		f.prompt.SetWidth(w)
	}
}

// Active reports whether an action is in progress: the screen then routes keys here
// and reports Capturing.
func (f *Flow) Active() bool { return f.choosing || f.prompt != nil }

func (f *Flow) reset() {
	*f = Flow{c: f.c, db: f.db, width: f.width}
}

func (f *Flow) open(p *prompt.Model) {
	p.SetWidth(f.width)
	f.prompt = p
}

// Log starts logging an interaction with t: the next key picks the kind.
func (f *Flow) Log(t Target) {
	f.reset()
	f.target, f.choosing = t, true
}

// FollowUp starts adding a follow-up to t (a contact or a deal).
func (f *Flow) FollowUp(t Target) {
	f.reset()
	f.target = t
	f.open(prompt.Text(f.c.Styles, "flow:fu-title", "New follow-up for "+t.Label, "what to do · enter next · esc cancel", "", nonEmpty("the follow-up needs a title")))
}

// Snooze starts moving a follow-up to a later date.
func (f *Flow) Snooze(fu store.FollowUp) {
	f.reset()
	f.fu = &fu
	f.open(prompt.Text(f.c.Styles, "flow:snooze", "Snooze “"+fu.Title+"” until", "tomorrow · fri 9am · in 3d · next monday · 2026-05-01", "tomorrow", f.validDate))
}

// Confirm asks question and runs run's command on yes.
func (f *Flow) Confirm(question string, run func() tea.Cmd) {
	f.reset()
	f.confirm = run
	f.open(prompt.Confirm(f.c.Styles, "flow:confirm", question))
}

// Complete marks a follow-up done (done_at set) and reports the change.
func (f *Flow) Complete(fu store.FollowUp) tea.Cmd {
	ctx, db := f.c.Ctx, f.db
	return func() tea.Msg {
		if _, err := db.CompleteFollowUp(ctx, fu.ID); err != nil {
			return common.StatusMsg{Err: err}
		}
		return common.ChangedMsg{Status: "Done: " + fu.Title}
	}
}

func nonEmpty(msg string) func(string) error {
	return func(s string) error {
		if strings.TrimSpace(s) == "" {
			return fmt.Errorf("%s", msg)
		}
		return nil
	}
}

func (f *Flow) validDate(s string) error {
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("give a date, e.g. tomorrow or fri 3pm")
	}
	_, err := f.c.ParseWhen(s)
	return err
}

var editKey = key.NewBinding(key.WithKeys("ctrl+e"))

// Update handles a message while the flow is active (or its own result messages).
// handled is false when the message was not the flow's, so the screen handles it.
func (f *Flow) Update(msg tea.Msg) (cmd tea.Cmd, handled bool) {
	switch msg := msg.(type) {
	case prompt.DoneMsg:
		if !strings.HasPrefix(msg.Tag, "flow:") {
			return nil, false
		}
		return f.done(msg), true
	case common.EditedMsg:
		if msg.Tag != "flow:log" || f.prompt == nil {
			return nil, false
		}
		if msg.Err != nil {
			return common.Error(msg.Err), true
		}
		f.prompt.SetValue(msg.Text)
		return nil, true
	case tea.KeyPressMsg:
		if f.choosing {
			s := msg.String()
			if s == "esc" {
				f.reset()
				return nil, true
			}
			for _, k := range Kinds {
				if s == k.Key {
					f.choosing, f.kind = false, k.Kind
					f.open(prompt.Text(f.c.Styles, "flow:log", fmt.Sprintf("Log a %s with %s", k.Kind, f.target.Label),
						"enter save · ctrl+e $EDITOR for a long note · esc cancel", "", nonEmpty("write what happened")))
					return nil, true
				}
			}
			return nil, true // any other key: keep waiting for a kind
		}
		if f.prompt != nil {
			if key.Matches(msg, editKey) && f.prompt.Tag() == "flow:log" {
				return common.Edit(f.c.Editor, "flow:log", f.prompt.Value()), true
			}
			return f.prompt.Update(msg), true
		}
	}
	if f.prompt != nil {
		return f.prompt.Update(msg), true
	}
	return nil, false
}

func (f *Flow) done(msg prompt.DoneMsg) tea.Cmd {
	if msg.Cancelled {
		f.reset()
		return nil
	}
	ctx, db, t := f.c.Ctx, f.db, f.target
	switch msg.Tag {
	case "flow:log":
		kind := f.kind
		f.reset()
		return func() tea.Msg {
			_, err := db.LogInteraction(ctx, store.InteractionInput{Kind: kind, Text: msg.Value,
				ContactID: t.ContactID, CompanyID: t.CompanyID, DealID: t.DealID})
			if err != nil {
				return common.StatusMsg{Err: err}
			}
			return common.ChangedMsg{Status: fmt.Sprintf("Logged a %s with %s", kind, t.Label)}
		}
	case "flow:fu-title":
		f.title = msg.Value
		f.prompt = nil
		f.open(prompt.Text(f.c.Styles, "flow:fu-due", "Due date for “"+msg.Value+"”", "tomorrow · fri 9am · in 3d · next monday · 2026-05-01", "tomorrow", f.validDate))
		return nil
	case "flow:fu-due":
		title := f.title
		r, err := f.c.ParseWhen(msg.Value)
		f.reset()
		if err != nil {
			return common.Error(err)
		}
		return func() tea.Msg {
			_, err := db.AddFollowUp(ctx, store.FollowUpInput{Title: title, DueAt: r.Time, AllDay: r.AllDay,
				ContactID: t.ContactID, DealID: t.DealID})
			if err != nil {
				return common.StatusMsg{Err: err}
			}
			return common.ChangedMsg{Status: fmt.Sprintf("Follow-up “%s” due %s", title, describe(r.Time, r.AllDay))}
		}
	case "flow:snooze":
		fu := f.fu
		r, err := f.c.ParseWhen(msg.Value)
		f.reset()
		if err != nil {
			return common.Error(err)
		}
		return func() tea.Msg {
			if _, err := db.SnoozeFollowUp(ctx, fu.ID, r.Time, r.AllDay); err != nil {
				return common.StatusMsg{Err: err}
			}
			return common.ChangedMsg{Status: fmt.Sprintf("Snoozed “%s” to %s", fu.Title, describe(r.Time, r.AllDay))}
		}
	case "flow:confirm":
		run := f.confirm
		f.reset()
		if msg.Confirmed && run != nil {
			return run()
		}
	}
	return nil
}

func describe(t time.Time, allDay bool) string {
	if allDay {
		return t.Format("Mon 2 Jan 2006")
	}
	return t.Format("Mon 2 Jan 2006 15:04")
}

// View renders the open prompt, or the kind chooser of a log; "" when idle.
func (f *Flow) View() string {
	if f.choosing {
		var parts []string
		for _, k := range Kinds {
			parts = append(parts, f.c.Styles.Key.Render(k.Key)+" "+k.Kind)
		}
		body := f.c.Styles.Heading.Render("Log with "+f.target.Label+": which kind?") + "\n" +
			strings.Join(parts, "  ") + "\n" + f.c.Styles.Subtle.Render("esc cancel")
		return f.c.Styles.Dialog.Width(max(20, min(f.width, 72))).Render(body)
	}
	if f.prompt != nil {
		return f.prompt.View()
	}
	return ""
}
