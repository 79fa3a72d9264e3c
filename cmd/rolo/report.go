package main

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rolo-crm/rolo/store"
	"github.com/spf13/cobra"
)

// reportFlags are the flags the report subcommands share.
type reportFlags struct {
	from, to    string
	denominator string
	months      int
	weeks       int
	week        string
	kind        string
	days        int
	limit       int
}

func (a *App) reportCmd() *cobra.Command {
	var f reportFlags
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Reports: win rate, funnel, cycle, velocity, forecast, activity, neglect, rotting",
		Long: `Reports on your deals and your timeline. Periods default to the last 90 days up to now;
--from and --to take the same dates as everywhere else (a whole day, such as 2026-03-31,
runs to its end). README.md defines every figure.`,
		Example: `  rolo report win-rate
  rolo report funnel --from 2026-01-01 --to 2026-03-31
  rolo report forecast --months 6 --json
  rolo report activity --weeks 8`,
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&f.from, "from", "", "start of the period (default: 90 days before --to)")
	pf.StringVar(&f.to, "to", "", "end of the period (default: now)")

	winRate := &cobra.Command{
		Use:   "win-rate",
		Short: "Deals won among those closed, overall, by lead source and by furthest stage",
		Long: `The share of deals won among the deals closed (won or lost) in the period: won ÷ (won + lost).
With the config key win_rate_denominator: closed_and_stale (or --denominator), open deals
whose expected close date fell in the period count against you too. Broken down by the
lead source of the deal's contact and by the furthest stage the deal reached.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			p, o, err := a.reportSetup(f)
			if err != nil {
				return err
			}
			w, err := a.db.WinRate(a.ctx, p, o)
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(w)
			}
			a.printWinRate(w)
			return nil
		},
	}
	funnel := &cobra.Command{
		Use:   "funnel",
		Short: "How many deals created in the period reached each stage, and went on",
		Long: `For each stage, the deals created in the period that reached it, and the share of them that
reached the next stage (after the last stage: that were won). A deal counts for every
stage up to the furthest it has been in, so one that skipped a stage still counts for it;
moving back never adds to a stage, and entering a stage twice counts once. A won deal
counts for every stage.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			p, _, err := a.reportSetup(f)
			if err != nil {
				return err
			}
			fn, err := a.db.Funnel(a.ctx, p)
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(fn)
			}
			a.printFunnel(fn)
			return nil
		},
	}
	cycle := &cobra.Command{
		Use:   "cycle",
		Short: "How long deals take to close, and how long they stay in each stage",
		Long: `The median and 80th percentile of the days from creation to won or lost, over the deals
closed in the period; and for each stage the median days of the stays in it that ended in
the period (a move to another stage, or closing). An open deal's stay in its current stage
has not ended and is not counted.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			p, _, err := a.reportSetup(f)
			if err != nil {
				return err
			}
			c, err := a.db.Cycle(a.ctx, p)
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(c)
			}
			a.printCycle(c)
			return nil
		},
	}
	velocity := &cobra.Command{
		Use:   "velocity",
		Short: "Value the pipeline turns into won business per day, per currency",
		Long: `Per currency: open deals × average value × win rate ÷ median cycle length in days. The open
deals are those open now; the win rate and the median cycle are those of the deals closed
in the period (see win-rate and cycle).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			p, o, err := a.reportSetup(f)
			if err != nil {
				return err
			}
			v, err := a.db.Velocity(a.ctx, p, o)
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(v)
			}
			a.printVelocity(v)
			return nil
		},
	}
	for _, c := range []*cobra.Command{winRate, velocity} {
		c.Flags().StringVar(&f.denominator, "denominator", "", "closed or closed_and_stale (default: the config's win_rate_denominator)")
	}
	forecast := &cobra.Command{
		Use:   "forecast",
		Short: "Expected revenue per month from open deals, weighted two ways",
		Long: `The open deals by the month of their expected close date, for the next --months calendar
months starting with this one, with deals overdue (expected before this month), later,
and without a date on lines of their own. Each line is weighted by the stages'
probabilities, and by your own historical conversion from each stage to won (won ÷ closed
deals that reached the stage, over all time; the stage's probability while fewer than 5
closed deals reached it).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := noPeriod(cmd); err != nil {
				return err
			}
			if f.months < 1 || f.months > 120 {
				return usagef("--months %d must be between 1 and 120", f.months)
			}
			db, err := a.open()
			if err != nil {
				return err
			}
			fc, err := db.Forecast(a.ctx, store.ForecastOptions{Months: f.months, Loc: time.Local})
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(fc)
			}
			a.printForecast(fc)
			return nil
		},
	}
	forecast.Flags().IntVar(&f.months, "months", 3, "how many months, this one first")
	activity := &cobra.Command{
		Use:   "activity",
		Short: "Calls, emails, meetings, notes and messages per week, with the trend",
		Long: `What you logged per week (weeks start on the config's week_start), and the trend: the last
complete week against the average of the complete weeks before it. The current week is
shown so far, and left out of the trend. --to ends the last week (default now); --from
starts the first week (default: --weeks weeks).

--week DATE lists the entries of the week holding DATE instead, newest first: exactly those
the report counts for that week (--kind keeps one kind; --limit, default 10, caps the list).`,
		Example: `  rolo report activity --weeks 8
  rolo report activity --week "last monday" --kind call --limit 0`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("week") {
				return a.activityWeek(cmd, f)
			}
			for _, name := range []string{"kind", "limit"} {
				if cmd.Flags().Changed(name) {
					return usagef("--%s lists the entries of one week: give --week too", name)
				}
			}
			if f.weeks < 1 || f.weeks > 520 {
				return usagef("--weeks %d must be between 1 and 520", f.weeks)
			}
			db, err := a.open()
			if err != nil {
				return err
			}
			ws, _ := a.cfg.weekStart()
			o := store.ActivityOptions{Weeks: f.weeks, WeekStart: ws, Loc: time.Local, To: a.now()}
			if f.from != "" || f.to != "" {
				p, err := a.reportPeriod(f)
				if err != nil {
					return err
				}
				o.To = p.To
				if f.from != "" {
					o.From = p.From
				}
			}
			act, err := db.Activity(a.ctx, o)
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(act)
			}
			a.printActivity(act)
			return nil
		},
	}
	activity.Flags().IntVar(&f.weeks, "weeks", 12, "how many weeks, this one last")
	activity.Flags().StringVar(&f.week, "week", "", "list the entries of the week holding this date")
	activity.Flags().StringVar(&f.kind, "kind", "", "with --week: only call, email, meeting, note or message")
	neglected := &cobra.Command{
		Use:   "neglected",
		Short: "Contacts past their cadence, and contacts with open deals not touched lately",
		Long: `Contacts past their stay-in-touch cadence (as in rolo today), and valuable contacts (those
with open deals) that nobody has touched in --days days.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := noPeriod(cmd); err != nil {
				return err
			}
			if f.days < 1 {
				return usagef("--days %d must be 1 or more", f.days)
			}
			if f.limit < 0 {
				return usagef("--limit %d must be 0 (all) or more", f.limit)
			}
			db, err := a.open()
			if err != nil {
				return err
			}
			n := neglectJSON{Days: f.days}
			if n.PastCadence, n.PastCadenceCount, err = db.NeglectedContacts(a.ctx, f.limit); err != nil {
				return err
			}
			if n.Untouched, n.UntouchedCount, err = db.UntouchedContacts(a.ctx, f.days, f.limit); err != nil {
				return err
			}
			n.PastCadence = nonNil(n.PastCadence)
			if a.jsonOut {
				return a.printJSON(n)
			}
			a.printNeglect(n)
			return nil
		},
	}
	neglected.Flags().IntVar(&f.days, "days", 30, "untouched for this many days")
	rotting := &cobra.Command{
		Use:   "rotting",
		Short: "Open deals longer in their stage than the stage allows",
		Long:  `Open deals that have been in their stage longer than its rotting limit (as in rolo today).`,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := noPeriod(cmd); err != nil {
				return err
			}
			if f.limit < 0 {
				return usagef("--limit %d must be 0 (all) or more", f.limit)
			}
			db, err := a.open()
			if err != nil {
				return err
			}
			deals, total, err := db.RottingDeals(a.ctx, f.limit)
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(rottingJSON{Count: total, Deals: nonNil(deals)})
			}
			if total == 0 {
				fmt.Fprintln(a.io.Out, "No deal is rotting: every open deal is within its stage's limit.")
				return nil
			}
			fmt.Fprintf(a.io.Out, "%s\n", a.paint(sgrBold, fmt.Sprintf("Rotting deals (%d)", total)))
			a.rottingTable(deals)
			a.limitNote(len(deals), total)
			return nil
		},
	}
	for _, c := range []*cobra.Command{neglected, rotting, activity} {
		c.Flags().IntVar(&f.limit, "limit", 10, "how many of each list (0 means all)")
	}
	for _, c := range []*cobra.Command{winRate, funnel, cycle, velocity, forecast, activity, neglected, rotting} {
		cmd.AddCommand(quick(c))
	}
	return cmd
}

