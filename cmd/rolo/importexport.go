package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/store/csvio"
	"github.com/rolo-crm/rolo/store/ical"
	"github.com/rolo-crm/rolo/store/jsonio"
	"github.com/rolo-crm/rolo/store/vcard"
	"github.com/spf13/cobra"
)

// importReport is what `rolo import` prints with --json.
type importReport struct {
	File      string             `json:"file"`
	Format    string             `json:"format"`
	Label     string             `json:"label"`
	Kind      string             `json:"kind"`
	Encoding  string             `json:"encoding,omitempty"`
	Delimiter string             `json:"delimiter,omitempty"`
	Ignored   []string           `json:"ignored_columns"`
	DryRun    bool               `json:"dry_run"`
	Rows      int                `json:"rows"`
	Created   store.ImportCounts `json:"created"`
	Updated   store.ImportCounts `json:"updated"`
	Unchanged int                `json:"unchanged"`
	Merged    int                `json:"merged"`
	Skipped   []store.ImportSkip `json:"skipped"`
}

// unit is what one record of the file is called: a row, or a card.
func (r *importReport) unit() string {
	if r.Format == "vcard" {
		return "card"
	}
	return "row"
}

func (a *App) importCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Bring contacts, companies and deals in from CSV, vCard or a rolo JSON export",
		Long: `Import records from another tool's export. A CSV from Google Contacts, Outlook,
HubSpot, Pipedrive or Salesforce is recognised by its column names; rolo's own
exports read back without loss. Records that are already here (the same id from the
same tool, the same email, or the same phone number) are updated in place, never
duplicated, so importing a file again, or a newer export of it, is safe.

An import is one change: all of it or nothing, and "rolo undo" takes it back.`,
	}
	cmd.AddCommand(a.importCSVCmd(), a.importVCardCmd(), a.importJSONCmd())
	return cmd
}

func mapHelp() string {
	var b strings.Builder
	for _, f := range csvio.Fields {
		fmt.Fprintf(&b, "  %-15s %s (%s)\n", f.Name, f.Help, f.Kinds)
	}
	return b.String()
}

func (a *App) importCSVCmd() *cobra.Command {
	var dry bool
	var maps []string
	var kind string
	cmd := &cobra.Command{
		Use:   "csv FILE",
		Short: "Import a CSV export (Google, Outlook, HubSpot, Pipedrive, Salesforce, rolo, any other)",
		Long: `Import a CSV file. The exporting tool is recognised by the names of the columns, not
their order: Google Contacts (both formats), Outlook, HubSpot contacts, companies and
deals, Pipedrive people, organizations and deals, Salesforce reports and Data Loader
files, and rolo's own "rolo export csv". The encoding (UTF-8, UTF-16, Windows-1252)
and the separator (comma, semicolon, tab) are detected.

Any other CSV works once its columns are named: --map "Work Email=email:work". Columns
named like rolo's fields (name, email, phone, company…) need no --map. FIELD is one of:

` + mapHelp() + `
Rows that cannot be imported (no name, email or phone; an invalid address; more fields
than the header…) are skipped and listed with their line number; the rest is imported.
--dry-run shows the plan and writes nothing.`,
		Example: `  rolo import csv google-contacts.csv --dry-run
  rolo import csv hubspot-companies.csv && rolo import csv hubspot-contacts.csv
  rolo import csv leads.csv --map "Full Name=name" --map "E-mail (work)=email:work" --map Fax=ignore
  rolo import csv opportunities.csv --kind deals --map "Opportunity=title" --map "Amount=value"`,
		Args: exactArgs(1, "FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ro := csvio.ReadOptions{Name: filepath.Base(args[0])}
			switch kind {
			case "", csvio.KindContacts, csvio.KindCompanies, csvio.KindDeals:
				ro.Kind = kind
			default:
				return usagef("--kind %q must be contacts, companies or deals", kind)
			}
			for _, m := range maps {
				col, field, ok := strings.Cut(m, "=")
				if !ok || strings.TrimSpace(col) == "" {
					return usagef("--map %q: write COLUMN=FIELD, e.g. --map \"Work Email=email:work\"", m)
				}
				ro.Map = append(ro.Map, csvio.Mapping{Column: strings.TrimSpace(col), Field: strings.TrimSpace(field)})
			}
			data, err := a.readInput(args[0])
			if err != nil {
				return err
			}
			f, err := csvio.Read(data, ro)
			if err != nil {
				return err
			}
			rep := &importReport{File: args[0], Format: f.Format, Label: f.Label, Kind: f.Kind, Encoding: f.Encoding,
				Delimiter: f.Delimiter, Ignored: f.Ignored}
			return a.runImport(rep, f.Items, f.Source, dry)
		},
	}
	cmd.Flags().BoolVar(&dry, "dry-run", false, "show what would be created, updated and skipped; write nothing")
	cmd.Flags().StringArrayVar(&maps, "map", nil, "COLUMN=FIELD: read a column as a field, or ignore it (repeatable)")
	cmd.Flags().StringVar(&kind, "kind", "", "what a file of no known format holds: contacts (default), companies or deals")
	return cmd
}

