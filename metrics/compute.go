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

// facts is what the events say about one inquiry.
type facts struct {
	escalatedAt time.Time      // first escalation
	answered    bool           // koban answered from the docs
	feedback    koban.Feedback // the asker's last feedback
	feedbackAt  time.Time
}

// replyBuckets are the bounds of the reply-time distribution.
var replyBuckets = []struct {
	label    string
	min, max time.Duration
}{
	{"< 1 min", 0, time.Minute},
	{"1-10 min", time.Minute, 10 * time.Minute},
	{"10-60 min", 10 * time.Minute, time.Hour},
	{"1-4 h", time.Hour, 4 * time.Hour},
	{"4-24 h", 4 * time.Hour, 24 * time.Hour},
	{"1-3 d", 24 * time.Hour, 72 * time.Hour},
	{"> 3 d", 72 * time.Hour, 0},
}

func bucketOf(d time.Duration) int {
	for i, b := range replyBuckets {
		if d < b.max || b.max == 0 {
			return i
		}
	}
	return len(replyBuckets) - 1
}

// computeMonth computes everything but the history and the changes for the
// month beginning at from. Without detail it skips the lists (clusters,
// pages, channels, on-call) that only the report's own month shows.
func computeMonth(from time.Time, d Data, now time.Time, opt Options, detail bool) *Report {
	m := newMonth(from, d, now, opt, detail)
	for i, q := range m.inqs {
		m.add(i, q)
	}
	return m.finish()
}

// month accumulates the figures of one month's report, one inquiry at a
// time (add), and writes them into the report at the end (finish).
type month struct {
	r      *Report
	opt    Options
	now    time.Time
	detail bool

	inqs []*koban.Inquiry // the month's, by creation
	fs   []facts          // fs[i] is what the events say of inqs[i]
	// Without events (a source that has none), an inquiry koban answered
	// with citations counts as answered from the docs.
	noEvents bool

	five, three         []LabelCount
	topRight, fiveRight int
	domains             map[string]int
	firstResp, firstHum []time.Duration
	resolve             []time.Duration
	buckets             []Bucket
	quadrants           map[koban.Quadrant]*QuadrantCount
	gaps, platform      []int // indexes into inqs

	// detail only
	channels map[string]int
	loads    map[string]*Load
	pages    map[string]int
}

func newMonth(from time.Time, d Data, now time.Time, opt Options, detail bool) *month {
	to := from.AddDate(0, 1, 0)
	m := &month{
		r: &Report{
			Month:       monthKey(from),
			TimeZone:    opt.Location.String(),
			From:        from,
			To:          to,
			GeneratedAt: now,
			Language:    opt.Language,
		},
		opt: opt, now: now, detail: detail,
		noEvents:  len(d.Events) == 0,
		five:      make([]LabelCount, len(koban.Labels)+1),
		three:     make([]LabelCount, len(koban.Categories)+1),
		domains:   map[string]int{},
		buckets:   make([]Bucket, len(replyBuckets)),
		quadrants: map[koban.Quadrant]*QuadrantCount{},
		channels:  map[string]int{},
		loads:     map[string]*Load{},
		pages:     map[string]int{},
	}
	for i, l := range koban.Labels {
		m.five[i].Label = l.String()
	}
	m.five[len(koban.Labels)].Label = Unclassified
	for i, c := range koban.Categories {
		m.three[i].Label = string(c)
	}
	m.three[len(koban.Categories)].Label = Unclassified
	for i, b := range replyBuckets {
		m.buckets[i] = Bucket{Label: b.label, Min: b.min, Max: b.max}
	}
	m.r.ReplyTimes.Target = opt.ReplyTarget
	m.r.ReplyTimes.Targets = opt.ReplyTargets
	m.inqs = monthInquiries(d.Inquiries, from, to)
	m.fs = eventFacts(m.inqs, d.Events)
	m.r.Volume.Inquiries = len(m.inqs)
	return m
}

