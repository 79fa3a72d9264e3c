package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/store/when"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// Exit codes, as DESIGN.md promises scripts.
const (
	exitOK        = 0
	exitError     = 1
	exitUsage     = 2
	exitNotFound  = 3
	exitAmbiguous = 4
)

// Stdio is where a run reads and writes.
type Stdio struct {
	In       io.Reader
	Out, Err io.Writer
}

// App is one invocation: its flags, config and (once opened) database.
type App struct {
	ctx context.Context
	io  Stdio

	// Global flags.
	dbFlag, configFlag string
	serverPG           string // rolo serve/server --postgres (serve_postgres.go)
	jsonOut, noColor   bool

	cfg *Config
	db  *store.DB
	// now is the wall clock; tests replace it.
	now   func() time.Time
	color bool
	// signals makes Ctrl-C and SIGTERM cancel ctx while a command that is not quick
	// runs (see quick). main sets it; tests cancel ctx themselves.
	signals     bool
	stopSignals context.CancelFunc // releases the handler, once installed
}

// usageError marks bad command-line usage (exit 2).
type usageError struct{ error }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// nowFunc is the clock Run gives the App; tests replace it.
var nowFunc = time.Now

// Run executes rolo with args and returns the process exit code.
func Run(ctx context.Context, args []string, stdio Stdio) int {
	return (&App{ctx: ctx, io: stdio, now: nowFunc}).run(args)
}

func (a *App) run(args []string) int {
	root := a.rootCmd(args)
	root.SetArgs(args)
	root.SetIn(a.io.In)
	root.SetOut(a.io.Out)
	root.SetErr(a.io.Err)
	err := root.ExecuteContext(a.ctx)
	if a.db != nil {
		a.db.Close()
	}
	if a.stopSignals != nil {
		a.stopSignals()
	}
	if err == nil {
		return exitOK
	}
	return a.report(err)
}

// report prints err as one sentence on stderr and returns its exit code.
func (a *App) report(err error) int {
	var amb *store.AmbiguousError
	var done reportedError
	code := exitError
	switch {
	case errors.As(err, &done):
		return done.code
	case errors.As(err, &amb):
		fmt.Fprintf(a.io.Err, "rolo: %s\n", amb.Error())
		for _, c := range amb.Candidates {
			fmt.Fprintf(a.io.Err, "  %-11s %s  %s\n", strings.ReplaceAll(c.Entity, "_", "-"), store.ShortID(c.ID), c.Label)
		}
		return exitAmbiguous
	case errors.As(err, new(usageError)), errors.Is(err, store.ErrInvalid), errors.Is(err, when.ErrUnparseable):
		code = exitUsage
	case errors.Is(err, store.ErrNotFound):
		code = exitNotFound
	}
	fmt.Fprintf(a.io.Err, "rolo: %s\n", message(err))
	return code
}

// message strips the sentinel words from a wrapped error so it reads as one sentence.
func message(err error) string {
	msg := err.Error()
	for _, s := range []error{store.ErrInvalid, store.ErrConflict} {
		if i := strings.LastIndex(msg, s.Error()+": "); i >= 0 {
			msg = msg[i+len(s.Error())+2:]
		}
	}
	if i := strings.LastIndex(msg, store.ErrNotFound.Error()+": "); i >= 0 {
		msg = msg[i+len(store.ErrNotFound.Error())+2:]
	}
	return msg
}

// topCommand is one of rolo's commands: its help group, the names it answers to (its
// name and aliases; TestTopCommands checks them against the command) and its builder.
type topCommand struct {
	group string
	names []string
	build func() *cobra.Command
}

// commands lists rolo's commands in help order.
func (a *App) commands() []topCommand {
	return []topCommand{
		{"records", []string{"contact", "contacts", "c"}, a.contactCmd},
		{"records", []string{"company", "companies", "co"}, a.companyCmd},
		{"records", []string{"deal", "deals", "d"}, a.dealCmd},
		{"daily", []string{"today"}, a.todayCmd},
		{"daily", []string{"log"}, a.logCmd},
		{"daily", []string{"followup", "followups", "fu"}, a.followupCmd},
		{"daily", []string{"pipeline"}, a.pipelineCmd},
		{"daily", []string{"search"}, a.searchCmd},
		{"daily", []string{"report"}, a.reportCmd},
		{"data", []string{"history"}, a.historyCmd},
		{"data", []string{"undo"}, a.undoCmd},
		{"data", []string{"backup"}, a.backupCmd},
		{"data", []string{"check"}, a.checkCmd},
		{"data", []string{"demo"}, a.demoCmd},
		{"data", []string{"import"}, a.importCmd},
		{"data", []string{"export"}, a.exportCmd},
		{"data", []string{"dedupe"}, a.dedupeCmd},
		{"data", []string{"merge"}, a.mergeCmd},
		{"data", []string{"unmerge"}, a.unmergeCmd},
		{"team", []string{"sync"}, a.syncCmd},
		{"team", []string{"conflicts"}, a.conflictsCmd},
		{"team", []string{"serve"}, a.serveCmd},
		{"team", []string{"server"}, a.serverCmd},
	}
}

