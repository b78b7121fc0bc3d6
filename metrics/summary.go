package metrics

import (
	"bytes"
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/kobanhq/koban/internal/i18n"
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
	lang := r.Language
	s := Summary{
		Month:    r.Month,
		Title:    i18n.Say(lang, "report.title", "Month", r.Month),
		Charts:   charts,
		FileName: "koban-report-" + r.Month + ".md",
	}
	prevMonth := r.From.AddDate(0, -1, 0).Format("2006-01")
	for _, c := range r.Changes {
		f := Figure{Label: capitalize(changeName(lang, c.Name)), Value: formatValue(c.Unit, c.Current)}
		if c.NoCurrent {
			f.Value = "-"
		}
		if ch := formatChange(c); ch != "-" {
			f.Change = i18n.Say(lang, "report.summary.vs", "Change", ch, "Month", prevMonth)
		}
		s.Figures = append(s.Figures, f)
	}

	var split []string
	for _, l := range r.Categories.Five {
		split = append(split, fmt.Sprintf("%s %s (%d)", l.Label, formatShare(l.Share), l.Count))
	}
	s.Sections = append(s.Sections, Section{Title: i18n.Say(lang, "report.summary.categories"), Lines: split})

	g := r.DocsGaps
	gaps := Section{Title: i18n.Say(lang, "report.summary.gaps", "Missing", g.Missing, "Unfindable", g.Unfindable)}
	for _, c := range g.Topics[:min(len(g.Topics), summaryLines)] {
		gaps.Lines = append(gaps.Lines, i18n.Say(lang, "report.summary.gap", "Topic", c.Topic, "Quadrant", c.Quadrant,
			"Missing", c.Missing, "Unfindable", c.Unfindable))
	}
	s.Sections = append(s.Sections, gaps)

	auto := Section{Title: i18n.Say(lang, "report.summary.automation")}
	for _, c := range r.Automation[:min(len(r.Automation), summaryLines)] {
		auto.Lines = append(auto.Lines, i18n.Say(lang, "report.summary.candidate", "Topic", c.Topic, "Domain", c.Domain, "Count", c.Count))
	}
	if len(auto.Lines) > 0 {
		s.Sections = append(s.Sections, auto)
	}

	s.Text = i18n.Say(lang, "report.text", "Month", r.Month, "Count", r.Volume.Inquiries,
		"Rate", formatShare(r.Deflection.Rate), "Gaps", g.Missing+g.Unfindable)
	var md bytes.Buffer
	if err := WriteMarkdown(&md, r); err != nil {
		return Summary{}, err
	}
	s.File = md.Bytes()
	return s, nil
}

// capitalize upper-cases the first letter of s ("inquiries": "Inquiries");
// scripts without case are left as they are.
func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
