package main

import (
	"fmt"
	"os"

	"github.com/rolo-crm/rolo/sync/server"
	"github.com/rolo-crm/rolo/sync/server/pgstore"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// postgresEnv gives the sync server's PostgreSQL DSN when --postgres does not.
const postgresEnv = "ROLO_SERVER_POSTGRES"

// postgresFlag adds --postgres to rolo serve and rolo server.
func (a *App) postgresFlag(f *pflag.FlagSet) {
	f.StringVar(&a.serverPG, "postgres", "", "PostgreSQL DSN (postgres://user:pass@host/db?sslmode=…, or $"+postgresEnv+
		"): keep the server's data there instead of the --data file; several rolo serve replicas may share it")
}

// openServerStorage opens the server storage the flags name: PostgreSQL when --postgres
// or $ROLO_SERVER_POSTGRES gives a DSN (an explicit --data wins over the variable),
// else nil and false, for the SQLite file.
func (a *App) openServerStorage(dataFlag string) (server.Storage, bool, error) {
	dsn := a.serverPG
	if dsn == "" && dataFlag == "" {
		dsn = os.Getenv(postgresEnv)
	}
	if dsn == "" {
		return nil, false, nil
	}
	if dataFlag != "" {
		return nil, true, usagef("give --data (SQLite) or --postgres (PostgreSQL), not both")
	}
	st, err := pgstore.Open(a.ctx, dsn)
	if err != nil {
		return nil, true, err
	}
	return st, true, nil
}

// errBackupPostgres answers rolo server backup on PostgreSQL.
var errBackupPostgres = fmt.Errorf("rolo server backup copies the SQLite storage; back up PostgreSQL with pg_dump or point-in-time recovery (docs/postgres.md)")

func (a *App) migrateToPostgresCmd() *cobra.Command {
	var from string
	cmd := &cobra.Command{
		Use:   "migrate-to-postgres --from FILE --postgres DSN",
		Short: "Move the server's data from its SQLite file to an empty PostgreSQL database",
		Long: `Copy everything the embedded (SQLite) server keeps into an empty PostgreSQL
database: the team's log with its epoch and seqs, users, devices, token and invite
hashes, records and conflicts. Devices keep their tokens and cursors and sync on
without a resync once rolo serve --postgres answers at the server's address.

Stop the SQLite server first: changes it accepts after the copy's snapshot would not
be moved. The copy is one PostgreSQL transaction with its row counts checked, so on
any error nothing is written. --from defaults to the --data file (or its default).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			dsn := a.serverPG
			if dsn == "" {
				dsn = os.Getenv(postgresEnv)
			}
			if dsn == "" {
				return usagef("give the target database: --postgres DSN (or $%s)", postgresEnv)
			}
			if from == "" {
				data, _ := cmd.Flags().GetString("data")
				p, err := serverData(data)
				if err != nil {
					return err
				}
				from = p
			}
			from = expandHome(from)
			if _, err := os.Stat(from); err != nil {
				return fmt.Errorf("no server storage at %s: %w", from, err)
			}
			pg, err := pgstore.Open(a.ctx, dsn)
			if err != nil {
				return err
			}
			defer pg.Close()
			rep, err := pgstore.MigrateFromSQLite(a.ctx, from, pg)
			if err != nil {
				return err
			}
			rows := rep.Rows
			return a.done(map[string]any{"team": rep.Team, "epoch": rep.Epoch, "last_seq": rep.LastSeq, "from": from, "rows": rows},
				"Moved team %s (epoch %s, %d changes) from %s to PostgreSQL:\n  %d users, %d devices, %d tokens, %d invites, %d records, %d fields.\n"+
					"Start rolo serve --postgres at the server's address; devices sync on without a resync.",
				rep.Team, rep.Epoch, rep.LastSeq, from, rows["users"], rows["devices"], rows["tokens"], rows["invites"], rows["records"], rows["fields"])
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "the SQLite server storage file to move (default: --data or its default)")
	return cmd
}
