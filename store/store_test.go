package store

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/kobanhq/koban"
)

func sampleInquiry(eventID string) *koban.Inquiry {
	return &koban.Inquiry{
		Source:     koban.SourceChannel,
		EventID:    eventID,
		Team:       "T1",
		Channel:    "C1",
		ThreadTS:   "1715330000.000100",
		MessageTS:  "1715330000.000100",
		AskedBy:    "U1",
		Text:       "how do I get a [REDACTED] for the staging database?",
		Lang:       "en",
		Redactions: 1,
		Predicted:  koban.Label{Category: koban.SelfSolvable, Detail: koban.DetailAnswered},
		Confidence: 0.75,
		Domain:     "database",
		Citations:  []string{"how-to/db-access.md#staging"},
	}
}

func TestOpenAndMigrate(t *testing.T) {
	forEachDB(t, func(t *testing.T, opts Options) {
		ctx := t.Context()
		s := mustOpen(t, opts)
		v, err := s.SchemaVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if v.Pending() || v.Koban < 1 || v.River < 1 || v.Koban != v.KobanLatest || v.River != v.RiverLatest {
			t.Fatalf("SchemaVersion after Open = %+v, want everything applied", v)
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("second Migrate: %v", err)
		}
		// A schema from a newer koban: Open refuses and names both versions.
		if _, err := s.write().exec(ctx, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (9999, true)`); err != nil {
			t.Fatal(err)
		}
		s.Close()
		_, err = Open(ctx, opts)
		wantCode(t, "Open of a newer schema", err, koban.EInvalid)
		if err == nil || !strings.Contains(err.Error(), "9999") || !strings.Contains(err.Error(), "newer") {
			t.Errorf("Open of a newer schema: %v, want a message naming version 9999", err)
		}
	})
}

func TestOpenNoMigrate(t *testing.T) {
	forEachDB(t, func(t *testing.T, opts Options) {
		opts.NoMigrate = true
		_, err := Open(t.Context(), opts)
		wantCode(t, "Open(NoMigrate) of an empty database", err, koban.EInvalid)
		if err == nil || !strings.Contains(err.Error(), "koban migrate") {
			t.Errorf("Open(NoMigrate) = %v, want advice to run koban migrate", err)
		}
		opts.NoMigrate = false
		mustOpen(t, opts).Close()
		opts.NoMigrate = true
		mustOpen(t, opts) // migrated: NoMigrate opens
	})
}

func TestOpenUnreachablePostgres(t *testing.T) {
	start := time.Now()
	_, err := Open(t.Context(), Options{URL: "postgres://koban:secret@127.0.0.1:1/koban?sslmode=disable", ConnectTimeout: 3 * time.Second})
	took := time.Since(start)
	wantCode(t, "Open of a closed port", err, koban.EUnavailable)
	if took > 5*time.Second {
		t.Errorf("Open of a closed port took %v, want a quick failure", took)
	}
	if err != nil && strings.Contains(err.Error(), "secret") {
		t.Errorf("error %q shows the password", err)
	}
	if url := os.Getenv("KOBAN_TEST_DATABASE_URL"); url != "" {
		sep := "?"
		if strings.Contains(url, "?") {
			sep = "&"
		}
		_, err = Open(t.Context(), Options{URL: url + sep + "search_path=koban_no_such_schema"})
		wantCode(t, "Open with a missing schema", err, koban.EInvalid)
	}
	_, err = Open(t.Context(), Options{URL: "mysql://x"})
	wantCode(t, "Open(mysql://)", err, koban.EInvalid)
}

func TestCreateInquiry(t *testing.T) {
	forEachDB(t, func(t *testing.T, opts Options) {
		ctx := t.Context()
		clk := newClock()
		opts.Now = clk.Now
		s := mustOpen(t, opts)

		tokyo := time.FixedZone("JST", 9*3600)
		in := sampleInquiry("Ev1")
		in.CreatedAt = time.Date(2026, 5, 10, 18, 30, 0, 123456789, tokyo)
		created, err := s.CreateInquiry(ctx, in)
		if err != nil || !created {
			t.Fatalf("CreateInquiry = %v, %v", created, err)
		}
		if in.ID == 0 || in.State != koban.StateReceived {
			t.Errorf("CreateInquiry set ID %d, State %q; want an id and received", in.ID, in.State)
		}
		wantAt := time.Date(2026, 5, 10, 9, 30, 0, 123456000, time.UTC)
		if !in.CreatedAt.Equal(wantAt) || in.CreatedAt.Location() != time.UTC {
			t.Errorf("CreatedAt = %v, want %v in UTC", in.CreatedAt, wantAt)
		}
		got, err := s.Inquiry(ctx, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(in, got); diff != "" {
			t.Errorf("Inquiry(%d) differs from what was created (-want +got):\n%s", in.ID, diff)
		}
		if got.CreatedAt.Location() != time.UTC {
			t.Errorf("Inquiry returned CreatedAt in %v, want UTC", got.CreatedAt.Location())
		}
		evs, err := s.Events(ctx, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 1 || evs[0].Kind != koban.EventReceived || evs[0].Actor != "U1" || !evs[0].At.Equal(wantAt) || evs[0].Data["source"] != "channel" {
			t.Errorf("Events = %+v, want one received event by U1 at %v", evs, wantAt)
		}
		if st := jobStates(t, s); len(st) != 1 || st[0] != "available" {
			t.Errorf("jobs after CreateInquiry = %v, want one available", st)
		}

		// Without an event id (the web playground): always a new inquiry.
		for range 2 {
			web := &koban.Inquiry{Source: koban.SourceWeb, Channel: "web", Text: "where are the logs?"}
			mustCreate(t, s, web)
			if !web.CreatedAt.Equal(clk.Now()) {
				t.Errorf("CreatedAt = %v, want the store clock %v", web.CreatedAt, clk.Now())
			}
		}
		if n := len(jobStates(t, s)); n != 3 {
			t.Errorf("%d jobs, want 3", n)
		}

		bad := sampleInquiry("Ev2")
		bad.Predicted = koban.Label{Category: "unknown"}
		_, err = s.CreateInquiry(ctx, bad)
		wantCode(t, "CreateInquiry with a bad label", err, koban.EInvalid)
	})
}

func TestCreateInquiryDuplicateDeliveries(t *testing.T) {
	forEachDB(t, func(t *testing.T, opts Options) {
		s := mustOpen(t, opts)
		const deliveries = 5
		var wg sync.WaitGroup
		results := make([]*koban.Inquiry, deliveries)
		createdN := make([]bool, deliveries)
		errs := make([]error, deliveries)
		for i := range deliveries {
			wg.Go(func() {
				inq := sampleInquiry("EvDup")
				inq.Text = "delivery " + string(rune('a'+i))
				results[i] = inq
				createdN[i], errs[i] = s.CreateInquiry(t.Context(), inq)
			})
		}
		wg.Wait()
		var created int
		var first *koban.Inquiry
		for i := range deliveries {
			if errs[i] != nil {
				t.Fatalf("delivery %d: %v", i, errs[i])
			}
			if createdN[i] {
				created++
				first = results[i]
			}
		}
		if created != 1 {
			t.Fatalf("%d deliveries created an inquiry, want 1", created)
		}
		for i, r := range results {
			if diff := cmp.Diff(first, r); diff != "" {
				t.Errorf("delivery %d got another inquiry (-created +got):\n%s", i, diff)
			}
		}
		if n := count(t, s, `SELECT COUNT(*) FROM inquiries`); n != 1 {
			t.Errorf("%d inquiries, want 1", n)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM events`); n != 1 {
			t.Errorf("%d events, want 1", n)
		}
		if st := jobStates(t, s); len(st) != 1 {
			t.Errorf("jobs = %v, want one", st)
		}
	})
}

