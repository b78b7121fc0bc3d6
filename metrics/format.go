package metrics

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/kobanhq/koban"
)

// Write writes the report to w as Markdown ("md"), CSV ("csv") or JSON
// ("json"). An unknown format is an EInvalid error.
func Write(w io.Writer, r *Report, format string) error {
	switch format {
	case "md", "markdown":
		return WriteMarkdown(w, r)
	case "csv":
		return WriteCSV(w, r)
	case "json":
		return WriteJSON(w, r)
	}
	return errInvalidFormat(format)
}

func errInvalidFormat(format string) error {
	return koban.Errorf(koban.EInvalid, "report format %q: want md, csv, json, png or svg", format)
}

// WriteJSON writes the report as indented JSON. Durations are in seconds.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// MarshalJSON writes the durations in seconds.
func (d Durations) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		N      int     `json:"n"`
		Median float64 `json:"median_seconds"`
		P90    float64 `json:"p90_seconds"`
	}{d.N, d.Median.Seconds(), d.P90.Seconds()})
}

// MarshalJSON adds the reply target, in seconds.
func (t ReplyTimes) MarshalJSON() ([]byte, error) {
	type plain ReplyTimes
	return json.Marshal(struct {
		plain
		Target float64 `json:"target_seconds"`
	}{plain(t), t.Target.Seconds()})
}