// noPeriod refuses --from and --to on the reports about now.
func noPeriod(cmd *cobra.Command) error {
	for _, name := range []string{"from", "to"} {
		if cmd.Flags().Changed(name) {
			return usagef("%s is about now: --%s does not apply", cmd.CommandPath(), name)
		}
	}
	return nil
}

// reportSetup opens the database and reads the period and options of a period report.
func (a *App) reportSetup(f reportFlags) (store.Period, store.ReportOptions, error) {
	if _, err := a.open(); err != nil {
		return store.Period{}, store.ReportOptions{}, err
	}
	p, err := a.reportPeriod(f)
	if err != nil {
		return p, store.ReportOptions{}, err
	}
	o := store.ReportOptions{WinRateDenominator: a.cfg.WinRateDenominator}
	if f.denominator != "" {
		if f.denominator != store.WinRateClosed && f.denominator != store.WinRateClosedAndStale {
			return p, o, usagef("--denominator %q must be %s or %s", f.denominator, store.WinRateClosed, store.WinRateClosedAndStale)
		}
		o.WinRateDenominator = f.denominator
	}
	return p, o, nil
}

// reportPeriod reads --from and --to: by default the 90 days up to now. A whole day (a
// date without a time) given to --to runs to its end.
func (a *App) reportPeriod(f reportFlags) (store.Period, error) {
	p := store.LastDays(a.now(), store.DefaultPeriodDays)
	if f.to != "" {
		r, err := a.parseWhen("to", f.to)
		if err != nil {
			return p, err
		}
		p.To = r.Time
		if r.AllDay {
			p.To = r.Time.AddDate(0, 0, 1)
		}
		p.From = p.To.AddDate(0, 0, -store.DefaultPeriodDays)
	}
	if f.from != "" {
		r, err := a.parseWhen("from", f.from)
		if err != nil {
			return p, err
		}
		p.From = r.Time
	}
	if !p.From.Before(p.To) {
		return p, usagef("--from (%s) must be before --to (%s)", fmtMinute(p.From), fmtMinute(p.To))
	}
	return p, nil
}