func TestInquiryLookups(t *testing.T) {
	forEachDB(t, func(t *testing.T, opts Options) {
		ctx := t.Context()
		clk := newClock()
		opts.Now = clk.Now
		s := mustOpen(t, opts)
		_, err := s.Inquiry(ctx, 404)
		wantCode(t, "Inquiry(404)", err, koban.ENotFound)
		_, err = s.InquiryByThread(ctx, "C1", "nope")
		wantCode(t, "InquiryByThread(unknown)", err, koban.ENotFound)

		first := mustCreate(t, s, sampleInquiry("E1"))
		clk.Advance(time.Hour)
		second := sampleInquiry("E2")
		second.MessageTS = "1715333600.000200"
		mustCreate(t, s, second)
		other := sampleInquiry("E3")
		other.ThreadTS = "1715339999.000300"
		mustCreate(t, s, other)

		got, err := s.InquiryByThread(ctx, "C1", first.ThreadTS)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != second.ID {
			t.Errorf("InquiryByThread = inquiry %d, want the most recent, %d", got.ID, second.ID)
		}
	})
}

func TestTransition(t *testing.T) {
	step := func(to koban.State, kind koban.EventKind) struct {
		to   koban.State
		kind koban.EventKind
	} {
		return struct {
			to   koban.State
			kind koban.EventKind
		}{to, kind}
	}
	tests := []struct {
		name  string
		steps []struct {
			to   koban.State
			kind koban.EventKind
		}
		wantErr string // code of the last step's error
	}{
		{"answered then resolved", nil, ""},
		{"escalated, acked, resolved", nil, ""},
		{"reopened", nil, ""},
		{"received to acknowledged", nil, koban.EConflict},
		{"resolved to answered", nil, koban.EConflict},
		{"acknowledged to escalated", nil, koban.EConflict},
	}
	tests[0].steps = append(tests[0].steps, step(koban.StateAnswered, koban.EventAnswered), step(koban.StateResolved, koban.EventResolved))
	tests[1].steps = append(tests[1].steps, step(koban.StateEscalated, koban.EventEscalated), step(koban.StateAcknowledged, koban.EventAcknowledged), step(koban.StateResolved, koban.EventResolved))
	tests[2].steps = append(tests[2].steps, step(koban.StateAnswered, koban.EventAnswered), step(koban.StateResolved, koban.EventResolved), step(koban.StateReopened, koban.EventReopened), step(koban.StateEscalated, koban.EventEscalated))
	tests[3].steps = append(tests[3].steps, step(koban.StateAcknowledged, koban.EventAcknowledged))
	tests[4].steps = append(tests[4].steps, step(koban.StateAnswered, koban.EventAnswered), step(koban.StateResolved, koban.EventResolved), step(koban.StateAnswered, koban.EventAnswered))
	tests[5].steps = append(tests[5].steps, step(koban.StateEscalated, koban.EventEscalated), step(koban.StateAcknowledged, koban.EventAcknowledged), step(koban.StateEscalated, koban.EventEscalated))

	forEachDB(t, func(t *testing.T, opts Options) {
		ctx := t.Context()
		clk := newClock()
		opts.Now = clk.Now
		s := mustOpen(t, opts)
		for i, tt := range tests {
			inq := mustCreate(t, s, sampleInquiry("T"+string(rune('a'+i))))
			var err error
			var got *koban.Inquiry
			for j, st := range tt.steps {
				clk.Advance(time.Minute)
				got, err = s.Transition(ctx, inq.ID, st.to, koban.Event{Kind: st.kind, Actor: "U9"}, nil)
				if j < len(tt.steps)-1 && err != nil {
					t.Fatalf("%s: step %d to %s: %v", tt.name, j, st.to, err)
				}
			}
			wantCode(t, tt.name, err, tt.wantErr)
			stored, _ := s.Inquiry(ctx, inq.ID)
			evs, _ := s.Events(ctx, inq.ID)
			if tt.wantErr != "" {
				if got != nil {
					t.Errorf("%s: Transition returned %+v with the error", tt.name, got)
				}
				if len(evs) != len(tt.steps) { // received + all steps but the failed one
					t.Errorf("%s: %d events after a refused transition, want %d", tt.name, len(evs), len(tt.steps))
				}
				continue
			}
			last := tt.steps[len(tt.steps)-1]
			if stored.State != last.to || got.State != last.to {
				t.Errorf("%s: state = %s (returned %s), want %s", tt.name, stored.State, got.State, last.to)
			}
			if diff := cmp.Diff(got, stored); diff != "" {
				t.Errorf("%s: Transition returned something else than it stored (-returned +stored):\n%s", tt.name, diff)
			}
			if len(evs) != len(tt.steps)+1 || evs[len(evs)-1].Kind != last.kind || evs[len(evs)-1].InquiryID != inq.ID || evs[len(evs)-1].Actor != "U9" {
				t.Errorf("%s: events = %+v, want received then one per step", tt.name, evs)
			}
			firstResponse := inq.CreatedAt.Add(time.Minute) // the first step is a reply
			if !stored.FirstResponseAt.Equal(firstResponse) {
				t.Errorf("%s: FirstResponseAt = %v, want %v", tt.name, stored.FirstResponseAt, firstResponse)
			}
			if !stored.UpdatedAt.Equal(clk.Now()) {
				t.Errorf("%s: UpdatedAt = %v, want %v", tt.name, stored.UpdatedAt, clk.Now())
			}
		}

		// Lifecycle timestamps along escalated → acknowledged → resolved.
		inq := mustCreate(t, s, sampleInquiry("life"))
		t0 := clk.Now()
		clk.Advance(time.Minute)
		if _, err := s.Transition(ctx, inq.ID, koban.StateEscalated, koban.Event{Kind: koban.EventEscalated}, func(i *koban.Inquiry) {
			i.Assignee, i.Rotation = "U7", "platform"
			i.State = koban.StateResolved // ignored: the store sets the state
			i.ID = 999                    // ignored too
		}); err != nil {
			t.Fatal(err)
		}
		clk.Advance(2 * time.Minute)
		if _, err := s.Transition(ctx, inq.ID, koban.StateAcknowledged, koban.Event{Kind: koban.EventAcknowledged, Actor: "U7"}, nil); err != nil {
			t.Fatal(err)
		}
		clk.Advance(3 * time.Minute)
		got, err := s.Transition(ctx, inq.ID, koban.StateResolved, koban.Event{Kind: koban.EventResolved, Actor: "U7", Data: map[string]string{"category": "platform-only/required"}},
			func(i *koban.Inquiry) {
				i.Final = koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailRequired}
			})
		if err != nil {
			t.Fatal(err)
		}
		want := struct{ first, human, resolved time.Time }{t0.Add(time.Minute), t0.Add(3 * time.Minute), t0.Add(6 * time.Minute)}
		if !got.FirstResponseAt.Equal(want.first) || !got.FirstHumanResponseAt.Equal(want.human) || !got.ResolvedAt.Equal(want.resolved) {
			t.Errorf("timestamps = %v / %v / %v, want %v / %v / %v", got.FirstResponseAt, got.FirstHumanResponseAt, got.ResolvedAt, want.first, want.human, want.resolved)
		}
		if got.ID != inq.ID || got.State != koban.StateResolved || got.Assignee != "U7" || got.Rotation != "platform" || got.Final.Detail != koban.DetailRequired {
			t.Errorf("after resolve: %+v", got)
		}
		evs, _ := s.Events(ctx, inq.ID)
		if last := evs[len(evs)-1]; last.Data["category"] != "platform-only/required" || last.Actor != "U7" {
			t.Errorf("resolved event = %+v", last)
		}

		_, err = s.Transition(ctx, inq.ID, koban.StateReopened, koban.Event{}, nil)
		wantCode(t, "Transition without an event kind", err, koban.EInvalid)
		_, err = s.Transition(ctx, 404, koban.StateAnswered, koban.Event{Kind: koban.EventAnswered}, nil)
		wantCode(t, "Transition of a missing inquiry", err, koban.ENotFound)
	})
}

