package csvio

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/rolo-crm/rolo/store"
)

// Header is the header row of rolo's own CSV of contacts. emails and phones hold one
// entry per line, "label: value" or just the value; tags are separated by ", ".
var Header = []string{"id", "name", "first_name", "last_name", "title", "company", "emails", "phones", "address",
	"source", "tags", "cadence_days", "notes", "visibility"}

// Export writes every live contact to w as rolo's CSV (UTF-8, CRLF line ends, a header
// row), in id order, streaming from one snapshot. It returns how many contacts it wrote.
func Export(ctx context.Context, db *store.DB, w io.Writer) (int, error) {
	snap, err := db.Snapshot(ctx)
	if err != nil {
		return 0, err
	}
	defer snap.Close()
	bw := bufio.NewWriterSize(w, 64<<10)
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	if err := cw.Write(Header); err != nil {
		return 0, fmt.Errorf("export csv: %w", err)
	}
	n := 0
	rec := make([]string, len(Header))
	err = snap.Contacts(func(c *store.Contact) error {
		emails := make([]string, len(c.Emails))
		for i, e := range c.Emails {
			emails[i] = withLabel(e.Label, e.Email)
		}
		phones := make([]string, len(c.Phones))
		for i, p := range c.Phones {
			phones[i] = withLabel(p.Label, p.Phone)
		}
		cadence := ""
		if c.CadenceDays > 0 {
			cadence = strconv.Itoa(c.CadenceDays)
		}
		rec = append(rec[:0], c.ID, c.Name, c.FirstName, c.LastName, c.Title, c.Company, strings.Join(emails, "\n"),
			strings.Join(phones, "\n"), c.Address, c.Source, strings.Join(c.Tags, ", "), cadence, c.Notes, c.Visibility)
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("export csv: %w", err)
		}
		n++
		if n%1024 == 0 {
			return ctx.Err()
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return n, fmt.Errorf("export csv: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("export csv: %w", err)
	}
	return n, nil
}

// withLabel renders "label: value"; a label's line breaks become spaces, so an entry
// stays one line.
func withLabel(label, value string) string {
	label = strings.Join(strings.Fields(label), " ")
	if label == "" {
		return value
	}
	return label + ": " + value
}