// WriteMarkdown writes the report as a Markdown document.
func WriteMarkdown(w io.Writer, r *Report) error {
	b := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	n := r.Volume.Inquiries

	p("# koban monthly report: %s\n\n", r.Month)
	p("Inquiries received from %s to %s (%s). Categories count the human label where there is one, else koban's.\n\n",
		r.From.Format("2006-01-02"), r.To.AddDate(0, 0, -1).Format("2006-01-02"), r.TimeZone)

	p("## Headline\n\n| figure | %s | previous month | change |\n| --- | ---: | ---: | ---: |\n", r.Month)
	for _, c := range r.Changes {
		cur, prev := formatValue(c.Unit, c.Current), formatValue(c.Unit, c.Previous)
		if c.NoCurrent {
			cur = "-"
		}
		if c.NoPrevious {
			prev = "-"
		}
		p("| %s | %s | %s | %s |\n", c.Name, cur, prev, formatChange(c))
	}

	v := r.Volume
	p("\n## Volume\n\n%d inquiries. Over the last %d months: %s a month on average, %d at least, %d at most.\n\n",
		n, len(v.History), formatFloat(v.Average), v.Min, v.Max)
	p("| month | inquiries |\n| --- | ---: |\n")
	for _, h := range v.History {
		p("| %s | %d |\n", h.Month, h.Count)
	}

	p("\n## Categories\n\n| category | inquiries | share | human-labelled |\n| --- | ---: | ---: | ---: |\n")
	for _, l := range r.Categories.Five {
		p("| %s | %d | %s | %d |\n", l.Label, l.Count, formatShare(l.Share), l.Human)
	}
	p("\nRolled up:\n\n| category | inquiries | share | human-labelled |\n| --- | ---: | ---: | ---: |\n")
	for _, l := range r.Categories.Three {
		p("| %s | %d | %s | %d |\n", l.Label, l.Count, formatShare(l.Share), l.Human)
	}
	p("\n%s: not triaged yet, or a category without its detail.\n", Unclassified)
	p("A human confirmed or corrected the label of %d of %d inquiries (%s).\n",
		r.Categories.HumanConfirmed, n, formatShare(share(r.Categories.HumanConfirmed, n)))
	if a := r.Accuracy; a.Compared > 0 {
		p("koban's triage against the human labels (%d compared): top level %s right, five-way %s right.\n",
			a.Compared, formatShare(a.TopLevel), formatShare(a.FiveWay))
	}

	p("\n## Problem domains\n\n| domain | inquiries | share |\n| --- | ---: | ---: |\n")
	for _, d := range r.Domains {
		p("| %s | %d | %s |\n", cell(d.Name), d.Count, formatShare(d.Share))
	}

	t := r.ReplyTimes
	p("\n## Reply times\n\n| from receipt to | replies | median | p90 |\n| --- | ---: | ---: | ---: |\n")
	for _, row := range []struct {
		name string
		d    Durations
	}{{"koban's first response", t.FirstResponse}, {"first human response", t.FirstHuman}, {"resolution", t.Resolution}} {
		p("| %s | %d | %s | %s |\n", row.name, row.d.N, formatDurationN(row.d.N, row.d.Median), formatDurationN(row.d.N, row.d.P90))
	}
	p("\n%d escalations; %d got a human reply within %s of the escalation (%s of those due), %d still within the target.\n",
		t.Escalations, t.WithinTarget, formatDuration(t.Target), formatShare(t.WithinShare), t.Pending)

	d := r.Deflection
	p("\n## Deflection\n\nkoban answered %d inquiries from the docs (%s); %d of them were marked solved with no human involved: %s of all inquiries.\n",
		d.Answered, formatShare(share(d.Answered, n)), d.Solved, formatShare(d.Rate))
	p("Feedback: %d asked for a human, %d said the docs were wrong or missing.\n", d.NeedHuman, d.DocsWrong)

	g := r.DocsGaps
	p("\n## Docs gaps\n\n%d docs-missing and %d docs-unfindable inquiries.\n\n", g.Missing, g.Unfindable)
	if len(g.ByQuadrant) > 0 {
		p("| quadrant | missing | unfindable |\n| --- | ---: | ---: |\n")
		for _, q := range g.ByQuadrant {
			p("| %s | %d | %d |\n", q.Quadrant, q.Missing, q.Unfindable)
		}
		p("\n| topic | quadrant | missing | unfindable | pages | inquiries |\n| --- | --- | ---: | ---: | --- | --- |\n")
		for _, c := range g.Topics {
			p("| %s | %s | %d | %d | %s | %s |\n", cell(c.Topic), c.Quadrant, c.Missing, c.Unfindable, cell(strings.Join(c.Pages, ", ")), formatIDs(c.Inquiries))
		}
	}

	p("\n## Automation candidates\n\nRecurring platform-only requests, grouped by domain and wording.\n\n")
	if len(r.Automation) == 0 {
		p("None this month.\n")
	} else {
		p("| request | domain | requests | labelled automation-candidate | inquiries |\n| --- | --- | ---: | ---: | --- |\n")
		for _, c := range r.Automation {
			p("| %s | %s | %d | %d | %s |\n", cell(c.Topic), cell(string(c.Domain)), c.Count, c.Automation, formatIDs(c.Inquiries))
		}
	}

	p("\n## Most cited pages\n\n")
	if len(r.TopPages) == 0 {
		p("No page was cited this month.\n")
	} else {
		p("| page | quadrant | inquiries |\n| --- | --- | ---: |\n")
		for _, pg := range r.TopPages {
			p("| %s | %s | %d |\n", cell(pg.Path), pg.Quadrant, pg.Count)
		}
	}

	p("\n## Channels\n\n| channel | inquiries | share |\n| --- | ---: | ---: |\n")
	for _, c := range r.Channels {
		p("| %s | %d | %s |\n", cell(c.Name), c.Count, formatShare(c.Share))
	}

	p("\n## On-call load\n\n")
	if len(r.OnCall) == 0 {
		p("No inquiry was routed to an on-call this month.\n")
	} else {
		p("| person | routed | escalated | resolved |\n| --- | ---: | ---: | ---: |\n")
		for _, l := range r.OnCall {
			p("| %s | %d | %d | %d |\n", cell(l.Person), l.Assigned, l.Escalated, l.Resolved)
		}
	}

	p("\n## LLM\n\n%d tokens used.\n", r.Tokens)
	return b.Flush()
}

