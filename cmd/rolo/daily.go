package main

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/rolo-crm/rolo/store"
	"github.com/spf13/cobra"
)

func (a *App) logCmd() *cobra.Command {
	var kind, text, at, deal string
	cmd := &cobra.Command{
		Use:   "log REF",
		Short: "Log a call, email, meeting, note or message on a timeline",
		Long: `Log an interaction on the timeline of a contact, company or deal (REF).
The contact's "last touched" time moves forward, which resets its stay-in-touch cadence.`,
		Example: `  rolo log ada --kind call --text "Walked through the proposal; wants a pilot"
  rolo log ada --kind meeting --text "Demo at their office" --at "yesterday 3pm" --deal renewal`,
		Args: exactArgs(1, "REF"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if kind == "" {
				return usagef("--kind is required: one of %s", strings.Join(store.InteractionKinds, ", "))
			}
			if strings.TrimSpace(text) == "" {
				return usagef("--text is required: say what happened")
			}
			db, err := a.open()
			if err != nil {
				return err
			}
			in := store.InteractionInput{Kind: strings.ToLower(kind), Text: text}
			if at != "" {
				r, err := a.parseWhen("at", at)
				if err != nil {
					return err
				}
				in.OccurredAt = r.Time
				if r.AllDay {
					in.OccurredAt = r.Time.Add(12 * time.Hour) // a day without a time: midday, so it sorts within the day
				}
			}
			ref, err := a.resolve(args[0], false, store.EntityContact, store.EntityCompany, store.EntityDeal)
			if err != nil {
				return err
			}
			switch ref.Entity {
			case store.EntityContact:
				in.ContactID = ref.ID
			case store.EntityCompany:
				in.CompanyID = ref.ID
			case store.EntityDeal:
				in.DealID = ref.ID
			}
			if deal != "" {
				d, err := a.resolve(deal, false, store.EntityDeal)
				if err != nil {
					return err
				}
				in.DealID = d.ID
			}
			i, err := db.LogInteraction(a.ctx, in)
			if err != nil {
				return err
			}
			return a.done(i, "Logged %s with %s (%s)", i.Kind, ref.Label, store.ShortID(i.ID))
		},
	}
	cmd.Flags().StringVar(&kind, "kind", "", "call, email, meeting, note or message")
	cmd.Flags().StringVar(&text, "text", "", "what happened")
	cmd.Flags().StringVar(&at, "at", "", "when (default now), e.g. \"yesterday 3pm\", 2026-11-20T10:00")
	cmd.Flags().StringVar(&deal, "deal", "", "also link this deal")
	return cmd
}

