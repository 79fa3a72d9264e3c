package tui

import (
	"sort"
	"strings"
	"unicode"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/rolo-crm/rolo/tui/common"
	"github.com/rolo-crm/rolo/tui/styles"
)

// command is one entry of the palette: a binding of the global map or of a screen.
type command struct {
	screen  int // 0 for a global binding
	label   string
	binding key.Binding
}

// palette is the ctrl+k command palette: type to fuzzy-filter every binding, enter
// runs the selected one.
type palette struct {
	st       *styles.Styles
	input    textinput.Model
	all      []command
	matches  []command
	cursor   int
	w, h     int
	selected *command
}

func newPalette(st *styles.Styles, cmds []command) *palette {
	p := &palette{st: st, input: common.NewInput(st, "> ", ""), all: cmds}
	p.input.Placeholder = "type an action: add contact, snooze, undo…"
	p.filter()
	return p
}

// fuzzy scores how well query matches s as a subsequence (higher is better); -1 when it
// does not. Consecutive letters and letters at word starts score more.
func fuzzy(query, s string) int {
	q := []rune(strings.ToLower(query))
	if len(q) == 0 {
		return 0
	}
	r := []rune(strings.ToLower(s))
	score, qi, run := 0, 0, 0
	for i := 0; i < len(r) && qi < len(q); i++ {
		if r[i] != q[qi] {
			run = 0
			continue
		}
		run++
		score += run
		if i == 0 || !unicode.IsLetter(r[i-1]) {
			score += 3
		}
		qi++
	}
	if qi < len(q) {
		return -1
	}
	return score*100 - len(r)
}

func (p *palette) filter() {
	q := strings.TrimSpace(p.input.Value())
	type scored struct {
		c command
		s int
	}
	var list []scored
	for _, c := range p.all {
		if s := fuzzy(q, c.label); s >= 0 {
			list = append(list, scored{c, s})
		}
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].s > list[j].s })
	p.matches = p.matches[:0]
	for _, s := range list {
		p.matches = append(p.matches, s.c)
	}
	p.cursor = min(p.cursor, max(len(p.matches)-1, 0))
}

// update handles a key; done is true when the palette closes (selected set when a
// command was chosen).
func (p *palette) update(msg tea.KeyPressMsg) (cmd tea.Cmd, done bool) {
	switch msg.String() {
	case "esc", "ctrl+k":
		return nil, true
	case "enter":
		if len(p.matches) > 0 {
			c := p.matches[p.cursor]
			p.selected = &c
		}
		return nil, true
	case "up", "ctrl+p":
		p.cursor = max(p.cursor-1, 0)
		return nil, false
	case "down", "ctrl+n":
		p.cursor = min(p.cursor+1, max(len(p.matches)-1, 0))
		return nil, false
	}
	p.input, cmd = p.input.Update(msg)
	p.filter()
	return cmd, false
}

func (p *palette) view() string {
	w := max(24, min(p.w-4, 70))
	inner := w - 4
	rows := max(3, min(p.h-6, 12))
	lines := []string{p.st.Heading.Render("Command palette"), p.input.View()}
	start := common.Scroll(0, p.cursor, rows, len(p.matches))
	for i := start; i < len(p.matches) && i < start+rows; i++ {
		c := p.matches[i]
		h := c.binding.Help()
		line := common.PadRight(c.label, inner-12) + " " + common.PadRight(h.Key, 11)
		if i == p.cursor {
			line = p.st.Selected.Render(line)
		}
		lines = append(lines, line)
	}
	if len(p.matches) == 0 {
		lines = append(lines, p.st.Muted.Render("no action matches"))
	}
	lines = append(lines, p.st.Subtle.Render("↑/↓ choose · enter run · esc close"))
	for i := range lines {
		lines[i] = common.Truncate(lines[i], inner)
	}
	return p.st.Dialog.Width(w).Render(strings.Join(lines, "\n"))
}
