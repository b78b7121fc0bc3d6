package metrics

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/kobanhq/koban"
)

// memSource is an in-memory Source over seeded inquiries and events.
type memSource struct {
	inqs   []koban.Inquiry
	events []koban.Event
}

func (m *memSource) ReportData(_ context.Context, from, to time.Time) ([]koban.Inquiry, []koban.Event, error) {
	var inqs []koban.Inquiry
	ids := map[int64]bool{}
	if len(m.inqs) > 1000 {
		inqs = make([]koban.Inquiry, 0, len(m.inqs))
	}
	for _, q := range m.inqs {
		if !q.CreatedAt.Before(from) && q.CreatedAt.Before(to) {
			inqs = append(inqs, q)
			ids[q.ID] = true
		}
	}
	var events []koban.Event
	for _, e := range m.events {
		if ids[e.InquiryID] {
			events = append(events, e)
		}
	}
	return inqs, events, nil
}

func (m *memSource) MonthlyTotals(_ context.Context, from, to time.Time, loc *time.Location) (map[string]int, error) {
	out := map[string]int{}
	for _, q := range m.inqs {
		if !q.CreatedAt.Before(from) && q.CreatedAt.Before(to) {
			out[q.CreatedAt.In(loc).Format("2006-01")]++
		}
	}
	return out, nil
}

var tokyo = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		panic(err)
	}
	return loc
}()

// Labels used by the seeds.
var (
	required   = koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailRequired}
	automation = koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailAutomationCandidate}
	answered   = koban.Label{Category: koban.SelfSolvable, Detail: koban.DetailAnswered}
	missing    = koban.Label{Category: koban.DocsMissing}
	unfindable = koban.Label{Category: koban.SelfSolvable, Detail: koban.DetailDocsUnfindable}
	selfOnly   = koban.Label{Category: koban.SelfSolvable}
)

// quadrantOf is the docs' quadrant lookup, by path prefix.
func quadrantOf(path string) koban.Quadrant {
	for prefix, q := range map[string]koban.Quadrant{
		"tutorials/": koban.Tutorial, "how-to/": koban.HowTo,
		"reference/": koban.Reference, "explanation/": koban.Explanation,
	} {
		if len(path) > len(prefix) && path[:len(prefix)] == prefix {
			return q
		}
	}
	return koban.Unknown
}

