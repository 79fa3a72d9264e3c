// Package demo fills a rolo database with realistic, deterministic sample data: companies,
// contacts, deals in every stage, a two-year timeline of calls, emails, meetings, notes and
// messages, and follow-ups around today. `rolo demo` uses it, and the standard data set of
// the budgets (100,000 contacts, seed 1) is made with it.
//
// Everything scales linearly with the number of contacts: per 100 contacts there are 20
// companies, 20 deals, 33 follow-ups and about 1,000 timeline entries. The same seed and
// the same "now" give the same data, down to the ids.
package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/rolo-crm/rolo/store"
)

// Options say how much data to make and from which seed.
type Options struct {
	// Contacts is the number of contacts; everything else scales from it.
	Contacts int
	// Seed picks the data; the same seed and Now give the same data.
	Seed int64
	// Now anchors "today": timelines end here, follow-ups cluster around it. Zero means
	// time.Now().
	Now time.Time
	// Progress, if set, is called every thousand records (and once at the end) with the
	// number of records written so far and the total.
	Progress func(done, total int)
}

// Stats counts the records Generate wrote. Interactions include the stage and status
// changes of deals.
type Stats struct {
	Companies, Contacts, Deals, Interactions, FollowUps int
}

// Records is the total number of records.
func (s Stats) Records() int {
	return s.Companies + s.Contacts + s.Deals + s.Interactions + s.FollowUps
}

// Per 100 contacts, the standard data set's proportions.
const (
	companiesPer100 = 20
	dealsPer100     = 20
	followUpsPer100 = 33
	// entriesPerContact is the mean number of logged entries per contact; with the deals'
	// stage and status changes it makes about ten timeline entries per contact.
	entriesPerContact = 9.65
)

// Generate writes a demo data set into db in one transaction (one change group, "demo
// data", so `rolo undo` removes it) and returns what it wrote.
func Generate(ctx context.Context, db *store.DB, o Options) (Stats, error) {
	if o.Contacts < 1 {
		return Stats{}, fmt.Errorf("demo: %w: the number of contacts must be at least 1, not %d", store.ErrInvalid, o.Contacts)
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	var st Stats
	err := db.Bulk(ctx, "demo data", func(b *store.Bulk) error {
		stages, err := b.Stages()
		if err != nil {
			return err
		}
		if len(stages) == 0 {
			return fmt.Errorf("demo: %w: the pipeline has no stages", store.ErrConflict)
		}
		g := newGen(o.Seed, now, stages)
		g.plan(o.Contacts)
		st = g.stats()
		return g.write(ctx, b, st.Records(), o.Progress)
	})
	if err != nil {
		return Stats{}, err
	}
	return st, nil
}

const (
	minute = int64(time.Minute / time.Millisecond)
	hour   = int64(time.Hour / time.Millisecond)
	day    = 24 * hour
)

// gen plans the data set in memory, as compact records that refer to each other by
// index, then writes it table by table in id order (ids begin with their creation time),
// which keeps SQLite's primary-key inserts sequential.
type gen struct {
	r      *rand.Rand
	now    int64 // Unix ms
	from   int64 // two years before now
	stages []store.Stage

	companies []company
	contacts  []contact
	deals     []deal
	entries   []entry
	followUps []followUp

	// names and domains already given to companies, to keep them unique.
	names, domains map[string]bool
}

type company struct {
	id                   string
	created              int64
	name, short, domain  string
	phone, address, note string
	country              *country
	city                 string
	industry             string // its industry tag
	tags                 []string
}

type contact struct {
	id                 string
	created            int64
	first, last, title string
	source, note, addr string
	company            int32 // index into companies, or -1
	emails             []store.Email
	phones             []store.Phone
	tags               []string
	cadence            int
	deals              []int32 // indexes into deals
	currency, industry string
	city               string
	companyShort       string
	hasCompany         bool
	entryCount         int
}

type deal struct {
	id            string
	created       int64
	title, note   string
	contact       int32
	company       int32
	value         int64
	currency      string
	status        string
	lostReason    string
	expectedClose string
	closed        int64 // 0 while open
	path          []uint8
	entered       []int64 // when the deal entered each stage of path
	tags          []string
}

// entry is one timeline entry; its text is rendered when it is written, from seed.
type entry struct {
	id                     [16]byte
	at, created            int64
	contact, company, deal int32
	kind                   uint8 // index into entryKinds
	from, to               uint8 // stage change: indexes into stages
	seed                   uint64
}

var entryKinds = []string{"call", "email", "meeting", "note", "message", "stage_change", "status_change"}

const (
	kindStageChange  = 5
	kindStatusChange = 6
)

// kindWeights is how often a rep logs each kind, in percent.
var kindWeights = []int{25, 35, 12, 13, 15}

type followUp struct {
	id            string
	created       int64
	title         string
	due           int64
	allDay        bool
	contact, deal int32
	done          int64 // 0 while open
}

func newGen(seed int64, now time.Time, stages []store.Stage) *gen {
	nowMS := now.UnixMilli()
	return &gen{
		// The second PCG word is fixed: the seed alone picks the data.
		r:       rand.New(rand.NewPCG(uint64(seed), 0x726f6c6f2d64656d)), // "rolo-dem"
		now:     nowMS,
		from:    nowMS - 730*day,
		stages:  stages,
		names:   map[string]bool{},
		domains: map[string]bool{},
	}
}

func (g *gen) stats() Stats {
	return Stats{Companies: len(g.companies), Contacts: len(g.contacts), Deals: len(g.deals),
		Interactions: len(g.entries), FollowUps: len(g.followUps)}
}

// plan makes every record in memory.
func (g *gen) plan(n int) {
	g.planCompanies(max(1, scale(n, companiesPer100)))
	g.planContacts(n)
	g.planDeals(scale(n, dealsPer100))
	g.planEntries()
	g.planFollowUps(scale(n, followUpsPer100))
}

func scale(n, per100 int) int { return int((int64(n)*int64(per100) + 50) / 100) }

// Random helpers.

func (g *gen) pick(list []string) string { return list[g.r.IntN(len(list))] }

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

// between returns a random instant in [lo, hi].
func (g *gen) between(lo, hi int64) int64 {
	if hi <= lo {
		return lo
	}
	return lo + g.r.Int64N(hi-lo+1)
}

func (g *gen) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + g.r.IntN(10))
	}
	return string(b)
}

