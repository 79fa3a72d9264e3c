package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
)

// ContactInput is a new contact. Company is a company id or name: an unknown name
// creates the company in the same transaction.
type ContactInput struct {
	Name        string // full name; split into first and last when those are empty
	FirstName   string
	LastName    string
	Title       string
	Company     string
	Emails      []Email
	Phones      []Phone
	Address     string
	Source      string
	Notes       string
	Tags        []string
	CadenceDays int
	Visibility  string
}

// ContactUpdate changes a contact; nil pointers and empty lists leave a field alone.
type ContactUpdate struct {
	Name         *string // full name; replaces first and last
	FirstName    *string
	LastName     *string
	Title        *string
	Company      *string // id or name; "" unlinks
	AddEmails    []Email
	RemoveEmails []string
	AddPhones    []Phone
	RemovePhones []string
	Address      *string
	Source       *string
	Notes        *string
	AddTags      []string
	RemoveTags   []string
	CadenceDays  *int // 0 clears
	Visibility   *string
}

func validateEmails(list []Email) error {
	seen := map[string]bool{}
	for _, e := range list {
		if !ValidEmail(e.Email) {
			return fmt.Errorf("%w: email %q is not a valid address", ErrInvalid, e.Email)
		}
		if err := checkLen("email label", e.Label, maxShort); err != nil {
			return err
		}
		if seen[strings.ToLower(e.Email)] {
			return fmt.Errorf("%w: email %q is given twice", ErrInvalid, e.Email)
		}
		seen[strings.ToLower(e.Email)] = true
	}
	return nil
}

func validatePhones(list []Phone) error {
	for _, p := range list {
		if !ValidPhone(p.Phone) {
			return fmt.Errorf("%w: phone %q is not a phone number", ErrInvalid, p.Phone)
		}
		if err := checkLen("phone label", p.Label, maxShort); err != nil {
			return err
		}
	}
	return nil
}

