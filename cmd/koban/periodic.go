package main

import (
	"context"
	"time"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/bot"
	"github.com/kobanhq/koban/desk"
	"github.com/kobanhq/koban/oncall"
	"github.com/kobanhq/koban/store"
)

// periodicJobs are the jobs koban serve runs on the elected leader: the
// on-call tick, closing inquiries nobody answered, and, with Slack and a
// report channel, the monthly report (slack is nil without Slack).
func periodicJobs(a *app, st *store.Store, d *desk.Desk, oc *oncall.Service, slack *bot.Client, quadrant func(string) koban.Quadrant) ([]store.PeriodicJob, error) {
	periodic := []store.PeriodicJob{
		{Name: "oncall.tick", Every: time.Minute, Run: oc.Tick},
		{Name: "inquiries.autoclose", Every: time.Hour, Run: func(ctx context.Context, now time.Time) error {
			open, err := st.OpenInquiries(ctx)
			if err != nil {
				return err
			}
			_, err = d.AutoClose(ctx, now, open)
			return err
		}},
	}
	if slack != nil && a.cfg.Report.Channel != "" {
		reporter, err := newReporter(a, st, a.cfg.Report.Channel, slack, quadrant)
		if err != nil {
			return nil, err
		}
		periodic = append(periodic, store.PeriodicJob{Name: "report.monthly", Every: 5 * time.Minute, Run: reporter.RunOnce})
	}
	return periodic, nil
}