// rootCmd builds the command tree that runs args. Building every command with its flags
// costs a one-shot process about 0.4 ms (docs/benchmarks.md, "Start-up of a one-shot
// command"), so only the command args name is built, when cobra finds it in that tree
// as it would in the whole one. Otherwise (no command, help, completion, a typo) every
// command is.
func (a *App) rootCmd(args []string) *cobra.Command {
	root := a.newRoot(nil)
	if name := commandWord(root, args); name != "" {
		for _, t := range a.commands() {
			if slices.Contains(t.names, name) {
				root = a.newRoot([]topCommand{t})
				// The word cobra takes for the command does not depend on which commands
				// exist, so finding this one means the whole tree would run it too.
				if c, _, _ := root.Find(args); c != root {
					return root
				}
				break
			}
		}
	}
	return a.newRoot(a.commands())
}

// commandWord is the first of args that is neither a flag nor the value of one of root's
// flags: the name of the command to run, or "" when there is none.
func commandWord(root *cobra.Command, args []string) string {
	flags := root.PersistentFlags()
	for i := 0; i < len(args); i++ {
		s := args[i]
		switch {
		case s == "--":
			return ""
		case strings.HasPrefix(s, "--") && !strings.Contains(s, "="):
			if f := flags.Lookup(s[2:]); f == nil || f.NoOptDefVal == "" {
				i++ // --flag VALUE
			}
		case !strings.HasPrefix(s, "-"):
			return s
		}
	}
	return ""
}

