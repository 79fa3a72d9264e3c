package store

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// The reports answer a rep's weekly questions (am I winning, where do deals stall, how long
// do they take, what will close, am I keeping up with my people) from the deals and their
// stage history. Every figure is aggregated in SQL from indexes; only the durations whose
// medians are wanted come back to Go, one number per deal or stage stint. README.md
// ("Reports") defines each figure; the comments here say how it is computed.

// Period is the span of time a report covers: From inclusive, To exclusive.
type Period struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// DefaultPeriodDays is the length of the period a report covers unless told otherwise.
const DefaultPeriodDays = 90

// LastDays is the period of the n days up to now.
func LastDays(now time.Time, n int) Period { return Period{From: now.AddDate(0, 0, -n), To: now} }

func (p Period) check() error {
	switch {
	case p.From.IsZero() || p.To.IsZero():
		return fmt.Errorf("%w: a report period needs a start and an end", ErrInvalid)
	case !p.From.Before(p.To):
		return fmt.Errorf("%w: the period starts (%s) after it ends (%s)", ErrInvalid,
			p.From.Format("2006-01-02 15:04"), p.To.Format("2006-01-02 15:04"))
	}
	return nil
}

// utc is p as reports return it: UTC, to the millisecond, as times are stored.
func (p Period) utc() Period {
	return Period{p.From.UTC().Truncate(time.Millisecond), p.To.UTC().Truncate(time.Millisecond)}
}

// Win-rate denominators (the config key win_rate_denominator).
const (
	// WinRateClosed divides won deals by the deals won or lost: Won ÷ (Won + Lost).
	WinRateClosed = "closed"
	// WinRateClosedAndStale also counts the open deals whose expected close date fell in
	// the period: Won ÷ (Won + Lost + Stale), as Zoho's "overdue" deals.
	WinRateClosedAndStale = "closed_and_stale"
)

// ReportOptions tune the reports.
type ReportOptions struct {
	// WinRateDenominator is WinRateClosed (the default when empty) or WinRateClosedAndStale.
	WinRateDenominator string
}

func (o ReportOptions) denominator() (string, error) {
	switch o.WinRateDenominator {
	case "", WinRateClosed:
		return WinRateClosed, nil
	case WinRateClosedAndStale:
		return WinRateClosedAndStale, nil
	}
	return "", fmt.Errorf("%w: win-rate denominator %q must be %s or %s", ErrInvalid, o.WinRateDenominator, WinRateClosed, WinRateClosedAndStale)
}

// liveDeal is the condition every report puts on deals: not deleted, not merged away.
const liveDeal = "d.deleted_at IS NULL AND d.merged_into IS NULL"

// ranking maps the live stages to their rank in the pipeline (0 is the first stage) inside
// SQL, as a CASE over the stage ids: there are few stages, and a CASE costs less per row
// than a join. A stage not in the pipeline (deleted since) ranks -1.
type ranking struct{ stages []Stage }

func (db *DB) ranking(ctx context.Context) (ranking, error) {
	stages, err := db.Stages(ctx)
	return ranking{stages}, err
}

func sqlQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func (r ranking) rank(col string) string {
	if len(r.stages) == 0 {
		return "-1"
	}
	var b strings.Builder
	b.WriteString("CASE " + col)
	for i, s := range r.stages {
		fmt.Fprintf(&b, " WHEN %s THEN %d", sqlQuote(s.ID), i)
	}
	b.WriteString(" ELSE -1 END")
	return b.String()
}

// backward selects, per deal, the rank of the furthest stage it left by moving backwards
// (deal_id, top), or "" when the pipeline has one stage. The stages a deal has been in
// are its current stage and every stage it left; the furthest of them is either the
// current stage or one it left by moving backwards (had it left that stage forwards, it
// would have gone further). So only backward moves are read, one index lookup per pair
// of stages in interactions_stage_moves: most deals never move back. (This holds for a
// history whose last move led to the current stage, as every move made here does. A
// history that does not, such as two devices moving a deal at once before a sync, counts
// the deal up to its current stage or a stage it left backwards.)
func (r ranking) backward() string {
	moves := r.backMoves(1)
	if moves == "" {
		return ""
	}
	return "SELECT h.deal_id, max(" + r.rank("h.from_stage") + ") AS top " + moves + " GROUP BY h.deal_id"
}

