package reports

import (
	"fmt"
	"strings"
	"time"

	"github.com/rolo-crm/rolo/store"
)

// labelWidth is the width of the labels in front of bars.
const labelWidth = 12

// barRow renders "label  ████▌     value" in w cells, the bar frac of the room left.
func (m *Model) barRow(label string, frac float64, value string, w int) string {
	st := m.c.Styles
	lw := min(labelWidth, max(4, w/4))
	vw := len([]rune(value))
	room := max(1, w-lw-vw-3)
	return fit(label, lw) + " " + st.Accent.Render(fit(bar(frac, room), room)) + "  " + value
}

// panelBody renders a panel's content in at most h lines of w cells.
func (m *Model) panelBody(i, w, h int) []string {
	st := m.c.Styles
	p := m.panels[i]
	switch {
	case p.err != nil:
		return []string{st.Danger.Render(p.err.Error())}
	case p.data == nil:
		return []string{st.Subtle.Render("loading…")}
	}
	var out []string
	switch d := p.data.(type) {
	case *store.WinRate:
		out = m.winRate(d, w)
	case *store.Funnel:
		out = m.funnel(d, w)
	case *store.Cycle:
		out = m.cycle(d, w)
	case *store.Velocity:
		out = m.velocity(d, w)
	case *store.Forecast:
		out = m.forecast(d, w)
	case *store.Activity:
		out = m.activity(d, w)
	case neglect:
		out = m.neglect(d, w, h)
	case rotting:
		out = m.rotting(d, w, h)
	}
	if len(out) > h {
		out = out[:h]
	}
	return out
}

func (m *Model) winRate(d *store.WinRate, w int) []string {
	st := m.c.Styles
	n := d.Won + d.Lost + d.Stale
	if n == 0 {
		return []string{st.Subtle.Render("No deal was closed in this period.")}
	}
	rate := 0.0
	if d.Rate != nil {
		rate = *d.Rate
	}
	counts := fmt.Sprintf("%d won, %d lost", d.Won, d.Lost)
	if d.Denominator == store.WinRateClosedAndStale {
		counts += fmt.Sprintf(", %d stale", d.Stale)
	}
	out := []string{st.Success.Render(pct(d.Rate)) + st.Subtle.Render(" won · "+counts),
		st.Success.Render(bar(rate, w)), st.Subtle.Render("By furthest stage reached:")}
	for _, s := range d.ByStage {
		if s.Won+s.Lost+s.Stale == 0 {
			continue
		}
		r := 0.0
		if s.Rate != nil {
			r = *s.Rate
		}
		out = append(out, m.barRow(s.Stage, r, fmt.Sprintf("%6s of %d", pct(s.Rate), s.Won+s.Lost+s.Stale), w))
	}
	return out
}

func (m *Model) funnel(f *store.Funnel, w int) []string {
	st := m.c.Styles
	if f.Deals == 0 {
		return []string{st.Subtle.Render("No deal was created in this period.")}
	}
	out := []string{st.Subtle.Render(fmt.Sprintf("%s created · now %d won, %d lost, %d open", plural(f.Deals, "deal", "deals"), f.Won, f.Lost, f.Open))}
	for _, s := range f.Stages {
		out = append(out, m.barRow(s.Stage, float64(s.Reached)/float64(f.Deals), fmt.Sprintf("%4d → %6s", s.Reached, pct(s.Conversion)), w))
	}
	out = append(out, m.barRow("Won", float64(f.Won)/float64(f.Deals), fmt.Sprintf("%4d %8s", f.Won, ""), w))
	return out
}

func (m *Model) cycle(c *store.Cycle, w int) []string {
	st := m.c.Styles
	if c.Closed == 0 {
		return []string{st.Subtle.Render("No deal was closed in this period.")}
	}
	out := []string{st.Accent.Render("median "+days(c.MedianDays)) + st.Subtle.Render(fmt.Sprintf(" · 80th percentile %s · %d closed", days(c.P80Days), c.Closed)),
		st.Subtle.Render("Median days in each stage:")}
	top := 0.0
	for _, s := range c.Stages {
		if s.MedianDays != nil {
			top = max(top, *s.MedianDays)
		}
	}
	for _, s := range c.Stages {
		frac := 0.0
		if s.MedianDays != nil && top > 0 {
			frac = *s.MedianDays / top
		}
		out = append(out, m.barRow(s.Stage, frac, fmt.Sprintf("%8s (%d)", days(s.MedianDays), s.Stints), w))
	}
	return out
}

