package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"strings"
	"testing"
)

// TestCommandHelp checks that every command answers --help with what it
// does and its flags, and that an unknown command lists the commands.
func TestCommandHelp(t *testing.T) {
	getenv := func(string) string { return "" }
	for _, c := range commands() {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), []string{c.name, "--help"}, getenv, &stdout, &stderr)
		if !errors.Is(err, flag.ErrHelp) {
			t.Errorf("koban %s --help = %v, want flag.ErrHelp", c.name, err)
		}
		if out := stderr.String(); !strings.HasPrefix(out, "koban "+c.name+": "+c.summary) || !strings.Contains(out, "-config") {
			t.Errorf("koban %s --help printed %q, want its summary and flags", c.name, out)
		}
	}
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"frobnicate"}, getenv, &stdout, &stderr); err == nil || !strings.Contains(stderr.String(), "Commands:") {
		t.Errorf("koban frobnicate = %v, printed %q; want an error and the list of commands", err, stderr.String())
	}
}
