package contacts

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/rolo-crm/rolo/tui/common"
)

// View implements common.Screen.
func (m *Model) View() string {
	var out string
	switch {
	case m.detOpen && m.narrow():
		out = m.detailView(m.w, m.h)
	case m.detOpen:
		lw := m.listWidth()
		list := strings.Split(m.listView(lw, m.h), "\n")
		det := strings.Split(m.detailView(m.w-lw-1, m.h), "\n")
		sep := m.c.Styles.Muted.Render("│")
		lines := make([]string, m.h)
		for i := range lines {
			lines[i] = list[i] + sep + det[i]
		}
		out = strings.Join(lines, "\n")
	default:
		out = m.listView(m.w, m.h)
	}
	switch {
	case m.form != nil:
		out = common.Overlay(out, m.form.View(), m.w, m.h)
	case m.flow.Active():
		out = common.Overlay(out, m.flow.View(), m.w, m.h)
	}
	return out
}

func (m *Model) detailView(w, h int) string {
	lines := m.detailLines(w)
	m.detOff = max(0, min(m.detOff, len(lines)-h))
	return common.Fit(strings.Join(lines[m.detOff:], "\n"), w, h)
}

func (m *Model) listView(w, h int) string {
	st := m.c.Styles
	noun := "Contacts"
	if m.mode == modeCompanies {
		noun = "Companies"
	}
	var lines []string
	// Line 1: the filter (or a hint), line 2: column heads, then the rows.
	if m.filtering || m.query != "" {
		lines = append(lines, " "+m.filter.View())
	} else {
		hint := "/ filter · c companies"
		if m.mode == modeCompanies {
			hint = "/ filter · c contacts"
		}
		lines = append(lines, " "+st.Title.Render(noun)+"  "+st.Subtle.Render(hint))
	}
	nameW, compW, touchW := m.columns(w)
	head := common.PadRight("Name", nameW) + " "
	if m.mode == modeCompanies {
		head += common.PadRight("Domain", compW) + " " + "Tags"
	} else {
		head += common.PadRight("Company", compW) + " " + common.PadRight("Touched", touchW) + " " + "Tags"
	}
	lines = append(lines, "   "+st.Subtle.Render(common.Truncate(head, w-3)))
	lh := h - 3
	switch {
	case m.err != nil:
		lines = append(lines, " "+st.Danger.Render("Could not load: "+common.ErrText(m.err)))
	case !m.loaded:
		lines = append(lines, " "+st.Subtle.Render("Loading…"))
	case len(m.rows) == 0 && m.query != "":
		lines = append(lines, " "+st.Subtle.Render(fmt.Sprintf("No %s match %q. esc clears the filter.", strings.ToLower(noun), m.query)))
	case len(m.rows) == 0:
		lines = append(lines, "", " "+st.Subtle.Render(fmt.Sprintf("No %s yet. a adds one; on Today (1), D loads demo data.", strings.ToLower(noun))))
	default:
		m.offset = common.Scroll(m.offset, m.cursor, lh, len(m.rows))
		for i := m.offset; i < len(m.rows) && i < m.offset+lh; i++ {
			r := m.rows[i]
			line := common.PadRight(r.name, nameW) + " " + common.PadRight(r.company, compW) + " "
			if m.mode == modeContacts {
				line += common.PadRight(r.touched, touchW) + " "
			}
			tags := common.PadRight(r.tags, max(w-3-lipglossWidth(line), 0))
			if i == m.cursor {
				lines = append(lines, " › "+st.Selected.Render(line+tags))
			} else {
				lines = append(lines, "   "+line+st.Muted.Render(tags))
			}
		}
	}
	body := common.Fit(strings.Join(lines, "\n"), w, h-1)
	return body + "\n" + common.PadRight(" "+st.Subtle.Render(m.footer(noun)), w)
}

func (m *Model) footer(noun string) string {
	if len(m.rows) == 0 {
		return ""
	}
	if m.query != "" {
		if m.more {
			return fmt.Sprintf("%d of %d shown · the first %d matches; type more to narrow", m.cursor+1, len(m.rows), searchMax)
		}
		return fmt.Sprintf("%d of %d matching %s", m.cursor+1, len(m.rows), strings.ToLower(noun))
	}
	pos := "in the middle"
	switch {
	case m.atTop && m.atEnd:
		return fmt.Sprintf("%d of %d %s", m.cursor+1, len(m.rows), strings.ToLower(noun))
	case m.atTop:
		pos = "from the top"
	case m.atEnd:
		pos = "to the end"
	}
	return fmt.Sprintf("%s by name · row %d of a %d-row window %s · g/G first/last", noun, m.cursor+1, len(m.rows), pos)
}

func (m *Model) columns(w int) (name, company, touched int) {
	avail := w - 3
	touched = 9
	if m.mode == modeCompanies {
		touched = 0
	}
	name = max(12, avail*34/100)
	company = max(10, avail*28/100)
	return name, company, touched
}

func lipglossWidth(s string) int { return ansi.StringWidth(s) }
