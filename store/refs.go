package store

import (
	"context"
	"fmt"
	"strings"
)

// Candidate is a record a reference may mean.
type Candidate struct {
	Entity string `json:"entity"`
	ID     string `json:"id"`
	Label  string `json:"label"`
	// Via is the record the reference named when that record was merged into this one.
	Via *Candidate `json:"via,omitempty"`
}

// AmbiguousError is returned when a reference matches several records.
type AmbiguousError struct {
	Ref        string
	Candidates []Candidate
}

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("%q matches %d records; use an id", e.Ref, len(e.Candidates))
}

// refTable describes how records of one kind are found by reference.
type refTable struct {
	table, label, email string
}

var refTables = map[string]refTable{
	EntityContact:     {"contacts", "name", "SELECT contact_id FROM contact_emails WHERE email = ? COLLATE NOCASE"},
	EntityCompany:     {"companies", "name", ""},
	EntityDeal:        {"deals", "title", ""},
	EntityFollowUp:    {"follow_ups", "title", ""},
	EntityInteraction: {"interactions", "kind || ': ' || substr(text, 1, 40)", ""},
}

var ftsByEntity = map[string]string{
	EntityContact:  "contacts_fts",
	EntityCompany:  "companies_fts",
	EntityDeal:     "deals_fts",
	EntityFollowUp: "follow_ups_fts",
}

// ResolveOptions narrow a reference lookup.
type ResolveOptions struct {
	// Kinds lists the entities a reference may name, in preference order; empty means
	// contacts, companies and deals.
	Kinds []string
	// Deleted includes tombstoned records (for restore and history).
	Deleted bool
	// Merged names records merged into another as themselves (for unmerge); otherwise a
	// reference to one resolves to the record it was merged into, noted in Via.
	Merged bool
}