func (m *Model) velocity(v *store.Velocity, w int) []string {
	st := m.c.Styles
	out := []string{st.Subtle.Render(fmt.Sprintf("win rate %s × value ÷ median cycle %s", pct(v.WinRate), days(v.CycleDays)))}
	if len(v.Currencies) == 0 {
		return append(out, st.Subtle.Render("No open deals."))
	}
	for _, c := range v.Currencies {
		per := "n/a"
		if c.PerDay != nil {
			per = compact(*c.PerDay, c.Currency) + "/day"
		}
		out = append(out, st.Accent.Render(fit(per, 18))+st.Subtle.Render(fmt.Sprintf(" %s open, average %s", thousands(c.OpenDeals), compact(c.AverageValue, c.Currency))))
	}
	return out
}

func (m *Model) forecast(f *store.Forecast, w int) []string {
	st := m.c.Styles
	cur := m.c.Currency
	type line struct {
		label string
		l     store.ForecastLine
	}
	var lines []line
	if f.Overdue.Deals > 0 {
		lines = append(lines, line{"Overdue", f.Overdue})
	}
	for _, mo := range f.Months {
		label := mo.Month
		if t, err := time.Parse("2006-01", mo.Month); err == nil {
			label = t.Format("Jan 2006")
		}
		lines = append(lines, line{label, mo})
	}
	if f.Later.Deals > 0 {
		lines = append(lines, line{"Later", f.Later})
	}
	lines = append(lines, line{"No date", f.Unscheduled})
	var top int64
	others := 0
	for _, l := range lines {
		a, o := moneyIn(l.l.Weighted, cur)
		top, others = max(top, a), max(others, o)
	}
	var out []string
	for _, l := range lines {
		a, _ := moneyIn(l.l.Weighted, cur)
		frac := 0.0
		if top > 0 {
			frac = float64(a) / float64(top)
		}
		out = append(out, m.barRow(l.label, frac, fmt.Sprintf("%12s %3d", compact(a, cur), l.l.Deals), w))
	}
	if others > 0 {
		out = append(out, st.Muted.Render(fmt.Sprintf("+ deals in %d other currencies (rolo report forecast)", others)))
	}
	return out
}

func (m *Model) activity(a *store.Activity, w int) []string {
	st := m.c.Styles
	var total store.ActivityCounts
	var weekly []int
	for _, wk := range a.Weeks {
		total.Calls += wk.Calls
		total.Emails += wk.Emails
		total.Meetings += wk.Meetings
		total.Notes += wk.Notes
		total.Messages += wk.Messages
		total.Total += wk.Total
		weekly = append(weekly, wk.Total)
	}
	out := []string{st.Subtle.Render(fmt.Sprintf("%s logged · weekly ", plural(total.Total, "entry", "entries"))) + st.Accent.Render(sparkline(weekly))}
	top := 0
	for _, k := range store.InteractionKinds {
		top = max(top, total.Of(k))
	}
	for _, k := range store.InteractionKinds {
		frac := 0.0
		if top > 0 {
			frac = float64(total.Of(k)) / float64(top)
		}
		out = append(out, m.barRow(k+"s", frac, fmt.Sprintf("%6s", thousands(total.Of(k))), w))
	}
	return out
}

func (m *Model) touched(c store.Contact) string {
	if c.LastTouchedAt == nil {
		return "never touched"
	}
	return fmt.Sprintf("touched %dd ago", int(m.c.Now().Sub(*c.LastTouchedAt).Hours()/24))
}

func (m *Model) neglect(n neglect, w, h int) []string {
	st := m.c.Styles
	out := []string{st.Warning.Render(fmt.Sprintf("%s past their cadence", thousands(n.pastN))) +
		st.Subtle.Render(fmt.Sprintf(" · %s with open deals untouched %dd", thousands(n.untouchN), untouchedDays))}
	for _, c := range n.past {
		if len(out) >= h {
			break
		}
		out = append(out, spread(c.Name+st.Subtle.Render(" · "+orDash(c.Company)), st.Muted.Render(m.touched(c)), w))
	}
	for _, u := range n.untouched {
		if len(out) >= h {
			break
		}
		out = append(out, spread(u.Name+st.Subtle.Render(" · "+plural(u.OpenDeals, "open deal", "open deals")), st.Muted.Render(m.touched(u.Contact)), w))
	}
	return out
}

func (m *Model) rotting(r rotting, w, h int) []string {
	st := m.c.Styles
	if r.n == 0 {
		return []string{st.Success.Render("No deal is rotting.")}
	}
	out := []string{st.Danger.Render(plural(r.n, "deal", "deals")) + st.Subtle.Render(" in a stage longer than its rotting limit")}
	for _, d := range r.deals {
		if len(out) >= h {
			break
		}
		age := fmt.Sprintf("%dd in %s", int(m.c.Now().Sub(d.StageEnteredAt).Hours()/24), d.Stage)
		out = append(out, spread(d.Title+st.Subtle.Render(" · "+compact(d.Value.Amount, d.Value.Currency)), st.Danger.Render(age), w))
	}
	return out
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}