func (a *App) importVCardCmd() *cobra.Command {
	var dry bool
	cmd := &cobra.Command{
		Use:   "vcard FILE|DIR",
		Short: "Import vCards (2.1, 3.0, 4.0) from a .vcf file or a directory of them",
		Long: `Import the cards of a .vcf file, or of every .vcf file under a directory (one card per
file, as phones and vdirsyncer write them). vCard 2.1, 3.0 and 4.0 are read, with
quoted-printable values, Apple's labels (X-ABLabel), several emails, phones and
addresses. A card's UID matches it on the next import. BDAY goes into the notes
("Birthday: …"); PHOTO is dropped. A card that cannot be read is skipped and listed.`,
		Example: `  rolo import vcard contacts.vcf --dry-run
  rolo import vcard ~/.contacts/work/`,
		Args: exactArgs(1, "FILE|DIR"),
		RunE: func(cmd *cobra.Command, args []string) error {
			items, err := vcard.ReadFile(args[0])
			if errors.Is(err, os.ErrNotExist) {
				return usagef("%s does not exist", args[0])
			}
			if err != nil {
				return err
			}
			rep := &importReport{File: args[0], Format: "vcard", Label: "vCard", Kind: csvio.KindContacts, Ignored: []string{}}
			return a.runImport(rep, items, vcard.Source, dry)
		},
	}
	cmd.Flags().BoolVar(&dry, "dry-run", false, "show what would be created, updated and skipped; write nothing")
	return cmd
}

// readInput reads FILE, or standard input for "-".
func (a *App) readInput(path string) ([]byte, error) {
	if path == "-" {
		return io.ReadAll(a.io.In)
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, usagef("%s does not exist", path)
	}
	return b, err
}

