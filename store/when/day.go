package when

import (
	"strings"
	"time"
)

// hintNoSuchDate is the hint for well-formed but impossible dates.
const hintNoSuchDate = "no such date"

// day is a parsed day phrase: a date and, for words like "tonight", a
// default time of day.
type day struct {
	date  civil
	clock *clock
}

// dayPhrase parses anything that names a calendar day, with an optional
// leading "on".
func (p parser) dayPhrase(toks []string) (day, error) {
	if len(toks) > 1 && toks[0] == "on" {
		toks = toks[1:]
	}
	if d, ok := p.keyword(toks); ok {
		return d, nil
	}
	forms := []func([]string) (civil, error){p.weekdayPhrase, p.period, p.relativeDay, p.monthDay, isoDate}
	fail := errNoMatch
	for _, form := range forms {
		c, err := form(toks)
		if err == nil {
			return day{date: c}, nil
		}
		fail = better(fail, err)
	}
	return day{}, fail
}

// keyword parses "today", "tonight", "tomorrow" and "yesterday".
func (p parser) keyword(toks []string) (day, bool) {
	if len(toks) != 1 {
		return day{}, false
	}
	switch toks[0] {
	case "today":
		return day{date: p.today}, true
	case "tonight":
		return day{date: p.today, clock: &clock{hour: 20}}, true
	case "tomorrow", "tmrw":
		return day{date: p.today.addDays(1)}, true
	case "yesterday":
		return day{date: p.today.addDays(-1)}, true
	}
	return day{}, false
}

// weekdayPhrase parses "fri", "this fri", "next fri" and "last fri".
func (p parser) weekdayPhrase(toks []string) (civil, error) {
	modifier := ""
	if len(toks) == 2 {
		modifier, toks = toks[0], toks[1:]
	}
	if len(toks) != 1 {
		return civil{}, errNoMatch
	}
	wd, ok := weekdayNamed(toks[0])
	if !ok {
		return civil{}, errNoMatch
	}
	todayWD := p.today.weekday()
	switch modifier {
	case "":
		return p.today.addDays(daysBetween(todayWD, wd, 1)), nil
	case "this":
		return p.startOfWeek(0).addDays(daysBetween(p.weekStart, wd, 0)), nil
	case "next":
		return p.startOfWeek(1).addDays(daysBetween(p.weekStart, wd, 0)), nil
	case "last":
		return p.today.addDays(-daysBetween(wd, todayWD, 1)), nil
	}
	return civil{}, errNoMatch
}

// daysBetween returns how many days forward from weekday "from" the next
// "to" falls, in the range [lo, lo+6].
func daysBetween(from, to time.Weekday, lo int) int {
	n := (int(to) - int(from) + 7) % 7
	if n < lo {
		n += 7
	}
	return n
}

// startOfWeek returns the first day of the week offset weeks from the
// current one.
func (p parser) startOfWeek(offset int) civil {
	back := daysBetween(p.weekStart, p.today.weekday(), 0)
	return p.today.addDays(7*offset - back)
}

// period parses "next week", "this month", "last year", "end of month",
// "start of next month", "beginning of the year", "eow", "eom" and "eoy".
func (p parser) period(toks []string) (civil, error) {
	end, toks, ok := cutEdge(toks)
	if !ok {
		return civil{}, errNoMatch
	}
	offset := 0
	if len(toks) == 2 {
		var known bool
		if offset, known = periodOffset(toks[0]); !known {
			return civil{}, errNoMatch
		}
		toks = toks[1:]
	}
	if len(toks) != 1 {
		return civil{}, errNoMatch
	}
	switch toks[0] {
	case "week":
		return p.weekEdge(offset, end), nil
	case "month":
		return p.monthEdge(offset, end), nil
	case "year":
		return p.yearEdge(offset, end), nil
	}
	return civil{}, errNoMatch
}

// cutEdge strips a leading "start of", "beginning of" or "end of" (and an
// optional "the"), reporting whether the end of the period was asked for.
// The shorthands "eow", "eom" and "eoy" become "end of week/month/year".
// Without an edge prefix, a this/next/last modifier is required.
func cutEdge(toks []string) (end bool, rest []string, ok bool) {
	if len(toks) == 1 {
		switch toks[0] {
		case "eow":
			return true, []string{"week"}, true
		case "eom":
			return true, []string{"month"}, true
		case "eoy":
			return true, []string{"year"}, true
		}
	}
	if len(toks) < 3 || toks[1] != "of" {
		return false, toks, len(toks) == 2
	}
	switch toks[0] {
	case "start", "beginning":
	case "end":
		end = true
	default:
		return false, nil, false
	}
	rest = toks[2:]
	if len(rest) > 1 && rest[0] == "the" {
		rest = rest[1:]
	}
	return end, rest, true
}

// periodOffset maps this/next/last to a period offset.
func periodOffset(s string) (int, bool) {
	switch s {
	case "this":
		return 0, true
	case "next":
		return 1, true
	case "last":
		return -1, true
	}
	return 0, false
}

// weekEdge returns the first or last day of the week offset weeks away.
func (p parser) weekEdge(offset int, end bool) civil {
	start := p.startOfWeek(offset)
	if end {
		return start.addDays(6)
	}
	return start
}

// monthEdge returns the first or last day of the month offset months away.
func (p parser) monthEdge(offset int, end bool) civil {
	first := normalized(p.today.year, p.today.month+time.Month(offset), 1)
	if end {
		first.day = daysIn(first.year, first.month)
	}
	return first
}

