package metrics

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/kobanhq/koban"
)

// Data is what a month's report is computed from: the inquiries created in
// the month and their events (in any order).
type Data struct {
	Inquiries []koban.Inquiry
	Events    []koban.Event
}

// Options tune the report. The zero value is usable.
type Options struct {
	// Location is the time zone months are cut in; nil means UTC.
	Location *time.Location
	// ReplyTarget is the time within which an escalation should get a human
	// reply; zero means 24 hours.
	ReplyTarget time.Duration
	// ReplyTargets are the reply targets of the rotations, by name: an
	// inquiry routed to one is counted against its target, any other
	// against ReplyTarget.
	ReplyTargets map[string]time.Duration
	// Quadrant gives the Diátaxis quadrant of a docs page path; nil leaves
	// every page koban.Unknown. Compute may call it from several goroutines.
	Quadrant func(path string) koban.Quadrant
	// TopPages is how many of the most cited pages to list; zero means 10.
	TopPages int
	// PersonName gives the display name of a Slack user ID for the on-call
	// load, or ""; nil leaves people as IDs.
	PersonName func(ctx context.Context, id string) string
	// Language is the language the report is written in ("en" or "ja";
	// "" is English): Report.Language.
	Language string
}

func (o Options) withDefaults() Options {
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.ReplyTarget <= 0 {
		o.ReplyTarget = 24 * time.Hour
	}
	if o.Quadrant == nil {
		o.Quadrant = func(string) koban.Quadrant { return koban.Unknown }
	}
	if o.TopPages <= 0 {
		o.TopPages = 10
	}
	return o
}

// Compute builds the report for the month that month falls in (cut in
// opt.Location) from that month's data, the previous month's (for the
// month-over-month changes) and history, the number of inquiries per month
// keyed "2006-01" (months missing from it count zero). now is when the
// report is made: escalations younger than the reply target that have no
// human reply yet are pending rather than late. Inquiries outside their
// month are ignored.
func Compute(month time.Time, cur, prev Data, history map[string]int, now time.Time, opt Options) *Report {
	opt = opt.withDefaults()
	from := MonthStart(month, opt.Location)
	var p *Report
	var wg sync.WaitGroup
	wg.Go(func() { p = computeMonth(from.AddDate(0, -1, 0), prev, now, opt, false) })
	r := computeMonth(from, cur, now, opt, true)
	wg.Wait()

	r.Volume.History = make([]MonthCount, 12)
	for i := range r.Volume.History {
		m := monthKey(from.AddDate(0, i-11, 0))
		n := history[m]
		if i == 11 {
			n = r.Volume.Inquiries // the month itself is counted exactly
		}
		r.Volume.History[i] = MonthCount{Month: m, Count: n}
	}
	volumeStats(&r.Volume, firstMonth(history, r.Volume.History))
	r.Changes = changes(r, p)
	return r
}

// firstMonth is the month ("2006-01") of koban's first inquiry as far as
// history and the months counted exactly tell, or "" when there was none.
func firstMonth(history map[string]int, counted []MonthCount) string {
	first := ""
	for m, n := range history {
		if n > 0 && (first == "" || m < first) {
			first = m
		}
	}
	for _, h := range counted {
		if h.Count > 0 && (first == "" || h.Month < first) {
			first = h.Month
		}
	}
	return first
}

// volumeStats sets the average, least and most inquiries a month over the
// months of v.History since first, the month of koban's first inquiry:
// months before koban was used are not zeros to average.
func volumeStats(v *Volume, first string) {
	v.Months, v.Average, v.Min, v.Max = 0, 0, 0, 0
	if first == "" {
		return
	}
	sum := 0
	for _, h := range v.History {
		if h.Month < first {
			continue
		}
		if v.Months == 0 {
			v.Min, v.Max = h.Count, h.Count
		}
		v.Months++
		sum += h.Count
		v.Min = min(v.Min, h.Count)
		v.Max = max(v.Max, h.Count)
	}
	if v.Months > 0 {
		v.Average = float64(sum) / float64(v.Months)
	}
}

// headline figures, in the order of Report.Changes.
const (
	ChangeInquiries     = "inquiries"
	ChangeDeflection    = "deflection"
	ChangePlatformOnly  = "platform-only share"
	ChangeDocsGaps      = "docs gaps"
	ChangeFirstResponse = "first response (median)"
	ChangeFirstHuman    = "first human response (median)"
	ChangeResolution    = "resolution (median)"
	ChangeWithinTarget  = "escalations replied within target"
	ChangeTokens        = "LLM tokens"
)

