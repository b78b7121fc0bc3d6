package main

import (
	"time"

	docsindex "github.com/kobanhq/koban/docs-index"
	"github.com/kobanhq/koban/metrics"
	"github.com/kobanhq/koban/store"
)

// wireMetrics builds koban serve's Prometheus registry: the inquiry gauge,
// counted in the store at each scrape, and the docs index's size and
// refreshes (observed by the refresher serve builds). The job path and the Slack client are measured where they are
// built (ObserveProcess, bot.CountErrors).
func wireMetrics(st *store.Store, ix *docsindex.Index) (*metrics.Prometheus, error) {
	m := metrics.NewPrometheus()
	if err := m.WatchInquiries(st); err != nil {
		return nil, err
	}
	m.WatchDocs(func() (int, int) { st := ix.Stats(); return st.Documents, st.Sections })
	m.ObserveDocsRefresh(nil, time.Now())
	return m, nil
}