// backMoves is the FROM and WHERE of the backward moves out of a stage of rank k or
// later, or "" when there are none to look for.
func (r ranking) backMoves(k int) string {
	var pairs []string
	for i := max(k, 1); i < len(r.stages); i++ {
		for _, lower := range r.stages[:i] {
			pairs = append(pairs, "("+sqlQuote(r.stages[i].ID)+", "+sqlQuote(lower.ID)+")")
		}
	}
	if len(pairs) == 0 {
		return ""
	}
	return "FROM interactions h INDEXED BY interactions_stage_moves" +
		" WHERE h.kind = 'stage_change' AND h.redacted = 0 AND (h.from_stage, h.to_stage) IN (VALUES " + strings.Join(pairs, ", ") + ")"
}

// reached is the SQL condition that deal d reached the stage of rank k: that the furthest
// stage it has been in (as backward tells, the current one or one it left backwards) is
// that stage or a later one. The backward moves are looked up once, not per deal.
func (r ranking) reached(k int) string {
	if k >= len(r.stages) {
		return "0"
	}
	cond := fmt.Sprintf("%s >= %d", r.rank("d.stage_id"), k)
	if moves := r.backMoves(k); moves != "" {
		cond = "(" + cond + " OR d.id IN (SELECT h.deal_id " + moves + "))"
	}
	return cond
}

// furthestIs is the SQL condition that the furthest stage deal d reached is the stage of
// rank k (as the win rate by stage counts it).
func (r ranking) furthestIs(k int) string {
	if k+1 >= len(r.stages) {
		return r.reached(k)
	}
	return r.reached(k) + " AND NOT " + r.reached(k+1)
}

func (r ranking) of(stageID string) int {
	for i, s := range r.stages {
		if s.ID == stageID {
			return i
		}
	}
	return -1
}

// outcome is a count of deals with one status, lead source and furthest stage reached.
type outcome struct {
	status, source string
	top, n         int
}

// outcomes counts the live deals matching where (a condition on "deals d") by status,
// furthest stage reached and, if bySource, their contact's lead source. It counts them
// by current stage from the indexes, then moves the few deals that once went further
// and came back to the furthest stage they reached.
func (db *DB) outcomes(ctx context.Context, r ranking, bySource bool, where string, args ...any) ([]outcome, error) {
	src, from := "''", " FROM deals d"
	if bySource {
		src, from = "coalesce(c.source, '')", " FROM deals d LEFT JOIN contacts c ON c.id = d.contact_id"
	}
	type key struct {
		status, source string
		top            int
	}
	counts := map[key]int{}
	err := db.scan(ctx, "SELECT d.status, "+src+", d.stage_id, count(*)"+from+" WHERE "+where+" AND "+liveDeal+" GROUP BY 1, 2, 3", args,
		func(scan func(...any) error) error {
			var k key
			var stage string
			var n int
			if err := scan(&k.status, &k.source, &stage, &n); err != nil {
				return err
			}
			k.top = r.of(stage)
			counts[k] += n
			return nil
		})
	if err != nil {
		return nil, err
	}
	if b := r.backward(); b != "" {
		err := db.scan(ctx, "SELECT d.status, "+src+", d.stage_id, b.top FROM ("+b+") b CROSS JOIN deals d ON d.id = b.deal_id"+
			strings.TrimPrefix(from, " FROM deals d")+" WHERE "+where+" AND "+liveDeal, args,
			func(scan func(...any) error) error {
				var k key
				var stage string
				var top int
				if err := scan(&k.status, &k.source, &stage, &top); err != nil {
					return err
				}
				if k.top = r.of(stage); top > k.top {
					counts[k]--
					k.top = top
					counts[k]++
				}
				return nil
			})
		if err != nil {
			return nil, err
		}
	}
	out := make([]outcome, 0, len(counts))
	for k, n := range counts {
		if n != 0 {
			out = append(out, outcome{k.status, k.source, k.top, n})
		}
	}
	return out, nil
}

