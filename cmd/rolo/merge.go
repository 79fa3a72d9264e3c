package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/rolo-crm/rolo/store"
	"github.com/spf13/cobra"
)

// mergeKinds are the records merge and unmerge accept.
var mergeKinds = []string{store.EntityContact, store.EntityCompany}

func (a *App) dedupeCmd() *cobra.Command {
	var f struct {
		apply    bool
		minScore int
		limit    int
		kind     string
	}
	cmd := &cobra.Command{
		Use:   "dedupe",
		Short: "List likely duplicate contacts and companies; --apply merges the confident ones",
		Long: fmt.Sprintf(`List pairs of contacts and companies that are likely the same, best first, with a
score from 0 to 100 and the reason: the same email address, the same phone number in
any format, similar names at the same company (case, accents, a nickname such as Bob
for Robert, or one letter apart); companies with the same web domain or the same name
once legal suffixes are dropped. The older record of a pair is the one kept.

With --apply, the pairs scoring %d or more (the same email, or the same phone and a
similar name) are merged after the plan is printed, each as "rolo merge" would, so
each can be reverted with "rolo unmerge".`, store.ConfidentScore),
		Example: `  rolo dedupe
  rolo dedupe --kind company --min-score 50
  rolo dedupe --apply`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			filter := store.DuplicateFilter{MinScore: f.minScore, Limit: f.limit}
			switch f.kind {
			case "", "all":
			case "contact", "contacts":
				filter.Entity = store.EntityContact
			case "company", "companies":
				filter.Entity = store.EntityCompany
			default:
				return usagef("--kind %q must be contact or company", f.kind)
			}
			if f.minScore < 0 || f.minScore > 100 {
				return usagef("--min-score %d must be 0 to 100", f.minScore)
			}
			if f.limit < 0 {
				return usagef("--limit %d must be 0 (all) or more", f.limit)
			}
			db, err := a.open()
			if err != nil {
				return err
			}
			if f.apply {
				filter.MinScore, filter.Limit = max(f.minScore, store.ConfidentScore), 0
				return a.applyDuplicates(db, filter)
			}
			list, total, err := db.FindDuplicates(a.ctx, filter)
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(nonNil(list))
			}
			if total == 0 {
				fmt.Fprintln(a.io.Out, "No likely duplicates.")
				return nil
			}
			t := newTable("SCORE", "KIND", "KEEP", "MERGE", "REASON")
			confident := 0
			for _, d := range list {
				if d.Score >= store.ConfidentScore {
					confident++
				}
				t.add(fmt.Sprint(d.Score), d.Entity, dupLabel(d.Keep), dupLabel(d.Other), d.Reason)
			}
			t.max = 60
			t.print(a.io.Out, a)
			a.limitNote(len(list), total)
			if confident > 0 {
				fmt.Fprintf(a.io.Out, "\nMerge the pairs scoring %d or more with: rolo dedupe --apply (or one pair: rolo merge KEEP MERGE)\n", store.ConfidentScore)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.apply, "apply", false, fmt.Sprintf("merge the pairs scoring %d or more, after printing the plan", store.ConfidentScore))
	fl.IntVar(&f.minScore, "min-score", 0, "only pairs scoring at least this (default 60)")
	fl.IntVar(&f.limit, "limit", 50, "how many pairs (0 means all)")
	fl.StringVar(&f.kind, "kind", "", "only contacts or only companies: contact|company")
	return cmd
}

func dupLabel(r store.DuplicateRecord) string {
	s := r.Name + " (" + store.ShortID(r.ID) + ")"
	if r.Detail != "" {
		s += " " + r.Detail
	}
	return s
}

// applyDuplicates prints the plan of merging every pair filter selects, then merges them.
func (a *App) applyDuplicates(db *store.DB, filter store.DuplicateFilter) error {
	list, _, err := db.FindDuplicates(a.ctx, filter)
	if err != nil {
		return err
	}
	w := a.io.Out
	if a.jsonOut {
		w = io.Discard
	}
	if len(list) == 0 {
		if a.jsonOut {
			return a.printJSON(map[string]any{"merged": []any{}, "skipped": 0})
		}
		fmt.Fprintf(w, "No duplicates scoring %d or more; nothing to merge. See the weaker pairs with: rolo dedupe\n", filter.MinScore)
		return nil
	}
	fmt.Fprintf(w, "Plan: %s\n", plural(len(list), "merge"))
	for _, d := range list {
		fmt.Fprintf(w, "\n%s %s  %s %s into %s\n", a.paint(sgrBold, fmt.Sprint(d.Score)), d.Entity,
			a.paint(sgrDim, "merge"), dupLabel(d.Other), dupLabel(d.Keep))
		fmt.Fprintf(w, "  because  %s\n", d.Reason)
		if plan, err := db.PlanMerge(a.ctx, d.Keep.ID, d.Other.ID); err == nil {
			a.printMergeFields(w, plan)
		}
	}
	fmt.Fprintln(w)
	// One change: every merge or none, and one rolo undo takes them all back.
	merged, skipped, err := db.MergeDuplicates(a.ctx, list)
	if err != nil {
		return fmt.Errorf("nothing merged: %w", err)
	}
	if merged == nil {
		merged = []*store.Merge{}
	}
	if a.jsonOut {
		return a.printJSON(map[string]any{"merged": merged, "skipped": skipped})
	}
	fmt.Fprintf(w, "Merged %s", plural(len(merged), "pair"))
	if skipped > 0 {
		fmt.Fprintf(w, " (%s already one record through an earlier merge)", plural(skipped, "pair"))
	}
	fmt.Fprintln(w, ". Take them all back with: rolo undo; one pair with: rolo unmerge ID (the merged record's id)")
	return nil
}

