package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/rolo-crm/rolo/store/internal/par"
)

// plannedContact is a contact the import creates (cur is nil) or matched: next is what
// it will be. rows counts the rows of the file that reached it.
type plannedContact struct {
	// changes caches contactChanges(cur, &next) once the plan is complete, for a
	// contact that exists (a new one's are made as it is written).
	changes Fields
	id      string
	cur     *Contact
	next    Contact
	ext     []string
	rows    int
	// srcID is the rolo id its rows gave (rolo's own exports).
	srcID string
}

type plannedCompany struct {
	changes Fields
	id      string
	cur     *Company
	next    Company
	ext     []string
	rows    int
}

type plannedDeal struct {
	changes Fields
	id      string
	cur     *Deal
	next    Deal
	ext     []string
	rows    int
}

type dealLink struct{ id, companyID string }

type planner struct {
	db     *DB
	items  []ImportItem
	opts   ImportOptions
	res    ImportResult
	stages []Stage

	// The plan, in the order rows first named each record.
	contacts  []*plannedContact
	companies []*plannedCompany
	deals     []*plannedDeal

	// What the database holds, looked up in batches before planning.
	dbContacts      map[string]*Contact   // by id, deleted ones too
	dbContactByExt  map[string]string     // external id → contact id
	dbContactByMail map[string][]string   // ASCII-lowercase email → live contact ids
	dbContactByTel  map[string][]string   // digits → live contact ids
	dbContactByName map[string][]string   // ASCII-lowercase name → live contact ids
	dbContactExt    map[string][]string   // contact id → its external ids from this source
	dbCompanies     map[string]*Company   // by id
	dbCompanyByExt  map[string]string     // external id → company id
	dbCompanyByName map[string][]string   // ASCII-lowercase name → live company ids
	dbCompanyByDom  map[string][]string   // domain → live company ids
	dbDeals         map[string]*Deal      // by id
	dbDealByExt     map[string]string     // external id → deal id
	dbDealByTitle   map[string][]dealLink // ASCII-lowercase title → live deals

	// What this file has planned so far, by key.
	contactByID   map[string]*plannedContact
	contactByExt  map[string]*plannedContact
	contactByMail map[string]*plannedContact
	contactByTel  map[string]*plannedContact
	contactByName map[string]*plannedContact // contacts planned from rows with only a name
	companyByID   map[string]*plannedCompany
	companyByExt  map[string]*plannedCompany
	companyByName map[string]*plannedCompany
	companyByDom  map[string]*plannedCompany
	dealByID      map[string]*plannedDeal
	dealByExt     map[string]*plannedDeal
	dealByTitle   map[string]*plannedDeal // title + "\x00" + company id

	// empty names the tables that held no row when the plan began.
	empty map[string]bool
}

func newPlanner(db *DB, items []ImportItem, opts ImportOptions) *planner {
	return &planner{db: db, items: items, opts: opts, empty: map[string]bool{},
		contactByID: map[string]*plannedContact{}, contactByExt: map[string]*plannedContact{},
		contactByMail: map[string]*plannedContact{}, contactByTel: map[string]*plannedContact{}, contactByName: map[string]*plannedContact{},
		companyByID: map[string]*plannedCompany{}, companyByExt: map[string]*plannedCompany{},
		companyByName: map[string]*plannedCompany{}, companyByDom: map[string]*plannedCompany{},
		dealByID: map[string]*plannedDeal{}, dealByExt: map[string]*plannedDeal{}, dealByTitle: map[string]*plannedDeal{},
	}
}

func (p *planner) skip(it *ImportItem, reason string) {
	p.res.Skipped = append(p.res.Skipped, ImportSkip{File: it.File, Line: it.Line, Reason: reason})
}

// asciiLower folds ASCII letters only, as SQLite's NOCASE does, so that the keys looked
// up in the database and the keys of the file agree.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// minMatchDigits is the fewest digits a phone number needs to match another: shorter
// ones (extensions, short codes) are too often shared.
const minMatchDigits = 7

// matchDigits is the key a phone number matches by, or "" if it is too short.
func matchDigits(phone string) string {
	d := PhoneDigits(phone)
	if len(strings.TrimPrefix(d, "+")) < minMatchDigits {
		return ""
	}
	return d
}

// normalise validates and tidies every item in place; an item that fails gets Skip. The
// items are independent, so large files are checked on every core.
func (p *planner) normalise() {
	par.Ranges(len(p.items), func(lo, hi int) { p.normaliseItems(p.items[lo:hi]) })
}

func (p *planner) normaliseItems(items []ImportItem) {
	for i := range items {
		it := &items[i]
		if it.Skip != "" {
			continue
		}
		var err error
		switch {
		case it.Contact != nil:
			err = normContact(it.Contact)
		case it.Company != nil:
			err = normCompany(it.Company)
		case it.Deal != nil:
			err = p.normDeal(it.Deal)
		default:
			err = errors.New("empty row")
		}
		if err != nil {
			msg := err.Error()
			if i := strings.LastIndex(msg, ErrInvalid.Error()+": "); i >= 0 {
				msg = msg[i+len(ErrInvalid.Error())+2:]
			}
			it.Skip = msg
		}
	}
}

func trimAll(ps ...*string) {
	for _, p := range ps {
		*p = strings.TrimSpace(*p)
	}
}