func validateTags(tags []string) ([]string, error) {
	var out []string
	for _, t := range tags {
		n, err := normTag(t)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

func checkTexts(fields map[string]string) error {
	for k, v := range fields {
		max := maxShort
		if k == "notes" || k == "address" || k == "text" {
			max = maxLong
		}
		if err := checkLen(k, v, max); err != nil {
			return err
		}
	}
	return nil
}

// CreateContact adds a contact and returns it.
func (db *DB) CreateContact(ctx context.Context, in ContactInput) (*Contact, error) {
	first, last := strings.TrimSpace(in.FirstName), strings.TrimSpace(in.LastName)
	if first == "" && last == "" {
		first, last = splitName(in.Name)
	}
	name := joinName(first, last)
	if name == "" {
		return nil, fmt.Errorf("%w: a contact needs a name", ErrInvalid)
	}
	if err := checkTexts(map[string]string{"name": name, "title": in.Title, "source": in.Source, "notes": in.Notes, "address": in.Address}); err != nil {
		return nil, err
	}
	if err := validateEmails(in.Emails); err != nil {
		return nil, err
	}
	if err := validatePhones(in.Phones); err != nil {
		return nil, err
	}
	tags, err := validateTags(in.Tags)
	if err != nil {
		return nil, err
	}
	if in.CadenceDays < 0 {
		return nil, fmt.Errorf("%w: cadence %d days is negative", ErrInvalid, in.CadenceDays)
	}
	vis, err := db.visibilityOr(in.Visibility)
	if err != nil {
		return nil, err
	}
	id := newID()
	err = db.write(ctx, "add contact "+name, func(t *Tx) error {
		companyID, err := t.companyFor(in.Company, vis)
		if err != nil {
			return err
		}
		f := Fields{
			"first_name": first, "last_name": last, "name": name, "title": in.Title,
			"company_id": nullStr(companyID), "address": in.Address, "source": in.Source, "notes": in.Notes,
			"owner": db.owner, "visibility": vis, "created_at": fmtTime(t.now),
		}
		if in.CadenceDays > 0 {
			f["cadence_days"] = int64(in.CadenceDays)
		}
		if len(in.Emails) > 0 {
			f["emails"] = in.Emails
		}
		if len(in.Phones) > 0 {
			f["phones"] = in.Phones
		}
		for _, tag := range tags {
			f["tag:"+tag] = true
		}
		return t.create(EntityContact, id, f)
	})
	if err != nil {
		return nil, fmt.Errorf("add contact: %w", err)
	}
	return db.FindContactByID(ctx, id)
}

// UpdateContact applies u to the contact with id. It reports ErrNotFound for an unknown id.
func (db *DB) UpdateContact(ctx context.Context, id string, u ContactUpdate) (*Contact, error) {
	err := db.write(ctx, "edit contact", func(t *Tx) error {
		// Read under the write lock, so that a concurrent edit cannot land between this
		// read and the write below and be lost.
		cur, err := db.FindContactByID(t.ctx, id)
		if err != nil {
			return err
		}
		t.summary = "edit contact " + cur.Name
		f, err := db.contactFields(t.ctx, cur, u)
		if err != nil {
			return err
		}
		if u.Company != nil {
			companyID, err := t.companyFor(*u.Company, cur.Visibility)
			if err != nil {
				return err
			}
			f["company_id"] = nullStr(companyID)
		}
		_, err = t.update(EntityContact, id, f)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("edit contact: %w", err)
	}
	return db.FindContactByID(ctx, id)
}

// contactFields turns an update into the fields that change, validating every value.
func (db *DB) contactFields(ctx context.Context, cur *Contact, u ContactUpdate) (Fields, error) {
	f := Fields{}
	first, last := cur.FirstName, cur.LastName
	if u.Name != nil {
		first, last = splitName(*u.Name)
	}
	if u.FirstName != nil {
		first = strings.TrimSpace(*u.FirstName)
	}
	if u.LastName != nil {
		last = strings.TrimSpace(*u.LastName)
	}
	if name := joinName(first, last); name != cur.Name || first != cur.FirstName || last != cur.LastName {
		if name == "" {
			return nil, fmt.Errorf("%w: a contact needs a name", ErrInvalid)
		}
		f["first_name"], f["last_name"], f["name"] = first, last, name
	}
	texts := map[string]string{}
	for k, p := range map[string]*string{"title": u.Title, "address": u.Address, "source": u.Source, "notes": u.Notes} {
		if p != nil {
			f[k] = *p
			texts[k] = *p
		}
	}
	if n, ok := f["name"].(string); ok {
		texts["name"] = n
	}
	if err := checkTexts(texts); err != nil {
		return nil, err
	}
	if u.CadenceDays != nil {
		switch {
		case *u.CadenceDays < 0:
			return nil, fmt.Errorf("%w: cadence %d days is negative", ErrInvalid, *u.CadenceDays)
		case *u.CadenceDays == 0:
			f["cadence_days"] = nil
		default:
			f["cadence_days"] = int64(*u.CadenceDays)
		}
	}
	if u.Visibility != nil {
		if err := checkVisibility(*u.Visibility); err != nil {
			return nil, err
		}
		f["visibility"] = *u.Visibility
	}
	if len(u.AddEmails) > 0 || len(u.RemoveEmails) > 0 {
		emails, err := editEmails(cur.Emails, u.AddEmails, u.RemoveEmails)
		if err != nil {
			return nil, err
		}
		f["emails"] = emails
	}
	if len(u.AddPhones) > 0 || len(u.RemovePhones) > 0 {
		phones, err := editPhones(cur.Phones, u.AddPhones, u.RemovePhones)
		if err != nil {
			return nil, err
		}
		f["phones"] = phones
	}
	if err := tagFields(f, cur.Tags, u.AddTags, u.RemoveTags); err != nil {
		return nil, err
	}
	return f, nil
}

func editEmails(cur, add []Email, remove []string) ([]Email, error) {
	out := []Email{}
	drop := map[string]bool{}
	for _, r := range remove {
		drop[strings.ToLower(r)] = true
	}
	found := map[string]bool{}
	for _, e := range cur {
		if drop[strings.ToLower(e.Email)] {
			found[strings.ToLower(e.Email)] = true
			continue
		}
		out = append(out, e)
	}
	for _, r := range remove {
		if !found[strings.ToLower(r)] {
			return nil, fmt.Errorf("%w: the contact has no email %q", ErrInvalid, r)
		}
	}
	for _, e := range add {
		dup := false
		for _, o := range out {
			dup = dup || strings.EqualFold(o.Email, e.Email)
		}
		if !dup {
			out = append(out, e)
		}
	}
	return out, validateEmails(out)
}

func editPhones(cur, add []Phone, remove []string) ([]Phone, error) {
	out := []Phone{}
	drop := map[string]bool{}
	for _, r := range remove {
		drop[PhoneDigits(r)] = true
	}
	found := map[string]bool{}
	for _, p := range cur {
		if drop[PhoneDigits(p.Phone)] {
			found[PhoneDigits(p.Phone)] = true
			continue
		}
		out = append(out, p)
	}
	for _, r := range remove {
		if !found[PhoneDigits(r)] {
			return nil, fmt.Errorf("%w: the contact has no phone %q", ErrInvalid, r)
		}
	}
	for _, p := range add {
		dup := false
		for _, o := range out {
			dup = dup || PhoneDigits(o.Phone) == PhoneDigits(p.Phone)
		}
		if !dup {
			out = append(out, p)
		}
	}
	return out, validatePhones(out)
}

// tagFields adds tag:NAME fields for tags added and removed.
func tagFields(f Fields, cur, add, remove []string) error {
	add, err := validateTags(add)
	if err != nil {
		return err
	}
	remove, err = validateTags(remove)
	if err != nil {
		return err
	}
	has := map[string]bool{}
	for _, t := range cur {
		has[t] = true
	}
	for _, t := range remove {
		if !has[t] {
			return fmt.Errorf("%w: there is no tag %q to remove", ErrInvalid, t)
		}
		f["tag:"+t] = false
	}
	for _, t := range add {
		f["tag:"+t] = true
	}
	return nil
}

// companyFor resolves a company id or name for a link; an unknown name creates the company.
func (t *Tx) companyFor(ref, visibility string) (string, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return "", nil
	}
	var id string
	err := t.tx.QueryRowContext(t.ctx, "SELECT id FROM companies WHERE id = ? AND deleted_at IS NULL", ref).Scan(&id)
	if err == nil {
		return id, nil
	}
	if uuid.Validate(ref) == nil {
		// an id of a deleted or unknown company, not the name of a new one
		return "", fmt.Errorf("company %s: %w (no live company has that id)", ShortID(ref), ErrNotFound)
	}
	ids, err := t.ids("SELECT id FROM companies WHERE name = ? COLLATE NOCASE AND deleted_at IS NULL AND merged_into IS NULL LIMIT 5", ref)
	if err != nil {
		return "", err
	}
	switch len(ids) {
	case 1:
		return ids[0], nil
	case 0:
		if err := checkLen("company name", ref, maxShort); err != nil {
			return "", err
		}
		id = newID()
		err := t.create(EntityCompany, id, Fields{"name": ref, "owner": t.db.owner, "visibility": visibility, "created_at": fmtTime(t.now)})
		return id, err
	}
	var cands []Candidate
	for _, id := range ids {
		cands = append(cands, Candidate{Entity: EntityCompany, ID: id, Label: ref})
	}
	return "", &AmbiguousError{Ref: ref, Candidates: cands}
}

func (db *DB) visibilityOr(v string) (string, error) {
	if v == "" {
		return db.visibility, nil
	}
	return v, checkVisibility(v)
}

// DeleteContact tombstones a contact; RestoreContact brings it back.
func (db *DB) DeleteContact(ctx context.Context, id string) error {
	return db.setDeleted(ctx, EntityContact, id, true)
}

// RestoreContact undoes DeleteContact.
func (db *DB) RestoreContact(ctx context.Context, id string) error {
	return db.setDeleted(ctx, EntityContact, id, false)
}

func (db *DB) setDeleted(ctx context.Context, entity, id string, deleted bool) error {
	s, err := spec(entity)
	if err != nil {
		return err
	}
	var label string
	var deletedAt sql.NullString
	col := "name"
	if entity == EntityDeal || entity == EntityFollowUp {
		col = "title"
	}
	err = db.sql.QueryRowContext(ctx, fmt.Sprintf("SELECT %s, deleted_at FROM %s WHERE id = ?", col, s.table), id).Scan(&label, &deletedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s %s: %w", entity, ShortID(id), ErrNotFound)
	}
	if err != nil {
		return err
	}
	verb := "delete"
	if !deleted {
		verb = "restore"
	}
	noun := strings.ReplaceAll(entity, "_", "-")
	if deleted == deletedAt.Valid {
		if deleted {
			return fmt.Errorf("%w: %s %q is already deleted", ErrConflict, noun, label)
		}
		return fmt.Errorf("%w: %s %q is not deleted", ErrConflict, noun, label)
	}
	return db.write(ctx, verb+" "+noun+" "+label, func(t *Tx) error {
		var v any
		if deleted {
			v = fmtTime(t.now)
		}
		_, err := t.update(entity, id, Fields{"deleted_at": v})
		return err
	})
}

const contactCols = `c.id, c.first_name, c.last_name, c.name, c.title, coalesce(c.company_id, ''), coalesce(co.name, ''),
	c.address, c.source, c.notes, coalesce(c.cadence_days, 0), c.last_touched_at,
	c.owner, c.visibility, c.created_at, c.updated_at, c.deleted_at, coalesce(c.merged_into, '')`

const contactFrom = ` FROM contacts c LEFT JOIN companies co ON co.id = c.company_id `

func scanContact(sc interface{ Scan(...any) error }) (*Contact, error) {
	var c Contact
	var touched, deleted sql.NullString
	var created, updated string
	err := sc.Scan(&c.ID, &c.FirstName, &c.LastName, &c.Name, &c.Title, &c.CompanyID, &c.Company,
		&c.Address, &c.Source, &c.Notes, &c.CadenceDays, &touched,
		&c.Owner, &c.Visibility, &created, &updated, &deleted, &c.MergedInto)
	if err != nil {
		return nil, err
	}
	c.LastTouchedAt, c.DeletedAt = timePtr(touched), timePtr(deleted)
	c.CreatedAt, c.UpdatedAt = parseTime(created), parseTime(updated)
	c.Emails, c.Phones, c.Tags = []Email{}, []Phone{}, []string{}
	return &c, nil
}

// FindContactByID returns one contact with its emails, phones and tags, deleted or not.
func (db *DB) FindContactByID(ctx context.Context, id string) (*Contact, error) {
	c, err := scanContact(db.reader(ctx).QueryRowContext(ctx, "SELECT "+contactCols+contactFrom+"WHERE c.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("contact %s: %w", ShortID(id), ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("find contact: %w", err)
	}
	if err := db.fillContacts(ctx, []*Contact{c}); err != nil {
		return nil, err
	}
	return c, nil
}

// ContactFilter selects contacts for a list.
type ContactFilter struct {
	Tag       string
	CompanyID string
	Query     string // full-text, prefix-matched
	All       bool   // include deleted
	Limit     int    // 0 means all
	Offset    int
}

// FindContacts returns one page of contacts ordered by name, and how many match in all.
func (db *DB) FindContacts(ctx context.Context, f ContactFilter) ([]Contact, int, error) {
	var where []string
	var args []any
	if !f.All {
		where = append(where, "c.deleted_at IS NULL AND c.merged_into IS NULL")
	}
	if f.Tag != "" {
		where = append(where, "c.id IN (SELECT entity_id FROM tags WHERE entity = 'contact' AND tag = ?)")
		args = append(args, strings.ToLower(f.Tag))
	}
	if f.CompanyID != "" {
		// A company's contacts include those of the companies merged into it.
		cond, a, err := db.mergedCond(ctx, EntityCompany, "c.company_id", f.CompanyID)
		if err != nil {
			return nil, 0, fmt.Errorf("list contacts: %w", err)
		}
		where = append(where, cond)
		args = append(args, a...)
	}
	if q := ftsQuery(f.Query); q != "" {
		where = append(where, "c.rowid IN (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?)")
		args = append(args, q)
	}
	cond := ""
	if len(where) > 0 {
		cond = "WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := db.sql.QueryRowContext(ctx, "SELECT count(*) FROM contacts c "+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("list contacts: %w", err)
	}
	q := "SELECT " + contactCols + contactFrom + cond + " ORDER BY c.name COLLATE NOCASE, c.id" + limitClause(f.Limit, f.Offset)
	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list contacts: %w", err)
	}
	defer rows.Close()
	var list []*Contact
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("list contacts: %w", err)
		}
		list = append(list, c)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list contacts: %w", err)
	}
	if err := db.fillContacts(ctx, list); err != nil {
		return nil, 0, err
	}
	out := make([]Contact, len(list))
	for i, c := range list {
		out[i] = *c
	}
	return out, total, nil
}

