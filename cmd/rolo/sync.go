package main

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/rolo-crm/rolo/store"
	"github.com/rolo-crm/rolo/sync/client"
	"github.com/spf13/cobra"
)

// SyncConfig is the sync section of the config.
type SyncConfig struct {
	// Server overrides the server URL saved when this database joined (a server that moved).
	Server string `mapstructure:"server"`
	// Auto and Interval drive background sync in the full-screen interface.
	Auto     bool          `mapstructure:"auto"`
	Interval time.Duration `mapstructure:"interval"`
	// JoinVisibility is how rolo sync join shares the records a database already holds:
	// "keep" (each record's own visibility), "private" or "team".
	JoinVisibility string `mapstructure:"join_visibility"`
}

// tokenPath is where this device's sync token is kept: in the config directory, readable
// by its owner only, one file per device (database).
func tokenPath(device string) string {
	return filepath.Join(xdgDir("XDG_CONFIG_HOME", ".config"), "rolo", "tokens", device)
}

func saveToken(device, token string) error {
	p := tokenPath(device)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return fmt.Errorf("save token: %w", err)
	}
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, []byte(token+"\n"), 0o600); err != nil {
		return fmt.Errorf("save token: %w", err)
	}
	return os.Rename(tmp, p)
}

// syncClient builds the client for the open database, or says how to join.
func (a *App) syncClient() (*client.Client, error) {
	db, err := a.open()
	if err != nil {
		return nil, err
	}
	st, err := db.SyncState(a.ctx)
	if err != nil {
		return nil, err
	}
	server := st.Server
	if a.cfg.Sync.Server != "" {
		server = a.cfg.Sync.Server
	}
	if server == "" {
		return nil, store.ErrNotJoined
	}
	tok, err := os.ReadFile(tokenPath(db.Device()))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no sync token for this database at %s; run rolo sync join URL CODE", tokenPath(db.Device()))
	}
	if err != nil {
		return nil, fmt.Errorf("read sync token: %w", err)
	}
	return &client.Client{BaseURL: server, Token: strings.TrimSpace(string(tok)), DB: db, HTTP: &http.Client{Timeout: 60 * time.Second}}, nil
}

