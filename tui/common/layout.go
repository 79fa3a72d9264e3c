package common

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/rolo-crm/rolo/store/when"
	"github.com/rolo-crm/rolo/tui/styles"
)

// Truncate cuts s (which may hold ANSI styles) to at most w cells, ending in "…"
// when it had to cut.
func Truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// PadRight truncates s to w cells and pads it with spaces to exactly w.
func PadRight(s string, w int) string {
	s = Truncate(s, w)
	if n := ansi.StringWidth(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

// Fit makes a block exactly w cells wide and h lines high: long lines are truncated
// with "…", short ones padded, missing lines added and extra lines dropped. Every
// screen's View ends with it, so no layout can spill past the terminal.
func Fit(s string, w, h int) string {
	if h <= 0 {
		return ""
	}
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		lines[i] = PadRight(l, w)
	}
	for len(lines) < h {
		lines = append(lines, strings.Repeat(" ", max(w, 0)))
	}
	return strings.Join(lines, "\n")
}

// Scroll returns the first visible row for a list of n rows shown in h lines so that
// the cursor stays visible, moving the previous offset as little as possible.
func Scroll(offset, cursor, h, n int) int {
	if h <= 0 {
		return 0
	}
	if cursor < offset {
		offset = cursor
	}
	if cursor >= offset+h {
		offset = cursor - h + 1
	}
	offset = min(offset, max(n-h, 0))
	return max(offset, 0)
}

// Date formats a moment for a list column, relative to today: "today 15:04",
// "tomorrow", "Mon 2 Jan" within the year, "2 Jan 2006" otherwise. allDay drops the
// time of day.
func (c Common) Date(t time.Time, allDay bool) string {
	lt := t.In(c.Loc)
	today := c.Today()
	day := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, c.Loc)
	clock := ""
	if !allDay {
		clock = " " + lt.Format("15:04")
	}
	switch d := int(day.Sub(today).Hours() / 24); {
	case d == 0:
		return "today" + clock
	case d == 1:
		return "tomorrow" + clock
	case d == -1:
		return "yesterday" + clock
	case lt.Year() == today.Year():
		return lt.Format("Mon 2 Jan") + clock
	}
	return lt.Format("2 Jan 2006")
}

// Ago says how long ago t was, in whole days ("today", "3d ago", "5w ago", "2y ago").
func (c Common) Ago(t *time.Time) string {
	if t == nil {
		return "never"
	}
	days := int(c.Today().Sub(time.Date(t.In(c.Loc).Year(), t.In(c.Loc).Month(), t.In(c.Loc).Day(), 0, 0, 0, 0, c.Loc)).Hours() / 24)
	switch {
	case days <= 0:
		return "today"
	case days < 14:
		return fmt.Sprintf("%dd ago", days)
	case days < 120:
		return fmt.Sprintf("%dw ago", days/7)
	case days < 730:
		return fmt.Sprintf("%dmo ago", days/30)
	}
	return fmt.Sprintf("%dy ago", days/365)
}

// FirstKey is the first key a binding answers to, as a key press: what the command
// palette sends to run the binding.
func FirstKey(b key.Binding) (tea.KeyPressMsg, bool) {
	keys := b.Keys()
	if len(keys) == 0 {
		return tea.KeyPressMsg{}, false
	}
	return KeyPress(keys[0]), true
}

// KeyPress builds the key press that key.Matches reports as name ("a", "enter",
// "space", "ctrl+k", "shift+tab", "G"…).
func KeyPress(name string) tea.KeyPressMsg {
	special := map[string]rune{
		"enter": tea.KeyEnter, "esc": tea.KeyEscape, "tab": tea.KeyTab, "space": tea.KeySpace,
		"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
		"home": tea.KeyHome, "end": tea.KeyEnd, "pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown,
		"backspace": tea.KeyBackspace, "delete": tea.KeyDelete,
	}
	var mod tea.KeyMod
	base := name
	for {
		switch {
		case strings.HasPrefix(base, "ctrl+"):
			mod |= tea.ModCtrl
			base = base[5:]
			continue
		case strings.HasPrefix(base, "alt+"):
			mod |= tea.ModAlt
			base = base[4:]
			continue
		case strings.HasPrefix(base, "shift+"):
			mod |= tea.ModShift
			base = base[6:]
			continue
		}
		break
	}
	if r, ok := special[base]; ok {
		k := tea.KeyPressMsg{Code: r, Mod: mod}
		if r == tea.KeySpace && mod == 0 {
			k.Text = " "
		}
		return k
	}
	r := []rune(base)
	if len(r) != 1 {
		return tea.KeyPressMsg{}
	}
	k := tea.KeyPressMsg{Code: r[0], Mod: mod}
	if mod == 0 {
		k.Text = base
		if r[0] >= 'A' && r[0] <= 'Z' {
			k.Code = r[0] + ('a' - 'A')
			k.ShiftedCode = r[0]
			k.Mod = tea.ModShift
		}
	}
	return k
}

