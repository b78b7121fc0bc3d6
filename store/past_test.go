package store

import (
	"fmt"
	"testing"
	"time"

	"github.com/kobanhq/koban"
)

func TestPastAnswers(t *testing.T) {
	forEachDB(t, func(t *testing.T, opts Options) {
		ctx := t.Context()
		clock := newClock()
		opts.Now = clock.Now
		s := mustOpen(t, opts)
		a := mustCreate(t, s, sampleInquiry("Ev1"))
		b := mustCreate(t, s, sampleInquiry("Ev2"))

		if err := s.SavePastAnswer(ctx, &koban.PastAnswer{InquiryID: a.ID, Question: a.Text}); koban.ErrorCode(err) != koban.EInvalid {
			t.Errorf("SavePastAnswer(empty answer) = %v, want EInvalid", err)
		}
		if err := s.SavePastAnswer(ctx, &koban.PastAnswer{InquiryID: 999, Answer: "x"}); koban.ErrorCode(err) != koban.ENotFound {
			t.Errorf("SavePastAnswer(unknown inquiry) = %v, want ENotFound", err)
		}
		pa := &koban.PastAnswer{InquiryID: a.ID, Question: a.Text, Answer: "ask for the reader role in the console", AnsweredBy: "U9",
			Label: koban.Label{Category: koban.SelfSolvable, Detail: koban.DetailDocsUnfindable}, Domain: "database", Lang: "en",
			Link: "https://example.slack.com/archives/C1/p1"}
		if err := s.SavePastAnswer(ctx, pa); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Hour)
		pb := &koban.PastAnswer{InquiryID: b.ID, Question: b.Text, Answer: "first answer", AnsweredBy: "U8"}
		if err := s.SavePastAnswer(ctx, pb); err != nil {
			t.Fatal(err)
		}
		// Resolving again replaces the answer of the same inquiry.
		pb2 := &koban.PastAnswer{InquiryID: b.ID, Question: b.Text, Answer: "better answer", AnsweredBy: "U8"}
		if err := s.SavePastAnswer(ctx, pb2); err != nil {
			t.Fatal(err)
		}
		if pb2.ID != pb.ID {
			t.Errorf("second save of inquiry %d got id %d, want %d", b.ID, pb2.ID, pb.ID)
		}
		list, err := s.PastAnswers(ctx, 0, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].Answer != "better answer" || list[1].ID != pa.ID {
			t.Fatalf("PastAnswers = %+v, want the newer entry (better answer) then %d", list, pa.ID)
		}
		got := list[1]
		if got.Label != pa.Label || got.Domain != "database" || got.Link != pa.Link || got.AnsweredBy != "U9" || !got.AnsweredAt.Equal(pa.AnsweredAt) {
			t.Errorf("stored entry = %+v, want %+v", got, *pa)
		}

		removed, err := s.RemovePastAnswer(ctx, pa.ID, "U7")
		if err != nil {
			t.Fatal(err)
		}
		if !removed.Removed() || removed.RemovedBy != "U7" {
			t.Errorf("RemovePastAnswer = %+v, want removed by U7", removed)
		}
		// A second removal keeps the first.
		if again, err := s.RemovePastAnswer(ctx, pa.ID, "U6"); err != nil || again.RemovedBy != "U7" {
			t.Errorf("second RemovePastAnswer = %+v, %v; want the first removal kept", again, err)
		}
		if _, err := s.RemovePastAnswer(ctx, 999, "U7"); koban.ErrorCode(err) != koban.ENotFound {
			t.Errorf("RemovePastAnswer(unknown) = %v, want ENotFound", err)
		}
		live, err := s.PastAnswers(ctx, 0, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(live) != 1 || live[0].ID != pb.ID {
			t.Errorf("PastAnswers after removal = %+v, want only %d", live, pb.ID)
		}
		all, err := s.PastAnswers(ctx, 0, true)
		if err != nil || len(all) != 2 {
			t.Errorf("PastAnswers(with removed) = %d entries, %v; want 2", len(all), err)
		}
		// A removed entry stays removed when its inquiry is resolved again.
		if err := s.SavePastAnswer(ctx, &koban.PastAnswer{InquiryID: a.ID, Question: a.Text, Answer: "new text"}); err != nil {
			t.Fatal(err)
		}
		p, err := s.PastAnswer(ctx, pa.ID)
		if err != nil || !p.Removed() || p.Answer != pa.Answer {
			t.Errorf("entry after a new save = %+v, %v; want it still removed with its old text", p, err)
		}
	})
}