// pairs returns n space-separated pairs of digits, as French and Danish numbers are written.
func (g *gen) pairs(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = g.digits(2)
	}
	return strings.Join(parts, " ")
}

func (g *gen) num(lo, hi int) string { return fmt.Sprint(lo + g.r.IntN(hi-lo+1)) }

// workHours moves t to a random time between 07:30 and 18:30 UTC on its day.
func (g *gen) workHours(t int64) int64 {
	return t - t%day + 7*hour + 30*minute + g.r.Int64N(11*hour)
}

// uuid7 builds a UUIDv7 from a creation time and random bits from the seeded generator.
func (g *gen) uuid7(ms int64) [16]byte {
	var u [16]byte
	for i := range 6 {
		u[i] = byte(uint64(ms) >> (40 - 8*i))
	}
	a, b := g.r.Uint64(), g.r.Uint64()
	u[6] = 0x70 | byte(a>>8)&0x0f // version 7
	u[7] = byte(a)
	u[8] = 0x80 | byte(b>>56)&0x3f // variant 10
	for i := 9; i < 16; i++ {
		u[i] = byte(b >> (8 * (15 - i)))
	}
	return u
}

const hexDigits = "0123456789abcdef"

func formatUUID(u [16]byte) string {
	var b [36]byte
	j := 0
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b[j] = '-'
			j++
		}
		b[j], b[j+1] = hexDigits[c>>4], hexDigits[c&0x0f]
		j += 2
	}
	return string(b[:])
}

func (g *gen) id(ms int64) string { return formatUUID(g.uuid7(ms)) }

func (g *gen) pickCountry() *country {
	total := 0
	for i := range countries {
		total += countries[i].weight
	}
	n := g.r.IntN(total)
	for i := range countries {
		if n < countries[i].weight {
			return &countries[i]
		}
		n -= countries[i].weight
	}
	return &countries[0]
}

// Companies.

