package vcard

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rolo-crm/rolo/store"
)

// Export writes every live contact to w as vCards of the given version (4 or 3), in id
// order, streaming from one snapshot. Lines end in CRLF and are folded at 75 octets.
// UID is the contact's rolo id, so that importing the file again updates the same
// contacts; rolo's own fields (lead source, cadence, private visibility) travel as
// X-ROLO-* properties that other tools ignore.
func Export(ctx context.Context, db *store.DB, w io.Writer, version int) (int, error) {
	if version != 3 && version != 4 {
		return 0, fmt.Errorf("%w: vCard version %d (use 3 or 4)", store.ErrInvalid, version)
	}
	snap, err := db.Snapshot(ctx)
	if err != nil {
		return 0, err
	}
	defer snap.Close()
	bw := bufio.NewWriterSize(w, 64<<10)
	n := 0
	err = snap.Contacts(func(c *store.Contact) error {
		writeCard(bw, c, version)
		n++
		if n%1024 == 0 {
			return ctx.Err()
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("export vcard: %w", err)
	}
	return n, nil
}

// escaper escapes a text value: backslash, line break, comma and semicolon.
var escaper = strings.NewReplacer(`\`, `\\`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`, ",", `\,`, ";", `\;`)

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

// emailTypes and telTypes map rolo labels to the TYPE values every reader knows (and
// that Read turns back into the same label); other labels travel as Apple's X-ABLabel
// of an itemN group.
var (
	emailTypes = map[string]string{"work": "work", "home": "home"}
	telTypes   = map[string]string{"work": "work", "home": "home", "mobile": "cell", "fax": "fax",
		"pager": "pager", "work fax": "work,fax", "home fax": "home,fax"}
)

func writeCard(w *bufio.Writer, c *store.Contact, version int) {
	line(w, "BEGIN:VCARD")
	if version == 4 {
		line(w, "VERSION:4.0")
		line(w, "UID:urn:uuid:"+c.ID)
	} else {
		line(w, "VERSION:3.0")
		line(w, "UID:"+c.ID)
	}
	line(w, "FN:"+escape(c.Name))
	line(w, "N:"+escape(c.LastName)+";"+escape(c.FirstName)+";;;")
	if c.Company != "" {
		line(w, "ORG:"+escape(c.Company))
	}
	if c.Title != "" {
		line(w, "TITLE:"+escape(c.Title))
	}
	item := 0
	typed := func(name, value, label string, known map[string]string, first bool) {
		var params []string
		group := ""
		if t, ok := known[strings.ToLower(label)]; ok && label == strings.ToLower(label) {
			if version == 3 && name == "EMAIL" {
				t = "internet," + t
			}
			params = append(params, "TYPE="+t)
		} else if label != "" {
			item++
			group = "item" + strconv.Itoa(item) + "."
		} else if version == 3 && name == "EMAIL" {
			params = append(params, "TYPE=internet")
		}
		if first {
			if version == 4 {
				params = append(params, "PREF=1")
			} else {
				params = append(params, "TYPE=pref")
			}
		}
		head := group + name
		if len(params) > 0 {
			head += ";" + strings.Join(params, ";")
		}
		line(w, head+":"+escape(value))
		if group != "" {
			line(w, group+"X-ABLabel:"+escape(label))
		}
	}
	for i, e := range c.Emails {
		typed("EMAIL", e.Email, e.Label, emailTypes, i == 0)
	}
	for i, p := range c.Phones {
		typed("TEL", p.Phone, p.Label, telTypes, i == 0)
	}
	if c.Address != "" {
		line(w, "ADR:;;"+escape(c.Address)+";;;;")
	}
	if c.Notes != "" {
		line(w, "NOTE:"+escape(c.Notes))
	}
	if len(c.Tags) > 0 {
		tags := make([]string, len(c.Tags))
		for i, t := range c.Tags {
			tags[i] = escape(t)
		}
		line(w, "CATEGORIES:"+strings.Join(tags, ","))
	}
	if c.Source != "" {
		line(w, "X-ROLO-SOURCE:"+escape(c.Source))
	}
	if c.CadenceDays > 0 {
		line(w, "X-ROLO-CADENCE-DAYS:"+strconv.Itoa(c.CadenceDays))
	}
	if c.Visibility == "private" {
		line(w, "X-ROLO-VISIBILITY:private")
	}
	line(w, "REV:"+c.UpdatedAt.UTC().Format("20060102T150405Z"))
	line(w, "END:VCARD")
}
