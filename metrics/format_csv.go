package metrics

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kobanhq/koban/internal/i18n"
)

// WriteCSV writes the report as one table of (section, name, metric, value)
// rows, easy to filter and pivot in a spreadsheet. The header row is in the
// report's language; the section, name and metric keys are the same in
// every language, so that a script reads any report. Shares are fractions
// in [0,1] and durations seconds. A text cell that a spreadsheet would run as a
// formula (one that starts with =, +, -, @, a tab or a carriage return) is
// prefixed with an apostrophe; numbers are written as they are.
func WriteCSV(w io.Writer, r *Report) error {
	c := &csvWriter{w: csv.NewWriter(w)}
	var head []string
	for _, col := range []string{"section", "name", "metric", "value"} {
		head = append(head, i18n.Say(r.Language, "report.col."+col))
	}
	c.w.Write(head)
	for _, section := range []func(*Report){c.volume, c.changes, c.categories, c.replyTimes, c.outcomes, c.lists} {
		section(r)
	}
	c.row("llm", "tokens", "count", r.Tokens)
	c.w.Flush()
	return c.w.Error()
}

// csvWriter writes the rows of a CSV report.
type csvWriter struct{ w *csv.Writer }

func (c *csvWriter) row(section, name, metric string, value any) {
	var s string
	switch v := value.(type) {
	case float64:
		s = formatNumber(v)
	case time.Duration:
		s = formatNumber(v.Seconds())
	case int:
		s = fmt.Sprint(v)
	default:
		s = noFormula(fmt.Sprint(v))
	}
	c.w.Write([]string{noFormula(section), noFormula(name), noFormula(metric), s})
}

// noFormula keeps a spreadsheet from reading text as a formula (OWASP's
// "CSV injection"): =HYPERLINK(…) or @SUM(…) from a Resolve modal's free
// field stays text.
func noFormula(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func (c *csvWriter) volume(r *Report) {
	c.row("report", r.Month, "time_zone", r.TimeZone)
	c.row("volume", r.Month, "inquiries", r.Volume.Inquiries)
	span := fmt.Sprintf("%d months", r.Volume.Months)
	c.row("volume", span, "months", r.Volume.Months)
	c.row("volume", span, "average", r.Volume.Average)
	c.row("volume", span, "min", r.Volume.Min)
	c.row("volume", span, "max", r.Volume.Max)
	for _, h := range r.Volume.History {
		c.row("history", h.Month, "inquiries", h.Count)
	}
}

func (c *csvWriter) changes(r *Report) {
	for _, ch := range r.Changes {
		if !ch.NoCurrent {
			c.row("change", ch.Name, "current", ch.Current)
		}
		if !ch.NoPrevious {
			c.row("change", ch.Name, "previous", ch.Previous)
		}
		if !ch.NoCurrent && !ch.NoPrevious {
			c.row("change", ch.Name, "delta", ch.Delta)
		}
		if ch.Relative != nil {
			c.row("change", ch.Name, "relative", *ch.Relative)
		}
	}
}

func (c *csvWriter) categories(r *Report) {
	for _, set := range []struct {
		section string
		ls      []LabelCount
	}{{"category", r.Categories.Five}, {"category_top", r.Categories.Three}} {
		for _, l := range set.ls {
			c.row(set.section, l.Label, "count", l.Count)
			c.row(set.section, l.Label, "share", l.Share)
			c.row(set.section, l.Label, "human", l.Human)
		}
	}
	c.row("accuracy", "human labels", "compared", r.Accuracy.Compared)
	c.row("accuracy", "human labels", "top_level", r.Accuracy.TopLevel)
	c.row("accuracy", "human labels", "five_way", r.Accuracy.FiveWay)
	for _, d := range r.Domains {
		c.row("domain", d.Name, "count", d.Count)
		c.row("domain", d.Name, "share", d.Share)
	}
}

func (c *csvWriter) replyTimes(r *Report) {
	t := r.ReplyTimes
	for _, x := range []struct {
		name string
		d    Durations
	}{{"first_response", t.FirstResponse}, {"first_human_response", t.FirstHuman}, {"resolution", t.Resolution}} {
		c.row("reply_time", x.name, "n", x.d.N)
		c.row("reply_time", x.name, "median_seconds", x.d.Median)
		c.row("reply_time", x.name, "p90_seconds", x.d.P90)
	}
	for _, b := range t.Buckets {
		c.row("reply_time_bucket", b.Label, "first_response", b.FirstResponse)
		c.row("reply_time_bucket", b.Label, "first_human_response", b.FirstHuman)
		c.row("reply_time_bucket", b.Label, "resolution", b.Resolution)
	}
	c.row("escalation", "target", "seconds", t.Target)
	c.row("escalation", "all", "count", t.Escalations)
	c.row("escalation", "within_target", "count", t.WithinTarget)
	c.row("escalation", "pending", "count", t.Pending)
	c.row("escalation", "within_target", "share", t.WithinShare)
}

// outcomes writes deflection and docs gaps.
func (c *csvWriter) outcomes(r *Report) {
	c.row("deflection", "answered", "count", r.Deflection.Answered)
	c.row("deflection", "solved", "count", r.Deflection.Solved)
	c.row("deflection", "solved", "share", r.Deflection.Rate)
	c.row("deflection", "need_human", "count", r.Deflection.NeedHuman)
	c.row("deflection", "docs_wrong", "count", r.Deflection.DocsWrong)
	c.row("docs_gap", "docs-missing", "count", r.DocsGaps.Missing)
	c.row("docs_gap", "docs-unfindable", "count", r.DocsGaps.Unfindable)
	for _, q := range r.DocsGaps.ByQuadrant {
		c.row("docs_gap_quadrant", string(q.Quadrant), "missing", q.Missing)
		c.row("docs_gap_quadrant", string(q.Quadrant), "unfindable", q.Unfindable)
	}
	for _, t := range r.DocsGaps.Topics {
		c.row("docs_gap_topic", t.Topic, "missing", t.Missing)
		c.row("docs_gap_topic", t.Topic, "unfindable", t.Unfindable)
		c.row("docs_gap_topic", t.Topic, "quadrant", t.Quadrant)
		c.row("docs_gap_topic", t.Topic, "pages", strings.Join(t.Pages, " "))
	}
}

// lists writes the automation candidates, pages, channels and on-call load.
func (c *csvWriter) lists(r *Report) {
	for _, a := range r.Automation {
		c.row("automation", a.Topic, "domain", a.Domain)
		c.row("automation", a.Topic, "count", a.Count)
		c.row("automation", a.Topic, "automation_candidate", a.Automation)
	}
	for _, p := range r.TopPages {
		c.row("page", p.Path, "count", p.Count)
	}
	for _, ch := range r.Channels {
		c.row("channel", ch.Name, "count", ch.Count)
	}
	for _, l := range r.OnCall {
		c.row("on_call", l.Shown(), "assigned", l.Assigned)
		c.row("on_call", l.Shown(), "escalated", l.Escalated)
		c.row("on_call", l.Shown(), "resolved", l.Resolved)
	}
}
