package csvio

import (
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Kinds of record a file holds.
const (
	KindContacts  = "contacts"
	KindCompanies = "companies"
	KindDeals     = "deals"
)

// target is what one column holds: a field (see Fields), the label of an email or
// phone, and a group that pairs columns (Google's "E-mail 1 - Label" with "E-mail 1 -
// Value", or the parts of one address).
type target struct {
	field, label, group string
}

// Field describes one field a column can be mapped to with --map COLUMN=FIELD.
type Field struct {
	Name, Kinds, Help string
}

// Fields lists what --map accepts. email and phone take a label: --map "Work=email:work".
var Fields = []Field{
	{"id", "all", "the record's id in the tool it came from (matches re-imports)"},
	{"name", "all", "full name (contacts) or company name (companies)"},
	{"first_name", "contacts", "first (given) name"},
	{"middle_name", "contacts", "middle name (joined to the first name)"},
	{"last_name", "contacts", "last (family) name"},
	{"prefix", "contacts", "name prefix such as Dr. (dropped)"},
	{"suffix", "contacts", "name suffix such as Jr. (joined to the last name)"},
	{"email", "contacts", "an email address; email:LABEL labels it; repeat for more"},
	{"emails", "contacts", "several addresses in one cell (one per line, or , ; :::), each maybe \"label: address\""},
	{"phone", "contacts, companies", "a phone number; phone:LABEL labels it; repeat for more"},
	{"phones", "contacts", "several numbers in one cell, as emails"},
	{"company", "contacts, deals", "company name (a new name creates the company)"},
	{"company_id", "contacts, deals", "the company's id in the tool it came from (links to a company imported before)"},
	{"title", "contacts, deals", "job title (contacts) or deal title (deals)"},
	{"tags", "all", "tags, separated by , ; or :::"},
	{"notes", "all", "notes"},
	{"source", "contacts", "lead source"},
	{"birthday", "contacts", "birthday (kept in the notes as \"Birthday: …\")"},
	{"cadence_days", "contacts", "stay-in-touch interval in days"},
	{"visibility", "all", "private or team"},
	{"address", "all", "the whole postal address"},
	{"street", "all", "street (parts are joined into the address)"},
	{"city", "all", "city"},
	{"region", "all", "state, province or region"},
	{"postal_code", "all", "postal code"},
	{"country", "all", "country"},
	{"domain", "companies", "web domain or website address"},
	{"value", "deals", "deal value, like 12000 or 12,000.50"},
	{"currency", "deals", "ISO 4217 currency code of the value"},
	{"stage", "deals", "pipeline stage (matched to rolo's stages, ignoring case)"},
	{"status", "deals", "open, won or lost"},
	{"lost_reason", "deals", "why a deal was lost"},
	{"expected_close", "deals", "expected close date"},
	{"contact", "deals", "the deal's contact: email address or exact name"},
	{"contact_id", "deals", "the contact's id in the tool it came from"},
	{"ignore", "all", "leave the column out"},
}

// strict is the group of rolo's own list columns, which split on their own separator only.
const strict = "strict"

// Internal fields, not offered to --map.
const (
	fEmailLabel = "email_label"
	fPhoneLabel = "phone_label"
	fPOBox      = "po_box"
	fExtAddress = "ext_address"
	fDeleted    = "deleted" // Salesforce IsDeleted
	fWon        = "won"     // Salesforce IsWon
	fClosed     = "closed"  // Salesforce IsClosed
)

func isField(name string) bool {
	for _, f := range Fields {
		if f.Name == name {
			return true
		}
	}
	return false
}

// parseTarget reads the FIELD of --map COLUMN=FIELD: a field name, with a label for
// email and phone ("email:work").
func parseTarget(s string) (target, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	name, label, _ := strings.Cut(s, ":")
	name = strings.ReplaceAll(strings.TrimSpace(name), "-", "_")
	if !isField(name) || label != "" && name != "email" && name != "phone" {
		return target{}, false
	}
	if name == "ignore" {
		return target{}, true
	}
	return target{field: name, label: strings.TrimSpace(label)}, true
}

// normHeader is how headers are compared: lower case, single spaces, no byte-order mark
// or surrounding quotes.
func normHeader(h string) string {
	h = strings.TrimPrefix(h, "\ufeff")
	h = strings.Trim(strings.TrimSpace(h), `"'`)
	return strings.Join(strings.Fields(strings.ToLower(h)), " ")
}

// spec builds a column table from pairs of header and "field[:label][@group]".
func spec(pairs ...string) map[string]target {
	m := map[string]target{}
	for i := 0; i < len(pairs); i += 2 {
		v := pairs[i+1]
		var t target
		v, t.group, _ = strings.Cut(v, "@")
		t.field, t.label, _ = strings.Cut(v, ":")
		m[pairs[i]] = t
	}
	return m
}

// pattern maps numbered columns ("E-mail 2 - Value") to targets.
type pattern struct {
	re *regexp.Regexp
	fn func(m []string) target
}

// format is one kind of export rolo recognises by its header names.
type format struct {
	// Name is the format's id (shown in plans and JSON), Label its name for people.
	Name, Label string
	// Source namespaces the ids its rows carry (see store.ImportOptions.Source).
	Source string
	Kind   string
	// detect says whether a header (normalised names) is this format's.
	detect   func(h headers) bool
	columns  map[string]target
	patterns []pattern
	// column, if set, maps headers the tables do not (Pipedrive's "Entity - Field").
	column func(h string) (target, bool)
}

func (f *format) target(h string) (target, bool) {
	if t, ok := f.columns[h]; ok {
		return t, true
	}
	for _, p := range f.patterns {
		if m := p.re.FindStringSubmatch(h); m != nil {
			t := p.fn(m)
			return t, t.field != ""
		}
	}
	if f.column != nil {
		return f.column(h)
	}
	return target{}, false
}

// headers is a header row's set of normalised names.
type headers map[string]bool

func (h headers) any(names ...string) bool {
	for _, n := range names {
		if h[n] {
			return true
		}
	}
	return false
}

func (h headers) count(names ...string) int {
	n := 0
	for _, x := range names {
		if h[x] {
			n++
		}
	}
	return n
}

func (h headers) match(re *regexp.Regexp) bool {
	for n := range h {
		if re.MatchString(n) {
			return true
		}
	}
	return false
}

func (h headers) prefixed(prefix string) bool {
	for n := range h {
		if strings.HasPrefix(n, prefix) {
			return true
		}
	}
	return false
}

// The tables below are built on first use, not when the program starts: every rolo
// command, `rolo search` included, would pay for them otherwise (docs/benchmarks.md,
// "Start-up").

var (
	googleEmail   = lazyRegexp(`^e-?mail (\d+) - (label|type|value)$`)
	googlePhone   = lazyRegexp(`^phone (\d+) - (label|type|value)$`)
	googleAddress = lazyRegexp(`^address (\d+) - (formatted|street|city|po box|region|postal code|country|extended address)$`)
	googleOrg     = lazyRegexp(`^organization (\d+) - (name|title)$`)
)

func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// googlePatterns are the numbered columns of both Google formats.
func googlePatterns() []pattern {
	return []pattern{
		{googleEmail(), func(m []string) target {
			if m[2] == "value" {
				return target{field: "email", group: "email" + m[1]}
			}
			return target{field: fEmailLabel, group: "email" + m[1]}
		}},
		{googlePhone(), func(m []string) target {
			if m[2] == "value" {
				return target{field: "phone", group: "phone" + m[1]}
			}
			return target{field: fPhoneLabel, group: "phone" + m[1]}
		}},
		{googleAddress(), func(m []string) target {
			field := map[string]string{"formatted": "address", "street": "street", "city": "city", "po box": fPOBox, "region": "region",
				"postal code": "postal_code", "country": "country", "extended address": fExtAddress}[m[2]]
			return target{field: field, group: "address" + m[1]}
		}},
		{googleOrg(), func(m []string) target {
			if m[1] != "1" {
				return target{}
			}
			return target{field: map[string]string{"name": "company", "title": "title"}[m[2]]}
		}},
	}
}

// addressParts maps the parts of a postal address, for formats that name them alike.
func addressParts(prefix, group string, names ...string) []string {
	fields := []string{"street", "city", "region", "postal_code", "country"}
	var out []string
	for i, n := range names {
		if n != "" {
			out = append(out, prefix+n, fields[i]+"@"+group)
		}
	}
	return out
}

func join(parts ...[]string) pairs {
	var out pairs
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// pipedrive maps Pipedrive's "Entity - Field" headers (and the plain headers of its
// per-entity lists) for a file of the given kind: the file's own entity's fields map
// fully, the other entities' only as links.
func pipedrive(kind string) func(h string) (target, bool) {
	person := spec("id", "id", "name", "name", "first name", "first_name", "last name", "last_name", "job title", "title",
		"email", "emails", "email - work", "email:work", "email - home", "email:home", "email - other", "email:other",
		"phone", "phones", "phone - work", "phone:work", "phone - mobile", "phone:mobile", "phone - home", "phone:home",
		"phone - other", "phone:other", "label", "tags", "labels", "tags", "label(s)", "tags", "notes", "notes",
		"organization", "company", "organization id", "company_id", "organization name", "company",
		"postal address", "address",
		"city/town/village/locality of postal address", "city@postal",
		"state/county of postal address", "region@postal",
		"zip/postal code of postal address", "postal_code@postal",
		"country of postal address", "country@postal")
	org := spec("id", "id", "name", "name", "website", "domain", "label", "tags", "labels", "tags", "label(s)", "tags",
		"address", "address", "phone", "phone", "notes", "notes")
	deal := spec("id", "id", "title", "title", "value", "value", "currency", "currency", "currency of value", "currency",
		"stage", "stage", "status", "status", "lost reason", "lost_reason", "expected close date", "expected_close",
		"label", "tags", "labels", "tags", "label(s)", "tags", "notes", "notes",
		"organization", "company", "organization id", "company_id", "contact person", "contact", "contact person id", "contact_id")
	own := map[string]map[string]target{KindContacts: person, KindCompanies: org, KindDeals: deal}[kind]
	return func(h string) (target, bool) {
		h = strings.ReplaceAll(strings.ReplaceAll(h, "organisation", "organization"), "e-mail", "email")
		ent, field, ok := strings.Cut(h, " - ")
		if !ok || (ent != "person" && ent != "organization" && ent != "deal") {
			t, ok := own[h]
			return t, ok
		}
		switch {
		case ent == "person" && kind == KindContacts, ent == "organization" && kind == KindCompanies, ent == "deal" && kind == KindDeals:
			t, ok := own[field]
			return t, ok
		case ent == "organization":
			t, ok := map[string]target{"name": {field: "company"}, "id": {field: "company_id"}}[field]
			return t, ok
		case ent == "person" && kind == KindDeals:
			if field == "id" {
				return target{field: "contact_id"}, true
			}
			if field == "name" || strings.HasPrefix(field, "email") {
				return target{field: "contact"}, true
			}
		}
		return target{}, false
	}
}

// generic are the header names of a plain contact list: rolo's own field names and
// the usual synonyms.
var generic = sync.OnceValue(func() map[string]target {
	m := map[string]target{}
	for _, f := range Fields {
		if f.Name != "ignore" {
			m[strings.ReplaceAll(f.Name, "_", " ")] = target{field: f.Name}
		}
	}
	for k, v := range spec("full name", "name", "display name", "name", "contact name", "name", "given name", "first_name",
		"first", "first_name", "surname", "last_name", "family name", "last_name", "last", "last_name",
		"e-mail", "email", "email address", "email", "e-mail address", "email", "mail", "email",
		"work email", "email:work", "home email", "email:home", "personal email", "email:personal",
		"mobile", "phone:mobile", "cell", "phone:mobile", "mobile phone", "phone:mobile", "cell phone", "phone:mobile",
		"work phone", "phone:work", "home phone", "phone:home", "telephone", "phone", "phone number", "phone", "tel", "phone",
		"organization", "company", "organisation", "company", "company name", "company", "employer", "company",
		"job title", "title", "position", "title", "role", "title",
		"labels", "tags", "categories", "tags", "groups", "tags", "tag", "tags",
		"note", "notes", "comments", "notes", "description", "notes", "lead source", "source",
		"website", "domain", "web site", "domain", "url", "domain",
		"state", "region", "province", "region", "zip", "postal_code", "zip code", "postal_code", "postcode", "postal_code",
		"deal name", "title", "deal title", "title", "amount", "value", "deal value", "value", "deal stage", "stage",
		"close date", "expected_close", "expected close", "expected_close", "cadence", "cadence_days") {
		m[k] = v
	}
	return m
})

func genericTarget(h string) (target, bool) {
	h = strings.Join(strings.Fields(strings.NewReplacer("_", " ", "-", " ").Replace(h)), " ")
	if t, ok := generic()[h]; ok {
		return t, true
	}
	if t, ok := generic()[strings.ReplaceAll(h, " ", "-")]; ok {
		return t, true
	}
	return target{}, false
}

func sfContactsAPI() map[string]target {
	return spec("id", "id", "isdeleted", fDeleted, "accountid", "company_id", "account.name", "company",
		"firstname", "first_name", "lastname", "last_name", "salutation", "prefix", "name", "name", "company", "company",
		"mailingstreet", "street@mailing", "mailingcity", "city@mailing", "mailingstate", "region@mailing",
		"mailingpostalcode", "postal_code@mailing", "mailingcountry", "country@mailing",
		"street", "street@lead", "city", "city@lead", "state", "region@lead", "postalcode", "postal_code@lead", "country", "country@lead",
		"phone", "phone:work", "fax", "phone:fax", "mobilephone", "phone:mobile", "homephone", "phone:home",
		"otherphone", "phone:other", "assistantphone", "phone:assistant", "email", "email", "title", "title",
		"leadsource", "source", "birthdate", "birthday", "description", "notes")
}

// formats are tried in order; the first whose detect accepts the header wins.
var formats = sync.OnceValue(func() []*format {
	google := googlePatterns()
	return []*format{
		{Name: "rolo", Label: "rolo", Source: "rolo", Kind: KindContacts,
			detect: func(h headers) bool { return h["id"] && h["name"] && h["emails"] && h["phones"] },
			column: func(h string) (target, bool) {
				switch h {
				case "id":
					return target{field: "id"}, true
				case "emails", "phones", "tags":
					// rolo writes one entry per line (tags: ", "), so nothing else splits them.
					return target{field: h, group: strict}, true
				}
				return genericTarget(h)
			}},
		{Name: "pipedrive-people", Label: "Pipedrive people", Source: "pipedrive", Kind: KindContacts,
			detect: func(h headers) bool {
				return !h.prefixed("deal - ") && h.prefixed("person - ") ||
					h.any("person created", "email - work", "email - home", "phone - work", "phone - mobile", "phone - home")
			},
			column: pipedrive(KindContacts)},
		{Name: "pipedrive-deals", Label: "Pipedrive deals", Source: "pipedrive", Kind: KindDeals,
			detect: func(h headers) bool {
				return h.prefixed("deal - ") || h.any("deal created", "currency of value", "weighted value")
			},
			column: pipedrive(KindDeals)},
		{Name: "pipedrive-organizations", Label: "Pipedrive organizations", Source: "pipedrive", Kind: KindCompanies,
			detect: func(h headers) bool {
				return h.prefixed("organization - ") || h.prefixed("organisation - ") ||
					h.any("organization created", "organisation created") || h["name"] && h["open deals"]
			},
			column: pipedrive(KindCompanies)},
		{Name: "google-legacy", Label: "Google Contacts (Google CSV)", Source: "google", Kind: KindContacts,
			detect: func(h headers) bool {
				return h["given name"] && h["family name"] || h["group membership"]
			},
			columns: spec("name", "name", "given name", "first_name", "additional name", "middle_name", "family name", "last_name",
				"name prefix", "prefix", "name suffix", "suffix", "birthday", "birthday", "notes", "notes", "group membership", "tags"),
			patterns: google},
		{Name: "google", Label: "Google Contacts", Source: "google", Kind: KindContacts,
			detect: func(h headers) bool {
				return (h.match(googleEmail()) || h.match(googlePhone())) &&
					h.any("first name", "last name", "organization name", "labels", "file as")
			},
			columns: spec("first name", "first_name", "middle name", "middle_name", "last name", "last_name",
				"name prefix", "prefix", "name suffix", "suffix", "organization name", "company", "organization title", "title",
				"birthday", "birthday", "notes", "notes", "labels", "tags"),
			patterns: google},
		{Name: "hubspot-deals", Label: "HubSpot deals", Source: "hubspot", Kind: KindDeals,
			detect: func(h headers) bool { return h["deal name"] && (h["deal stage"] || h["record id"] || h["deal id"]) },
			columns: spec("record id", "id", "deal id", "id", "deal name", "title", "deal stage", "stage", "amount", "value",
				"deal currency code", "currency", "currency", "currency", "close date", "expected_close",
				"associated company ids", "company_id", "associated company id", "company_id", "associated company", "company",
				"associated contact ids", "contact_id", "associated contact id", "contact_id", "associated contact", "contact",
				"closed lost reason", "lost_reason", "deal description", "notes", "description", "notes")},
		{Name: "hubspot-companies", Label: "HubSpot companies", Source: "hubspot", Kind: KindCompanies,
			detect: func(h headers) bool {
				return (h["record id"] || h["company id"] || h["company owner"]) && h.any("company name", "company domain name") &&
					!h.any("first name", "last name", "email")
			},
			columns: join(cols("record id", "id", "company id", "id", "company name", "name", "name", "name",
				"company domain name", "domain", "website url", "domain", "phone number", "phone", "industry", "tags",
				"description", "notes"),
				addressParts("", "hq", "street address", "city", "state/region", "postal code", "country/region")).toSpec()},
		{Name: "hubspot-contacts", Label: "HubSpot contacts", Source: "hubspot", Kind: KindContacts,
			detect: func(h headers) bool {
				return h.any("record id", "contact id", "contact owner", "lifecycle stage", "associated company", "lead status",
					"associated company ids", "original source")
			},
			columns: join(cols("record id", "id", "contact id", "id", "first name", "first_name", "last name", "last_name",
				"email", "email", "phone number", "phone", "mobile phone number", "phone:mobile", "job title", "title",
				"company name", "company", "associated company", "company", "associated company ids", "company_id",
				"associated company id", "company_id", "primary associated company id", "company_id",
				"lifecycle stage", "tags", "original source", "source", "notes", "notes"),
				addressParts("", "home", "street address", "city", "state/region", "postal code", "country/region")).toSpec()},
		{Name: "outlook", Label: "Outlook", Source: "outlook", Kind: KindContacts,
			detect: func(h headers) bool {
				return h.any("e-mail address", "e-mail 2 address", "business phone", "home phone", "business street", "e-mail display name")
			},
			columns: join(cols("first name", "first_name", "middle name", "middle_name", "last name", "last_name", "title", "prefix",
				"suffix", "suffix", "company", "company", "job title", "title", "notes", "notes", "categories", "tags",
				"birthday", "birthday",
				"e-mail address", "email", "e-mail 2 address", "email", "e-mail 3 address", "email",
				"primary phone", "phone", "business phone", "phone:work", "business phone 2", "phone:work",
				"mobile phone", "phone:mobile", "home phone", "phone:home", "home phone 2", "phone:home",
				"company main phone", "phone:main", "business fax", "phone:work fax", "home fax", "phone:home fax",
				"other phone", "phone:other", "other fax", "phone:other fax", "pager", "phone:pager", "car phone", "phone:car",
				"assistant's phone", "phone:assistant", "callback", "phone:callback", "radio phone", "phone:radio",
				"isdn", "phone:isdn", "telex", "phone:telex", "tty/tdd phone", "phone:tty",
				"business street 2", "street@business", "business street 3", "street@business",
				"home street 2", "street@home", "home street 3", "street@home", "other street 2", "street@other", "other street 3", "street@other",
				"business po box", "po_box@business", "home po box", "po_box@home", "other po box", "po_box@other"),
				addressParts("business ", "business", "street", "city", "state", "postal code", "country/region"),
				addressParts("home ", "home", "street", "city", "state", "postal code", "country/region"),
				addressParts("other ", "other", "street", "city", "state", "postal code", "country/region")).toSpec()},
		{Name: "salesforce-opportunities", Label: "Salesforce opportunities (API names)", Source: "salesforce", Kind: KindDeals,
			detect: func(h headers) bool { return h["stagename"] },
			columns: spec("id", "id", "isdeleted", fDeleted, "accountid", "company_id", "account.name", "company", "name", "title",
				"stagename", "stage", "amount", "value", "closedate", "expected_close", "currencyisocode", "currency",
				"description", "notes", "iswon", fWon, "isclosed", fClosed)},
		{Name: "salesforce-accounts", Label: "Salesforce accounts (API names)", Source: "salesforce", Kind: KindCompanies,
			detect: func(h headers) bool { return h.any("billingstreet", "billingcity", "billingcountry") && !h["lastname"] },
			columns: join(cols("id", "id", "isdeleted", fDeleted, "name", "name", "website", "domain", "phone", "phone",
				"description", "notes", "industry", "tags"),
				addressParts("billing", "billing", "street", "city", "state", "postalcode", "country")).toSpec()},
		{Name: "salesforce-api", Label: "Salesforce contacts or leads (API names)", Source: "salesforce", Kind: KindContacts,
			detect: func(h headers) bool {
				return h.count("firstname", "lastname", "accountid", "mailingstreet", "mailingcity", "leadsource", "mobilephone",
					"isdeleted", "ownerid", "systemmodstamp", "createdbyid", "masterrecordid") >= 2
			},
			columns: sfContactsAPI()},
		{Name: "salesforce-opportunity-report", Label: "Salesforce opportunities report", Source: "salesforce", Kind: KindDeals,
			detect: func(h headers) bool { return h["opportunity name"] },
			columns: spec("opportunity id", "id", "opportunity name", "title", "account name", "company", "amount", "value",
				"close date", "expected_close", "stage", "stage", "opportunity currency", "currency", "description", "notes")},
		{Name: "salesforce", Label: "Salesforce contacts report", Source: "salesforce", Kind: KindContacts,
			detect: func(h headers) bool {
				return h.any("first name", "last name") &&
					h.any("account name", "mailing street", "mailing city", "lead source", "contact record type", "company / account")
			},
			columns: join(cols("contact id", "id", "lead id", "id", "salutation", "prefix", "first name", "first_name",
				"last name", "last_name", "title", "title", "phone", "phone:work", "mobile", "phone:mobile", "fax", "phone:fax",
				"email", "email", "account name", "company", "company / account", "company", "lead source", "source",
				"description", "notes", "birthdate", "birthday"),
				addressParts("mailing ", "mailing", "street", "city", "state/province", "zip/postal code", "country"),
				addressParts("", "lead", "street", "city", "state/province", "zip/postal code", "country")).toSpec()},
	}
})

// genericFormat reads files whose columns carry rolo's field names or common synonyms.
var genericFormat = &format{Name: "generic", Label: "CSV", Source: "csv", Kind: KindContacts, column: genericTarget}

type pairs []string

func (p pairs) toSpec() map[string]target { return spec(p...) }

// tools name the exporting tool of each source, for messages.
var tools = map[string]string{"google": "Google Contacts", "outlook": "Outlook", "hubspot": "HubSpot", "pipedrive": "Pipedrive",
	"salesforce": "Salesforce", "rolo": "rolo", "csv": "the exporting tool"}

// FormatNames lists the formats rolo recognises, for documentation.
func FormatNames() []string {
	var out []string
	for _, f := range formats() {
		out = append(out, f.Name)
	}
	sort.Strings(out)
	return out
}

// cols lists header and target pairs for join.
func cols(pairs ...string) []string { return pairs }
