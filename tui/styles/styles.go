// Package styles holds the TUI's look: semantic colours resolved for a light or
// dark terminal (or none at all under NO_COLOR), and the styles built from them.
// There are no package-level style variables, so tests can pin a theme.
package styles

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Palette is the set of semantic colour slots every style is built from.
type Palette struct {
	Primary, Subtle, Muted, Text, Danger, Warning, Success, Accent, Border, SelectedBG color.Color
}

// Styles are the styles every screen draws with.
type Styles struct {
	// Dark reports whether the styles were built for a dark background.
	Dark bool
	// NoColor reports whether colour is switched off (NO_COLOR or --no-color).
	NoColor bool
	Palette Palette

	App      lipgloss.Style
	Title    lipgloss.Style // a screen or section title
	Heading  lipgloss.Style // a group heading inside a screen ("Overdue", "Today")
	Subtle   lipgloss.Style // secondary text: dates, counts, hints
	Muted    lipgloss.Style // tertiary text: ids, placeholders
	Danger   lipgloss.Style // overdue, rotting, errors
	Warning  lipgloss.Style // due soon, past cadence
	Success  lipgloss.Style // done, won
	Accent   lipgloss.Style // amounts, highlights
	Key      lipgloss.Style // a key name in hints ("enter")
	Border   lipgloss.Style // a bordered pane
	Focused  lipgloss.Style // a bordered pane that has focus
	Selected lipgloss.Style // the selected row of a list
	Row      lipgloss.Style // an unselected row

	Tabs struct {
		Active, Inactive, Bar lipgloss.Style
	}
	Status struct {
		Bar, Left, Right, Info, Error lipgloss.Style
	}
	Dialog lipgloss.Style // a modal box (prompts, confirmations, the palette)
}

// New builds the styles for a dark or light background. With noColor every
// style keeps its layout (padding, borders, bold) but carries no colour, and the
// selected row is shown in reverse video so it stays visible.
func New(isDark, noColor bool) *Styles {
	ld := lipgloss.LightDark(isDark)
	p := Palette{
		Primary:    ld(lipgloss.Color("#5A3FD6"), lipgloss.Color("#9D8CFF")),
		Subtle:     ld(lipgloss.Color("#5F5F6E"), lipgloss.Color("#A0A0B0")),
		Muted:      ld(lipgloss.Color("#8A8A99"), lipgloss.Color("#6C6C7A")),
		Text:       ld(lipgloss.Color("#1C1C24"), lipgloss.Color("#E6E6EE")),
		Danger:     ld(lipgloss.Color("#C4282D"), lipgloss.Color("#FF6B6B")),
		Warning:    ld(lipgloss.Color("#A35C00"), lipgloss.Color("#F2B45A")),
		Success:    ld(lipgloss.Color("#1E7F3C"), lipgloss.Color("#6BD68A")),
		Accent:     ld(lipgloss.Color("#00739E"), lipgloss.Color("#5CC8F0")),
		Border:     ld(lipgloss.Color("#C8C8D4"), lipgloss.Color("#44444F")),
		SelectedBG: ld(lipgloss.Color("#E4DEFF"), lipgloss.Color("#332A66")),
	}
	s := &Styles{Dark: isDark, NoColor: noColor, Palette: p}
	fg := func(c color.Color) lipgloss.Style {
		if noColor {
			return lipgloss.NewStyle()
		}
		return lipgloss.NewStyle().Foreground(c)
	}
	border := func(c color.Color) lipgloss.Style {
		st := lipgloss.NewStyle().Border(lipgloss.RoundedBorder())
		if !noColor {
			st = st.BorderForeground(c)
		}
		return st
	}

	s.App = lipgloss.NewStyle()
	s.Title = fg(p.Primary).Bold(true)
	s.Heading = fg(p.Text).Bold(true)
	s.Subtle = fg(p.Subtle)
	s.Muted = fg(p.Muted)
	s.Danger = fg(p.Danger)
	s.Warning = fg(p.Warning)
	s.Success = fg(p.Success)
	s.Accent = fg(p.Accent)
	s.Key = fg(p.Primary).Bold(true)
	s.Border = border(p.Border)
	s.Focused = border(p.Primary)
	s.Row = lipgloss.NewStyle()
	if noColor {
		s.Selected = lipgloss.NewStyle().Reverse(true)
	} else {
		s.Selected = lipgloss.NewStyle().Background(p.SelectedBG).Foreground(p.Text).Bold(true)
	}

	s.Tabs.Active = fg(p.Primary).Bold(true).Underline(true).Padding(0, 1)
	s.Tabs.Inactive = fg(p.Subtle).Padding(0, 1)
	s.Tabs.Bar = lipgloss.NewStyle()
	s.Status.Bar = lipgloss.NewStyle()
	s.Status.Left = fg(p.Subtle)
	s.Status.Right = fg(p.Subtle)
	s.Status.Info = fg(p.Success)
	s.Status.Error = fg(p.Danger).Bold(true)
	s.Dialog = border(p.Primary).Padding(0, 1)
	return s
}
