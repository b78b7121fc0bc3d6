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

	"github.com/kobanhq/koban/internal/i18n"
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
	m.p("\n## %s\n\n%s\n", m.say("report.section.llm"), m.say("report.llm.tokens", "Tokens", r.Tokens))
	return m.b.Flush()
}

// mdWriter writes the sections of a Markdown report, in the report's
// language.
type mdWriter struct {
	b *bufio.Writer
	r *Report
}

func (m *mdWriter) p(format string, args ...any) { fmt.Fprintf(m.b, format, args...) }

// say is a message of the catalogue in the report's language.
func (m *mdWriter) say(id string, kv ...any) string { return i18n.Say(m.r.Language, id, kv...) }

// col names a table column; num marks it numeric (right-aligned).
func (m *mdWriter) col(id string, num bool) string {
	c := m.say("report.col." + id)
	if num {
		c += ":"
	}
	return c
}

// section starts a section with its heading.
func (m *mdWriter) section(id string) { m.p("\n## %s\n\n", m.say("report.section."+id)) }

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
	m.p("# %s\n\n", m.say("report.title", "Month", r.Month))
	m.p("%s\n\n", m.say("report.period", "From", r.From.Format("2006-01-02"), "To", r.To.AddDate(0, 0, -1).Format("2006-01-02"), "Zone", r.TimeZone))
	m.p("## %s\n\n", m.say("report.section.headline"))
	m.table(m.col("figure", false), r.Month+":", m.col("previous", true), m.col("change", true))
	for _, c := range r.Changes {
		cur, prev := formatValue(c.Unit, c.Current), formatValue(c.Unit, c.Previous)
		if c.NoCurrent {
			cur = "-"
		}
		if c.NoPrevious {
			prev = "-"
		}
		m.p("| %s | %s | %s | %s |\n", changeName(m.r.Language, c.Name), cur, prev, formatChange(c))
	}
}

func (m *mdWriter) volume() {
	v := m.r.Volume
	m.section("volume")
	switch v.Months {
	case 0:
		m.p("%s\n\n", m.say("report.volume.none", "Count", v.Inquiries))
	case 1:
		m.p("%s\n\n", m.say("report.volume.first", "Count", v.Inquiries))
	default:
		m.p("%s\n\n", m.say("report.volume.stats", "Count", v.Inquiries, "Months", v.Months,
			"Average", formatFloat(v.Average), "Min", v.Min, "Max", v.Max))
	}
	m.table(m.col("month", false), m.col("inquiries", true))
	for _, h := range v.History {
		m.p("| %s | %d |\n", h.Month, h.Count)
	}
}

func (m *mdWriter) categories() {
	r, n := m.r, m.r.Volume.Inquiries
	m.section("categories")
	for i, ls := range [][]LabelCount{r.Categories.Five, r.Categories.Three} {
		if i > 0 {
			m.p("\n%s\n\n", m.say("report.categories.rolled_up"))
		}
		m.table(m.col("category", false), m.col("inquiries", true), m.col("share", true), m.col("human", true))
		for _, l := range ls {
			m.p("| %s | %d | %s | %d |\n", l.Label, l.Count, formatShare(l.Share), l.Human)
		}
	}
	m.p("\n%s\n", m.say("report.categories.unclassified", "Name", Unclassified))
	m.p("%s\n", m.say("report.categories.confirmed", "Human", r.Categories.HumanConfirmed, "Count", n,
		"Share", formatShare(share(r.Categories.HumanConfirmed, n))))
	if a := r.Accuracy; a.Compared > 0 {
		m.p("%s\n", m.say("report.categories.accuracy", "Compared", a.Compared, "Top", formatShare(a.TopLevel), "Five", formatShare(a.FiveWay)))
	}
}

// counted writes a table of names with their count and share.
func (m *mdWriter) counted(section, col string, cs []Count) {
	m.section(section)
	m.table(m.col(col, false), m.col("inquiries", true), m.col("share", true))
	for _, c := range cs {
		m.p("| %s | %d | %s |\n", cell(c.Name), c.Count, formatShare(c.Share))
	}
}

func (m *mdWriter) domains()  { m.counted("domains", "domain", m.r.Domains) }
func (m *mdWriter) channels() { m.counted("channels", "channel", m.r.Channels) }