func (a *App) followupCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "followup", Aliases: []string{"followups", "fu"}, Short: "Schedule and complete follow-ups"}
	var due, text string
	addCmd := &cobra.Command{
		Use:   "add REF",
		Short: "Schedule a follow-up for a contact or a deal",
		Example: `  rolo followup add ada --due "tomorrow 3pm" --text "Send the pilot proposal"
  rolo followup add renewal --due fri --text "Chase the signature"`,
		Args: exactArgs(1, "REF"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if due == "" {
				return usagef("--due is required, e.g. --due tomorrow or --due \"next monday 9am\"")
			}
			if strings.TrimSpace(text) == "" {
				return usagef("--text is required: say what to do")
			}
			db, err := a.open()
			if err != nil {
				return err
			}
			r, err := a.parseWhen("due", due)
			if err != nil {
				return err
			}
			ref, err := a.resolve(args[0], false, store.EntityContact, store.EntityDeal)
			if err != nil {
				return err
			}
			in := store.FollowUpInput{Title: text, DueAt: r.Time, AllDay: r.AllDay}
			if ref.Entity == store.EntityDeal {
				in.DealID = ref.ID
			} else {
				in.ContactID = ref.ID
			}
			f, err := db.AddFollowUp(a.ctx, in)
			if err != nil {
				return err
			}
			return a.done(f, "Follow-up %s for %s due %s", store.ShortID(f.ID), ref.Label, fmtWhen(f.DueAt, f.AllDay))
		},
	}
	addCmd.Flags().StringVar(&due, "due", "", "when, e.g. tomorrow, \"fri 9am\", \"in 2w\", 2026-12-01")
	addCmd.Flags().StringVar(&text, "text", "", "what to do")

	var lf struct {
		overdue, today, week, all bool
		page
	}
	listCmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List open follow-ups by due date",
		Long: `List open follow-ups by due date, overdue first.
  --overdue  only those past due
  --today    only those due today (not overdue)
  --week     those due from today to the end of this week
  --all      done ones too`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			n := 0
			for _, b := range []bool{lf.overdue, lf.today, lf.week} {
				if b {
					n++
				}
			}
			if n > 1 {
				return usagef("choose one of --overdue, --today and --week")
			}
			if err := lf.check(); err != nil {
				return err
			}
			db, err := a.open()
			if err != nil {
				return err
			}
			var list []store.FollowUp
			var total int
			if lf.overdue || lf.today {
				ag, counts, err := db.Today(a.ctx, time.Local, agendaLimit(lf.limit))
				if err != nil {
					return err
				}
				list, total = ag.Overdue, counts.Overdue
				if lf.today {
					list, total = ag.DueToday, counts.DueToday
				}
			} else {
				f := store.FollowUpFilter{All: lf.all, Limit: lf.limit, Offset: lf.offset}
				if lf.week {
					ws, _ := a.cfg.weekStart()
					start, _ := store.DayBounds(a.now(), time.Local)
					off := (int(start.Weekday()) - int(ws) + 7) % 7
					f.After, f.Before = start, start.AddDate(0, 0, 7-off)
				}
				if list, total, err = db.FindFollowUps(a.ctx, f); err != nil {
					return err
				}
			}
			if a.jsonOut {
				return a.printJSON(nonNil(list))
			}
			if total == 0 {
				fmt.Fprintln(a.io.Out, "Nothing to follow up. Schedule one with: rolo followup add ada --due tomorrow --text \"Call back\"")
				return nil
			}
			t := newTable("ID", "DUE", "WHAT", "FOR")
			for _, f := range list {
				t.add(store.ShortID(f.ID), a.dueLabel(f), f.Title, forLabel(f))
			}
			t.print(a.io.Out, a)
			a.limitNote(len(list), total)
			return nil
		},
	}
	listCmd.Flags().BoolVar(&lf.overdue, "overdue", false, "only overdue")
	listCmd.Flags().BoolVar(&lf.today, "today", false, "only due today")
	listCmd.Flags().BoolVar(&lf.week, "week", false, "due from today to the end of the week")
	listCmd.Flags().BoolVar(&lf.all, "all", false, "include done follow-ups")
	lf.page.flags(listCmd.Flags())

	doneCmd := a.followUpCmd("done ID", "Mark a follow-up done", "Done: %s (%s)",
		func(id string) (*store.FollowUp, error) { return a.db.CompleteFollowUp(a.ctx, id) })
	var until string
	snoozeCmd := &cobra.Command{
		Use:     "snooze ID",
		Short:   "Move a follow-up's due date (default: tomorrow)",
		Example: `  rolo followup snooze 9c1e77d0 --until "next monday 9am"`,
		Args:    exactArgs(1, "ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := a.resolve(args[0], false, store.EntityFollowUp)
			if err != nil {
				return err
			}
			r, err := a.parseWhen("until", until)
			if err != nil {
				return err
			}
			f, err := a.db.SnoozeFollowUp(a.ctx, ref.ID, r.Time, r.AllDay)
			if err != nil {
				return err
			}
			return a.done(f, "Snoozed %s (%s) until %s", f.Title, store.ShortID(f.ID), fmtWhen(f.DueAt, f.AllDay))
		},
	}
	snoozeCmd.Flags().StringVar(&until, "until", "tomorrow", "new due date, e.g. \"in 3d\", \"mon 9am\"")
	reopenCmd := a.followUpCmd("reopen ID", "Mark a done follow-up as not done", "Reopened %s (%s)",
		func(id string) (*store.FollowUp, error) { return a.db.ReopenFollowUp(a.ctx, id) })
	cmd.AddCommand(addCmd, quick(listCmd), doneCmd, snoozeCmd, reopenCmd,
		a.removeCmd(store.EntityFollowUp, "followup", func(id string) error { return a.db.DeleteFollowUp(a.ctx, id) }),
		a.restoreCmd(store.EntityFollowUp, "followup", func(id string) error { return a.db.RestoreFollowUp(a.ctx, id) }))
	return cmd
}

