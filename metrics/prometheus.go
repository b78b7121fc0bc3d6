package metrics

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/kobanhq/koban"
)

// Prometheus is koban's Prometheus registry: the live side of the inquiry
// statistics whose monthly side is the Report. The web server serves it at
// /metrics. The job path feeds it (ObserveProcess: answer durations and job
// failures), the Slack client counts failed Web API calls (SlackError), the
// docs refresher its refreshes, and the inquiry gauge is counted in the
// store at each scrape (WatchInquiries). It is safe for concurrent use.
type Prometheus struct {
	reg         *prometheus.Registry
	answers     prometheus.Histogram
	jobFailures prometheus.Counter
	slackErrors prometheus.Counter
	watching    bool

	docsRefreshes *prometheus.CounterVec
	docsRefreshed prometheus.Gauge
}

// NewPrometheus returns a registry with koban's metrics and the Go runtime
// and process collectors.
func NewPrometheus() *Prometheus {
	m := &Prometheus{
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
func (m *Prometheus) Registry() *prometheus.Registry { return m.reg }

// ObserveAnswer records the time koban took to first reply to an inquiry.
func (m *Prometheus) ObserveAnswer(d time.Duration) { m.answers.Observe(d.Seconds()) }

// JobFailed counts a failed background job run.
func (m *Prometheus) JobFailed() { m.jobFailures.Inc() }

// SlackError counts a failed Slack API call.
func (m *Prometheus) SlackError() { m.slackErrors.Inc() }

// WatchDocs exports the size of the docs index (read at each scrape from
// size) and counts the refreshes ObserveDocsRefresh is told of.
func (m *Prometheus) WatchDocs(size func() (pages, sections int)) {
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
func (m *Prometheus) ObserveDocsRefresh(err error, at time.Time) {
	if err != nil {
		m.docsRefreshes.WithLabelValues("error").Inc()
		return
	}
	m.docsRefreshes.WithLabelValues("ok").Inc()
	m.docsRefreshed.Set(float64(at.Unix()))
}

// Handler serves the registry in the Prometheus text format.
func (m *Prometheus) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, ErrorHandling: promhttp.ContinueOnError})
}

// WatchLLM exports the tokens the language model endpoint reported spent,
// read from tokens at each scrape (openai.Client.Tokens, in llm/openai), as
// koban_llm_tokens_total{kind="chat"|"embeddings"}.
func (m *Prometheus) WatchLLM(tokens func() (chat, embed int64)) {
	m.reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "koban_llm_tokens_total", Help: "Tokens the language model endpoint reported spent, by kind.",
			ConstLabels: prometheus.Labels{"kind": "chat"}}, func() float64 { c, _ := tokens(); return float64(c) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "koban_llm_tokens_total", Help: "Tokens the language model endpoint reported spent, by kind.",
			ConstLabels: prometheus.Labels{"kind": "embeddings"}}, func() float64 { _, e := tokens(); return float64(e) }),
	)
}

// ProcessFunc is the job that answers one inquiry: desk.Desk.Process.
type ProcessFunc func(ctx context.Context, id int64, attempt int) error

// InquiryReader reads one inquiry. Package store implements it.
type InquiryReader interface {
	// Inquiry returns ENotFound for an unknown id.
	Inquiry(ctx context.Context, id int64) (*koban.Inquiry, error)
}

// ObserveProcess returns process measured: a run that fails counts in
// koban_job_failures_total; a run that gave the inquiry its first reply
// (whether it then failed or not) adds the time from receipt to that reply
// to koban_answer_duration_seconds, read back from inquiries. A run that
// finds the inquiry replied to already (a retry, a duplicate job) adds no
// duration.
func (m *Prometheus) ObserveProcess(process ProcessFunc, inquiries InquiryReader) ProcessFunc {
	return func(ctx context.Context, id int64, attempt int) error {
		before, err := inquiries.Inquiry(ctx, id)
		replied := err == nil && !before.FirstResponseAt.IsZero()
		perr := process(ctx, id, attempt)
		if perr != nil {
			m.JobFailed()
		}
		if !replied {
			// A failed read costs one observation, never the job.
			if inq, err := inquiries.Inquiry(ctx, id); err == nil && !inq.FirstResponseAt.IsZero() {
				m.ObserveAnswer(inq.FirstResponseAt.Sub(inq.CreatedAt))
			}
		}
		return perr
	}
}

// InquiryCounter counts inquiries by state and reported category, in one
// query. *store.Store implements it.
type InquiryCounter interface {
	CountInquiries(ctx context.Context) ([]koban.InquiryCount, error)
}

// WatchInquiries registers the koban_inquiries gauge, counted by c at each
// scrape. Later calls do nothing: one registry counts one store.
func (m *Prometheus) WatchInquiries(c InquiryCounter) error {
	if m.watching {
		return nil
	}
	if err := m.reg.Register(&inquiryCollector{src: c}); err != nil {
		return fmt.Errorf("register inquiry gauge: %w", err)
	}
	m.watching = true
	return nil
}

var inquiriesDesc = prometheus.NewDesc("koban_inquiries",
	"Inquiries by state and reported category (the human's label, else koban's).",
	[]string{"state", "category"}, nil)

// inquiryCollector counts the inquiries when Prometheus scrapes.
type inquiryCollector struct{ src InquiryCounter }

func (c *inquiryCollector) Describe(ch chan<- *prometheus.Desc) { ch <- inquiriesDesc }

func (c *inquiryCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	counts, err := c.src.CountInquiries(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(inquiriesDesc, err)
		return
	}
	for _, n := range counts {
		ch <- prometheus.MustNewConstMetric(inquiriesDesc, prometheus.GaugeValue, float64(n.Count), string(n.State), string(n.Category))
	}
}
