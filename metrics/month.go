package metrics

import (
	"cmp"
	"slices"
	"sync"
	"time"

	"github.com/kobanhq/koban"
)

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
