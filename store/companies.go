package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// CompanyInput is a new company.
type CompanyInput struct {
	Name, Domain, Phone, Address, Notes string
	Tags                                []string
	Visibility                          string
}

// CompanyUpdate changes a company; nil pointers and empty lists leave a field alone.
type CompanyUpdate struct {
	Name, Domain, Phone, Address, Notes, Visibility *string
	AddTags, RemoveTags                             []string
}

func validateCompany(name, domain, phone string) error {
	if strings.TrimSpace(name) == "" {
		return fmt.Errorf("%w: a company needs a name", ErrInvalid)
	}
	if domain != "" && (strings.ContainsAny(domain, " /@") || !strings.Contains(domain, ".")) {
		return fmt.Errorf("%w: domain %q is not a domain name like example.com", ErrInvalid, domain)
	}
	if phone != "" && !ValidPhone(phone) {
		return fmt.Errorf("%w: phone %q is not a phone number", ErrInvalid, phone)
	}
	return nil
}

// CreateCompany adds a company and returns it.
func (db *DB) CreateCompany(ctx context.Context, in CompanyInput) (*Company, error) {
	in.Name = strings.TrimSpace(in.Name)
	in.Domain = strings.ToLower(strings.TrimSpace(in.Domain))
	if err := validateCompany(in.Name, in.Domain, in.Phone); err != nil {
		return nil, err
	}
	if err := checkTexts(map[string]string{"name": in.Name, "domain": in.Domain, "notes": in.Notes, "address": in.Address}); err != nil {
		return nil, err
	}
	tags, err := validateTags(in.Tags)
	if err != nil {
		return nil, err
	}
	vis, err := db.visibilityOr(in.Visibility)
	if err != nil {
		return nil, err
	}
	id := newID()
	err = db.write(ctx, "add company "+in.Name, func(t *Tx) error {
		f := Fields{"name": in.Name, "domain": in.Domain, "phone": in.Phone, "address": in.Address, "notes": in.Notes,
			"owner": db.owner, "visibility": vis, "created_at": fmtTime(t.now)}
		for _, tag := range tags {
			f["tag:"+tag] = true
		}
		return t.create(EntityCompany, id, f)
	})
	if err != nil {
		return nil, fmt.Errorf("add company: %w", err)
	}
	return db.FindCompanyByID(ctx, id)
}

