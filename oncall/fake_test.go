package oncall

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kobanhq/koban"
)

// memStore is an in-memory Store with the semantics package store promises.
type memStore struct {
	mu        sync.Mutex
	nextID    int64
	overrides []koban.Override
	notes     []koban.HandoffNote
	inquiries []koban.Inquiry
	claims    map[string]claim
	clock     func() time.Time
}

type claim struct {
	at   time.Time
	done bool
}

func newMemStore() *memStore {
	return &memStore{claims: map[string]claim{}, clock: time.Now}
}

func (m *memStore) AddOverride(_ context.Context, o koban.Override) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, x := range m.overrides {
		if x.Rotation == o.Rotation && x.Overlaps(o.From, o.To) {
			return 0, koban.Errorf(koban.EConflict, "overlaps override %d", x.ID)
		}
	}
	m.nextID++
	o.ID = m.nextID
	m.overrides = append(m.overrides, o)
	return o.ID, nil
}

func (m *memStore) Overrides(_ context.Context, rotation string, from, to time.Time) ([]koban.Override, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []koban.Override
	for _, o := range m.overrides {
		if (rotation == "" || o.Rotation == rotation) && o.Overlaps(from, to) {
			out = append(out, o)
		}
	}
	return out, nil
}

func (m *memStore) DeleteOverride(_ context.Context, id int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	i := slices.IndexFunc(m.overrides, func(o koban.Override) bool { return o.ID == id })
	if i < 0 {
		return koban.Errorf(koban.ENotFound, "no override %d", id)
	}
	m.overrides = slices.Delete(m.overrides, i, i+1)
	return nil
}

func (m *memStore) AddHandoffNote(_ context.Context, n koban.HandoffNote) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.nextID++
	n.ID = m.nextID
	m.notes = append(m.notes, n)
	return n.ID, nil
}

func (m *memStore) HandoffNotes(_ context.Context, rotation string, since time.Time) ([]koban.HandoffNote, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []koban.HandoffNote
	for _, n := range m.notes {
		if n.Rotation == rotation && !n.CreatedAt.Before(since) {
			out = append(out, n)
		}
	}
	return out, nil
}

func (m *memStore) OpenInquiries(context.Context) ([]koban.Inquiry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []koban.Inquiry
	for _, inq := range m.inquiries {
		if inq.State.Open() {
			out = append(out, inq)
		}
	}
	return out, nil
}

func (m *memStore) ResolvedInquiries(_ context.Context, rotation string, from, to time.Time) ([]koban.Inquiry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []koban.Inquiry
	for _, inq := range m.inquiries {
		if inq.Rotation == rotation && inq.State == koban.StateResolved && !inq.ResolvedAt.Before(from) && inq.ResolvedAt.Before(to) {
			out = append(out, inq)
		}
	}
	return out, nil
}

func (m *memStore) Claim(_ context.Context, key string, staleAfter time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.claims[key]
	if ok && (c.done || m.clock().Sub(c.at) < staleAfter) {
		return false, nil
	}
	m.claims[key] = claim{at: m.clock()}
	return true, nil
}

func (m *memStore) Done(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.claims[key] = claim{at: m.clock(), done: true}
	return nil
}

func (m *memStore) Release(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.claims, key)
	return nil
}

func (m *memStore) setInquiries(inqs ...koban.Inquiry) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.inquiries = inqs
}

// recorder is a Notifier that records what it was asked to send. fail, when
// set, makes the next calls fail until it returns nil.
type recorder struct {
	mu        sync.Mutex
	handoffs  []Handoff
	reminders []Reminder
	groups    []groupSync
	emails    map[string]string
	names     map[string]string
	fail      func(op string) error
}

type groupSync struct {
	group string
	users []string
}

func (r *recorder) err(op string) error {
	if r.fail == nil {
		return nil
	}
	return r.fail(op)
}

func (r *recorder) PostHandoff(_ context.Context, h Handoff) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.err("handoff"); err != nil {
		return err
	}
	r.handoffs = append(r.handoffs, h)
	return nil
}

func (r *recorder) Remind(_ context.Context, rem Reminder) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.err("remind"); err != nil {
		return err
	}
	r.reminders = append(r.reminders, rem)
	return nil
}

func (r *recorder) SyncUserGroup(_ context.Context, group string, users []string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.err("group"); err != nil {
		return err
	}
	r.groups = append(r.groups, groupSync{group, users})
	return nil
}

func (r *recorder) LookupEmail(_ context.Context, email string) (string, error) {
	if id, ok := r.emails[email]; ok {
		return id, nil
	}
	return "", koban.Errorf(koban.ENotFound, "no user %s", email)
}

func (r *recorder) LookupName(_ context.Context, name string) (string, error) {
	if id, ok := r.names[name]; ok {
		return id, nil
	}
	return "", koban.Errorf(koban.ENotFound, "no user %s", name)
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// mustService builds a service over rotation configs, a memStore and a recorder.
func mustService(t *testing.T, rcs ...RotationConfig) (*Service, *memStore, *recorder) {
	t.Helper()
	rec := &recorder{names: map[string]string{"alice": "UALICE", "bob": "UBOB"}}
	rots, err := Config{Rotations: rcs}.Parse(context.Background(), rec)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	st := newMemStore()
	return NewService(rots, Deps{Store: st, Notifier: rec, Log: discard()}), st, rec
}
