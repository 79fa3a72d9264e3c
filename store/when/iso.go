package when

import (
	"strings"
	"time"
)

// hintBadISO is the hint for malformed or impossible ISO 8601 date-times.
const hintBadISO = "invalid ISO 8601 date-time"

// isoDateTime parses "2026-12-01T15:04[:05]" and RFC 3339 date-times, also
// when written with a space instead of the "T".
func (p parser) isoDateTime(toks []string) (time.Time, error) {
	switch len(toks) {
	case 1:
		return p.isoDateTimeToken(toks[0])
	case 2:
		if t, err := p.isoDateTimeToken(toks[0] + "t" + toks[1]); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errNoMatch
}

// isoDateTimeToken parses a single ISO 8601 date-time token. Layouts with
// a zone are converted to the caller's location; the others are read as
// local wall time.
func (p parser) isoDateTimeToken(tok string) (time.Time, error) {
	zonedLayouts := []string{
		"2006-01-02T15:04:05Z07:00", "2006-01-02T15:04Z07:00",
		"2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z0700",
	}
	localLayouts := []string{"2006-01-02T15:04:05", "2006-01-02T15:04"}
	datePart, _, found := strings.Cut(tok, "t")
	if _, _, _, ok := splitISODate(datePart); !ok || !found {
		return time.Time{}, errNoMatch
	}
	s := strings.ToUpper(tok)
	for _, layout := range zonedLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.In(p.loc), nil
		}
	}
	for _, layout := range localLayouts {
		if t, err := time.ParseInLocation(layout, s, p.loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, invalid(hintBadISO)
}
