package store

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Finding duplicates. Candidate pairs come from keys that the database groups for us, so
// the work grows with the number of records, never with its square:
//
//   - contacts with the same email address (any case): emails grouped through their
//     index, only the shared addresses read back;
//   - contacts with the same phone number, written in any format: numbers grouped by
//     their last seven digits in SQL, then compared in full (see phonesMatch);
//   - contacts with similar names at the same company: contacts read in company order,
//     names compared within each company through keys (folded name, nickname-free name,
//     and every one-letter deletion of the folded name, which finds an edit distance of
//     at most one without comparing every pair);
//   - companies with the same web domain, or the same name once folded and stripped of
//     legal suffixes ("ACME, Inc." and "Acme").
//
// Each pair gets a score from 0 to 100 and the reasons. The survivor ("keep") is the
// older record; merging keeps its values where both have one.

// Scores of the rules. A pair scores its best rule.
const (
	scoreEmailName    = 100 // same email, similar names
	scoreEmailPhone   = 100 // same email and same phone
	scorePhoneName    = 95  // same phone, similar names
	scoreEmail        = 90  // same email alone (a shared inbox can still be two people)
	scoreCompanyName  = 85  // same company, same name after folding case and accents
	scoreCompanyNick  = 75  // same company, names equal but for a nickname (Bob, Robert)
	scoreCompanyTypo  = 70  // same company, names one letter apart
	scorePhone        = 40  // same phone alone: a switchboard, a shared line
	scoreDomainName   = 100 // companies: same domain and similar names
	scoreDomain       = 90  // companies: same domain
	scoreFoldedName   = 85  // companies: same folded name, no conflicting domains
	scoreNameDomains  = 50  // companies: same folded name but different domains
	defaultMinScore   = 60
	maxDuplicateGroup = 50 // records sharing one key beyond this are paired with the oldest only
)

// ConfidentScore is the score from which a pair is merged by rolo dedupe --apply: the
// same email, or the same phone and a similar name (or better).
const ConfidentScore = 90

// DuplicateRecord is one side of a candidate pair.
type DuplicateRecord struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Detail is what tells the records apart: company and email, or a company's domain.
	Detail string `json:"detail"`
}

// Duplicate is a pair of records that are likely one: Other would be merged into Keep.
type Duplicate struct {
	Entity  string          `json:"entity"`
	Score   int             `json:"score"`
	Reason  string          `json:"reason"`
	Reasons []string        `json:"reasons"`
	Keep    DuplicateRecord `json:"keep"`
	Other   DuplicateRecord `json:"other"`

	keepCreated, otherCreated string
}

// DuplicateFilter selects candidate pairs.
type DuplicateFilter struct {
	// Entity is EntityContact, EntityCompany, or "" for both.
	Entity string
	// MinScore drops weaker pairs; 0 means 60.
	MinScore int
	// Limit caps the pairs returned (best first); 0 means all.
	Limit int
}

// pairKey identifies an unordered pair.
type pairKey struct{ a, b string }

func orderedPair(x, y string) pairKey {
	if x > y {
		x, y = y, x
	}
	return pairKey{x, y}
}

// signals are what two records share.
type signals struct {
	email, phone       string // the shared address or number
	sameCompany        bool   // similar names at the same company
	domain, foldedName string // companies: the shared domain or folded name
}

// FindDuplicates lists likely duplicate contacts and companies, best first, and how many
// pairs reach the minimum score in all.
func (db *DB) FindDuplicates(ctx context.Context, f DuplicateFilter) ([]Duplicate, int, error) {
	if f.MinScore <= 0 {
		f.MinScore = defaultMinScore
	}
	if f.MinScore > 100 || f.Limit < 0 {
		return nil, 0, fmt.Errorf("%w: minimum score %d must be 1 to 100, limit 0 or more", ErrInvalid, f.MinScore)
	}
	var out []Duplicate
	if f.Entity == "" || f.Entity == EntityContact {
		d, err := db.contactDuplicates(ctx, f.MinScore)
		if err != nil {
			return nil, 0, fmt.Errorf("find duplicates: %w", err)
		}
		out = append(out, d...)
	}
	if f.Entity == "" || f.Entity == EntityCompany {
		d, err := db.companyDuplicates(ctx, f.MinScore)
		if err != nil {
			return nil, 0, fmt.Errorf("find duplicates: %w", err)
		}
		out = append(out, d...)
	}
	if f.Entity != "" && f.Entity != EntityContact && f.Entity != EntityCompany {
		return nil, 0, fmt.Errorf("%w: only contacts and companies have duplicates found, not %s", ErrInvalid, f.Entity)
	}
	slices.SortFunc(out, func(a, b Duplicate) int {
		return cmp.Or(b.Score-a.Score, cmp.Compare(a.Entity, b.Entity), cmp.Compare(strings.ToLower(a.Keep.Name), strings.ToLower(b.Keep.Name)),
			cmp.Compare(a.Keep.ID, b.Keep.ID), cmp.Compare(a.Other.ID, b.Other.ID))
	})
	total := len(out)
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	if err := db.describeDuplicates(ctx, out); err != nil {
		return nil, 0, fmt.Errorf("find duplicates: %w", err)
	}
	return out, total, nil
}