// WriteCSV writes the report as one table of (section, name, metric, value)
// rows, easy to filter and pivot in a spreadsheet. Shares are fractions in
// [0,1] and durations seconds.
func WriteCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	row := func(section, name, metric string, value any) {
		var s string
		switch v := value.(type) {
		case float64:
			s = formatNumber(v)
		case time.Duration:
			s = formatNumber(v.Seconds())
		default:
			s = fmt.Sprint(v)
		}
		cw.Write([]string{section, name, metric, s})
	}
	cw.Write([]string{"section", "name", "metric", "value"})
	row("report", r.Month, "time_zone", r.TimeZone)
	row("volume", r.Month, "inquiries", r.Volume.Inquiries)
	row("volume", "12 months", "average", r.Volume.Average)
	row("volume", "12 months", "min", r.Volume.Min)
	row("volume", "12 months", "max", r.Volume.Max)
	for _, h := range r.Volume.History {
		row("history", h.Month, "inquiries", h.Count)
	}
	for _, c := range r.Changes {
		if !c.NoCurrent {
			row("change", c.Name, "current", c.Current)
		}
		if !c.NoPrevious {
			row("change", c.Name, "previous", c.Previous)
		}
		if !c.NoCurrent && !c.NoPrevious {
			row("change", c.Name, "delta", c.Delta)
		}
		if c.Relative != nil {
			row("change", c.Name, "relative", *c.Relative)
		}
	}
	for _, set := range []struct {
		section string
		ls      []LabelCount
	}{{"category", r.Categories.Five}, {"category_top", r.Categories.Three}} {
		for _, l := range set.ls {
			row(set.section, l.Label, "count", l.Count)
			row(set.section, l.Label, "share", l.Share)
			row(set.section, l.Label, "human", l.Human)
		}
	}
	row("accuracy", "human labels", "compared", r.Accuracy.Compared)
	row("accuracy", "human labels", "top_level", r.Accuracy.TopLevel)
	row("accuracy", "human labels", "five_way", r.Accuracy.FiveWay)
	for _, d := range r.Domains {
		row("domain", d.Name, "count", d.Count)
		row("domain", d.Name, "share", d.Share)
	}
	t := r.ReplyTimes
	for _, x := range []struct {
		name string
		d    Durations
	}{{"first_response", t.FirstResponse}, {"first_human_response", t.FirstHuman}, {"resolution", t.Resolution}} {
		row("reply_time", x.name, "n", x.d.N)
		row("reply_time", x.name, "median_seconds", x.d.Median)
		row("reply_time", x.name, "p90_seconds", x.d.P90)
	}
	for _, b := range t.Buckets {
		row("reply_time_bucket", b.Label, "first_response", b.FirstResponse)
		row("reply_time_bucket", b.Label, "first_human_response", b.FirstHuman)
		row("reply_time_bucket", b.Label, "resolution", b.Resolution)
	}
	row("escalation", "target", "seconds", t.Target)
	row("escalation", "all", "count", t.Escalations)
	row("escalation", "within_target", "count", t.WithinTarget)
	row("escalation", "pending", "count", t.Pending)
	row("escalation", "within_target", "share", t.WithinShare)
	row("deflection", "answered", "count", r.Deflection.Answered)
	row("deflection", "solved", "count", r.Deflection.Solved)
	row("deflection", "solved", "share", r.Deflection.Rate)
	row("deflection", "need_human", "count", r.Deflection.NeedHuman)
	row("deflection", "docs_wrong", "count", r.Deflection.DocsWrong)
	row("docs_gap", "docs-missing", "count", r.DocsGaps.Missing)
	row("docs_gap", "docs-unfindable", "count", r.DocsGaps.Unfindable)
	for _, q := range r.DocsGaps.ByQuadrant {
		row("docs_gap_quadrant", string(q.Quadrant), "missing", q.Missing)
		row("docs_gap_quadrant", string(q.Quadrant), "unfindable", q.Unfindable)
	}
	for _, c := range r.DocsGaps.Topics {
		row("docs_gap_topic", c.Topic, "missing", c.Missing)
		row("docs_gap_topic", c.Topic, "unfindable", c.Unfindable)
		row("docs_gap_topic", c.Topic, "quadrant", c.Quadrant)
		row("docs_gap_topic", c.Topic, "pages", strings.Join(c.Pages, " "))
	}
	for _, c := range r.Automation {
		row("automation", c.Topic, "domain", c.Domain)
		row("automation", c.Topic, "count", c.Count)
		row("automation", c.Topic, "automation_candidate", c.Automation)
	}
	for _, p := range r.TopPages {
		row("page", p.Path, "count", p.Count)
	}
	for _, c := range r.Channels {
		row("channel", c.Name, "count", c.Count)
	}
	for _, l := range r.OnCall {
		row("on_call", l.Person, "assigned", l.Assigned)
		row("on_call", l.Person, "escalated", l.Escalated)
		row("on_call", l.Person, "resolved", l.Resolved)
	}
	row("llm", "tokens", "count", r.Tokens)
	cw.Flush()
	return cw.Error()
}