// monthInquiries returns the inquiries created in [from, to), in order of
// creation (then ID).
func monthInquiries(all []koban.Inquiry, from, to time.Time) []*koban.Inquiry {
	inqs := make([]*koban.Inquiry, 0, len(all))
	for i := range all {
		q := &all[i]
		if q.CreatedAt.Before(from) || !q.CreatedAt.Before(to) {
			continue
		}
		inqs = append(inqs, q)
	}
	slices.SortFunc(inqs, func(a, b *koban.Inquiry) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return inqs
}

// eventFacts reads what events say about each of inqs.
func eventFacts(inqs []*koban.Inquiry, events []koban.Event) []facts {
	ids := make(map[int64]int, len(inqs))
	for i, q := range inqs {
		ids[q.ID] = i
	}
	fs := make([]facts, len(inqs))
	for _, e := range events {
		i, ok := ids[e.InquiryID]
		if !ok {
			continue
		}
		f := &fs[i]
		switch e.Kind {
		case koban.EventEscalated:
			if f.escalatedAt.IsZero() || e.At.Before(f.escalatedAt) {
				f.escalatedAt = e.At
			}
		case koban.EventAnswered:
			if e.Actor == koban.ActorKoban || e.Actor == "" {
				f.answered = true
			}
		}
		// Feedback rides on its own event, or on the event the button caused
		// (resolved for Solved, escalated for I need a human / Docs wrong).
		if fb := e.Feedback(); fb != "" && !e.At.Before(f.feedbackAt) {
			f.feedback, f.feedbackAt = fb, e.At
		}
	}
	return fs
}

// add counts inquiry q, the i-th of the month.
func (m *month) add(i int, q *koban.Inquiry) {
	f := &m.fs[i]
	label := q.Label()
	m.addLabel(q, label)
	m.r.Tokens += q.Tokens
	dom := q.Domain
	if dom == "" {
		dom = koban.DomainOther
	}
	m.domains[string(dom)]++
	m.addTimes(q)
	escalated := m.addEscalation(q, f)
	m.addDeflection(q, f, escalated)
	if m.addGap(q, label) {
		m.gaps = append(m.gaps, i)
	}
	if label.Category == koban.PlatformOnly {
		m.platform = append(m.platform, i)
	}
	if m.detail {
		m.addDetail(q, escalated)
	}
}

// addLabel counts q's label among the five and the three, and how triage
// compared with a human's label.
func (m *month) addLabel(q *koban.Inquiry, label koban.Label) {
	human := q.HumanLabelled()
	fi := slices.Index(koban.Labels, label)
	if fi < 0 {
		fi = len(koban.Labels)
	}
	ti := slices.Index(koban.Categories, label.Category)
	if ti < 0 {
		ti = len(koban.Categories)
	}
	m.five[fi].Count++
	m.three[ti].Count++
	if !human {
		return
	}
	m.r.Categories.HumanConfirmed++
	m.five[fi].Human++
	m.three[ti].Human++
	if !q.Predicted.IsZero() {
		m.r.Accuracy.Compared++
		if q.Predicted.Category == q.Final.Category {
			m.topRight++
		}
		if q.Predicted == q.Final {
			m.fiveRight++
		}
	}
}

// addTimes adds q's reply and resolution times to the distributions.
func (m *month) addTimes(q *koban.Inquiry) {
	if !q.FirstResponseAt.IsZero() {
		d := q.FirstResponseAt.Sub(q.CreatedAt)
		m.firstResp = append(m.firstResp, d)
		m.buckets[bucketOf(d)].FirstResponse++
	}
	if !q.FirstHumanResponseAt.IsZero() {
		d := q.FirstHumanResponseAt.Sub(q.CreatedAt)
		m.firstHum = append(m.firstHum, d)
		m.buckets[bucketOf(d)].FirstHuman++
	}
	if !q.ResolvedAt.IsZero() {
		d := q.ResolvedAt.Sub(q.CreatedAt)
		m.resolve = append(m.resolve, d)
		m.buckets[bucketOf(d)].Resolution++
	}
}

// addEscalation counts q against the reply target when it was escalated,
// and says whether it was.
func (m *month) addEscalation(q *koban.Inquiry, f *facts) bool {
	escalated := !f.escalatedAt.IsZero() ||
		q.State == koban.StateEscalated || q.State == koban.StateAcknowledged
	if !escalated {
		return false
	}
	at := f.escalatedAt
	if at.IsZero() {
		at = q.CreatedAt
	}
	rt := &m.r.ReplyTimes
	rt.Escalations++
	target := m.opt.ReplyTarget
	if t, ok := m.opt.ReplyTargets[q.Rotation]; ok && t > 0 {
		target = t
	}
	switch {
	case !q.FirstHumanResponseAt.IsZero() && q.FirstHumanResponseAt.Sub(at) <= target:
		rt.WithinTarget++
	case q.FirstHumanResponseAt.IsZero() && m.now.Sub(at) < target:
		rt.Pending++
	}
	return true
}

// addDeflection counts q's answer from the docs and the asker's feedback.
func (m *month) addDeflection(q *koban.Inquiry, f *facts, escalated bool) {
	df := &m.r.Deflection
	answered := f.answered || (m.noEvents && len(q.Citations) > 0 && !q.FirstResponseAt.IsZero())
	if answered {
		df.Answered++
		if f.feedback == koban.FeedbackSolved && q.FirstHumanResponseAt.IsZero() && !escalated {
			df.Solved++
		}
	}
	if f.feedback == koban.FeedbackSuggestionSolved && q.FirstHumanResponseAt.IsZero() {
		df.Solved++ // deflected: the on-call had nothing to do
	}
	switch f.feedback {
	case koban.FeedbackNeedHuman:
		df.NeedHuman++
	case koban.FeedbackDocsWrong:
		df.DocsWrong++
	}
}

// gapQuadrant is the quadrant of a docs gap: that of the page q cited, or,
// when it cited none (the docs lack the page), the one its question asks for.
func gapQuadrant(q *koban.Inquiry, opt Options) koban.Quadrant {
	if len(q.Citations) > 0 {
		if qd := opt.Quadrant(q.Citations[0]); qd != koban.Unknown {
			return qd
		}
	}
	return intentQuadrant(q.Text)
}

// addGap counts q as a docs gap, by the quadrant of the page it cited (or
// its question's intent, when it cited none), when its label says the docs miss or hide the answer; it says whether it did.
func (m *month) addGap(q *koban.Inquiry, label koban.Label) bool {
	gap := label == koban.Label{Category: koban.DocsMissing} ||
		label == koban.Label{Category: koban.SelfSolvable, Detail: koban.DetailDocsUnfindable}
	if !gap {
		return false
	}
	qd := gapQuadrant(q, m.opt)
	qc := m.quadrants[qd]
	if qc == nil {
		qc = &QuadrantCount{Quadrant: qd}
		m.quadrants[qd] = qc
	}
	if label.Category == koban.DocsMissing {
		m.r.DocsGaps.Missing++
		qc.Missing++
	} else {
		m.r.DocsGaps.Unfindable++
		qc.Unfindable++
	}
	return true
}

// addDetail counts q's cited pages, its channel and its assignee's load.
func (m *month) addDetail(q *koban.Inquiry, escalated bool) {
	for j, p := range q.Citations {
		if !slices.Contains(q.Citations[:j], p) {
			m.pages[p]++
		}
	}
	ch := q.Channel
	if ch == "" {
		ch = "unknown"
	}
	m.channels[ch]++
	if q.Assignee == "" {
		return
	}
	l := m.loads[q.Assignee]
	if l == nil {
		l = &Load{Person: q.Assignee}
		m.loads[q.Assignee] = l
	}
	l.Assigned++
	if escalated {
		l.Escalated++
	}
	if q.State == koban.StateResolved {
		l.Resolved++
	}
}

// finish writes the shares, summaries and, with detail, the lists into the
// report and returns it.
func (m *month) finish() *Report {
	r, n := m.r, len(m.inqs)
	for i := range m.five {
		m.five[i].Share = share(m.five[i].Count, n)
	}
	for i := range m.three {
		m.three[i].Share = share(m.three[i].Count, n)
	}
	r.Categories.Five, r.Categories.Three = m.five, m.three
	r.Accuracy.TopLevel = share(m.topRight, r.Accuracy.Compared)
	r.Accuracy.FiveWay = share(m.fiveRight, r.Accuracy.Compared)
	r.Domains = counts(m.domains, n)
	rt := &r.ReplyTimes
	rt.FirstResponse = summarise(m.firstResp)
	rt.FirstHuman = summarise(m.firstHum)
	rt.Resolution = summarise(m.resolve)
	rt.WithinShare = share(rt.WithinTarget, rt.Escalations-rt.Pending)
	rt.Buckets = m.buckets
	r.Deflection.Rate = share(r.Deflection.Solved, n)
	for _, q := range koban.Quadrants {
		if qc := m.quadrants[q]; qc != nil {
			r.DocsGaps.ByQuadrant = append(r.DocsGaps.ByQuadrant, *qc)
		}
	}
	if m.detail {
		m.finishDetail()
	}
	return r
}

// finishDetail writes the clusters, channels, on-call loads and top pages.
func (m *month) finishDetail() {
	r := m.r
	// The two clusterings tokenise every gap and platform-only question:
	// the bulk of the work on a big month. They share nothing but reads.
	var wg sync.WaitGroup
	wg.Go(func() { r.DocsGaps.Topics = gapTopics(m.inqs, m.gaps, m.opt) })
	wg.Go(func() { r.Automation = automationClusters(m.inqs, m.platform) })
	r.Channels = counts(m.channels, len(m.inqs))
	for _, l := range m.loads {
		r.OnCall = append(r.OnCall, *l)
	}
	slices.SortFunc(r.OnCall, func(a, b Load) int {
		if c := cmp.Compare(b.Assigned, a.Assigned); c != 0 {
			return c
		}
		return cmp.Compare(a.Person, b.Person)
	})
	for p, c := range m.pages {
		r.TopPages = append(r.TopPages, Page{Path: p, Quadrant: m.opt.Quadrant(p), Count: c})
	}
	slices.SortFunc(r.TopPages, func(a, b Page) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return cmp.Compare(a.Path, b.Path)
	})
	if len(r.TopPages) > m.opt.TopPages {
		r.TopPages = r.TopPages[:m.opt.TopPages]
	}
	wg.Wait()
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