// newRoot builds the root command with cmds under it.
func (a *App) newRoot(cmds []topCommand) *cobra.Command {
	root := &cobra.Command{
		Use:   "rolo",
		Short: "A fast, offline, keyboard-driven CRM for your terminal",
		Long: `rolo keeps your contacts and companies, a timeline of every interaction,
follow-ups you will not miss, and your deal pipeline, in one local SQLite file.

Records are named by the short id shown in lists (or any id prefix of at least
four characters), by email address, or by an unambiguous name.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE:          func(cmd *cobra.Command, args []string) error { return a.runTUI(cmd) },
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			a.color = !a.noColor && os.Getenv("NO_COLOR") == "" && isTerminal(a.io.Out)
			if a.signals && cmd.Annotations[annotationQuick] == "" {
				a.ctx, a.stopSignals = signal.NotifyContext(a.ctx, os.Interrupt, syscall.SIGTERM)
			}
			return nil
		},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	pf := root.PersistentFlags()
	pf.StringVar(&a.dbFlag, "db", "", "database file (env ROLO_DB; default $XDG_DATA_HOME/rolo/rolo.db)")
	pf.StringVar(&a.configFlag, "config", "", "config file (env ROLO_CONFIG; default $XDG_CONFIG_HOME/rolo/config.yaml)")
	pf.BoolVar(&a.jsonOut, "json", false, "print JSON (stable snake_case fields; lists are arrays)")
	pf.BoolVar(&a.noColor, "no-color", false, "no colour in output (also NO_COLOR)")
	root.AddGroup(&cobra.Group{ID: "records", Title: "Records:"}, &cobra.Group{ID: "daily", Title: "Daily work:"},
		&cobra.Group{ID: "data", Title: "Your data:"}, &cobra.Group{ID: "team", Title: "Team sync:"})
	for _, t := range cmds {
		c := t.build()
		c.GroupID = t.group
		root.AddCommand(c)
	}
	root.SetHelpCommandGroupID("data")
	root.SetCompletionCommandGroupID("data")
	root.SetOut(a.io.Out) // the completion command captures its writer when it is made
	root.SetErr(a.io.Err)
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	strictArgs(root)
	return root
}

// annotationQuick marks a quick command (see quick).
const annotationQuick = "rolo:quick"

// quick marks c as a command that only reads and answers within milliseconds. It runs
// without a Ctrl-C handler, so Ctrl-C simply ends the process. A handler would cancel
// the store's context, and a cancellable context costs every query goroutines that
// watch it (database/sql and modernc.org/sqlite both start one): 1–1.5 ms of a one-shot
// `rolo search` (docs/benchmarks.md, "Start-up of a one-shot command"). Commands that
// write, run long or leave files or network state behind keep the handler.
func quick(c *cobra.Command) *cobra.Command {
	if c.Annotations == nil {
		c.Annotations = map[string]string{}
	}
	c.Annotations[annotationQuick] = "true"
	return c
}

// strictArgs makes positional-argument mistakes bad usage (exit 2), as flag mistakes
// are, and makes a command group refuse an unknown subcommand instead of printing help.
func strictArgs(c *cobra.Command) {
	for _, sub := range c.Commands() {
		strictArgs(sub)
	}
	if !c.Runnable() && c.HasSubCommands() {
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("unknown command %q for %q", args[0], cmd.CommandPath())
			}
			return cmd.Help()
		}
		return
	}
	check := c.Args
	if check == nil {
		return
	}
	c.Args = func(cmd *cobra.Command, args []string) error {
		err := check(cmd, args)
		if err == nil || errors.As(err, new(usageError)) {
			return err
		}
		if !strings.Contains(err.Error(), cmd.CommandPath()) {
			err = fmt.Errorf("%s: %w", cmd.CommandPath(), err)
		}
		return usageError{err}
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// open loads the config and opens the database; commands call it before any store work.
func (a *App) open() (*store.DB, error) {
	if a.db != nil {
		return a.db, nil
	}
	cfg, err := loadConfig(a.configFlag, a.dbFlag)
	if err != nil {
		return nil, err
	}
	a.cfg = cfg
	path, err := cfg.dbPath()
	if err != nil {
		return nil, err
	}
	db, err := store.Open(a.ctx, path, store.Options{
		Stages: cfg.Stages, Owner: cfg.Owner, Visibility: cfg.Visibility, Currency: cfg.Currency,
		Now: a.now,
	})
	if err != nil {
		return nil, err
	}
	if m := db.Migrated; m != nil {
		fmt.Fprintf(a.io.Err, "rolo: upgraded %s from schema %d to %d; the old file is kept at %s\n", path, m.From, m.To, m.Backup)
	}
	a.db = db
	return db, nil
}

// printJSON writes v as indented JSON.
func (a *App) printJSON(v any) error {
	enc := json.NewEncoder(a.io.Out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// say prints a line unless JSON output was asked for (then v is printed instead).
func (a *App) done(v any, format string, args ...any) error {
	if a.jsonOut {
		return a.printJSON(v)
	}
	fmt.Fprintf(a.io.Out, format+"\n", args...)
	return nil
}

// parseWhen reads a natural-language date in local time.
func (a *App) parseWhen(flag, phrase string) (when.Result, error) {
	ws := time.Monday
	if a.cfg != nil {
		ws, _ = a.cfg.weekStart()
	}
	r, err := when.Parse(phrase, a.now().In(time.Local), ws)
	if err != nil {
		return r, fmt.Errorf("--%s: %w", flag, err)
	}
	return r, nil
}

// resolve finds the record ref names among kinds.
func (a *App) resolve(ref string, deleted bool, kinds ...string) (store.Candidate, error) {
	db, err := a.open()
	if err != nil {
		return store.Candidate{}, err
	}
	c, err := db.Resolve(a.ctx, ref, store.ResolveOptions{Kinds: kinds, Deleted: deleted})
	if err == nil && c.Via != nil {
		fmt.Fprintf(a.io.Err, "rolo: %s (%s) was merged into %s (%s); using %s\n", c.Via.Label, store.ShortID(c.Via.ID), c.Label, store.ShortID(c.ID), c.Label)
	}
	return c, err
}

// Colours: a handful of SGR codes, used only on terminals.
const (
	sgrBold   = "1"
	sgrDim    = "2"
	sgrRed    = "31"
	sgrGreen  = "32"
	sgrYellow = "33"
	sgrCyan   = "36"
)

func (a *App) paint(code, s string) string {
	if !a.color || s == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}