func limitClause(limit, offset int) string {
	if limit <= 0 {
		if offset > 0 {
			return fmt.Sprintf(" LIMIT -1 OFFSET %d", offset)
		}
		return ""
	}
	return fmt.Sprintf(" LIMIT %d OFFSET %d", limit, offset)
}

// fillContacts loads emails, phones and tags for a page of contacts in three queries.
func (db *DB) fillContacts(ctx context.Context, list []*Contact) error {
	if len(list) == 0 {
		return nil
	}
	byID := map[string]*Contact{}
	ids := make([]any, len(list))
	for i, c := range list {
		byID[c.ID] = c
		ids[i] = c.ID
	}
	in := "(" + strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",") + ")"
	rows, err := db.reader(ctx).QueryContext(ctx, "SELECT contact_id, email, label FROM contact_emails WHERE contact_id IN "+in+" ORDER BY contact_id, position", ids...)
	if err != nil {
		return fmt.Errorf("load emails: %w", err)
	}
	for rows.Next() {
		var id string
		var e Email
		if err := rows.Scan(&id, &e.Email, &e.Label); err != nil {
			rows.Close()
			return err
		}
		byID[id].Emails = append(byID[id].Emails, e)
	}
	rows.Close()
	rows, err = db.reader(ctx).QueryContext(ctx, "SELECT contact_id, phone, label FROM contact_phones WHERE contact_id IN "+in+" ORDER BY contact_id, position", ids...)
	if err != nil {
		return fmt.Errorf("load phones: %w", err)
	}
	for rows.Next() {
		var id string
		var p Phone
		if err := rows.Scan(&id, &p.Phone, &p.Label); err != nil {
			rows.Close()
			return err
		}
		byID[id].Phones = append(byID[id].Phones, p)
	}
	rows.Close()
	tags, err := db.loadTags(ctx, EntityContact, ids)
	if err != nil {
		return err
	}
	for id, ts := range tags {
		byID[id].Tags = ts
	}
	return nil
}

