package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/metrics"
)

// reportFormats are the downloads metrics.Write renders.
var reportFormats = []string{"md", "csv", "json"}

// chartNames are the charts metrics renders, in page order.
var chartNames = []string{"volume", "categories", "domains", "reply-times"}

// reportCache keeps recently built reports for a short while: the report
// page, its four charts and its downloads would otherwise compute the same
// month six times in a row.
type reportCache struct {
	src Reports
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	entries map[string]cachedReport
}

type cachedReport struct {
	r  *metrics.Report
	at time.Time
}

func newReportCache(src Reports, ttl time.Duration, now func() time.Time) *reportCache {
	return &reportCache{src: src, ttl: ttl, now: now, entries: map[string]cachedReport{}}
}

// errNoReports says reports are not configured; its message is
// web.err.no_reports in the viewer's language.
var errNoReports = koban.Errorf(koban.ENotFound, "Reports are not configured on this koban.")

// get returns the report of the month starting at month.
func (c *reportCache) get(ctx context.Context, month time.Time) (*metrics.Report, error) {
	if c.src == nil {
		return nil, errNoReports
	}
	key := month.Format("2006-01")
	now := c.now()
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < c.ttl {
		return e.r, nil
	}
	r, err := c.src.Report(ctx, month)
	if err != nil {
		return nil, fmt.Errorf("report %s: %w", key, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= 24 {
		clear(c.entries)
	}
	c.entries[key] = cachedReport{r: r, at: now}
	return r, nil
}

// month returns the month asked for with ?month=, else the last complete
// one (the one the monthly report covers).
func (s *Server) month(r *http.Request) (time.Time, error) {
	if m := r.URL.Query().Get("month"); m != "" {
		return metrics.ParseMonth(m, s.loc)
	}
	return metrics.MonthStart(s.now(), s.loc).AddDate(0, -1, 0), nil
}

// monthReport is the report of the month the request asks for.
func (s *Server) monthReport(r *http.Request) (time.Time, *metrics.Report, error) {
	month, err := s.month(r)
	if err != nil {
		return time.Time{}, nil, err
	}
	rep, err := s.reports.get(r.Context(), month)
	return month, rep, err
}

// reportView is the data of the report page.
type reportView struct {
	Month   string
	Prev    string
	Next    string
	Report  *metrics.Report
	Figures []metrics.Figure
	Charts  []chartView
	Formats []string
}

// chartView is one chart of the report page; Title is its message ID.
type chartView struct{ Name, Title, URL string }

// figures returns a report's headline figures.
func figures(rep *metrics.Report) ([]metrics.Figure, error) {
	sum, err := metrics.NewSummary(rep, nil)
	if err != nil {
		return nil, fmt.Errorf("summarise report %s: %w", rep.Month, err)
	}
	return sum.Figures, nil
}

func (s *Server) report(w http.ResponseWriter, r *http.Request) {
	month, rep, err := s.monthReport(r)
	var figs []metrics.Figure
	if err == nil {
		figs, err = figures(rep)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := reportView{
		Month: rep.Month, Report: rep, Figures: figs, Formats: reportFormats,
		Prev: month.AddDate(0, -1, 0).Format("2006-01"), Next: month.AddDate(0, 1, 0).Format("2006-01"),
	}
	if month.AddDate(0, 1, 0).After(s.now()) {
		v.Next = "" // the next month has not begun
	}
	for _, name := range chartNames {
		v.Charts = append(v.Charts, chartView{Name: name, Title: "web.report.chart." + name, URL: "/report/" + rep.Month + "/" + name + ".svg"})
	}
	s.render(w, r, http.StatusOK, "report", view{Title: s.t(r, "web.nav.report") + " " + rep.Month, Nav: "report", Data: v})
}

// reportFile serves /report/{month}/{chart}.svg (or .png) and the report as
// /report/{month}/report.{md,csv,json}.
func (s *Server) reportFile(w http.ResponseWriter, r *http.Request) {
	month, err := metrics.ParseMonth(r.PathValue("month"), s.loc)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name, ext, _ := strings.Cut(r.PathValue("file"), ".")
	isChart := slices.Contains(chartNames, name) && (ext == "svg" || ext == "png")
	isReport := name == "report" && slices.Contains(reportFormats, ext)
	if !isChart && !isReport {
		s.fail(w, r, s.errorf(r, koban.ENotFound, "web.err.no_report_file", "File", r.PathValue("file")))
		return
	}
	rep, err := s.reports.get(r.Context(), month)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if isChart {
		c, err := s.deps.Charter.Chart(rep, name, ext)
		if err != nil {
			s.fail(w, r, fmt.Errorf("chart %s of %s: %w", name, rep.Month, err))
			return
		}
		ct := "image/png"
		if ext == "svg" {
			ct = "image/svg+xml"
			// Opened on its own the SVG is a document, and its shapes are
			// coloured by inline style attributes: allow those, and still
			// nothing else (no scripts, no loads).
			w.Header().Set("Content-Security-Policy", chartCSP)
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Cache-Control", "private, max-age=60")
		w.Write(c.Data)
		return
	}
	var b bytes.Buffer
	if err := metrics.Write(&b, rep, ext); err != nil {
		s.fail(w, r, fmt.Errorf("write report %s as %s: %w", rep.Month, ext, err))
		return
	}
	ct := map[string]string{"md": "text/markdown; charset=utf-8", "csv": "text/csv; charset=utf-8", "json": "application/json"}[ext]
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="koban-report-%s.%s"`, rep.Month, ext))
	w.Write(b.Bytes())
}

// chartCSP is the Content-Security-Policy of a chart SVG.
const chartCSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"

// gapsView is the data of the docs gaps page.
type gapsView struct {
	Month  string
	Gaps   metrics.DocsGaps
	Groups []gapGroup
}

// gapGroup is the docs-gap topics of one Diátaxis quadrant.
type gapGroup struct {
	Quadrant   koban.Quadrant
	Missing    int
	Unfindable int
	Topics     []gapTopic
}

type gapTopic struct {
	metrics.Cluster
	Examples []koban.Inquiry
}

// gapExamples is how many example inquiries a topic shows.
const gapExamples = 3

func (s *Server) gaps(w http.ResponseWriter, r *http.Request) {
	_, rep, err := s.monthReport(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := gapsView{Month: rep.Month, Gaps: rep.DocsGaps}
	for _, q := range koban.Quadrants {
		g := gapGroup{Quadrant: q}
		for _, qc := range rep.DocsGaps.ByQuadrant {
			if qc.Quadrant == q {
				g.Missing, g.Unfindable = qc.Missing, qc.Unfindable
			}
		}
		for _, c := range rep.DocsGaps.Topics {
			cq := c.Quadrant
			if cq == "" {
				cq = koban.Unknown
			}
			if cq != q {
				continue
			}
			t := gapTopic{Cluster: c}
			for _, id := range c.Inquiries[:min(len(c.Inquiries), gapExamples)] {
				if inq, err := s.deps.Inquiries.Inquiry(r.Context(), id); err == nil {
					t.Examples = append(t.Examples, *inq)
				}
			}
			g.Topics = append(g.Topics, t)
		}
		if g.Missing+g.Unfindable > 0 || len(g.Topics) > 0 {
			v.Groups = append(v.Groups, g)
		}
	}
	s.render(w, r, http.StatusOK, "gaps", view{Title: s.t(r, "web.nav.gaps") + " " + rep.Month, Nav: "gaps", Data: v})
}
