package when

import (
	"strconv"
	"strings"
)

// Hints for recognisable but invalid times of day.
const (
	hint12h     = "hour must be 1-12 with am/pm"
	hintBadTime = "no such time of day"
)

// parseClockPhrase parses an optional "at" followed by a time of day, which
// may be split over two tokens ("3 pm", "3:30 pm").
func parseClockPhrase(toks []string) (clock, error) {
	if len(toks) > 1 && toks[0] == "at" {
		toks = toks[1:]
	}
	switch {
	case len(toks) == 1:
		return parseClock(toks[0])
	case len(toks) == 2 && isMeridiem(toks[1]) && isClockDigits(toks[0]):
		return parseClock(toks[0] + toks[1])
	}
	return clock{}, errNoMatch
}

// parseClock parses a single time-of-day token: "noon", "3pm", "3:30pm",
// "15:00", "15:00:05", "15h" or "15h30".
func parseClock(s string) (clock, error) {
	if k, ok := namedClock(s); ok {
		return k, nil
	}
	if base, pm, ok := cutMeridiem(s); ok {
		return parse12h(base, pm)
	}
	if strings.Contains(s, ":") {
		return parse24h(strings.Split(s, ":"))
	}
	if h, m, ok := strings.Cut(s, "h"); ok {
		return parseHForm(h, m)
	}
	return clock{}, errNoMatch
}

// namedClock maps words such as "noon" to a time of day.
func namedClock(s string) (clock, bool) {
	switch s {
	case "midnight":
		return clock{}, true
	case "morning":
		return clock{hour: 9}, true
	case "noon", "midday":
		return clock{hour: 12}, true
	case "afternoon":
		return clock{hour: 14}, true
	case "evening":
		return clock{hour: 18}, true
	case "night":
		return clock{hour: 20}, true
	}
	return clock{}, false
}

// isMeridiem reports whether s is an am/pm marker.
func isMeridiem(s string) bool {
	switch s {
	case "am", "pm", "a.m.", "p.m.", "a.m", "p.m":
		return true
	}
	return false
}

// isClockDigits reports whether s is non-empty and made only of digits and
// colons.
func isClockDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789:") == ""
}

// cutMeridiem splits "3:30pm" into "3:30" and pm=true.
func cutMeridiem(s string) (base string, pm, ok bool) {
	for _, suffix := range []string{"a.m.", "p.m.", "a.m", "p.m", "am", "pm"} {
		if b, found := strings.CutSuffix(s, suffix); found && isClockDigits(b) {
			return b, suffix[0] == 'p', true
		}
	}
	return "", false, false
}

// parse12h parses the "3" or "3:30" part of a 12-hour time.
func parse12h(base string, pm bool) (clock, error) {
	hs, ms, hasMin := strings.Cut(base, ":")
	h, ok := digits(hs, 1, 2)
	if !ok {
		return clock{}, errNoMatch
	}
	m := 0
	if hasMin {
		if m, ok = digits(ms, 2, 2); !ok {
			return clock{}, errNoMatch
		}
	}
	if h < 1 || h > 12 {
		return clock{}, invalid(hint12h)
	}
	if m > 59 {
		return clock{}, invalid(hintBadTime)
	}
	h %= 12
	if pm {
		h += 12
	}
	return clock{hour: h, min: m}, nil
}

// parse24h parses the colon-separated parts of "15:04" or "15:04:05".
func parse24h(parts []string) (clock, error) {
	if len(parts) < 2 || len(parts) > 3 {
		return clock{}, errNoMatch
	}
	h, okH := digits(parts[0], 1, 2)
	m, okM := digits(parts[1], 2, 2)
	s, okS := 0, true
	if len(parts) == 3 {
		s, okS = digits(parts[2], 2, 2)
	}
	if !okH || !okM || !okS {
		return clock{}, errNoMatch
	}
	return checkClock(h, m, s)
}

// parseHForm parses the French-style "15h" or "15h30", split at the "h".
func parseHForm(hs, ms string) (clock, error) {
	h, ok := digits(hs, 1, 2)
	if !ok {
		return clock{}, errNoMatch
	}
	m := 0
	if ms != "" {
		if m, ok = digits(ms, 2, 2); !ok {
			return clock{}, errNoMatch
		}
	}
	return checkClock(h, m, 0)
}

// checkClock validates a 24-hour time of day.
func checkClock(h, m, s int) (clock, error) {
	if h > 23 || m > 59 || s > 59 {
		return clock{}, invalid(hintBadTime)
	}
	return clock{hour: h, min: m, sec: s}, nil
}

// digits parses s as a non-negative decimal of minLen to maxLen ASCII digits.
func digits(s string, minLen, maxLen int) (int, bool) {
	if len(s) < minLen || len(s) > maxLen || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}
