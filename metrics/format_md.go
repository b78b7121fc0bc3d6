package metrics

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"
)

// WriteMarkdown writes the report as a Markdown document. Text that comes
// from people (topics, pages, channel and domain names) is escaped, so that
// it cannot add links, images, HTML or table cells to the document.
func WriteMarkdown(w io.Writer, r *Report) error {
	m := &mdWriter{b: bufio.NewWriter(w), r: r}
	for _, section := range []func(){m.head, m.volume, m.categories, m.domains, m.replyTimes,
		m.deflection, m.docsGaps, m.automation, m.pages, m.channels, m.onCall} {
		section()
	}
	m.p("\n## LLM\n\n%d tokens used.\n", r.Tokens)
	return m.b.Flush()
}

// mdWriter writes the sections of a Markdown report.
type mdWriter struct {
	b *bufio.Writer
	r *Report
}

func (m *mdWriter) p(format string, args ...any) { fmt.Fprintf(m.b, format, args...) }

// table writes a table's header: its column names and, for each, whether
// it is numeric (right-aligned).
func (m *mdWriter) table(cols ...string) {
	var head, rule strings.Builder
	for _, c := range cols {
		name, num := strings.CutSuffix(c, ":")
		head.WriteString("| " + name + " ")
		if num {
			rule.WriteString("| ---: ")
		} else {
			rule.WriteString("| --- ")
		}
	}
	m.p("%s|\n%s|\n", head.String(), rule.String())
}

func (m *mdWriter) head() {
	r := m.r
	m.p("# koban monthly report: %s\n\n", r.Month)
	m.p("Inquiries received from %s to %s (%s). Categories count the human label where there is one, else koban's.\n\n",
		r.From.Format("2006-01-02"), r.To.AddDate(0, 0, -1).Format("2006-01-02"), r.TimeZone)
	m.p("## Headline\n\n")
	m.table("figure", r.Month+":", "previous month:", "change:")
	for _, c := range r.Changes {
		cur, prev := formatValue(c.Unit, c.Current), formatValue(c.Unit, c.Previous)
		if c.NoCurrent {
			cur = "-"
		}
		if c.NoPrevious {
			prev = "-"
		}
		m.p("| %s | %s | %s | %s |\n", c.Name, cur, prev, formatChange(c))
	}
}

func (m *mdWriter) volume() {
	v := m.r.Volume
	switch v.Months {
	case 0:
		m.p("\n## Volume\n\n%d inquiries. No month before had any: no average yet.\n\n", v.Inquiries)
	case 1:
		m.p("\n## Volume\n\n%d inquiries, in koban's first month: no average yet.\n\n", v.Inquiries)
	default:
		m.p("\n## Volume\n\n%d inquiries. Over the %d months since the first inquiry: %s a month on average, %d at least, %d at most.\n\n",
			v.Inquiries, v.Months, formatFloat(v.Average), v.Min, v.Max)
	}
	m.table("month", "inquiries:")
	for _, h := range v.History {
		m.p("| %s | %d |\n", h.Month, h.Count)
	}
}

func (m *mdWriter) categories() {
	r, n := m.r, m.r.Volume.Inquiries
	m.p("\n## Categories\n\n")
	for i, ls := range [][]LabelCount{r.Categories.Five, r.Categories.Three} {
		if i > 0 {
			m.p("\nRolled up:\n\n")
		}
		m.table("category", "inquiries:", "share:", "human-labelled:")
		for _, l := range ls {
			m.p("| %s | %d | %s | %d |\n", l.Label, l.Count, formatShare(l.Share), l.Human)
		}
	}
	m.p("\n%s: not triaged yet, or a category without its detail.\n", Unclassified)
	m.p("A human confirmed or corrected the label of %d of %d inquiries (%s).\n",
		r.Categories.HumanConfirmed, n, formatShare(share(r.Categories.HumanConfirmed, n)))
	if a := r.Accuracy; a.Compared > 0 {
		m.p("koban's triage against the human labels (%d compared): top level %s right, five-way %s right.\n",
			a.Compared, formatShare(a.TopLevel), formatShare(a.FiveWay))
	}
}

// counted writes a table of names with their count and share.
func (m *mdWriter) counted(title, col string, cs []Count) {
	m.p("\n## %s\n\n", title)
	m.table(col, "inquiries:", "share:")
	for _, c := range cs {
		m.p("| %s | %d | %s |\n", cell(c.Name), c.Count, formatShare(c.Share))
	}
}

func (m *mdWriter) domains()  { m.counted("Problem domains", "domain", m.r.Domains) }
func (m *mdWriter) channels() { m.counted("Channels", "channel", m.r.Channels) }

