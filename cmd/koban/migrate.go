package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/store"
)

// migrateCommand applies the database migrations (koban's tables and River's
// job tables) and prints the schema version. koban serve migrates on start
// too; operators who want schema changes as a separate step run this first
// (a Kubernetes Job or init container) and start serve with the schema ready.
var migrateCommand = command{
	name:    "migrate",
	summary: "apply database migrations and print the schema version",
	flags: func(fs *flag.FlagSet, a *app) func(context.Context, []string) error {
		check := fs.Bool("check", false, "only check: fail if migrations are pending or the schema is newer than this binary")
		return func(ctx context.Context, args []string) error {
			if len(args) > 0 {
				return koban.Errorf(koban.EInvalid, "migrate: unexpected arguments %q", args)
			}
			st, err := store.Open(ctx, store.Options{URL: a.cfg.DatabaseURL, DataDir: a.cfg.DataDir, Log: a.log, NoMigrate: *check})
			if err != nil {
				return fmt.Errorf("migrate: %w", err)
			}
			defer st.Close()
			v, err := st.SchemaVersion(ctx)
			if err != nil {
				return fmt.Errorf("migrate: %w", err)
			}
			_, err = fmt.Fprintf(a.stdout, "%s schema version %s: up to date\n", st.Dialect(), v)
			return err
		}
	},
}
