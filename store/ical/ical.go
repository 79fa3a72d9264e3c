// Package ical writes rolo's open follow-ups and upcoming meetings as an iCalendar file
// (RFC 5545), so that they reach a phone's or a desktop's calendar: one VTODO with a
// reminder (VALARM) per open follow-up, one VEVENT per meeting on a timeline that is
// still to come.
package ical

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rolo-crm/rolo/store"
)

// Options tune Export.
type Options struct {
	// Now decides which meetings are still to come.
	Now time.Time
	// Location is the user's time zone: an all-day follow-up is due on its date there,
	// and its reminder rings at 09:00 there. Nil means time.Local.
	Location *time.Location
}

// Stats counts what Export wrote.
type Stats struct {
	ToDos  int `json:"todos"`
	Events int `json:"events"`
}

// AlarmHour is the local hour at which an all-day follow-up's reminder rings.
const AlarmHour = 9

// MeetingLength is the length given to a meeting, which rolo records as an instant.
const MeetingLength = time.Hour

// Export writes the calendar to w from one snapshot: follow-ups by due time, then
// meetings by time. Lines end in CRLF and are folded at 75 octets.
func Export(ctx context.Context, db *store.DB, w io.Writer, o Options) (Stats, error) {
	var st Stats
	loc := o.Location
	if loc == nil {
		loc = time.Local
	}
	snap, err := db.Snapshot(ctx)
	if err != nil {
		return st, err
	}
	defer snap.Close()
	bw := bufio.NewWriterSize(w, 64<<10)
	for _, l := range []string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//rolo//rolo CRM//EN", "CALSCALE:GREGORIAN", "X-WR-CALNAME:rolo"} {
		line(bw, l)
	}
	err = snap.OpenFollowUps(func(f *store.FollowUp) error {
		writeToDo(bw, f, loc)
		st.ToDos++
		return nil
	})
	if err != nil {
		return st, err
	}
	err = snap.Meetings(o.Now, func(i *store.Interaction) error {
		writeEvent(bw, i)
		st.Events++
		return nil
	})
	if err != nil {
		return st, err
	}
	line(bw, "END:VCALENDAR")
	if err := bw.Flush(); err != nil {
		return st, fmt.Errorf("export ics: %w", err)
	}
	return st, nil
}

func stamp(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// escaper escapes a TEXT value (RFC 5545 §3.3.11).
var escaper = strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)

func escape(s string) string { return escaper.Replace(s) }

// line writes one content line, folded at 75 octets without splitting a character.
func line(w *bufio.Writer, s string) {
	const max = 75
	first := true
	for len(s) > 0 {
		limit := max
		if !first {
			limit = max - 1 // the leading space counts
			w.WriteByte(' ')
		}
		if len(s) <= limit {
			w.WriteString(s)
			break
		}
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		w.WriteString(s[:cut])
		w.WriteString("\r\n")
		s = s[cut:]
		first = false
	}
	w.WriteString("\r\n")
}

// links is the text that leads back to rolo: the contact and deal, and the commands
// that show them.
func links(contactID, contact, dealID, deal string) []string {
	var out []string
	if contactID != "" {
		out = append(out, contact, "rolo contact show "+store.ShortID(contactID))
	}
	if dealID != "" {
		out = append(out, "Deal: "+deal, "rolo deal show "+store.ShortID(dealID))
	}
	return out
}

func writeToDo(w *bufio.Writer, f *store.FollowUp, loc *time.Location) {
	line(w, "BEGIN:VTODO")
	line(w, "UID:"+f.ID+"@rolo")
	line(w, "DTSTAMP:"+stamp(f.UpdatedAt))
	line(w, "CREATED:"+stamp(f.CreatedAt))
	line(w, "LAST-MODIFIED:"+stamp(f.UpdatedAt))
	line(w, "SUMMARY:"+escape(f.Title))
	alarm := f.DueAt
	if f.AllDay {
		day := f.DueAt.In(loc)
		line(w, "DUE;VALUE=DATE:"+day.Format("20060102"))
		alarm = time.Date(day.Year(), day.Month(), day.Day(), AlarmHour, 0, 0, 0, loc)
	} else {
		line(w, "DUE:"+stamp(f.DueAt))
	}
	line(w, "STATUS:NEEDS-ACTION")
	if l := links(f.ContactID, f.Contact, f.DealID, f.Deal); len(l) > 0 {
		line(w, "DESCRIPTION:"+escape(strings.Join(l, "\n")))
	}
	line(w, "BEGIN:VALARM")
	line(w, "ACTION:DISPLAY")
	line(w, "DESCRIPTION:"+escape(f.Title))
	line(w, "TRIGGER;VALUE=DATE-TIME:"+stamp(alarm))
	line(w, "END:VALARM")
	line(w, "END:VTODO")
}

func writeEvent(w *bufio.Writer, i *store.Interaction) {
	summary, _, _ := strings.Cut(strings.TrimSpace(i.Text), "\n")
	if r := []rune(summary); len(r) > 80 {
		summary = string(r[:79]) + "…"
	}
	switch {
	case i.Contact != "":
		summary = "Meeting with " + i.Contact + ": " + summary
	case i.Company != "":
		summary = "Meeting with " + i.Company + ": " + summary
	}
	line(w, "BEGIN:VEVENT")
	line(w, "UID:"+i.ID+"@rolo")
	line(w, "DTSTAMP:"+stamp(i.CreatedAt))
	line(w, "CREATED:"+stamp(i.CreatedAt))
	line(w, "DTSTART:"+stamp(i.OccurredAt))
	line(w, "DURATION:PT1H")
	line(w, "SUMMARY:"+escape(summary))
	desc := append([]string{i.Text, ""}, links(i.ContactID, i.Contact, i.DealID, i.Deal)...)
	line(w, "DESCRIPTION:"+escape(strings.TrimSpace(strings.Join(desc, "\n"))))
	line(w, "END:VEVENT")
}