func (g *gen) planCompanies(n int) {
	g.companies = make([]company, n)
	for i := range g.companies {
		c := &g.companies[i]
		c.country = g.pickCountry()
		ct := c.country.cities[g.r.IntN(len(c.country.cities))]
		c.city = ct.name
		ind := industries[g.r.IntN(len(industries))]
		c.industry = ind.tag
		c.short, c.name = g.companyName(c.country, ind.word, ct.name)
		c.domain = g.companyDomain(c.short, c.country)
		c.phone = c.country.landline(g)
		c.address = c.country.address(g, c.country, ct)
		c.tags = []string{ind.tag}
		if g.chance(0.8) {
			c.tags = append(c.tags, g.pick(companySizeTags))
		}
		if g.chance(0.3) {
			c.tags = append(c.tags, g.pick(companyExtraTags))
		}
		if g.chance(0.25) {
			tc := textCtx{r: g.r, city: c.city, industry: c.industry, currency: c.country.currency}
			c.note = tc.render(g.pick(companyNoteTemplates))
		}
		c.created = g.workHours(g.between(g.from, g.now-60*day))
		c.id = g.id(c.created)
	}
	slices.SortFunc(g.companies, func(a, b company) int { return strings.Compare(a.id, b.id) })
}

// companyName returns a new company's name without and with its legal form.
func (g *gen) companyName(co *country, industry, city string) (short, full string) {
	for try := 0; ; try++ {
		switch p := g.r.IntN(10); {
		case p < 4:
			noun := g.pick(companyNouns)
			short = g.pick(companyAdjectives) + noun + " " + industry
		case p < 6:
			short = g.pick(lastNames) + " " + industry
		case p == 6:
			a, b := g.pick(lastNames), g.pick(lastNames)
			if a == b {
				continue
			}
			short = a + " & " + b
		case p == 7:
			short = g.pick(companyAdjectives) + " " + industry
		case p == 8:
			noun := g.pick(companyNouns)
			short = g.pick(companyAdjectives) + " " + strings.ToUpper(noun[:1]) + noun[1:] + " " + industry
		default:
			short = city + " " + industry
		}
		if try >= 8 {
			short += " " + []string{"Group", "Holdings", "International", "Collective", "Works", "Global"}[g.r.IntN(6)]
			if try >= 16 {
				short += fmt.Sprintf(" %d", try)
			}
		}
		full = short
		if sfx := g.pick(co.suffixes); sfx != "" {
			full += " " + sfx
		}
		if !g.names[strings.ToLower(full)] {
			g.names[strings.ToLower(full)] = true
			return short, full
		}
	}
}

func (g *gen) companyDomain(short string, co *country) string {
	var words []string
	for _, w := range strings.Fields(short) {
		if f := fold(w); f != "" && f != "and" {
			words = append(words, f)
		}
	}
	if len(words) == 0 {
		words = []string{"company"}
	}
	base := strings.Join(words, "")
	if len(base) > 18 && len(words) > 2 {
		base = words[0] + words[1]
	}
	tld := g.pick(co.tlds)
	candidates := []string{base, strings.Join(words, "-"), base + "hq", "get" + base, base + "group"}
	for _, c := range candidates {
		if d := c + tld; !g.domains[d] {
			g.domains[d] = true
			return d
		}
	}
	for i := 2; ; i++ {
		if d := fmt.Sprintf("%s%d%s", base, i, tld); !g.domains[d] {
			g.domains[d] = true
			return d
		}
	}
}

// Contacts.

func (g *gen) planContacts(n int) {
	g.contacts = make([]contact, n)
	for i := range g.contacts {
		c := &g.contacts[i]
		c.company = -1
		if i == 0 || g.chance(0.85) {
			c.company = int32(g.r.IntN(len(g.companies)))
		}
		c.first, c.last = g.pick(firstNames), g.pick(lastNames)
		c.title = g.pick(jobTitles)
		c.source = g.pick(leadSources)
		var co *company
		if c.company >= 0 {
			co = &g.companies[c.company]
			c.hasCompany = true
			c.currency, c.industry, c.city, c.companyShort = co.country.currency, co.industry, co.city, co.short
			c.created = g.workHours(g.between(co.created+day, g.now-7*day))
		} else {
			c.currency = "USD"
			c.created = g.workHours(g.between(g.from, g.now-7*day))
		}
		c.emails = g.emails(c.first, c.last, co)
		c.phones = g.phones(co)
		for range g.r.IntN(4) {
			if t := g.pick(contactTags); !slices.Contains(c.tags, t) {
				c.tags = append(c.tags, t)
			}
		}
		if g.chance(0.25) {
			c.cadence = []int{7, 14, 30, 30, 60, 90}[g.r.IntN(6)]
		}
		if g.chance(0.2) {
			tc := textCtx{r: g.r, city: c.city, industry: c.industry, currency: c.currency}
			c.note = tc.render(g.pick(contactNoteTemplates))
		}
		if g.chance(0.3) {
			co := g.pickCountry()
			ct := co.cities[g.r.IntN(len(co.cities))]
			c.addr = co.address(g, co, ct)
			if c.city == "" {
				c.city = ct.name
			}
		}
		c.id = g.id(c.created)
	}
	slices.SortFunc(g.contacts, func(a, b contact) int { return strings.Compare(a.id, b.id) })
}