func (m *mdWriter) replyTimes() {
	t := m.r.ReplyTimes
	m.section("reply_times")
	m.table(m.col("from_receipt", false), m.col("replies", true), m.col("median", true), m.col("p90", true))
	for _, row := range []struct {
		name string
		d    Durations
	}{{"first_response", t.FirstResponse}, {"first_human", t.FirstHuman}, {"resolution", t.Resolution}} {
		m.p("| %s | %d | %s | %s |\n", m.say("report.row."+row.name), row.d.N, formatDurationN(row.d.N, row.d.Median), formatDurationN(row.d.N, row.d.P90))
	}
	m.p("\n%s\n", m.say("report.replies.escalations", "Escalations", t.Escalations, "Within", t.WithinTarget,
		"Target", targetText(m.r.Language, t), "Share", formatShare(t.WithinShare), "Pending", t.Pending))
}

func (m *mdWriter) deflection() {
	d, n := m.r.Deflection, m.r.Volume.Inquiries
	m.section("deflection")
	m.p("%s\n", m.say("report.deflection.answered", "Answered", d.Answered, "AnsweredShare", formatShare(share(d.Answered, n)),
		"Solved", d.Solved, "Rate", formatShare(d.Rate)))
	m.p("%s\n", m.say("report.deflection.feedback", "NeedHuman", d.NeedHuman, "DocsWrong", d.DocsWrong))
}

func (m *mdWriter) docsGaps() {
	g := m.r.DocsGaps
	m.section("docs_gaps")
	m.p("%s\n\n", m.say("report.gaps.counts", "Missing", g.Missing, "Unfindable", g.Unfindable))
	if len(g.ByQuadrant) == 0 {
		return
	}
	m.table(m.col("quadrant", false), m.col("missing", true), m.col("unfindable", true))
	for _, q := range g.ByQuadrant {
		m.p("| %s | %d | %d |\n", q.Quadrant, q.Missing, q.Unfindable)
	}
	m.p("\n")
	m.table(m.col("topic", false), m.col("quadrant", false), m.col("missing", true), m.col("unfindable", true),
		m.col("pages", false), m.col("inquiries", false))
	for _, c := range g.Topics {
		m.p("| %s | %s | %d | %d | %s | %s |\n", cell(c.Topic), c.Quadrant, c.Missing, c.Unfindable, cell(strings.Join(c.Pages, ", ")), formatIDs(c.Inquiries))
	}
}

func (m *mdWriter) automation() {
	m.section("automation")
	m.p("%s\n\n", m.say("report.automation.intro"))
	if len(m.r.Automation) == 0 {
		m.p("%s\n", m.say("report.automation.none"))
		return
	}
	m.table(m.col("request", false), m.col("domain", false), m.col("requests", true), m.col("automation", true), m.col("inquiries", false))
	for _, c := range m.r.Automation {
		m.p("| %s | %s | %d | %d | %s |\n", cell(c.Topic), cell(string(c.Domain)), c.Count, c.Automation, formatIDs(c.Inquiries))
	}
}

func (m *mdWriter) pages() {
	m.section("pages")
	if len(m.r.TopPages) == 0 {
		m.p("%s\n", m.say("report.pages.none"))
		return
	}
	m.table(m.col("page", false), m.col("quadrant", false), m.col("inquiries", true))
	for _, pg := range m.r.TopPages {
		m.p("| %s | %s | %d |\n", cell(pg.Path), pg.Quadrant, pg.Count)
	}
}

func (m *mdWriter) onCall() {
	m.section("on_call")
	if len(m.r.OnCall) == 0 {
		m.p("%s\n", m.say("report.on_call.none"))
		return
	}
	m.table(m.col("person", false), m.col("routed", true), m.col("escalated", true), m.col("resolved", true))
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

// targetText names, in lang, the reply target escalations were measured
// against: one duration, or each rotation's when they differ.
func targetText(lang string, t ReplyTimes) string {
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
	return i18n.Say(lang, "report.replies.targets", "Targets", strings.Join(parts, ", "))
}

// changeName names a headline figure (Change.Name) in lang.
func changeName(lang, name string) string { return i18n.Reword(lang, "report.change.", name) }