// runImport plans or performs an import and prints the report.
func (a *App) runImport(rep *importReport, items []store.ImportItem, source string, dry bool) error {
	db, err := a.open()
	if err != nil {
		return err
	}
	start := time.Now()
	bar := a.progress("import")
	res, err := db.Import(a.ctx, items, store.ImportOptions{Source: source, Summary: "import " + filepath.Base(rep.File),
		DryRun: dry, Progress: bar.update})
	bar.finish()
	if err != nil {
		return err
	}
	rep.DryRun, rep.Rows, rep.Created, rep.Updated = res.DryRun, res.Rows, res.Created, res.Updated
	rep.Unchanged, rep.Merged, rep.Skipped = res.Unchanged, res.Merged, res.Skipped
	if a.jsonOut {
		return a.printJSON(rep)
	}
	w := a.io.Out
	what := rep.Label
	if rep.Encoding != "" {
		sep := rep.Delimiter
		if sep != "tab" {
			sep = `"` + sep + `"`
		}
		what += fmt.Sprintf(", %s, separated by %s", rep.Encoding, sep)
	}
	fmt.Fprintf(w, "%s: %s, %s\n", rep.File, what, plural(rep.Rows, rep.unit()))
	verb := map[bool][2]string{true: {"would create", "would update"}, false: {"created", "updated"}}[dry]
	fmt.Fprintf(w, "  %-13s %s\n", verb[0], counts(res.Created))
	fmt.Fprintf(w, "  %-13s %s\n", verb[1], counts(res.Updated))
	fmt.Fprintf(w, "  %-13s %d\n", "unchanged", res.Unchanged)
	if res.Merged > 0 {
		fmt.Fprintf(w, "  %-13s %s\n", "merged", plural(res.Merged, "duplicate "+rep.unit()))
	}
	fmt.Fprintf(w, "  %-13s %s\n", "skipped", plural(len(res.Skipped), rep.unit()))
	for _, s := range res.Skipped {
		where := fmt.Sprintf("line %d", s.Line)
		if s.File != "" && s.File != filepath.Base(rep.File) {
			where = fmt.Sprintf("%s:%d", s.File, s.Line)
		}
		fmt.Fprintf(w, "    %s: %s\n", a.paint(sgrYellow, where), s.Reason)
	}
	if len(rep.Ignored) > 0 {
		fmt.Fprintf(w, "  ignored columns: %s\n", strings.Join(rep.Ignored, ", "))
	}
	if dry {
		fmt.Fprintln(w, "Dry run: nothing was written.")
	} else if res.Created.Total()+res.Updated.Total() > 0 {
		fmt.Fprintf(w, "Imported in %.1fs; \"rolo undo\" takes it back.\n", time.Since(start).Seconds())
	} else {
		fmt.Fprintln(w, "Nothing to change.")
	}
	return nil
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "y") && !strings.HasSuffix(noun, "ey") {
		return fmt.Sprintf("%d %sies", n, noun[:len(noun)-1])
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func counts(c store.ImportCounts) string {
	var parts []string
	for _, x := range []struct {
		n    int
		noun string
	}{{c.Contacts, "contact"}, {c.Companies, "company"}, {c.Deals, "deal"}} {
		if x.n > 0 {
			parts = append(parts, plural(x.n, x.noun))
		}
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, ", ")
}

func (a *App) importJSONCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "json FILE",
		Short: "Restore a rolo JSON export into a new, empty database",
		Long: `Restore everything "rolo export json" wrote: every record (deleted ones too), the
timelines, follow-ups, deals, stages, the whole change history, and the database's
identity and clock, exactly. It only restores into a new, empty database:

  rolo --db restored.db import json rolo-export.json`,
		Args: exactArgs(1, "FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			r := a.io.In
			if args[0] != "-" {
				f, err := os.Open(args[0])
				if errors.Is(err, os.ErrNotExist) {
					return usagef("%s does not exist", args[0])
				}
				if err != nil {
					return err
				}
				defer f.Close()
				r = f
			}
			db, err := a.open()
			if err != nil {
				return err
			}
			st, err := jsonio.Import(a.ctx, db, r)
			if err != nil {
				return err
			}
			return a.done(map[string]any{"file": args[0], "tables": st.Tables, "rows": st.Rows},
				"Restored %d rows of %d tables from %s into %s.", st.Rows, st.Tables, args[0], db.Path())
		},
	}
}

