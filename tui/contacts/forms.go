package contacts

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/tui/common"
	"github.com/rolo-crm/rolo/tui/form"
)

// splitList reads a comma- or space-separated list (emails, phones need commas: a
// phone number may hold spaces).
func splitList(s string, spaces bool) []string {
	sep := func(r rune) bool { return r == ',' || r == ';' || (spaces && r == ' ') }
	var out []string
	for _, p := range strings.FieldsFunc(s, sep) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func contactFields(c *store.Contact) []form.Field {
	var emails, phones []string
	v := func(s string) string { return s }
	cad := ""
	if c != nil {
		for _, e := range c.Emails {
			emails = append(emails, e.Email)
		}
		for _, p := range c.Phones {
			phones = append(phones, p.Phone)
		}
		if c.CadenceDays > 0 {
			cad = strconv.Itoa(c.CadenceDays)
		}
	} else {
		c = &store.Contact{}
	}
	return []form.Field{
		{Key: "name", Label: "Name", Hint: "Ann Lee", Value: v(c.Name)},
		{Key: "email", Label: "Emails", Hint: "ann@example.com, ann@home.net", Value: strings.Join(emails, ", ")},
		{Key: "phone", Label: "Phones", Hint: "+1 555 0100, …", Value: strings.Join(phones, ", ")},
		{Key: "company", Label: "Company", Hint: "name (a new one is created)", Value: c.Company},
		{Key: "title", Label: "Title", Hint: "Head of Sales", Value: c.Title},
		{Key: "tags", Label: "Tags", Hint: "vip partner", Value: strings.Join(c.Tags, " ")},
		{Key: "cadence", Label: "Cadence days", Hint: "30 = stay in touch monthly", Value: cad},
		{Key: "source", Label: "Source", Hint: "referral, conference…", Value: c.Source},
		{Key: "notes", Label: "Notes", Hint: "ctrl+e opens $EDITOR", Value: c.Notes, Long: true},
	}
}

func companyFields(c *store.Company) []form.Field {
	if c == nil {
		c = &store.Company{}
	}
	return []form.Field{
		{Key: "name", Label: "Name", Hint: "Acme Inc", Value: c.Name},
		{Key: "domain", Label: "Domain", Hint: "acme.com", Value: c.Domain},
		{Key: "phone", Label: "Phone", Hint: "+1 555 0100", Value: c.Phone},
		{Key: "tags", Label: "Tags", Hint: "customer partner", Value: strings.Join(c.Tags, " ")},
		{Key: "address", Label: "Address", Value: c.Address},
		{Key: "notes", Label: "Notes", Hint: "ctrl+e opens $EDITOR", Value: c.Notes, Long: true},
	}
}

func (m *Model) openAdd() tea.Cmd {
	if m.mode == modeCompanies {
		m.form = form.New(m.c.Styles, m.c.Editor, "add-company", "New company", companyFields(nil))
	} else {
		m.form = form.New(m.c.Styles, m.c.Editor, "add-contact", "New contact", contactFields(nil))
	}
	m.form.SetSize(m.w, m.h)
	return nil
}

// editLoadedMsg is the record an edit form starts from (carried in a savedMsg, whose
// err reports a failed read).
type editLoadedMsg struct {
	contact *store.Contact
	company *store.Company
}

func (m *Model) openEdit(kind recordKind, id string) tea.Cmd {
	ctx, db := m.c.Ctx, m.db
	switch kind {
	case kindContact:
		return func() tea.Msg {
			c, err := db.FindContactByID(ctx, id)
			return savedMsg{tag: "edit-open", err: err, id: id, status: "", contactOrCompany: editLoadedMsg{contact: c}}
		}
	case kindCompany:
		return func() tea.Msg {
			c, err := db.FindCompanyByID(ctx, id)
			if err == nil {
				// FindCompanyByID leaves tags empty; the list row has them.
				rows, _, serr := db.SearchCompanyRows(ctx, c.Name, 50)
				for _, r := range rows {
					if r.ID == c.ID && serr == nil {
						c.Tags = r.Tags
					}
				}
			}
			return savedMsg{tag: "edit-open", err: err, id: id, contactOrCompany: editLoadedMsg{company: c}}
		}
	}
	return common.Status("deals are edited from the command line: rolo deal edit " + store.ShortID(id))
}

func (m *Model) save(msg form.SubmitMsg) tea.Cmd {
	ctx, db, v := m.c.Ctx, m.db, msg.Values
	tag := msg.Tag
	cad := 0
	if v["cadence"] != "" {
		n, err := strconv.Atoi(v["cadence"])
		if err != nil || n < 0 {
			m.form.SetError(fmt.Sprintf("cadence %q must be a whole number of days", v["cadence"]))
			return nil
		}
		cad = n
	}
	var emails []store.Email
	for _, e := range splitList(v["email"], true) {
		emails = append(emails, store.Email{Email: e})
	}
	var phones []store.Phone
	for _, p := range splitList(v["phone"], false) {
		phones = append(phones, store.Phone{Phone: p})
	}
	tags := splitList(v["tags"], true)
	switch {
	case tag == "add-contact":
		return func() tea.Msg {
			c, err := db.CreateContact(ctx, store.ContactInput{Name: v["name"], Emails: emails, Phones: phones,
				Company: v["company"], Title: v["title"], Tags: tags, CadenceDays: cad, Source: v["source"], Notes: v["notes"]})
			if err != nil {
				return savedMsg{tag: tag, err: err}
			}
			return savedMsg{tag: tag, id: c.ID, status: "Added contact " + c.Name}
		}
	case tag == "add-company":
		return func() tea.Msg {
			c, err := db.CreateCompany(ctx, store.CompanyInput{Name: v["name"], Domain: v["domain"], Phone: v["phone"],
				Address: v["address"], Notes: v["notes"], Tags: tags})
			if err != nil {
				return savedMsg{tag: tag, err: err}
			}
			return savedMsg{tag: tag, id: c.ID, status: "Added company " + c.Name}
		}
	case strings.HasPrefix(tag, "edit-contact:"):
		id := strings.TrimPrefix(tag, "edit-contact:")
		old := m.editing.contact
		u := store.ContactUpdate{}
		if v["name"] != old.Name {
			u.Name = ptr(v["name"])
		}
		var oldEmails, oldPhones []string
		for _, e := range old.Emails {
			oldEmails = append(oldEmails, e.Email)
		}
		for _, p := range old.Phones {
			oldPhones = append(oldPhones, p.Phone)
		}
		newEmails, newPhones := splitList(v["email"], true), splitList(v["phone"], false)
		for _, e := range diff(newEmails, oldEmails) {
			u.AddEmails = append(u.AddEmails, store.Email{Email: e})
		}
		u.RemoveEmails = diff(oldEmails, newEmails)
		for _, p := range diff(newPhones, oldPhones) {
			u.AddPhones = append(u.AddPhones, store.Phone{Phone: p})
		}
		u.RemovePhones = diff(oldPhones, newPhones)
		if v["company"] != old.Company {
			u.Company = ptr(v["company"])
		}
		if v["title"] != old.Title {
			u.Title = ptr(v["title"])
		}
		if v["source"] != old.Source {
			u.Source = ptr(v["source"])
		}
		if v["notes"] != strings.TrimSpace(old.Notes) {
			u.Notes = ptr(v["notes"])
		}
		if cad != old.CadenceDays {
			u.CadenceDays = &cad
		}
		u.AddTags, u.RemoveTags = diff(tags, old.Tags), diff(old.Tags, tags)
		return func() tea.Msg {
			c, err := db.UpdateContact(ctx, id, u)
			if err != nil {
				return savedMsg{tag: tag, err: err}
			}
			return savedMsg{tag: tag, id: id, status: "Saved " + c.Name}
		}
	case strings.HasPrefix(tag, "edit-company:"):
		id := strings.TrimPrefix(tag, "edit-company:")
		old := m.editing.company
		u := store.CompanyUpdate{}
		set := func(k, was string) *string {
			if v[k] != strings.TrimSpace(was) {
				return ptr(v[k])
			}
			return nil
		}
		u.Name, u.Domain, u.Phone, u.Address, u.Notes = set("name", old.Name), set("domain", old.Domain),
			set("phone", old.Phone), set("address", old.Address), set("notes", old.Notes)
		u.AddTags, u.RemoveTags = diff(tags, old.Tags), diff(old.Tags, tags)
		return func() tea.Msg {
			c, err := db.UpdateCompany(ctx, id, u)
			if err != nil {
				return savedMsg{tag: tag, err: err}
			}
			return savedMsg{tag: tag, id: id, status: "Saved " + c.Name}
		}
	}
	return nil
}

func ptr(s string) *string { return &s }

// diff is the items of a not in b (case-insensitively).
func diff(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.ContainsFunc(b, func(y string) bool { return strings.EqualFold(x, y) }) {
			out = append(out, x)
		}
	}
	return out
}