func fmtMinute(t time.Time) string { return t.Local().Format("2006-01-02 15:04") }

func periodLabel(p store.Period) string { return fmtMinute(p.From) + " → " + fmtMinute(p.To) }

func pct(r *float64) string {
	if r == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.1f%%", *r*100)
}

func daysLabel(d *float64) string {
	if d == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.1f", *d)
}

func (a *App) printWinRate(w *store.WinRate) {
	out := a.io.Out
	stale := w.Denominator == store.WinRateClosedAndStale
	den := "won ÷ (won + lost)"
	if stale {
		den = "won ÷ (won + lost + stale open deals)"
	}
	fmt.Fprintf(out, "%s\n", a.paint(sgrBold, "Win rate of the deals closed "+periodLabel(w.Period)))
	fmt.Fprintf(out, "%s: %s (%s)\n", den, a.paint(sgrBold, pct(w.Rate)), winCounts(w.WinRateCounts, stale))
	if w.Won+w.Lost+w.Stale == 0 {
		fmt.Fprintln(out, "No deal was closed in this period, so there is no win rate yet.")
		return
	}
	header := func(first string) *table {
		if stale {
			return newTable(first, "WON", "LOST", "STALE", "RATE")
		}
		return newTable(first, "WON", "LOST", "RATE")
	}
	row := func(t *table, label string, c store.WinRateCounts) {
		cells := []string{label, fmt.Sprint(c.Won), fmt.Sprint(c.Lost)}
		if stale {
			cells = append(cells, fmt.Sprint(c.Stale))
		}
		t.add(append(cells, pct(c.Rate))...)
	}
	a.heading(out, "By lead source")
	t := header("SOURCE")
	for _, s := range w.BySource {
		row(t, orDash(s.Source), s.WinRateCounts)
	}
	t.print(out, a)
	a.heading(out, "By furthest stage reached")
	t = header("STAGE")
	for _, s := range w.ByStage {
		row(t, s.Stage, s.WinRateCounts)
	}
	t.print(out, a)
}

