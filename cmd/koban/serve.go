package main

import (
	"context"
	"errors"
	"flag"
)

// serveCommand is filled in by the issue that owns it.
var serveCommand = command{
	name:    "serve",
	summary: "serve (not built yet)",
	flags: func(fs *flag.FlagSet, a *app) func(context.Context, []string) error {
		return func(context.Context, []string) error { return errors.New("serve: not built yet") }
	},
}
