package store

import (
	"context"
	"errors"
	"fmt"
)

// An import turns records read from a file (store/csvio, store/vcard) into a plan, and
// then, unless it is a dry run, carries the plan out in one transaction through Bulk.
//
// Matching: a record read from a file is the same as a record in the database when it
// has the same rolo id, else the same external id (the id the other tool gave it,
// remembered per source in external_ids), else the same email address (any case), else
// the same phone number (its digits, at least seven). Companies match by id, external
// id, domain, then name (any case); deals by id, external id, then title and company.
// Rows of one file that match each other are merged into one record. Matched records
// are updated in place: an import adds and overwrites, it never removes; empty cells
// leave fields alone, and emails, phones and tags are added to the ones there.

// ImportItem is one record read from a file, or the reason it could not be read.
type ImportItem struct {
	// File and Line say where the record came from (for messages).
	File string
	Line int
	// Exactly one of Contact, Company and Deal is set, unless Skip is.
	Contact *ImportContact
	Company *ImportCompany
	Deal    *ImportDeal
	// Skip is why the codec could not read the row; the row is reported and skipped.
	Skip string
}

// ImportContact is a person read from a file. Empty fields are "not given".
type ImportContact struct {
	// ID is a rolo id (rolo's own exports): it matches first, and a new contact keeps it.
	ID string
	// ExternalID is the id the exporting tool gave the record.
	ExternalID string
	// Name is the full name, used when FirstName and LastName are both empty.
	Name, FirstName, LastName string
	Title                     string
	// Company is a company name; CompanyExternalID links to a company imported before
	// from the same source.
	Company, CompanyExternalID string
	Emails                     []Email
	Phones                     []Phone
	Address, Source, Notes     string
	Tags                       []string
	CadenceDays                int
	Visibility                 string
}

// ImportCompany is an organisation read from a file.
type ImportCompany struct {
	ID, ExternalID                      string
	Name, Domain, Phone, Address, Notes string
	Tags                                []string
	Visibility                          string
}

// ImportDeal is a deal read from a file.
type ImportDeal struct {
	ID, ExternalID string
	Title          string
	// Contact is a contact's email address or exact name; ContactExternalID links to a
	// contact imported before from the same source. A contact that is not found is not
	// created: the deal is imported without it.
	Contact, ContactExternalID string
	// Company is a company name (created if new); CompanyExternalID as for contacts.
	Company, CompanyExternalID string
	// Value is the amount as written ("12000", "12,000.50", "$12000"), in Currency (or
	// the default currency).
	Value, Currency string
	// Stage is matched to the pipeline's stages, ignoring case. "Won", "Closed won",
	// "Lost" and "Closed lost" close the deal in the last stage.
	Stage string
	// Status is open, won or lost (empty: from Stage, else open).
	Status        string
	LostReason    string
	ExpectedClose string // YYYY-MM-DD
	Notes         string
	Tags          []string
	Visibility    string
}

// ImportOptions tune an import.
type ImportOptions struct {
	// Source names the namespace of external ids: "hubspot", "pipedrive", "vcard"…
	Source string
	// Summary names the change group (history, undo), e.g. "import contacts.csv".
	Summary string
	// DryRun plans without writing anything.
	DryRun bool
	// Progress, if set, is called while records are written.
	Progress func(done, total int)
}

// ImportCounts counts records by kind.
type ImportCounts struct {
	Contacts  int `json:"contacts"`
	Companies int `json:"companies"`
	Deals     int `json:"deals"`
}

// Total is the sum of the counts.
func (c ImportCounts) Total() int { return c.Contacts + c.Companies + c.Deals }

// ImportSkip is a row that was not imported, and why.
type ImportSkip struct {
	File   string `json:"file,omitempty"`
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// ImportResult is the plan of an import (a dry run) or what it did.
type ImportResult struct {
	// Rows is how many records the file held, skipped ones included.
	Rows int `json:"rows"`
	// Created counts new records, companies named by contacts and deals included.
	Created ImportCounts `json:"created"`
	// Updated counts existing records that change.
	Updated ImportCounts `json:"updated"`
	// Unchanged counts existing records the file matched that need no change.
	Unchanged int `json:"unchanged"`
	// Merged counts rows folded into a record an earlier row of the same file made or matched.
	Merged  int          `json:"merged"`
	Skipped []ImportSkip `json:"skipped"`
	DryRun  bool         `json:"dry_run"`
}

// errNothingToWrite ends an import transaction whose plan writes nothing.
var errNothingToWrite = errors.New("nothing to write")

// bulkShare decides how an import keeps the search index current: an import of at least
// 1/bulkShare as many rows as the database holds records goes through Bulk (drop and
// rebuild secondary indexes, rebuild the whole search index once at the end); a smaller
// one indexes just the records it writes, which costs far less than rebuilding the index
// of a large database (a million timeline entries).
const bulkShare = 8

// Import plans the items and, unless opts.DryRun, writes the plan in one transaction
// (one change group, each record created or updated with its op-log entries). Skipped
// items are reported in the result, not as an error; an error means nothing was written.
func (db *DB) Import(ctx context.Context, items []ImportItem, opts ImportOptions) (*ImportResult, error) {
	if opts.Summary == "" {
		opts.Summary = "import"
	}
	if opts.DryRun {
		p := newPlanner(db, items, opts)
		if err := p.plan(ctx); err != nil {
			return nil, fmt.Errorf("import: %w", err)
		}
		return p.result(), nil
	}
	var res *ImportResult
	// Planned under the write lock, so that nothing changes between the plan and the write.
	run := func(b *Bulk) error {
		p := newPlanner(db, items, opts)
		if err := p.plan(ctx); err != nil {
			return err
		}
		res = p.result()
		if p.writes() == 0 {
			return errNothingToWrite
		}
		return p.apply(ctx, b)
	}
	var records int64
	err := db.sql.QueryRowContext(ctx, `SELECT coalesce((SELECT max(rowid) FROM contacts), 0) + coalesce((SELECT max(rowid) FROM companies), 0)
		+ coalesce((SELECT max(rowid) FROM deals), 0) + coalesce((SELECT max(rowid) FROM interactions), 0)
		+ coalesce((SELECT max(rowid) FROM follow_ups), 0)`).Scan(&records)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	if int64(len(items))*bulkShare >= records {
		err = db.Bulk(ctx, opts.Summary, run)
	} else {
		err = db.write(ctx, opts.Summary, func(t *Tx) error { return run(&Bulk{t: t}) })
	}
	if errors.Is(err, errNothingToWrite) {
		err = nil
	}
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	return res, nil
}

// Update changes fields of an existing record inside the bulk transaction, with its op
// (see Tx.update); fields whose value does not change are dropped. It reports whether
// anything changed.
func (b *Bulk) Update(entity, id string, fields Fields) (bool, error) {
	return b.t.update(entity, id, fields)
}

// SetExternalID remembers that the record id of entity is known to source as extID.
func (b *Bulk) SetExternalID(source, entity, extID, id string) error {
	return b.t.execLater("remember external id", `INSERT INTO external_ids (source, entity, external_id, entity_id) VALUES (?, ?, ?, ?)
		ON CONFLICT (source, entity, external_id) DO UPDATE SET entity_id = excluded.entity_id`, []any{source, entity, extID, id})
}