func (m *mdWriter) replyTimes() {
	t := m.r.ReplyTimes
	m.p("\n## Reply times\n\n")
	m.table("from receipt to", "replies:", "median:", "p90:")
	for _, row := range []struct {
		name string
		d    Durations
	}{{"koban's first response", t.FirstResponse}, {"first human response", t.FirstHuman}, {"resolution", t.Resolution}} {
		m.p("| %s | %d | %s | %s |\n", row.name, row.d.N, formatDurationN(row.d.N, row.d.Median), formatDurationN(row.d.N, row.d.P90))
	}
	m.p("\n%d escalations; %d got a human reply within %s of the escalation (%s of those due), %d still within the target.\n",
		t.Escalations, t.WithinTarget, targetText(t), formatShare(t.WithinShare), t.Pending)
}

func (m *mdWriter) deflection() {
	d, n := m.r.Deflection, m.r.Volume.Inquiries
	m.p("\n## Deflection\n\nkoban answered %d inquiries from the docs (%s); %d of them were marked solved with no human involved: %s of all inquiries.\n",
		d.Answered, formatShare(share(d.Answered, n)), d.Solved, formatShare(d.Rate))
	m.p("Feedback: %d asked for a human, %d said the docs were wrong or missing.\n", d.NeedHuman, d.DocsWrong)
}

func (m *mdWriter) docsGaps() {
	g := m.r.DocsGaps
	m.p("\n## Docs gaps\n\n%d docs-missing and %d docs-unfindable inquiries.\n\n", g.Missing, g.Unfindable)
	if len(g.ByQuadrant) == 0 {
		return
	}
	m.table("quadrant", "missing:", "unfindable:")
	for _, q := range g.ByQuadrant {
		m.p("| %s | %d | %d |\n", q.Quadrant, q.Missing, q.Unfindable)
	}
	m.p("\n")
	m.table("topic", "quadrant", "missing:", "unfindable:", "pages", "inquiries")
	for _, c := range g.Topics {
		m.p("| %s | %s | %d | %d | %s | %s |\n", cell(c.Topic), c.Quadrant, c.Missing, c.Unfindable, cell(strings.Join(c.Pages, ", ")), formatIDs(c.Inquiries))
	}
}

func (m *mdWriter) automation() {
	m.p("\n## Automation candidates\n\nRecurring platform-only requests, grouped by domain and wording.\n\n")
	if len(m.r.Automation) == 0 {
		m.p("None this month.\n")
		return
	}
	m.table("request", "domain", "requests:", "labelled automation-candidate:", "inquiries")
	for _, c := range m.r.Automation {
		m.p("| %s | %s | %d | %d | %s |\n", cell(c.Topic), cell(string(c.Domain)), c.Count, c.Automation, formatIDs(c.Inquiries))
	}
}

func (m *mdWriter) pages() {
	m.p("\n## Most cited pages\n\n")
	if len(m.r.TopPages) == 0 {
		m.p("No page was cited this month.\n")
		return
	}
	m.table("page", "quadrant", "inquiries:")
	for _, pg := range m.r.TopPages {
		m.p("| %s | %s | %d |\n", cell(pg.Path), pg.Quadrant, pg.Count)
	}
}

func (m *mdWriter) onCall() {
	m.p("\n## On-call load\n\n")
	if len(m.r.OnCall) == 0 {
		m.p("No inquiry was routed to an on-call this month.\n")
		return
	}
	m.table("person", "routed:", "escalated:", "resolved:")
	for _, l := range m.r.OnCall {
		m.p("| %s | %d | %d | %d |\n", cell(l.Shown()), l.Assigned, l.Escalated, l.Resolved)
	}
}

// cell makes text from people safe inside a Markdown table cell: one line,
// and no markup. Each ASCII punctuation character that can open a link, an
// image, emphasis, a code span or a table cell gets a backslash (an
// underscore inside a word opens nothing and keeps none), and HTML's get
// entities.
func cell(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		switch r {
		case '\\', '`', '*', '[', ']', '(', ')', '!', '~', '|', '#':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '_':
			if i == 0 || i == len(rs)-1 || !wordRune(rs[i-1]) || !wordRune(rs[i+1]) {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\r', '\n':
			if i == 0 || rs[i-1] != '\r' || r != '\n' {
				b.WriteByte(' ')
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func wordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// targetText names the reply target escalations were measured against:
// one duration, or each rotation's when they differ.
func targetText(t ReplyTimes) string {
	distinct := map[time.Duration]bool{}
	for _, d := range t.Targets {
		distinct[d] = true
	}
	if len(distinct) <= 1 {
		for d := range distinct {
			return formatDuration(d)
		}
		return formatDuration(t.Target)
	}
	names := slices.Sorted(maps.Keys(t.Targets))
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n + " " + formatDuration(t.Targets[n])
	}
	return "the reply target of its rotation (" + strings.Join(parts, ", ") + ")"
}