func (db *DB) loadTags(ctx context.Context, entity string, ids []any) (map[string][]string, error) {
	out := map[string][]string{}
	if len(ids) == 0 {
		return out, nil
	}
	in := "(" + strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",") + ")"
	rows, err := db.reader(ctx).QueryContext(ctx, "SELECT entity_id, tag FROM tags WHERE entity = ? AND entity_id IN "+in+" ORDER BY entity_id, tag",
		append([]any{entity}, ids...)...)
	if err != nil {
		return nil, fmt.Errorf("load tags: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, tag string
		if err := rows.Scan(&id, &tag); err != nil {
			return nil, err
		}
		out[id] = append(out[id], tag)
	}
	return out, rows.Err()
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func queryEmails(ctx context.Context, q queryer, id string) ([]Email, error) {
	rows, err := q.QueryContext(ctx, "SELECT email, label FROM contact_emails WHERE contact_id = ? ORDER BY position", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Email{}
	for rows.Next() {
		var e Email
		if err := rows.Scan(&e.Email, &e.Label); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func queryPhones(ctx context.Context, q queryer, id string) ([]Phone, error) {
	rows, err := q.QueryContext(ctx, "SELECT phone, label FROM contact_phones WHERE contact_id = ? ORDER BY position", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Phone{}
	for rows.Next() {
		var p Phone
		if err := rows.Scan(&p.Phone, &p.Label); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