// scan runs q and calls fn for each row.
func (db *DB) scan(ctx context.Context, q string, args []any, fn func(scan func(...any) error) error) error {
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

// closedIn selects the deals won or lost in a period (through deals_closed).
const closedIn = "d.status <> 'open' AND d.closed_at >= ? AND d.closed_at < ?"

// createdIn selects the deals created in a period, the funnel's (through deals_created).
const createdIn = "d.created_at >= ? AND d.created_at < ? AND d.created_at > ''"

// staleIn selects the open deals whose expected close date fell in a period: on or after
// its first day and before its last day (a date is "past" only once its day is over).
const staleIn = "d.status = 'open' AND d.expected_close >= ? AND d.expected_close < ?"

func (p Period) instants() []any { return []any{fmtTime(p.From), fmtTime(p.To)} }

// days are the calendar days of p's ends, in the time zone p was given in.
func (p Period) days() []any { return []any{p.From.Format(DateFormat), p.To.Format(DateFormat)} }

// WinRateCounts are the deals a win rate is computed from.
type WinRateCounts struct {
	Won  int `json:"won"`
	Lost int `json:"lost"`
	// Stale counts the open deals whose expected close date fell in the period; only the
	// closed_and_stale denominator counts them.
	Stale int `json:"stale"`
	// Rate is Won ÷ (Won + Lost + Stale), absent ("n/a") when that is zero.
	Rate *float64 `json:"rate,omitempty"`
}

func (c *WinRateCounts) add(o outcome) {
	switch o.status {
	case StatusWon:
		c.Won += o.n
	case StatusLost:
		c.Lost += o.n
	default:
		c.Stale += o.n
	}
}

func (c *WinRateCounts) finish() {
	c.Rate = ratio(c.Won, c.Won+c.Lost+c.Stale)
}

// ratio is a ÷ b rounded to four decimals, or nil when b is zero.
func ratio(a, b int) *float64 {
	if b == 0 {
		return nil
	}
	r := round(float64(a)/float64(b), 4)
	return &r
}

func round(x float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Round(x*p) / p
}

// SourceWinRate is the win rate of the deals from one lead source.
type SourceWinRate struct {
	Source string `json:"source"`
	WinRateCounts
}

// StageWinRate is the win rate of the deals whose furthest stage was Stage.
type StageWinRate struct {
	Stage   string `json:"stage"`
	StageID string `json:"stage_id"`
	WinRateCounts
}

// WinRate is the share of deals won among those closed in a period, overall, by the lead
// source of the deal's contact and by the furthest stage the deal reached.
type WinRate struct {
	Period
	Denominator string `json:"denominator"`
	WinRateCounts
	BySource []SourceWinRate `json:"by_source"`
	ByStage  []StageWinRate  `json:"by_stage"`
}

// WinRate computes the win rate of the deals won or lost in p: Won ÷ (Won + Lost), or with
// the closed_and_stale denominator Won ÷ (Won + Lost + Stale), where Stale are the open
// deals whose expected close date fell in p. The breakdown by source is ordered by the
// number of deals, most first; the one by stage follows the pipeline.
func (db *DB) WinRate(ctx context.Context, p Period, o ReportOptions) (*WinRate, error) {
	w, err := db.winRate(ctx, p, o, true)
	if err != nil {
		return nil, fmt.Errorf("win rate: %w", err)
	}
	return w, nil
}

func (db *DB) winRate(ctx context.Context, p Period, o ReportOptions, breakdown bool) (*WinRate, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	den, err := o.denominator()
	if err != nil {
		return nil, err
	}
	r, err := db.ranking(ctx)
	if err != nil {
		return nil, err
	}
	list, err := db.outcomes(ctx, r, breakdown, closedIn, p.instants()...)
	if err != nil {
		return nil, err
	}
	if den == WinRateClosedAndStale {
		stale, err := db.outcomes(ctx, r, breakdown, staleIn, p.days()...)
		if err != nil {
			return nil, err
		}
		list = append(list, stale...)
	}
	w := &WinRate{Period: p.utc(), Denominator: den, BySource: []SourceWinRate{}, ByStage: []StageWinRate{}}
	bySource := map[string]*WinRateCounts{}
	byStage := make([]WinRateCounts, len(r.stages))
	for _, o := range list {
		w.add(o)
		if !breakdown {
			continue
		}
		if bySource[o.source] == nil {
			bySource[o.source] = &WinRateCounts{}
		}
		bySource[o.source].add(o)
		if o.top >= 0 && o.top < len(byStage) {
			byStage[o.top].add(o)
		}
	}
	w.finish()
	if !breakdown {
		return w, nil
	}
	for src, c := range bySource {
		c.finish()
		w.BySource = append(w.BySource, SourceWinRate{src, *c})
	}
	sort.Slice(w.BySource, func(i, j int) bool {
		a, b := w.BySource[i], w.BySource[j]
		if na, nb := a.Won+a.Lost+a.Stale, b.Won+b.Lost+b.Stale; na != nb {
			return na > nb
		}
		return a.Source < b.Source
	})
	for i, s := range r.stages {
		byStage[i].finish()
		w.ByStage = append(w.ByStage, StageWinRate{s.Name, s.ID, byStage[i]})
	}
	return w, nil
}

// FunnelStage is one step of the funnel.
type FunnelStage struct {
	Stage   string `json:"stage"`
	StageID string `json:"stage_id"`
	// Reached counts the deals that reached this stage or a later one.
	Reached int `json:"reached"`
	// Conversion is the share of them that reached the next stage (after the last stage:
	// that were won); absent when Reached is zero.
	Conversion *float64 `json:"conversion,omitempty"`
}

// Funnel follows the deals created in a period through the pipeline.
type Funnel struct {
	Period
	// Deals were created in the period; Won, Lost and Open say where they are now.
	Deals  int           `json:"deals"`
	Stages []FunnelStage `json:"stages"`
	Won    int           `json:"won"`
	Lost   int           `json:"lost"`
	Open   int           `json:"open"`
}

// Funnel counts, for each stage, the deals created in p that reached it, and the share of
// them that went on to the next stage (after the last one: to won). The count is
// cumulative: a deal counts for every stage up to the furthest it has been in, so a deal
// that skipped a stage still counts for it; a backward move adds nothing and a stage
// entered twice counts once. A won deal counts for every stage.
func (db *DB) Funnel(ctx context.Context, p Period) (*Funnel, error) {
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("funnel: %w", err)
	}
	r, err := db.ranking(ctx)
	if err != nil {
		return nil, fmt.Errorf("funnel: %w", err)
	}
	list, err := db.outcomes(ctx, r, false, createdIn, p.instants()...)
	if err != nil {
		return nil, fmt.Errorf("funnel: %w", err)
	}
	f := &Funnel{Period: p.utc(), Stages: []FunnelStage{}}
	reached := make([]int, len(r.stages))
	for _, o := range list {
		f.Deals += o.n
		top := o.top
		switch o.status {
		case StatusWon:
			f.Won += o.n
			top = len(r.stages) - 1
		case StatusLost:
			f.Lost += o.n
		default:
			f.Open += o.n
		}
		for k := 0; k <= top && k < len(reached); k++ {
			reached[k] += o.n
		}
	}
	for k, s := range r.stages {
		next := f.Won
		if k+1 < len(reached) {
			next = reached[k+1]
		}
		f.Stages = append(f.Stages, FunnelStage{Stage: s.Name, StageID: s.ID, Reached: reached[k], Conversion: ratio(next, reached[k])})
	}
	return f, nil
}

