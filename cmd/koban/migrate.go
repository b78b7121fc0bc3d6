package main

import (
	"context"
	"errors"
	"flag"
)

// migrateCommand is filled in by the issue that owns it.
var migrateCommand = command{
	name:    "migrate",
	summary: "migrate (not built yet)",
	flags: func(fs *flag.FlagSet, a *app) func(context.Context, []string) error {
		return func(context.Context, []string) error { return errors.New("migrate: not built yet") }
	},
}