func TestUpdate(t *testing.T) {
	forEachDB(t, func(t *testing.T, opts Options) {
		ctx := t.Context()
		clk := newClock()
		opts.Now = clk.Now
		s := mustOpen(t, opts)
		inq := mustCreate(t, s, sampleInquiry("U"))
		clk.Advance(5 * time.Minute)
		got, err := s.Update(ctx, inq.ID, koban.Event{Kind: koban.EventHumanReplied, Actor: "U7"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !got.FirstHumanResponseAt.Equal(clk.Now()) || got.State != koban.StateReceived {
			t.Errorf("after human reply: FirstHumanResponseAt %v state %s, want %v received", got.FirstHumanResponseAt, got.State, clk.Now())
		}
		firstHuman := got.FirstHumanResponseAt
		clk.Advance(time.Minute)
		got, err = s.Update(ctx, inq.ID, koban.Event{Kind: koban.EventRelabelled, Actor: "U7", Data: map[string]string{"from": "self-solvable/answered"}}, func(i *koban.Inquiry) {
			i.Final = koban.Label{Category: koban.DocsMissing}
			i.Tokens += 120
			i.Failure = "channel_not_found"
		})
		if err != nil {
			t.Fatal(err)
		}
		if !got.FirstHumanResponseAt.Equal(firstHuman) {
			t.Errorf("a second human event moved FirstHumanResponseAt to %v", got.FirstHumanResponseAt)
		}
		stored, _ := s.Inquiry(ctx, inq.ID)
		if stored.Final != (koban.Label{Category: koban.DocsMissing}) || stored.Tokens != 120 || stored.Failure != "channel_not_found" || stored.Predicted != inq.Predicted {
			t.Errorf("after relabel: %+v", stored)
		}
		_, err = s.Update(ctx, inq.ID, koban.Event{Kind: koban.EventRelabelled}, func(i *koban.Inquiry) { i.Final = koban.Label{Category: "nonsense"} })
		wantCode(t, "Update with an invalid label", err, koban.EInvalid)
		if again, _ := s.Inquiry(ctx, inq.ID); again.Final.Category != koban.DocsMissing {
			t.Errorf("a refused update changed the label to %v", again.Final)
		}
		_, err = s.Update(ctx, 404, koban.Event{Kind: koban.EventFeedback}, nil)
		wantCode(t, "Update of a missing inquiry", err, koban.ENotFound)
	})
}

func TestEvents(t *testing.T) {
	forEachDB(t, func(t *testing.T, opts Options) {
		ctx := t.Context()
		clk := newClock()
		opts.Now = clk.Now
		s := mustOpen(t, opts)
		inq := mustCreate(t, s, sampleInquiry("Ev"))
		base := clk.Now()
		// Out of order in time, and two at the same instant (ordered by id).
		for _, e := range []koban.Event{
			{Kind: koban.EventFeedback, At: base.Add(2 * time.Minute), Actor: "U1", Data: map[string]string{"feedback": "docs-wrong", "note": "日本語も"}},
			{Kind: koban.EventReminded, At: base.Add(time.Minute)},
			{Kind: koban.EventFollowUp, At: base.Add(time.Minute), Actor: "U1"},
		} {
			e.InquiryID = inq.ID
			if err := s.AppendEvent(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		evs, err := s.Events(ctx, inq.ID)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []koban.EventKind
		for _, e := range evs {
			kinds = append(kinds, e.Kind)
		}
		want := []koban.EventKind{koban.EventReceived, koban.EventReminded, koban.EventFollowUp, koban.EventFeedback}
		if diff := cmp.Diff(want, kinds); diff != "" {
			t.Errorf("event order (-want +got):\n%s", diff)
		}
		if evs[1].Actor != koban.ActorKoban || evs[3].Data["note"] != "日本語も" || evs[3].At.Location() != time.UTC {
			t.Errorf("events = %+v", evs)
		}
		wantCode(t, "AppendEvent to a missing inquiry", s.AppendEvent(ctx, koban.Event{InquiryID: 404, Kind: koban.EventFeedback}), koban.ENotFound)
		wantCode(t, "AppendEvent without kind", s.AppendEvent(ctx, koban.Event{InquiryID: inq.ID}), koban.EInvalid)
		if evs, err := s.Events(ctx, 404); err != nil || len(evs) != 0 {
			t.Errorf("Events(404) = %v, %v; want none", evs, err)
		}
	})
}

func TestInquiriesFilter(t *testing.T) {
	forEachDB(t, func(t *testing.T, opts Options) {
		ctx := t.Context()
		clk := newClock()
		opts.Now = clk.Now
		s := mustOpen(t, opts)
		start := clk.Now()
		mk := func(ev, channel, asker, domain string, pred koban.Label) *koban.Inquiry {
			clk.Advance(time.Hour)
			in := sampleInquiry(ev)
			in.Channel, in.AskedBy, in.Domain, in.Predicted = channel, asker, koban.Domain(domain), pred
			return mustCreate(t, s, in)
		}
		a := mk("a", "C1", "U1", "database", koban.Label{Category: koban.SelfSolvable, Detail: koban.DetailAnswered})
		b := mk("b", "C2", "U2", "network", koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailRequired})
		c := mk("c", "C1", "U2", "database", koban.Label{Category: koban.DocsMissing})
		if _, err := s.Transition(ctx, b.ID, koban.StateEscalated, koban.Event{Kind: koban.EventEscalated}, func(i *koban.Inquiry) { i.Assignee, i.Rotation = "U7", "platform" }); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Hour)
		resolvedAt := clk.Now()
		if _, err := s.Transition(ctx, b.ID, koban.StateResolved, koban.Event{Kind: koban.EventResolved}, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Transition(ctx, b.ID, koban.StateReopened, koban.Event{Kind: koban.EventReopened}, nil); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Hour)
		if _, err := s.Transition(ctx, b.ID, koban.StateEscalated, koban.Event{Kind: koban.EventEscalated}, nil); err != nil {
			t.Fatal(err)
		}
		// A human relabels a (self-solvable) as docs-missing.
		if _, err := s.Update(ctx, a.ID, koban.Event{Kind: koban.EventRelabelled}, func(i *koban.Inquiry) { i.Final = koban.Label{Category: koban.DocsMissing} }); err != nil {
			t.Fatal(err)
		}
		ids := func(list []koban.Inquiry) []int64 {
			out := []int64{}
			for _, i := range list {
				out = append(out, i.ID)
			}
			return out
		}
		tests := []struct {
			name string
			f    Filter
			want []int64
		}{
			{"all, newest first", Filter{}, []int64{c.ID, b.ID, a.ID}},
			{"state", Filter{States: []koban.State{koban.StateEscalated}}, []int64{b.ID}},
			{"states", Filter{States: []koban.State{koban.StateEscalated, koban.StateReceived}}, []int64{c.ID, b.ID, a.ID}},
			{"category uses the human label", Filter{Category: koban.DocsMissing}, []int64{c.ID, a.ID}},
			{"category self-solvable", Filter{Category: koban.SelfSolvable}, []int64{}},
			{"domain", Filter{Domain: "database"}, []int64{c.ID, a.ID}},
			{"channel", Filter{Channel: "C2"}, []int64{b.ID}},
			{"asker", Filter{AskedBy: "U2"}, []int64{c.ID, b.ID}},
			{"assignee", Filter{Assignee: "U7"}, []int64{b.ID}},
			{"from is inclusive", Filter{From: start.Add(2 * time.Hour)}, []int64{c.ID, b.ID}},
			{"to is exclusive", Filter{To: start.Add(2 * time.Hour)}, []int64{a.ID}},
			{"limit and offset", Filter{Limit: 1, Offset: 1}, []int64{b.ID}},
			{"rotation", Filter{Rotation: "platform"}, []int64{b.ID}},
			{"resolved in range", Filter{ResolvedFrom: resolvedAt, ResolvedTo: resolvedAt.Add(time.Second)}, []int64{b.ID}},
			{"resolved before", Filter{ResolvedTo: resolvedAt}, []int64{}},
			{"resolved since", Filter{ResolvedFrom: resolvedAt.Add(time.Second)}, []int64{}},
			{"combined", Filter{Domain: "database", AskedBy: "U2", States: []koban.State{koban.StateReceived}}, []int64{c.ID}},
		}
		for _, tt := range tests {
			got, err := s.Inquiries(ctx, tt.f)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if diff := cmp.Diff(tt.want, ids(got)); diff != "" {
				t.Errorf("Inquiries(%s) (-want +got):\n%s", tt.name, diff)
			}
		}

		if _, err := s.Transition(ctx, c.ID, koban.StateResolved, koban.Event{Kind: koban.EventResolved}, func(i *koban.Inquiry) { i.Final = koban.Label{Category: koban.DocsMissing} }); err != nil {
			t.Fatal(err)
		}
		open, err := s.OpenInquiries(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]int64{a.ID, b.ID}, ids(open)); diff != "" {
			t.Errorf("OpenInquiries, oldest first (-want +got):\n%s", diff)
		}
		labelled, err := s.Labelled(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]int64{c.ID, a.ID}, ids(labelled)); diff != "" {
			t.Errorf("Labelled, most recent first (-want +got):\n%s", diff)
		}
		if labelled, _ := s.Labelled(ctx, 1); len(labelled) != 1 {
			t.Errorf("Labelled(1) gave %d", len(labelled))
		}
	})
}