// printMergeFields lists what a merge takes and the conflicts it resolves.
func (a *App) printMergeFields(w io.Writer, m *store.Merge) {
	if len(m.Taken) > 0 {
		fmt.Fprintf(w, "  takes    %s\n", strings.Join(m.Taken, ", "))
	}
	for _, c := range m.Conflicts {
		fmt.Fprintf(w, "  keeps    %s %q, not %q\n", c.Field, oneLine(c.Kept), oneLine(c.Other))
	}
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 60 {
		s = string(r[:59]) + "…"
	}
	return s
}

func (a *App) mergeCmd() *cobra.Command {
	var dry bool
	cmd := &cobra.Command{
		Use:   "merge KEEP OTHER",
		Short: "Merge OTHER into KEEP (two contacts or two companies); rolo unmerge reverts it",
		Long: `Merge the record OTHER into KEEP, two contacts or two companies. KEEP keeps its own
values and takes what only OTHER has: its emails, phones and tags, the fields KEEP
leaves empty, its notes (appended). Where both have different values, KEEP's stay and
the conflict is listed. OTHER's timeline, deals and follow-ups (a company's contacts
too) show under KEEP from then on, and references to OTHER lead to KEEP.

The merge is one change: rolo undo right after it reverts it, and rolo unmerge OTHER
restores both records exactly as long as KEEP's merged fields were not edited since.`,
		Example: `  rolo merge "Robert Smith" "Bob Smith"
  rolo merge 3f9a2c1b 7d0e4b2a --dry-run`,
		Args: exactArgs(2, "KEEP and OTHER"),
		RunE: func(cmd *cobra.Command, args []string) error {
			keep, err := a.resolve(args[0], false, mergeKinds...)
			if err != nil {
				return err
			}
			// OTHER is taken as named, so merging a record merged already says so.
			other, err := a.db.Resolve(a.ctx, args[1], store.ResolveOptions{Kinds: mergeKinds, Merged: true})
			if err != nil {
				return err
			}
			var m *store.Merge
			verb := "Merged"
			if dry {
				verb = "Would merge"
				m, err = a.db.PlanMerge(a.ctx, keep.ID, other.ID)
			} else {
				m, err = a.db.MergeRecords(a.ctx, keep.ID, other.ID)
			}
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(m)
			}
			w := a.io.Out
			fmt.Fprintf(w, "%s %s %s (%s) into %s (%s).\n", verb, m.Entity, m.Other, store.ShortID(m.OtherID), m.Keep, store.ShortID(m.KeepID))
			a.printMergeFields(w, m)
			if !dry {
				fmt.Fprintf(w, "%s's timeline, deals and follow-ups show under %s now. Revert with: rolo unmerge %s\n",
					m.Other, m.Keep, store.ShortID(m.OtherID))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&dry, "dry-run", false, "show what the merge would do, change nothing")
	return cmd
}

func (a *App) unmergeCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "unmerge REF",
		Short: "Undo a merge: both records come back exactly as they were",
		Long: `Undo the merge of the record REF into another: the survivor's fields that the merge
changed get their earlier values back, and REF is a record of its own again, with its
timeline, deals and follow-ups. REF may also name the survivor when one record was
merged into it.

It refuses when the survivor's merged fields were edited after the merge, since
restoring them would lose that edit; revert the edit first (rolo history shows it).`,
		Example: `  rolo unmerge 7d0e4b2a
  rolo unmerge "Bob Smith"`,
		Args: exactArgs(1, "REF"),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := a.open()
			if err != nil {
				return err
			}
			ref, err := db.Resolve(a.ctx, args[0], store.ResolveOptions{Kinds: mergeKinds, Merged: true})
			if err != nil {
				return err
			}
			u, err := db.Unmerge(a.ctx, ref.ID)
			if err != nil {
				return err
			}
			restored := ""
			if len(u.Restored) > 0 {
				restored = fmt.Sprintf("; restored %s's %s", u.Survivor, strings.Join(u.Restored, ", "))
			}
			return a.done(u, "Unmerged %s %s (%s) from %s (%s)%s.", u.Entity, u.Name, store.ShortID(u.ID), u.Survivor, store.ShortID(u.SurvivorID), restored)
		},
	}
}