// UpdateCompany applies u to the company with id.
func (db *DB) UpdateCompany(ctx context.Context, id string, u CompanyUpdate) (*Company, error) {
	err := db.write(ctx, "edit company", func(t *Tx) error {
		// Read under the write lock, so that a concurrent edit cannot land between this
		// read and the write below and be lost.
		cur, err := db.FindCompanyByID(t.ctx, id)
		if err != nil {
			return err
		}
		t.summary = "edit company " + cur.Name
		f, err := db.companyFields(t.ctx, cur, u)
		if err != nil {
			return err
		}
		_, err = t.update(EntityCompany, id, f)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("edit company: %w", err)
	}
	return db.FindCompanyByID(ctx, id)
}

// companyFields turns an update into the fields that change, validating every value.
func (db *DB) companyFields(ctx context.Context, cur *Company, u CompanyUpdate) (Fields, error) {
	f := Fields{}
	name, domain, phone := cur.Name, cur.Domain, cur.Phone
	if u.Name != nil {
		name = strings.TrimSpace(*u.Name)
		f["name"] = name
	}
	if u.Domain != nil {
		domain = strings.ToLower(strings.TrimSpace(*u.Domain))
		f["domain"] = domain
	}
	if u.Phone != nil {
		phone = *u.Phone
		f["phone"] = phone
	}
	if err := validateCompany(name, domain, phone); err != nil {
		return nil, err
	}
	for k, p := range map[string]*string{"address": u.Address, "notes": u.Notes} {
		if p != nil {
			if err := checkTexts(map[string]string{k: *p}); err != nil {
				return nil, err
			}
			f[k] = *p
		}
	}
	if u.Visibility != nil {
		if err := checkVisibility(*u.Visibility); err != nil {
			return nil, err
		}
		f["visibility"] = *u.Visibility
	}
	if err := tagFields(f, cur.Tags, u.AddTags, u.RemoveTags); err != nil {
		return nil, err
	}
	return f, nil
}

// DeleteCompany tombstones a company. Its contacts keep their link.
func (db *DB) DeleteCompany(ctx context.Context, id string) error {
	return db.setDeleted(ctx, EntityCompany, id, true)
}

// RestoreCompany undoes DeleteCompany.
func (db *DB) RestoreCompany(ctx context.Context, id string) error {
	return db.setDeleted(ctx, EntityCompany, id, false)
}

const companyCols = `c.id, c.name, c.domain, c.phone, c.address, c.notes, c.owner, c.visibility,
	c.created_at, c.updated_at, c.deleted_at, coalesce(c.merged_into, ''),
	(SELECT count(*) FROM contacts WHERE company_id IN (WITH RECURSIVE m(id) AS (SELECT c.id UNION SELECT x.id FROM companies x
		JOIN m ON x.merged_into = m.id) SELECT id FROM m) AND deleted_at IS NULL AND merged_into IS NULL)`

func scanCompany(sc interface{ Scan(...any) error }) (*Company, error) {
	var c Company
	var created, updated string
	var deleted sql.NullString
	if err := sc.Scan(&c.ID, &c.Name, &c.Domain, &c.Phone, &c.Address, &c.Notes, &c.Owner, &c.Visibility,
		&created, &updated, &deleted, &c.MergedInto, &c.Contacts); err != nil {
		return nil, err
	}
	c.CreatedAt, c.UpdatedAt, c.DeletedAt = parseTime(created), parseTime(updated), timePtr(deleted)
	c.Tags = []string{}
	return &c, nil
}

// FindCompanyByID returns one company, deleted or not.
func (db *DB) FindCompanyByID(ctx context.Context, id string) (*Company, error) {
	c, err := scanCompany(db.reader(ctx).QueryRowContext(ctx, "SELECT "+companyCols+" FROM companies c WHERE c.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("company %s: %w", ShortID(id), ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("find company: %w", err)
	}
	tags, err := db.loadTags(ctx, EntityCompany, []any{id})
	if err != nil {
		return nil, err
	}
	if t := tags[id]; t != nil {
		c.Tags = t
	}
	return c, nil
}

// CompanyFilter selects companies for a list.
type CompanyFilter struct {
	Tag    string
	Query  string
	All    bool
	Limit  int
	Offset int
}

// FindCompanies returns one page of companies ordered by name, and how many match.
func (db *DB) FindCompanies(ctx context.Context, f CompanyFilter) ([]Company, int, error) {
	var where []string
	var args []any
	if !f.All {
		where = append(where, "c.deleted_at IS NULL AND c.merged_into IS NULL")
	}
	if f.Tag != "" {
		where = append(where, "c.id IN (SELECT entity_id FROM tags WHERE entity = 'company' AND tag = ?)")
		args = append(args, strings.ToLower(f.Tag))
	}
	if q := ftsQuery(f.Query); q != "" {
		where = append(where, "c.rowid IN (SELECT rowid FROM companies_fts WHERE companies_fts MATCH ?)")
		args = append(args, q)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := db.sql.QueryRowContext(ctx, "SELECT count(*) FROM companies c"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("list companies: %w", err)
	}
	rows, err := db.sql.QueryContext(ctx, "SELECT "+companyCols+" FROM companies c"+cond+" ORDER BY c.name COLLATE NOCASE, c.id"+limitClause(f.Limit, f.Offset), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list companies: %w", err)
	}
	defer rows.Close()
	var out []Company
	var ids []any
	for rows.Next() {
		c, err := scanCompany(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("list companies: %w", err)
		}
		out = append(out, *c)
		ids = append(ids, c.ID)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	tags, err := db.loadTags(ctx, EntityCompany, ids)
	if err != nil {
		return nil, 0, err
	}
	for i := range out {
		if t := tags[out[i].ID]; t != nil {
			out[i].Tags = t
		}
	}
	return out, total, nil
}
