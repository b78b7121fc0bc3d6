package main

import (
	"context"
	"errors"
	"flag"
)

// evalCommand is filled in by the issue that owns it.
var evalCommand = command{
	name:    "eval",
	summary: "eval (not built yet)",
	flags: func(fs *flag.FlagSet, a *app) func(context.Context, []string) error {
		return func(context.Context, []string) error { return errors.New("eval: not built yet") }
	},
}