// formatNumber formats a number with up to six decimals, without float noise.
func formatNumber(f float64) string {
	return strconv.FormatFloat(math.Round(f*1e6)/1e6, 'f', -1, 64)
}

// formatShare formats a share in [0,1] as a percentage with one decimal.
func formatShare(s float64) string { return strconv.FormatFloat(s*100, 'f', 1, 64) + "%" }

// formatFloat formats a number with at most one decimal.
func formatFloat(f float64) string {
	if f == math.Trunc(f) {
		return strconv.FormatFloat(f, 'f', 0, 64)
	}
	return strconv.FormatFloat(f, 'f', 1, 64)
}

// formatDuration formats a duration to at most two units: 5.5s, 12m 30s,
// 3h 05m, 2d 04h; whole hours and minutes as 24h, 3h, 15m.
func formatDuration(d time.Duration) string {
	if d < 0 {
		return "-" + formatDuration(-d)
	}
	switch {
	case d < time.Minute:
		return strconv.FormatFloat(d.Round(100*time.Millisecond).Seconds(), 'f', -1, 64) + "s"
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", int(d.Hours()))
	case d < time.Hour && d%time.Minute == 0:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	d = d.Round(time.Second)
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%dm %02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd %02dh", int(d.Hours())/24, int(d.Hours())%24)
}

// formatDurationN formats a duration, or a dash when nothing was measured.
func formatDurationN(n int, d time.Duration) string {
	if n == 0 {
		return "-"
	}
	return formatDuration(d)
}

func formatValue(u Unit, v float64) string {
	switch u {
	case UnitShare:
		return formatShare(v)
	case UnitDuration:
		return formatDuration(time.Duration(v * float64(time.Second)))
	}
	return formatFloat(v)
}

// formatChange formats a change: percentage points for shares, a signed
// duration for durations, a signed count and its relative change otherwise.
func formatChange(c Change) string {
	if c.NoCurrent || c.NoPrevious {
		return "-"
	}
	sign := func(f float64) string {
		if f > 0 {
			return "+"
		}
		return ""
	}
	switch c.Unit {
	case UnitShare:
		return sign(c.Delta) + strconv.FormatFloat(c.Delta*100, 'f', 1, 64) + " pt"
	case UnitDuration:
		return sign(c.Delta) + formatDuration(time.Duration(c.Delta*float64(time.Second)))
	}
	s := sign(c.Delta) + formatFloat(c.Delta)
	if c.Relative != nil {
		s += " (" + sign(*c.Relative) + strconv.FormatFloat(*c.Relative*100, 'f', 1, 64) + "%)"
	}
	return s
}

func formatIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = "#" + strconv.FormatInt(id, 10)
	}
	return strings.Join(s, " ")
}

// cell makes text safe inside a Markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}