func winCounts(c store.WinRateCounts, stale bool) string {
	s := fmt.Sprintf("%d won, %d lost", c.Won, c.Lost)
	if stale {
		s += fmt.Sprintf(", %d stale", c.Stale)
	}
	return s
}

func (a *App) printFunnel(f *store.Funnel) {
	out := a.io.Out
	fmt.Fprintf(out, "%s\n", a.paint(sgrBold, fmt.Sprintf("Funnel of the %d deals created %s", f.Deals, periodLabel(f.Period))))
	t := newTable("STAGE", "REACHED", "ON TO NEXT")
	for i, s := range f.Stages {
		next := pct(s.Conversion)
		if i == len(f.Stages)-1 {
			next += " (won)"
		}
		t.add(s.Stage, fmt.Sprint(s.Reached), next)
	}
	t.add(a.paint(sgrGreen, "Won"), fmt.Sprint(f.Won), "")
	t.print(out, a)
	fmt.Fprintf(out, "\nNow %d won, %d lost, %d open. A deal counts for every stage up to the furthest it reached.\n", f.Won, f.Lost, f.Open)
}

func (a *App) printCycle(c *store.Cycle) {
	out := a.io.Out
	fmt.Fprintf(out, "%s\n", a.paint(sgrBold, fmt.Sprintf("Cycle of the %d deals closed %s (%d won, %d lost)", c.Closed, periodLabel(c.Period), c.Won, c.Lost)))
	fmt.Fprintf(out, "Days from created to closed: median %s, 80th percentile %s\n", daysLabel(c.MedianDays), daysLabel(c.P80Days))
	a.heading(out, "Days in each stage (stays that ended in the period)")
	t := newTable("STAGE", "STAYS", "MEDIAN DAYS")
	for _, s := range c.Stages {
		t.add(s.Stage, fmt.Sprint(s.Stints), daysLabel(s.MedianDays))
	}
	t.print(out, a)
}

func (a *App) printVelocity(v *store.Velocity) {
	out := a.io.Out
	fmt.Fprintf(out, "%s\n", a.paint(sgrBold, "Velocity: open deals × average value × win rate ÷ median cycle"))
	fmt.Fprintf(out, "Win rate %s and median cycle %s days, of the deals closed %s\n", pct(v.WinRate), daysLabel(v.CycleDays), periodLabel(v.Period))
	if len(v.Currencies) == 0 {
		fmt.Fprintln(out, "No open deals.")
		return
	}
	t := newTable("CURRENCY", "OPEN DEALS", "AVERAGE VALUE", "PER DAY")
	for _, c := range v.Currencies {
		per := "n/a"
		if c.PerDay != nil {
			per = store.Money{Amount: *c.PerDay, Currency: c.Currency}.String()
		}
		t.add(c.Currency, fmt.Sprint(c.OpenDeals), store.Money{Amount: c.AverageValue, Currency: c.Currency}.String(), per)
	}
	t.print(out, a)
}

func (a *App) printForecast(f *store.Forecast) {
	out := a.io.Out
	fmt.Fprintf(out, "%s\n", a.paint(sgrBold, "Forecast: open deals by expected close month"))
	t := newTable("MONTH", "DEALS", "TOTAL", "BY STAGE %", "BY HISTORY")
	t.max = 60
	line := func(label string, l store.ForecastLine) {
		t.add(label, fmt.Sprint(l.Deals), moneyList(l.Totals), moneyList(l.Weighted), moneyList(l.Historical))
	}
	if f.Overdue.Deals > 0 {
		line(a.paint(sgrRed, "Overdue"), f.Overdue)
	}
	for _, m := range f.Months {
		label := m.Month
		if mt, err := time.Parse("2006-01", m.Month); err == nil {
			label = mt.Format("Jan 2006")
		}
		line(label, m)
	}
	if f.Later.Deals > 0 {
		line("Later", f.Later)
	}
	line("Unscheduled", f.Unscheduled)
	t.print(out, a)
	a.heading(out, "Conversion from each stage to won (all closed deals)")
	c := newTable("STAGE", "PROB", "REACHED", "WON", "RATE USED")
	for _, s := range f.Conversion {
		used := fmt.Sprintf("%.1f%% (history)", s.Rate*100)
		if s.Basis != "history" {
			used = fmt.Sprintf("%d%% (stage probability: fewer than %d deals)", s.Probability, store.MinConversionDeals)
		}
		c.add(s.Stage, fmt.Sprintf("%d%%", s.Probability), fmt.Sprint(s.Reached), fmt.Sprint(s.Won), used)
	}
	c.max = 60
	c.print(out, a)
}