// october is the seeded month: 100 inquiries in October 2026 (Asia/Tokyo)
// whose split is 43 platform-only/required, 16 platform-only/automation-
// candidate, 16 self-solvable/answered, 3 docs-missing, 6 self-solvable/
// docs-unfindable and 16 unclassified (12 not triaged, 4 self-solvable
// without detail); plus 80 inquiries in September for the changes, and
// inquiries just outside both months.
//
// The hand-computed figures are in TestComputeOctober.
func october() *memSource {
	s := &memSource{}
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, tokyo)
	var id int64
	add := func(q koban.Inquiry) *koban.Inquiry {
		id++
		q.ID = id
		if q.CreatedAt.IsZero() {
			q.CreatedAt = start.Add(time.Duration(id-1) * 7 * time.Hour)
		}
		q.UpdatedAt = q.CreatedAt
		q.Channel = "C_HELP"
		if id > 70 {
			q.Channel = "C_INFRA"
		}
		q.AskedBy = fmt.Sprintf("U%03d", id)
		s.inqs = append(s.inqs, q)
		// koban's first response: 1 to 10 seconds, ten inquiries each.
		last := &s.inqs[len(s.inqs)-1]
		last.FirstResponseAt = last.CreatedAt.Add(time.Duration((id-1)%10+1) * time.Second)
		return last
	}
	event := func(q *koban.Inquiry, kind koban.EventKind, actor string, at time.Time, data map[string]string) {
		s.events = append(s.events, koban.Event{ID: int64(len(s.events) + 1), InquiryID: q.ID, Kind: kind, Actor: actor, At: at, Data: data})
	}

	// Platform-only: 59 inquiries, all escalated on receipt. Human replies
	// 1 to 5 hours later (ten each) for 50, 30 hours later for 5, none
	// for 4; the last of those arrives on 31 October at 20:00, so at
	// report time (1 November 09:00) it is still within the 24 h target.
	type spec struct {
		final, predicted koban.Label
		domain           koban.Domain
		text             string
	}
	var platform []spec
	for i := range 43 {
		sp := spec{final: required, predicted: required, domain: "iam", text: "service account locked for app " + fmt.Sprint(i)}
		switch {
		case i < 15:
			sp.domain, sp.text = "database", fmt.Sprintf("database failover stuck on cluster db-%d", i)
		case i < 20:
			sp.domain = "database"
			sp.text = []string{"kernel panic on node", "quota increase for bucket", "vpn certificate expired", "billing export broken", "dns zone delegation"}[i-15]
		}
		if i >= 20 {
			sp.final = koban.Label{} // 23 not labelled by a human
		} else if i >= 15 {
			sp.predicted = automation // wrong detail, right category
		}
		platform = append(platform, sp)
	}
	for i := range 16 {
		sp := spec{final: automation, predicted: automation, domain: "iam", text: fmt.Sprintf("grant prod read role to user %d", i)}
		switch {
		case i < 4: // right
		case i < 8:
			sp.predicted = answered // wrong category
		default:
			sp.final = koban.Label{}
		}
		platform = append(platform, sp)
	}
	for i, sp := range platform {
		q := koban.Inquiry{Text: sp.text, Final: sp.final, Predicted: sp.predicted, Domain: sp.domain, Tokens: 100}
		q.Assignee = "U_A"
		if i%2 == 1 {
			q.Assignee = "U_B"
		}
		if i == len(platform)-1 {
			q.CreatedAt = time.Date(2026, 10, 31, 20, 0, 0, 0, tokyo)
		}
		p := add(q)
		event(p, koban.EventEscalated, koban.ActorKoban, p.CreatedAt, nil)
		switch {
		case i < 50:
			p.FirstHumanResponseAt = p.CreatedAt.Add(time.Duration(i/10+1) * time.Hour)
		case i < 55:
			p.FirstHumanResponseAt = p.CreatedAt.Add(30 * time.Hour)
		default:
			p.State = koban.StateEscalated
		}
		if !p.FirstHumanResponseAt.IsZero() {
			p.State = koban.StateResolved
			p.ResolvedAt = p.FirstHumanResponseAt.Add(time.Hour)
			event(p, koban.EventHumanReplied, p.Assignee, p.FirstHumanResponseAt, nil)
			if i == 0 { // a human's answer is not koban answering from the docs
				event(p, koban.EventAnswered, p.Assignee, p.FirstHumanResponseAt, nil)
			}
		}
	}

	// Self-solvable/answered: 16 answered by koban from the docs and
	// resolved 30 minutes later. Feedback: 14 "solved", of which 2 later
	// "need a human"; 2 "docs wrong".
	for i := range 16 {
		q := koban.Inquiry{Text: "how do I deploy with argo", Final: answered, Predicted: answered, Domain: "ci-cd", Tokens: 500}
		if i >= 10 {
			q.Final = koban.Label{}
		}
		q.Citations = []string{"reference/ci-variables.md"}
		if i < 10 {
			q.Citations = []string{"how-to/deploy-with-argo.md", "reference/ci-variables.md"}
		}
		if i == 0 {
			q.Citations = []string{"how-to/deploy-with-argo.md", "how-to/deploy-with-argo.md", "reference/ci-variables.md"}
		}
		p := add(q)
		p.State = koban.StateResolved
		p.ResolvedAt = p.CreatedAt.Add(30 * time.Minute)
		event(p, koban.EventAnswered, koban.ActorKoban, p.FirstResponseAt, nil)
		switch {
		case i < 14:
			// As the desk records the Solved button: on the resolved event.
			event(p, koban.EventResolved, p.AskedBy, p.CreatedAt.Add(10*time.Minute), map[string]string{"feedback": string(koban.FeedbackSolved)})
			if i < 2 {
				event(p, koban.EventFeedback, p.AskedBy, p.CreatedAt.Add(20*time.Minute), map[string]string{"feedback": string(koban.FeedbackNeedHuman)})
			}
		default:
			event(p, koban.EventFeedback, p.AskedBy, p.CreatedAt.Add(10*time.Minute), map[string]string{"feedback": string(koban.FeedbackDocsWrong)})
		}
	}

	// Docs gaps, all in the network domain and labelled by a human.
	gaps := []struct {
		final, predicted koban.Label
		text             string
		citations        []string
	}{
		{missing, unfindable, "ipv6 support for internal load balancers", nil},
		{missing, unfindable, "IPv6 support on internal load balancer?", nil},
		{missing, missing, "社内ロードバランサーのIPv6対応はありますか", []string{"explanation/network-overview.md"}},
	}
	for range 4 {
		gaps = append(gaps, struct {
			final, predicted koban.Label
			text             string
			citations        []string
		}{unfindable, answered, "open a firewall port to the payments vpc", []string{"how-to/open-a-firewall-port.md"}})
	}
	for range 2 {
		gaps = append(gaps, struct {
			final, predicted koban.Label
			text             string
			citations        []string
		}{unfindable, answered, "max connections per load balancer", []string{"reference/network-limits.md"}})
	}
	for _, g := range gaps {
		add(koban.Inquiry{Text: g.text, Final: g.final, Predicted: g.predicted, Domain: "network", Citations: g.citations})
	}

	// Unclassified: 4 self-solvable without detail (2 of them a human's
	// correction of "answered"), 12 never triaged.
	for i := range 4 {
		q := koban.Inquiry{Text: "where are the runbooks", Predicted: selfOnly, Domain: "computing"}
		if i < 2 {
			q.Final, q.Predicted = selfOnly, answered
		}
		add(q)
	}
	for range 12 {
		add(koban.Inquiry{Text: "hello?", State: koban.StateReceived})
	}

	// Just outside October in Tokyo: 30 September 23:30 and 1 November 00:30.
	add(koban.Inquiry{Text: "late september", CreatedAt: time.Date(2026, 9, 30, 23, 30, 0, 0, tokyo), Predicted: answered})
	add(koban.Inquiry{Text: "early november", CreatedAt: time.Date(2026, 11, 1, 0, 30, 0, 0, tokyo), Predicted: answered})

	// September: 79 more, for 80 in all; 40 answered and solved by koban,
	// 40 platform-only. 50 tokens each.
	sep := time.Date(2026, 9, 1, 0, 0, 0, 0, tokyo)
	for i := range 79 {
		q := koban.Inquiry{Text: "september", CreatedAt: sep.Add(time.Duration(i) * 8 * time.Hour), Tokens: 50, Predicted: required}
		if i < 39 {
			q.Predicted = answered
		}
		p := add(q)
		if i < 39 {
			event(p, koban.EventAnswered, koban.ActorKoban, p.FirstResponseAt, nil)
			event(p, koban.EventFeedback, p.AskedBy, p.FirstResponseAt, map[string]string{"feedback": string(koban.FeedbackSolved)})
		}
	}
	// The 30 September inquiry is the 40th answered and solved one.
	for i := range s.inqs {
		if s.inqs[i].Text == "late september" {
			s.inqs[i].Tokens = 50
			event(&s.inqs[i], koban.EventAnswered, koban.ActorKoban, s.inqs[i].FirstResponseAt, nil)
			event(&s.inqs[i], koban.EventFeedback, "U0", s.inqs[i].FirstResponseAt, map[string]string{"feedback": string(koban.FeedbackSolved)})
		}
	}
	slices.Reverse(s.events) // any order
	return s
}

// history is a seed of twelve months ending October 2026 whose monthly
// counts average 13, with a minimum of 4 (November 2025) and a maximum of
// 25 (March 2026).
func history() (*memSource, []int) {
	counts := []int{4, 10, 12, 8, 25, 15, 13, 11, 14, 9, 20, 15}
	s := &memSource{}
	var id int64
	for m, n := range counts {
		start := time.Date(2025, time.Month(11+m), 1, 0, 0, 0, 0, tokyo)
		for i := range n {
			id++
			s.inqs = append(s.inqs, koban.Inquiry{ID: id, Text: "q", Predicted: answered,
				CreatedAt: start.Add(time.Duration(i) * 24 * time.Hour)})
		}
	}
	return s, counts
}
