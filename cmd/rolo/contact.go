package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rolo-crm/rolo/store"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// contactFlags are the flags shared by contact add and edit.
type contactFlags struct {
	emails, phones, tags                []string
	removeTags, removeEmails, removePhn []string
	company, title, source, note, vis   string
	name, first, last, address          string
	cadence                             int
}

func (f *contactFlags) register(cmd *cobra.Command, edit bool) {
	fl := cmd.Flags()
	fl.StringArrayVar(&f.emails, "email", nil, "email address, optionally labelled: work=ada@example.com (repeatable; the first is primary)")
	fl.StringArrayVar(&f.phones, "phone", nil, "phone number, optionally labelled: mobile=+44 20 7946 0000 (repeatable)")
	fl.StringVar(&f.company, "company", "", "company name or id (a new name creates the company)")
	fl.StringVar(&f.title, "title", "", "job title")
	fl.StringArrayVar(&f.tags, "tag", nil, "tag (repeatable)")
	fl.StringVar(&f.source, "source", "", "lead source, e.g. referral")
	fl.IntVar(&f.cadence, "cadence", 0, "stay-in-touch interval in days")
	fl.StringVar(&f.note, "note", "", "notes")
	fl.StringVar(&f.address, "address", "", "postal address")
	fl.StringVar(&f.vis, "visibility", "", "private or team")
	if edit {
		fl.StringVar(&f.name, "name", "", "full name")
		fl.StringVar(&f.first, "first", "", "first name")
		fl.StringVar(&f.last, "last", "", "last name")
		fl.StringArrayVar(&f.removeTags, "remove-tag", nil, "remove a tag (repeatable)")
		fl.StringArrayVar(&f.removeEmails, "remove-email", nil, "remove an email address (repeatable)")
		fl.StringArrayVar(&f.removePhn, "remove-phone", nil, "remove a phone number (repeatable)")
	}
}

// labelled splits "label=value" (a label is one word before the first '=').
func labelled(s string) (label, value string) {
	if i := strings.IndexByte(s, '='); i > 0 && !strings.ContainsAny(s[:i], " @+") {
		return s[:i], strings.TrimSpace(s[i+1:])
	}
	return "", strings.TrimSpace(s)
}

func parseEmails(list []string) []store.Email {
	var out []store.Email
	for _, s := range list {
		l, v := labelled(s)
		out = append(out, store.Email{Email: v, Label: l})
	}
	return out
}

func parsePhones(list []string) []store.Phone {
	var out []store.Phone
	for _, s := range list {
		l, v := labelled(s)
		out = append(out, store.Phone{Phone: v, Label: l})
	}
	return out
}

func strFlag(cmd *cobra.Command, name, v string) *string {
	if cmd.Flags().Changed(name) {
		return &v
	}
	return nil
}