func (g *gen) emails(first, last string, co *company) []store.Email {
	f, l := fold(first), fold(last)
	if f == "" {
		f = "contact"
	}
	if l == "" {
		l = f
	}
	var out []store.Email
	if co != nil {
		var local string
		switch p := g.r.IntN(100); {
		case p < 55:
			local = f + "." + l
		case p < 70:
			local = f[:1] + l
		case p < 78:
			local = f
		case p < 83:
			local = f + "_" + l
		case p < 88:
			local = f + l[:1]
		case p < 93:
			local = f + "." + l[:1]
		default:
			local = l + "." + f
		}
		out = append(out, store.Email{Email: local + "@" + co.domain, Label: "work"})
	}
	if co == nil || g.chance(0.3) {
		var local string
		switch p := g.r.IntN(4); p {
		case 0:
			local = f + "." + l + g.digits(2)
		case 1:
			local = f + l + g.num(1960, 2001)
		case 2:
			local = f + "_" + l
		default:
			local = f[:1] + l + g.digits(3)
		}
		e := store.Email{Email: local + "@" + g.pick(freeMailDomains), Label: "personal"}
		if len(out) == 0 || !strings.EqualFold(out[0].Email, e.Email) {
			out = append(out, e)
		}
	}
	return out
}

func (g *gen) phones(co *company) []store.Phone {
	c := &countries[0]
	if co != nil {
		c = co.country
	}
	switch p := g.r.IntN(4); p {
	case 0:
		return nil
	case 1:
		return []store.Phone{{Phone: c.landline(g), Label: "work"}, {Phone: c.mobile(g), Label: "mobile"}}
	default:
		if g.chance(0.5) {
			return []store.Phone{{Phone: c.mobile(g), Label: "mobile"}}
		}
		return []store.Phone{{Phone: c.landline(g), Label: "work"}}
	}
}

// Deals.