// Resolve finds the one record a user means by ref: an id, an id prefix (at least four
// characters), the short id shown in lists (the start of the id's random tail), an email
// address, an exact name or title, or failing those a unique full-text match of the name.
// Each rule is tried in turn over every kind; the first that matches decides. A record
// merged into another resolves to its survivor (see ResolveOptions.Merged). It returns
// ErrNotFound, or an *AmbiguousError listing the candidates.
func (db *DB) Resolve(ctx context.Context, ref string, o ResolveOptions) (Candidate, error) {
	ref = strings.TrimSpace(ref)
	kinds := o.Kinds
	if len(kinds) == 0 {
		kinds = []string{EntityContact, EntityCompany, EntityDeal}
	}
	if ref == "" {
		return Candidate{}, fmt.Errorf("%w: empty reference", ErrInvalid)
	}
	live := func(alias string) string {
		if o.Deleted {
			return "1"
		}
		if alias == "interactions" {
			return "redacted = 0"
		}
		// Merged records match too: followMerges turns them into their survivors.
		return "deleted_at IS NULL"
	}
	type rule func(kind string, rt refTable) (string, []any)
	hexish := len(ref) >= 4 && strings.Trim(strings.ToLower(ref), "0123456789abcdef-") == ""
	lower := strings.ToLower(ref)
	rules := []rule{
		func(kind string, rt refTable) (string, []any) {
			if !hexish {
				return "", nil
			}
			return fmt.Sprintf("SELECT id, %s FROM %s WHERE ((id >= ? AND id < ?) OR (tail >= ? AND tail < ?)) AND %s LIMIT 11",
				rt.label, rt.table, live(rt.table)), []any{lower, lower + "z", lower, lower + "z"}
		},
		func(kind string, rt refTable) (string, []any) {
			if rt.email == "" || !strings.Contains(ref, "@") {
				return "", nil
			}
			return fmt.Sprintf("SELECT id, %s FROM %s WHERE id IN (%s) AND %s LIMIT 11", rt.label, rt.table, rt.email, live(rt.table)), []any{ref}
		},
		func(kind string, rt refTable) (string, []any) {
			if kind == EntityInteraction {
				return "", nil
			}
			return fmt.Sprintf("SELECT id, %[1]s FROM %[2]s WHERE %[1]s = ? COLLATE NOCASE AND %[3]s LIMIT 11", rt.label, rt.table, live(rt.table)), []any{ref}
		},
		func(kind string, rt refTable) (string, []any) {
			fts, ok := ftsByEntity[kind]
			q := ftsQuery(ref)
			if !ok || q == "" {
				return "", nil
			}
			col := "name"
			if kind == EntityDeal || kind == EntityFollowUp {
				col = "title"
			}
			return fmt.Sprintf("SELECT id, %s FROM %s WHERE rowid IN (SELECT rowid FROM %s WHERE %s MATCH ?) AND %s LIMIT 11",
				rt.label, rt.table, fts, fts, live(rt.table)), []any{col + " : (" + q + ")"}
		},
		// Deleted records are not in the search index; for restore and history, match the
		// start of words of their names directly. Deleted rows are few, so the scan is cheap.
		func(kind string, rt refTable) (string, []any) {
			words := strings.Fields(strings.ToLower(ref))
			if !o.Deleted || kind == EntityInteraction || len(words) == 0 {
				return "", nil
			}
			var conds []string
			var args []any
			for _, w := range words {
				conds = append(conds, "(' ' || lower("+rt.label+")) LIKE ? ESCAPE '\\'")
				args = append(args, "% "+likeEscape(w)+"%")
			}
			return fmt.Sprintf("SELECT id, %s FROM %s WHERE deleted_at IS NOT NULL AND %s LIMIT 11",
				rt.label, rt.table, strings.Join(conds, " AND ")), args
		},
		// Merged records are not in the search index either: match the start of words of
		// their names among them (the index of merged records holds only those). They lead
		// to their survivors, unless Merged asks for them.
		func(kind string, rt refTable) (string, []any) {
			words := strings.Fields(strings.ToLower(ref))
			if !specs[kind].isCol("merged_into") || len(words) == 0 {
				return "", nil
			}
			var conds []string
			var args []any
			for _, w := range words {
				conds = append(conds, "(' ' || lower("+rt.label+")) LIKE ? ESCAPE '\\'")
				args = append(args, "% "+likeEscape(w)+"%")
			}
			return fmt.Sprintf("SELECT id, %s FROM %s WHERE merged_into IS NOT NULL AND deleted_at IS NULL AND %s LIMIT 11",
				rt.label, rt.table, strings.Join(conds, " AND ")), args
		},
	}
	// A reference made only of the letters a–f ("Cafe", "Bead") is more likely a name than
	// an id: try names before ids for it. One with a digit is tried as an id first.
	if hexish && !strings.ContainsAny(ref, "0123456789") {
		rules = append(rules[1:3:3], rules[0], rules[3], rules[4], rules[5])
	}
	for _, r := range rules {
		var found []Candidate
		for _, kind := range kinds {
			rt, ok := refTables[kind]
			if !ok {
				return Candidate{}, fmt.Errorf("%w: cannot refer to %s records", ErrInvalid, kind)
			}
			q, args := r(kind, rt)
			if q == "" {
				continue
			}
			rows, err := db.sql.QueryContext(ctx, q, args...)
			if err != nil {
				return Candidate{}, fmt.Errorf("resolve %q: %w", ref, err)
			}
			for rows.Next() {
				c := Candidate{Entity: kind}
				if err := rows.Scan(&c.ID, &c.Label); err != nil {
					rows.Close()
					return Candidate{}, err
				}
				found = append(found, c)
			}
			rows.Close()
		}
		found, err := db.followMerges(ctx, found, o)
		if err != nil {
			return Candidate{}, fmt.Errorf("resolve %q: %w", ref, err)
		}
		switch {
		case len(found) == 1:
			return found[0], nil
		case len(found) > 1:
			if len(found) > 10 {
				found = found[:10]
			}
			return Candidate{}, &AmbiguousError{Ref: ref, Candidates: found}
		}
	}
	return Candidate{}, fmt.Errorf("%w: nothing matches %q", ErrNotFound, ref)
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}