func (a *App) contactCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "contact", Aliases: []string{"contacts", "c"}, Short: "Add, edit, show and list contacts"}
	var add contactFlags
	addCmd := &cobra.Command{
		Use:   "add NAME",
		Short: "Add a contact",
		Example: `  rolo contact add "Ada Lovelace" --email ada@example.com --company "Analytical Engines" --tag vip
  rolo contact add "Grace Hopper" --phone mobile=+1-555-0100 --cadence 30`,
		Args: exactArgs(1, "NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if add.cadence < 0 {
				return usagef("--cadence %d must be a positive number of days", add.cadence)
			}
			db, err := a.open()
			if err != nil {
				return err
			}
			company, err := a.companyRef(add.company)
			if err != nil {
				return err
			}
			cadence := add.cadence
			if !cmd.Flags().Changed("cadence") {
				cadence = a.cfg.CadenceDays
			}
			c, err := db.CreateContact(a.ctx, store.ContactInput{
				Name: args[0], Title: add.title, Company: company, Emails: parseEmails(add.emails),
				Phones: parsePhones(add.phones), Source: add.source, Notes: add.note, Address: add.address,
				Tags: add.tags, CadenceDays: cadence, Visibility: add.vis,
			})
			if err != nil {
				return err
			}
			return a.done(c, "Added contact %s (%s)", c.Name, store.ShortID(c.ID))
		},
	}
	add.register(addCmd, false)

	var ed contactFlags
	editCmd := &cobra.Command{
		Use:   "edit REF",
		Short: "Change a contact (only the flags given change)",
		Example: `  rolo contact edit ada --title "Chief Engineer" --tag speaker --remove-tag prospect
  rolo contact edit ada@example.com --email home=ada@home.example --company ""`,
		Args: exactArgs(1, "REF"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := a.resolve(args[0], false, store.EntityContact)
			if err != nil {
				return err
			}
			if cmd.Flags().Changed("company") {
				if ed.company, err = a.companyRef(ed.company); err != nil {
					return err
				}
			}
			u := store.ContactUpdate{
				Name: strFlag(cmd, "name", ed.name), FirstName: strFlag(cmd, "first", ed.first), LastName: strFlag(cmd, "last", ed.last),
				Title: strFlag(cmd, "title", ed.title), Company: strFlag(cmd, "company", ed.company),
				Address: strFlag(cmd, "address", ed.address), Source: strFlag(cmd, "source", ed.source),
				Notes: strFlag(cmd, "note", ed.note), Visibility: strFlag(cmd, "visibility", ed.vis),
				AddEmails: parseEmails(ed.emails), RemoveEmails: ed.removeEmails,
				AddPhones: parsePhones(ed.phones), RemovePhones: ed.removePhn,
				AddTags: ed.tags, RemoveTags: ed.removeTags,
			}
			if cmd.Flags().Changed("cadence") {
				if ed.cadence < 0 {
					return usagef("--cadence %d must be a positive number of days, or 0 to clear", ed.cadence)
				}
				u.CadenceDays = &ed.cadence
			}
			c, err := a.db.UpdateContact(a.ctx, ref.ID, u)
			if err != nil {
				return err
			}
			return a.done(c, "Updated contact %s (%s)", c.Name, store.ShortID(c.ID))
		},
	}
	ed.register(editCmd, true)

	showCmd := a.showCmd(store.EntityContact, "Show a contact with its deals, follow-ups and latest interactions", a.showContact)

	var lf struct {
		tag, company string
		all          bool
		page
	}
	listCmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List contacts by name",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := lf.check(); err != nil {
				return err
			}
			db, err := a.open()
			if err != nil {
				return err
			}
			f := store.ContactFilter{Tag: lf.tag, All: lf.all, Limit: lf.limit, Offset: lf.offset}
			if lf.company != "" {
				ref, err := a.resolve(lf.company, false, store.EntityCompany)
				if err != nil {
					return err
				}
				f.CompanyID = ref.ID
			}
			list, total, err := db.FindContacts(a.ctx, f)
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(nonNil(list))
			}
			if total == 0 {
				fmt.Fprintln(a.io.Out, "No contacts yet. Add one with: rolo contact add \"Ada Lovelace\" --email ada@example.com")
				return nil
			}
			t := newTable("ID", "NAME", "COMPANY", "EMAIL", "PHONE", "TAGS", "LAST TOUCHED")
			now := a.now()
			for _, c := range list {
				touched := "never"
				if c.LastTouchedAt != nil {
					touched = ago(now, *c.LastTouchedAt)
				}
				name := c.Name
				if c.DeletedAt != nil {
					name = a.paint(sgrDim, name+" (deleted)")
				}
				t.add(store.ShortID(c.ID), name, orDash(c.Company), orDash(c.PrimaryEmail()), orDash(c.PrimaryPhone()),
					orDash(strings.Join(c.Tags, ",")), touched)
			}
			t.print(a.io.Out, a)
			a.limitNote(len(list), total)
			return nil
		},
	}
	listCmd.Flags().StringVar(&lf.tag, "tag", "", "only contacts with this tag")
	listCmd.Flags().StringVar(&lf.company, "company", "", "only contacts at this company")
	lf.page.flags(listCmd.Flags())
	listCmd.Flags().BoolVar(&lf.all, "all", false, "include deleted contacts")

	cmd.AddCommand(addCmd, editCmd, quick(showCmd), quick(listCmd),
		a.removeCmd(store.EntityContact, "contact", func(id string) error { return a.db.DeleteContact(a.ctx, id) }),
		a.restoreCmd(store.EntityContact, "contact", func(id string) error { return a.db.RestoreContact(a.ctx, id) }))
	return cmd
}

