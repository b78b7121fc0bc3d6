package main

import (
	"context"
	"errors"
	"flag"
)

// askCommand is filled in by the issue that owns it.
var askCommand = command{
	name:    "ask",
	summary: "ask (not built yet)",
	flags: func(fs *flag.FlagSet, a *app) func(context.Context, []string) error {
		return func(context.Context, []string) error { return errors.New("ask: not built yet") }
	},
}
