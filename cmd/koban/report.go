package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kobanhq/koban"
	docsindex "github.com/kobanhq/koban/docs-index"
	"github.com/kobanhq/koban/metrics"
	"github.com/kobanhq/koban/store"
	"github.com/kobanhq/koban/web"
)

// reportFlags declares the flags of koban report and returns what runs it.
// koban report prints or writes the monthly report of one month: the same
// report the scheduler posts to Slack on the first of each month.
func reportFlags(fs *flag.FlagSet, a *app) runner {
	var o reportOptions
	fs.StringVar(&o.month, "month", "", "month to report, YYYY-MM (default: last month, in time_zone)")
	fs.StringVar(&o.format, "format", "md", "md, csv, json, png or svg")
	fs.StringVar(&o.out, "out", "", "file to write (default: stdout; for png/svg, koban-report-MONTH-CHART.EXT)")
	return func(ctx context.Context, _ []string) error {
		if _, _, err := o.resolve(a, time.Now()); err != nil {
			return err
		}
		st, err := store.Open(ctx, store.Options{URL: a.cfg.DatabaseURL, DataDir: a.cfg.DataDir, Log: a.log})
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
		defer st.Close()
		quadrant, closeIndex := reportQuadrants(a)
		defer closeIndex()
		return runReport(ctx, a, metrics.StoreSource(st), quadrant, o, time.Now())
	}
}

// reportOptions are the flags of koban report.
type reportOptions struct {
	month, format, out string
}

// resolve checks the flags and returns the month to report (the one
// before now's when none is given) and the report's time zone.
func (o reportOptions) resolve(a *app, now time.Time) (month time.Time, loc *time.Location, err error) {
	loc, err = time.LoadLocation(a.cfg.TimeZone)
	if err != nil {
		return time.Time{}, nil, fmt.Errorf("report: time zone: %w", err)
	}
	switch o.format {
	case "md", "csv", "json", "png", "svg":
	default:
		return time.Time{}, nil, koban.Errorf(koban.EInvalid, "report format %q: want md, csv, json, png or svg", o.format)
	}
	if o.month == "" {
		return metrics.MonthStart(now, loc).AddDate(0, -1, 0), loc, nil
	}
	month, err = metrics.ParseMonth(o.month, loc)
	return month, loc, err
}

// runReport builds the report of o.month from src, with the quadrants of
// cited pages from quadrant, and writes it in o.format.
func runReport(ctx context.Context, a *app, src metrics.Source, quadrant func(string) koban.Quadrant, o reportOptions, now time.Time) error {
	month, loc, err := o.resolve(a, now)
	if err != nil {
		return err
	}
	svc := metrics.NewService(src, teamReport(a, loc, quadrant), a.log, nil)
	r, err := svc.Report(ctx, month)
	if err != nil {
		return err
	}

	if o.format == "png" || o.format == "svg" {
		charts, err := newCharter(a).Charts(r, o.format)
		if err != nil {
			return err
		}
		base := o.out
		if base == "" {
			base = "koban-report-" + r.Month + "." + o.format
		}
		ext := filepath.Ext(base)
		for _, c := range charts {
			path := strings.TrimSuffix(base, ext) + "-" + c.Name + "." + o.format
			if err := os.WriteFile(path, c.Data, 0o644); err != nil {
				return fmt.Errorf("report: %w", err)
			}
			fmt.Fprintln(a.stdout, path)
		}
		return nil
	}

	var b bytes.Buffer
	if err := metrics.Write(&b, r, o.format); err != nil {
		return err
	}
	if o.out == "" {
		_, err := io.Copy(a.stdout, &b)
		return err
	}
	if err := os.WriteFile(o.out, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// newCharter loads the Japanese font for chart labels; without one, charts
// still render, with Japanese labels as boxes.
func newCharter(a *app) *metrics.Charter {
	font, path, err := metrics.FindFont()
	if err != nil {
		a.log.Warn("charts without a Japanese font", "err", err)
		return metrics.NewCharter(nil)
	}
	a.log.Debug("chart font", "path", path)
	return metrics.NewCharter(font)
}

// reportQuadrants gives the quadrants of cited pages for koban report: the
// docs index's, when the index in the data folder can be opened (close
// releases it), else what the index's rules read from a page's path alone
// (koban serve holds the index's lock while it runs).
func reportQuadrants(a *app) (quadrant func(string) koban.Quadrant, close func() error) {
	none := func() error { return nil }
	if _, err := os.Stat(indexDir(a.cfg)); err != nil {
		return docsindex.QuadrantOfPath, none
	}
	ix, err := openIndex(a.cfg, a.log)
	if err != nil {
		a.log.Info("report: quadrants from page paths", "reason", err)
		return docsindex.QuadrantOfPath, none
	}
	return ix.Quadrant, ix.Close
}

// teamReport is how the team's report is computed and written: months
// cut in loc, each rotation's reply target, in the team's language.
func teamReport(a *app, loc *time.Location, quadrant func(string) koban.Quadrant) metrics.Options {
	return metrics.Options{Location: loc, Quadrant: quadrant, ReplyTargets: a.cfg.OnCall.ReplyTargets(), Language: a.cfg.Language}
}

// newReporter builds the monthly Reporter over the store; koban serve runs
// its RunOnce as the "report.monthly" periodic job on the leader, and
// RunOnce posts only once the month's cron time has passed. quadrant gives
// the quadrants of cited pages (the docs index's).
func newReporter(a *app, st *store.Store, team string, poster metrics.Poster, quadrant func(string) koban.Quadrant) (*metrics.Reporter, error) {
	loc, err := time.LoadLocation(a.cfg.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("reporter: time zone: %w", err)
	}
	opts := teamReport(a, loc, quadrant)
	if n, ok := poster.(web.Names); ok {
		opts.PersonName = n.PersonName // the on-call load by display name
	}
	svc := metrics.NewService(metrics.StoreSource(st), opts, a.log, nil)
	return metrics.NewReporter(metrics.ReporterConfig{
		Team:     team,
		Schedule: a.cfg.Report.Cron,
		Service:  svc,
		Ledger:   st,
		Poster:   poster,
		Charter:  newCharter(a),
		Log:      a.log,
	})
}