// yearEdge returns January 1 or December 31 of the year offset years away.
func (p parser) yearEdge(offset int, end bool) civil {
	if end {
		return civil{year: p.today.year + offset, month: time.December, day: 31}
	}
	return civil{year: p.today.year + offset, month: time.January, day: 1}
}

// relativeDay parses day, week, month and year offsets such as "in 3d",
// "2 weeks ago" or "+1y".
func (p parser) relativeDay(toks []string) (civil, error) {
	s, err := parseSpan(toks)
	if err != nil {
		return civil{}, err
	}
	switch s.unit {
	case unitDay:
		return p.today.addDays(s.n), nil
	case unitWeek:
		return p.today.addDays(7 * s.n), nil
	case unitMonth:
		return p.today.addMonths(s.n), nil
	case unitYear:
		return p.today.addMonths(12 * s.n), nil
	}
	return civil{}, errNoMatch
}

// monthDay parses "dec 5", "5 dec", "december 5th", "5th of december",
// each optionally followed by a four-digit year. Without a year it is the
// next such date on or after today.
func (p parser) monthDay(toks []string) (civil, error) {
	m, dayTok, rest, ok := splitMonthDay(toks)
	if !ok || len(rest) > 1 {
		return civil{}, errNoMatch
	}
	d, ok := dayOfMonth(dayTok)
	if !ok {
		return civil{}, errNoMatch
	}
	if len(rest) == 1 {
		y, ok := digits(rest[0], 4, 4)
		if !ok {
			return civil{}, errNoMatch
		}
		if !validDate(y, m, d) {
			return civil{}, invalid(hintNoSuchDate)
		}
		return civil{year: y, month: m, day: d}, nil
	}
	return p.nextMonthDay(m, d)
}

// splitMonthDay finds the month name and day token in the first words of
// toks, returning whatever follows them.
func splitMonthDay(toks []string) (m time.Month, dayTok string, rest []string, ok bool) {
	if len(toks) < 2 {
		return 0, "", nil, false
	}
	if m, ok = monthNamed(toks[0]); ok {
		return m, toks[1], toks[2:], true
	}
	if m, ok = monthNamed(toks[1]); ok {
		return m, toks[0], toks[2:], true
	}
	if len(toks) >= 3 && toks[1] == "of" {
		if m, ok = monthNamed(toks[2]); ok {
			return m, toks[0], toks[3:], true
		}
	}
	return 0, "", nil, false
}

// nextMonthDay returns the first date with month m and day d on or after
// today, looking far enough ahead to find a February 29.
func (p parser) nextMonthDay(m time.Month, d int) (civil, error) {
	for y := p.today.year; y <= p.today.year+8; y++ {
		c := civil{year: y, month: m, day: d}
		if validDate(y, m, d) && !c.before(p.today) {
			return c, nil
		}
	}
	return civil{}, invalid(hintNoSuchDate)
}

// dayOfMonth parses "5", "05" or an ordinal such as "5th", "1st", "22nd".
func dayOfMonth(s string) (int, bool) {
	num := strings.TrimRight(s, "abcdefghijklmnopqrstuvwxyz")
	d, ok := digits(num, 1, 2)
	if !ok || (num != s && s[len(num):] != ordinalSuffix(d)) {
		return 0, false
	}
	return d, true
}

// ordinalSuffix returns the English ordinal suffix for n.
func ordinalSuffix(n int) string {
	if n%100 >= 11 && n%100 <= 13 {
		return "th"
	}
	switch n % 10 {
	case 1:
		return "st"
	case 2:
		return "nd"
	case 3:
		return "rd"
	}
	return "th"
}

// isoDate parses a YYYY-MM-DD date.
func isoDate(toks []string) (civil, error) {
	if len(toks) != 1 {
		return civil{}, errNoMatch
	}
	y, m, d, ok := splitISODate(toks[0])
	if !ok {
		return civil{}, errNoMatch
	}
	if !validDate(y, m, d) {
		return civil{}, invalid(hintNoSuchDate)
	}
	return civil{year: y, month: m, day: d}, nil
}

// splitISODate splits "2026-12-01" into its numeric parts without
// validating their ranges.
func splitISODate(s string) (y int, m time.Month, d int, ok bool) {
	parts := strings.Split(s, "-")
	if len(parts) != 3 {
		return 0, 0, 0, false
	}
	y, okY := digits(parts[0], 4, 4)
	mm, okM := digits(parts[1], 2, 2)
	d, okD := digits(parts[2], 2, 2)
	return y, time.Month(mm), d, okY && okM && okD
}

// weekdayNamed maps a weekday name or abbreviation to its weekday.
func weekdayNamed(s string) (time.Weekday, bool) {
	switch s {
	case "sun", "sunday":
		return time.Sunday, true
	case "mon", "monday":
		return time.Monday, true
	case "tue", "tues", "tuesday":
		return time.Tuesday, true
	case "wed", "weds", "wednesday":
		return time.Wednesday, true
	case "thu", "thur", "thurs", "thursday":
		return time.Thursday, true
	case "fri", "friday":
		return time.Friday, true
	case "sat", "saturday":
		return time.Saturday, true
	}
	return 0, false
}

// monthNamed maps a month name or three-letter abbreviation to its month.
func monthNamed(s string) (time.Month, bool) {
	for m := time.January; m <= time.December; m++ {
		name := strings.ToLower(m.String())
		if s == name || s == name[:3] || (m == time.September && s == "sept") {
			return m, true
		}
	}
	return 0, false
}
