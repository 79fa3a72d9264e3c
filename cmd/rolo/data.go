package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/store/demo"
	"github.com/spf13/cobra"
)

func (a *App) historyCmd() *cobra.Command {
	return quick(&cobra.Command{
		Use:   "history REF",
		Short: "Every change to a record: field, old → new, when",
		Example: `  rolo history ada
  rolo history 3f9a2c1b --json`,
		Args: exactArgs(1, "REF"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := a.resolve(args[0], true, store.EntityContact, store.EntityCompany, store.EntityDeal,
				store.EntityFollowUp, store.EntityInteraction)
			if err != nil {
				return err
			}
			changes, err := a.db.History(a.ctx, ref.ID)
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(nonNil(changes))
			}
			w := a.io.Out
			fmt.Fprintf(w, "%s %s  %s\n", strings.ReplaceAll(ref.Entity, "_", "-"), a.paint(sgrBold, ref.Label), a.paint(sgrDim, store.ShortID(ref.ID)))
			for _, c := range changes {
				fmt.Fprintf(w, "\n%s  %s  %s\n", a.paint(sgrDim, c.At.Local().Format("2006-01-02 15:04:05")), a.paint(sgrCyan, c.Kind), c.Summary)
				keys := make([]string, 0, len(c.Fields))
				for k := range c.Fields {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				for _, k := range keys {
					if c.Kind == store.OpCreate && isEmpty(c.Fields[k]) {
						continue
					}
					if c.Kind == store.OpCreate {
						fmt.Fprintf(w, "  %s: %s\n", k, show(c.Fields[k]))
					} else {
						fmt.Fprintf(w, "  %s: %s → %s\n", k, show(c.Old[k]), show(c.Fields[k]))
					}
				}
			}
			return nil
		},
	})
}

func isEmpty(v any) bool { return v == nil || v == "" || v == false }

// show renders a field value from the op log for people.
func show(v any) string {
	switch x := v.(type) {
	case nil:
		return "(none)"
	case string:
		if x == "" {
			return `""`
		}
		if t, err := time.Parse(store.TimeFormat, x); err == nil {
			return t.Local().Format("2006-01-02 15:04")
		}
		return fmt.Sprintf("%q", x)
	case bool:
		if x {
			return "yes"
		}
		return "no"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func (a *App) undoCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "undo",
		Short: "Undo the last change made here (again to go further back)",
		Long: `Undo the last change made on this device by writing new changes that restore the
old values; nothing is erased, so the undo itself shows in history. Run it again to
undo the change before.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := a.open()
			if err != nil {
				return err
			}
			u, err := db.Undo(a.ctx)
			if errors.Is(err, store.ErrNothingToUndo) {
				return a.done(map[string]any{"undone": nil}, "Nothing to undo.")
			}
			if err != nil {
				return err
			}
			return a.done(u, "Undid: %s (%s)", u.Summary, ago(a.now(), u.At))
		},
	}
}

func (a *App) backupCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "backup [FILE]",
		Short: "Write a consistent copy of the database (safe while rolo runs)",
		Long: `Write a consistent copy of the database to FILE, or to backups/rolo-DATE-TIME.db
beside the database. The copy is a normal rolo database: open it with --db FILE.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := a.open()
			if err != nil {
				return err
			}
			dest := ""
			if len(args) == 1 {
				dest = expandHome(args[0])
			} else {
				dir := filepath.Join(filepath.Dir(db.Path()), "backups")
				if err := os.MkdirAll(dir, 0o700); err != nil {
					return fmt.Errorf("back up: %w", err)
				}
				dest = filepath.Join(dir, "rolo-"+a.now().Format("20060102-150405")+".db")
			}
			if err := db.Backup(a.ctx, dest); err != nil {
				return err
			}
			st, err := os.Stat(dest)
			if err != nil {
				return err
			}
			return a.done(map[string]any{"file": dest, "bytes": st.Size()}, "Backed up to %s (%.1f MB)", dest, float64(st.Size())/1e6)
		},
	}
}