// oneLine collapses runs of white space, as names and titles are kept.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// normTags lower-cases tags and joins the words of a tag with "-" ("Key Account" →
// "key-account"), since a tag is one word.
func normTags(tags []string) ([]string, error) {
	out := []string{}
	for _, t := range tags {
		t = strings.Join(strings.Fields(t), "-")
		if t == "" {
			continue
		}
		n, err := normTag(t)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out, nil
}

func normEmails(list []Email) ([]Email, error) {
	out := []Email{}
	for _, e := range list {
		e.Email = strings.TrimSpace(e.Email)
		if len(e.Email) > 7 && strings.EqualFold(e.Email[:7], "mailto:") {
			e.Email = e.Email[7:]
		}
		e.Label = oneLine(e.Label)
		if e.Email == "" {
			continue
		}
		if !ValidEmail(e.Email) {
			return nil, fmt.Errorf("invalid email %q", e.Email)
		}
		if err := checkLen("email label", e.Label, maxShort); err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(out, func(o Email) bool { return strings.EqualFold(o.Email, e.Email) }) {
			out = append(out, e)
		}
	}
	return out, nil
}

func normPhones(list []Phone) ([]Phone, error) {
	out := []Phone{}
	for _, ph := range list {
		ph.Phone = strings.TrimSpace(ph.Phone)
		if len(ph.Phone) > 4 && strings.EqualFold(ph.Phone[:4], "tel:") {
			ph.Phone = ph.Phone[4:]
		}
		ph.Label = oneLine(ph.Label)
		if ph.Phone == "" {
			continue
		}
		if !ValidPhone(ph.Phone) {
			return nil, fmt.Errorf("invalid phone %q", ph.Phone)
		}
		if err := checkLen("phone label", ph.Label, maxShort); err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(out, func(o Phone) bool { return PhoneDigits(o.Phone) == PhoneDigits(ph.Phone) }) {
			out = append(out, ph)
		}
	}
	return out, nil
}

// normID keeps id only if it is a rolo id (a canonical UUIDv7); ids of other tools are
// external ids.
func normID(id string) string {
	id = strings.ToLower(strings.TrimSpace(id))
	u, err := uuid.Parse(id)
	if err != nil || u.Version() != 7 || u.String() != id {
		return ""
	}
	return id
}

func normVisibility(v *string) error {
	*v = strings.ToLower(*v)
	if *v == "" {
		return nil
	}
	return checkVisibility(*v)
}

func normContact(c *ImportContact) error {
	trimAll(&c.ID, &c.ExternalID, &c.Title, &c.Company, &c.CompanyExternalID, &c.Address, &c.Source, &c.Notes, &c.Visibility)
	c.ID = normID(c.ID)
	c.Name, c.FirstName, c.LastName = oneLine(c.Name), oneLine(c.FirstName), oneLine(c.LastName)
	c.Title, c.Company, c.Source = oneLine(c.Title), oneLine(c.Company), oneLine(c.Source)
	if c.FirstName == "" && c.LastName == "" {
		c.FirstName, c.LastName = splitName(c.Name)
	}
	var err error
	if c.Emails, err = normEmails(c.Emails); err != nil {
		return err
	}
	if c.Phones, err = normPhones(c.Phones); err != nil {
		return err
	}
	if c.Tags, err = normTags(c.Tags); err != nil {
		return err
	}
	if err := checkTexts(map[string]string{"name": joinName(c.FirstName, c.LastName), "title": c.Title, "source": c.Source,
		"notes": c.Notes, "address": c.Address, "company name": c.Company}); err != nil {
		return err
	}
	if c.CadenceDays < 0 {
		return fmt.Errorf("cadence %d days is negative", c.CadenceDays)
	}
	return normVisibility(&c.Visibility)
}

func normCompany(c *ImportCompany) error {
	trimAll(&c.ID, &c.ExternalID, &c.Phone, &c.Address, &c.Notes, &c.Visibility)
	c.ID = normID(c.ID)
	c.Name = oneLine(c.Name)
	c.Domain = domainOf(c.Domain)
	if c.Name == "" {
		if c.Domain == "" {
			return errors.New("no company name")
		}
		c.Name = c.Domain
	}
	if c.Domain != "" && (strings.ContainsAny(c.Domain, " /@") || !strings.Contains(c.Domain, ".")) {
		return fmt.Errorf("domain %q is not a domain name like example.com", c.Domain)
	}
	if c.Phone != "" && !ValidPhone(c.Phone) {
		return fmt.Errorf("invalid phone %q", c.Phone)
	}
	var err error
	if c.Tags, err = normTags(c.Tags); err != nil {
		return err
	}
	if err := checkTexts(map[string]string{"company name": c.Name, "domain": c.Domain, "notes": c.Notes, "address": c.Address}); err != nil {
		return err
	}
	return normVisibility(&c.Visibility)
}

// domainOf reduces a website address to its host name: "https://www.Acme.com/about" →
// "acme.com".
func domainOf(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	if h, _, ok := strings.Cut(s, ":"); ok {
		s = h
	}
	return strings.TrimSuffix(strings.TrimPrefix(s, "www."), ".")
}

// dateLayouts are the forms of an expected close date that deal files use.
var dateLayouts = []string{DateFormat, "2006-01-02 15:04", "2006-01-02 15:04:05", time.RFC3339, "2006-01-02T15:04:05",
	"2006/01/02", "01/02/2006", "1/2/2006", "02.01.2006", "2.1.2006"}

// amountText strips what spreadsheets add around an amount: currency signs, a currency
// code, spaces.
func amountText(v string) string {
	v = strings.TrimSpace(strings.Trim(strings.TrimSpace(v), "$€£¥\u00a0"))
	if f := strings.Fields(v); len(f) == 2 {
		if ValidCurrency(strings.ToUpper(f[0])) {
			return f[1]
		}
		if ValidCurrency(strings.ToUpper(f[1])) {
			return f[0]
		}
	}
	return v
}

func (p *planner) normDeal(d *ImportDeal) error {
	trimAll(&d.ID, &d.ExternalID, &d.Contact, &d.ContactExternalID, &d.CompanyExternalID,
		&d.Value, &d.Currency, &d.Status, &d.LostReason, &d.ExpectedClose, &d.Notes, &d.Visibility)
	d.ID = normID(d.ID)
	d.Title, d.Company, d.Stage = oneLine(d.Title), oneLine(d.Company), oneLine(d.Stage)
	if d.Title == "" {
		return errors.New("no deal title")
	}
	if d.Currency != "" {
		d.Currency = strings.ToUpper(d.Currency)
		if !ValidCurrency(d.Currency) {
			return fmt.Errorf("unknown currency code %q (use an ISO 4217 code such as USD or EUR)", d.Currency)
		}
	}
	if d.Value != "" {
		d.Value = amountText(d.Value)
		cur := d.Currency
		if cur == "" {
			cur = p.db.currency
		}
		if _, err := ParseAmount(d.Value, cur); err != nil {
			return err
		}
	}
	status := strings.ToLower(d.Status)
	switch status {
	case "", StatusOpen, StatusWon, StatusLost:
	case "deleted":
		return errors.New("deleted in the exporting tool")
	default:
		return fmt.Errorf("status %q must be open, won or lost", d.Status)
	}
	if d.Stage != "" && !slices.ContainsFunc(p.stages, func(s Stage) bool { return strings.EqualFold(s.Name, d.Stage) }) {
		switch strings.ReplaceAll(strings.ToLower(d.Stage), " ", "") {
		case "won", "closedwon":
			status = cmp.Or(status, StatusWon)
		case "lost", "closedlost":
			status = cmp.Or(status, StatusLost)
		default:
			names := make([]string, len(p.stages))
			for i, s := range p.stages {
				names[i] = s.Name
			}
			return fmt.Errorf("unknown stage %q (stages: %s)", d.Stage, strings.Join(names, ", "))
		}
		d.Stage = ""
	}
	d.Status = status
	if d.ExpectedClose != "" {
		ok := false
		for _, l := range dateLayouts {
			if t, err := time.Parse(l, d.ExpectedClose); err == nil {
				d.ExpectedClose, ok = t.Format(DateFormat), true
				break
			}
		}
		if !ok {
			return fmt.Errorf("expected close %q is not a date (YYYY-MM-DD)", d.ExpectedClose)
		}
	}
	var err error
	if d.Tags, err = normTags(d.Tags); err != nil {
		return err
	}
	if err := checkTexts(map[string]string{"title": d.Title, "notes": d.Notes, "lost reason": d.LostReason, "company name": d.Company}); err != nil {
		return err
	}
	return normVisibility(&d.Visibility)
}

// plan reads what the file's records match in the database and decides, row by row,
// what to create, update or merge.
func (p *planner) plan(ctx context.Context) error {
	var err error
	if p.stages, err = p.db.Stages(ctx); err != nil {
		return err
	}
	p.normalise()
	if err := p.lookup(ctx); err != nil {
		return err
	}
	p.res.Rows = len(p.items)
	p.res.DryRun = p.opts.DryRun
	for i := range p.items {
		if i%1000 == 999 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		it := &p.items[i]
		if it.Skip != "" {
			p.skip(it, it.Skip)
			continue
		}
		var err error
		switch {
		case it.Company != nil:
			err = p.planCompany(ctx, it)
		case it.Contact != nil:
			err = p.planContact(ctx, it)
		case it.Deal != nil:
			err = p.planDeal(ctx, it)
		}
		if err != nil {
			return err
		}
	}
	p.count()
	return nil
}

// lookup loads, in batches, every database record the file's keys could match.
func (p *planner) lookup(ctx context.Context) error {
	var ids, exts, mails, tels, names []string
	var coIDs, coExts, coNames, coDoms, itemCoNames []string
	var dealIDs, dealExts, titles []string
	contacts, addresses, numbers := 0, 0, 0
	for i := range p.items {
		it := &p.items[i]
		if it.Skip != "" {
			continue
		}
		if c := it.Contact; c != nil {
			contacts, addresses, numbers = contacts+1, addresses+len(c.Emails), numbers+len(c.Phones)
			if c.ID == "" && c.ExternalID == "" && len(c.Emails) == 0 && len(c.Phones) == 0 {
				names = appendNonEmpty(names, asciiLower(joinName(c.FirstName, c.LastName)))
			}
			ids = appendNonEmpty(ids, c.ID)
			exts = appendNonEmpty(exts, c.ExternalID)
			coNames = appendNonEmpty(coNames, asciiLower(c.Company))
			coExts = appendNonEmpty(coExts, c.CompanyExternalID)
		}
		if c := it.Company; c != nil {
			coIDs = appendNonEmpty(coIDs, c.ID)
			coExts = appendNonEmpty(coExts, c.ExternalID)
			itemCoNames = append(itemCoNames, asciiLower(c.Name))
			coDoms = appendNonEmpty(coDoms, c.Domain)
		}
		if d := it.Deal; d != nil {
			dealIDs = appendNonEmpty(dealIDs, d.ID)
			dealExts = appendNonEmpty(dealExts, d.ExternalID)
			titles = append(titles, asciiLower(d.Title))
			coNames = appendNonEmpty(coNames, asciiLower(d.Company))
			coExts = appendNonEmpty(coExts, d.CompanyExternalID)
			exts = appendNonEmpty(exts, d.ContactExternalID)
			if strings.Contains(d.Contact, "@") {
				mails = append(mails, asciiLower(d.Contact))
			} else {
				names = appendNonEmpty(names, asciiLower(d.Contact))
			}
		}
	}
	// The plan files each contact under its keys: maps made to size are not grown (and
	// rehashed) on the way, a tenth of the plan's time at 100,000 rows.
	p.contacts = make([]*plannedContact, 0, contacts)
	p.contactByID = make(map[string]*plannedContact, contacts)
	p.contactByMail = make(map[string]*plannedContact, addresses)
	p.contactByTel = make(map[string]*plannedContact, numbers)
	db, src := p.db, p.opts.Source
	// Keys need no lookup in a table that is empty (an import into a new database).
	for _, e := range []struct {
		table string
		keys  []*[]string
	}{
		{"external_ids", []*[]string{&exts, &coExts, &dealExts}},
		{"contacts", []*[]string{&ids, &mails, &tels, &names}},
		{"companies", []*[]string{&coIDs, &coNames, &coDoms, &itemCoNames}},
		{"deals", []*[]string{&dealIDs, &titles}},
	} {
		var any bool
		if err := db.sql.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM "+e.table+")").Scan(&any); err != nil {
			return fmt.Errorf("look up: %w", err)
		}
		if !any {
			for _, k := range e.keys {
				*k = nil
			}
			p.empty[e.table] = true
		}
	}
	var err error
	if p.dbContactByExt, err = db.lookupExternal(ctx, src, EntityContact, exts); err != nil {
		return err
	}
	if p.dbCompanyByExt, err = db.lookupExternal(ctx, src, EntityCompany, coExts); err != nil {
		return err
	}
	if p.dbDealByExt, err = db.lookupExternal(ctx, src, EntityDeal, dealExts); err != nil {
		return err
	}
	const live = " AND c.deleted_at IS NULL AND c.merged_into IS NULL"
	if !p.empty["contacts"] {
		// A row whose rolo id, or external id, names a live contact is that contact
		// (findContact): its addresses and numbers need no lookup. Importing an export
		// of 100,000 contacts again would look up 260,000 of them for nothing.
		named := slices.Clone(ids)
		for _, id := range p.dbContactByExt {
			named = append(named, id)
		}
		rows, err := db.lookupRows(ctx, "SELECT c.id FROM contacts c WHERE c.id IN (%s)"+live, named, 1)
		if err != nil {
			return err
		}
		isLive := make(map[string]bool, len(rows))
		for _, r := range rows {
			isLive[r[0]] = true
		}
		for i := range p.items {
			it := &p.items[i]
			c := it.Contact
			if it.Skip != "" || c == nil || c.ID != "" && isLive[c.ID] ||
				c.ExternalID != "" && isLive[p.dbContactByExt[c.ExternalID]] {
				continue
			}
			for _, e := range c.Emails {
				mails = append(mails, asciiLower(e.Email))
			}
			for _, ph := range c.Phones {
				tels = appendNonEmpty(tels, matchDigits(ph.Phone))
			}
		}
	}
	if p.dbContactByMail, err = db.lookupKeys(ctx, "SELECT lower(x.email), x.contact_id FROM contact_emails x JOIN contacts c ON c.id = x.contact_id"+
		" WHERE x.email COLLATE NOCASE IN (%s)"+live+" ORDER BY x.contact_id", mails); err != nil {
		return err
	}
	if p.dbContactByTel, err = db.lookupKeys(ctx, "SELECT x.digits, x.contact_id FROM contact_phones x JOIN contacts c ON c.id = x.contact_id"+
		" WHERE x.digits IN (%s)"+live+" ORDER BY x.contact_id", tels); err != nil {
		return err
	}
	if p.dbContactByName, err = db.lookupKeys(ctx, "SELECT lower(c.name), c.id FROM contacts c WHERE c.name COLLATE NOCASE IN (%s)"+live+
		" ORDER BY c.id", names); err != nil {
		return err
	}
	if p.dbCompanyByName, err = db.lookupKeys(ctx, "SELECT lower(c.name), c.id FROM companies c WHERE c.name COLLATE NOCASE IN (%s)"+live+
		" ORDER BY c.id", append(coNames, itemCoNames...)); err != nil {
		return err
	}
	if p.dbCompanyByDom, err = db.lookupKeys(ctx, "SELECT lower(c.domain), c.id FROM companies c WHERE c.domain COLLATE NOCASE IN (%s)"+live+
		" ORDER BY c.id", coDoms); err != nil {
		return err
	}
	dealRows, err := db.lookupRows(ctx, "SELECT lower(title), id, coalesce(company_id, '') FROM deals WHERE title COLLATE NOCASE IN (%s)"+
		" AND deleted_at IS NULL AND merged_into IS NULL ORDER BY id", titles, 3)
	if err != nil {
		return err
	}
	p.dbDealByTitle = map[string][]dealLink{}
	for _, r := range dealRows {
		p.dbDealByTitle[r[0]] = append(p.dbDealByTitle[r[0]], dealLink{r[1], r[2]})
	}
	// Load the records the keys found, to compare with and to follow merges from.
	for _, id := range p.dbContactByExt {
		ids = append(ids, id)
	}
	for _, m := range []map[string][]string{p.dbContactByMail, p.dbContactByTel, p.dbContactByName} {
		for _, l := range m {
			ids = append(ids, l...)
		}
	}
	if p.dbContacts, err = db.loadContacts(ctx, ids); err != nil {
		return err
	}
	for _, id := range ids {
		if _, ok := p.dbContacts[id]; !ok {
			p.dbContacts[id] = nil // known not to exist
		}
	}
	if p.dbContactExt, err = db.lookupKeys(ctx, "SELECT entity_id, external_id FROM external_ids WHERE source = ? AND entity = ?"+
		" AND entity_id IN (%s) ORDER BY external_id", slices.Concat(flatten(p.dbContactByMail), flatten(p.dbContactByTel)),
		src, EntityContact); err != nil {
		return err
	}
	for _, id := range p.dbCompanyByExt {
		coIDs = append(coIDs, id)
	}
	for _, k := range itemCoNames {
		coIDs = append(coIDs, p.dbCompanyByName[k]...)
	}
	for _, l := range p.dbCompanyByDom {
		coIDs = append(coIDs, l...)
	}
	p.dbCompanies = map[string]*Company{}
	for _, id := range dedupe(coIDs) {
		if _, err := p.company(ctx, id); err != nil {
			return err
		}
	}
	for _, id := range p.dbDealByExt {
		dealIDs = append(dealIDs, id)
	}
	for _, l := range p.dbDealByTitle {
		for _, d := range l {
			dealIDs = append(dealIDs, d.id)
		}
	}
	p.dbDeals = map[string]*Deal{}
	for _, id := range dedupe(dealIDs) {
		d, err := db.FindDealByID(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		p.dbDeals[id] = d
	}
	return nil
}

