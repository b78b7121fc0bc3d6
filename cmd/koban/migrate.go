package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/kobanhq/koban/store"
)

// migrateFlags declares the flags of koban migrate and returns what runs it.
// koban migrate applies the database migrations (koban's tables and River's
// job tables) and prints the schema version. koban serve migrates on start
// too; operators who want schema changes as a separate step run this first
// (a Kubernetes Job or init container) and start serve with the schema ready.
func migrateFlags(fs *flag.FlagSet, a *app) runner {
	check := fs.Bool("check", false, "only check: fail if migrations are pending or the schema is newer than this binary")
	return func(ctx context.Context, _ []string) error {
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
}
