package main

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rolo-crm/rolo/store"
)

type ioWriter = io.Writer

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

func visibleWidth(s string) int { return utf8.RuneCountInString(ansi.ReplaceAllString(s, "")) }

// table prints aligned columns; it measures what is visible, so colours do not skew it.
type table struct {
	header []string
	rows   [][]string
	max    int // widest a cell may be before it is cut with "…"
}

func newTable(header ...string) *table { return &table{header: header, max: 40} }

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n || ansi.MatchString(s) {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func (t *table) print(w io.Writer, a *App) {
	rows := append([][]string{t.header}, t.rows...)
	widths := make([]int, len(t.header))
	for _, r := range rows {
		for i, c := range r {
			c = truncate(strings.ReplaceAll(c, "\n", " "), t.max)
			r[i] = c
			if vw := visibleWidth(c); vw > widths[i] {
				widths[i] = vw
			}
		}
	}
	for ri, r := range rows {
		var b strings.Builder
		for i, c := range r {
			if ri == 0 {
				c = a.paint(sgrBold, c)
			}
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-visibleWidth(c)+2))
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// when renders an instant in local time, compactly.
func fmtWhen(t time.Time, allDay bool) string {
	l := t.Local()
	if allDay {
		return l.Format("Mon 02 Jan 2006")
	}
	return l.Format("Mon 02 Jan 2006 15:04")
}

// ago says how long before now t was, in the largest sensible unit.
func ago(now, t time.Time) string {
	d := now.Sub(t)
	future := d < 0
	if future {
		d = -d
	}
	var s string
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		s = fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		s = fmt.Sprintf("%dh", int(d.Hours()))
	case d < 60*24*time.Hour:
		s = fmt.Sprintf("%dd", int(d.Hours()/24))
	case d < 2*365*24*time.Hour:
		s = fmt.Sprintf("%dmo", int(d.Hours()/24/30))
	default:
		s = fmt.Sprintf("%dy", int(d.Hours()/24/365))
	}
	if future {
		return "in " + s
	}
	return s + " ago"
}

func days(d time.Duration) int { return int(d.Hours() / 24) }

func moneyList(totals []store.CurrencyTotal) string {
	if len(totals) == 0 {
		return "–"
	}
	var parts []string
	for _, t := range totals {
		parts = append(parts, store.Money{Amount: t.Amount, Currency: t.Currency}.String())
	}
	return strings.Join(parts, ", ")
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "–"
	}
	return s
}

// field prints "label  value" lines for show commands, skipping empty values.
func (a *App) fields(w io.Writer, pairs ...string) {
	width := 0
	for i := 0; i < len(pairs); i += 2 {
		if pairs[i+1] != "" && len(pairs[i]) > width {
			width = len(pairs[i])
		}
	}
	for i := 0; i < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			continue
		}
		fmt.Fprintf(w, "%s%s  %s\n", a.paint(sgrDim, pairs[i]), strings.Repeat(" ", width-len(pairs[i])), pairs[i+1])
	}
}

func (a *App) heading(w io.Writer, s string) {
	fmt.Fprintf(w, "\n%s\n", a.paint(sgrBold, s))
}

// limitNote tells, on stderr, that a list was cut.
func (a *App) limitNote(shown, total int) {
	if !a.jsonOut && shown < total {
		fmt.Fprintf(a.io.Err, "showing %d of %d; use --limit 0 for all\n", shown, total)
	}
}
