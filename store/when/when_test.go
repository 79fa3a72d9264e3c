package when

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// zone is the fixed -05:00 zone used by most tests.
func zone() *time.Location { return time.FixedZone("X", -5*3600) }

// refNow is Tuesday 2026-11-24 10:30 in zone().
func refNow() time.Time { return time.Date(2026, 11, 24, 10, 30, 0, 0, zone()) }

func allDay(y int, m time.Month, d int) Result {
	return Result{Time: time.Date(y, m, d, 0, 0, 0, 0, zone()), AllDay: true}
}

func at(y int, m time.Month, d, h, mi int) Result {
	return Result{Time: time.Date(y, m, d, h, mi, 0, 0, zone())}
}

func atSec(y int, m time.Month, d, h, mi, s int) Result {
	return Result{Time: time.Date(y, m, d, h, mi, s, 0, zone())}
}

type parseCase struct {
	name   string
	phrase string
	want   Result
	now    time.Time // zero means refNow()
	sunday bool      // week starts on Sunday instead of Monday
}

var parseCases = []parseCase{
	// ISO 8601 and RFC 3339.
	{name: "iso date", phrase: "2026-12-01", want: allDay(2026, 12, 1)},
	{name: "iso leap day", phrase: "2028-02-29", want: allDay(2028, 2, 29)},
	{name: "iso minutes", phrase: "2026-12-01T15:04", want: at(2026, 12, 1, 15, 4)},
	{name: "iso lower t", phrase: "2026-12-01t15:04", want: at(2026, 12, 1, 15, 4)},
	{name: "iso seconds", phrase: "2026-12-01T15:04:05", want: atSec(2026, 12, 1, 15, 4, 5)},
	{name: "iso space", phrase: "2026-12-01 15:04", want: at(2026, 12, 1, 15, 4)},
	{name: "iso space seconds", phrase: "2026-12-01 15:04:05", want: atSec(2026, 12, 1, 15, 4, 5)},
	{name: "rfc3339 Z", phrase: "2026-12-01T20:04:05Z", want: atSec(2026, 12, 1, 15, 4, 5)},
	{name: "rfc3339 lower z", phrase: "2026-12-01t20:04:05z", want: atSec(2026, 12, 1, 15, 4, 5)},
	{name: "rfc3339 offset", phrase: "2026-12-01T15:04:05+01:00", want: atSec(2026, 12, 1, 9, 4, 5)},
	{name: "rfc3339 fraction", phrase: "2026-12-01T20:04:05.5Z", want: Result{Time: time.Date(2026, 12, 1, 15, 4, 5, 5e8, zone())}},
	{name: "iso basic offset", phrase: "2026-12-01T15:04:05-0500", want: atSec(2026, 12, 1, 15, 4, 5)},
	{name: "rfc3339 no seconds", phrase: "2026-12-01T20:04Z", want: at(2026, 12, 1, 15, 4)},
	{name: "rfc3339 space", phrase: "2026-12-01 20:04:05Z", want: atSec(2026, 12, 1, 15, 4, 5)},
	{name: "iso date 9am", phrase: "2026-12-01 9am", want: at(2026, 12, 1, 9, 0)},

	// Keywords.
	{name: "now", phrase: "now", want: at(2026, 11, 24, 10, 30)},
	{name: "now truncated", phrase: "NOW", now: time.Date(2026, 11, 24, 10, 30, 59, 999, zone()), want: at(2026, 11, 24, 10, 30)},
	{name: "today", phrase: "today", want: allDay(2026, 11, 24)},
	{name: "tonight", phrase: "tonight", want: at(2026, 11, 24, 20, 0)},
	{name: "tonight 9pm", phrase: "tonight 9pm", want: at(2026, 11, 24, 21, 0)},
	{name: "tomorrow", phrase: "tomorrow", want: allDay(2026, 11, 25)},
	{name: "tmrw", phrase: "tmrw", want: allDay(2026, 11, 25)},
	{name: "yesterday", phrase: "yesterday", want: allDay(2026, 11, 23)},
	{name: "case and spaces", phrase: "  ToMoRRoW  ", want: allDay(2026, 11, 25)},
	{name: "tomorrow at month end", phrase: "tomorrow", now: time.Date(2026, 12, 31, 23, 0, 0, 0, zone()), want: allDay(2027, 1, 1)},

	// Weekdays (today is Tuesday 2026-11-24).
	{name: "fri", phrase: "fri", want: allDay(2026, 11, 27)},
	{name: "friday", phrase: "Friday", want: allDay(2026, 11, 27)},
	{name: "on friday", phrase: "on friday", want: allDay(2026, 11, 27)},
	{name: "same weekday is next week", phrase: "tue", want: allDay(2026, 12, 1)},
	{name: "tues", phrase: "tues", want: allDay(2026, 12, 1)},
	{name: "wed", phrase: "wed", want: allDay(2026, 11, 25)},
	{name: "thur", phrase: "thur", want: allDay(2026, 11, 26)},
	{name: "thurs", phrase: "thurs", want: allDay(2026, 11, 26)},
	{name: "sat", phrase: "sat", want: allDay(2026, 11, 28)},
	{name: "sun", phrase: "sun", want: allDay(2026, 11, 29)},
	{name: "mon", phrase: "mon", want: allDay(2026, 11, 30)},
	{name: "fri on a friday", phrase: "fri", now: time.Date(2026, 11, 27, 9, 0, 0, 0, zone()), want: allDay(2026, 12, 4)},
	{name: "next monday", phrase: "next monday", want: allDay(2026, 11, 30)},
	{name: "next friday", phrase: "next friday", want: allDay(2026, 12, 4)},
	{name: "next tuesday", phrase: "next tuesday", want: allDay(2026, 12, 1)},
	{name: "next sunday monday-week", phrase: "next sunday", want: allDay(2026, 12, 6)},
	{name: "next sunday sunday-week", phrase: "next sunday", sunday: true, want: allDay(2026, 11, 29)},
	{name: "next friday sunday-week", phrase: "next friday", sunday: true, want: allDay(2026, 12, 4)},
	{name: "this friday", phrase: "this friday", want: allDay(2026, 11, 27)},
	{name: "this tuesday is today", phrase: "this tue", want: allDay(2026, 11, 24)},
	{name: "this monday in past", phrase: "this monday", want: allDay(2026, 11, 23)},
	{name: "this sunday monday-week", phrase: "this sunday", want: allDay(2026, 11, 29)},
	{name: "this sunday sunday-week", phrase: "this sunday", sunday: true, want: allDay(2026, 11, 22)},
	{name: "last friday", phrase: "last friday", want: allDay(2026, 11, 20)},
	{name: "last monday", phrase: "last mon", want: allDay(2026, 11, 23)},
	{name: "last tuesday", phrase: "last tuesday", want: allDay(2026, 11, 17)},

	// Relative offsets.
	{name: "in 3d", phrase: "in 3d", want: allDay(2026, 11, 27)},
	{name: "in 3 days", phrase: "in 3 days", want: allDay(2026, 11, 27)},
	{name: "in 1 day", phrase: "in 1 day", want: allDay(2026, 11, 25)},
	{name: "in a week", phrase: "in a week", want: allDay(2026, 12, 1)},
	{name: "in 2w", phrase: "in 2w", want: allDay(2026, 12, 8)},
	{name: "in 2 weeks", phrase: "in 2 weeks", want: allDay(2026, 12, 8)},
	{name: "in 1 month", phrase: "in 1 month", want: allDay(2026, 12, 24)},
	{name: "in 2 months", phrase: "in 2 months", want: allDay(2027, 1, 24)},
	{name: "in 1mo", phrase: "in 1mo", want: allDay(2026, 12, 24)},
	{name: "month end clamps", phrase: "in 1 month", now: time.Date(2027, 1, 31, 9, 0, 0, 0, zone()), want: allDay(2027, 2, 28)},
	{name: "in 1y", phrase: "in 1y", want: allDay(2027, 11, 24)},
	{name: "leap year clamps", phrase: "in 1 year", now: time.Date(2028, 2, 29, 9, 0, 0, 0, zone()), want: allDay(2029, 2, 28)},
	{name: "in 3h", phrase: "in 3h", want: at(2026, 11, 24, 13, 30)},
	{name: "in 3 hours", phrase: "in 3 hours", want: at(2026, 11, 24, 13, 30)},
	{name: "in an hour", phrase: "in an hour", want: at(2026, 11, 24, 11, 30)},
	{name: "in 90m", phrase: "in 90m", want: at(2026, 11, 24, 12, 0)},
	{name: "in 90 min", phrase: "in 90 min", want: at(2026, 11, 24, 12, 0)},
	{name: "in 90 minutes", phrase: "in 90 minutes", want: at(2026, 11, 24, 12, 0)},
	{name: "in 90m truncated", phrase: "in 90m", now: time.Date(2026, 11, 24, 10, 30, 45, 0, zone()), want: at(2026, 11, 24, 12, 0)},
	{name: "in 15h is an offset", phrase: "in 15h", want: at(2026, 11, 25, 1, 30)},
	{name: "bare 3d", phrase: "3d", want: allDay(2026, 11, 27)},
	{name: "bare 3 days", phrase: "3 days", want: allDay(2026, 11, 27)},
	{name: "bare 90m", phrase: "90m", want: at(2026, 11, 24, 12, 0)},
	{name: "plus 3d", phrase: "+3d", want: allDay(2026, 11, 27)},
	{name: "plus 2h", phrase: "+2h", want: at(2026, 11, 24, 12, 30)},
	{name: "3 days ago", phrase: "3 days ago", want: allDay(2026, 11, 21)},
	{name: "2w ago", phrase: "2w ago", want: allDay(2026, 11, 10)},
	{name: "a month ago", phrase: "a month ago", want: allDay(2026, 10, 24)},
	{name: "2h ago", phrase: "2h ago", want: at(2026, 11, 24, 8, 30)},
	{name: "minus 3d", phrase: "-3d", want: allDay(2026, 11, 21)},
	{name: "minus 30 min", phrase: "-30 min", want: at(2026, 11, 24, 10, 0)},
	{name: "in 0 days", phrase: "in 0 days", want: allDay(2026, 11, 24)},
	{name: "in 3 days at 3pm", phrase: "in 3 days at 3pm", want: at(2026, 11, 27, 15, 0)},

	// Periods.
	{name: "end of month", phrase: "end of month", want: allDay(2026, 11, 30)},
	{name: "end of the month", phrase: "end of the month", want: allDay(2026, 11, 30)},
	{name: "eom", phrase: "eom", want: allDay(2026, 11, 30)},
	{name: "eom february", phrase: "eom", now: time.Date(2028, 2, 3, 9, 0, 0, 0, zone()), want: allDay(2028, 2, 29)},
	{name: "end of week", phrase: "end of week", want: allDay(2026, 11, 29)},
	{name: "eow", phrase: "eow", want: allDay(2026, 11, 29)},
	{name: "eow sunday-week", phrase: "eow", sunday: true, want: allDay(2026, 11, 28)},
	{name: "end of year", phrase: "end of year", want: allDay(2026, 12, 31)},
	{name: "eoy", phrase: "eoy", want: allDay(2026, 12, 31)},
	{name: "next week", phrase: "next week", want: allDay(2026, 11, 30)},
	{name: "next week sunday-week", phrase: "next week", sunday: true, want: allDay(2026, 11, 29)},
	{name: "this week", phrase: "this week", want: allDay(2026, 11, 23)},
	{name: "last week", phrase: "last week", want: allDay(2026, 11, 16)},
	{name: "next month", phrase: "next month", want: allDay(2026, 12, 1)},
	{name: "next month in december", phrase: "next month", now: time.Date(2026, 12, 15, 9, 0, 0, 0, zone()), want: allDay(2027, 1, 1)},
	{name: "last month", phrase: "last month", want: allDay(2026, 10, 1)},
	{name: "start of next month", phrase: "start of next month", want: allDay(2026, 12, 1)},
	{name: "beginning of next month", phrase: "beginning of next month", want: allDay(2026, 12, 1)},
	{name: "end of next month", phrase: "end of next month", want: allDay(2026, 12, 31)},
	{name: "end of next week", phrase: "end of next week", want: allDay(2026, 12, 6)},
	{name: "next year", phrase: "next year", want: allDay(2027, 1, 1)},
	{name: "start of year", phrase: "start of year", want: allDay(2026, 1, 1)},
	{name: "eom at 5pm", phrase: "eom 5pm", want: at(2026, 11, 30, 17, 0)},

	// Times of day alone: today if still ahead, else tomorrow.
	{name: "3pm", phrase: "3pm", want: at(2026, 11, 24, 15, 0)},
	{name: "3 pm", phrase: "3 pm", want: at(2026, 11, 24, 15, 0)},
	{name: "3PM upper", phrase: "3PM", want: at(2026, 11, 24, 15, 0)},
	{name: "3:30pm", phrase: "3:30pm", want: at(2026, 11, 24, 15, 30)},
	{name: "3:30 p.m.", phrase: "3:30 p.m.", want: at(2026, 11, 24, 15, 30)},
	{name: "15:00", phrase: "15:00", want: at(2026, 11, 24, 15, 0)},
	{name: "15h", phrase: "15h", want: at(2026, 11, 24, 15, 0)},
	{name: "15h30", phrase: "15h30", want: at(2026, 11, 24, 15, 30)},
	{name: "3h is a clock time", phrase: "3h", want: at(2026, 11, 25, 3, 0)},
	{name: "noon", phrase: "noon", want: at(2026, 11, 24, 12, 0)},
	{name: "midnight", phrase: "midnight", want: at(2026, 11, 25, 0, 0)},
	{name: "9am already passed", phrase: "9am", want: at(2026, 11, 25, 9, 0)},
	{name: "now exactly is tomorrow", phrase: "10:30", want: at(2026, 11, 25, 10, 30)},
	{name: "a minute ahead is today", phrase: "10:31", want: at(2026, 11, 24, 10, 31)},
	{name: "12am", phrase: "12am", want: at(2026, 11, 25, 0, 0)},
	{name: "12pm", phrase: "12pm", want: at(2026, 11, 24, 12, 0)},
	{name: "at 3pm", phrase: "at 3pm", want: at(2026, 11, 24, 15, 0)},
	{name: "at noon", phrase: "at noon", want: at(2026, 11, 24, 12, 0)},
	{name: "evening", phrase: "evening", want: at(2026, 11, 24, 18, 0)},
	{name: "morning", phrase: "morning", want: at(2026, 11, 25, 9, 0)},
	{name: "seconds", phrase: "15:04:05", want: atSec(2026, 11, 24, 15, 4, 5)},

	// Day and time combined, either order.
	{name: "tomorrow 3pm", phrase: "tomorrow 3pm", want: at(2026, 11, 25, 15, 0)},
	{name: "tomorrow at 3 pm", phrase: "tomorrow at 3 pm", want: at(2026, 11, 25, 15, 0)},
	{name: "3pm tomorrow", phrase: "3pm tomorrow", want: at(2026, 11, 25, 15, 0)},
	{name: "at 3pm on friday", phrase: "at 3pm on friday", want: at(2026, 11, 27, 15, 0)},
	{name: "fri at 9:30am", phrase: "fri at 9:30am", want: at(2026, 11, 27, 9, 30)},
	{name: "next monday 10:00", phrase: "next monday 10:00", want: at(2026, 11, 30, 10, 0)},
	{name: "today 9am in past", phrase: "today 9am", want: at(2026, 11, 24, 9, 0)},
	{name: "tomorrow noon", phrase: "tomorrow noon", want: at(2026, 11, 25, 12, 0)},
	{name: "tomorrow midnight", phrase: "tomorrow midnight", want: at(2026, 11, 25, 0, 0)},
	{name: "tomorrow morning", phrase: "tomorrow morning", want: at(2026, 11, 25, 9, 0)},
	{name: "dec 5 at 15h", phrase: "dec 5 at 15h", want: at(2026, 12, 5, 15, 0)},
	{name: "dec 5 2027 9am", phrase: "dec 5 2027 9am", want: at(2027, 12, 5, 9, 0)},
	{name: "extra whitespace", phrase: "  fri \t at   9:30am ", want: at(2026, 11, 27, 9, 30)},
	{name: "next week 3pm", phrase: "next week 3pm", want: at(2026, 11, 30, 15, 0)},

	// Month and day.
	{name: "dec 5", phrase: "dec 5", want: allDay(2026, 12, 5)},
	{name: "5 dec", phrase: "5 dec", want: allDay(2026, 12, 5)},
	{name: "december 5th", phrase: "december 5th", want: allDay(2026, 12, 5)},
	{name: "5th of december", phrase: "5th of December", want: allDay(2026, 12, 5)},
	{name: "dec 5 2027", phrase: "dec 5 2027", want: allDay(2027, 12, 5)},
	{name: "dec 5, 2027", phrase: "Dec 5, 2027", want: allDay(2027, 12, 5)},
	{name: "5 dec 2027", phrase: "5 dec 2027", want: allDay(2027, 12, 5)},
	{name: "sept 1st", phrase: "sept 1st", want: allDay(2027, 9, 1)},
	{name: "march 22nd", phrase: "march 22nd", want: allDay(2027, 3, 22)},
	{name: "may 3rd", phrase: "may 3rd", want: allDay(2027, 5, 3)},
	{name: "nov 11th", phrase: "nov 11th", want: allDay(2027, 11, 11)},
	{name: "month day today", phrase: "nov 24", want: allDay(2026, 11, 24)},
	{name: "month day yesterday is next year", phrase: "nov 23", want: allDay(2027, 11, 23)},
	{name: "jan 1", phrase: "jan 1", want: allDay(2027, 1, 1)},
	{name: "feb 29 next leap year", phrase: "feb 29", want: allDay(2028, 2, 29)},
	{name: "feb 29 2028", phrase: "feb 29 2028", want: allDay(2028, 2, 29)},
}

