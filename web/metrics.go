package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/kobanhq/koban"
)

// Metrics is koban's Prometheus registry. The web server serves it at
// /metrics; the job runner and the bot feed it (ObserveAnswer, JobFailed,
// SlackError), and the inquiry gauges are read from the store at each scrape.
// It is safe for concurrent use.
type Metrics struct {
	reg         *prometheus.Registry
	answers     prometheus.Histogram
	jobFailures prometheus.Counter
	slackErrors prometheus.Counter
	watching    bool

	docsRefreshes *prometheus.CounterVec
	docsRefreshed prometheus.Gauge
}

// NewMetrics returns a registry with koban's metrics and the Go runtime and
// process collectors.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		answers: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "koban_answer_duration_seconds",
			Help: "Time from receiving an inquiry to koban's first reply (answer or escalation).",
			// From a fast extractive answer to a slow LLM or a retried job.
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300},
		}),
		jobFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "koban_job_failures_total",
			Help: "Background job runs that returned an error (they are retried).",
		}),
		slackErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "koban_slack_api_errors_total",
			Help: "Slack Web API calls that failed.",
		}),
		docsRefreshes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "koban_docs_refreshes_total",
			Help: "Refreshes of the docs index from its sources, by result (ok, error).",
		}, []string{"result"}),
		docsRefreshed: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "koban_docs_last_refresh_timestamp_seconds",
			Help: "When the docs index was last brought in line with its sources.",
		}),
	}
	m.reg.MustRegister(m.answers, m.jobFailures, m.slackErrors,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry returns the registry, for other packages to register their own
// collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// ObserveAnswer records the time koban took to first reply to an inquiry.
func (m *Metrics) ObserveAnswer(d time.Duration) { m.answers.Observe(d.Seconds()) }

// JobFailed counts a failed background job run.
func (m *Metrics) JobFailed() { m.jobFailures.Inc() }

// SlackError counts a failed Slack API call.
func (m *Metrics) SlackError() { m.slackErrors.Inc() }

// WatchDocs exports the size of the docs index (read at each scrape from
// size) and counts the refreshes ObserveDocsRefresh is told of.
func (m *Metrics) WatchDocs(size func() (pages, sections int)) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "koban_docs_pages", Help: "Pages in the docs index."},
			func() float64 { p, _ := size(); return float64(p) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "koban_docs_sections", Help: "Sections in the docs index."},
			func() float64 { _, s := size(); return float64(s) }),
		m.docsRefreshes, m.docsRefreshed,
	)
}

// ObserveDocsRefresh counts one refresh of the docs index, and when it
// succeeded records its time.
func (m *Metrics) ObserveDocsRefresh(err error, at time.Time) {
	if err != nil {
		m.docsRefreshes.WithLabelValues("error").Inc()
		return
	}
	m.docsRefreshes.WithLabelValues("ok").Inc()
	m.docsRefreshed.Set(float64(at.Unix()))
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, ErrorHandling: promhttp.ContinueOnError})
}

// InquiryCount is how many inquiries are in one state with one reported
// category (the human's, else koban's; "" when not triaged yet).
type InquiryCount struct {
	State    koban.State
	Category koban.Category
	Count    int
}

// InquiryCounter counts inquiries by state and category in one query. An
// Inquiries that implements it is counted with it; otherwise the gauge
// pages through the inquiries, which suits small installations only.
type InquiryCounter interface {
	CountInquiries(ctx context.Context) ([]InquiryCount, error)
}

// WatchInquiries registers the koban_inquiries gauge, read from src at each
// scrape. Later calls do nothing: one registry counts one store.
func (m *Metrics) WatchInquiries(src Inquiries) error {
	if m.watching {
		return nil // the same registry served by a second server
	}
	if err := m.reg.Register(&inquiryCollector{src: src}); err != nil {
		return fmt.Errorf("register inquiry gauge: %w", err)
	}
	m.watching = true
	return nil
}

var inquiriesDesc = prometheus.NewDesc("koban_inquiries",
	"Inquiries by state and reported category (the human's label, else koban's).",
	[]string{"state", "category"}, nil)

// inquiryCollector reads the inquiry counts when Prometheus scrapes.
type inquiryCollector struct{ src Inquiries }

func (c *inquiryCollector) Describe(ch chan<- *prometheus.Desc) { ch <- inquiriesDesc }

func (c *inquiryCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	counts, err := countInquiries(ctx, c.src)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(inquiriesDesc, err)
		return
	}
	for _, n := range counts {
		ch <- prometheus.MustNewConstMetric(inquiriesDesc, prometheus.GaugeValue, float64(n.Count), string(n.State), string(n.Category))
	}
}

// countPage is how many inquiries one query reads when counting by paging.
const countPage = 1000

// countInquiries counts with src's CountInquiries when it has one, else by
// paging through every inquiry.
func countInquiries(ctx context.Context, src Inquiries) ([]InquiryCount, error) {
	if c, ok := src.(InquiryCounter); ok {
		return c.CountInquiries(ctx)
	}
	type key struct {
		s koban.State
		c koban.Category
	}
	counts := map[key]int{}
	for off := 0; ; off += countPage {
		list, err := src.Inquiries(ctx, Filter{Limit: countPage, Offset: off})
		if err != nil {
			return nil, fmt.Errorf("count inquiries: %w", err)
		}
		for _, q := range list {
			counts[key{q.State, q.Label().Category}]++
		}
		if len(list) < countPage {
			break
		}
		if ctx.Err() != nil {
			return nil, errors.New("count inquiries: timed out")
		}
	}
	var out []InquiryCount
	for _, st := range koban.States {
		for _, c := range append([]koban.Category{""}, koban.Categories...) {
			if n := counts[key{st, c}]; n > 0 {
				out = append(out, InquiryCount{State: st, Category: c, Count: n})
			}
		}
	}
	return out, nil
}