// companyRef interprets a --company value: an id, a short id or an exact name links that
// company; anything else is a name for a new company, which the store creates.
func (a *App) companyRef(s string) (string, error) {
	if strings.TrimSpace(s) == "" {
		return "", nil
	}
	db, err := a.open()
	if err != nil {
		return "", err
	}
	ref, err := db.Resolve(a.ctx, s, store.ResolveOptions{Kinds: []string{store.EntityCompany}})
	switch {
	case err == nil && (strings.EqualFold(ref.Label, strings.TrimSpace(s)) || strings.HasPrefix(ref.ID, strings.ToLower(s)) ||
		strings.HasPrefix(store.ShortID(ref.ID), strings.ToLower(s))):
		return ref.ID, nil
	case err == nil, errors.Is(err, store.ErrNotFound):
		return s, nil
	}
	var amb *store.AmbiguousError
	if errors.As(err, &amb) {
		for _, c := range amb.Candidates {
			if strings.EqualFold(c.Label, strings.TrimSpace(s)) {
				return "", err
			}
		}
		return s, nil
	}
	return "", err
}

func nonNil[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}

// page is a list command's --limit and --offset.
type page struct{ limit, offset int }

// flags registers --limit (50 unless given) and --offset on fl.
func (p *page) flags(fl *pflag.FlagSet) {
	fl.IntVar(&p.limit, "limit", 50, "how many (0 means all)")
	fl.IntVar(&p.offset, "offset", 0, "skip this many first")
}

// check refuses a negative --limit.
func (p page) check() error {
	if p.limit < 0 {
		return usagef("--limit %d must be 0 (all) or more", p.limit)
	}
	return nil
}

// exactArgs is cobra.ExactArgs with a message that names the missing argument.
func exactArgs(n int, names string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			if len(args) < n {
				return usagef("%s needs %s (see rolo %s --help)", cmd.CommandPath(), names, strings.TrimPrefix(cmd.CommandPath(), "rolo "))
			}
			return usagef("%s takes %s, got %d arguments (quote names with spaces)", cmd.CommandPath(), names, len(args))
		}
		return nil
	}
}

// showCmd is "show REF": it resolves REF to a record of entity, deleted or not, and
// shows it with show.
func (a *App) showCmd(entity, short string, show func(id string) error) *cobra.Command {
	return &cobra.Command{
		Use:   "show REF",
		Short: short,
		Args:  exactArgs(1, "REF"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := a.resolve(args[0], true, entity)
			if err != nil {
				return err
			}
			return show(ref.ID)
		},
	}
}

func (a *App) removeCmd(entity, noun string, rm func(id string) error) *cobra.Command {
	return &cobra.Command{
		Use:     "rm REF",
		Aliases: []string{"delete"},
		Short:   "Delete a " + noun + " (restorable with restore or undo)",
		Args:    exactArgs(1, "REF"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := a.resolve(args[0], false, entity)
			if err != nil {
				return err
			}
			if err := rm(ref.ID); err != nil {
				return err
			}
			return a.done(ref, "Deleted %s %s (%s); bring it back with: rolo %s restore %s", noun, ref.Label, store.ShortID(ref.ID), noun, store.ShortID(ref.ID))
		},
	}
}

func (a *App) restoreCmd(entity, noun string, restore func(id string) error) *cobra.Command {
	return &cobra.Command{
		Use:   "restore REF",
		Short: "Restore a deleted " + noun,
		Args:  exactArgs(1, "REF"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := a.resolve(args[0], true, entity)
			if err != nil {
				return err
			}
			if err := restore(ref.ID); err != nil {
				return err
			}
			return a.done(ref, "Restored %s %s (%s)", noun, ref.Label, store.ShortID(ref.ID))
		},
	}
}

// contactDetail is what contact show prints as JSON.
type contactDetail struct {
	*store.Contact
	Deals     []store.Deal        `json:"deals"`
	FollowUps []store.FollowUp    `json:"follow_ups"`
	Timeline  []store.Interaction `json:"timeline"`
}

