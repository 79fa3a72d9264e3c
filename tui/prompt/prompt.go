// Package prompt is the small modal every screen uses to ask one thing: a line
// of text (a lost reason, a snooze date, a note) or a yes/no confirmation.
//
// A screen keeps a *Model (nil when no prompt is open), forwards key presses
// to it while it is open, and acts on the DoneMsg it returns. Validate runs on
// enter, so a bad value (an unparseable date) is reported inline and the
// prompt stays open with the text kept.
package prompt

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/rolo-crm/rolo/tui/styles"
)

// DoneMsg is sent when the prompt closes. Cancelled is true after esc; Tag is
// the caller's label for what was asked, so one screen can run several prompts.
type DoneMsg struct {
	Tag       string
	Value     string
	Confirmed bool // for confirmations: true on y/enter
	Cancelled bool
}

// Model is an open prompt.
type Model struct {
	tag      string
	title    string
	hint     string
	confirm  bool
	input    textinput.Model
	validate func(string) error
	err      error
	styles   *styles.Styles
	width    int
}

// Text opens a prompt for a line of text. validate may be nil.
func Text(st *styles.Styles, tag, title, hint, value string, validate func(string) error) *Model {
	in := textinput.New()
	in.Prompt = "> "
	in.SetValue(value)
	in.CursorEnd()
	in.Focus()
	ts := textinput.DefaultStyles(st.Dark)
	ts.Cursor.Blink = false // a steady cursor: no redraw ticks while a prompt waits
	in.SetStyles(ts)
	return &Model{tag: tag, title: title, hint: hint, input: in, validate: validate, styles: st, width: 60}
}

// Confirm opens a yes/no question.
func Confirm(st *styles.Styles, tag, question string) *Model {
	return &Model{tag: tag, title: question, hint: "y yes · n/esc no", confirm: true, styles: st, width: 60}
}

// Value is the text typed so far (for a caller that hands it to an editor).
func (m *Model) Value() string { return m.input.Value() }

// SetValue replaces the text (after an editor returned it).
func (m *Model) SetValue(v string) {
	m.input.SetValue(v)
	m.input.CursorEnd()
}

// Tag is the caller's label for this prompt.
func (m *Model) Tag() string { return m.tag }

// SetWidth sets the width available to the prompt box.
func (m *Model) SetWidth(w int) {
	m.width = max(20, min(w, 72))
	m.input.SetWidth(m.width - 8)
}

var (
	enter  = key.NewBinding(key.WithKeys("enter"))
	escape = key.NewBinding(key.WithKeys("esc"))
	yes    = key.NewBinding(key.WithKeys("y", "Y", "enter"))
	no     = key.NewBinding(key.WithKeys("n", "N", "esc"))
)

// Update handles a message while the prompt is open.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	kp, ok := msg.(tea.KeyPressMsg)
	if m.confirm {
		if !ok {
			return nil
		}
		switch {
		case key.Matches(kp, yes):
			return m.done(DoneMsg{Tag: m.tag, Confirmed: true})
		case key.Matches(kp, no):
			return m.done(DoneMsg{Tag: m.tag, Cancelled: true})
		}
		return nil
	}
	if ok {
		switch {
		case key.Matches(kp, escape):
			return m.done(DoneMsg{Tag: m.tag, Cancelled: true})
		case key.Matches(kp, enter):
			v := strings.TrimSpace(m.input.Value())
			if m.validate != nil {
				if err := m.validate(v); err != nil {
					m.err = err
					return nil
				}
			}
			return m.done(DoneMsg{Tag: m.tag, Value: v})
		}
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	m.err = nil
	return cmd
}

func (m *Model) done(d DoneMsg) tea.Cmd { return func() tea.Msg { return d } }

// View renders the prompt box.
func (m *Model) View() string {
	st := m.styles
	lines := []string{st.Heading.Render(m.title)}
	if !m.confirm {
		lines = append(lines, m.input.View())
	}
	if m.err != nil {
		lines = append(lines, st.Danger.Render(m.err.Error()))
	}
	if m.hint != "" {
		lines = append(lines, st.Subtle.Render(m.hint))
	}
	return st.Dialog.Width(m.width).Render(lipgloss.JoinVertical(lipgloss.Left, lines...))
}