func (m *Model) saved(msg savedMsg) tea.Cmd {
	if msg.tag == "edit-open" {
		if msg.err != nil {
			return common.Error(msg.err)
		}
		e := msg.contactOrCompany
		m.editing = e
		if e.contact != nil {
			m.form = form.New(m.c.Styles, m.c.Editor, "edit-contact:"+msg.id, "Edit "+e.contact.Name, contactFields(e.contact))
		} else {
			m.form = form.New(m.c.Styles, m.c.Editor, "edit-company:"+msg.id, "Edit "+e.company.Name, companyFields(e.company))
		}
		m.form.SetSize(m.w, m.h)
		return nil
	}
	if msg.tag == "delete" {
		if m.det != nil && m.det.id == msg.id {
			m.det, m.detOpen, m.detFocus = nil, false, false
		}
		return common.Changed(msg.status)
	}
	if m.form != nil && msg.tag == m.form.Tag() {
		if msg.err != nil {
			m.form.SetError(common.ErrText(msg.err))
			return nil
		}
		m.form = nil
	}
	if msg.err != nil {
		return common.Error(msg.err)
	}
	if strings.HasPrefix(msg.tag, "add-") {
		kind := kindContact
		if msg.tag == "add-company" {
			kind = kindCompany
		}
		m.detOpen, m.detFocus, m.detOff = true, true, 0
		return tea.Batch(common.Changed(msg.status), m.loadDetail(kind, msg.id))
	}
	return common.Changed(msg.status)
}

