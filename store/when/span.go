package when

import "strings"

// unit is the unit of a relative offset such as "3d".
type unit int

// Units, ordered from shortest to longest.
const (
	unitMinute unit = iota
	unitHour
	unitDay
	unitWeek
	unitMonth
	unitYear
)

// maxAmountDigits caps relative amounts so arithmetic cannot overflow.
const maxAmountDigits = 6

// span is a signed relative offset: n units from now.
type span struct {
	n    int
	unit unit
}

// parseSpan parses "in 3d", "in 3 days", "3d", "+3d", "3 days ago" and
// "-3d". The bare form "3h" is left to the time-of-day parser ("15h").
func parseSpan(toks []string) (span, error) {
	switch {
	case len(toks) == 0:
		return span{}, errNoMatch
	case len(toks) > 1 && toks[0] == "in":
		return parseAmount(toks[1:], 1)
	case len(toks) > 1 && toks[len(toks)-1] == "ago":
		return parseAmount(toks[:len(toks)-1], -1)
	case len(toks) > 0 && strings.HasPrefix(toks[0], "+"):
		return parseAmount(withFirst(toks, toks[0][1:]), 1)
	case len(toks) > 0 && strings.HasPrefix(toks[0], "-"):
		return parseAmount(withFirst(toks, toks[0][1:]), -1)
	}
	if isBareHour(toks) {
		return span{}, errNoMatch
	}
	return parseAmount(toks, 1)
}

// isBareHour reports whether toks is "3h" or "3 h", which without "in",
// a sign or "ago" is read as a time of day rather than an offset.
func isBareHour(toks []string) bool {
	last := toks[len(toks)-1]
	return last == "h" || (len(toks) == 1 && strings.TrimLeft(last, "0123456789") == "h")
}

// withFirst returns a copy of toks with its first element replaced by s.
func withFirst(toks []string, s string) []string {
	return append([]string{s}, toks[1:]...)
}

// parseAmount parses "3d", "3 days" or "a day" and applies sign.
func parseAmount(toks []string, sign int) (span, error) {
	var num, name string
	switch len(toks) {
	case 1:
		rest := strings.TrimLeft(toks[0], "0123456789")
		num, name = toks[0][:len(toks[0])-len(rest)], rest
	case 2:
		num, name = toks[0], toks[1]
	default:
		return span{}, errNoMatch
	}
	u, ok := unitNamed(name)
	if !ok {
		return span{}, errNoMatch
	}
	n, err := parseCount(num)
	if err != nil {
		return span{}, err
	}
	return span{n: sign * n, unit: u}, nil
}

// parseCount parses the amount of a span: digits, "a" or "an".
func parseCount(s string) (int, error) {
	if s == "a" || s == "an" {
		return 1, nil
	}
	if s != "" && len(s) > maxAmountDigits && strings.Trim(s, "0123456789") == "" {
		return 0, invalid("number too large")
	}
	n, ok := digits(s, 1, maxAmountDigits)
	if !ok {
		return 0, errNoMatch
	}
	return n, nil
}

// unitNamed maps a unit word or abbreviation to its unit.
func unitNamed(s string) (unit, bool) {
	switch s {
	case "m", "min", "mins", "minute", "minutes":
		return unitMinute, true
	case "h", "hr", "hrs", "hour", "hours":
		return unitHour, true
	case "d", "day", "days":
		return unitDay, true
	case "w", "wk", "wks", "week", "weeks":
		return unitWeek, true
	case "mo", "mos", "month", "months":
		return unitMonth, true
	case "y", "yr", "yrs", "year", "years":
		return unitYear, true
	}
	return 0, false
}
