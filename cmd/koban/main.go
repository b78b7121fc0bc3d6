// Command koban is the koban binary: the Slack bot, web UI and scheduler
// (koban serve) and the operator's one-shot subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/kobanhq/koban"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "koban:", err)
			os.Exit(1)
		}
	}
}

// command is one koban subcommand.
type command struct {
	name    string
	summary string
	// flags declares the command's flags on fs; it returns what runs the
	// command once the flags are parsed.
	flags func(fs *flag.FlagSet, a *app) runner
	// noArgs refuses arguments after the flags.
	noArgs bool
	// ownConfigErrors makes run hand a configuration that does not load
	// to the command (in app.cfgErr) instead of failing: koban doctor
	// reports it with the rest.
	ownConfigErrors bool
}

// runner runs a subcommand with the arguments that follow its flags.
type runner func(ctx context.Context, args []string) error

// commands lists the subcommands in the order --help shows them.
func commands() []command {
	return []command{
		{name: "serve", summary: "run koban: Slack bot, web UI, durable jobs and schedules", flags: serveFlags},
		{name: "index", summary: "index the docs (incrementally: only changed pages are re-indexed)", flags: indexFlags},
		{name: "ask", summary: `answer a question from the docs: koban ask "how do I …?"`, flags: askFlags},
		{name: "eval", summary: "measure retrieval and triage on labelled questions (--docs DIR --cases FILE)", flags: evalFlags},
		{name: "migrate", summary: "apply database migrations and print the schema version", flags: migrateFlags, noArgs: true},
		{name: "purge", summary: "remove the text and Slack references of inquiries created before a date, keeping the counts reports need", flags: purgeFlags, noArgs: true},
		{name: "report", summary: "write the monthly report (Markdown, CSV, JSON or PNG/SVG charts)", flags: reportFlags, noArgs: true},
		{name: "loadtest", summary: "post signed Slack events to a running koban and report ack latency", flags: loadtestFlags},
		{name: "doctor", summary: "check the configuration, database, docs, Slack and LLM, and say what to fix", flags: doctorFlags, noArgs: true, ownConfigErrors: true},
		{name: "healthcheck", summary: "check that the koban serving on http_addr answers /healthz (for container health checks)", flags: healthcheckFlags, noArgs: true},
		{name: "version", summary: "print the koban version", flags: versionFlags},
	}
}

// app is what every subcommand gets: its configuration, a logger and where to write.
type app struct {
	configPath string
	getenv     func(string) string
	stdout     io.Writer
	stderr     io.Writer

	cfg    Config
	cfgErr error // why the configuration did not load (commands with ownConfigErrors)
	log    *slog.Logger
}

// run parses the command line and runs one subcommand.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	a := &app{getenv: getenv, stdout: stdout, stderr: stderr}
	top := flag.NewFlagSet("koban", flag.ContinueOnError)
	top.SetOutput(stderr)
	top.StringVar(&a.configPath, "config", "", "path to koban.yaml (default $KOBAN_CONFIG, else ./koban.yaml if present)")
	top.Usage = func() { usage(stderr, top) }
	if err := top.Parse(args); err != nil {
		return err
	}
	if top.NArg() == 0 {
		usage(stderr, top)
		return errors.New("no command given")
	}
	name, rest := top.Arg(0), top.Args()[1:]
	if name == "help" {
		usage(stdout, top)
		return nil
	}
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		fs := flag.NewFlagSet("koban "+c.name, flag.ContinueOnError)
		fs.SetOutput(stderr)
		fs.Usage = func() {
			fmt.Fprintf(stderr, "koban %s: %s\n\nFlags:\n", c.name, c.summary)
			fs.PrintDefaults()
		}
		fs.StringVar(&a.configPath, "config", a.configPath, "path to koban.yaml")
		runCmd := c.flags(fs, a)
		if err := fs.Parse(rest); err != nil {
			return err
		}
		cfg, err := loadConfig(a.configPath, getenv)
		if err != nil && !c.ownConfigErrors {
			return err
		}
		a.cfgErr = err
		a.cfg = cfg
		a.log = newLogger(stderr, cfg.LogFormat, cfg.LogLevel)
		tuneGC(getenv, cfg.MemoryLimitMB)
		if c.noArgs && fs.NArg() > 0 {
			return koban.Errorf(koban.EInvalid, "%s: unexpected arguments %q", c.name, fs.Args())
		}
		return runCmd(ctx, fs.Args())
	}
	usage(stderr, top)
	return fmt.Errorf("unknown command %q", name)
}

// tuneGC bounds the heap by a soft limit instead of by twice its live size
// (GOGC=100): under the limit, collections run when the heap has grown to
// five times its live size. A docs index keeps tens of MB live and each
// question allocates a few MB, so collecting at twice the live heap would
// run a collection every few dozen questions, and a collection on a small
// machine adds tens of milliseconds to the question it overlaps. Indexing,
// whose live heap is larger, collects at the limit. GOMEMLIMIT and GOGC,
// when set, win; a limit of 0 leaves Go's defaults.
func tuneGC(getenv func(string) string, limitMB int) {
	if limitMB <= 0 {
		return
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(int64(limitMB) << 20)
	}
	if getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
}

func usage(w io.Writer, top *flag.FlagSet) {
	fmt.Fprintf(w, "koban answers platform questions in Slack from your docs, triages them and routes the rest to the on-call.\n\n")
	fmt.Fprintf(w, "Usage: koban [--config FILE] COMMAND [flags]\n\nCommands:\n")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range commands() {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nRun 'koban COMMAND --help' for a command's flags. Settings: koban.yaml and KOBAN_* variables (see README).\n")
}

// newLogger builds the process logger: text on a laptop, JSON in a cluster.
func newLogger(w io.Writer, format, level string) *slog.Logger {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		lv = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lv}
	if strings.EqualFold(format, "json") {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
