package store

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kobanhq/koban"
)

// A Slack message is one inquiry, whichever event ids it arrives under.
func TestCreateInquiryUniqueByMessage(t *testing.T) {
	forEachDB(t, func(t *testing.T, opts Options) {
		ctx := t.Context()
		s := mustOpen(t, opts)
		var wg sync.WaitGroup
		var mu sync.Mutex
		var created []int64
		for i := range 4 {
			wg.Go(func() {
				inq := sampleInquiry("EvMsg" + string(rune('a'+i)))
				inq.MessageKey = "C1/1715330000.000100"
				ok, err := s.CreateInquiry(ctx, inq)
				if err != nil {
					t.Errorf("CreateInquiry: %v", err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				if ok {
					created = append(created, inq.ID)
				}
				if inq.ID == 0 || inq.MessageKey != "C1/1715330000.000100" {
					t.Errorf("CreateInquiry filled id %d, message key %q; want the stored inquiry", inq.ID, inq.MessageKey)
				}
			})
		}
		wg.Wait()
		if len(created) != 1 {
			t.Fatalf("one message under 4 event ids created %d inquiries, want 1", len(created))
		}
		if n := count(t, s, `SELECT COUNT(*) FROM inquiries`); n != 1 {
			t.Errorf("inquiries = %d, want 1", n)
		}
		// Another message in the same channel is another inquiry; inquiries
		// without a message key (the web) never clash.
		other := sampleInquiry("EvOther")
		other.MessageKey = "C1/1715330099.000100"
		mustCreate(t, s, other)
		mustCreate(t, s, sampleInquiry("EvNoKey1"))
		mustCreate(t, s, sampleInquiry("EvNoKey2"))
	})
}

func TestPrivateInquiryTextStaysOutOfReports(t *testing.T) {
	forEachDB(t, func(t *testing.T, opts Options) {
		ctx := t.Context()
		s := mustOpen(t, opts)
		pub := mustCreate(t, s, sampleInquiry("EvPub"))
		priv := sampleInquiry("EvPriv")
		priv.Private, priv.Text = true, "private question about the payroll cluster"
		mustCreate(t, s, priv)
		got, err := s.Inquiry(ctx, priv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Private || got.Text != priv.Text {
			t.Errorf("stored private inquiry: private %v, text %q; want true, %q", got.Private, got.Text, priv.Text)
		}
		list, err := s.ReportInquiries(ctx, pub.CreatedAt.Add(-time.Hour), pub.CreatedAt.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 {
			t.Fatalf("report inquiries = %d, want 2 (counts keep private ones)", len(list))
		}
		for _, q := range list {
			switch q.ID {
			case pub.ID:
				if q.Text != pub.Text {
					t.Errorf("public inquiry text in report = %q, want %q", q.Text, pub.Text)
				}
			case priv.ID:
				if q.Text != "" || q.Channel != "private" {
					t.Errorf("private inquiry in report: text %q, channel %q; want none, private", q.Text, q.Channel)
				}
			}
		}
	})
}

// The same thread message under two event ids is one follow-up.
func TestFollowUpUniqueByMessage(t *testing.T) {
	forEachDB(t, func(t *testing.T, opts Options) {
		ctx := t.Context()
		s := mustOpen(t, opts)
		inq := mustCreate(t, s, sampleInquiry("EvT"))
		for i, id := range []string{"EvT2", "EvT3"} {
			ev := koban.Event{Kind: koban.EventFollowUp, Actor: "U1", Data: map[string]string{"text": "and prod?", "event_id": id, "message_ts": "1715330100.000100"}}
			created, err := s.FollowUp(ctx, inq.ID, ev, "", false)
			if err != nil {
				t.Fatal(err)
			}
			if created != (i == 0) {
				t.Errorf("follow-up under event id %s: created = %v, want %v", id, created, i == 0)
			}
		}
		if n := count(t, s, `SELECT COUNT(*) FROM events WHERE inquiry_id = $1 AND kind = $2`, inq.ID, koban.EventFollowUp); n != 1 {
			t.Errorf("follow-up events = %d, want 1", n)
		}
	})
}

func TestPurge(t *testing.T) {
	forEachDB(t, func(t *testing.T, opts Options) {
		ctx := t.Context()
		clock := newClock()
		opts.Now = clock.Now
		s := mustOpen(t, opts)
		old := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
		cutoff := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

		// An old resolved inquiry with a follow-up, a note and a human label.
		clock.Set(old)
		gone := sampleInquiry("EvOld")
		gone.MessageKey = "C1/old"
		gone.Assignee = "UONCALL"
		mustCreate(t, s, gone)
		if _, err := s.FollowUp(ctx, gone.ID, koban.Event{Kind: koban.EventFollowUp, Actor: "U1",
			Data: map[string]string{"text": "my token is [REDACTED] still failing", "event_id": "EvOld2", "message_ts": "1.2"}}, "", false); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Transition(ctx, gone.ID, koban.StateEscalated, koban.Event{Kind: koban.EventEscalated,
			Data: map[string]string{"oncall": "UONCALL", "rotation": "platform", "category": "platform-only/required", "answer": `{"text":"quoted"}`}}, nil); err != nil {
			t.Fatal(err)
		}
		final := koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailRequired}
		if _, err := s.Transition(ctx, gone.ID, koban.StateResolved, koban.Event{Kind: koban.EventResolved, Actor: "UONCALL",
			Data: map[string]string{"category": final.String(), "domain": "database", "note": "reset U1's password", "page": "x.md"}},
			func(i *koban.Inquiry) { i.Final = final }); err != nil {
			t.Fatal(err)
		}
		// An old inquiry still open, and a recent resolved one: both kept.
		open := mustCreate(t, s, sampleInquiry("EvOpen"))
		clock.Set(cutoff.Add(24 * time.Hour))
		recent := mustCreate(t, s, sampleInquiry("EvNew"))
		if _, err := s.Transition(ctx, recent.ID, koban.StateResolved, koban.Event{Kind: koban.EventResolved, Actor: "U1"}, nil); err != nil {
			t.Fatal(err)
		}
		clock.Set(cutoff.Add(48 * time.Hour))

		// What reports count, before and after.
		counts := func() (map[string]int, []string) {
			t.Helper()
			from, to := old.AddDate(0, -1, 0), cutoff.AddDate(0, 1, 0)
			vols, err := s.MonthlyVolumes(ctx, from, to, time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			inqs, err := s.ReportInquiries(ctx, from, to)
			if err != nil {
				t.Fatal(err)
			}
			var facts []string
			for _, q := range inqs {
				facts = append(facts, fmt.Sprint(q.ID, q.State, q.Label(), q.Domain, q.CreatedAt.Unix(), q.ResolvedAt.Unix(), q.Citations))
			}
			slices.Sort(facts)
			return vols, facts
		}
		volsBefore, factsBefore := counts()
		p, err := s.Purge(ctx, cutoff)
		if err != nil {
			t.Fatal(err)
		}
		if p.Inquiries != 1 || p.KeptOpen != 1 || p.Events != 4 {
			t.Errorf("Purge = %+v, want 1 inquiry (4 events) purged, 1 open kept", p)
		}
		got, err := s.Inquiry(ctx, gone.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Text != "" || got.Channel != "" || got.ThreadTS != "" || got.MessageTS != "" || got.EventID != "" ||
			got.MessageKey != "" || got.AskedBy != "" || got.Assignee != "" || got.Team != "" {
			t.Errorf("purged inquiry keeps text or Slack references: %+v", got)
		}
		if got.Final != final || got.Domain != "database" || got.State != koban.StateResolved || got.CreatedAt.IsZero() ||
			got.ResolvedAt.IsZero() || len(got.Citations) == 0 {
			t.Errorf("purged inquiry lost what reports count: %+v", got)
		}
		evs, err := s.Events(ctx, gone.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			if ev.Actor != koban.ActorKoban && ev.Actor != PurgedActor {
				t.Errorf("purged %s event keeps actor %q", ev.Kind, ev.Actor)
			}
			for k, v := range ev.Data {
				if strings.Contains(v, "U1") || strings.Contains(v, "UONCALL") || k == "text" || k == "note" || k == "answer" || k == "event_id" {
					t.Errorf("purged %s event keeps %s=%q", ev.Kind, k, v)
				}
			}
			if ev.Kind == koban.EventResolved && (ev.Data["category"] != final.String() || ev.Data["domain"] != "database") {
				t.Errorf("purged resolved event lost its label: %v", ev.Data)
			}
		}
		for _, id := range []int64{open.ID, recent.ID} {
			kept, err := s.Inquiry(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if kept.Text == "" || kept.Channel == "" {
				t.Errorf("inquiry %d (open or recent) was purged: %+v", id, kept)
			}
		}
		volsAfter, factsAfter := counts()
		if !maps.Equal(volsBefore, volsAfter) || !slices.Equal(factsBefore, factsAfter) {
			t.Errorf("report figures changed by purge:\nbefore %v %v\nafter  %v %v", volsBefore, factsBefore, volsAfter, factsAfter)
		}
		// The same message may not come back as a new inquiry by its old key
		// (it was cleared), and a second purge finds nothing.
		again, err := s.Purge(ctx, cutoff)
		if err != nil || again.Inquiries != 0 {
			t.Errorf("second Purge = %+v, %v; want nothing purged", again, err)
		}
	})
}
