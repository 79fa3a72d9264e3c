// Package csvio reads the CSV exports of Google Contacts, Outlook, HubSpot, Pipedrive,
// Salesforce and rolo itself (recognised by their header names, not column positions),
// and any other CSV whose columns are named with --map; and writes rolo's own CSV of
// contacts, which reads back without loss.
package csvio

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/store/internal/par"
)

// Mapping names what one column holds: --map COLUMN=FIELD.
type Mapping struct {
	Column, Field string
}

// ReadOptions tune Read.
type ReadOptions struct {
	// Map names columns, over what the recognised format says.
	Map []Mapping
	// Kind is what a file of no recognised format holds: contacts (the default),
	// companies or deals.
	Kind string
	// Name is the file's name, for messages.
	Name string
}

// Column is one header of the file and the field it was read as ("" when ignored).
type Column struct {
	Header string `json:"header"`
	Field  string `json:"field,omitempty"`
	Label  string `json:"label,omitempty"`
}

// File is what Read found in a file.
type File struct {
	// Format is the recognised export (see FormatNames), or "generic".
	Format string `json:"format"`
	// Label names the format for people, e.g. "HubSpot contacts".
	Label string `json:"label"`
	// Source namespaces the ids the rows carry.
	Source    string   `json:"source"`
	Kind      string   `json:"kind"`
	Encoding  string   `json:"encoding"`
	Delimiter string   `json:"delimiter"`
	Columns   []Column `json:"columns"`
	// Ignored lists the headers no field was read from.
	Ignored []string           `json:"ignored"`
	Items   []store.ImportItem `json:"-"`
}

// ErrUnknownFormat means the header matched no known export and no --map was given. The
// error also matches store.ErrInvalid.
var ErrUnknownFormat = errors.New("unknown CSV format")

type unknownFormat string

func (e unknownFormat) Error() string { return string(e) }

func (e unknownFormat) Is(target error) bool {
	return target == ErrUnknownFormat || target == store.ErrInvalid
}

// Read parses a CSV file: it detects the encoding and delimiter, recognises the export
// by its header names, and turns every row into a record for store.DB.Import (or into a
// skip with its reason: a row with more fields than the header, malformed quotes).
func Read(data []byte, opts ReadOptions) (*File, error) {
	text, enc, err := decodeText(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", store.ErrInvalid, opts.Name, err)
	}
	firstLine := 1
	var delim rune
	if line, rest, _ := strings.Cut(text, "\n"); strings.HasPrefix(strings.ToLower(line), "sep=") && len(strings.TrimSpace(line)) == 5 {
		// Excel's hint line: "sep=;".
		delim, text, firstLine = rune(strings.TrimSpace(line)[4]), rest, 2
	} else {
		delim = sniffDelimiter(line)
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = delim
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	header, err := r.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%w: %s is empty", store.ErrInvalid, opts.Name)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: cannot read the header row: %v", store.ErrInvalid, opts.Name, csvErr(err))
	}
	header = append([]string(nil), header...)
	f, targets, err := recognise(header, opts)
	if err != nil {
		return nil, err
	}
	f.Encoding = enc
	f.Delimiter = map[rune]string{',': ",", ';': ";", '\t': "tab"}[delim]
	if f.Delimiter == "" {
		f.Delimiter = string(delim)
	}
	// Records are parsed in order here; mapping them to items, most of the work, runs on
	// every core (row reads f, header and targets only).
	var recs [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		it := store.ImportItem{File: opts.Name}
		var pe *csv.ParseError
		switch {
		case errors.As(err, &pe):
			it.Line, it.Skip = pe.StartLine+firstLine-1, "malformed CSV: "+csvErr(err)
			rec = nil
		case err != nil:
			return nil, fmt.Errorf("%s: %w", opts.Name, err)
		default:
			line, _ := r.FieldPos(0)
			it.Line = line + firstLine - 1
			rec = slices.Clone(rec)
		}
		f.Items = append(f.Items, it)
		recs = append(recs, rec)
	}
	par.Ranges(len(recs), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if recs[i] != nil {
				f.row(&f.Items[i], recs[i], header, targets)
			}
		}
	})
	return f, nil
}