func (a *App) printActivity(act *store.Activity) {
	out := a.io.Out
	fmt.Fprintf(out, "%s\n", a.paint(sgrBold, "Activity per week "+periodLabel(act.Period)))
	t := newTable("WEEK OF", "CALLS", "EMAILS", "MEETINGS", "NOTES", "MESSAGES", "TOTAL")
	for _, w := range act.Weeks {
		label := w.Start.Local().Format("2006-01-02")
		if !w.Complete {
			label += " (so far)"
		}
		t.add(label, fmt.Sprint(w.Calls), fmt.Sprint(w.Emails), fmt.Sprint(w.Meetings), fmt.Sprint(w.Notes),
			fmt.Sprint(w.Messages), fmt.Sprint(w.Total))
	}
	t.print(out, a)
	if act.TrendWeek == nil {
		fmt.Fprintln(out, "\nNo complete week yet, so no trend.")
		return
	}
	a.heading(out, fmt.Sprintf("Trend: the week of %s against the average of the complete weeks before it",
		act.TrendWeek.Local().Format("2006-01-02")))
	tr := newTable("KIND", "LAST WEEK", "AVERAGE", "CHANGE")
	for _, k := range act.Trend {
		avg, change := "n/a", "n/a"
		if k.Average != nil {
			avg = fmt.Sprintf("%.1f", *k.Average)
		}
		if k.ChangePct != nil {
			change = fmt.Sprintf("%+.1f%%", *k.ChangePct)
			if *k.ChangePct < 0 {
				change = a.paint(sgrRed, change)
			} else if *k.ChangePct > 0 {
				change = a.paint(sgrGreen, change)
			}
		}
		tr.add(kindPlural(k.Kind), fmt.Sprint(k.LastWeek), avg, change)
	}
	tr.print(out, a)
}

// activityWeekJSON is `rolo report activity --week DATE --json`: the week as the report
// counts it, and its entries.
type activityWeekJSON struct {
	store.ActivityWeek
	Kind string `json:"kind,omitempty"`
	// Count is how many entries the list has in all (of Kind, if given).
	Count   int                 `json:"count"`
	Entries []store.Interaction `json:"entries"`
}

// activityWeek lists the entries of the week holding --week, newest first.
func (a *App) activityWeek(cmd *cobra.Command, f reportFlags) error {
	for _, name := range []string{"weeks", "from", "to"} {
		if cmd.Flags().Changed(name) {
			return usagef("--week lists the entries of one week: --%s does not apply", name)
		}
	}
	if f.kind != "" && !slices.Contains(store.InteractionKinds, f.kind) {
		return usagef("--kind %q must be one of %s", f.kind, strings.Join(store.InteractionKinds, ", "))
	}
	if f.limit < 0 {
		return usagef("--limit %d must be 0 (all) or more", f.limit)
	}
	db, err := a.open()
	if err != nil {
		return err
	}
	r, err := a.parseWhen("week", f.week)
	if err != nil {
		return err
	}
	ws, _ := a.cfg.weekStart()
	day := r.Time.In(time.Local)
	start := time.Date(day.Year(), day.Month(), day.Day()-(int(day.Weekday())-int(ws)+7)%7, 0, 0, 0, 0, time.Local)
	now := a.now()
	if !start.Before(now) {
		return usagef("the week of %s has not started yet", start.Format("2006-01-02"))
	}
	// The report's own week: its end, its counts and whether it is over.
	end := start.AddDate(0, 0, 7)
	if now.Before(end) {
		end = now
	}
	act, err := db.Activity(a.ctx, store.ActivityOptions{From: start, To: end, WeekStart: ws, Loc: time.Local})
	if err != nil {
		return err
	}
	out := activityWeekJSON{ActivityWeek: act.Weeks[0], Kind: f.kind, Entries: []store.Interaction{}}
	filter := store.ActivityFilter{From: out.Start, To: out.End, Kind: f.kind, Limit: f.limit}
	if f.limit == 0 {
		filter.Limit = 1000
	}
	for {
		pg, err := db.ActivityEntries(a.ctx, filter)
		if err != nil {
			return err
		}
		out.Count = pg.Counts.Total
		if f.kind != "" {
			out.Count = pg.Counts.Of(f.kind)
		}
		out.Entries = append(out.Entries, pg.Entries...)
		if f.limit > 0 || pg.Next == nil {
			break
		}
		filter.After = pg.Next
	}
	if a.jsonOut {
		return a.printJSON(out)
	}
	w := a.io.Out
	title := "Activity in the week of " + out.Start.Local().Format("Mon 2006-01-02")
	if !out.Complete {
		title += " (so far)"
	}
	fmt.Fprintf(w, "%s\n", a.paint(sgrBold, title))
	fmt.Fprintf(w, "%s, %s, %s, %s, %s: %s\n", plural(out.Calls, "call"), plural(out.Emails, "email"), plural(out.Meetings, "meeting"),
		plural(out.Notes, "note"), plural(out.Messages, "message"), plural(out.Total, "entry"))
	if len(out.Entries) == 0 {
		if f.kind != "" {
			fmt.Fprintf(w, "No %s was logged.\n", f.kind)
		} else {
			fmt.Fprintln(w, "Nothing was logged.")
		}
		return nil
	}
	t := newTable("WHEN", "KIND", "ID", "ABOUT", "TEXT")
	t.max = 60
	for _, e := range out.Entries {
		var about []string
		for _, s := range []string{e.Contact, e.Deal} {
			if s != "" {
				about = append(about, s)
			}
		}
		if len(about) == 0 {
			about = append(about, e.Company)
		}
		t.add(a.paint(sgrDim, e.OccurredAt.Local().Format("2006-01-02 15:04")), e.Kind, store.ShortID(e.ID), strings.Join(about, " · "), e.Text)
	}
	fmt.Fprintln(w)
	t.print(w, a)
	a.limitNote(len(out.Entries), out.Count)
	return nil
}