func TestCountInquiries(t *testing.T) {
	forEachDB(t, func(t *testing.T, opts Options) {
		ctx := t.Context()
		s := mustOpen(t, opts)
		if got, err := s.CountInquiries(ctx); err != nil || len(got) != 0 {
			t.Fatalf("CountInquiries() of an empty store = %v, %v; want none", got, err)
		}
		answered := koban.Label{Category: koban.SelfSolvable, Detail: koban.DetailAnswered}
		required := koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailRequired}
		mk := func(ev string, pred koban.Label) *koban.Inquiry {
			in := sampleInquiry(ev)
			in.Predicted = pred
			in.MessageTS = "1715330000.00010" + ev // one message each
			in.ThreadTS = in.MessageTS
			return mustCreate(t, s, in)
		}
		mk("1", answered)
		mk("2", answered)
		mk("3", koban.Label{}) // not triaged yet
		x := mk("4", answered)
		y := mk("5", required)
		// A human relabels x: the gauge counts the human's label.
		if _, err := s.Update(ctx, x.ID, koban.Event{Kind: koban.EventRelabelled}, func(i *koban.Inquiry) { i.Final = required }); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Transition(ctx, y.ID, koban.StateEscalated, koban.Event{Kind: koban.EventEscalated}, nil); err != nil {
			t.Fatal(err)
		}
		got, err := s.CountInquiries(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []koban.InquiryCount{
			{State: koban.StateEscalated, Category: koban.PlatformOnly, Count: 1},
			{State: koban.StateReceived, Category: "", Count: 1},
			{State: koban.StateReceived, Category: koban.PlatformOnly, Count: 1},
			{State: koban.StateReceived, Category: koban.SelfSolvable, Count: 2},
		}
		// Collations differ between the databases: compare in byte order.
		sort.Slice(got, func(i, j int) bool {
			return string(got[i].State)+"\x00"+string(got[i].Category) < string(got[j].State)+"\x00"+string(got[j].Category)
		})
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("CountInquiries() (-want +got):\n%s", diff)
		}
	})
}