// StageTime is how long deals stayed in one stage.
type StageTime struct {
	Stage   string `json:"stage"`
	StageID string `json:"stage_id"`
	// Stints counts the stays in the stage that ended in the period.
	Stints     int      `json:"stints"`
	MedianDays *float64 `json:"median_days,omitempty"`
}

// Cycle is how long deals take to close, and how long they stay in each stage.
type Cycle struct {
	Period
	Closed     int         `json:"closed"`
	Won        int         `json:"won"`
	Lost       int         `json:"lost"`
	MedianDays *float64    `json:"median_days,omitempty"`
	P80Days    *float64    `json:"p80_days,omitempty"`
	Stages     []StageTime `json:"stages"`
}

// closedStay is the days of the last stay of a closed deal d, in the stage it closed in:
// from entering the stage to closing.
const closedStay = "julianday(d.closed_at) - julianday(d.stage_entered_at)"

// movedIn selects the stage changes h in a period of deals neither deleted nor merged (a
// lookup in the short list of such deals, not a lookup of every deal); movedStay is the
// days of the stay that each ended, in its from_stage: from the deal's previous move (or
// its creation) to this one.
const (
	movedIn = "h.kind = 'stage_change' AND h.redacted = 0 AND h.occurred_at >= ? AND h.occurred_at < ?" +
		" AND h.deal_id NOT IN (SELECT id FROM deals WHERE deleted_at IS NOT NULL OR merged_into IS NOT NULL)"
	movedStay = "julianday(h.occurred_at) - julianday(coalesce(" +
		"(SELECT max(e.occurred_at) FROM interactions e INDEXED BY interactions_stage_history" +
		" WHERE e.deal_id = h.deal_id AND e.kind = 'stage_change' AND e.redacted = 0 AND e.occurred_at < h.occurred_at)," +
		" (SELECT created_at FROM deals INDEXED BY deals_since WHERE id = h.deal_id)))"
)

