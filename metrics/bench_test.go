package metrics

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/kobanhq/koban"
)

// bigMonth seeds n inquiries in October 2026 (Tokyo) with their events, as
// a busy platform team's would look: every label and domain, citations,
// reply times, feedback, and questions drawn from a few hundred phrasings.
func bigMonth(n int) *memSource {
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, tokyo)
	span := 31 * 24 * time.Hour
	domains := koban.DefaultDomains
	verbs := []string{"grant", "rotate", "restart", "increase", "delete", "create", "migrate", "debug", "configure", "upgrade", "restore", "scale"}
	nouns := []string{"database", "bucket", "queue", "dashboard", "pipeline", "certificate", "role", "cluster", "index", "topic", "alert", "secret", "runner", "cache", "dns record"}
	envs := []string{"prod", "staging", "dev", "sandbox"}
	pages := make([]string, 400)
	for i := range pages {
		pages[i] = fmt.Sprintf("%s/page-%d.md", []string{"tutorials", "how-to", "reference", "explanation"}[i%4], i)
	}
	people := []string{"U_A", "U_B", "U_C", "U_D", "U_E", "U_F"}
	s := &memSource{inqs: make([]koban.Inquiry, 0, n), events: make([]koban.Event, 0, 3*n)}
	var eid int64
	event := func(q *koban.Inquiry, kind koban.EventKind, actor string, at time.Time, data map[string]string) {
		eid++
		s.events = append(s.events, koban.Event{ID: eid, InquiryID: q.ID, Kind: kind, Actor: actor, At: at, Data: data})
	}
	for i := range n {
		q := koban.Inquiry{
			ID:        int64(i + 1),
			Channel:   fmt.Sprintf("C%02d", rng.IntN(20)),
			AskedBy:   fmt.Sprintf("U%04d", rng.IntN(3000)),
			CreatedAt: start.Add(time.Duration(rng.Int64N(int64(span)))),
			Domain:    domains[rng.IntN(len(domains))],
			Text: fmt.Sprintf("please %s the %s %s for service %d", verbs[rng.IntN(len(verbs))], envs[rng.IntN(len(envs))],
				nouns[rng.IntN(len(nouns))], rng.IntN(50)),
			Predicted: koban.Labels[rng.IntN(len(koban.Labels))],
			Tokens:    rng.IntN(2000),
		}
		if rng.IntN(10) < 4 {
			q.Final = koban.Labels[rng.IntN(len(koban.Labels))]
		}
		q.FirstResponseAt = q.CreatedAt.Add(time.Duration(1+rng.IntN(30)) * time.Second)
		s.inqs = append(s.inqs, q)
		p := &s.inqs[len(s.inqs)-1]
		event(p, koban.EventReceived, p.AskedBy, p.CreatedAt, nil)
		switch p.Label().Category {
		case koban.PlatformOnly:
			p.Assignee = people[rng.IntN(len(people))]
			event(p, koban.EventEscalated, koban.ActorKoban, p.FirstResponseAt, nil)
			if rng.IntN(10) < 9 {
				p.FirstHumanResponseAt = p.FirstResponseAt.Add(time.Duration(rng.Int64N(int64(48 * time.Hour))))
				p.ResolvedAt = p.FirstHumanResponseAt.Add(time.Duration(rng.Int64N(int64(72 * time.Hour))))
				p.State = koban.StateResolved
				event(p, koban.EventHumanReplied, p.Assignee, p.FirstHumanResponseAt, nil)
			} else {
				p.State = koban.StateEscalated
			}
		default:
			p.Citations = []string{pages[rng.IntN(len(pages))], pages[rng.IntN(len(pages))]}
			if p.Label() == (koban.Label{Category: koban.DocsMissing}) && rng.IntN(2) == 0 {
				p.Citations = nil
			}
			event(p, koban.EventAnswered, koban.ActorKoban, p.FirstResponseAt, nil)
			fb := string([]koban.Feedback{koban.FeedbackSolved, koban.FeedbackSolved, koban.FeedbackSolved, koban.FeedbackNeedHuman, koban.FeedbackDocsWrong}[rng.IntN(5)])
			event(p, koban.EventFeedback, p.AskedBy, p.FirstResponseAt.Add(time.Minute), map[string]string{"feedback": fb})
			p.State = koban.StateResolved
			p.ResolvedAt = p.FirstResponseAt.Add(time.Duration(rng.Int64N(int64(time.Hour))))
		}
	}
	return s
}

// BenchmarkReport100k builds the October report over 100,000 inquiries and
// about 330,000 events, in memory: the computation, without the database.
// The target for the whole report, database included, is under 2 s.
func BenchmarkReport100k(b *testing.B) {
	src := bigMonth(100_000)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := NewService(src, Options{Location: tokyo, Quadrant: quadrantOf}, log, func() time.Time { return reportNow })
	month := time.Date(2026, 10, 1, 0, 0, 0, 0, tokyo)
	b.ReportAllocs()
	for b.Loop() {
		r, err := svc.Report(context.Background(), month)
		if err != nil {
			b.Fatal(err)
		}
		if r.Volume.Inquiries != 100_000 {
			b.Fatalf("report has %d inquiries, want 100000", r.Volume.Inquiries)
		}
	}
}

// TestReport100k checks the report's figures hold together at scale and
// logs how long one build takes (not asserted: the machine may be shared).
func TestReport100k(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 inquiries: skipped with -short")
	}
	src := bigMonth(100_000)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := NewService(src, Options{Location: tokyo, Quadrant: quadrantOf}, log, func() time.Time { return reportNow })
	start := time.Now()
	r, err := svc.Report(context.Background(), time.Date(2026, 10, 1, 0, 0, 0, 0, tokyo))
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	t.Logf("report over %d inquiries and %d events: %v (%d gap topics, %d automation clusters)",
		r.Volume.Inquiries, len(src.events), took, len(r.DocsGaps.Topics), len(r.Automation))
	sum := 0
	for _, l := range r.Categories.Five {
		sum += l.Count
	}
	if sum != 100_000 || r.Volume.Inquiries != 100_000 {
		t.Errorf("five-way split adds up to %d of %d inquiries, want 100000", sum, r.Volume.Inquiries)
	}
	topics := 0
	for _, c := range r.DocsGaps.Topics {
		topics += c.Count
	}
	if topics != r.DocsGaps.Missing+r.DocsGaps.Unfindable {
		t.Errorf("gap topics hold %d inquiries, want all %d gaps", topics, r.DocsGaps.Missing+r.DocsGaps.Unfindable)
	}
}