// EditedMsg carries the text an external editor saved (see Edit).
type EditedMsg struct {
	Tag  string
	Text string
	Err  error
}

// Edit opens editor on a temporary file holding initial and, when the editor exits,
// sends EditedMsg with the file's new text. The program gives the terminal to the
// editor meanwhile (tea.ExecProcess), so long notes get a real editor.
func Edit(editor, tag, initial string) tea.Cmd {
	f, err := os.CreateTemp("", "rolo-*.md")
	if err != nil {
		return func() tea.Msg { return EditedMsg{Tag: tag, Err: err} }
	}
	name := f.Name()
	_, err = f.WriteString(initial)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return func() tea.Msg { return EditedMsg{Tag: tag, Err: err} }
	}
	if editor == "" {
		editor = "vi"
	}
	args := strings.Fields(editor)
	cmd := exec.Command(args[0], append(args[1:], name)...)
	return tea.ExecProcess(cmd, func(err error) tea.Msg {
		defer os.Remove(name)
		if err != nil {
			return EditedMsg{Tag: tag, Err: fmt.Errorf("editor %s: %w", args[0], err)}
		}
		b, err := os.ReadFile(name)
		return EditedMsg{Tag: tag, Text: strings.TrimRight(string(b), "\n"), Err: err}
	})
}

// ErrText is an error as the status bar and forms show it: one sentence, without the
// store's sentinel prefixes ("invalid input: ").
func ErrText(err error) string {
	if err == nil {
		return ""
	}
	msg := err.Error()
	for _, p := range []string{"invalid input: ", "not found: ", "conflict: "} {
		if i := strings.LastIndex(msg, p); i >= 0 {
			msg = msg[i+len(p):]
		}
	}
	return msg
}

// ParseWhen reads a natural date ("tomorrow 3pm", "fri", "in 2w") in the local zone,
// with the same parser and week start as the command line.
func (c Common) ParseWhen(phrase string) (when.Result, error) {
	return when.Parse(phrase, c.Now().In(c.Loc), c.WeekStart)
}

// Overlay draws box over the bottom of body (a block of w×h), centred horizontally:
// where prompts and forms appear, so the list they act on stays in view above.
func Overlay(body, box string, w, h int) string {
	lines := strings.Split(Fit(body, w, h), "\n")
	bl := strings.Split(box, "\n")
	if len(bl) > h {
		bl = bl[len(bl)-h:]
	}
	bw := 0
	for _, l := range bl {
		bw = max(bw, ansi.StringWidth(l))
	}
	left := max((w-bw)/2, 0)
	top := h - len(bl)
	for i, l := range bl {
		lines[top+i] = PadRight(strings.Repeat(" ", left)+l, w)
	}
	return strings.Join(lines, "\n")
}

// NewInput is a focused one-line text input in the theme, with a steady cursor: a
// blinking one would redraw the screen twice a second for nothing.
func NewInput(st *styles.Styles, prompt, value string) textinput.Model {
	in := textinput.New()
	in.Prompt = prompt
	s := textinput.DefaultStyles(st.Dark)
	s.Cursor.Blink = false
	if st.NoColor {
		s = textinput.Styles{Cursor: textinput.CursorStyle{Blink: false}}
	}
	in.SetStyles(s)
	in.SetValue(value)
	in.CursorEnd()
	in.Focus()
	return in
}
