package main

import (
	"context"
	"errors"
	"flag"
)

// indexCommand is filled in by the issue that owns it.
var indexCommand = command{
	name:    "index",
	summary: "index (not built yet)",
	flags: func(fs *flag.FlagSet, a *app) func(context.Context, []string) error {
		return func(context.Context, []string) error { return errors.New("index: not built yet") }
	},
}