func TestParse(t *testing.T) {
	for _, tc := range parseCases {
		t.Run(tc.name, func(t *testing.T) {
			now, ws := tc.now, time.Monday
			if now.IsZero() {
				now = refNow()
			}
			if tc.sunday {
				ws = time.Sunday
			}
			got, err := Parse(tc.phrase, now, ws)
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tc.phrase, err)
			}
			if !got.Time.Equal(tc.want.Time) || got.AllDay != tc.want.AllDay {
				t.Errorf("Parse(%q) = %v (allDay %v), want %v (allDay %v)",
					tc.phrase, got.Time, got.AllDay, tc.want.Time, tc.want.AllDay)
			}
			if got.Time.Location() != now.Location() {
				t.Errorf("Parse(%q) location = %v, want %v", tc.phrase, got.Time.Location(), now.Location())
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name    string
		phrase  string
		wantMsg string // exact message; empty means only the prefix is checked
	}{
		{name: "empty", phrase: "", wantMsg: `cannot understand date ""`},
		{name: "blank", phrase: "   ", wantMsg: `cannot understand date ""`},
		{name: "garbage", phrase: "  Blah blah  ", wantMsg: `cannot understand date "Blah blah"`},
		{name: "quote in phrase", phrase: `say "hi"`, wantMsg: `cannot understand date "say \"hi\""`},
		{name: "in 0x days", phrase: "in 0x days", wantMsg: `cannot understand date "in 0x days"`},
		{name: "25:00", phrase: "25:00", wantMsg: `cannot understand date "25:00": no such time of day`},
		{name: "13pm", phrase: "13pm", wantMsg: `cannot understand date "13pm": hour must be 1-12 with am/pm`},
		{name: "0am", phrase: "0am", wantMsg: `cannot understand date "0am": hour must be 1-12 with am/pm`},
		{name: "3:75pm", phrase: "3:75pm", wantMsg: `cannot understand date "3:75pm": no such time of day`},
		{name: "10:60", phrase: "10:60", wantMsg: `cannot understand date "10:60": no such time of day`},
		{name: "24h", phrase: "24h", wantMsg: `cannot understand date "24h": no such time of day`},
		{name: "tomorrow 25:00", phrase: "tomorrow 25:00", wantMsg: `cannot understand date "tomorrow 25:00": no such time of day`},
		{name: "feb 30 iso", phrase: "2026-02-30", wantMsg: `cannot understand date "2026-02-30": no such date`},
		{name: "month 13 iso", phrase: "2026-13-01", wantMsg: `cannot understand date "2026-13-01": no such date`},
		{name: "feb 29 non-leap", phrase: "2027-02-29", wantMsg: `cannot understand date "2027-02-29": no such date`},
		{name: "iso bad time", phrase: "2026-12-01T25:00", wantMsg: `cannot understand date "2026-12-01T25:00": invalid ISO 8601 date-time`},
		{name: "iso bad day with time", phrase: "2026-02-30T10:00", wantMsg: `cannot understand date "2026-02-30T10:00": invalid ISO 8601 date-time`},
		{name: "iso hour only", phrase: "2026-12-01T15", wantMsg: `cannot understand date "2026-12-01T15": invalid ISO 8601 date-time`},
		{name: "feb 30", phrase: "feb 30", wantMsg: `cannot understand date "feb 30": no such date`},
		{name: "dec 32", phrase: "dec 32", wantMsg: `cannot understand date "dec 32": no such date`},
		{name: "feb 29 2027", phrase: "feb 29 2027", wantMsg: `cannot understand date "feb 29 2027": no such date`},
		{name: "slash day month", phrase: "5/12", wantMsg: `cannot understand date "5/12": use 2026-12-05`},
		{name: "slash full", phrase: "12/5/2026", wantMsg: `cannot understand date "12/5/2026": use 2026-12-05`},
		{name: "slash with time", phrase: "5/12 3pm", wantMsg: `cannot understand date "5/12 3pm": use 2026-12-05`},
		{name: "huge number", phrase: "in 1234567 days", wantMsg: `cannot understand date "in 1234567 days": number too large`},
		{name: "out of range", phrase: "in 999999 years", wantMsg: `cannot understand date "in 999999 years": date out of range`},
		{name: "out of range past", phrase: "9999 years ago", wantMsg: `cannot understand date "9999 years ago": date out of range`},
		{name: "bare number", phrase: "5"},
		{name: "bare year", phrase: "2026"},
		{name: "bare 3 without unit", phrase: "in 3"},
		{name: "at 3 without meridiem", phrase: "fri at 3"},
		{name: "in alone", phrase: "in"},
		{name: "ago alone", phrase: "ago"},
		{name: "next alone", phrase: "next"},
		{name: "this alone", phrase: "this"},
		{name: "at alone", phrase: "at"},
		{name: "plus alone", phrase: "+"},
		{name: "end of alone", phrase: "end of"},
		{name: "end of decade", phrase: "end of decade"},
		{name: "next next week", phrase: "next next week"},
		{name: "in negative", phrase: "in -3d"},
		{name: "two days", phrase: "tomorrow tomorrow"},
		{name: "two times", phrase: "3pm 4pm"},
		{name: "hour offset with clock", phrase: "in 3h at 3pm"},
		{name: "now with clock", phrase: "now 3pm"},
		{name: "two digit year", phrase: "dec 5 27"},
		{name: "wrong ordinal", phrase: "dec 5st"},
		{name: "bare 3 h", phrase: "3 h"},
		{name: "noonish", phrase: "noonish"},
		{name: "weekday typo", phrase: "fridya"},
		{name: "iso short", phrase: "2026-1-5"},
		{name: "iso trailing", phrase: "2026-12-01x"},
		{name: "month alone", phrase: "december"},
		{name: "last alone weekday", phrase: "last"},
		{name: "ago with iso", phrase: "2026-12-01 ago"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.phrase, refNow(), time.Monday)
			if err == nil {
				t.Fatalf("Parse(%q) = %v (allDay %v), want error", tc.phrase, got.Time, got.AllDay)
			}
			if !errors.Is(err, ErrUnparseable) {
				t.Errorf("Parse(%q) error %v does not wrap ErrUnparseable", tc.phrase, err)
			}
			if got != (Result{}) {
				t.Errorf("Parse(%q) returned non-zero result %+v with error", tc.phrase, got)
			}
			msg := err.Error()
			if tc.wantMsg != "" && msg != tc.wantMsg {
				t.Errorf("Parse(%q) error = %q, want %q", tc.phrase, msg, tc.wantMsg)
			}
			prefix := `cannot understand date "` + strings.TrimSpace(tc.phrase) + `"`
			if !strings.HasPrefix(msg, prefix) && !strings.Contains(tc.phrase, `"`) {
				t.Errorf("Parse(%q) error = %q, want prefix %q", tc.phrase, msg, prefix)
			}
		})
	}
}

