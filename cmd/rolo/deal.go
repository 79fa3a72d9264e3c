package main

import (
	"fmt"
	"strings"

	"github.com/rolo-crm/rolo/store"
	"github.com/spf13/cobra"
)

func (a *App) dealCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "deal", Aliases: []string{"deals", "d"}, Short: "Track deals through the pipeline"}
	var f struct {
		contact, company, value, currency, stage, close, vis, title, note string
		tags, removeTags                                                  []string
	}
	reg := func(c *cobra.Command, edit bool) {
		fl := c.Flags()
		fl.StringVar(&f.contact, "contact", "", "contact (name, email or id)")
		fl.StringVar(&f.company, "company", "", "company (name or id; defaults to the contact's)")
		fl.StringVar(&f.value, "value", "", "value, e.g. 12000 or 12000.50")
		fl.StringVar(&f.currency, "currency", "", "ISO 4217 code (default from config, USD)")
		fl.StringVar(&f.close, "close", "", "expected close date, e.g. 2026-12-31, end of month, in 2w")
		fl.StringVar(&f.note, "note", "", "notes")
		fl.StringArrayVar(&f.tags, "tag", nil, "tag (repeatable)")
		fl.StringVar(&f.vis, "visibility", "", "private or team")
		if edit {
			fl.StringVar(&f.title, "title", "", "new title")
			fl.StringArrayVar(&f.removeTags, "remove-tag", nil, "remove a tag (repeatable)")
		} else {
			fl.StringVar(&f.stage, "stage", "", "stage name (default: the first stage)")
		}
	}
	closeDate := func() (string, error) {
		if strings.TrimSpace(f.close) == "" {
			return "", nil
		}
		r, err := a.parseWhen("close", f.close)
		if err != nil {
			return "", err
		}
		return r.Time.Format(store.DateFormat), nil
	}
	amount := func(cur string) (int64, error) {
		if f.value == "" {
			return 0, nil
		}
		if cur == "" {
			cur = a.cfg.Currency
		}
		code := strings.ToUpper(cur)
		if !store.ValidCurrency(code) {
			return 0, usagef("unknown currency code %q (use an ISO 4217 code such as USD or EUR)", cur)
		}
		n, err := store.ParseAmount(f.value, code)
		if err != nil {
			return 0, fmt.Errorf("--value: %w", err)
		}
		return n, nil
	}
	addCmd := &cobra.Command{
		Use:   "add TITLE",
		Short: "Add a deal",
		Example: `  rolo deal add "Engines renewal" --contact ada --value 12000 --stage qualified --close "end of month"
  rolo deal add "Pilot" --company "Analytical Engines" --value 4500.50 --currency EUR`,
		Args: exactArgs(1, "TITLE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := a.open()
			if err != nil {
				return err
			}
			value, err := amount(f.currency)
			if err != nil {
				return err
			}
			cd, err := closeDate()
			if err != nil {
				return err
			}
			in := store.DealInput{Title: args[0], Company: f.company, Value: value, Currency: f.currency, Stage: f.stage,
				ExpectedClose: cd, Tags: f.tags, Notes: f.note, Visibility: f.vis}
			if f.contact != "" {
				ref, err := a.resolve(f.contact, false, store.EntityContact)
				if err != nil {
					return err
				}
				in.ContactID = ref.ID
			}
			if in.Company, err = a.companyRef(f.company); err != nil {
				return err
			}
			d, err := db.CreateDeal(a.ctx, in)
			if err != nil {
				return err
			}
			return a.done(d, "Added deal %s (%s) in %s, %s", d.Title, store.ShortID(d.ID), d.Stage, d.Value)
		},
	}
	reg(addCmd, false)
	editCmd := &cobra.Command{
		Use:   "edit REF",
		Short: "Change a deal (only the flags given change; use move, won and lost for its stage and status)",
		Args:  exactArgs(1, "REF"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := a.resolve(args[0], false, store.EntityDeal)
			if err != nil {
				return err
			}
			cur, err := a.db.FindDealByID(a.ctx, ref.ID)
			if err != nil {
				return err
			}
			u := store.DealUpdate{Title: strFlag(cmd, "title", f.title), Currency: strFlag(cmd, "currency", f.currency),
				Notes: strFlag(cmd, "note", f.note), Visibility: strFlag(cmd, "visibility", f.vis), AddTags: f.tags, RemoveTags: f.removeTags}
			if cmd.Flags().Changed("value") {
				c := f.currency
				if c == "" {
					c = cur.Value.Currency
				}
				v, err := amount(c)
				if err != nil {
					return err
				}
				u.Value = &v
			}
			if cmd.Flags().Changed("close") {
				cd, err := closeDate()
				if err != nil {
					return err
				}
				u.ExpectedClose = &cd
			}
			if cmd.Flags().Changed("contact") {
				id := ""
				if f.contact != "" {
					r, err := a.resolve(f.contact, false, store.EntityContact)
					if err != nil {
						return err
					}
					id = r.ID
				}
				u.ContactID = &id
			}
			if cmd.Flags().Changed("company") {
				co, err := a.companyRef(f.company)
				if err != nil {
					return err
				}
				u.Company = &co
			}
			d, err := a.db.UpdateDeal(a.ctx, ref.ID, u)
			if err != nil {
				return err
			}
			return a.done(d, "Updated deal %s (%s)", d.Title, store.ShortID(d.ID))
		},
	}
	reg(editCmd, true)
	showCmd := a.showCmd(store.EntityDeal, "Show a deal with its follow-ups and timeline", a.showDeal)
	var lf struct {
		stage, status, contact, company string
		all                             bool
		page
	}
	listCmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List deals, newest first (open ones unless --status or --all)",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := lf.check(); err != nil {
				return err
			}
			db, err := a.open()
			if err != nil {
				return err
			}
			flt := store.DealFilter{Status: strings.ToLower(lf.status), All: lf.all, Limit: lf.limit, Offset: lf.offset}
			if flt.Status != "" && flt.Status != store.StatusOpen && flt.Status != store.StatusWon && flt.Status != store.StatusLost {
				return usagef("--status %q must be open, won or lost", lf.status)
			}
			if lf.stage != "" {
				s, err := db.FindStage(a.ctx, lf.stage)
				if err != nil {
					return err
				}
				flt.StageID = s.ID
			}
			if lf.contact != "" {
				r, err := a.resolve(lf.contact, false, store.EntityContact)
				if err != nil {
					return err
				}
				flt.ContactID = r.ID
			}
			if lf.company != "" {
				r, err := a.resolve(lf.company, false, store.EntityCompany)
				if err != nil {
					return err
				}
				flt.CompanyID = r.ID
			}
			list, total, err := db.FindDeals(a.ctx, flt)
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(nonNil(list))
			}
			if total == 0 {
				fmt.Fprintln(a.io.Out, "No deals match. Add one with: rolo deal add \"Pilot project\" --contact ada --value 5000")
				return nil
			}
			t := newTable("ID", "TITLE", "COMPANY", "STAGE", "STATUS", "VALUE", "CLOSE")
			for _, d := range list {
				status := d.Status
				switch d.Status {
				case store.StatusWon:
					status = a.paint(sgrGreen, status)
				case store.StatusLost:
					status = a.paint(sgrRed, status)
				}
				t.add(store.ShortID(d.ID), d.Title, orDash(d.Company), d.Stage, status, d.Value.String(), orDash(d.ExpectedClose))
			}
			t.print(a.io.Out, a)
			a.limitNote(len(list), total)
			return nil
		},
	}
	listCmd.Flags().StringVar(&lf.stage, "stage", "", "only deals in this stage")
	listCmd.Flags().StringVar(&lf.status, "status", "", "open (default), won or lost")
	listCmd.Flags().StringVar(&lf.contact, "contact", "", "only deals of this contact")
	listCmd.Flags().StringVar(&lf.company, "company", "", "only deals of this company")
	lf.page.flags(listCmd.Flags())
	listCmd.Flags().BoolVar(&lf.all, "all", false, "every status, and deleted deals")

	moveCmd := &cobra.Command{
		Use:     "move REF STAGE",
		Short:   "Move an open deal to another stage",
		Example: `  rolo deal move 3f9a2c1b proposal`,
		Args:    exactArgs(2, "REF and STAGE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := a.resolve(args[0], false, store.EntityDeal)
			if err != nil {
				return err
			}
			d, err := a.db.MoveDeal(a.ctx, ref.ID, args[1])
			if err != nil {
				return err
			}
			return a.done(d, "Moved %s (%s) to %s", d.Title, store.ShortID(d.ID), d.Stage)
		},
	}
	status := func(use, short, status string, reason bool) *cobra.Command {
		var why string
		c := &cobra.Command{
			Use:   use + " REF",
			Short: short,
			Args:  exactArgs(1, "REF"),
			RunE: func(cmd *cobra.Command, args []string) error {
				ref, err := a.resolve(args[0], false, store.EntityDeal)
				if err != nil {
					return err
				}
				d, err := a.db.CloseDeal(a.ctx, ref.ID, status, why)
				if err != nil {
					return err
				}
				msg := map[string]string{store.StatusWon: "Won", store.StatusLost: "Lost", store.StatusOpen: "Reopened"}[status]
				return a.done(d, "%s %s (%s), %s", msg, d.Title, store.ShortID(d.ID), d.Value)
			},
		}
		if reason {
			c.Flags().StringVar(&why, "reason", "", "why it was lost, e.g. price, timing, competitor")
		}
		return c
	}
	cmd.AddCommand(addCmd, editCmd, quick(showCmd), quick(listCmd), moveCmd,
		status("won", "Mark a deal won", store.StatusWon, false),
		status("lost", "Mark a deal lost, with a reason", store.StatusLost, true),
		status("reopen", "Reopen a won or lost deal", store.StatusOpen, false),
		a.removeCmd(store.EntityDeal, "deal", func(id string) error { return a.db.DeleteDeal(a.ctx, id) }),
		a.restoreCmd(store.EntityDeal, "deal", func(id string) error { return a.db.RestoreDeal(a.ctx, id) }))
	return cmd
}

