package tui

import (
	"charm.land/bubbles/v2/key"
)

// KeyMap is the root's global bindings, live on every screen unless a text field has
// focus.
type KeyMap struct {
	Today, Contacts, Pipeline, FollowUps, Reports key.Binding
	Next, Prev                                    key.Binding
	Search, Palette, Help, Undo, Back, Suspend    key.Binding
	Quit, ForceQuit                               key.Binding
	// Sync syncs now. Like the other shifted letters below, a screen that binds the
	// same key itself keeps it (the first-run Today's D loads demo data).
	Sync key.Binding
	// Conflicts opens the sync conflicts panel.
	Conflicts key.Binding
	// Duplicates opens the duplicates review (on the first-run Today, D loads demo
	// data instead).
	Duplicates key.Binding
}

// DefaultKeyMap returns the global bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Today:      key.NewBinding(key.WithKeys("1"), key.WithHelp("1", "today")),
		Contacts:   key.NewBinding(key.WithKeys("2"), key.WithHelp("2", "contacts")),
		Pipeline:   key.NewBinding(key.WithKeys("3"), key.WithHelp("3", "pipeline")),
		FollowUps:  key.NewBinding(key.WithKeys("4"), key.WithHelp("4", "follow-ups")),
		Reports:    key.NewBinding(key.WithKeys("5"), key.WithHelp("5", "reports")),
		Next:       key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next screen")),
		Prev:       key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous screen")),
		Search:     key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search")),
		Palette:    key.NewBinding(key.WithKeys("ctrl+k"), key.WithHelp("ctrl+k", "command palette")),
		Help:       key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Undo:       key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "undo last change")),
		Back:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Suspend:    key.NewBinding(key.WithKeys("ctrl+z"), key.WithHelp("ctrl+z", "suspend")),
		Quit:       key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQuit:  key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Sync:       key.NewBinding(key.WithKeys("S", "shift+s"), key.WithHelp("S", "sync now")),
		Conflicts:  key.NewBinding(key.WithKeys("C", "shift+c"), key.WithHelp("C", "sync conflicts")),
		Duplicates: key.NewBinding(key.WithKeys("D", "shift+d"), key.WithHelp("D", "review duplicates")),
	}
}

// screenKeys are the bindings that select screens 1–5, in order.
func (k KeyMap) screenKeys() []key.Binding {
	return []key.Binding{k.Today, k.Contacts, k.Pipeline, k.FollowUps, k.Reports}
}

// FullHelp lists every global binding, in columns.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Today, k.Contacts, k.Pipeline, k.FollowUps, k.Reports, k.Next, k.Prev, k.Search, k.Palette},
		{k.Help, k.Undo, k.Sync, k.Conflicts, k.Duplicates, k.Back, k.Suspend, k.Quit},
	}
}
