package metrics

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/kobanhq/koban"
)

// DefaultSchedule is when the monthly report goes out: 09:00 on the first
// of the month, in the report's time zone unless the schedule names one
// with CRON_TZ=.
const DefaultSchedule = "0 9 1 * *"

// Ledger is what the Reporter needs from the store to post each report
// exactly once per team and month, across replicas and restarts.
type Ledger interface {
	// Claimer lets one process post a team's month (under ReportKey).
	koban.Claimer
	// SaveReport stores the report of a team's month (JSON). created is
	// false when that month already had one, which is kept.
	SaveReport(ctx context.Context, team, month string, body []byte) (created bool, err error)
}

// Poster delivers a report summary to the team (the bot posts it in the
// configured Slack channel).
type Poster interface {
	PostReport(ctx context.Context, team string, s Summary) error
}

// Reporter builds and posts the previous month's report once the schedule
// has fired in the current month. Run it as a periodic job on the elected
// leader (RunOnce), or on its own ticker (Run).
type Reporter struct {
	team    string
	sched   cron.Schedule
	svc     *Service
	ledger  Ledger
	poster  Poster
	charter *Charter
	log     *slog.Logger
}

// ReporterConfig is what NewReporter needs.
type ReporterConfig struct {
	Team     string // Slack team ID
	Schedule string // cron expression (5 fields, optional CRON_TZ=); empty: DefaultSchedule
	Service  *Service
	Ledger   Ledger
	Poster   Poster
	Charter  *Charter // renders the PNG charts; nil: charts without a Japanese font
	Log      *slog.Logger
}

// NewReporter checks the configuration and returns a Reporter. A bad cron
// expression is an EInvalid error.
func NewReporter(cfg ReporterConfig) (*Reporter, error) {
	if cfg.Service == nil || cfg.Ledger == nil || cfg.Poster == nil || cfg.Log == nil {
		return nil, errors.New("reporter: service, ledger, poster and log are required")
	}
	spec := strings.TrimSpace(cfg.Schedule)
	if spec == "" {
		spec = DefaultSchedule
	}
	if !strings.HasPrefix(spec, "CRON_TZ=") && !strings.HasPrefix(spec, "TZ=") {
		spec = "CRON_TZ=" + cfg.Service.Location().String() + " " + spec
	}
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, koban.Errorf(koban.EInvalid, "report schedule %q: %v", cfg.Schedule, err)
	}
	if cfg.Charter == nil {
		cfg.Charter = NewCharter(nil)
	}
	return &Reporter{
		team: cfg.Team, sched: sched, svc: cfg.Service, ledger: cfg.Ledger,
		poster: cfg.Poster, charter: cfg.Charter, log: cfg.Log,
	}, nil
}

// Due reports whether the schedule has fired in the month now falls in
// (months cut in the report's time zone), and if so returns the month to
// report: the previous one. Its first firing in a month is what counts, so
// a replica that was down at 09:00 on the first still reports later.
func (r *Reporter) Due(now time.Time) (month time.Time, due bool) {
	cur := MonthStart(now, r.svc.Location())
	fire := r.sched.Next(cur.Add(-time.Second))
	if fire.IsZero() || now.Before(fire) || !fire.Before(cur.AddDate(0, 1, 0)) {
		return time.Time{}, false
	}
	return cur.AddDate(0, -1, 0), true
}

// claimStale is how long a process may take to build and post a report
// before another may take its claim over (it is thought dead): well above
// the time that takes.
const claimStale = 15 * time.Minute

// ReportKey is the Ledger key of a team's monthly report.
func ReportKey(team, month string) string { return "monthly-report/" + team + "/" + month }

// RunOnce posts the previous month's report if it is due and no process
// has posted it yet. It is safe to call from several processes at once and
// as often as wanted: the Ledger's claim lets one of them through per team
// and month. A report whose posting failed is released and retried on the
// next run. (If a process dies between posting and marking the key done,
// the claim expires and the report is posted again: at most one duplicate,
// never a lost report.)
func (r *Reporter) RunOnce(ctx context.Context, now time.Time) error {
	month, due := r.Due(now)
	if !due {
		return nil
	}
	m := monthKey(month)
	key := ReportKey(r.team, m)
	_, err := koban.Once(ctx, r.ledger, key, claimStale, func(ctx context.Context) error { return r.post(ctx, month) })
	if err != nil {
		return fmt.Errorf("monthly report %s: %w", m, err)
	}
	return nil
}

func (r *Reporter) post(ctx context.Context, month time.Time) error {
	rep, err := r.svc.Report(ctx, month)
	if err != nil {
		return err
	}
	if rep.Volume.Months == 0 {
		// A month before koban's first inquiry: nothing to report, and a
		// new installation posts no report of zeros.
		r.log.Debug("monthly report skipped: before the first inquiry", "team", r.team, "month", rep.Month)
		return nil
	}
	var body bytes.Buffer
	if err := WriteJSON(&body, rep); err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	created, err := r.ledger.SaveReport(ctx, r.team, rep.Month, body.Bytes())
	if err != nil {
		return fmt.Errorf("save: %w", err)
	}
	charts, err := r.charter.Charts(rep, "png")
	if err != nil {
		return err
	}
	sum, err := NewSummary(rep, charts)
	if err != nil {
		return err
	}
	if err := r.poster.PostReport(ctx, r.team, sum); err != nil {
		return fmt.Errorf("post: %w", err)
	}
	r.log.Info("monthly report posted", "team", r.team, "month", rep.Month,
		"inquiries", rep.Volume.Inquiries, "first_save", created)
	return nil
}