func kindPlural(k string) string {
	if k == "total" {
		return k
	}
	return k + "s"
}

// neglectJSON is `rolo report neglected --json`.
type neglectJSON struct {
	Days             int                      `json:"days"`
	PastCadence      []store.Contact          `json:"past_cadence"`
	PastCadenceCount int                      `json:"past_cadence_count"`
	Untouched        []store.UntouchedContact `json:"untouched"`
	UntouchedCount   int                      `json:"untouched_count"`
}

// rottingJSON is `rolo report rotting --json`.
type rottingJSON struct {
	Count int          `json:"count"`
	Deals []store.Deal `json:"deals"`
}

func (a *App) printNeglect(n neglectJSON) {
	out := a.io.Out
	more := func(shown, total int) string {
		if total > shown {
			return fmt.Sprintf(" — showing %d, use --limit 0 for all", shown)
		}
		return ""
	}
	touched := func(c store.Contact) string {
		if c.LastTouchedAt == nil {
			return "never"
		}
		return ago(a.now(), *c.LastTouchedAt)
	}
	fmt.Fprintf(out, "%s\n", a.paint(sgrBold, fmt.Sprintf("Past their stay-in-touch cadence (%d)%s", n.PastCadenceCount, more(len(n.PastCadence), n.PastCadenceCount))))
	if n.PastCadenceCount == 0 {
		fmt.Fprintln(out, "Nobody: everyone with a cadence was touched in time.")
	} else {
		t := newTable("ID", "NAME", "COMPANY", "CADENCE", "LAST TOUCHED")
		for _, c := range n.PastCadence {
			t.add(store.ShortID(c.ID), c.Name, orDash(c.Company), fmt.Sprintf("%dd", c.CadenceDays), touched(c))
		}
		t.print(out, a)
	}
	a.heading(out, fmt.Sprintf("With open deals, not touched in %d days (%d)%s", n.Days, n.UntouchedCount, more(len(n.Untouched), n.UntouchedCount)))
	if n.UntouchedCount == 0 {
		fmt.Fprintln(out, "Nobody: every contact with an open deal was touched lately.")
		return
	}
	t := newTable("ID", "NAME", "COMPANY", "OPEN DEALS", "VALUE", "LAST TOUCHED")
	t.max = 60
	for _, u := range n.Untouched {
		t.add(store.ShortID(u.ID), u.Name, orDash(u.Company), fmt.Sprint(u.OpenDeals), moneyList(u.OpenValue), touched(u.Contact))
	}
	t.print(out, a)
}
