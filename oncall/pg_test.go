package oncall

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/kobanhq/koban/internal/pgtest"
	"github.com/kobanhq/koban/store"
)

// killable wraps a Notifier; while hang is set, PostHandoff blocks until its
// context ends, like a replica that dies in the middle of posting.
type killable struct {
	Notifier
	mu      sync.Mutex
	hang    bool
	entered chan struct{}
}

func (k *killable) PostHandoff(ctx context.Context, h Handoff) error {
	k.mu.Lock()
	hang := k.hang
	k.mu.Unlock()
	if hang {
		close(k.entered)
		<-ctx.Done()
		return ctx.Err()
	}
	return k.Notifier.PostHandoff(ctx, h)
}

// TestTwoReplicasPostgres runs two services, each on its own store handle,
// over one PostgreSQL database and one (fake) Slack.
func TestTwoReplicasPostgres(t *testing.T) {
	url := pgtest.URL(t)
	ctx := t.Context()
	open := func() *store.Store {
		st, err := store.Open(ctx, store.Options{URL: url, Log: discard()})
		if err != nil {
			t.Fatalf("store.Open: %v", err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	st1, st2 := open(), open()
	slack := &recorder{}
	rots, err := Config{Rotations: []RotationConfig{weekly("platform")}}.Parse(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	k := &killable{Notifier: slack, hang: true, entered: make(chan struct{})}
	r1 := NewService(rots, Deps{Store: st1, Notifier: k, Log: discard()})
	r2 := NewService(rots, Deps{Store: st2, Notifier: slack, Log: discard()})
	r1.ClaimTimeout, r2.ClaimTimeout = 2*time.Second, 2*time.Second
	if _, err := r1.Note(ctx, "UA", &NoteCommand{Text: "rotate the db password", Rotation: "platform"}, local(t, berlin, "2026-11-08 12:00")); err != nil {
		t.Fatal(err)
	}
	boundary := local(t, berlin, "2026-11-09 09:00")

	// Replica 1 claims the handoff and dies while posting it.
	ctx1, kill := context.WithCancel(ctx)
	done1 := make(chan error, 1)
	go func() { done1 <- r1.Tick(ctx1, boundary) }()
	select {
	case <-k.entered:
	case err := <-done1:
		t.Fatalf("replica 1 Tick ended before posting: %v", err)
	}
	// Meanwhile replica 2 ticks: the handoff is claimed, so it waits.
	if err := r2.Tick(ctx, boundary.Add(time.Second)); err != nil {
		t.Fatalf("replica 2 Tick: %v", err)
	}
	kill()
	<-done1
	if n := len(slack.handoffs); n != 0 {
		t.Fatalf("%d handoffs while the claim is held, want 0", n)
	}
	// Once the dead replica's claim is stale, both tick concurrently, many times.
	time.Sleep(r2.ClaimTimeout + 200*time.Millisecond)
	k.mu.Lock()
	k.hang = false
	k.mu.Unlock()
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for _, r := range []*Service{r1, r2} {
		wg.Go(func() {
			for i := range 10 {
				errs <- r.Tick(ctx, boundary.Add(time.Duration(i)*time.Second))
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Tick: %v", err)
		}
	}
	if len(slack.handoffs) != 1 || len(slack.groups) != 1 {
		t.Fatalf("two replicas: %d handoffs, %d user-group updates; want exactly 1 and 1", len(slack.handoffs), len(slack.groups))
	}
	h := slack.handoffs[0]
	if h.Outgoing != "UA" || h.Incoming != "UB" || len(h.Notes) != 1 || h.Notes[0].Text != "rotate the db password" {
		t.Errorf("handoff = %s → %s, notes %v", h.Outgoing, h.Incoming, h.Notes)
	}

	// Both replicas are down for two shift changes; on start, only the
	// latest is posted, once.
	later := local(t, berlin, "2026-11-24 11:00")
	for range 3 {
		for _, r := range []*Service{r2, r1} {
			if err := r.Tick(ctx, later); err != nil {
				t.Fatalf("Tick after downtime: %v", err)
			}
		}
	}
	if len(slack.handoffs) != 2 {
		t.Fatalf("after downtime: %d handoffs in all, want 2", len(slack.handoffs))
	}
	if h := slack.handoffs[1]; h.Outgoing != "UC" || h.Incoming != "UA" || !h.Shift.Start.Equal(local(t, berlin, "2026-11-23 09:00")) {
		t.Errorf("catch-up handoff = %s → %s at %s, want UC → UA at 11-23 09:00", h.Outgoing, h.Incoming, h.Shift.Start)
	}
}