func (a *App) syncCmd() *cobra.Command {
	var status bool
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Exchange changes with your team's server",
		Long: `Push this database's unsent changes to the team server, then pull everyone
else's until both sides are empty, and report what moved. Works any time: offline
edits wait in the op log until the next sync. --status shows the server, the last
sync, and the pending, parked and conflicting changes without syncing.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.syncClient()
			if err != nil {
				return err
			}
			if status {
				return a.syncStatus(c)
			}
			rep, err := c.SyncNow(a.ctx)
			if err != nil {
				return fmt.Errorf("sync: %w", err)
			}
			if a.jsonOut {
				return a.printJSON(rep)
			}
			fmt.Fprintf(a.io.Out, "Pushed %d change(s), pulled %d.", rep.Pushed, rep.Pulled)
			if rep.Hidden > 0 {
				fmt.Fprintf(a.io.Out, " %d record(s) turned private were removed.", rep.Hidden)
			}
			fmt.Fprintln(a.io.Out)
			if rep.Resynced {
				fmt.Fprintln(a.io.Out, "The server's log had changed (restored?); everything was exchanged again and nothing was lost.")
			}
			if rep.Parked > 0 {
				fmt.Fprintf(a.io.Out, "%d change(s) could not be applied and are parked; see rolo sync --status.\n", rep.Parked)
			}
			if rep.Conflicts > 0 {
				fmt.Fprintf(a.io.Out, "%d conflict(s): concurrent edits kept both values; see rolo conflicts.\n", rep.Conflicts)
			}
			if off := rep.ClockOffset; off != 0 {
				fmt.Fprintf(a.io.Err, "warning: %s; rolo stamps your edits by the server's time until it is set right.\n", clockDrift(off))
				if rep.Restamped > 0 {
					fmt.Fprintf(a.io.Err, "%d unsent change(s) were re-stamped by the server's time (their order kept).\n", rep.Restamped)
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&status, "status", false, "show the sync state instead of syncing")
	cmd.AddCommand(a.syncJoinCmd())
	return cmd
}

// clockDrift describes a correction (the server's time minus this device's) in words.
func clockDrift(offset time.Duration) string {
	way := "behind"
	if offset < 0 {
		way, offset = "ahead of", -offset
	}
	return fmt.Sprintf("this device's clock is %s %s the server's", offset, way)
}

func (a *App) syncStatus(c *client.Client) error {
	st, err := c.Status(a.ctx)
	if err != nil {
		return err
	}
	parked, err := c.DB.ParkedOps(a.ctx)
	if err != nil {
		return err
	}
	if a.jsonOut {
		return a.printJSON(map[string]any{"status": st, "parked": parked})
	}
	online := "unreachable"
	if st.Online {
		online = "reachable"
	}
	last := "never"
	if !st.LastSync.IsZero() {
		last = st.LastSync.Local().Format("2006-01-02 15:04:05")
	}
	w := tabwriter.NewWriter(a.io.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "Server:\t%s (%s)\n", st.Server, online)
	fmt.Fprintf(w, "Team:\t%s, as %s\n", st.Team, st.User)
	fmt.Fprintf(w, "Last sync:\t%s\n", last)
	if st.LastError != "" {
		fmt.Fprintf(w, "Last error:\t%s\n", st.LastError)
	}
	fmt.Fprintf(w, "Pending:\t%d change(s) not yet sent\n", st.Pending)
	fmt.Fprintf(w, "Parked:\t%d\n", st.Parked)
	fmt.Fprintf(w, "Conflicts:\t%d open (rolo conflicts)\n", st.Conflicts)
	if st.ClockOffsetSeconds != 0 {
		fmt.Fprintf(w, "Clock:\t%s; edits are stamped by the server's time\n", clockDrift(time.Duration(st.ClockOffsetSeconds)*time.Second))
	}
	w.Flush()
	for _, p := range parked {
		fmt.Fprintf(a.io.Out, "  parked %s %s %s: %s (%s)\n", p.Direction, strings.ReplaceAll(p.Entity, "_", "-"), store.ShortID(p.EntityID), p.Reason, p.Code)
	}
	return nil
}

func (a *App) syncJoinCmd() *cobra.Command {
	var name, visibility string
	cmd := &cobra.Command{
		Use:   "join URL CODE",
		Short: "Enrol this database with a team server using an invite code",
		Long: `Enrol this database with the team server at URL using a single-use invite code
(from rolo server invite). The device token is stored, readable by you only, in
the config directory. Everything already in the database is kept: your records
become your team user's and go up at the next rolo sync. Each keeps its own
visibility (private ones stay private) unless --visibility (or the config key
sync.join_visibility) says to share them all as private or all with the team.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := a.open()
			if err != nil {
				return err
			}
			if !cmd.Flags().Changed("visibility") {
				visibility = a.cfg.Sync.JoinVisibility
			}
			switch visibility {
			case "", "keep":
				visibility = ""
			case "private", "team":
			default:
				return usagef("--visibility (or sync.join_visibility in the config) must be keep, private or team, not %q", visibility)
			}
			url := strings.TrimSuffix(args[0], "/")
			if !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "http://") {
				return usagef("server URL %q must start with https:// (or http:// for a local server)", args[0])
			}
			if st, err := db.SyncState(a.ctx); err != nil {
				return err
			} else if st.Server != "" && st.Server != url {
				return fmt.Errorf("this database already syncs with %s; use a copy (rolo backup) to join another team", st.Server)
			}
			if name == "" {
				name, _ = os.Hostname()
			}
			res, err := client.Enroll(a.ctx, &http.Client{Timeout: 30 * time.Second}, url, strings.TrimSpace(args[1]), db.Device(), name)
			if err != nil {
				return err
			}
			if err := saveToken(db.Device(), res.Token); err != nil {
				return err
			}
			// Joining rewrites the op log as the team user's: seconds on a large database.
			status := a.progress("")
			if n, _ := db.PendingCount(a.ctx); status.on && n >= 10000 {
				fmt.Fprintf(status.w, "Preparing %d change(s) to go up as %s's…", n, res.User)
			}
			err = db.PrepareJoinAs(a.ctx, res.User, visibility)
			status.finish()
			if err != nil {
				return err
			}
			if err := db.SetSyncState(a.ctx, map[string]string{store.SyncServer: url, store.SyncTeam: res.Team}); err != nil {
				return err
			}
			n, _ := db.PendingCount(a.ctx)
			return a.done(map[string]any{"server": url, "team": res.Team, "user": res.User, "admin": res.Admin, "pending": n},
				"Joined team %s at %s as %s. %d change(s) will go up at the next rolo sync.", res.Team, url, res.User, n)
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "a name for this device in rolo server users (default: the host name)")
	cmd.Flags().StringVar(&visibility, "visibility", "keep", "share the records already here: keep (each its own), private or team (config sync.join_visibility)")
	return cmd
}