func (g *gen) planDeals(n int) {
	// Contacts with a company, oldest first, so a deal can pick one that existed when it
	// was opened.
	var cands []int32
	for i := range g.contacts {
		if g.contacts[i].hasCompany {
			cands = append(cands, int32(i))
		}
	}
	if len(cands) == 0 {
		return
	}
	slices.SortFunc(cands, func(a, b int32) int {
		ca, cb := g.contacts[a].created, g.contacts[b].created
		switch {
		case ca < cb:
			return -1
		case ca > cb:
			return 1
		}
		return int(a - b)
	})
	k := len(g.stages)
	g.deals = make([]deal, n)
	for i := range g.deals {
		d := &g.deals[i]
		switch u := g.r.Float64(); {
		case u < 0.15:
			d.status = store.StatusWon
		case u < 0.30:
			d.status = store.StatusLost
		default:
			d.status = store.StatusOpen
		}
		final := g.weightedStage()
		if d.status == store.StatusWon {
			final = k - 1
			if k > 1 && g.chance(0.2) {
				final = k - 2
			}
		}
		d.path = []uint8{0}
		for s := 0; s < final; {
			s++
			if s < final && g.chance(0.1) { // skipped a stage
				s++
			}
			d.path = append(d.path, uint8(s))
		}
		// Time spent in each stage of the path but the last, walking backwards from the
		// moment the deal entered its last stage.
		var last int64
		if d.status == store.StatusOpen {
			rot := int64(g.stages[final].RottingDays) * day
			switch {
			case rot == 0:
				last = g.now - g.r.Int64N(30*day)
			case g.chance(0.2): // rotting
				last = g.now - rot - 2*hour - g.r.Int64N(60*day)
			default:
				last = g.now - g.r.Int64N(rot-2*hour)
			}
			d.expectedClose = time.UnixMilli(g.now + 7*day + g.r.Int64N(110*day)).UTC().Format(store.DateFormat)
		} else {
			d.closed = g.workHours(g.now - day - g.r.Int64N(540*day))
			last = d.closed - g.stageTime()
			d.expectedClose = time.UnixMilli(d.closed - 10*day + g.r.Int64N(30*day)).UTC().Format(store.DateFormat)
		}
		d.entered = make([]int64, len(d.path))
		d.entered[len(d.path)-1] = last
		for j := len(d.path) - 2; j >= 0; j-- {
			d.entered[j] = d.entered[j+1] - g.stageTime()
		}
		d.created = d.entered[0]
		// A contact who existed when the deal was opened.
		j, _ := slices.BinarySearchFunc(cands, d.created, func(c int32, t int64) int {
			if g.contacts[c].created < t {
				return -1
			}
			return 1
		})
		if j > 0 {
			d.contact = cands[g.r.IntN(j)]
		} else {
			d.contact = cands[0]
			g.squeeze(d, g.contacts[d.contact].created+hour)
		}
		ct := &g.contacts[d.contact]
		d.company = ct.company
		co := &g.companies[d.company]
		d.currency = co.country.currency
		product := g.pick(products)
		d.title = co.short + " – " + product + " " + g.pick(dealKinds)
		d.value = g.dealValue()
		if d.status == store.StatusLost {
			d.lostReason = g.pick(lostReasons)
		}
		if g.chance(0.35) {
			d.tags = append(d.tags, g.pick(dealTags))
			if t := g.pick(dealTags); g.chance(0.3) && t != d.tags[0] {
				d.tags = append(d.tags, t)
			}
		}
		if g.chance(0.25) {
			tc := textCtx{r: g.r, first: ct.first, city: co.city, industry: co.industry, currency: d.currency}
			d.note = tc.render(g.pick(dealNoteTemplates))
		}
		d.id = g.id(d.created)
	}
	slices.SortFunc(g.deals, func(a, b deal) int { return strings.Compare(a.id, b.id) })
	for i := range g.deals {
		c := &g.contacts[g.deals[i].contact]
		c.deals = append(c.deals, int32(i))
	}
}

// weightedStage picks a stage for an open or lost deal: earlier stages hold more deals.
func (g *gen) weightedStage() int {
	k := len(g.stages)
	total := 0
	for s := range k {
		total += 2*(k-s) + 1
	}
	n := g.r.IntN(total)
	for s := range k {
		if w := 2*(k-s) + 1; n < w {
			return s
		} else {
			n -= w
		}
	}
	return 0
}

// stageTime is how long a deal stays in a stage it moves on from: two days to two months.
func (g *gen) stageTime() int64 {
	d := 2*day + int64(g.r.ExpFloat64()*10*float64(day))
	return min(d, 60*day)
}

// squeeze rescales a deal's timeline to start at start (when its contact appeared) and end
// where it ended, for the rare deal planned to begin before any contact existed.
func (g *gen) squeeze(d *deal, start int64) {
	end := d.entered[len(d.entered)-1]
	if d.closed != 0 {
		end = d.closed
	}
	end = min(max(end, start+hour), g.now-minute)
	t0 := d.entered[0]
	old := max(end-t0, 1)
	at := func(t int64) int64 {
		return start + int64(float64(t-t0)/float64(old)*float64(end-start))
	}
	for i := range d.entered {
		d.entered[i] = min(at(d.entered[i]), end)
	}
	if d.closed != 0 {
		d.closed = end
	}
	d.created = d.entered[0]
}

// dealValue is a deal's size in minor units: most deals are a few thousand to tens of
// thousands, a few are large.
func (g *gen) dealValue() int64 {
	major := math.Exp(math.Log(12000) + g.r.NormFloat64())
	major = min(max(major, 500), 750000)
	step := 100.0
	if major > 10000 {
		step = 500
	}
	return int64(math.Round(major/step)*step) * 100
}

// Timeline entries.