func (m *Model) editNotes(kind recordKind, id string) tea.Cmd {
	if m.det == nil || m.det.id != id {
		return common.Status("open the record first (enter), then N edits its notes")
	}
	m.notesFor = m.det
	switch kind {
	case kindContact:
		return common.Edit(m.c.Editor, "notes", m.det.contact.Notes)
	case kindCompany:
		return common.Edit(m.c.Editor, "notes", m.det.company.Notes)
	}
	return common.Status("deal notes are edited from the command line")
}

func (m *Model) saveNotes(msg common.EditedMsg) tea.Cmd {
	d := m.notesFor
	m.notesFor = nil
	if msg.Err != nil {
		return common.Error(msg.Err)
	}
	if d == nil {
		return nil
	}
	ctx, db, text := m.c.Ctx, m.db, msg.Text
	return func() tea.Msg {
		var err error
		switch d.kind {
		case kindContact:
			if strings.TrimSpace(text) == strings.TrimSpace(d.contact.Notes) {
				return common.StatusMsg{Text: "Notes unchanged"}
			}
			_, err = db.UpdateContact(ctx, d.id, store.ContactUpdate{Notes: &text})
		case kindCompany:
			if strings.TrimSpace(text) == strings.TrimSpace(d.company.Notes) {
				return common.StatusMsg{Text: "Notes unchanged"}
			}
			_, err = db.UpdateCompany(ctx, d.id, store.CompanyUpdate{Notes: &text})
		}
		if err != nil {
			return common.StatusMsg{Err: err}
		}
		return common.ChangedMsg{Status: "Saved notes of " + d.label}
	}
}