func (a *App) showContact(id string) error {
	db := a.db
	c, err := db.FindContactByID(a.ctx, id)
	if err != nil {
		return err
	}
	deals, _, err := db.FindDeals(a.ctx, store.DealFilter{ContactID: id, Limit: 20})
	if err != nil {
		return err
	}
	fus, _, err := db.FindFollowUps(a.ctx, store.FollowUpFilter{ContactID: id, Limit: 20})
	if err != nil {
		return err
	}
	tl, err := db.Timeline(a.ctx, store.TimelineFilter{ContactID: id, Limit: 10})
	if err != nil {
		return err
	}
	if a.jsonOut {
		return a.printJSON(contactDetail{c, nonNil(deals), nonNil(fus), nonNil(tl)})
	}
	w := a.io.Out
	title := a.paint(sgrBold, c.Name)
	if c.DeletedAt != nil {
		title += a.paint(sgrRed, "  (deleted "+fmtWhen(*c.DeletedAt, false)+")")
	}
	fmt.Fprintf(w, "%s  %s\n", title, a.paint(sgrDim, store.ShortID(c.ID)))
	var emails, phones []string
	for _, e := range c.Emails {
		emails = append(emails, withLabel(e.Email, e.Label))
	}
	for _, p := range c.Phones {
		phones = append(phones, withLabel(p.Phone, p.Label))
	}
	touched := "never"
	if c.LastTouchedAt != nil {
		touched = fmtWhen(*c.LastTouchedAt, false) + " (" + ago(a.now(), *c.LastTouchedAt) + ")"
	}
	cadence := ""
	if c.CadenceDays > 0 {
		cadence = fmt.Sprintf("every %d days", c.CadenceDays)
	}
	a.fields(w, "title", c.Title, "company", c.Company, "email", strings.Join(emails, ", "), "phone", strings.Join(phones, ", "),
		"address", c.Address, "source", c.Source, "tags", strings.Join(c.Tags, ", "), "cadence", cadence,
		"touched", touched, "visibility", c.Visibility, "id", c.ID)
	a.printNotes(w, c.Notes)
	a.printDeals(w, "Open deals", deals)
	a.printFollowUps(w, "Open follow-ups", fus)
	a.printTimeline(w, tl)
	return nil
}

func withLabel(v, label string) string {
	if label == "" {
		return v
	}
	return v + " (" + label + ")"
}

// printNotes prints a record's notes under their heading, if it has any.
func (a *App) printNotes(w ioWriter, notes string) {
	if notes == "" {
		return
	}
	a.heading(w, "Notes")
	fmt.Fprintln(w, notes)
}

func (a *App) printDeals(w ioWriter, title string, deals []store.Deal) {
	if len(deals) == 0 {
		return
	}
	a.heading(w, title)
	t := newTable("ID", "TITLE", "STAGE", "VALUE", "IN STAGE")
	for _, d := range deals {
		t.add(store.ShortID(d.ID), d.Title, d.Stage, d.Value.String(), fmt.Sprintf("%dd", days(a.now().Sub(d.StageEnteredAt))))
	}
	t.print(w, a)
}

func (a *App) printFollowUps(w ioWriter, title string, fus []store.FollowUp) {
	if len(fus) == 0 {
		return
	}
	a.heading(w, title)
	t := newTable("ID", "DUE", "WHAT", "FOR")
	for _, f := range fus {
		t.add(store.ShortID(f.ID), a.dueLabel(f), f.Title, forLabel(f))
	}
	t.print(w, a)
}

func forLabel(f store.FollowUp) string {
	if f.Deal != "" {
		return f.Deal
	}
	return f.Contact
}

func (a *App) printTimeline(w ioWriter, tl []store.Interaction) {
	if len(tl) == 0 {
		return
	}
	a.heading(w, "Timeline")
	for _, i := range tl {
		kind := map[string]string{"stage_change": "stage", "status_change": "status"}[i.Kind]
		if kind == "" {
			kind = i.Kind
		}
		fmt.Fprintf(w, "%s  %-7s  %s  %s\n", a.paint(sgrDim, i.OccurredAt.Local().Format("2006-01-02 15:04")),
			kind, a.paint(sgrDim, store.ShortID(i.ID)), strings.ReplaceAll(i.Text, "\n", " "))
	}
}

// dueLabel renders a follow-up's due time, red when overdue.
func (a *App) dueLabel(f store.FollowUp) string {
	now := a.now()
	s := fmtWhen(f.DueAt, f.AllDay)
	if f.DoneAt != nil {
		return a.paint(sgrDim, s+" ✓")
	}
	start, end := store.DayBounds(now, time.Local)
	switch {
	case f.AllDay && f.DueAt.Before(start), !f.AllDay && f.DueAt.Before(now):
		return a.paint(sgrRed, s)
	case f.DueAt.Before(end):
		return a.paint(sgrYellow, s)
	}
	return s
}