func TestOverrides(t *testing.T) {
	forEachDB(t, func(t *testing.T, opts Options) {
		ctx := t.Context()
		clk := newClock()
		opts.Now = clk.Now
		s := mustOpen(t, opts)
		day := time.Date(2026, 5, 11, 0, 0, 0, 0, time.UTC)
		first := koban.Override{Rotation: "platform", Person: "U2", Replaces: "U1", From: day, To: day.Add(24 * time.Hour), CreatedBy: "U1", Kind: koban.OverrideSwap}
		id, err := s.AddOverride(ctx, first)
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			o    koban.Override
			code string
		}{
			{"overlaps the end", koban.Override{Rotation: "platform", Person: "U3", From: day.Add(23 * time.Hour), To: day.Add(25 * time.Hour)}, koban.EConflict},
			{"inside", koban.Override{Rotation: "platform", Person: "U3", From: day.Add(time.Hour), To: day.Add(2 * time.Hour)}, koban.EConflict},
			{"around", koban.Override{Rotation: "platform", Person: "U3", From: day.Add(-time.Hour), To: day.Add(48 * time.Hour)}, koban.EConflict},
			{"adjacent after", koban.Override{Rotation: "platform", Person: "U3", From: day.Add(24 * time.Hour), To: day.Add(48 * time.Hour)}, ""},
			{"another rotation", koban.Override{Rotation: "data", Person: "U3", From: day, To: day.Add(time.Hour)}, ""},
			{"ends before it starts", koban.Override{Rotation: "data", Person: "U3", From: day.Add(time.Hour), To: day}, koban.EInvalid},
			{"unknown kind", koban.Override{Rotation: "data", Person: "U3", From: day.Add(5 * time.Hour), To: day.Add(6 * time.Hour), Kind: "trade"}, koban.EInvalid},
			{"swap without replaces", koban.Override{Rotation: "data", Person: "U3", From: day.Add(5 * time.Hour), To: day.Add(6 * time.Hour), Kind: koban.OverrideSwap}, koban.EInvalid},
		}
		for _, tt := range tests {
			_, err := s.AddOverride(ctx, tt.o)
			wantCode(t, "AddOverride("+tt.name+")", err, tt.code)
		}
		// The clash is said in the reader's language.
		_, err = s.AddOverride(ctx, tests[0].o)
		if want := fmt.Sprintf("ローテーション platform には 2026-05-11T00:00:00Z から 2026-05-12T00:00:00Z までの交代 #%d がすでにあります", id); koban.ErrorText("ja", err) != want {
			t.Errorf("clash in Japanese = %q, want %q", koban.ErrorText("ja", err), want)
		}
		got, err := s.Overrides(ctx, "platform", day.Add(12*time.Hour), day.Add(36*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		first.ID, first.CreatedAt = id, clk.Now()
		if len(got) != 2 {
			t.Fatalf("Overrides = %+v, want 2", got)
		}
		if diff := cmp.Diff(first, got[0]); diff != "" {
			t.Errorf("stored override (-want +got):\n%s", diff)
		}
		if got[1].Kind != koban.OverrideCover || got[1].Replaces != "" {
			t.Errorf("a cover without kind: %+v", got[1])
		}
		if got, _ := s.Overrides(ctx, "platform", day.Add(-48*time.Hour), day); len(got) != 0 {
			t.Errorf("Overrides before the first = %+v, want none", got)
		}
		if err := s.DeleteOverride(ctx, id); err != nil {
			t.Fatal(err)
		}
		again := s.DeleteOverride(ctx, id)
		wantCode(t, "DeleteOverride again", again, koban.ENotFound)
		if want := fmt.Sprintf("交代 #%d はありません。`/koban oncall list` で確認できます。", id); koban.ErrorText("ja", again) != want {
			t.Errorf("DeleteOverride again in Japanese = %q, want %q", koban.ErrorText("ja", again), want)
		}
		if _, err := s.AddOverride(ctx, tests[1].o); err != nil {
			t.Errorf("AddOverride where a deleted one was: %v", err)
		}
	})
}

func TestOverridesConcurrent(t *testing.T) {
	forEachDB(t, func(t *testing.T, opts Options) {
		s := mustOpen(t, opts)
		day := time.Date(2026, 5, 11, 0, 0, 0, 0, time.UTC)
		var wg sync.WaitGroup
		errs := make([]error, 6)
		for i := range errs {
			wg.Go(func() {
				_, errs[i] = s.AddOverride(t.Context(), koban.Override{Rotation: "platform", Person: "U" + string(rune('a'+i)),
					From: day.Add(time.Duration(i) * time.Hour), To: day.Add(time.Duration(i+10) * time.Hour)})
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else {
				wantCode(t, "concurrent overlapping AddOverride", err, koban.EConflict)
			}
		}
		if ok != 1 {
			t.Errorf("%d of %d overlapping overrides were stored, want 1", ok, len(errs))
		}
	})
}

func TestHandoffNotes(t *testing.T) {
	forEachDB(t, func(t *testing.T, opts Options) {
		ctx := t.Context()
		clk := newClock()
		opts.Now = clk.Now
		s := mustOpen(t, opts)
		old, err := s.AddHandoffNote(ctx, koban.HandoffNote{Rotation: "platform", Author: "U1", Text: "old"})
		if err != nil {
			t.Fatal(err)
		}
		clk.Advance(8 * time.Hour)
		since := clk.Now()
		id, err := s.AddHandoffNote(ctx, koban.HandoffNote{Rotation: "platform", Author: "U1", Text: "db-3 failover is half done; see #inc-42"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddHandoffNote(ctx, koban.HandoffNote{Rotation: "data", Author: "U5", Text: "other rotation"}); err != nil {
			t.Fatal(err)
		}
		got, err := s.HandoffNotes(ctx, "platform", since)
		if err != nil {
			t.Fatal(err)
		}
		want := []koban.HandoffNote{{ID: id, Rotation: "platform", Author: "U1", Text: "db-3 failover is half done; see #inc-42", CreatedAt: since}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("HandoffNotes (-want +got):\n%s", diff)
		}
		if err := s.ConsumeHandoffNotes(ctx, since, old, id); err != nil {
			t.Fatal(err)
		}
		got, _ = s.HandoffNotes(ctx, "platform", time.Time{})
		if len(got) != 2 || !got[0].ConsumedAt.Equal(since) || !got[1].ConsumedAt.Equal(since) {
			t.Errorf("after ConsumeHandoffNotes: %+v", got)
		}
		wantCode(t, "ConsumeHandoffNotes(404)", s.ConsumeHandoffNotes(ctx, since, 404), koban.ENotFound)
		_, err = s.AddHandoffNote(ctx, koban.HandoffNote{Rotation: "platform"})
		wantCode(t, "AddHandoffNote without text", err, koban.EInvalid)
	})
}

func TestClaims(t *testing.T) {
	forEachDB(t, func(t *testing.T, opts Options) {
		ctx := t.Context()
		clk := newClock()
		opts.Now = clk.Now
		s := mustOpen(t, opts)
		claim := func(key string) bool {
			t.Helper()
			ok, err := s.Claim(ctx, key, time.Minute)
			if err != nil {
				t.Fatalf("Claim(%s): %v", key, err)
			}
			return ok
		}
		if !claim("answer:1") {
			t.Fatal("first Claim = false")
		}
		if claim("answer:1") {
			t.Error("second Claim of a fresh claim = true")
		}
		clk.Advance(2 * time.Minute)
		if !claim("answer:1") {
			t.Error("Claim of a stale claim = false, want it taken over")
		}
		if err := s.Done(ctx, "answer:1"); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Hour)
		if claim("answer:1") {
			t.Error("Claim of a done claim = true")
		}
		wantCode(t, "Release of a done claim", s.Release(ctx, "answer:1"), koban.EConflict)
		wantCode(t, "Done twice", s.Done(ctx, "answer:1"), koban.EConflict)

		if !claim("dm:2") {
			t.Fatal("Claim(dm:2) = false")
		}
		if err := s.Release(ctx, "dm:2"); err != nil {
			t.Fatal(err)
		}
		if !claim("dm:2") {
			t.Error("Claim after Release = false")
		}
		wantCode(t, "Done of an unknown claim", s.Done(ctx, "nope"), koban.ENotFound)
		wantCode(t, "Release of an unknown claim", s.Release(ctx, "nope"), koban.ENotFound)
		_, err := s.Claim(ctx, "", time.Minute)
		wantCode(t, "Claim of an empty key", err, koban.EInvalid)

		// Under concurrency exactly one claimer wins, for fresh and stale claims.
		for _, key := range []string{"post:3", "post:3"} {
			clk.Advance(2 * time.Minute) // the second round finds a stale claim
			var wg sync.WaitGroup
			var mu sync.Mutex
			won := 0
			for range 8 {
				wg.Go(func() {
					ok, err := s.Claim(ctx, key, time.Minute)
					if err != nil {
						t.Error(err)
					}
					if ok {
						mu.Lock()
						won++
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			if won != 1 {
				t.Errorf("%d of 8 concurrent claimers of %s won, want 1", won, key)
			}
		}
	})
}

func TestReports(t *testing.T) {
	forEachDB(t, func(t *testing.T, opts Options) {
		ctx := t.Context()
		clk := newClock()
		opts.Now = clk.Now
		s := mustOpen(t, opts)
		_, err := s.Report(ctx, "T1", "2026-04")
		wantCode(t, "Report before any", err, koban.ENotFound)
		created, err := s.SaveReport(ctx, "T1", "2026-04", []byte(`{"inquiries":42}`))
		if err != nil || !created {
			t.Fatalf("SaveReport = %v, %v", created, err)
		}
		created, err = s.SaveReport(ctx, "T1", "2026-04", []byte(`{"inquiries":43}`))
		if err != nil || created {
			t.Errorf("second SaveReport = %v, %v; want false, nil", created, err)
		}
		if created, err := s.SaveReport(ctx, "T2", "2026-04", []byte("# April")); err != nil || !created {
			t.Errorf("SaveReport for another team = %v, %v", created, err)
		}
		got, err := s.Report(ctx, "T1", "2026-04")
		if err != nil {
			t.Fatal(err)
		}
		want := &Report{Team: "T1", Month: "2026-04", Format: "json", Body: []byte(`{"inquiries":42}`), CreatedAt: clk.Now()}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Report (-want +got):\n%s", diff)
		}
		if r, _ := s.Report(ctx, "T2", "2026-04"); r == nil || r.Format != "text" {
			t.Errorf("Report(T2) = %+v, want a text report", r)
		}
		_, err = s.SaveReport(ctx, "T1", "April", nil)
		wantCode(t, "SaveReport with a bad month", err, koban.EInvalid)
	})
}

// TestJobs runs inquiry jobs through failures, a panic and a permanent
// error, and a periodic job.
func TestJobs(t *testing.T) {
	forEachDB(t, func(t *testing.T, opts Options) {
		ctx := t.Context()
		s := mustOpen(t, opts)
		var mu sync.Mutex
		attempts := map[int64][]int{}
		behave := map[string]func(attempt int) error{
			"ok": func(int) error { return nil },
			"flaky": func(a int) error {
				if a < 3 {
					return errBoom
				}
				return nil
			},
			"panics":    func(int) error { return nil }, // after the panic of attempt 1
			"permanent": func(int) error { return Permanent(errBoom) },
		}
		kind := map[int64]string{}
		periodic := make(chan time.Time, 10)
		err := s.StartJobs(ctx, Jobs{
			ProcessInquiry: func(ctx context.Context, id int64, attempt int) error {
				mu.Lock()
				attempts[id] = append(attempts[id], attempt)
				k := kind[id]
				mu.Unlock()
				if k == "panics" && attempt == 1 {
					panic("worker bug")
				}
				return behave[k](attempt)
			},
			Periodic: []PeriodicJob{{Name: "tick", Every: time.Hour, Run: func(ctx context.Context, now time.Time) error {
				periodic <- now
				return nil
			}}},
			Workers:      2,
			RetryDelay:   func(int) time.Duration { return 10 * time.Millisecond },
			PollInterval: 100 * time.Millisecond,
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.StartJobs(ctx, Jobs{ProcessInquiry: func(context.Context, int64, int) error { return nil }}); koban.ErrorCode(err) != koban.EConflict {
			t.Errorf("second StartJobs = %v, want EConflict", err)
		}
		for _, k := range []string{"ok", "flaky", "panics", "permanent"} {
			mu.Lock() // the job may start before CreateInquiry returns
			inq := sampleInquiry(k)
			created, err := s.CreateInquiry(ctx, inq)
			if err != nil || !created {
				mu.Unlock()
				t.Fatal(created, err)
			}
			kind[inq.ID] = k
			mu.Unlock()
		}
		select {
		case <-periodic:
		case <-time.After(20 * time.Second):
			t.Error("the periodic job did not run on start")
		}
		waitFor(t, 20*time.Second, "jobs to finish", func() bool {
			st := jobStates(t, s)
			return len(st) == 4 && !strings.Contains(strings.Join(st, " "), "avail") && !strings.Contains(strings.Join(st, " "), "running") && !strings.Contains(strings.Join(st, " "), "retryable")
		})
		if err := s.StopJobs(ctx); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		want := map[string][]int{"ok": {1}, "flaky": {1, 2, 3}, "panics": {1, 2}, "permanent": {1}}
		for id, k := range kind {
			if diff := cmp.Diff(want[k], attempts[id]); diff != "" {
				t.Errorf("attempts of the %s job (-want +got):\n%s", k, diff)
			}
		}
		if diff := cmp.Diff([]string{"completed", "completed", "completed", "cancelled"}, jobStates(t, s)); diff != "" {
			t.Errorf("final job states (-want +got):\n%s", diff)
		}
		if err := s.StopJobs(ctx); err != nil {
			t.Errorf("StopJobs when stopped: %v", err)
		}
	})
}

// TestPeriodicOnLeaderOnly starts two replicas on one database: the
// periodic job runs once, on the leader.
func TestPeriodicOnLeaderOnly(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: waits for leader election")
	}
	forEachDB(t, func(t *testing.T, opts Options) {
		ctx := t.Context()
		var mu sync.Mutex
		runs := map[string]int{}
		for _, name := range []string{"replica-a", "replica-b"} {
			s := mustOpen(t, opts)
			if err := s.Ping(ctx); err != nil {
				t.Fatal(err)
			}
			err := s.StartJobs(ctx, Jobs{
				ProcessInquiry: func(context.Context, int64, int) error { return nil },
				Periodic: []PeriodicJob{{Name: "digest", Every: time.Hour, Run: func(context.Context, time.Time) error {
					mu.Lock()
					runs[name]++
					mu.Unlock()
					return nil
				}}},
				PollInterval: 100 * time.Millisecond,
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		waitFor(t, 30*time.Second, "the periodic job to run", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(runs) > 0
		})
		time.Sleep(3 * time.Second) // room for a wrong second run
		mu.Lock()
		defer mu.Unlock()
		if total := runs["replica-a"] + runs["replica-b"]; total != 1 {
			t.Errorf("runs = %v, want one run in all", runs)
		}
	})
}

// TestTransitionConcurrent acks one escalated inquiry from several
// goroutines: the row lock lets one through and refuses the others.
func TestTransitionConcurrent(t *testing.T) {
	forEachDB(t, func(t *testing.T, opts Options) {
		ctx := t.Context()
		s := mustOpen(t, opts)
		inq := mustCreate(t, s, sampleInquiry("race"))
		if _, err := s.Transition(ctx, inq.ID, koban.StateEscalated, koban.Event{Kind: koban.EventEscalated}, nil); err != nil {
			t.Fatal(err)
		}
		errs := make([]error, 5)
		var wg sync.WaitGroup
		for i := range errs {
			wg.Go(func() {
				_, errs[i] = s.Transition(ctx, inq.ID, koban.StateAcknowledged, koban.Event{Kind: koban.EventAcknowledged, Actor: "U" + string(rune('a'+i))},
					func(*koban.Inquiry) { time.Sleep(20 * time.Millisecond) }) // widen the read-to-write window
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else {
				wantCode(t, "concurrent ack", err, koban.EConflict)
			}
		}
		if ok != 1 {
			t.Errorf("%d of %d concurrent acks succeeded, want 1", ok, len(errs))
		}
		if n := count(t, s, `SELECT COUNT(*) FROM events WHERE inquiry_id = $1 AND kind = $2`, inq.ID, koban.EventAcknowledged); n != 1 {
			t.Errorf("%d acknowledged events, want 1", n)
		}
	})
}
