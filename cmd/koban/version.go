package main

import (
	"context"
	"flag"
	"fmt"
	"runtime"

	"github.com/kobanhq/koban"
)

// versionFlags declares the flags of koban version and returns what runs it.
func versionFlags(fs *flag.FlagSet, a *app) runner {
	return func(context.Context, []string) error {
		_, err := fmt.Fprintf(a.stdout, "koban %s (%s)\n", koban.Version, runtime.Version())
		return err
	}
}