// csvErr is a parse error without its position (the skip reason gives the line).
func csvErr(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// recognise finds the format of a header and what each column holds.
func recognise(header []string, opts ReadOptions) (*File, []target, error) {
	hs := headers{}
	for _, h := range header {
		hs[normHeader(h)] = true
	}
	var fm *format
	for _, f := range formats() {
		if f.detect(hs) {
			fm = f
			break
		}
	}
	targets := make([]target, len(header))
	generic := fm == nil
	if generic {
		fm = genericFormat
	}
	for i, h := range header {
		if t, ok := fm.target(normHeader(h)); ok {
			targets[i] = t
		}
	}
	for _, m := range opts.Map {
		t, ok := parseTarget(m.Field)
		if !ok {
			names := make([]string, 0, len(Fields))
			for _, f := range Fields {
				names = append(names, f.Name)
			}
			return nil, nil, fmt.Errorf("%w: --map %s=%s: unknown field %q (fields: %s)", store.ErrInvalid, m.Column, m.Field, m.Field, strings.Join(names, ", "))
		}
		found := false
		for i, h := range header {
			if normHeader(h) == normHeader(m.Column) {
				targets[i], found = t, true
			}
		}
		if !found {
			return nil, nil, fmt.Errorf("%w: --map %s=%s: %s has no column %q (columns: %s)", store.ErrInvalid, m.Column, m.Field,
				opts.Name, m.Column, strings.Join(header, ", "))
		}
	}
	kind := fm.Kind
	if fm == genericFormat || fm.Name == "rolo" {
		if opts.Kind != "" {
			kind = opts.Kind
		}
	} else if opts.Kind != "" && opts.Kind != kind {
		return nil, nil, fmt.Errorf("%w: %s is a %s export, which holds %s, not %s", store.ErrInvalid, opts.Name, fm.Label, kind, opts.Kind)
	}
	if generic && len(opts.Map) == 0 && !usable(targets, kind) {
		return nil, nil, unknownFormat(fmt.Sprintf("cannot tell which export %s is (columns: %s); name its columns with --map COLUMN=FIELD",
			opts.Name, strings.Join(header, ", ")))
	}
	f := &File{Format: fm.Name, Label: fm.Label, Source: fm.Source, Kind: kind, Ignored: []string{}}
	for i, h := range header {
		f.Columns = append(f.Columns, Column{Header: h, Field: targets[i].field, Label: targets[i].label})
		if targets[i].field == "" && strings.TrimSpace(h) != "" {
			f.Ignored = append(f.Ignored, h)
		}
	}
	return f, targets, nil
}

// usable reports whether a generic header names enough to read records of kind.
func usable(targets []target, kind string) bool {
	want := map[string][]string{
		KindContacts:  {"name", "first_name", "last_name", "email", "emails"},
		KindCompanies: {"name", "company", "domain"},
		KindDeals:     {"title"},
	}[kind]
	for _, t := range targets {
		for _, w := range want {
			if t.field == w {
				return true
			}
		}
	}
	return false
}

// splitMulti splits a cell holding several values: one per line, or separated by
// " ::: " (Google), ";" or ",". Commas and semicolons split only when every piece then
// looks like a value (holds an "@" for addresses, a digit for numbers), so that a label
// such as "work, main" stays whole; want is "@", a digit class "0", or "" for tags.
func splitMulti(v, want string) []string {
	var out []string
	for _, line := range strings.FieldsFunc(strings.ReplaceAll(v, ":::", "\n"), func(r rune) bool { return r == '\n' || r == '\r' }) {
		parts := strings.FieldsFunc(line, func(r rune) bool { return r == ';' || r == ',' })
		for _, p := range parts {
			if want == "@" && !strings.Contains(p, "@") || want == "0" && !strings.ContainsAny(p, "0123456789") {
				parts = []string{line}
				break
			}
		}
		for _, p := range parts {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// splitLines splits rolo's own list cells: one entry per line.
func splitLines(v string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(v, "\r\n", "\n"), "\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// labelled splits "label: value" at its last colon (addresses and numbers have none).
func labelled(s string) (label, value string) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return "", strings.TrimSpace(s)
	}
	label = strings.TrimSpace(s[:i])
	if l := strings.ToLower(label); l == "mailto" || l == "tel" {
		label = ""
	}
	return label, strings.TrimSpace(s[i+1:])
}

// cleanLabel tidies a label from Google or Outlook: "* Work" (Google marks the primary
// with a star) → "work".
func cleanLabel(s string) string {
	return strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "* ")))
}

// cleanTags splits tag cells and drops Google's system group.
func cleanTags(cells []string) []string {
	var out []string
	for _, c := range cells {
		for _, t := range splitMulti(c, "") {
			t = strings.TrimSpace(strings.TrimPrefix(t, "* "))
			if l := strings.ToLower(t); l == "mycontacts" || l == "my contacts" {
				continue
			}
			out = append(out, t)
		}
	}
	return out
}