// Cycle measures the deals won or lost in p: the median and 80th percentile of the days
// from creation to closing, and for each stage the median days of the stays in it that
// ended in p (by a move to another stage, or by closing the deal). The stay of an open
// deal in its current stage has not ended, so it is not counted. Days are rounded to a
// tenth; percentiles interpolate between the closest ranks (see percentile).
func (db *DB) Cycle(ctx context.Context, p Period) (*Cycle, error) {
	c, err := db.cycle(ctx, p, true)
	if err != nil {
		return nil, fmt.Errorf("cycle: %w", err)
	}
	return c, nil
}

func (db *DB) cycle(ctx context.Context, p Period, stages bool) (*Cycle, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	r, err := db.ranking(ctx)
	if err != nil {
		return nil, err
	}
	c := &Cycle{Period: p.utc(), Stages: []StageTime{}}
	stints := make([][]float64, len(r.stages))
	// The deals closed in p: their life, and their last stay (in the stage they closed in).
	rows, err := db.query(ctx, "SELECT d.status, julianday(d.closed_at) - julianday(d.created_at), "+r.rank("d.stage_id")+
		", "+closedStay+" FROM deals d WHERE "+closedIn+" AND "+liveDeal, p.instants()...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var lives []float64
	for rows.Next() {
		var status string
		var life, last float64
		var rank int
		if err := rows.Scan(&status, &life, &rank, &last); err != nil {
			return nil, err
		}
		lives = append(lives, life)
		if status == StatusWon {
			c.Won++
		} else {
			c.Lost++
		}
		if rank >= 0 {
			stints[rank] = append(stints[rank], last)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	c.Closed = len(lives)
	c.MedianDays, c.P80Days = percentile(lives, 0.5), percentile(lives, 0.8)
	if !stages {
		return c, nil
	}
	// The stays that ended with a move in p.
	rows, err = db.query(ctx, "SELECT "+r.rank("h.from_stage")+", "+movedStay+" FROM interactions h INDEXED BY interactions_stage_history WHERE "+movedIn, p.instants()...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var rank int
		var days float64
		if err := rows.Scan(&rank, &days); err != nil {
			return nil, err
		}
		if rank >= 0 {
			stints[rank] = append(stints[rank], days)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i, s := range r.stages {
		c.Stages = append(c.Stages, StageTime{Stage: s.Name, StageID: s.ID, Stints: len(stints[i]), MedianDays: percentile(stints[i], 0.5)})
	}
	return c, nil
}

// percentile is the q-quantile (0 < q < 1) of xs in days, rounded to a tenth, or nil for
// no values. It interpolates linearly between the closest ranks, as numpy's default and
// Excel's PERCENTILE.INC do: with the values sorted as x[0] ≤ … ≤ x[n-1] and
// h = q·(n−1), it is x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]). For q = 0.5 that is the
// usual median (the middle value, or the mean of the two middle ones).
func percentile(xs []float64, q float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	h := q * float64(len(s)-1)
	i := int(math.Floor(h))
	v := s[i]
	if i+1 < len(s) {
		v += (h - float64(i)) * (s[i+1] - s[i])
	}
	v = round(v, 1)
	return &v
}

// CurrencyVelocity is the pipeline velocity in one currency.
type CurrencyVelocity struct {
	Currency  string `json:"currency"`
	OpenDeals int    `json:"open_deals"`
	// AverageValue is the open deals' mean value, in minor units.
	AverageValue int64 `json:"average_value"`
	// PerDay is OpenDeals × AverageValue × WinRate ÷ CycleDays, in minor units: the value
	// the pipeline is expected to turn into won business per day. Absent when the win
	// rate or the cycle length is.
	PerDay *int64 `json:"per_day,omitempty"`
}

// Velocity is how much value the pipeline turns into won business per day.
type Velocity struct {
	Period
	Denominator string `json:"denominator"`
	// WinRate and CycleDays are those of the deals closed in the period (the win-rate and
	// cycle reports); they are the same for every currency.
	WinRate    *float64           `json:"win_rate,omitempty"`
	CycleDays  *float64           `json:"cycle_days,omitempty"`
	Currencies []CurrencyVelocity `json:"currencies"`
}

// Velocity computes, per currency, open deals × average value × win rate ÷ median cycle
// length in days: the open deals are those open now; the win rate (with o's denominator)
// and the median cycle are those of the deals closed in p.
func (db *DB) Velocity(ctx context.Context, p Period, o ReportOptions) (*Velocity, error) {
	w, err := db.winRate(ctx, p, o, false)
	if err != nil {
		return nil, fmt.Errorf("velocity: %w", err)
	}
	c, err := db.cycle(ctx, p, false)
	if err != nil {
		return nil, fmt.Errorf("velocity: %w", err)
	}
	v := &Velocity{Period: p.utc(), Denominator: w.Denominator, WinRate: w.Rate, CycleDays: c.MedianDays, Currencies: []CurrencyVelocity{}}
	rows, err := db.query(ctx, "SELECT d.currency, count(*), sum(d.value) FROM deals d WHERE d.status = 'open' AND "+liveDeal+" GROUP BY d.currency ORDER BY d.currency")
	if err != nil {
		return nil, fmt.Errorf("velocity: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var cv CurrencyVelocity
		var sum int64
		if err := rows.Scan(&cv.Currency, &cv.OpenDeals, &sum); err != nil {
			return nil, fmt.Errorf("velocity: %w", err)
		}
		cv.AverageValue = int64(math.Round(float64(sum) / float64(cv.OpenDeals)))
		if v.WinRate != nil && v.CycleDays != nil && *v.CycleDays > 0 {
			// OpenDeals × AverageValue is the total; computed from it, so that the mean's
			// rounding does not leak into the product.
			pd := int64(math.Round(float64(sum) * *v.WinRate / *v.CycleDays))
			cv.PerDay = &pd
		}
		v.Currencies = append(v.Currencies, cv)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("velocity: %w", err)
	}
	return v, nil
}

// ForecastOptions shape the forecast.
type ForecastOptions struct {
	// Months is how many calendar months to forecast, starting with the current one;
	// 0 means 3.
	Months int
	// Loc is the time zone whose calendar decides the current month; nil means UTC.
	Loc *time.Location
}

// ForecastLine is the open deals expected to close in one month (or overdue, later, or
// without an expected close date).
type ForecastLine struct {
	// Month is YYYY-MM for a month's line, and absent for the others.
	Month  string          `json:"month,omitempty"`
	Deals  int             `json:"deals"`
	Totals []CurrencyTotal `json:"totals"`
	// Weighted is each deal's value × its stage's probability.
	Weighted []CurrencyTotal `json:"weighted"`
	// Historical is each deal's value × the historical conversion from its stage to won.
	Historical []CurrencyTotal `json:"historical"`
}

// StageConversion is how often deals that reached a stage were won, over all history.
type StageConversion struct {
	Stage       string `json:"stage"`
	Probability int    `json:"probability"`
	// Reached counts the closed deals that reached the stage (as the funnel counts);
	// Won of them were won.
	Reached int `json:"reached"`
	Won     int `json:"won"`
	// Rate is what the historical forecast weighs the stage's deals by: Won ÷ Reached
	// (basis "history"), or the stage's probability when fewer than
	// MinConversionDeals closed deals reached it (basis "probability").
	Rate  float64 `json:"rate"`
	Basis string  `json:"basis"`
}

// MinConversionDeals is how many closed deals must have reached a stage before the
// forecast trusts its historical conversion over the stage's probability.
const MinConversionDeals = 5

// Forecast is the expected revenue of the open deals by expected close month.
type Forecast struct {
	Months []ForecastLine `json:"months"`
	// Overdue holds the deals expected to close before the current month, Later those
	// expected after the last month, Unscheduled those without an expected close date.
	Overdue     ForecastLine      `json:"overdue"`
	Later       ForecastLine      `json:"later"`
	Unscheduled ForecastLine      `json:"unscheduled"`
	Conversion  []StageConversion `json:"conversion"`
}

// Forecast sums the open deals by the month of their expected close date, for o.Months
// calendar months from the current one, weighted two ways: by each stage's probability
// (value × probability ÷ 100, rounded down per stage and currency, as the pipeline does)
// and by the historical conversion from the stage to won (value × rate, rounded).
func (db *DB) Forecast(ctx context.Context, o ForecastOptions) (*Forecast, error) {
	f, err := db.forecast(ctx, o)
	if err != nil {
		return nil, fmt.Errorf("forecast: %w", err)
	}
	return f, nil
}

func (db *DB) forecast(ctx context.Context, o ForecastOptions) (*Forecast, error) {
	if o.Months < 0 || o.Months > 120 {
		return nil, fmt.Errorf("%w: forecast months %d must be between 1 and 120", ErrInvalid, o.Months)
	}
	if o.Months == 0 {
		o.Months = 3
	}
	if o.Loc == nil {
		o.Loc = time.UTC
	}
	r, err := db.ranking(ctx)
	if err != nil {
		return nil, err
	}
	conv, err := db.conversion(ctx, r)
	if err != nil {
		return nil, err
	}
	f := &Forecast{Conversion: conv}
	now := db.Now().In(o.Loc)
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	months := map[string]int{}
	for i := range o.Months {
		m := first.AddDate(0, i, 0).Format("2006-01")
		months[m] = i
	}
	lines := make([]lineSums, o.Months+3) // the months, then overdue, later, unscheduled
	overdue, later, unscheduled := o.Months, o.Months+1, o.Months+2
	stage := map[string]int{}
	for i, s := range r.stages {
		stage[s.ID] = i
	}
	// The deals with an expected close date and those without, each from its own index.
	rows, err := db.query(ctx, "SELECT substr(d.expected_close, 1, 7), d.stage_id, d.currency, count(*), sum(d.value) FROM deals d"+
		" WHERE d.status = 'open' AND "+liveDeal+" AND d.expected_close IS NOT NULL GROUP BY 1, 2, 3"+
		" UNION ALL SELECT NULL, d.stage_id, d.currency, count(*), sum(d.value) FROM deals d"+
		" WHERE d.status = 'open' AND "+liveDeal+" AND d.expected_close IS NULL GROUP BY 2, 3")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var month *string
		var stageID, cur string
		var n int
		var sum int64
		if err := rows.Scan(&month, &stageID, &cur, &n, &sum); err != nil {
			return nil, err
		}
		i := unscheduled
		if month != nil {
			var ok bool
			if i, ok = months[*month]; !ok {
				i = later
				if *month < first.Format("2006-01") {
					i = overdue
				}
			}
		}
		var weighted, historical int64
		if k, ok := stage[stageID]; ok {
			weighted = sum * int64(r.stages[k].Probability) / 100
			historical = int64(math.Round(float64(sum) * conv[k].Rate))
		}
		lines[i].add(n, cur, sum, weighted, historical)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	f.Months = make([]ForecastLine, o.Months)
	for i := range o.Months {
		f.Months[i] = lines[i].line(first.AddDate(0, i, 0).Format("2006-01"))
	}
	f.Overdue, f.Later, f.Unscheduled = lines[overdue].line(""), lines[later].line(""), lines[unscheduled].line("")
	return f, nil
}

// lineSums accumulates one forecast line per currency.
type lineSums struct {
	deals                       int
	total, weighted, historical map[string]int64
}

func (l *lineSums) add(n int, cur string, total, weighted, historical int64) {
	if l.total == nil {
		l.total, l.weighted, l.historical = map[string]int64{}, map[string]int64{}, map[string]int64{}
	}
	l.deals += n
	l.total[cur] += total
	l.weighted[cur] += weighted
	l.historical[cur] += historical
}

func (l *lineSums) line(month string) ForecastLine {
	return ForecastLine{Month: month, Deals: l.deals, Totals: sortedTotals(l.total),
		Weighted: sortedTotals(l.weighted), Historical: sortedTotals(l.historical)}
}

// conversion is, for each stage, the share of the closed deals that reached it (as the
// funnel counts: a won deal reached every stage) that were won, over all history.
func (db *DB) conversion(ctx context.Context, r ranking) ([]StageConversion, error) {
	list, err := db.outcomes(ctx, r, false, "d.status <> 'open' AND d.closed_at IS NOT NULL")
	if err != nil {
		return nil, err
	}
	won := 0
	lostFrom := make([]int, len(r.stages)) // lost deals by furthest stage
	for _, o := range list {
		if o.status == StatusWon {
			won += o.n
		} else if o.top >= 0 && o.top < len(lostFrom) {
			lostFrom[o.top] += o.n
		}
	}
	out := make([]StageConversion, len(r.stages))
	lost := 0 // lost deals that reached stage k or further
	for k := len(r.stages) - 1; k >= 0; k-- {
		lost += lostFrom[k]
		s := r.stages[k]
		c := StageConversion{Stage: s.Name, Probability: s.Probability, Reached: won + lost, Won: won,
			Rate: float64(s.Probability) / 100, Basis: "probability"}
		if c.Reached >= MinConversionDeals {
			c.Rate, c.Basis = round(float64(won)/float64(c.Reached), 4), "history"
		}
		out[k] = c
	}
	return out, nil
}

// UntouchedContact is a contact with open deals, and what those deals are worth.
type UntouchedContact struct {
	Contact
	OpenDeals int             `json:"open_deals"`
	OpenValue []CurrencyTotal `json:"open_value"`
}

// untouchedCond selects live contacts with at least one open deal whose last touch (or
// creation, if never touched) is before a cutoff. Only the contacts with open deals are
// looked up, each in contacts_touched alone. (The comparison of created_at with the
// empty string, always true, is the condition of contacts_touched that no other query
// states: see migration 0004.)
const untouchedCond = `c.deleted_at IS NULL AND c.merged_into IS NULL AND c.created_at > ''
	AND coalesce(c.last_touched_at, c.created_at) < ?
	AND c.id IN (SELECT d.contact_id FROM deals d WHERE d.status = 'open' AND ` + liveDeal + ` AND d.contact_id IS NOT NULL)`

// UntouchedContacts returns the valuable contacts, those with open deals, that nobody
// has touched in the last days days (never touched counts from their creation), least
// recently touched first (up to limit; 0 means all), and how many there are.
func (db *DB) UntouchedContacts(ctx context.Context, days, limit int) ([]UntouchedContact, int, error) {
	return db.UntouchedContactsAt(ctx, days, 0, limit)
}

// UntouchedContactsAt is UntouchedContacts from an offset: a window of the list further
// down.
func (db *DB) UntouchedContactsAt(ctx context.Context, days, offset, limit int) ([]UntouchedContact, int, error) {
	if offset < 0 {
		return nil, 0, fmt.Errorf("untouched contacts: %w: offset %d is negative", ErrInvalid, offset)
	}
	if days <= 0 {
		return nil, 0, fmt.Errorf("%w: days %d must be 1 or more", ErrInvalid, days)
	}
	cutoff := fmtTime(db.Now().AddDate(0, 0, -days))
	// One pass finds them all (and counts them); only the page is read in full.
	var total int
	var ids []string
	err := db.scan(ctx, "WITH u AS MATERIALIZED (SELECT c.id, coalesce(c.last_touched_at, c.created_at) AS t FROM contacts c INDEXED BY contacts_touched WHERE "+
		untouchedCond+") SELECT (SELECT count(*) FROM u), id FROM u ORDER BY t, id"+limitClause(limit, offset), []any{cutoff},
		func(scan func(...any) error) error {
			var id string
			if err := scan(&total, &id); err != nil {
				return err
			}
			ids = append(ids, id)
			return nil
		})
	if err != nil {
		return nil, 0, fmt.Errorf("untouched contacts: %w", err)
	}
	out := []UntouchedContact{}
	if len(ids) == 0 && offset > 0 { // a window past the end: count them alone
		err := db.queryRow(ctx, "SELECT count(*) FROM contacts c INDEXED BY contacts_touched WHERE "+untouchedCond, []any{cutoff}, &total)
		if err != nil {
			return nil, 0, fmt.Errorf("untouched contacts: %w", err)
		}
	}
	if len(ids) == 0 {
		return out, total, nil
	}
	// The page's ids go in as one JSON array, however long the page (--limit 0 is all).
	idList, err := json.Marshal(ids)
	if err != nil {
		return nil, 0, fmt.Errorf("untouched contacts: %w", err)
	}
	in := " IN (SELECT value FROM json_each(?))"
	rows, err := db.sql.QueryContext(ctx, "SELECT "+contactCols+contactFrom+"WHERE c.id"+in+" ORDER BY coalesce(c.last_touched_at, c.created_at), c.id", string(idList))
	if err != nil {
		return nil, 0, fmt.Errorf("untouched contacts: %w", err)
	}
	defer rows.Close()
	var list []*Contact
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("untouched contacts: %w", err)
		}
		list = append(list, c)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("untouched contacts: %w", err)
	}
	rows.Close()
	if err := db.fillContacts(ctx, list); err != nil {
		return nil, 0, err
	}
	idx := map[string]int{}
	for i, c := range list {
		out = append(out, UntouchedContact{Contact: *c, OpenValue: []CurrencyTotal{}})
		idx[c.ID] = i
	}
	rows, err = db.sql.QueryContext(ctx, "SELECT d.contact_id, d.currency, count(*), sum(d.value) FROM deals d WHERE d.status = 'open' AND "+liveDeal+
		" AND d.contact_id"+in+" GROUP BY 1, 2 ORDER BY 1, 2", string(idList))
	if err != nil {
		return nil, 0, fmt.Errorf("untouched contacts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, cur string
		var n int
		var sum int64
		if err := rows.Scan(&id, &cur, &n, &sum); err != nil {
			return nil, 0, fmt.Errorf("untouched contacts: %w", err)
		}
		u := &out[idx[id]]
		u.OpenDeals += n
		u.OpenValue = append(u.OpenValue, CurrencyTotal{cur, sum})
	}
	return out, total, rows.Err()
}
