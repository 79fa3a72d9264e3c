package when

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// Result is a parsed moment. AllDay is true when the phrase named a day but
// no time of day; Time is then local midnight at the start of that day, in
// the location of the now passed to Parse.
type Result struct {
	Time   time.Time
	AllDay bool
}

// ErrUnparseable is wrapped by every parse failure, so callers can test for
// it with errors.Is.
var ErrUnparseable = errors.New("unparseable date")

// slashHint is the hint given for ambiguous slash dates such as "5/12".
const slashHint = "use 2026-12-05"

// Parse interprets phrase relative to now, in now's location. weekStart is
// the first day of the week (usually time.Monday or time.Sunday); it is used
// by "this week", "next week", "end of week" and "this/next <weekday>".
//
// On failure Parse returns an error wrapping ErrUnparseable whose message is
// `cannot understand date "PHRASE"` (the trimmed phrase, quoted), optionally
// followed by ": " and a short hint.
func Parse(phrase string, now time.Time, weekStart time.Weekday) (Result, error) {
	trimmed := strings.TrimSpace(phrase)
	p := parser{
		now:       now,
		loc:       now.Location(),
		today:     civilOf(now),
		weekStart: (weekStart%7 + 7) % 7,
	}
	res, err := p.parse(tokenize(trimmed))
	if err == nil && !inRange(res.Time) {
		err = invalid("date out of range")
	}
	if err != nil {
		return Result{}, newParseError(trimmed, err)
	}
	return res, nil
}

// parseError is the error returned by Parse.
type parseError struct {
	phrase string
	hint   string
}

func newParseError(phrase string, cause error) *parseError {
	var hint invalid
	errors.As(cause, &hint)
	return &parseError{phrase: phrase, hint: string(hint)}
}

func (e *parseError) Error() string {
	msg := "cannot understand date " + strconv.Quote(e.phrase)
	if e.hint != "" {
		msg += ": " + e.hint
	}
	return msg
}

func (e *parseError) Unwrap() error { return ErrUnparseable }

// errNoMatch means a sub-parser did not recognise the shape of its input.
var errNoMatch = errors.New("no match")

// invalid means a sub-parser recognised its input's shape but the values
// are wrong (e.g. "25:00"); the string is a hint for the user.
type invalid string

func (h invalid) Error() string { return string(h) }

// better returns whichever of two failures is more informative: the first
// invalid one, or errNoMatch if neither is invalid.
func better(prev, next error) error {
	if errors.Is(prev, errNoMatch) {
		return next
	}
	return prev
}

// inRange reports whether t is a usable, RFC 3339-formattable time.
func inRange(t time.Time) bool {
	return !t.IsZero() && t.Year() >= 1 && t.Year() <= 9999
}

// tokenize lower-cases s, treats commas as spaces and splits on whitespace.
func tokenize(s string) []string {
	return strings.Fields(strings.ReplaceAll(strings.ToLower(s), ",", " "))
}

// parser holds the reference point for one call to Parse.
type parser struct {
	now       time.Time
	loc       *time.Location
	today     civil
	weekStart time.Weekday
}

// parse tries every top-level form in turn.
func (p parser) parse(toks []string) (Result, error) {
	if len(toks) == 0 {
		return Result{}, errNoMatch
	}
	if hasSlashDate(toks) {
		return Result{}, invalid(slashHint)
	}
	forms := []func([]string) (Result, error){p.moment, p.dayOnly, p.timeOnly, p.dayAndTime}
	fail := errNoMatch
	for _, form := range forms {
		res, err := form(toks)
		if err == nil {
			return res, nil
		}
		fail = better(fail, err)
	}
	return Result{}, fail
}

// hasSlashDate reports whether any token looks like "5/12" or "12/5/2026".
func hasSlashDate(toks []string) bool {
	for _, t := range toks {
		if strings.Contains(t, "/") && strings.ContainsAny(t, "0123456789") {
			return true
		}
	}
	return false
}

// moment parses phrases naming an exact instant: "now", ISO date-times and
// hour/minute offsets.
func (p parser) moment(toks []string) (Result, error) {
	if len(toks) == 1 && toks[0] == "now" {
		return Result{Time: p.now.Truncate(time.Minute)}, nil
	}
	if t, err := p.isoDateTime(toks); !errors.Is(err, errNoMatch) {
		return Result{Time: t}, err
	}
	s, err := parseSpan(toks)
	if err != nil {
		return Result{}, err
	}
	if s.unit > unitHour {
		return Result{}, errNoMatch
	}
	d := time.Duration(s.n) * time.Minute
	if s.unit == unitHour {
		d = time.Duration(s.n) * time.Hour
	}
	return Result{Time: p.now.Add(d).Truncate(time.Minute)}, nil
}

// dayOnly parses a bare day phrase such as "tomorrow" or "dec 5".
func (p parser) dayOnly(toks []string) (Result, error) {
	d, err := p.dayPhrase(toks)
	if err != nil {
		return Result{}, err
	}
	if d.clock != nil {
		return Result{Time: d.date.at(*d.clock, p.loc)}, nil
	}
	return Result{Time: d.date.at(clock{}, p.loc), AllDay: true}, nil
}

// timeOnly parses a bare time of day: today at that time if it is still
// in the future, otherwise tomorrow.
func (p parser) timeOnly(toks []string) (Result, error) {
	c, err := parseClockPhrase(toks)
	if err != nil {
		return Result{}, err
	}
	t := p.today.at(c, p.loc)
	if !t.After(p.now) {
		t = p.today.addDays(1).at(c, p.loc)
	}
	return Result{Time: t}, nil
}

// dayAndTime parses a day phrase and a time of day in either order.
func (p parser) dayAndTime(toks []string) (Result, error) {
	fail := errNoMatch
	for i := 1; i < len(toks); i++ {
		res, err := p.combine(toks[:i], toks[i:])
		if err == nil {
			return res, nil
		}
		fail = better(fail, err)
		res, err = p.combine(toks[i:], toks[:i])
		if err == nil {
			return res, nil
		}
		fail = better(fail, err)
	}
	return Result{}, fail
}

// combine parses dayToks as a day phrase and timeToks as a time of day.
func (p parser) combine(dayToks, timeToks []string) (Result, error) {
	c, err := parseClockPhrase(timeToks)
	if err != nil {
		return Result{}, err
	}
	d, err := p.dayPhrase(dayToks)
	if err != nil {
		return Result{}, err
	}
	return Result{Time: d.date.at(c, p.loc)}, nil
}
