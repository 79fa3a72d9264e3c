package main

import (
	"fmt"
	"strings"

	"github.com/rolo-crm/rolo/store"
	"github.com/spf13/cobra"
)

func (a *App) companyCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "company", Aliases: []string{"companies", "co"}, Short: "Add, edit, show and list companies"}
	var f struct {
		domain, phone, address, note, vis, name string
		tags, removeTags                        []string
	}
	reg := func(c *cobra.Command, edit bool) {
		fl := c.Flags()
		fl.StringVar(&f.domain, "domain", "", "web domain, e.g. example.com")
		fl.StringVar(&f.phone, "phone", "", "main phone number")
		fl.StringVar(&f.address, "address", "", "postal address")
		fl.StringVar(&f.note, "note", "", "notes")
		fl.StringArrayVar(&f.tags, "tag", nil, "tag (repeatable)")
		fl.StringVar(&f.vis, "visibility", "", "private or team")
		if edit {
			fl.StringVar(&f.name, "name", "", "new name")
			fl.StringArrayVar(&f.removeTags, "remove-tag", nil, "remove a tag (repeatable)")
		}
	}
	addCmd := &cobra.Command{
		Use:     "add NAME",
		Short:   "Add a company",
		Example: `  rolo company add "Analytical Engines" --domain engines.example --tag manufacturing`,
		Args:    exactArgs(1, "NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := a.open()
			if err != nil {
				return err
			}
			c, err := db.CreateCompany(a.ctx, store.CompanyInput{Name: args[0], Domain: f.domain, Phone: f.phone,
				Address: f.address, Notes: f.note, Tags: f.tags, Visibility: f.vis})
			if err != nil {
				return err
			}
			return a.done(c, "Added company %s (%s)", c.Name, store.ShortID(c.ID))
		},
	}
	reg(addCmd, false)
	editCmd := &cobra.Command{
		Use:   "edit REF",
		Short: "Change a company (only the flags given change)",
		Args:  exactArgs(1, "REF"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := a.resolve(args[0], false, store.EntityCompany)
			if err != nil {
				return err
			}
			c, err := a.db.UpdateCompany(a.ctx, ref.ID, store.CompanyUpdate{
				Name: strFlag(cmd, "name", f.name), Domain: strFlag(cmd, "domain", f.domain), Phone: strFlag(cmd, "phone", f.phone),
				Address: strFlag(cmd, "address", f.address), Notes: strFlag(cmd, "note", f.note),
				Visibility: strFlag(cmd, "visibility", f.vis), AddTags: f.tags, RemoveTags: f.removeTags,
			})
			if err != nil {
				return err
			}
			return a.done(c, "Updated company %s (%s)", c.Name, store.ShortID(c.ID))
		},
	}
	reg(editCmd, true)
	showCmd := a.showCmd(store.EntityCompany, "Show a company with its people, deals and latest interactions", a.showCompany)
	var lf struct {
		tag string
		all bool
		page
	}
	listCmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List companies by name",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := lf.check(); err != nil {
				return err
			}
			db, err := a.open()
			if err != nil {
				return err
			}
			list, total, err := db.FindCompanies(a.ctx, store.CompanyFilter{Tag: lf.tag, All: lf.all, Limit: lf.limit, Offset: lf.offset})
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(nonNil(list))
			}
			if total == 0 {
				fmt.Fprintln(a.io.Out, "No companies yet. Add one with: rolo company add \"Acme\" --domain acme.example")
				return nil
			}
			t := newTable("ID", "NAME", "DOMAIN", "PHONE", "CONTACTS", "TAGS")
			for _, c := range list {
				name := c.Name
				if c.DeletedAt != nil {
					name = a.paint(sgrDim, name+" (deleted)")
				}
				t.add(store.ShortID(c.ID), name, orDash(c.Domain), orDash(c.Phone), fmt.Sprint(c.Contacts), orDash(strings.Join(c.Tags, ",")))
			}
			t.print(a.io.Out, a)
			a.limitNote(len(list), total)
			return nil
		},
	}
	listCmd.Flags().StringVar(&lf.tag, "tag", "", "only companies with this tag")
	lf.page.flags(listCmd.Flags())
	listCmd.Flags().BoolVar(&lf.all, "all", false, "include deleted companies")
	cmd.AddCommand(addCmd, editCmd, quick(showCmd), quick(listCmd),
		a.removeCmd(store.EntityCompany, "company", func(id string) error { return a.db.DeleteCompany(a.ctx, id) }),
		a.restoreCmd(store.EntityCompany, "company", func(id string) error { return a.db.RestoreCompany(a.ctx, id) }))
	return cmd
}

type companyDetail struct {
	*store.Company
	People   []store.Contact     `json:"people"`
	Deals    []store.Deal        `json:"deals"`
	Timeline []store.Interaction `json:"timeline"`
}

func (a *App) showCompany(id string) error {
	db := a.db
	c, err := db.FindCompanyByID(a.ctx, id)
	if err != nil {
		return err
	}
	people, total, err := db.FindContacts(a.ctx, store.ContactFilter{CompanyID: id, Limit: 20})
	if err != nil {
		return err
	}
	deals, _, err := db.FindDeals(a.ctx, store.DealFilter{CompanyID: id, Limit: 20})
	if err != nil {
		return err
	}
	tl, err := db.Timeline(a.ctx, store.TimelineFilter{CompanyID: id, Limit: 10})
	if err != nil {
		return err
	}
	if a.jsonOut {
		return a.printJSON(companyDetail{c, nonNil(people), nonNil(deals), nonNil(tl)})
	}
	w := a.io.Out
	title := a.paint(sgrBold, c.Name)
	if c.DeletedAt != nil {
		title += a.paint(sgrRed, "  (deleted)")
	}
	fmt.Fprintf(w, "%s  %s\n", title, a.paint(sgrDim, store.ShortID(c.ID)))
	a.fields(w, "domain", c.Domain, "phone", c.Phone, "address", c.Address, "tags", strings.Join(c.Tags, ", "),
		"visibility", c.Visibility, "id", c.ID)
	a.printNotes(w, c.Notes)
	if len(people) > 0 {
		a.heading(w, fmt.Sprintf("People (%d)", total))
		t := newTable("ID", "NAME", "TITLE", "EMAIL")
		for _, p := range people {
			t.add(store.ShortID(p.ID), p.Name, orDash(p.Title), orDash(p.PrimaryEmail()))
		}
		t.print(w, a)
	}
	a.printDeals(w, "Open deals", deals)
	a.printTimeline(w, tl)
	return nil
}