func (a *App) conflictsCmd() *cobra.Command {
	var all bool
	var limit int
	cmd := &cobra.Command{
		Use:   "conflicts",
		Short: "List values that lost to a concurrent edit (restore or dismiss them)",
		Long: `When two people change the same field before syncing, the later edit wins on
every device and the other value is kept as a conflict record. This lists the
open ones; rolo conflicts restore ID puts the losing value back (as a new edit
that syncs), rolo conflicts dismiss ID keeps the winner.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := a.open()
			if err != nil {
				return err
			}
			list, err := db.Conflicts(a.ctx, store.ConflictFilter{All: all, Limit: limit})
			if err != nil {
				return err
			}
			if a.jsonOut {
				if list == nil {
					list = []store.Conflict{}
				}
				return a.printJSON(list)
			}
			if len(list) == 0 {
				fmt.Fprintln(a.io.Out, "No open conflicts.")
				return nil
			}
			w := tabwriter.NewWriter(a.io.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tRECORD\tFIELD\tKEPT\tLOST")
			for _, c := range list {
				label := c.Label
				if label == "" {
					label = strings.ReplaceAll(c.Entity, "_", "-") + " " + store.ShortID(c.EntityID)
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s (%s)\t%s (%s)\n", c.ID[:8], label, c.Field, clip(string(c.WinnerValue)), c.WinnerUser,
					clip(string(c.LoserValue)), c.LoserUser)
			}
			return w.Flush()
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "include resolved conflicts")
	cmd.Flags().IntVar(&limit, "limit", 100, "at most N conflicts (0 means 100)")
	for _, verb := range []string{"restore", "dismiss"} {
		short := "Put the losing value back, as a new edit that syncs"
		if verb == "dismiss" {
			short = "Keep the winning value and close the conflict"
		}
		cmd.AddCommand(&cobra.Command{
			Use:   verb + " ID",
			Short: short,
			Args:  cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				db, err := a.open()
				if err != nil {
					return err
				}
				var c *store.Conflict
				if verb == "restore" {
					c, err = db.RestoreConflict(a.ctx, args[0])
				} else {
					c, err = db.DismissConflict(a.ctx, args[0])
				}
				if err != nil {
					return err
				}
				if verb == "restore" {
					return a.done(c, "Restored %s to %s; it goes to the team at the next sync.", c.Field, clip(string(c.LoserValue)))
				}
				return a.done(c, "Kept %s = %s.", c.Field, clip(string(c.WinnerValue)))
			},
		})
	}
	return cmd
}

func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:37]) + "..."
	}
	return s
}
