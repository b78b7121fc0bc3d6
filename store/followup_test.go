package store

import (
	"sync"
	"testing"

	"github.com/kobanhq/koban"
)

func TestFollowUp(t *testing.T) {
	forEachDB(t, func(t *testing.T, opts Options) {
		ctx := t.Context()
		s := mustOpen(t, opts)
		inq := mustCreate(t, s, sampleInquiry("EvF"))
		if _, err := s.Transition(ctx, inq.ID, koban.StateAnswered, koban.Event{Kind: koban.EventAnswered}, nil); err != nil {
			t.Fatal(err)
		}

		// The asker asks again in the thread; Slack delivers it three times at once.
		ev := koban.Event{Kind: koban.EventFollowUp, Actor: "U1", Data: map[string]string{"text": "and in staging?", "event_id": "EvF2"}}
		var wg sync.WaitGroup
		var mu sync.Mutex
		createdN := 0
		for range 3 {
			wg.Go(func() {
				created, err := s.FollowUp(ctx, inq.ID, ev, "", true)
				if err != nil {
					t.Errorf("FollowUp: %v", err)
				}
				if created {
					mu.Lock()
					createdN++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if createdN != 1 {
			t.Errorf("FollowUp created %d times for one event id, want 1", createdN)
		}
		if n := len(jobStates(t, s)); n != 2 {
			t.Errorf("%d jobs after one follow-up, want 2 (the inquiry's and the follow-up's)", n)
		}

		// A follow-up while it is answered keeps the state; one after
		// resolution reopens it.
		if _, err := s.Transition(ctx, inq.ID, koban.StateResolved, koban.Event{Kind: koban.EventResolved}, nil); err != nil {
			t.Fatal(err)
		}
		reopen := koban.Event{Kind: koban.EventReopened, Data: map[string]string{"text": "it broke again", "event_id": "EvF3"}}
		if created, err := s.FollowUp(ctx, inq.ID, reopen, koban.StateReopened, true); err != nil || !created {
			t.Fatalf("FollowUp(reopen) = %v, %v", created, err)
		}
		got, err := s.Inquiry(ctx, inq.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != koban.StateReopened {
			t.Errorf("state after reopening follow-up = %s, want reopened", got.State)
		}
		evs, err := s.Events(ctx, inq.ID)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []koban.EventKind
		for _, e := range evs {
			kinds = append(kinds, e.Kind)
		}
		want := []koban.EventKind{koban.EventReceived, koban.EventAnswered, koban.EventFollowUp, koban.EventResolved, koban.EventReopened}
		if len(kinds) != len(want) {
			t.Fatalf("events = %v, want %v", kinds, want)
		}
		for i := range want {
			if kinds[i] != want[i] {
				t.Errorf("events = %v, want %v", kinds, want)
				break
			}
		}
		if evs[4].Actor != "U1" || evs[4].Data["text"] != "it broke again" {
			t.Errorf("reopened event = %+v, want the asker's text", evs[4])
		}

		// Illegal moves are refused and record nothing.
		_, err = s.FollowUp(ctx, inq.ID, koban.Event{Kind: koban.EventFollowUp, Data: map[string]string{"event_id": "EvF4"}}, koban.StateReceived, false)
		wantCode(t, "FollowUp to received from reopened", err, koban.EConflict)
		_, err = s.FollowUp(ctx, 9999, koban.Event{Kind: koban.EventFollowUp}, "", false)
		wantCode(t, "FollowUp on an unknown inquiry", err, koban.ENotFound)
	})
}

func TestEnqueue(t *testing.T) {
	forEachDB(t, func(t *testing.T, opts Options) {
		ctx := t.Context()
		s := mustOpen(t, opts)
		inq := mustCreate(t, s, sampleInquiry("EvQ"))
		if n := len(jobStates(t, s)); n != 1 {
			t.Fatalf("%d jobs after CreateInquiry, want 1", n)
		}
		if err := s.Enqueue(ctx, inq.ID); err != nil {
			t.Fatalf("Enqueue: %v", err)
		}
		if n := len(jobStates(t, s)); n != 2 {
			t.Errorf("%d jobs after Enqueue, want 2", n)
		}
		if err := s.Enqueue(ctx, inq.ID+1000); koban.ErrorCode(err) != koban.ENotFound {
			t.Errorf("Enqueue(unknown id) = %v, want ENotFound", err)
		}
		if n := len(jobStates(t, s)); n != 2 {
			t.Errorf("%d jobs after enqueueing an unknown inquiry, want still 2", n)
		}
	})
}
