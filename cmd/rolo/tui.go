package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/cobra"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/tui"
	"github.com/rolo-crm/rolo/tui/common"
	"github.com/rolo-crm/rolo/tui/styles"
)

// runTUI opens the full-screen interface: `rolo` with no arguments. It needs a
// terminal on both ends; otherwise (a pipe, a script) it says so, prints the help
// and exits 2.
func (a *App) runTUI(cmd *cobra.Command) error {
	in, inOK := a.io.In.(*os.File)
	if !isTerminal(a.io.Out) || !inOK || !isTerminal(in) {
		fmt.Fprintln(a.io.Err, "rolo: the full-screen interface needs a terminal: run rolo in one, or use a command below.")
		fmt.Fprintln(a.io.Err)
		cmd.SetOut(a.io.Err)
		_ = cmd.Help()
		return reportedError{exitUsage}
	}
	db, err := a.open()
	if err != nil {
		return err
	}
	// Each connection keeps its own page cache and it counts in resident memory. The TUI runs its queries one at a time on a single
	// connection with a 12 MB cache: the budget is 80 MB while browsing, and every
	// query it makes reads an index window, so a smaller cache costs little.
	db.SQL().SetMaxOpenConns(1)
	if _, err := db.SQL().ExecContext(a.ctx, "PRAGMA cache_size = -12000"); err != nil {
		return err
	}
	ws, _ := a.cfg.weekStart()
	noColor := a.noColor || os.Getenv("NO_COLOR") != ""
	c := common.Common{
		Ctx: a.ctx, Styles: styles.New(true, noColor), Now: a.now, Loc: time.Local,
		Currency: a.cfg.Currency, Editor: a.cfg.editor(), WeekStart: ws,
	}
	opts := tui.Options{NoColor: noColor, Reports: store.ReportOptions{WinRateDenominator: a.cfg.WinRateDenominator}}
	// A database that joined a team syncs in the background (sync.auto, sync.interval)
	// and on S; one that did not shows no sync state.
	if sc, err := a.syncClient(); err == nil {
		opts.Sync, opts.SyncAuto, opts.SyncInterval = tuiSyncer(sc), a.cfg.Sync.Auto, a.cfg.Sync.Interval
	} else if !errors.Is(err, store.ErrNotJoined) {
		// Sync set up but unusable (a token file gone): the rep can still work offline.
		fmt.Fprintf(a.io.Err, "rolo: sync is off for this session: %s\n", message(err))
	}
	app := tui.New(c, db, opts)
	_, err = tea.NewProgram(app, tea.WithContext(a.ctx), tea.WithInput(in), tea.WithOutput(a.io.Out.(*os.File))).Run()
	if errors.Is(err, tea.ErrProgramKilled) && a.ctx.Err() != nil {
		return nil
	}
	return err
}

// reportedError is a failure whose message is already printed; only its exit code is
// left to return.
type reportedError struct{ code int }

func (e reportedError) Error() string { return fmt.Sprintf("exit %d", e.code) }