// followUpCmd is a command that changes one follow-up (ID) with change and says so:
// said formats the follow-up's title and short id.
func (a *App) followUpCmd(use, short, said string, change func(id string) (*store.FollowUp, error)) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  exactArgs(1, "ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := a.resolve(args[0], false, store.EntityFollowUp)
			if err != nil {
				return err
			}
			f, err := change(ref.ID)
			if err != nil {
				return err
			}
			return a.done(f, said, f.Title, store.ShortID(f.ID))
		},
	}
}

// agendaLimit turns --limit into the store's agenda cap, where 0 would mean 50: for the
// command line 0 means all.
func agendaLimit(n int) int {
	if n == 0 {
		return math.MaxInt32
	}
	return n
}

type todayJSON struct {
	*store.Agenda
	Counts map[string]int `json:"counts"`
}

func (a *App) todayCmd() *cobra.Command {
	var limit int
	cmd := &cobra.Command{
		Use:   "today",
		Short: "The day's agenda: overdue, due today, rotting deals, neglected contacts",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if limit < 0 {
				return usagef("--limit %d must be 0 (all) or more", limit)
			}
			db, err := a.open()
			if err != nil {
				return err
			}
			ag, n, err := db.Today(a.ctx, time.Local, agendaLimit(limit))
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(todayJSON{ag, map[string]int{"overdue": n.Overdue, "due_today": n.DueToday, "rotting": n.Rotting, "neglected": n.Neglected}})
			}
			w := a.io.Out
			fmt.Fprintf(w, "%s\n", a.paint(sgrBold, a.now().Local().Format("Monday 2 January 2006")))
			if n.Overdue+n.DueToday+n.Rotting+n.Neglected == 0 {
				fmt.Fprintln(w, "\nAll clear: nothing overdue, nothing due today, no deal rotting, nobody neglected.")
				return nil
			}
			section := func(title string, shown, total int) {
				more := ""
				if total > shown {
					more = fmt.Sprintf(" — showing %d, use --limit 0 for all", shown)
				}
				a.heading(w, fmt.Sprintf("%s (%d)%s", title, total, more))
			}
			if n.Overdue > 0 {
				section(a.paint(sgrRed, "Overdue"), len(ag.Overdue), n.Overdue)
				t := newTable("ID", "DUE", "WHAT", "FOR")
				for _, f := range ag.Overdue {
					late := ago(a.now(), f.DueAt)
					if f.AllDay {
						start, _ := store.DayBounds(a.now(), time.Local)
						late = fmt.Sprintf("%dd ago", int(start.Sub(f.DueAt).Hours()/24+0.5))
					}
					t.add(store.ShortID(f.ID), a.dueLabel(f)+" "+a.paint(sgrRed, "("+late+")"), f.Title, forLabel(f))
				}
				t.print(w, a)
			}
			if n.DueToday > 0 {
				section("Due today", len(ag.DueToday), n.DueToday)
				t := newTable("ID", "DUE", "WHAT", "FOR")
				for _, f := range ag.DueToday {
					due := "today"
					if !f.AllDay {
						due = f.DueAt.Local().Format("15:04")
					}
					t.add(store.ShortID(f.ID), due, f.Title, forLabel(f))
				}
				t.print(w, a)
			}
			if n.Rotting > 0 {
				section(a.paint(sgrYellow, "Rotting deals"), len(ag.Rotting), n.Rotting)
				a.rottingTable(ag.Rotting)
			}
			if n.Neglected > 0 {
				section("Neglected contacts", len(ag.Neglected), n.Neglected)
				t := newTable("ID", "NAME", "COMPANY", "CADENCE", "LAST TOUCHED")
				for _, c := range ag.Neglected {
					touched := "never"
					if c.LastTouchedAt != nil {
						touched = ago(a.now(), *c.LastTouchedAt)
					}
					t.add(store.ShortID(c.ID), c.Name, orDash(c.Company), fmt.Sprintf("%dd", c.CadenceDays), touched)
				}
				t.print(w, a)
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 10, "how many of each list (0 means all)")
	return quick(cmd)
}

