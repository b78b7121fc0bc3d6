package metrics

import (
	"context"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/kobanhq/koban"
)

// Store is how a database reads the report's data in bulk, a few queries
// however many inquiries a month holds. Package store implements it.
type Store interface {
	// ReportInquiries returns the inquiries created in [from, to), with at
	// least the fields Source.ReportData documents.
	ReportInquiries(ctx context.Context, from, to time.Time) ([]koban.Inquiry, error)
	// EventsOfInquiries returns the events of the given kinds of the
	// inquiries created in [from, to), in any order.
	EventsOfInquiries(ctx context.Context, from, to time.Time, kinds ...koban.EventKind) ([]koban.Event, error)
	// MonthlyVolumes counts the inquiries created in each month of
	// [from, to), months cut in loc and keyed "2006-01".
	MonthlyVolumes(ctx context.Context, from, to time.Time, loc *time.Location) (map[string]int, error)
}

// StoreSource is the Source over a Store: a month's inquiries and their
// events are read side by side, the history is counted in the database.
func StoreSource(s Store) Source { return storeSource{s} }

type storeSource struct{ st Store }

func (s storeSource) ReportData(ctx context.Context, from, to time.Time) ([]koban.Inquiry, []koban.Event, error) {
	var (
		inqs   []koban.Inquiry
		events []koban.Event
	)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		inqs, err = s.st.ReportInquiries(gctx, from, to)
		return err
	})
	g.Go(func() (err error) {
		events, err = s.st.EventsOfInquiries(gctx, from, to, EventKinds()...)
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	return inqs, events, nil
}

func (s storeSource) MonthlyTotals(ctx context.Context, from, to time.Time, loc *time.Location) (map[string]int, error) {
	return s.st.MonthlyVolumes(ctx, from, to, loc)
}
