package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/rolo-crm/rolo/sync/server"
	"github.com/rolo-crm/rolo/sync/server/sqlitestore"
	"github.com/spf13/cobra"
)

// defaultListen is where rolo serve listens unless told: loopback only.
const defaultListen = "127.0.0.1:7411"

// serverData is the server storage file: --data, or $XDG_DATA_HOME/rolo/server.db.
func serverData(flag string) (string, error) {
	if flag != "" {
		return expandHome(flag), nil
	}
	dir := filepath.Join(xdgDir("XDG_DATA_HOME", filepath.Join(".local", "share")), "rolo")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create data directory: %w", err)
	}
	return filepath.Join(dir, "server.db"), nil
}

func (a *App) openServer(flag string, mustExist bool) (server.Storage, error) {
	if st, ok, err := a.openServerStorage(flag); ok { // PostgreSQL: serve_postgres.go
		return st, err
	}
	path, err := serverData(flag)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); mustExist && errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no server storage at %s; run rolo server init --team NAME first", path)
	}
	return sqlitestore.Open(a.ctx, path, sqlitestore.Options{})
}

func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (a *App) serveCmd() *cobra.Command {
	var listen, data, cert, key string
	var proxy bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the team sync server",
		Long: `Run the team sync server on its own storage (rolo server init creates it).
It listens on loopback unless --listen says otherwise; on any other address it
needs TLS (--tls-cert and --tls-key) or --behind-proxy, for a TLS-terminating
proxy in front of it. SIGTERM or Ctrl-C stop it gracefully: requests in flight
finish, nothing is left half-written. Logs are JSON lines on stderr and never
contain tokens or record values. GET /v1/health answers 200 when it is ready.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if (cert == "") != (key == "") {
				return usagef("--tls-cert and --tls-key go together")
			}
			if cert == "" && !proxy && !isLoopback(listen) {
				return usagef("refusing plain HTTP on %s: give --tls-cert and --tls-key, or --behind-proxy when a TLS proxy is in front", listen)
			}
			st, err := a.openServer(data, true)
			if err != nil {
				return err
			}
			defer st.Close()
			ws, err := st.Workspace(a.ctx)
			if err != nil {
				return err
			}
			log := slog.New(slog.NewJSONHandler(a.io.Err, nil))
			srv := server.New(server.Config{Storage: st, Logger: log, TrustProxy: proxy})
			hs := &http.Server{
				Addr:              listen,
				Handler:           srv.Handler(),
				ReadHeaderTimeout: 5 * time.Second,
				ReadTimeout:       60 * time.Second,
				WriteTimeout:      60 * time.Second,
				IdleTimeout:       120 * time.Second,
				ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
			}
			if cert != "" {
				hs.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
			}
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return fmt.Errorf("listen: %w", err)
			}
			ctx, stop := signal.NotifyContext(a.ctx, os.Interrupt, syscall.SIGTERM)
			defer stop()
			errc := make(chan error, 1)
			go func() {
				if cert != "" {
					errc <- hs.ServeTLS(ln, expandHome(cert), expandHome(key))
				} else {
					errc <- hs.Serve(ln)
				}
			}()
			scheme := "http"
			if cert != "" {
				scheme = "https"
			}
			log.Info("serving", "team", ws.Team, "url", scheme+"://"+ln.Addr().String(), "epoch", ws.Epoch)
			select {
			case err := <-errc:
				return fmt.Errorf("serve: %w", err)
			case <-ctx.Done():
			}
			log.Info("shutting down; finishing requests in flight")
			sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := hs.Shutdown(sctx); err != nil {
				return fmt.Errorf("shut down: %w", err)
			}
			log.Info("stopped")
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", defaultListen, "address to listen on")
	f.StringVar(&data, "data", "", "server storage file (default $XDG_DATA_HOME/rolo/server.db)")
	f.StringVar(&cert, "tls-cert", "", "TLS certificate file (PEM)")
	f.StringVar(&key, "tls-key", "", "TLS key file (PEM)")
	f.BoolVar(&proxy, "behind-proxy", false, "plain HTTP behind a TLS-terminating proxy (client addresses from X-Forwarded-For)")
	a.postgresFlag(f)
	return cmd
}

func (a *App) serverCmd() *cobra.Command {
	var data string
	cmd := &cobra.Command{
		Use:   "server",
		Short: "Administer the team sync server's storage (init, invite, users, revoke, backup)",
	}
	cmd.PersistentFlags().StringVar(&data, "data", "", "server storage file (default $XDG_DATA_HOME/rolo/server.db)")
	a.postgresFlag(cmd.PersistentFlags())

	var team, admin string
	initCmd := &cobra.Command{
		Use:   "init --team NAME",
		Short: "Create the server's storage and an invite for its first admin",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if team == "" {
				return usagef("give the team a name: --team NAME")
			}
			st, err := a.openServer(data, false)
			if err != nil {
				return err
			}
			defer st.Close()
			ws, err := st.Init(a.ctx, team, a.now())
			if errors.Is(err, server.ErrExists) {
				return fmt.Errorf("the server storage already holds a team; use rolo server invite")
			}
			if err != nil {
				return err
			}
			code, exp, err := server.CreateInvite(a.ctx, st, admin, true, a.now())
			if err != nil {
				return err
			}
			return a.done(map[string]any{"team": ws.Team, "epoch": ws.Epoch, "user": admin, "code": code, "expires_at": exp},
				"Created team %s. Admin invite for %s (single use, valid until %s):\n  %s\nOn the admin's machine: rolo sync join URL %s",
				ws.Team, admin, exp.Local().Format("2006-01-02 15:04"), code, code)
		},
	}
	initCmd.Flags().StringVar(&team, "team", "", "the team's name")
	initCmd.Flags().StringVar(&admin, "admin", osUserName(), "the first admin's user name")

	var user string
	var isAdmin bool
	inviteCmd := &cobra.Command{
		Use:   "invite --user NAME [--admin]",
		Short: "Print a single-use invite code, valid for 24 hours",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if user == "" {
				return usagef("whom is it for? --user NAME")
			}
			st, err := a.openServer(data, true)
			if err != nil {
				return err
			}
			defer st.Close()
			code, exp, err := server.CreateInvite(a.ctx, st, user, isAdmin, a.now())
			if err != nil {
				return err
			}
			return a.done(map[string]any{"user": user, "admin": isAdmin, "code": code, "expires_at": exp},
				"Invite for %s (single use, valid until %s):\n  %s\nOn their machine: rolo sync join URL %s", user, exp.Local().Format("2006-01-02 15:04"), code, code)
		},
	}
	inviteCmd.Flags().StringVar(&user, "user", "", "the user the invite enrols a device for")
	inviteCmd.Flags().BoolVar(&isAdmin, "admin", false, "make the user an admin (may change any team record's owner and visibility)")

	usersCmd := &cobra.Command{
		Use:   "users",
		Short: "List users and their devices",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.openServer(data, true)
			if err != nil {
				return err
			}
			defer st.Close()
			users, devs, err := st.Users(a.ctx)
			if err != nil {
				return err
			}
			if a.jsonOut {
				if users == nil {
					users = []server.User{}
				}
				if devs == nil {
					devs = []server.Device{}
				}
				return a.printJSON(map[string]any{"users": users, "devices": devs})
			}
			w := tabwriter.NewWriter(a.io.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "USER\tADMIN\tDEVICE\tNAME\tLAST SEEN\tSTATUS")
			for _, d := range devs {
				status := "active"
				if d.RevokedAt != nil {
					status = "revoked " + d.RevokedAt.Local().Format("2006-01-02")
				}
				fmt.Fprintf(w, "%s\t%v\t%s\t%s\t%s\t%s\n", d.User, d.Admin, d.ID, d.Name, d.LastSeen.Local().Format("2006-01-02 15:04"), status)
			}
			if len(devs) == 0 {
				fmt.Fprintln(w, "(no devices yet)")
			}
			return w.Flush()
		},
	}
	revokeCmd := &cobra.Command{
		Use:   "revoke DEVICE",
		Short: "Revoke a device: its token stops working at once",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.openServer(data, true)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.RevokeDevice(a.ctx, args[0], a.now()); err != nil {
				if errors.Is(err, server.ErrNotFound) {
					return fmt.Errorf("no device %s; see rolo server users", args[0])
				}
				return err
			}
			return a.done(map[string]any{"device": args[0], "revoked": true}, "Revoked device %s.", args[0])
		},
	}
	backupCmd := &cobra.Command{
		Use:   "backup FILE",
		Short: "Write a consistent copy of the server's storage (safe while it serves)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.openServer(data, true)
			if err != nil {
				return err
			}
			defer st.Close()
			dest := expandHome(args[0])
			lite, ok := st.(*sqlitestore.Store)
			if !ok {
				return errBackupPostgres
			}
			if err := lite.Backup(a.ctx, dest); err != nil {
				return err
			}
			return a.done(map[string]any{"file": dest}, "Backed up the server to %s.", dest)
		},
	}
	cmd.AddCommand(initCmd, inviteCmd, usersCmd, revokeCmd, backupCmd, a.migrateToPostgresCmd())
	return cmd
}

func osUserName() string {
	for _, k := range []string{"USER", "LOGNAME", "USERNAME"} {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return "admin"
}