func (a *App) checkCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "Verify the database: SQLite integrity and rolo's own rules",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := a.open()
			if err != nil {
				return err
			}
			probs, err := db.Check(a.ctx)
			if err != nil {
				return err
			}
			if a.jsonOut {
				if err := a.printJSON(nonNil(probs)); err != nil {
					return err
				}
			} else if len(probs) == 0 {
				n, err := db.Count(a.ctx)
				if err != nil {
					return err
				}
				fmt.Fprintf(a.io.Out, "%s is healthy: %d contacts, %d companies, %d deals, %d timeline entries, %d open follow-ups, %d changes logged.\n",
					db.Path(), n.Contacts, n.Companies, n.Deals, n.Interactions, n.FollowUps, n.Ops)
				if pending, err := db.SearchPending(a.ctx); err != nil {
					return err
				} else if pending {
					fmt.Fprintln(a.io.Out, "An interrupted first sync left its search index unfinished; the next \"rolo sync\" finishes it.")
				}
			} else {
				for _, p := range probs {
					fmt.Fprintf(a.io.Out, "%s: %s\n", a.paint(sgrRed, p.Check), p.Detail)
				}
			}
			if len(probs) > 0 {
				return fmt.Errorf("%s has %d problem(s); restore a backup or report them", db.Path(), len(probs))
			}
			return nil
		},
	}
}

func (a *App) demoCmd() *cobra.Command {
	var contacts int
	var seed int64
	var force bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Fill the database with realistic sample data",
		Long: `Fill the database with realistic, repeatable sample data: contacts, companies,
two years of timelines, follow-ups around today and deals in every stage. For every
100 contacts it writes 20 companies, about 1,000 timeline entries, 33 follow-ups and
20 deals. It refuses a database that already holds contacts unless --force is given;
try it on a scratch file: rolo --db /tmp/demo.db demo`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if contacts < 1 || contacts > 1_000_000 {
				return usagef("--contacts %d must be between 1 and 1000000", contacts)
			}
			db, err := a.open()
			if err != nil {
				return err
			}
			n, err := db.Count(a.ctx)
			if err != nil {
				return err
			}
			if n.Contacts > 0 && !force {
				return usagef("%s already holds %d contacts; demo data would mix with them (use --force, or --db to pick another file)", db.Path(), n.Contacts)
			}
			start := time.Now()
			bar := a.progress("demo")
			stats, err := demo.Generate(a.ctx, db, demo.Options{Contacts: contacts, Seed: seed, Now: a.now(), Progress: bar.update})
			bar.finish()
			if err != nil {
				return err
			}
			out := map[string]int{"contacts": stats.Contacts, "companies": stats.Companies, "deals": stats.Deals,
				"interactions": stats.Interactions, "follow_ups": stats.FollowUps} // demo.Stats has no JSON names
			return a.done(out, "Added %d contacts, %d companies, %d deals, %d timeline entries and %d follow-ups in %.1fs.",
				stats.Contacts, stats.Companies, stats.Deals, stats.Interactions, stats.FollowUps, time.Since(start).Seconds())
		},
	}
	cmd.Flags().IntVar(&contacts, "contacts", 1000, "how many contacts")
	cmd.Flags().Int64Var(&seed, "seed", 1, "random seed (the same seed gives the same data)")
	cmd.Flags().BoolVar(&force, "force", false, "add demo data even if the database has contacts")
	return cmd
}

// progressBar draws on stderr when it is a terminal, at most ten times a second.
type progressBar struct {
	w     io.Writer
	label string
	on    bool
	last  time.Time
}

func (a *App) progress(label string) *progressBar {
	return &progressBar{w: a.io.Err, label: label, on: isTerminal(a.io.Err) && !a.jsonOut}
}

func (p *progressBar) update(done, total int) {
	if !p.on || total <= 0 || (time.Since(p.last) < 100*time.Millisecond && done < total) {
		return
	}
	p.last = time.Now()
	const width = 30
	filled := done * width / total
	if filled > width {
		filled = width
	}
	fmt.Fprintf(p.w, "\r%s [%s%s] %3d%%  %d/%d", p.label, strings.Repeat("█", filled), strings.Repeat("░", width-filled),
		done*100/total, done, total)
}

func (p *progressBar) finish() {
	if p.on {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