func (a *App) exportCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write your data as CSV, vCard, iCalendar or JSON",
		Long: `Write records in an open format, to standard output or to -o FILE (written whole or
not at all). Nothing is locked while an export runs.`,
	}
	cmd.PersistentFlags().StringVarP(&out, "output", "o", "", "write to FILE instead of standard output")
	run := func(what string, write func(w io.Writer) (int, string, error)) error {
		if _, err := a.open(); err != nil {
			return err
		}
		if out == "" || out == "-" {
			_, _, err := write(a.io.Out)
			return err
		}
		path := expandHome(out)
		n, noun, err := writeFileAtomic(path, write)
		if err != nil {
			return err
		}
		return a.done(map[string]any{"file": path, "format": what, "records": n}, "Exported %s to %s.", plural(n, noun), path)
	}
	csvCmd := &cobra.Command{
		Use:   "csv",
		Short: "Contacts as rolo's CSV (reads back without loss)",
		Long: `Write every contact as CSV, one row each, with a header row: ` + strings.Join(csvio.Header, ", ") + `.
emails and phones hold one entry per line, "label: value"; tags are separated by ", ".
"rolo import csv" reads it back without loss, and matches the rows by id.`,
		Example: `  rolo export csv -o contacts.csv`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return run("csv", func(w io.Writer) (int, string, error) {
				n, err := csvio.Export(a.ctx, a.db, w)
				return n, "contact", err
			})
		},
	}
	var version int
	vcardCmd := &cobra.Command{
		Use:   "vcard",
		Short: "Contacts as vCard 4.0 (or 3.0), for address books and phones",
		Example: `  rolo export vcard -o contacts.vcf
  rolo export vcard --vcard-version 3 -o contacts.vcf`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if version != 3 && version != 4 {
				return usagef("--vcard-version %d must be 3 or 4", version)
			}
			return run("vcard", func(w io.Writer) (int, string, error) {
				n, err := vcard.Export(a.ctx, a.db, w, version)
				return n, "contact", err
			})
		},
	}
	vcardCmd.Flags().IntVar(&version, "vcard-version", 4, "vCard version: 4 or 3")
	icsCmd := &cobra.Command{
		Use:   "ics",
		Short: "Open follow-ups and upcoming meetings as iCalendar, for your calendar",
		Long: `Write an iCalendar file: one to-do (VTODO) with a reminder for each open follow-up, and
one event (VEVENT, an hour long) for each meeting on a timeline that is still to come.
A whole-day follow-up is due on its date and reminds you at 09:00; a timed one at its
time. Each says whom it is about and the rolo command that shows them.`,
		Example: `  rolo export ics -o rolo.ics`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return run("ics", func(w io.Writer) (int, string, error) {
				st, err := ical.Export(a.ctx, a.db, w, ical.Options{Now: a.now(), Location: time.Local})
				return st.ToDos + st.Events, "entry", err
			})
		},
	}
	jsonCmd := &cobra.Command{
		Use:   "json",
		Short: "The whole database as JSON (a backup you can read)",
		Long: `Write the whole database as one JSON document: every table's rows (deleted records
too), the timelines, follow-ups, deals, stages and the whole change history, in a
stable order. "rolo import json" restores it exactly into a new database.`,
		Example: `  rolo export json -o rolo-export.json`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return run("json", func(w io.Writer) (int, string, error) {
				st, err := jsonio.Export(a.ctx, a.db, w)
				return st.Rows, "row", err
			})
		},
	}
	cmd.AddCommand(csvCmd, vcardCmd, icsCmd, jsonCmd)
	return cmd
}

// writeFileAtomic writes a file through a temporary file beside it, renamed into place
// only when everything was written: a failed export never leaves half a file.
func writeFileAtomic(path string, write func(w io.Writer) (int, string, error)) (int, string, error) {
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return 0, "", usagef("directory %s does not exist", dir)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return 0, "", err
	}
	defer os.Remove(tmp.Name())
	n, noun, err := write(tmp)
	if err != nil {
		tmp.Close()
		return 0, "", err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return 0, "", err
	}
	if err := tmp.Close(); err != nil {
		return 0, "", err
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return 0, "", err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return 0, "", err
	}
	return n, noun, nil
}
