package main

import (
	"context"
	"errors"
	"flag"
)

// reportCommand is filled in by the issue that owns it.
var reportCommand = command{
	name:    "report",
	summary: "report (not built yet)",
	flags: func(fs *flag.FlagSet, a *app) func(context.Context, []string) error {
		return func(context.Context, []string) error { return errors.New("report: not built yet") }
	},
}