type dealDetail struct {
	*store.Deal
	FollowUps []store.FollowUp    `json:"follow_ups"`
	Timeline  []store.Interaction `json:"timeline"`
}

func (a *App) showDeal(id string) error {
	db := a.db
	d, err := db.FindDealByID(a.ctx, id)
	if err != nil {
		return err
	}
	fus, _, err := db.FindFollowUps(a.ctx, store.FollowUpFilter{DealID: id, Limit: 20})
	if err != nil {
		return err
	}
	tl, err := db.Timeline(a.ctx, store.TimelineFilter{DealID: id, Limit: 20})
	if err != nil {
		return err
	}
	if a.jsonOut {
		return a.printJSON(dealDetail{d, nonNil(fus), nonNil(tl)})
	}
	w := a.io.Out
	fmt.Fprintf(w, "%s  %s\n", a.paint(sgrBold, d.Title), a.paint(sgrDim, store.ShortID(d.ID)))
	status := d.Status
	if d.ClosedAt != nil {
		status += " " + fmtWhen(*d.ClosedAt, false)
	}
	if d.LostReason != "" {
		status += " (" + d.LostReason + ")"
	}
	deleted := ""
	if d.DeletedAt != nil {
		deleted = fmtWhen(*d.DeletedAt, false)
	}
	a.fields(w, "value", d.Value.String(), "stage", fmt.Sprintf("%s, %d days", d.Stage, days(a.now().Sub(d.StageEnteredAt))),
		"status", status, "contact", d.Contact, "company", d.Company, "close", d.ExpectedClose,
		"tags", strings.Join(d.Tags, ", "), "deleted", deleted, "visibility", d.Visibility, "id", d.ID)
	a.printNotes(w, d.Notes)
	a.printFollowUps(w, "Open follow-ups", fus)
	a.printTimeline(w, tl)
	return nil
}
