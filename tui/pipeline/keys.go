package pipeline

import "charm.land/bubbles/v2/key"

// KeyMap is the Pipeline screen's keys. Shifted letters are bound both as the letter
// ("L", what a terminal sends as text) and as "shift+l" (what a terminal reporting
// modifiers without text sends).
type KeyMap struct {
	Left, Right, Up, Down, Top, Bottom key.Binding
	Prev, Next, Won, Lost, Open, Add   key.Binding
	Review                             key.Binding
	Contact, Log, FollowUp, Back       key.Binding
	Skip                               key.Binding
}

// DefaultKeyMap returns the Pipeline screen's default keys.
func DefaultKeyMap() KeyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Left:     b("←/h", "previous column", "h", "left"),
		Right:    b("→/l", "next column", "l", "right"),
		Up:       b("↑/k", "up", "k", "up"),
		Down:     b("↓/j", "down", "j", "down"),
		Top:      b("g", "first deal", "g", "home"),
		Bottom:   b("G", "last deal", "G", "shift+g", "end"),
		Prev:     b("H", "move to previous stage", "H", "shift+h"),
		Next:     b("L", "move to next stage", "L", "shift+l"),
		Won:      b("w", "mark won", "w"),
		Lost:     b("x", "mark lost", "x"),
		Open:     b("enter", "open deal", "enter"),
		Add:      b("a", "add deal", "a"),
		Review:   b("r", "weekly review", "r"),
		Contact:  b("enter/o", "open contact", "enter", "o"),
		Log:      b("l", "log interaction", "l"),
		FollowUp: b("f", "schedule follow-up", "f"),
		Back:     b("esc", "back", "esc"),
		Skip:     b("n/space", "next deal", "n", "space"),
	}
}
