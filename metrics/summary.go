package metrics

import (
	"bytes"
	"fmt"
	"strings"
)

// Summary is the report as posted in Slack: a title, the headline figures
// with their month-over-month change, short lists for the team lead and
// the docs owners, the charts as PNG and the full report as a Markdown
// file. It holds no Slack types: the bot renders it as Block Kit.
type Summary struct {
	Month    string
	Title    string // "koban monthly report: 2026-10"
	Text     string // plain-text fallback for notifications
	Figures  []Figure
	Sections []Section
	Charts   []Chart // PNG
	// File is the full report in Markdown, named FileName.
	File     []byte
	FileName string
}

// Figure is one headline figure.
type Figure struct {
	Label  string // "Inquiries"
	Value  string // "100"
	Change string // "+20 (+25.0%) vs 2026-09", or "" when there is nothing to compare
}

// Section is a short titled list.
type Section struct {
	Title string
	Lines []string
}

// summaryLines is how many lines a Summary section lists.
const summaryLines = 5

// NewSummary builds the Slack summary of r with its charts (PNG).
func NewSummary(r *Report, charts []Chart) (Summary, error) {
	s := Summary{
		Month:    r.Month,
		Title:    "koban monthly report: " + r.Month,
		Charts:   charts,
		FileName: "koban-report-" + r.Month + ".md",
	}
	prevMonth := r.From.AddDate(0, -1, 0).Format("2006-01")
	for _, c := range r.Changes {
		f := Figure{Label: strings.ToUpper(c.Name[:1]) + c.Name[1:], Value: formatValue(c.Unit, c.Current)}
		if c.NoCurrent {
			f.Value = "-"
		}
		if ch := formatChange(c); ch != "-" {
			f.Change = ch + " vs " + prevMonth
		}
		s.Figures = append(s.Figures, f)
	}

	var split []string
	for _, l := range r.Categories.Five {
		split = append(split, fmt.Sprintf("%s %s (%d)", l.Label, formatShare(l.Share), l.Count))
	}
	s.Sections = append(s.Sections, Section{Title: "Category split", Lines: split})

	g := r.DocsGaps
	gaps := Section{Title: fmt.Sprintf("Docs gaps: %d missing, %d unfindable", g.Missing, g.Unfindable)}
	for _, c := range g.Topics[:min(len(g.Topics), summaryLines)] {
		gaps.Lines = append(gaps.Lines, fmt.Sprintf("%s (%s): %d missing, %d unfindable", c.Topic, c.Quadrant, c.Missing, c.Unfindable))
	}
	s.Sections = append(s.Sections, gaps)

	auto := Section{Title: "Automation candidates"}
	for _, c := range r.Automation[:min(len(r.Automation), summaryLines)] {
		auto.Lines = append(auto.Lines, fmt.Sprintf("%s [%s]: %d requests", c.Topic, c.Domain, c.Count))
	}
	if len(auto.Lines) > 0 {
		s.Sections = append(s.Sections, auto)
	}

	s.Text = fmt.Sprintf("koban monthly report for %s: %d inquiries, %s deflected, %d docs gaps.",
		r.Month, r.Volume.Inquiries, formatShare(r.Deflection.Rate), g.Missing+g.Unfindable)
	var md bytes.Buffer
	if err := WriteMarkdown(&md, r); err != nil {
		return Summary{}, err
	}
	s.File = md.Bytes()
	return s, nil
}