func changes(cur, prev *Report) []Change {
	platform := func(r *Report) float64 {
		for _, l := range r.Categories.Three {
			if l.Label == string(koban.PlatformOnly) {
				return l.Share
			}
		}
		return 0
	}
	duration := func(name string, cur, prev Durations) Change {
		return measuredChange(name, UnitDuration, cur.Median.Seconds(), cur.N, prev.Median.Seconds(), prev.N)
	}
	due := func(r *Report) int { return r.ReplyTimes.Escalations - r.ReplyTimes.Pending }
	return []Change{
		NewChange(ChangeInquiries, UnitCount, float64(cur.Volume.Inquiries), float64(prev.Volume.Inquiries)),
		NewChange(ChangeDeflection, UnitShare, cur.Deflection.Rate, prev.Deflection.Rate),
		NewChange(ChangePlatformOnly, UnitShare, platform(cur), platform(prev)),
		NewChange(ChangeDocsGaps, UnitCount, float64(cur.DocsGaps.Missing+cur.DocsGaps.Unfindable), float64(prev.DocsGaps.Missing+prev.DocsGaps.Unfindable)),
		duration(ChangeFirstResponse, cur.ReplyTimes.FirstResponse, prev.ReplyTimes.FirstResponse),
		duration(ChangeFirstHuman, cur.ReplyTimes.FirstHuman, prev.ReplyTimes.FirstHuman),
		duration(ChangeResolution, cur.ReplyTimes.Resolution, prev.ReplyTimes.Resolution),
		measuredChange(ChangeWithinTarget, UnitShare, cur.ReplyTimes.WithinShare, due(cur), prev.ReplyTimes.WithinShare, due(prev)),
		NewChange(ChangeTokens, UnitCount, float64(cur.Tokens), float64(prev.Tokens)),
	}
}

// maxExamples is how many inquiry IDs a cluster lists.
const maxExamples = 5

// gapTopics groups the docs gaps: by the page an inquiry cited or was
// related to when it has one (the page to fix or to make findable), else by
// similar words.
func gapTopics(inqs []*koban.Inquiry, gaps []int, opt Options) []Cluster {
	items := make([]clusterItem, len(gaps))
	words := make([]clusterItem, len(gaps)) // every gap's words, to name the groups
	for j, i := range gaps {
		q := inqs[i]
		words[j].terms = terms(q.Text)
		if len(q.Citations) > 0 {
			items[j] = clusterItem{key: "page\x00" + q.Citations[0]}
		} else {
			items[j] = clusterItem{key: "text", terms: words[j].terms}
		}
	}
	var out []Cluster
	for _, g := range cluster(items) {
		first := inqs[gaps[g[0]]]
		c := Cluster{Count: len(g), Quadrant: koban.Unknown}
		for _, j := range g {
			q := inqs[gaps[j]]
			if q.Label().Category == koban.DocsMissing {
				c.Missing++
			} else {
				c.Unfindable++
			}
			for _, p := range q.Citations {
				if !slices.Contains(c.Pages, p) {
					c.Pages = append(c.Pages, p)
				}
			}
			if len(c.Inquiries) < maxExamples {
				c.Inquiries = append(c.Inquiries, q.ID)
			}
		}
		c.Terms = topTerms(words, g, 3)
		c.Quadrant = gapQuadrant(first, opt)
		if len(first.Citations) > 0 {
			c.Topic = first.Citations[0]
		} else {
			c.Topic = joinTerms(c.Terms)
		}
		c.Domain = commonDomain(inqs, gaps, g)
		out = append(out, c)
	}
	sortClusters(out)
	return out
}

// automationClusters groups the platform-only inquiries by domain and similar
// words, and keeps the groups that recur (two inquiries or more) and those
// with an inquiry labelled automation-candidate: every labelled inquiry is
// in a listed group, the recurring groups first; a group's examples are its
// labelled inquiries first.
func automationClusters(inqs []*koban.Inquiry, platform []int) []Cluster {
	items := make([]clusterItem, len(platform))
	for j, i := range platform {
		q := inqs[i]
		items[j] = clusterItem{key: string(q.Domain), terms: terms(q.Text)}
	}
	var out []Cluster
	for _, g := range cluster(items) {
		c := Cluster{Count: len(g), Domain: inqs[platform[g[0]]].Domain}
		var others []int64
		for _, j := range g {
			q := inqs[platform[j]]
			if q.Label().Detail == koban.DetailAutomationCandidate {
				c.Automation++
				if len(c.Inquiries) < maxExamples {
					c.Inquiries = append(c.Inquiries, q.ID)
				}
			} else {
				others = append(others, q.ID)
			}
		}
		if len(g) < 2 && c.Automation == 0 {
			continue
		}
		for _, id := range others {
			if len(c.Inquiries) >= maxExamples {
				break
			}
			c.Inquiries = append(c.Inquiries, id)
		}
		c.Terms = topTerms(items, g, 3)
		c.Topic = joinTerms(c.Terms)
		out = append(out, c)
	}
	sortClusters(out)
	return out
}

func joinTerms(ts []string) string {
	if len(ts) == 0 {
		return "(no text)"
	}
	s := ts[0]
	for _, t := range ts[1:] {
		s += ", " + t
	}
	return s
}

// commonDomain returns the domain of a group when all its inquiries share it.
func commonDomain(inqs []*koban.Inquiry, idx, g []int) koban.Domain {
	d := inqs[idx[g[0]]].Domain
	for _, j := range g[1:] {
		if inqs[idx[j]].Domain != d {
			return ""
		}
	}
	return d
}

func sortClusters(cs []Cluster) {
	slices.SortStableFunc(cs, func(a, b Cluster) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return cmp.Compare(a.Topic, b.Topic)
	})
}