func (a *App) rottingTable(deals []store.Deal) {
	t := newTable("ID", "DEAL", "STAGE", "IN STAGE", "VALUE", "CONTACT")
	for _, d := range deals {
		t.add(store.ShortID(d.ID), d.Title, d.Stage, a.paint(sgrYellow, fmt.Sprintf("%dd", days(a.now().Sub(d.StageEnteredAt)))),
			d.Value.String(), orDash(d.Contact))
	}
	t.print(a.io.Out, a)
}

func (a *App) pipelineCmd() *cobra.Command {
	var limit int
	cmd := &cobra.Command{
		Use:   "pipeline",
		Short: "Open deals per stage: count, total, weighted total, rotting deals",
		Long: `Open deals per stage with their count and, per currency, the total value and the
total weighted by the stage's win probability. Deals longer in their stage than its
rotting limit are listed below.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if limit < 0 {
				return usagef("--limit %d must be 0 (all) or more", limit)
			}
			db, err := a.open()
			if err != nil {
				return err
			}
			p, err := db.Pipeline(a.ctx, limit)
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(p)
			}
			t := newTable("STAGE", "PROB", "DEALS", "ROTTING", "TOTAL", "WEIGHTED")
			t.max = 60
			count := 0
			for _, s := range p.Stages {
				rot := fmt.Sprint(s.Rotting)
				if s.Rotting > 0 {
					rot = a.paint(sgrYellow, rot)
				}
				t.add(s.Stage.Name, fmt.Sprintf("%d%%", s.Stage.Probability), fmt.Sprint(s.Count), rot, moneyList(s.Totals), moneyList(s.Weighted))
				count += s.Count
			}
			t.add(a.paint(sgrBold, "Total"), "", fmt.Sprint(count), "", moneyList(p.Totals), moneyList(p.Weighted))
			t.print(a.io.Out, a)
			if len(p.Rotting) > 0 {
				a.heading(a.io.Out, "Rotting deals")
				a.rottingTable(p.Rotting)
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 10, "how many rotting deals to list (0 means all)")
	return quick(cmd)
}

func (a *App) searchCmd() *cobra.Command {
	var limit int
	cmd := &cobra.Command{
		Use:   "search QUERY",
		Short: "Search contacts, companies, deals, follow-ups and timelines",
		Long: `Search every kind of record. Every word must match the start of a word in the
record (so "ad lov" finds Ada Lovelace); emails and phone numbers work too.`,
		Example: `  rolo search ada
  rolo search "pilot pricing" --json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if limit < 0 {
				return usagef("--limit %d must be 0 (default 20) or more", limit)
			}
			db, err := a.open()
			if err != nil {
				return err
			}
			hits, err := db.Search(a.ctx, strings.Join(args, " "), limit)
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(nonNil(hits))
			}
			if len(hits) == 0 {
				fmt.Fprintf(a.io.Out, "Nothing matches %q.\n", strings.Join(args, " "))
				return nil
			}
			t := newTable("KIND", "ID", "MATCH", "DETAIL")
			t.max = 60
			for _, h := range hits {
				t.add(strings.ReplaceAll(h.Entity, "_", "-"), store.ShortID(h.ID), h.Title, h.Detail)
			}
			t.print(a.io.Out, a)
			return nil
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 20, "most results of each kind")
	return quick(cmd)
}