// dupContact is what scoring needs of a contact.
type dupContact struct {
	id, name, first, last, company, created string
}

func (db *DB) contactDuplicates(ctx context.Context, minScore int) ([]Duplicate, error) {
	pairs := map[pairKey]*signals{}
	get := func(x, y string) *signals {
		k := orderedPair(x, y)
		s := pairs[k]
		if s == nil {
			s = &signals{}
			pairs[k] = s
		}
		return s
	}
	// Every live contact, in one pass in table order (the cheapest read): names to score
	// and compare, and which contacts are live.
	contacts := map[string]*dupContact{}
	byCompany := map[string][]*dupContact{}
	err := db.scan(ctx, `SELECT id, name, first_name, last_name, coalesce(company_id, ''), created_at FROM contacts
		WHERE deleted_at IS NULL AND merged_into IS NULL`, nil,
		func(scan func(...any) error) error {
			c := &dupContact{}
			if err := scan(&c.id, &c.name, &c.first, &c.last, &c.company, &c.created); err != nil {
				return err
			}
			contacts[c.id] = c
			if c.company != "" {
				byCompany[c.company] = append(byCompany[c.company], c)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	older := func(a, b *dupContact) int { return cmp.Or(cmp.Compare(a.created, b.created), cmp.Compare(a.id, b.id)) }
	// Emails shared by two or more contacts, found by grouping the email index.
	groups := map[string][]*dupContact{}
	err = db.scan(ctx, `SELECT lower(email), contact_id FROM contact_emails
		WHERE email COLLATE NOCASE IN (SELECT email FROM contact_emails GROUP BY email COLLATE NOCASE HAVING count(DISTINCT contact_id) > 1)`,
		nil, func(scan func(...any) error) error {
			var key, id string
			if err := scan(&key, &id); err != nil {
				return err
			}
			if c := contacts[id]; c != nil && !slices.Contains(groups[key], c) {
				groups[key] = append(groups[key], c)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	for key, g := range groups {
		slices.SortFunc(g, older)
		eachPair(g, func(x, y *dupContact) { get(x.id, y.id).email = key })
	}
	// Phones: grouped by their last eight digits in SQL (which the country code and trunk
	// prefix do not touch), then compared in full.
	type tel struct {
		c      *dupContact
		digits string
	}
	phoneGroups := map[string][]tel{}
	err = db.scan(ctx, `SELECT substr(digits, -8), contact_id, digits FROM contact_phones
		WHERE length(replace(digits, '+', '')) >= 7 AND substr(digits, -8) IN (SELECT substr(digits, -8) FROM contact_phones
			WHERE length(replace(digits, '+', '')) >= 7 GROUP BY 1 HAVING count(DISTINCT contact_id) > 1)`,
		nil, func(scan func(...any) error) error {
			var key, id, digits string
			if err := scan(&key, &id, &digits); err != nil {
				return err
			}
			if c := contacts[id]; c != nil {
				phoneGroups[key] = append(phoneGroups[key], tel{c, digits})
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	for _, g := range phoneGroups {
		slices.SortFunc(g, func(a, b tel) int { return older(a.c, b.c) })
		if len(g) > maxDuplicateGroup {
			g = g[:maxDuplicateGroup]
		}
		for i := range g {
			for j := i + 1; j < len(g); j++ {
				if g[i].c != g[j].c && phonesMatch(g[i].digits, g[j].digits) {
					get(g[i].c.id, g[j].c.id).phone = g[i].digits
				}
			}
		}
	}
	// Similar names at the same company, compared within each company.
	for _, members := range byCompany {
		for _, ids := range nameGroups(members) {
			get(ids[0], ids[1]).sameCompany = true
		}
	}
	var out []Duplicate
	for k, s := range pairs {
		a, b := contacts[k.a], contacts[k.b]
		if a == nil || b == nil {
			continue
		}
		if b.created < a.created || (b.created == a.created && b.id < a.id) {
			a, b = b, a
		}
		score, reasons := scoreContacts(a, b, s)
		if score < minScore {
			continue
		}
		out = append(out, Duplicate{Entity: EntityContact, Score: score, Reason: strings.Join(reasons, "; "), Reasons: reasons,
			Keep: DuplicateRecord{ID: a.id, Name: a.name}, Other: DuplicateRecord{ID: b.id, Name: b.name},
			keepCreated: a.created, otherCreated: b.created})
	}
	return out, nil
}

// eachPair pairs the records sharing a key: every two of them, or for a key shared by
// very many (an office's switchboard, info@), each with the oldest.
func eachPair[T any](ids []T, fn func(x, y T)) {
	if len(ids) > maxDuplicateGroup {
		for _, y := range ids[1:] {
			fn(ids[0], y)
		}
		return
	}
	for i := range ids {
		for j := i + 1; j < len(ids); j++ {
			fn(ids[i], ids[j])
		}
	}
}

// Name similarity levels.
const (
	nameDifferent = iota
	nameTypo      // one letter apart
	nameNickname  // equal once nicknames are spelled out
	nameSame      // equal once case, accents and punctuation are folded
)

func nameSimilarity(a, b *dupContact) int {
	fa, fb := foldName(a.name), foldName(b.name)
	switch {
	case fa == "" || fb == "":
		return nameDifferent
	case fa == fb:
		return nameSame
	case nicknameKey(a) == nicknameKey(b):
		return nameNickname
	case withinOneEdit(fa, fb):
		return nameTypo
	}
	return nameDifferent
}

func scoreContacts(a, b *dupContact, s *signals) (int, []string) {
	sim := nameSimilarity(a, b)
	var reasons []string
	if s.email != "" {
		reasons = append(reasons, "same email "+s.email)
	}
	if s.phone != "" {
		reasons = append(reasons, "same phone "+s.phone)
	}
	sameCompany := s.sameCompany || (a.company != "" && a.company == b.company)
	switch sim {
	case nameSame:
		reasons = append(reasons, "same name")
	case nameNickname:
		reasons = append(reasons, "same name but for a nickname")
	case nameTypo:
		reasons = append(reasons, "names one letter apart")
	}
	if sameCompany {
		reasons = append(reasons, "same company")
	}
	score := 0
	up := func(v int) { score = max(score, v) }
	if s.email != "" {
		up(scoreEmail)
		if sim != nameDifferent {
			up(scoreEmailName)
		}
		if s.phone != "" {
			up(scoreEmailPhone)
		}
	}
	if s.phone != "" {
		up(scorePhone)
		if sim != nameDifferent {
			up(scorePhoneName)
		}
	}
	if sameCompany {
		switch sim {
		case nameSame:
			up(scoreCompanyName)
		case nameNickname:
			up(scoreCompanyNick)
		case nameTypo:
			up(scoreCompanyTypo)
		}
	}
	return score, reasons
}

// nameGroups finds, among the contacts of one company, the pairs whose names are
// similar: equal after folding, equal but for a nickname, or one letter apart. A company
// of a few contacts compares every two; a big one goes through keys instead (two names
// are at most one edit apart only if they share one of their one-deletion variants, or
// one is such a variant of the other), so the work stays linear.
func nameGroups(members []*dupContact) [][]string {
	if len(members) < 2 {
		return nil
	}
	type key struct{ folded, nick string }
	keys := make([]key, len(members))
	for i, c := range members {
		keys[i] = key{foldName(c.name), nicknameKey(c)}
	}
	similar := func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.folded == "" || b.folded == "" {
			return false
		}
		return a.folded == b.folded || a.nick == b.nick || (min(len(a.folded), len(b.folded)) >= minTypoLen && withinOneEdit(a.folded, b.folded))
	}
	var out [][]string
	if len(members) <= 32 {
		for i := range members {
			for j := i + 1; j < len(members); j++ {
				if similar(i, j) {
					out = append(out, []string{members[i].id, members[j].id})
				}
			}
		}
		return out
	}
	byKey := map[string][]int{}
	add := func(k string, i int) {
		if l := byKey[k]; len(l) == 0 || l[len(l)-1] != i {
			byKey[k] = append(l, i)
		}
	}
	for i, k := range keys {
		if k.folded == "" {
			continue
		}
		add("="+k.folded, i)
		add("~"+k.nick, i)
		if len(k.folded) < minTypoLen {
			continue
		}
		add("-"+k.folded, i)
		r := []rune(k.folded)
		for x := range r {
			add("-"+string(r[:x])+string(r[x+1:]), i)
		}
	}
	seen := map[[2]int]bool{}
	for _, l := range byKey {
		for x := range l {
			for y := x + 1; y < len(l) && y < maxDuplicateGroup; y++ {
				p := [2]int{l[x], l[y]}
				if !seen[p] && similar(l[x], l[y]) {
					seen[p] = true
					out = append(out, []string{members[l[x]].id, members[l[y]].id})
				}
			}
		}
	}
	return out
}

// minTypoLen is the shortest folded name that a one-letter difference may match: in a
// shorter one it is another name (Ann and Anna, Jon and Jo).
const minTypoLen = 6

// foldName is a name in lower case without accents, punctuation or extra spaces:
// "José  O'Brien" → "jose obrien".
func foldName(s string) string {
	if plainName(s) {
		return strings.ToLower(s)
	}
	var b strings.Builder
	space := false
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			if f, ok := foldSpecial[r]; ok {
				b.WriteString(f)
			} else {
				b.WriteRune(r)
			}
		case unicode.IsSpace(r) || r == '-':
			space = true
		}
	}
	return b.String()
}

// plainName reports whether s is already folded but for case: ASCII letters separated by
// single spaces (most names), so foldName can skip the Unicode work.
func plainName(s string) bool {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if !(c >= 'a' && c <= 'z') && !(s[i] == ' ' && s[i-1] != ' ') {
			return false
		}
	}
	return true
}

// foldSpecial spells the letters that do not decompose into a base letter and an accent.
var foldSpecial = map[rune]string{'ø': "o", 'ł': "l", 'đ': "d", 'ð': "d", 'ß': "ss", 'æ': "ae", 'œ': "oe", 'þ': "th", 'ı': "i"}

// nicknameKey is the folded name with a nickname as first name spelled out: Bob Smith and
// Robert Smith share it.
func nicknameKey(c *dupContact) string {
	first, last := foldName(c.first), foldName(c.last)
	if first == "" && last == "" {
		first, last = splitName(foldName(c.name))
	}
	if full, ok := nicknames[first]; ok {
		first = full
	}
	return first + " " + last
}

// nicknames maps common English short forms of first names to the full name.
var nicknames = map[string]string{
	"bob": "robert", "bobby": "robert", "rob": "robert", "robbie": "robert", "bert": "robert",
	"bill": "william", "billy": "william", "will": "william", "willy": "william", "liam": "william",
	"jim": "james", "jimmy": "james", "jamie": "james",
	"mike": "michael", "mikey": "michael", "mick": "michael",
	"dave": "david", "davy": "david", "dan": "daniel", "danny": "daniel",
	"tom": "thomas", "tommy": "thomas", "chris": "christopher", "kit": "christopher",
	"kate": "katherine", "katie": "katherine", "kathy": "katherine", "cathy": "katherine",
	"liz": "elizabeth", "lizzie": "elizabeth", "beth": "elizabeth", "betsy": "elizabeth", "betty": "elizabeth",
	"jen": "jennifer", "jenny": "jennifer", "alex": "alexander", "sam": "samuel", "ben": "benjamin",
	"joe": "joseph", "joey": "joseph", "tony": "anthony", "nick": "nicholas", "matt": "matthew",
	"steve": "steven", "andy": "andrew", "drew": "andrew", "pat": "patrick", "peggy": "margaret",
	"maggie": "margaret", "meg": "margaret", "sue": "susan", "suzy": "susan", "ed": "edward",
	"eddie": "edward", "ted": "edward", "dick": "richard", "rick": "richard", "rich": "richard",
	"chuck": "charles", "charlie": "charles", "greg": "gregory", "jeff": "jeffrey", "larry": "lawrence",
	"johnny": "john", "jack": "john", "fred": "frederick", "freddie": "frederick", "harry": "henry",
	"hank": "henry", "abby": "abigail", "vicky": "victoria", "becky": "rebecca", "ron": "ronald",
	"don": "donald", "ken": "kenneth", "tim": "timothy", "pete": "peter", "phil": "philip", "ray": "raymond",
}

// withinOneEdit reports whether a and b are at most one insertion, deletion or
// substitution apart.
func withinOneEdit(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > len(rb) {
		ra, rb = rb, ra
	}
	if len(rb)-len(ra) > 1 {
		return false
	}
	i := 0
	for i < len(ra) && ra[i] == rb[i] {
		i++
	}
	if len(ra) == len(rb) {
		return i == len(ra) || string(ra[i+1:]) == string(rb[i+1:])
	}
	return string(ra[i:]) == string(rb[i+1:])
}

// phonesMatch reports whether two numbers (digits, maybe with a leading +) are the same
// number written with and without the country code or trunk prefix: +1 312 555 0100 and
// (312) 555-0100, +44 20 7946 0000 and 020 7946 0000.
func phonesMatch(a, b string) bool {
	na, nb := nationalDigits(a), nationalDigits(b)
	if na == nb {
		return len(na) >= minMatchDigits
	}
	if len(na) > len(nb) {
		na, nb = nb, na
	}
	// The longer one may carry a country code of one to three digits.
	d := len(nb) - len(na)
	return d >= 1 && d <= 3 && len(na) >= 8 && strings.HasSuffix(nb, na)
}

// nationalDigits drops the international prefix (+ or 00) and a trunk 0.
func nationalDigits(d string) string {
	d = strings.TrimPrefix(d, "+")
	d = strings.TrimPrefix(d, "00")
	return strings.TrimPrefix(d, "0")
}

// dupCompany is what scoring needs of a company.
type dupCompany struct {
	id, name, domain, created string
}

func (db *DB) companyDuplicates(ctx context.Context, minScore int) ([]Duplicate, error) {
	pairs := map[pairKey]*signals{}
	get := func(x, y string) *signals {
		k := orderedPair(x, y)
		if pairs[k] == nil {
			pairs[k] = &signals{}
		}
		return pairs[k]
	}
	// Companies are few (a fifth of the contacts in the standard data set): one pass
	// reads them, and keys group them.
	all := map[string]*dupCompany{}
	byDomain := map[string][]string{}
	byName := map[string][]string{}
	err := db.scan(ctx, `SELECT id, name, domain, created_at FROM companies WHERE deleted_at IS NULL AND merged_into IS NULL
		ORDER BY created_at, id`, nil, func(scan func(...any) error) error {
		c := &dupCompany{}
		if err := scan(&c.id, &c.name, &c.domain, &c.created); err != nil {
			return err
		}
		all[c.id] = c
		if d := normDomain(c.domain); d != "" {
			byDomain[d] = append(byDomain[d], c.id)
		}
		if n := foldCompany(c.name); n != "" {
			byName[n] = append(byName[n], c.id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for d, ids := range byDomain {
		eachPair(ids, func(x, y string) { get(x, y).domain = d })
	}
	for n, ids := range byName {
		eachPair(ids, func(x, y string) { get(x, y).foldedName = n })
	}
	var out []Duplicate
	for k, s := range pairs {
		a, b := all[k.a], all[k.b]
		if b.created < a.created || (b.created == a.created && b.id < a.id) {
			a, b = b, a
		}
		var reasons []string
		score := 0
		da, dbm := normDomain(a.domain), normDomain(b.domain)
		similar := s.foldedName != "" || withinOneEdit(foldCompany(a.name), foldCompany(b.name))
		if s.domain != "" {
			reasons = append(reasons, "same domain "+s.domain)
			score = scoreDomain
			if similar {
				score = scoreDomainName
			}
		}
		if s.foldedName != "" {
			reasons = append(reasons, "same name")
			if da != "" && dbm != "" && da != dbm {
				reasons = append(reasons, "but different domains")
				score = max(score, scoreNameDomains)
			} else {
				score = max(score, scoreFoldedName)
			}
		}
		if score < minScore {
			continue
		}
		out = append(out, Duplicate{Entity: EntityCompany, Score: score, Reason: strings.Join(reasons, "; "), Reasons: reasons,
			Keep: DuplicateRecord{ID: a.id, Name: a.name}, Other: DuplicateRecord{ID: b.id, Name: b.name},
			keepCreated: a.created, otherCreated: b.created})
	}
	return out, nil
}

// normDomain is a domain for matching: lower case, without www.
func normDomain(d string) string {
	d = strings.ToLower(strings.TrimSpace(d))
	return strings.TrimPrefix(d, "www.")
}

// companySuffixes are legal forms that do not tell companies apart.
var companySuffixes = []string{"inc", "incorporated", "llc", "ltd", "limited", "corp", "corporation", "co", "company",
	"gmbh", "ag", "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "plc", "oy", "ab", "as", "aps", "kg", "pty", "lp", "llp"}

// foldCompany is a company name folded as foldName, without a trailing legal form:
// "ACME, Inc." → "acme".
func foldCompany(s string) string {
	words := strings.Fields(foldName(s))
	for len(words) > 1 && slices.Contains(companySuffixes, words[len(words)-1]) {
		words = words[:len(words)-1]
	}
	return strings.Join(words, " ")
}

// describeDuplicates fills in the details people need to tell the records of the page
// apart: a contact's company and primary email, a company's domain.
func (db *DB) describeDuplicates(ctx context.Context, list []Duplicate) error {
	ids := map[string][]string{}
	for _, d := range list {
		ids[d.Entity] = append(ids[d.Entity], d.Keep.ID, d.Other.ID)
	}
	details := map[string]string{}
	queries := map[string]string{
		EntityContact: `SELECT c.id, trim(coalesce(co.name, '') || ' · ' || coalesce((SELECT email FROM contact_emails WHERE contact_id = c.id AND position = 0), ''), ' ·')
			FROM contacts c LEFT JOIN companies co ON co.id = c.company_id WHERE c.id IN (SELECT value FROM json_each(?))`,
		EntityCompany: `SELECT id, domain FROM companies WHERE id IN (SELECT value FROM json_each(?))`,
	}
	for entity, list := range ids {
		j, _ := json.Marshal(list)
		err := db.scan(ctx, queries[entity], []any{string(j)}, func(scan func(...any) error) error {
			var id, detail string
			if err := scan(&id, &detail); err != nil {
				return err
			}
			details[id] = detail
			return nil
		})
		if err != nil {
			return err
		}
	}
	for i := range list {
		list[i].Keep.Detail = details[list[i].Keep.ID]
		list[i].Other.Detail = details[list[i].Other.ID]
	}
	return nil
}

// MergeDuplicate merges the pair d (Other into Keep), following earlier merges: when
// either record has been merged since the pair was found, its survivor stands in for
// it. It returns nil and no error when the two are already one record.
func (db *DB) MergeDuplicate(ctx context.Context, d Duplicate) (*Merge, error) {
	var m *Merge
	err := db.write(ctx, "merge", func(t *Tx) error {
		var err error
		if m, err = t.mergeDuplicate(d); err != nil || m == nil {
			return err
		}
		t.summary = fmt.Sprintf("merge %s %s into %s", m.Entity, m.Other, m.Keep)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	return m, nil
}

// MergeDuplicates merges every pair of list as MergeDuplicate does, all in one change:
// every merge or none, and one undo takes them all back. Pairs that earlier merges of
// the list already made one record are skipped, and counted.
func (db *DB) MergeDuplicates(ctx context.Context, list []Duplicate) (merged []*Merge, skipped int, err error) {
	err = db.write(ctx, "merge duplicates", func(t *Tx) error {
		merged, skipped = merged[:0], 0
		for _, d := range list {
			m, err := t.mergeDuplicate(d)
			if err != nil {
				return fmt.Errorf("%s %s and %s: %w", d.Entity, d.Keep.Name, d.Other.Name, err)
			}
			if m == nil {
				skipped++
				continue
			}
			merged = append(merged, m)
		}
		t.summary = fmt.Sprintf("merge %d duplicate pairs", len(merged))
		if len(merged) == 1 {
			t.summary = "merge 1 duplicate pair"
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("merge duplicates: %w", err)
	}
	return merged, skipped, nil
}

func (t *Tx) mergeDuplicate(d Duplicate) (*Merge, error) {
	keep, err := survivorOf(t.ctx, t.tx, d.Entity, d.Keep.ID)
	if err != nil {
		return nil, err
	}
	other, err := survivorOf(t.ctx, t.tx, d.Entity, d.Other.ID)
	if err != nil {
		return nil, err
	}
	if keep == other {
		return nil, nil
	}
	return t.merge(keep, other)
}