type group struct {
	values []string
	label  string
}

// bag collects a row's values by field.
type bag struct {
	vals   map[string][]string
	emails []store.Email
	phones []store.Phone
	// numbered email and phone columns (Google) and address blocks, in column order
	groups     map[string]*group
	groupOrder []string
	addrs      map[string]map[string][]string
	addrOrder  []string
}

var addressFields = map[string]bool{"address": true, "street": true, "city": true, "region": true, "postal_code": true,
	"country": true, fPOBox: true, fExtAddress: true}

func (b *bag) group(name string) *group {
	g := b.groups[name]
	if g == nil {
		g = &group{}
		b.groups[name] = g
		b.groupOrder = append(b.groupOrder, name)
	}
	return g
}

func (b *bag) add(t target, v string) {
	switch {
	case t.group == strict && t.field == "tags":
		for _, tag := range strings.Split(v, ",") {
			b.vals["tags"] = append(b.vals["tags"], strings.TrimSpace(tag))
		}
	case t.group == strict && t.field == "emails":
		for _, e := range splitLines(v) {
			label, addr := labelled(e)
			b.emails = append(b.emails, store.Email{Email: addr, Label: label})
		}
	case t.group == strict && t.field == "phones":
		for _, p := range splitLines(v) {
			label, num := labelled(p)
			b.phones = append(b.phones, store.Phone{Phone: num, Label: label})
		}
	case t.field == "email" && t.group != "":
		b.group(t.group).values = append(b.group(t.group).values, splitMulti(v, "@")...)
	case t.field == "phone" && t.group != "":
		b.group(t.group).values = append(b.group(t.group).values, splitMulti(v, "0")...)
	case t.field == fEmailLabel || t.field == fPhoneLabel:
		b.group(t.group).label = cleanLabel(v)
	case t.field == "email" || t.field == "emails":
		for _, e := range splitMulti(v, "@") {
			label, addr := labelled(e)
			b.emails = append(b.emails, store.Email{Email: addr, Label: cmpOr(t.label, label)})
		}
	case t.field == "phone" || t.field == "phones":
		for _, p := range splitMulti(v, "0") {
			label, num := labelled(p)
			b.phones = append(b.phones, store.Phone{Phone: num, Label: cmpOr(t.label, label)})
		}
	case addressFields[t.field]:
		g := t.group
		if b.addrs[g] == nil {
			b.addrs[g] = map[string][]string{}
			b.addrOrder = append(b.addrOrder, g)
		}
		b.addrs[g][t.field] = append(b.addrs[g][t.field], v)
	default:
		b.vals[t.field] = append(b.vals[t.field], v)
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// first is the first value of field, "" if none.
func (b *bag) first(field string) string {
	if v := b.vals[field]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// joined is every value of field, joined with sep.
func (b *bag) joined(field, sep string) string { return strings.Join(b.vals[field], sep) }

// firstOf is the first part of a list cell ("123;456" → "123").
func firstOf(v string) string {
	if p := splitMulti(v, ""); len(p) > 0 {
		return p[0]
	}
	return ""
}

// address is the first address block that holds anything: its formatted text, or its
// parts joined ("Street, City, Region 12345, Country").
func (b *bag) address() string {
	for _, g := range b.addrOrder {
		a := b.addrs[g]
		if f := strings.TrimSpace(strings.Join(a["address"], "\n")); f != "" {
			return f
		}
		var parts []string
		for _, k := range []string{"street", fExtAddress} {
			parts = append(parts, a[k]...)
		}
		if box := strings.Join(a[fPOBox], " "); box != "" {
			parts = append(parts, "PO Box "+box)
		}
		parts = append(parts, a["city"]...)
		if rp := strings.TrimSpace(strings.Join(a["region"], " ") + " " + strings.Join(a["postal_code"], " ")); rp != "" {
			parts = append(parts, rp)
		}
		parts = append(parts, a["country"]...)
		var kept []string
		for _, p := range parts {
			if p = strings.TrimSpace(p); p != "" {
				kept = append(kept, p)
			}
		}
		if len(kept) > 0 {
			return strings.Join(kept, ", ")
		}
	}
	return ""
}

func truthy(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "yes", "y", "x":
		return true
	}
	return false
}

// row turns one record into an import item of the file's kind.
func (f *File) row(it *store.ImportItem, rec, header []string, targets []target) {
	if n := len(rec); n > len(header) {
		for _, v := range rec[len(header):] {
			if strings.TrimSpace(v) != "" {
				it.Skip = fmt.Sprintf("%d fields, the header has %d", n, len(header))
				return
			}
		}
	}
	b := &bag{vals: map[string][]string{}, groups: map[string]*group{}, addrs: map[string]map[string][]string{}}
	empty := true
	for i, t := range targets {
		if i >= len(rec) {
			break // a short row: the missing fields are empty
		}
		v := strings.TrimSpace(rec[i])
		if v == "" {
			continue
		}
		empty = false
		if t.field != "" {
			b.add(t, v)
		}
	}
	if empty {
		it.Skip = "empty row"
		return
	}
	if truthy(b.first(fDeleted)) {
		it.Skip = "deleted in " + tools[f.Source] + " (IsDeleted)"
		return
	}
	if strings.EqualFold(b.first("status"), "deleted") {
		it.Skip = "deleted in " + tools[f.Source] + " (status deleted)"
		return
	}
	for _, g := range b.groupOrder {
		grp := b.groups[g]
		for _, v := range grp.values {
			if strings.HasPrefix(g, "email") {
				b.emails = append(b.emails, store.Email{Email: v, Label: grp.label})
			} else {
				b.phones = append(b.phones, store.Phone{Phone: v, Label: grp.label})
			}
		}
	}
	notes := b.joined("notes", "\n\n")
	if bd := b.first("birthday"); bd != "" {
		notes = strings.TrimSpace(notes + "\n\nBirthday: " + bd)
	}
	id := b.first("id")
	switch f.Kind {
	case KindCompanies:
		c := &store.ImportCompany{ExternalID: id, Name: cmpOr(b.first("name"), b.first("company")), Domain: b.first("domain"),
			Address: b.address(), Notes: notes, Tags: cleanTags(b.vals["tags"]), Visibility: b.first("visibility")}
		if len(b.phones) > 0 {
			c.Phone = b.phones[0].Phone
		}
		if f.Source == "rolo" {
			c.ID, c.ExternalID = id, ""
		}
		it.Company = c
	case KindDeals:
		d := &store.ImportDeal{ExternalID: id, Title: cmpOr(b.first("title"), b.first("name")),
			ContactExternalID: firstOf(b.first("contact_id")), Company: b.first("company"), CompanyExternalID: firstOf(b.first("company_id")),
			Value: b.first("value"), Currency: b.first("currency"), Stage: b.first("stage"), Status: b.first("status"),
			LostReason: b.first("lost_reason"), ExpectedClose: b.first("expected_close"), Notes: notes,
			Tags: cleanTags(b.vals["tags"]), Visibility: b.first("visibility")}
		for _, c := range b.vals["contact"] {
			if d.Contact == "" || strings.Contains(c, "@") && !strings.Contains(d.Contact, "@") {
				d.Contact = c
			}
		}
		if d.Status == "" && truthy(b.first(fClosed)) {
			d.Status = store.StatusLost
			if truthy(b.first(fWon)) {
				d.Status = store.StatusWon
			}
		}
		if f.Source == "rolo" {
			d.ID, d.ExternalID = id, ""
		}
		it.Deal = d
	default:
		c := &store.ImportContact{ExternalID: id, Name: b.first("name"),
			FirstName: strings.TrimSpace(b.first("first_name") + " " + b.first("middle_name")),
			LastName:  strings.TrimSpace(b.first("last_name") + " " + b.first("suffix")),
			Title:     b.first("title"), Company: b.first("company"), CompanyExternalID: firstOf(b.first("company_id")),
			Emails: b.emails, Phones: b.phones, Address: b.address(), Source: b.first("source"), Notes: notes,
			Tags: cleanTags(b.vals["tags"]), Visibility: b.first("visibility")}
		if v := b.first("cadence_days"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				it.Skip = fmt.Sprintf("cadence_days %q is not a number of days", v)
				return
			}
			c.CadenceDays = n
		}
		if f.Source == "rolo" {
			c.ID, c.ExternalID = id, ""
		}
		it.Contact = c
	}
}

// Import reads a CSV file and imports its records into db (see store.DB.Import): the
// plan only, with opts.DryRun.
func Import(ctx context.Context, db *store.DB, data []byte, ro ReadOptions, io store.ImportOptions) (*File, *store.ImportResult, error) {
	f, err := Read(data, ro)
	if err != nil {
		return nil, nil, err
	}
	io.Source = f.Source
	if io.Summary == "" {
		io.Summary = "import " + ro.Name
	}
	res, err := db.Import(ctx, f.Items, io)
	if err != nil {
		return f, nil, err
	}
	return f, res, nil
}
