package when

import "time"

// civil is a calendar date with no time zone.
type civil struct {
	year  int
	month time.Month
	day   int
}

// clock is a wall-clock time of day.
type clock struct {
	hour, min, sec int
}

// civilOf returns the calendar date of t in t's location.
func civilOf(t time.Time) civil {
	y, m, d := t.Date()
	return civil{year: y, month: m, day: d}
}

// normalized builds a civil date from possibly out-of-range parts, letting
// time.Date carry overflow (e.g. day 32) into the next month or year.
func normalized(y int, m time.Month, d int) civil {
	return civilOf(time.Date(y, m, d, 12, 0, 0, 0, time.UTC))
}

// addDays moves c by n calendar days.
func (c civil) addDays(n int) civil {
	return normalized(c.year, c.month, c.day+n)
}

// addMonths moves c by n calendar months, clamping the day to the end of
// the target month (Jan 31 + 1 month = Feb 28 or 29).
func (c civil) addMonths(n int) civil {
	first := normalized(c.year, c.month+time.Month(n), 1)
	first.day = min(c.day, daysIn(first.year, first.month))
	return first
}

// weekday returns the day of the week of c.
func (c civil) weekday() time.Weekday {
	return time.Date(c.year, c.month, c.day, 12, 0, 0, 0, time.UTC).Weekday()
}

// before reports whether c is strictly earlier than o.
func (c civil) before(o civil) bool {
	if c.year != o.year {
		return c.year < o.year
	}
	if c.month != o.month {
		return c.month < o.month
	}
	return c.day < o.day
}

// at returns the instant of wall-clock time k on day c in loc.
func (c civil) at(k clock, loc *time.Location) time.Time {
	return time.Date(c.year, c.month, c.day, k.hour, k.min, k.sec, 0, loc)
}

// daysIn returns the number of days in month m of year y.
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 12, 0, 0, 0, time.UTC).Day()
}

// validDate reports whether y-m-d names a real calendar day.
func validDate(y int, m time.Month, d int) bool {
	return m >= time.January && m <= time.December && d >= 1 && d <= daysIn(y, m)
}
