package main

import (
	"context"
	"flag"
	"fmt"
	"runtime"

	"github.com/kobanhq/koban"
)

var versionCommand = command{
	name:    "version",
	summary: "print the koban version",
	flags: func(fs *flag.FlagSet, a *app) func(context.Context, []string) error {
		return func(context.Context, []string) error {
			_, err := fmt.Fprintf(a.stdout, "koban %s (%s)\n", koban.Version, runtime.Version())
			return err
		}
	},
}