func TestLabelEvents(t *testing.T) {
	forEachDB(t, func(t *testing.T, opts Options) {
		ctx := t.Context()
		clock := newClock()
		opts.Now = clock.Now
		s := mustOpen(t, opts)
		a := mustCreate(t, s, sampleInquiry("Ev1"))
		b := mustCreate(t, s, sampleInquiry("Ev2"))
		start := clock.Now()
		clock.Advance(time.Minute)
		resolve := func(id int64, actor, category string) {
			t.Helper()
			data := map[string]string{"domain": "iam"}
			if category != "" {
				data["category"] = category
			}
			if _, err := s.Transition(ctx, id, koban.StateResolved, koban.Event{Kind: koban.EventResolved, Actor: actor, Data: data}, nil); err != nil {
				t.Fatal(err)
			}
		}
		resolve(a.ID, "U2", "platform-only/required")
		resolve(b.ID, koban.ActorKoban, "") // auto-closed: no label
		clock.Advance(time.Minute)
		mid := clock.Now()
		if _, err := s.Update(ctx, a.ID, koban.Event{Kind: koban.EventRelabelled, Actor: "U3", Data: map[string]string{"category": "docs-missing", "domain": "network"}}, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Update(ctx, b.ID, koban.Event{Kind: koban.EventRelabelled, Actor: "U3", Data: map[string]string{"category": "nonsense"}}, nil); err != nil {
			t.Fatal(err)
		}

		got, err := s.LabelEvents(ctx, start, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 {
			t.Fatalf("LabelEvents = %+v, want the resolution and the relabel of inquiry %d", got, a.ID)
		}
		want := []koban.Label{{Category: koban.PlatformOnly, Detail: koban.DetailRequired}, {Category: koban.DocsMissing}}
		for i, le := range got {
			if le.InquiryID != a.ID || le.Label != want[i] || le.Text != a.Text || le.Lang != "en" {
				t.Errorf("LabelEvents[%d] = %+v, want label %v of inquiry %d with its text", i, le, want[i], a.ID)
			}
		}
		if got[1].Domain != "network" || got[0].EventID >= got[1].EventID {
			t.Errorf("LabelEvents order or domain wrong: %+v", got)
		}
		later, err := s.LabelEvents(ctx, mid, 0)
		if err != nil || len(later) != 1 || later[0].Label != want[1] {
			t.Errorf("LabelEvents(since the relabel) = %+v, %v; want only the relabel", later, err)
		}
	})
}

func TestUrgentRoundTrip(t *testing.T) {
	forEachDB(t, func(t *testing.T, opts Options) {
		ctx := t.Context()
		s := mustOpen(t, opts)
		calm := mustCreate(t, s, sampleInquiry("Ev1"))
		hot := sampleInquiry("Ev2")
		hot.Urgent = true
		mustCreate(t, s, hot)
		got, err := s.Inquiry(ctx, hot.ID)
		if err != nil || !got.Urgent {
			t.Fatalf("Inquiry(urgent) = %+v, %v; want Urgent", got, err)
		}
		up, err := s.Transition(ctx, calm.ID, koban.StateEscalated, koban.Event{Kind: koban.EventEscalated}, func(i *koban.Inquiry) { i.Urgent = true })
		if err != nil || !up.Urgent {
			t.Fatalf("Transition setting Urgent = %+v, %v", up, err)
		}
		open, err := s.OpenInquiries(ctx)
		if err != nil || len(open) != 2 || !open[0].Urgent || !open[1].Urgent {
			t.Errorf("OpenInquiries = %+v, %v; want both urgent", open, err)
		}
	})
}

func TestPastShownIn(t *testing.T) {
	forEachDB(t, func(t *testing.T, opts Options) {
		ctx := t.Context()
		s := mustOpen(t, opts)
		var ids []int64
		for i, past := range []string{`[{"ID":7},{"ID":8}]`, `[{"ID":8}]`, ``, `[{"ID":7}]`} {
			inq := mustCreate(t, s, sampleInquiry(fmt.Sprintf("Ev%d", i)))
			ids = append(ids, inq.ID)
			data := map[string]string{"answer": "{}"}
			if past != "" {
				data["past"] = past
			}
			if _, err := s.Transition(ctx, inq.ID, koban.StateAnswered, koban.Event{Kind: koban.EventAnswered, Data: data}, nil); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.PastShownIn(ctx, 7, 0)
		if err != nil {
			t.Fatal(err)
		}
		if want := []int64{ids[3], ids[0]}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("PastShownIn(7) = %v, want %v (newest first)", got, want)
		}
		if got, err := s.PastShownIn(ctx, 8, 1); err != nil || len(got) != 1 || got[0] != ids[1] {
			t.Errorf("PastShownIn(8, limit 1) = %v, %v; want [%d]", got, err, ids[1])
		}
		if got, err := s.PastShownIn(ctx, 99, 0); err != nil || len(got) != 0 {
			t.Errorf("PastShownIn(99) = %v, %v; want none", got, err)
		}
	})
}
