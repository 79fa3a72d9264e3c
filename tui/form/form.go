// Package form is a small modal form of one-line fields: tab and arrows move between
// fields, enter on the last field (or ctrl+s anywhere) submits, esc cancels, and
// ctrl+e hands a long field (notes) to $EDITOR. The caller validates by calling the
// store and handing any error back with SetError: the form stays open, with the
// message under the field it names, so the rules are exactly the command line's.
package form

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/rolo-crm/rolo/tui/common"
	"github.com/rolo-crm/rolo/tui/styles"
)

// Field is one line of the form.
type Field struct {
	Key, Label, Hint string
	Value            string
	// Long fields can be edited in $EDITOR with ctrl+e.
	Long bool
}

// SubmitMsg is sent when the rep submits; the caller saves and reports back.
type SubmitMsg struct {
	Tag    string
	Values map[string]string
}

// CancelMsg is sent when the rep cancels with esc.
type CancelMsg struct{ Tag string }

// Model is an open form.
type Model struct {
	st      *styles.Styles
	editor  string
	tag     string
	title   string
	fields  []Field
	inputs  []textinput.Model
	focus   int
	err     string
	errAt   int // the field the error names, or -1
	w, h    int
	Pending bool // a save is running
}

// New opens a form.
func New(st *styles.Styles, editor, tag, title string, fields []Field) *Model {
	m := &Model{st: st, editor: editor, tag: tag, title: title, fields: fields, errAt: -1, w: 60, h: 20}
	for i, f := range fields {
		in := common.NewInput(st, "", f.Value)
		in.Placeholder = f.Hint
		if i != 0 {
			in.Blur()
		}
		m.inputs = append(m.inputs, in)
	}
	return m
}

// Tag is the caller's label for the form.
func (m *Model) Tag() string { return m.tag }

// SetSize sets the space the form may use.
func (m *Model) SetSize(w, h int) {
	m.w, m.h = w, h
	for i := range m.inputs {
		m.inputs[i].SetWidth(max(10, min(w, 76)-22))
	}
}

// Values returns the fields' current text by key.
func (m *Model) Values() map[string]string {
	out := map[string]string{}
	for i, f := range m.fields {
		out[f.Key] = strings.TrimSpace(m.inputs[i].Value())
	}
	return out
}

// SetError shows a save error: under the field it starts by naming, else
// at the top. The form stays open with every value kept.
func (m *Model) SetError(msg string) {
	m.Pending = false
	m.err, m.errAt = msg, -1
	// Store errors name the field first: `email "x" is not a valid address`.
	first, _, _ := strings.Cut(strings.ToLower(msg), " ")
	for i, f := range m.fields {
		if first != "" && (strings.HasPrefix(f.Key, first) || strings.HasPrefix(first, f.Key)) {
			m.errAt = i
			m.setFocus(i)
			return
		}
	}
}

// Err is the error shown, if any.
func (m *Model) Err() string { return m.err }

func (m *Model) setFocus(i int) {
	m.inputs[m.focus].Blur()
	m.focus = (i + len(m.inputs)) % len(m.inputs)
	m.inputs[m.focus].Focus()
}

// Update handles a message while the form is open.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.EditedMsg:
		if msg.Tag != "form:"+m.tag {
			return nil
		}
		if msg.Err != nil {
			m.err = common.ErrText(msg.Err)
			return nil
		}
		m.inputs[m.focus].SetValue(msg.Text)
		return nil
	case tea.KeyPressMsg:
		switch msg.String() {
		case "esc":
			tag := m.tag
			return func() tea.Msg { return CancelMsg{Tag: tag} }
		case "tab", "down":
			m.setFocus(m.focus + 1)
			return nil
		case "shift+tab", "up":
			m.setFocus(m.focus - 1)
			return nil
		case "ctrl+e":
			if m.fields[m.focus].Long {
				return common.Edit(m.editor, "form:"+m.tag, m.inputs[m.focus].Value())
			}
			return nil
		case "ctrl+s":
			return m.submit()
		case "enter":
			if m.focus == len(m.inputs)-1 {
				return m.submit()
			}
			m.setFocus(m.focus + 1)
			return nil
		}
	}
	var cmd tea.Cmd
	m.inputs[m.focus], cmd = m.inputs[m.focus].Update(msg)
	return cmd
}

func (m *Model) submit() tea.Cmd {
	if m.Pending {
		return nil
	}
	m.Pending = true
	m.err, m.errAt = "", -1
	tag, vals := m.tag, m.Values()
	return func() tea.Msg { return SubmitMsg{Tag: tag, Values: vals} }
}

// View renders the form box.
func (m *Model) View() string {
	st := m.st
	w := max(30, min(m.w-2, 76))
	inner := w - 4
	lines := []string{st.Heading.Render(m.title), ""}
	for i, f := range m.fields {
		label := common.PadRight(f.Label, 14)
		if i == m.focus {
			label = st.Key.Render(label)
		} else {
			label = st.Subtle.Render(label)
		}
		lines = append(lines, common.Truncate(label+" "+m.inputs[i].View(), inner))
		if i == m.errAt && m.err != "" {
			lines = append(lines, common.Truncate(strings.Repeat(" ", 15)+st.Danger.Render("✗ "+m.err), inner))
		}
	}
	lines = append(lines, "")
	if m.err != "" && m.errAt < 0 {
		lines = append(lines, common.Truncate(st.Danger.Render("✗ "+m.err), inner))
	}
	hint := "tab next · enter on the last field or ctrl+s save · esc cancel"
	if m.fields[m.focus].Long {
		hint = "ctrl+e $EDITOR · " + hint
	}
	if m.Pending {
		hint = "saving…"
	}
	lines = append(lines, common.Truncate(st.Subtle.Render(hint), inner))
	if len(lines) > m.h-2 && m.h > 4 {
		lines = lines[:m.h-2]
	}
	return st.Dialog.Width(w).Render(strings.Join(lines, "\n"))
}