// flatten lists every id of a key → ids map.
func flatten(m map[string][]string) []string {
	var out []string
	for _, l := range m {
		out = append(out, l...)
	}
	return out
}

func appendNonEmpty(l []string, s string) []string {
	if s == "" {
		return l
	}
	return append(l, s)
}

func dedupe(l []string) []string {
	l = slices.Clone(l)
	slices.Sort(l)
	return slices.Compact(l)
}

// lookupChunk is how many keys one IN (…) list holds.
const lookupChunk = 500

// lookupRows runs q, whose %s becomes a list of placeholders, over the keys in chunks
// and returns the first n columns of every row as text.
func (db *DB) lookupRows(ctx context.Context, q string, keys []string, n int, args ...any) ([][]string, error) {
	keys = dedupe(keys)
	var out [][]string
	for len(keys) > 0 {
		chunk := keys[:min(lookupChunk, len(keys))]
		keys = keys[len(chunk):]
		a := slices.Clone(args)
		for _, k := range chunk {
			a = append(a, k)
		}
		rows, err := db.sql.QueryContext(ctx, fmt.Sprintf(q, strings.TrimSuffix(strings.Repeat("?,", len(chunk)), ",")), a...)
		if err != nil {
			return nil, fmt.Errorf("look up: %w", err)
		}
		for rows.Next() {
			vals := make([]string, n)
			ptrs := make([]any, n)
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, fmt.Errorf("look up: %w", err)
			}
			out = append(out, vals)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("look up: %w", err)
		}
	}
	return out, nil
}

