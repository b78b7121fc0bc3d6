package metrics

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/kobanhq/koban"
)

// EventKinds are the kinds of event the report reads: a Source may leave
// out the others.
func EventKinds() []koban.EventKind {
	return []koban.EventKind{koban.EventEscalated, koban.EventAnswered, koban.EventFeedback, koban.EventResolved}
}

// Source is what the report reads from the store.
type Source interface {
	// ReportData returns the inquiries created in [from, to) and the
	// events of those inquiries (at least those of EventKinds), in any
	// order. The report reads these fields of an inquiry, and a Source may
	// leave the others zero: ID, Channel, Text, State, CreatedAt,
	// FirstResponseAt, FirstHumanResponseAt, ResolvedAt, Predicted, Final,
	// Domain, Assignee, Citations, Tokens and Rotation.
	//
	// The Service calls ReportData for two months and MonthlyTotals at
	// the same time: a Source must be safe for concurrent use.
	ReportData(ctx context.Context, from, to time.Time) ([]koban.Inquiry, []koban.Event, error)
	// MonthlyTotals returns how many inquiries were created in each month
	// of [from, to), months cut in loc and keyed "2006-01"; months without
	// inquiries may be absent.
	MonthlyTotals(ctx context.Context, from, to time.Time, loc *time.Location) (map[string]int, error)
}

// Service builds monthly reports from a Source.
type Service struct {
	src Source
	opt Options
	log *slog.Logger
	now func() time.Time
}

// NewService returns a Service that reads from src. now is the clock (nil:
// time.Now).
func NewService(src Source, opt Options, log *slog.Logger, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{src: src, opt: opt.withDefaults(), log: log, now: now}
}

// Location is the time zone the Service cuts months in.
func (s *Service) Location() *time.Location { return s.opt.Location }

// Report builds the report for the month that month falls in. It reads two
// months of inquiries in full (the month and the one before, for the
// changes) and the monthly totals of the months before those, all three
// reads at once.
func (s *Service) Report(ctx context.Context, month time.Time) (*Report, error) {
	start := time.Now()
	from := MonthStart(month, s.opt.Location)
	to := from.AddDate(0, 1, 0)
	prevFrom := from.AddDate(0, -1, 0)
	var (
		cur, prev Data
		history   map[string]int
	)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		cur, err = s.data(gctx, from, to)
		return err
	})
	g.Go(func() (err error) {
		prev, err = s.data(gctx, prevFrom, from)
		return err
	})
	// The two months read in full are counted from their inquiries; the
	// store counts the months before them, back to koban's first inquiry
	// (the average is taken over the months since).
	g.Go(func() (err error) {
		history, err = s.src.MonthlyTotals(gctx, historyStart, prevFrom, s.opt.Location)
		if err != nil {
			return fmt.Errorf("report %s: monthly totals: %w", monthKey(from), err)
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if history == nil {
		history = map[string]int{}
	}
	history[monthKey(prevFrom)] = countIn(prev.Inquiries, prevFrom, from)
	r := Compute(from, cur, prev, history, s.now(), s.opt)
	s.nameLoads(ctx, r)
	s.log.Info("report built", "month", r.Month, "inquiries", r.Volume.Inquiries, "took", time.Since(start))
	return r, nil
}

// historyStart is before any inquiry koban could have.
var historyStart = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// countIn counts the inquiries created in [from, to).
func countIn(inqs []koban.Inquiry, from, to time.Time) int {
	n := 0
	for i := range inqs {
		if !inqs[i].CreatedAt.Before(from) && inqs[i].CreatedAt.Before(to) {
			n++
		}
	}
	return n
}

func (s *Service) data(ctx context.Context, from, to time.Time) (Data, error) {
	inqs, events, err := s.src.ReportData(ctx, from, to)
	if err != nil {
		return Data{}, fmt.Errorf("report %s: inquiries: %w", monthKey(from), err)
	}
	return Data{Inquiries: inqs, Events: events}, nil
}