// TestParseDST checks that day arithmetic keeps wall-clock times across the
// 2026-03-08 spring-forward change in New York.
func TestParseDST(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skipf("time zone database unavailable: %v", err)
	}
	now := time.Date(2026, 3, 7, 10, 0, 0, 0, ny) // Saturday, EST
	tests := []struct {
		name   string
		phrase string
		want   time.Time
		allDay bool
	}{
		{name: "tomorrow 9am", phrase: "tomorrow 9am", want: time.Date(2026, 3, 8, 9, 0, 0, 0, ny)},
		{name: "tomorrow", phrase: "tomorrow", want: time.Date(2026, 3, 8, 0, 0, 0, 0, ny), allDay: true},
		{name: "in 2 days", phrase: "in 2 days", want: time.Date(2026, 3, 9, 0, 0, 0, 0, ny), allDay: true},
		{name: "9am alone", phrase: "9am", want: time.Date(2026, 3, 8, 9, 0, 0, 0, ny)},
		{name: "in 24h is exact", phrase: "in 24h", want: time.Date(2026, 3, 8, 11, 0, 0, 0, ny)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.phrase, now, time.Sunday)
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tc.phrase, err)
			}
			if !got.Time.Equal(tc.want) || got.AllDay != tc.allDay {
				t.Errorf("Parse(%q) = %v (allDay %v), want %v (allDay %v)",
					tc.phrase, got.Time, got.AllDay, tc.want, tc.allDay)
			}
			if tc.allDay {
				return
			}
			if h, m, _ := got.Time.Clock(); h != tc.want.Hour() || m != tc.want.Minute() {
				t.Errorf("Parse(%q) wall clock = %02d:%02d, want %02d:%02d", tc.phrase, h, m, tc.want.Hour(), tc.want.Minute())
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, tc := range parseCases {
		f.Add(tc.phrase)
	}
	for _, s := range []string{"", "5/12", "25:00", "13pm", "in 0x days", "in 999999 years", "feb 30"} {
		f.Add(s)
	}
	now := refNow()
	f.Fuzz(func(t *testing.T, phrase string) {
		got, err := Parse(phrase, now, time.Monday)
		if err != nil {
			if !strings.HasPrefix(err.Error(), `cannot understand date "`) {
				t.Fatalf("Parse(%q) error %q has wrong prefix", phrase, err)
			}
			if !errors.Is(err, ErrUnparseable) {
				t.Fatalf("Parse(%q) error %v does not wrap ErrUnparseable", phrase, err)
			}
			return
		}
		if got.Time.IsZero() {
			t.Fatalf("Parse(%q) returned zero time", phrase)
		}
		if got.Time.Location() != now.Location() {
			t.Fatalf("Parse(%q) location = %v", phrase, got.Time.Location())
		}
		if got.AllDay {
			if h, m, s := got.Time.Clock(); h != 0 || m != 0 || s != 0 || got.Time.Nanosecond() != 0 {
				t.Fatalf("Parse(%q) all-day result %v is not midnight", phrase, got.Time)
			}
		}
	})
}