func (g *gen) planEntries() {
	total := 0
	for i := range g.contacts {
		c := &g.contacts[i]
		c.entryCount = int(g.r.ExpFloat64()*entriesPerContact + 0.5)
		total += c.entryCount
	}
	g.entries = make([]entry, 0, total+2*len(g.deals))
	// The deals' own entries: every stage change, and the win or loss.
	for i := range g.deals {
		d := &g.deals[i]
		for j := 1; j < len(d.path); j++ {
			g.entries = append(g.entries, entry{at: d.entered[j], created: d.entered[j], contact: d.contact, company: d.company,
				deal: int32(i), kind: kindStageChange, from: d.path[j-1], to: d.path[j]})
		}
		if d.closed != 0 {
			g.entries = append(g.entries, entry{at: d.closed, created: d.closed, contact: d.contact, company: d.company,
				deal: int32(i), kind: kindStatusChange})
		}
	}
	for i := range g.contacts {
		c := &g.contacts[i]
		span := g.now - c.created
		for range c.entryCount {
			// More recent entries than old ones: the density grows towards today.
			at := c.created + int64(math.Sqrt(g.r.Float64())*float64(span))
			at = min(max(g.workHours(at), c.created), g.now-minute)
			e := entry{at: at, contact: int32(i), company: c.company, deal: -1, kind: g.entryKind(), seed: g.r.Uint64()}
			e.created = min(at+g.r.Int64N(90*minute), g.now)
			if len(c.deals) > 0 {
				di := c.deals[g.r.IntN(len(c.deals))]
				d := &g.deals[di]
				end := d.closed
				if end == 0 {
					end = g.now
				}
				if at >= d.created && at <= end && g.chance(0.6) {
					e.deal = di
				}
			}
			g.entries = append(g.entries, e)
		}
	}
	for i := range g.entries {
		g.entries[i].id = g.uuid7(g.entries[i].created)
	}
	slices.SortFunc(g.entries, func(a, b entry) int { return compareID(&a.id, &b.id) })
}

func compareID(a, b *[16]byte) int {
	for i := range a {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

func (g *gen) entryKind() uint8 {
	n := g.r.IntN(100)
	for k, w := range kindWeights {
		if n < w {
			return uint8(k)
		}
		n -= w
	}
	return 0
}

// Follow-ups.

func (g *gen) planFollowUps(n int) {
	g.followUps = make([]followUp, n)
	todayStart := g.now - g.now%day
	for i := range g.followUps {
		f := &g.followUps[i]
		f.deal = -1
		var earliest int64
		if len(g.deals) > 0 && g.chance(0.3) {
			f.deal = int32(g.r.IntN(len(g.deals)))
			d := &g.deals[f.deal]
			f.contact = d.contact
			earliest = d.created
		} else {
			f.contact = int32(g.r.IntN(len(g.contacts)))
			earliest = g.contacts[f.contact].created
		}
		f.allDay = g.chance(0.4)
		done := g.chance(0.3)
		switch u := g.r.Float64(); {
		case done:
			f.due = g.now - day - g.r.Int64N(300*day)
		case u < 0.17: // overdue
			f.due = g.now - hour - g.r.Int64N(45*day)
		case u < 0.23: // today
			f.due = todayStart + 8*hour + 15*minute*g.r.Int64N(40)
		default: // the coming weeks
			f.due = g.now + hour + min(int64(g.r.ExpFloat64()*14*float64(day)), 90*day)
		}
		if f.due < earliest+hour {
			f.due = earliest + hour + g.r.Int64N(max(min(10*day, g.now-earliest-hour), 1))
		}
		if f.allDay {
			f.due -= f.due % day
		} else if f.due-f.due%day != todayStart || done {
			f.due = f.due - f.due%day + 8*hour + 15*minute*g.r.Int64N(40)
		}
		f.created = min(f.due, g.now) - hour - g.r.Int64N(21*day)
		f.created = min(max(f.created, earliest+minute), g.now)
		if done {
			f.done = min(max(f.due-day+g.r.Int64N(4*day), f.created), g.now)
		}
		c := &g.contacts[f.contact]
		tc := textCtx{r: g.r, first: c.first, company: c.companyShort, city: c.city, industry: c.industry, currency: c.currency}
		f.title = tc.render(g.pick(followUpTemplates))
		f.id = g.id(f.created)
	}
	slices.SortFunc(g.followUps, func(a, b followUp) int { return strings.Compare(a.id, b.id) })
}