// lookupKeys maps each key q finds to the ids found for it, in the order q returns them.
func (db *DB) lookupKeys(ctx context.Context, q string, keys []string, args ...any) (map[string][]string, error) {
	rows, err := db.lookupRows(ctx, q, keys, 2, args...)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, r := range rows {
		if !slices.Contains(out[r[0]], r[1]) {
			out[r[0]] = append(out[r[0]], r[1])
		}
	}
	return out, nil
}

func (db *DB) lookupExternal(ctx context.Context, source, entity string, exts []string) (map[string]string, error) {
	rows, err := db.lookupRows(ctx, "SELECT external_id, entity_id FROM external_ids WHERE source = ? AND entity = ? AND external_id IN (%s)",
		exts, 2, source, entity)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, r := range rows {
		out[r[0]] = r[1]
	}
	return out, nil
}

// loadContacts reads the contacts with the given ids (deleted ones too), with their
// emails, phones and tags, in batches.
func (db *DB) loadContacts(ctx context.Context, ids []string) (map[string]*Contact, error) {
	ids = dedupe(ids)
	out := map[string]*Contact{}
	for len(ids) > 0 {
		chunk := ids[:min(lookupChunk, len(ids))]
		ids = ids[len(chunk):]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := db.sql.QueryContext(ctx, "SELECT "+contactCols+contactFrom+"WHERE c.id IN ("+
			strings.TrimSuffix(strings.Repeat("?,", len(chunk)), ",")+")", args...)
		if err != nil {
			return nil, fmt.Errorf("load contacts: %w", err)
		}
		var list []*Contact
		for rows.Next() {
			c, err := scanContact(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("load contacts: %w", err)
			}
			list = append(list, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("load contacts: %w", err)
		}
		if err := db.fillContacts(ctx, list); err != nil {
			return nil, err
		}
		for _, c := range list {
			out[c.ID] = c
		}
	}
	return out, nil
}

// contact returns the database contact id (nil if there is none), loading it if needed.
func (p *planner) contact(ctx context.Context, id string) (*Contact, error) {
	if c, ok := p.dbContacts[id]; ok || p.empty["contacts"] {
		return c, nil
	}
	c, err := p.db.FindContactByID(ctx, id)
	if errors.Is(err, ErrNotFound) {
		c, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	p.dbContacts[id] = c
	return c, nil
}

func (p *planner) company(ctx context.Context, id string) (*Company, error) {
	if c, ok := p.dbCompanies[id]; ok || p.empty["companies"] {
		return c, nil
	}
	c, err := p.db.FindCompanyByID(ctx, id)
	if errors.Is(err, ErrNotFound) {
		c, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	p.dbCompanies[id] = c
	return c, nil
}

// liveContact follows merges from id to the surviving contact; "" when there is none or
// it is deleted (an import then treats the row as new rather than reviving it).
func (p *planner) liveContact(ctx context.Context, id string) (string, error) {
	for range 16 {
		c, err := p.contact(ctx, id)
		if c == nil || err != nil {
			return "", err
		}
		switch {
		case c.MergedInto != "":
			id = c.MergedInto
		case c.DeletedAt != nil:
			return "", nil
		default:
			return id, nil
		}
	}
	return "", nil
}

func (p *planner) liveCompany(ctx context.Context, id string) (string, error) {
	for range 16 {
		c, err := p.company(ctx, id)
		if c == nil || err != nil {
			return "", err
		}
		switch {
		case c.MergedInto != "":
			id = c.MergedInto
		case c.DeletedAt != nil:
			return "", nil
		default:
			return id, nil
		}
	}
	return "", nil
}

func shortIDs(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = ShortID(id)
	}
	return strings.Join(out, ", ")
}

// findContact says which record a contact row is: one this file already planned, a
// live database contact (dbID), or neither (a new contact). A reason means the row
// cannot be matched safely and is skipped.
//
// Ids win over addresses: rows with different ids are different records even when they
// share an email or phone, and a database contact that has another id from the same
// source is not matched by email or phone. A shared phone number (a switchboard) only
// matches when the names agree.
func (p *planner) findContact(ctx context.Context, c *ImportContact) (pc *plannedContact, dbID, reason string, err error) {
	if c.ID != "" {
		if pc := p.contactByID[c.ID]; pc != nil {
			return pc, "", "", nil
		}
		if id, err := p.liveContact(ctx, c.ID); id != "" || err != nil {
			return nil, id, "", err
		}
	}
	if c.ExternalID != "" {
		if pc := p.contactByExt[c.ExternalID]; pc != nil {
			return pc, "", "", nil
		}
		if id, ok := p.dbContactByExt[c.ExternalID]; ok {
			if id, err := p.liveContact(ctx, id); id != "" || err != nil {
				return nil, id, "", err
			}
		}
	}
	name := joinName(c.FirstName, c.LastName)
	planned := func(pc *plannedContact, byPhone bool) bool {
		if pc == nil || c.ID != "" && pc.srcID != "" && pc.srcID != c.ID ||
			c.ExternalID != "" && len(pc.ext) > 0 && !slices.Contains(pc.ext, c.ExternalID) {
			return false
		}
		return !byPhone || sameName(name, &pc.next)
	}
	inDB := func(ids []string, byPhone bool) []string {
		var out []string
		for _, id := range ids {
			if c.ExternalID != "" && len(p.dbContactExt[id]) > 0 && !slices.Contains(p.dbContactExt[id], c.ExternalID) {
				continue
			}
			if byPhone && !sameName(name, p.dbContacts[id]) {
				continue
			}
			if pc := p.contactByID[id]; pc != nil && !planned(pc, byPhone) {
				continue
			}
			out = append(out, id)
		}
		return out
	}
	for _, e := range c.Emails {
		key := asciiLower(e.Email)
		if pc := p.contactByMail[key]; planned(pc, false) {
			return pc, "", "", nil
		}
		switch ids := inDB(p.dbContactByMail[key], false); len(ids) {
		case 0:
		case 1:
			return nil, ids[0], "", nil
		default:
			return nil, "", fmt.Sprintf("email %s matches %d contacts (%s); merge them first", e.Email, len(ids), shortIDs(ids)), nil
		}
	}
	for _, ph := range c.Phones {
		key := matchDigits(ph.Phone)
		if key == "" {
			continue
		}
		if pc := p.contactByTel[key]; planned(pc, true) {
			return pc, "", "", nil
		}
		switch ids := inDB(p.dbContactByTel[key], true); len(ids) {
		case 0:
		case 1:
			return nil, ids[0], "", nil
		default:
			return nil, "", fmt.Sprintf("phone %s matches %d contacts (%s); merge them first", ph.Phone, len(ids), shortIDs(ids)), nil
		}
	}
	if c.ID == "" && c.ExternalID == "" && len(c.Emails) == 0 && len(c.Phones) == 0 && name != "" {
		// Nothing but a name: the same name is the only way to find the record again.
		key := asciiLower(name)
		if pc := p.contactByName[key]; pc != nil {
			return pc, "", "", nil
		}
		if ids := p.dbContactByName[key]; len(ids) == 1 {
			if pc := p.contactByID[ids[0]]; pc == nil || planned(pc, false) {
				return nil, ids[0], "", nil
			}
		}
	}
	return nil, "", "", nil
}

// sameName reports whether a row's name fits a contact: equal ignoring case, or one of
// them has no real name (a contact named after its email or phone).
func sameName(name string, c *Contact) bool {
	if c == nil {
		return false
	}
	if name == "" || c.Name == "" || strings.EqualFold(name, c.Name) {
		return true
	}
	for _, e := range c.Emails {
		if c.Name == e.Email {
			return true
		}
	}
	for _, ph := range c.Phones {
		if c.Name == ph.Phone {
			return true
		}
	}
	return false
}

// indexContact files a planned contact under its keys, so later rows find it.
func (p *planner) indexContact(pc *plannedContact) {
	p.contactByID[pc.id] = pc
	for _, e := range pc.ext {
		p.contactByExt[e] = pc
	}
	for _, e := range pc.next.Emails {
		if k := asciiLower(e.Email); p.contactByMail[k] == nil {
			p.contactByMail[k] = pc
		}
	}
	for _, ph := range pc.next.Phones {
		if k := matchDigits(ph.Phone); k != "" && p.contactByTel[k] == nil {
			p.contactByTel[k] = pc
		}
	}
}

func (p *planner) planContact(ctx context.Context, it *ImportItem) error {
	c := it.Contact
	pc, dbID, reason, err := p.findContact(ctx, c)
	if err != nil {
		return err
	}
	if reason != "" {
		p.skip(it, reason)
		return nil
	}
	if pc == nil && dbID == "" && joinName(c.FirstName, c.LastName) == "" && len(c.Emails) == 0 && len(c.Phones) == 0 {
		p.skip(it, "no name, email or phone")
		return nil
	}
	vis := c.Visibility
	if pc != nil {
		vis = cmp.Or(vis, pc.next.Visibility)
	}
	companyID, reason, err := p.companyFor(ctx, c.Company, c.CompanyExternalID, vis)
	if err != nil {
		return err
	}
	if reason != "" {
		p.skip(it, reason)
		return nil
	}
	if pc == nil && dbID != "" {
		pc = p.contactByID[dbID]
		if pc == nil {
			cur := p.dbContacts[dbID]
			next := *cur
			next.Emails, next.Phones, next.Tags = slices.Clone(cur.Emails), slices.Clone(cur.Phones), slices.Clone(cur.Tags)
			pc = &plannedContact{id: dbID, cur: cur, next: next}
			p.contacts = append(p.contacts, pc)
		}
	}
	if pc == nil {
		id := c.ID
		if _, known := p.dbContacts[id]; id == "" || known && p.dbContacts[id] != nil {
			id = newID()
		}
		pc = &plannedContact{id: id}
		pc.next.ID, pc.next.Emails, pc.next.Phones, pc.next.Tags = id, []Email{}, []Phone{}, []string{}
		p.contacts = append(p.contacts, pc)
	}
	if pc.rows > 0 {
		p.res.Merged++
	}
	pc.rows++
	if c.ID != "" && pc.srcID == "" {
		pc.srcID = c.ID
	}
	n := &pc.next
	if c.FirstName != "" || c.LastName != "" {
		n.FirstName, n.LastName = c.FirstName, c.LastName
	}
	for _, kv := range []struct {
		dst *string
		v   string
	}{{&n.Title, c.Title}, {&n.CompanyID, companyID}, {&n.Address, c.Address}, {&n.Source, c.Source}, {&n.Notes, c.Notes},
		{&n.Visibility, c.Visibility}} {
		if kv.v != "" {
			*kv.dst = kv.v
		}
	}
	if c.CadenceDays > 0 {
		n.CadenceDays = c.CadenceDays
	}
	for _, e := range c.Emails {
		i := slices.IndexFunc(n.Emails, func(o Email) bool { return strings.EqualFold(o.Email, e.Email) })
		if i < 0 {
			n.Emails = append(n.Emails, e)
		} else if n.Emails[i].Label == "" && e.Label != "" {
			n.Emails[i].Label = e.Label
		}
	}
	for _, ph := range c.Phones {
		i := slices.IndexFunc(n.Phones, func(o Phone) bool { return PhoneDigits(o.Phone) == PhoneDigits(ph.Phone) })
		if i < 0 {
			n.Phones = append(n.Phones, ph)
		} else if n.Phones[i].Label == "" && ph.Label != "" {
			n.Phones[i].Label = ph.Label
		}
	}
	for _, t := range c.Tags {
		if !slices.Contains(n.Tags, t) {
			n.Tags = append(n.Tags, t)
		}
	}
	n.Name = joinName(n.FirstName, n.LastName)
	if n.Name == "" {
		// No name anywhere: the contact is named after its first address or number.
		if len(n.Emails) > 0 {
			n.FirstName = n.Emails[0].Email
		} else if len(n.Phones) > 0 {
			n.FirstName = n.Phones[0].Phone
		}
		n.Name = n.FirstName
	}
	if c.ExternalID != "" && !slices.Contains(pc.ext, c.ExternalID) {
		pc.ext = append(pc.ext, c.ExternalID)
	}
	if c.ID == "" && c.ExternalID == "" && len(c.Emails) == 0 && len(c.Phones) == 0 {
		if key := asciiLower(n.Name); p.contactByName[key] == nil {
			p.contactByName[key] = pc
		}
	}
	p.indexContact(pc)
	return nil
}

// companyFor resolves the company a contact or deal names: by external id, then by
// name; a name not found plans a new company (with the given visibility). A reason
// means the row must be skipped.
func (p *planner) companyFor(ctx context.Context, name, ext, visibility string) (id, reason string, err error) {
	if ext != "" {
		if pc := p.companyByExt[ext]; pc != nil {
			return pc.id, "", nil
		}
		if id, ok := p.dbCompanyByExt[ext]; ok {
			if id, err := p.liveCompany(ctx, id); id != "" || err != nil {
				return id, "", err
			}
		}
	}
	if name == "" {
		return "", "", nil
	}
	key := asciiLower(name)
	if pc := p.companyByName[key]; pc != nil {
		return pc.id, "", nil
	}
	switch ids := p.dbCompanyByName[key]; len(ids) {
	case 0:
	case 1:
		return ids[0], "", nil
	default:
		return "", fmt.Sprintf("company %q matches %d companies (%s); merge them first", name, len(ids), shortIDs(ids)), nil
	}
	pc := &plannedCompany{id: newID()}
	pc.next.ID, pc.next.Name, pc.next.Tags, pc.next.Visibility = pc.id, name, []string{}, visibility
	p.companies = append(p.companies, pc)
	p.companyByID[pc.id] = pc
	p.companyByName[key] = pc
	return pc.id, "", nil
}

func (p *planner) planCompany(ctx context.Context, it *ImportItem) error {
	c := it.Company
	var pc *plannedCompany
	var dbID string
	nameKey := asciiLower(c.Name)
	if c.ID != "" {
		if pc = p.companyByID[c.ID]; pc == nil {
			id, err := p.liveCompany(ctx, c.ID)
			if err != nil {
				return err
			}
			dbID = id
		}
	}
	if pc == nil && dbID == "" && c.ExternalID != "" {
		if pc = p.companyByExt[c.ExternalID]; pc == nil && p.dbCompanyByExt[c.ExternalID] != "" {
			id, err := p.liveCompany(ctx, p.dbCompanyByExt[c.ExternalID])
			if err != nil {
				return err
			}
			dbID = id
		}
	}
	if pc == nil && dbID == "" && c.Domain != "" {
		if pc = p.companyByDom[c.Domain]; pc == nil && len(p.dbCompanyByDom[c.Domain]) == 1 {
			dbID = p.dbCompanyByDom[c.Domain][0]
		}
	}
	if pc == nil && dbID == "" {
		if pc = p.companyByName[nameKey]; pc == nil {
			switch ids := p.dbCompanyByName[nameKey]; len(ids) {
			case 0:
			case 1:
				dbID = ids[0]
			default:
				p.skip(it, fmt.Sprintf("company %q matches %d companies (%s); merge them first", c.Name, len(ids), shortIDs(ids)))
				return nil
			}
		}
	}
	if pc == nil && dbID != "" {
		if pc = p.companyByID[dbID]; pc == nil {
			cur, err := p.company(ctx, dbID)
			if err != nil {
				return err
			}
			next := *cur
			next.Tags = slices.Clone(cur.Tags)
			pc = &plannedCompany{id: dbID, cur: cur, next: next}
			p.companies = append(p.companies, pc)
			p.companyByID[dbID] = pc
		}
	}
	if pc == nil {
		id := c.ID
		if _, known := p.dbCompanies[id]; id == "" || known {
			id = newID()
		}
		pc = &plannedCompany{id: id}
		pc.next.ID, pc.next.Tags = id, []string{}
		p.companies = append(p.companies, pc)
		p.companyByID[id] = pc
	}
	if pc.rows > 0 {
		p.res.Merged++
	}
	pc.rows++
	n := &pc.next
	n.Name = c.Name
	for _, kv := range []struct {
		dst *string
		v   string
	}{{&n.Domain, c.Domain}, {&n.Phone, c.Phone}, {&n.Address, c.Address}, {&n.Notes, c.Notes}, {&n.Visibility, c.Visibility}} {
		if kv.v != "" {
			*kv.dst = kv.v
		}
	}
	for _, t := range c.Tags {
		if !slices.Contains(n.Tags, t) {
			n.Tags = append(n.Tags, t)
		}
	}
	if c.ExternalID != "" && !slices.Contains(pc.ext, c.ExternalID) {
		pc.ext = append(pc.ext, c.ExternalID)
		p.companyByExt[c.ExternalID] = pc
	}
	p.companyByName[asciiLower(n.Name)] = pc
	if n.Domain != "" {
		p.companyByDom[n.Domain] = pc
	}
	return nil
}

// contactFor resolves the contact a deal names: by external id, email, then exact name;
// "" when it is not found.
func (p *planner) contactFor(ctx context.Context, d *ImportDeal) (string, error) {
	if d.ContactExternalID != "" {
		if pc := p.contactByExt[d.ContactExternalID]; pc != nil {
			return pc.id, nil
		}
		if id, ok := p.dbContactByExt[d.ContactExternalID]; ok {
			if id, err := p.liveContact(ctx, id); id != "" || err != nil {
				return id, err
			}
		}
	}
	key := asciiLower(d.Contact)
	if key == "" {
		return "", nil
	}
	if pc := p.contactByMail[key]; pc != nil {
		return pc.id, nil
	}
	if ids := p.dbContactByMail[key]; len(ids) == 1 {
		return ids[0], nil
	}
	for _, pc := range p.contacts {
		if asciiLower(pc.next.Name) == key {
			return pc.id, nil
		}
	}
	if ids := p.dbContactByName[key]; len(ids) == 1 {
		return ids[0], nil
	}
	return "", nil
}

// stage finds a stage by name, ignoring case; otherwise the first stage, or the last
// one for a closed deal.
func (p *planner) stage(name string, closed bool) Stage {
	for _, s := range p.stages {
		if strings.EqualFold(s.Name, name) {
			return s
		}
	}
	if closed {
		return p.stages[len(p.stages)-1]
	}
	return p.stages[0]
}

func (p *planner) planDeal(ctx context.Context, it *ImportItem) error {
	d := it.Deal
	if len(p.stages) == 0 {
		p.skip(it, "the pipeline has no stages")
		return nil
	}
	contactID, err := p.contactFor(ctx, d)
	if err != nil {
		return err
	}
	live := func(id string) bool {
		cur := p.dbDeals[id]
		return cur != nil && cur.DeletedAt == nil && cur.MergedInto == ""
	}
	// The deal's company: the one named, else the contact's.
	var companyID string
	if d.Company != "" || d.CompanyExternalID != "" {
		var reason string
		companyID, reason, err = p.companyFor(ctx, d.Company, d.CompanyExternalID, d.Visibility)
		if err != nil {
			return err
		}
		if reason != "" {
			p.skip(it, reason)
			return nil
		}
	} else if contactID != "" {
		if pc := p.contactByID[contactID]; pc != nil {
			companyID = pc.next.CompanyID
		} else if c := p.dbContacts[contactID]; c != nil {
			companyID = c.CompanyID
		}
	}
	var pd *plannedDeal
	var dbID string
	switch {
	case d.ID != "" && p.dealByID[d.ID] != nil:
		pd = p.dealByID[d.ID]
	case d.ID != "" && live(d.ID):
		dbID = d.ID
	case d.ExternalID != "" && p.dealByExt[d.ExternalID] != nil:
		pd = p.dealByExt[d.ExternalID]
	case d.ExternalID != "" && live(p.dbDealByExt[d.ExternalID]):
		dbID = p.dbDealByExt[d.ExternalID]
	case d.ExternalID == "":
		// A deal without ids is the same deal when its title and company are.
		if pd = p.dealByTitle[asciiLower(d.Title)+"\x00"+companyID]; pd == nil {
			for _, l := range p.dbDealByTitle[asciiLower(d.Title)] {
				if l.companyID == companyID {
					dbID = l.id
					break
				}
			}
		}
	}
	if pd == nil && dbID != "" {
		if pd = p.dealByID[dbID]; pd == nil {
			cur := p.dbDeals[dbID]
			next := *cur
			next.Tags = slices.Clone(cur.Tags)
			pd = &plannedDeal{id: dbID, cur: cur, next: next}
			p.deals = append(p.deals, pd)
			p.dealByID[dbID] = pd
		}
	}
	if pd == nil {
		id := d.ID
		if _, known := p.dbDeals[id]; id == "" || known {
			id = newID()
		}
		pd = &plannedDeal{id: id}
		st := p.stage(d.Stage, d.Status == StatusWon || d.Status == StatusLost)
		pd.next.ID, pd.next.Tags, pd.next.Status, pd.next.StageID, pd.next.Stage = id, []string{}, StatusOpen, st.ID, st.Name
		pd.next.Value.Currency = cmp.Or(d.Currency, p.db.currency)
		p.deals = append(p.deals, pd)
		p.dealByID[id] = pd
	}
	if pd.rows > 0 {
		p.res.Merged++
	}
	pd.rows++
	n := &pd.next
	n.Title = d.Title
	for _, kv := range []struct {
		dst *string
		v   string
	}{{&n.ContactID, contactID}, {&n.CompanyID, companyID}, {&n.Value.Currency, d.Currency}, {&n.Status, d.Status},
		{&n.LostReason, d.LostReason}, {&n.ExpectedClose, d.ExpectedClose}, {&n.Notes, d.Notes}, {&n.Visibility, d.Visibility}} {
		if kv.v != "" {
			*kv.dst = kv.v
		}
	}
	if d.Value != "" {
		amount, err := ParseAmount(d.Value, n.Value.Currency)
		if err != nil {
			p.skip(it, strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": "))
			return nil
		}
		n.Value.Amount = amount
	}
	if d.Stage != "" {
		st := p.stage(d.Stage, false)
		n.StageID, n.Stage = st.ID, st.Name
	}
	for _, t := range d.Tags {
		if !slices.Contains(n.Tags, t) {
			n.Tags = append(n.Tags, t)
		}
	}
	if d.ExternalID != "" && !slices.Contains(pd.ext, d.ExternalID) {
		pd.ext = append(pd.ext, d.ExternalID)
		p.dealByExt[d.ExternalID] = pd
	}
	p.dealByTitle[asciiLower(n.Title)+"\x00"+n.CompanyID] = pd
	return nil
}

// contactChanges are the fields that turn cur into n (every field for a new contact).
func contactChanges(cur, n *Contact) Fields {
	f := Fields{}
	if cur == nil {
		f["first_name"], f["last_name"], f["name"] = n.FirstName, n.LastName, n.Name
		f["title"], f["company_id"], f["address"], f["source"], f["notes"] = n.Title, nullStr(n.CompanyID), n.Address, n.Source, n.Notes
		if n.CadenceDays > 0 {
			f["cadence_days"] = int64(n.CadenceDays)
		}
		if n.Visibility != "" {
			f["visibility"] = n.Visibility
		}
		if len(n.Emails) > 0 {
			f["emails"] = n.Emails
		}
		if len(n.Phones) > 0 {
			f["phones"] = n.Phones
		}
		for _, t := range n.Tags {
			f["tag:"+t] = true
		}
		return f
	}
	if n.FirstName != cur.FirstName || n.LastName != cur.LastName || n.Name != cur.Name {
		f["first_name"], f["last_name"], f["name"] = n.FirstName, n.LastName, n.Name
	}
	for k, v := range map[string][2]string{"title": {cur.Title, n.Title}, "address": {cur.Address, n.Address},
		"source": {cur.Source, n.Source}, "notes": {cur.Notes, n.Notes}, "visibility": {cur.Visibility, n.Visibility}} {
		if v[0] != v[1] {
			f[k] = v[1]
		}
	}
	if cur.CompanyID != n.CompanyID {
		f["company_id"] = nullStr(n.CompanyID)
	}
	if cur.CadenceDays != n.CadenceDays {
		f["cadence_days"] = int64(n.CadenceDays)
	}
	if !slices.Equal(cur.Emails, n.Emails) {
		f["emails"] = n.Emails
	}
	if !slices.Equal(cur.Phones, n.Phones) {
		f["phones"] = n.Phones
	}
	for _, t := range n.Tags {
		if !slices.Contains(cur.Tags, t) {
			f["tag:"+t] = true
		}
	}
	return f
}

func companyChanges(cur, n *Company) Fields {
	f := Fields{}
	if cur == nil {
		f["name"], f["domain"], f["phone"], f["address"], f["notes"] = n.Name, n.Domain, n.Phone, n.Address, n.Notes
		if n.Visibility != "" {
			f["visibility"] = n.Visibility
		}
		for _, t := range n.Tags {
			f["tag:"+t] = true
		}
		return f
	}
	for k, v := range map[string][2]string{"name": {cur.Name, n.Name}, "domain": {cur.Domain, n.Domain}, "phone": {cur.Phone, n.Phone},
		"address": {cur.Address, n.Address}, "notes": {cur.Notes, n.Notes}, "visibility": {cur.Visibility, n.Visibility}} {
		if v[0] != v[1] {
			f[k] = v[1]
		}
	}
	for _, t := range n.Tags {
		if !slices.Contains(cur.Tags, t) {
			f["tag:"+t] = true
		}
	}
	return f
}

// dealChanges are the fields that turn cur into n, without those that depend on the
// clock (stage_entered_at, closed_at), which apply adds.
func dealChanges(cur, n *Deal) Fields {
	f := Fields{}
	if cur == nil {
		f["title"], f["contact_id"], f["company_id"] = n.Title, nullStr(n.ContactID), nullStr(n.CompanyID)
		f["value"], f["currency"], f["stage_id"], f["status"] = n.Value.Amount, n.Value.Currency, n.StageID, n.Status
		f["lost_reason"], f["expected_close"], f["notes"] = n.LostReason, nullStr(n.ExpectedClose), n.Notes
		if n.Visibility != "" {
			f["visibility"] = n.Visibility
		}
		for _, t := range n.Tags {
			f["tag:"+t] = true
		}
		return f
	}
	for k, v := range map[string][2]string{"title": {cur.Title, n.Title}, "currency": {cur.Value.Currency, n.Value.Currency},
		"stage_id": {cur.StageID, n.StageID}, "status": {cur.Status, n.Status}, "lost_reason": {cur.LostReason, n.LostReason},
		"notes": {cur.Notes, n.Notes}, "visibility": {cur.Visibility, n.Visibility}} {
		if v[0] != v[1] {
			f[k] = v[1]
		}
	}
	for k, v := range map[string][2]string{"contact_id": {cur.ContactID, n.ContactID}, "company_id": {cur.CompanyID, n.CompanyID},
		"expected_close": {cur.ExpectedClose, n.ExpectedClose}} {
		if v[0] != v[1] {
			f[k] = nullStr(v[1])
		}
	}
	if cur.Value.Amount != n.Value.Amount {
		f["value"] = n.Value.Amount
	}
	for _, t := range n.Tags {
		if !slices.Contains(cur.Tags, t) {
			f["tag:"+t] = true
		}
	}
	return f
}

// count works out each planned record's changes and fills the result's counters.
func (p *planner) count() {
	tally := func(isNew bool, changes int, created, updated *int) {
		switch {
		case isNew:
			*created++
		case changes > 0:
			*updated++
		default:
			p.res.Unchanged++
		}
	}
	for _, pc := range p.companies {
		pc.changes = companyChanges(pc.cur, &pc.next)
		tally(pc.cur == nil, len(pc.changes), &p.res.Created.Companies, &p.res.Updated.Companies)
	}
	// The changes of many contacts are worked out on every core, then tallied in order. A
	// new contact's are all its fields: they are made as it is written (apply), so that a
	// large import does not hold them all at once.
	par.Ranges(len(p.contacts), func(lo, hi int) {
		for _, pc := range p.contacts[lo:hi] {
			if pc.cur != nil {
				pc.changes = contactChanges(pc.cur, &pc.next)
			}
		}
	})
	for _, pc := range p.contacts {
		tally(pc.cur == nil, len(pc.changes), &p.res.Created.Contacts, &p.res.Updated.Contacts)
	}
	for _, pd := range p.deals {
		pd.changes = dealChanges(pd.cur, &pd.next)
		tally(pd.cur == nil, len(pd.changes), &p.res.Created.Deals, &p.res.Updated.Deals)
	}
}

func (p *planner) result() *ImportResult {
	r := p.res
	if r.Skipped == nil {
		r.Skipped = []ImportSkip{}
	}
	return &r
}

// writes is how many records the plan creates or changes, plus the external ids it
// learns for records that need no change.
func (p *planner) writes() int {
	n := p.res.Created.Total() + p.res.Updated.Total()
	for _, pc := range p.contacts {
		for _, e := range pc.ext {
			if p.dbContactByExt[e] != pc.id {
				n++
			}
		}
	}
	for _, pc := range p.companies {
		for _, e := range pc.ext {
			if p.dbCompanyByExt[e] != pc.id {
				n++
			}
		}
	}
	for _, pd := range p.deals {
		for _, e := range pd.ext {
			if p.dbDealByExt[e] != pd.id {
				n++
			}
		}
	}
	return n
}

// apply writes the plan: companies first (contacts and deals link to them), then
// contacts, then deals, each in the order the file first named them.
func (p *planner) apply(ctx context.Context, b *Bulk) error {
	total := len(p.companies) + len(p.contacts) + len(p.deals)
	done := 0
	step := func() error {
		done++
		if done%1000 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if p.opts.Progress != nil {
				p.opts.Progress(done, total)
			}
		}
		return nil
	}
	write := func(entity, id string, isNew bool, f Fields, ext []string, known map[string]string) error {
		if isNew {
			if err := b.Create(entity, id, f); err != nil {
				return err
			}
		} else if len(f) > 0 {
			if _, err := b.Update(entity, id, f); err != nil {
				return err
			}
		}
		for _, e := range ext {
			if known[e] != id {
				if err := b.SetExternalID(p.opts.Source, entity, e, id); err != nil {
					return err
				}
			}
		}
		return step()
	}
	for _, pc := range p.companies {
		if err := write(EntityCompany, pc.id, pc.cur == nil, pc.changes, pc.ext, p.dbCompanyByExt); err != nil {
			return err
		}
	}
	for _, pc := range p.contacts {
		f := pc.changes
		if pc.cur == nil {
			f = contactChanges(nil, &pc.next)
		}
		if err := write(EntityContact, pc.id, pc.cur == nil, f, pc.ext, p.dbContactByExt); err != nil {
			return err
		}
	}
	now := b.t.nowText()
	for _, pd := range p.deals {
		f := pd.changes
		n := &pd.next
		closed := n.Status == StatusWon || n.Status == StatusLost
		if pd.cur == nil {
			f["stage_entered_at"] = now
			if closed {
				f["closed_at"] = now
			}
		} else {
			if _, ok := f["stage_id"]; ok {
				f["stage_entered_at"] = now
			}
			if _, ok := f["status"]; ok {
				f["closed_at"] = nil
				if closed {
					f["closed_at"] = now
				}
				if n.Status != StatusLost {
					f["lost_reason"] = ""
				}
			}
		}
		if err := write(EntityDeal, pd.id, pd.cur == nil, f, pd.ext, p.dbDealByExt); err != nil {
			return err
		}
		if pd.cur != nil {
			if err := p.dealEntries(b, pd.cur, n, f); err != nil {
				return err
			}
		}
	}
	if p.opts.Progress != nil {
		p.opts.Progress(total, total)
	}
	return nil
}

// dealEntries appends a deal's stage and status changes to its timeline, as MoveDeal
// and CloseDeal do, so that history outlives later edits.
func (p *planner) dealEntries(b *Bulk, cur, n *Deal, f Fields) error {
	d := *cur
	d.ContactID, d.CompanyID, d.Visibility = n.ContactID, n.CompanyID, n.Visibility
	if _, ok := f["stage_id"]; ok {
		if err := b.t.appendEntry(&d, "stage_change", fmt.Sprintf("Stage: %s → %s", cur.Stage, n.Stage),
			Fields{"from_stage": cur.StageID, "to_stage": n.StageID}); err != nil {
			return err
		}
	}
	if _, ok := f["status"]; ok {
		text := "Reopened"
		switch n.Status {
		case StatusWon:
			text = "Won: " + n.Value.String()
		case StatusLost:
			text = "Lost"
			if n.LostReason != "" {
				text += ": " + n.LostReason
			}
		}
		if err := b.t.appendEntry(&d, "status_change", text); err != nil {
			return err
		}
	}
	return nil
}
