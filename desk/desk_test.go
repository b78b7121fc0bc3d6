package desk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/internal/pgtest"
	"github.com/kobanhq/koban/internal/sampledocs"
	"github.com/kobanhq/koban/internal/testclock"
	"github.com/kobanhq/koban/knowledge"
	"github.com/kobanhq/koban/redact"
	"github.com/kobanhq/koban/store"
	"github.com/kobanhq/koban/triage"
)

// The tests run the desk over the real parts: SQLite in a temporary folder,
// the docs index of the embedded sample docs, knowledge, triage (also as the
// Learner) and the redactor. Only the edges are fakes: the Replier (Slack or
// the web), the Router (the on-call schedule) and the clock.

// delivery is one call of recorder.Deliver.
type delivery struct {
	InquiryID int64
	Reply     Reply
	Err       error // what Deliver returned
}

// recorder is the Replier at the edge: it records what it was asked to
// deliver and fails when told to.
type recorder struct {
	mu       sync.Mutex
	attempts []delivery
	resolved []int64
	fail     []error // returned by the next calls of Deliver, in order
}

func (r *recorder) Deliver(_ context.Context, inq *koban.Inquiry, rep Reply) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var err error
	if len(r.fail) > 0 {
		err, r.fail = r.fail[0], r.fail[1:]
	}
	r.attempts = append(r.attempts, delivery{InquiryID: inq.ID, Reply: rep, Err: err})
	return err
}

func (r *recorder) Resolved(_ context.Context, inq *koban.Inquiry) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.resolved = append(r.resolved, inq.ID)
	return nil
}

// failNext makes the next calls of Deliver return errs, in order.
func (r *recorder) failNext(errs ...error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail = append(r.fail, errs...)
}

// delivered returns the successful deliveries for an inquiry.
func (r *recorder) delivered(id int64) []Reply {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Reply
	for _, d := range r.attempts {
		if d.InquiryID == id && d.Err == nil {
			out = append(out, d.Reply)
		}
	}
	return out
}

// tried returns every delivery attempt for an inquiry, failed or not.
func (r *recorder) tried(id int64) []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []delivery
	for _, d := range r.attempts {
		if d.InquiryID == id {
			out = append(out, d)
		}
	}
	return out
}

func (r *recorder) resolvedCount(id int64) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, x := range r.resolved {
		if x == id {
			n++
		}
	}
	return n
}

// fixedRouter routes every escalation to one on-call, or fails.
type fixedRouter struct {
	esc koban.Escalation
	err error

	mu      sync.Mutex
	domains []koban.Domain // the domains it was asked about
}

func (r *fixedRouter) Route(_ context.Context, d koban.Domain, _ time.Time) (koban.Escalation, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.domains = append(r.domains, d)
	return r.esc, r.err
}

const (
	helpChannel   = "CHELP"
	asker         = "UASKER"
	fallbackGroup = "SPLATFORM"
)

// start is the clock's time when each test begins.
var start = time.Date(2026, 5, 11, 9, 0, 0, 0, time.UTC)

type env struct {
	t     testing.TB
	ctx   context.Context
	clock *testclock.Clock // shared by the store and the desk
	store *store.Store
	tri   *triage.Service
	rep   *recorder
	desk  *Desk
	seq   int // numbers event ids and message timestamps
}

type envOpts struct {
	router    Router
	autoClose time.Duration
	dbURL     string // PostgreSQL; SQLite in a temporary folder when empty
}

func newEnv(t testing.TB, o envOpts) *env {
	t.Helper()
	ctx := t.Context()
	clk := testclock.New(start)
	log := testLogger(t)
	st, err := store.Open(ctx, store.Options{URL: o.dbURL, DataDir: t.TempDir(), Now: clk.Now, Log: log})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	ix, err := sampledocs.Index()
	if err != nil {
		t.Fatalf("sample index: %v", err)
	}
	tri, err := triage.New(triage.DefaultConfig(), nil, log)
	if err != nil {
		t.Fatalf("triage: %v", err)
	}
	red, err := redact.New()
	if err != nil {
		t.Fatalf("redactor: %v", err)
	}
	rep := &recorder{}
	deps := Deps{
		Store:     st,
		Knowledge: knowledge.New(ix, knowledge.Config{}, log),
		Triage:    tri,
		Learner:   tri,
		Redactor:  red,
		Repliers:  map[koban.Source]Replier{koban.SourceChannel: rep, koban.SourceMention: rep},
		Log:       log,
		Now:       clk.Now,
	}
	if o.router != nil {
		deps.Router = o.router
	}
	d := New(Config{FallbackGroup: fallbackGroup, AutoCloseAfter: o.autoClose}, deps)
	return &env{t: t, ctx: ctx, clock: clk, store: st, tri: tri, rep: rep, desk: d}
}

// testLogger logs at debug level to the test's output, so that a failure
// shows what the desk did. Background goroutines (the job runner) may log
// after the test ended; those lines are dropped.
func testLogger(t testing.TB) *slog.Logger {
	w := &tWriter{t: t}
	t.Cleanup(func() { // registered first, so it runs last
		w.mu.Lock()
		defer w.mu.Unlock()
		w.done = true
	})
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct {
	t    testing.TB
	mu   sync.Mutex
	done bool
}

func (w *tWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimSuffix(string(p), "\n"))
	}
	return len(p), nil
}

// ask posts a new top-level question in the help channel as the asker.
func (e *env) ask(text string) *koban.Inquiry {
	e.t.Helper()
	return e.askAs(asker, text)
}

func (e *env) askAs(user, text string) *koban.Inquiry {
	e.t.Helper()
	e.seq++
	inq, created, err := e.desk.Ask(e.ctx, Incoming{
		Source: koban.SourceChannel, EventID: fmt.Sprintf("Ev%03d", e.seq), Team: "T1", Channel: helpChannel,
		MessageTS: fmt.Sprintf("1700000%03d.000100", e.seq), User: user, Text: text,
	})
	if err != nil {
		e.t.Fatalf("Ask(%.40q): %v", text, err)
	}
	if !created {
		e.t.Fatalf("Ask(%.40q): created = false for a new event id", text)
	}
	e.clock.Advance(time.Second)
	return inq
}

// followUp posts a message in the thread of inq.
func (e *env) followUp(inq *koban.Inquiry, user, eventID, text string) (*koban.Inquiry, error) {
	e.t.Helper()
	e.seq++
	out, err := e.desk.FollowUp(e.ctx, Incoming{
		Source: koban.SourceChannel, EventID: eventID, Team: "T1", Channel: helpChannel, ThreadTS: inq.ThreadTS,
		MessageTS: fmt.Sprintf("1700000%03d.000200", e.seq), User: user, Text: text,
	})
	e.clock.Advance(time.Second)
	return out, err
}

// process runs the inquiry's job as the job runner would, and fails the
// test on error.
func (e *env) process(id int64) *koban.Inquiry {
	e.t.Helper()
	if err := e.desk.Process(e.ctx, id, 1); err != nil {
		e.t.Fatalf("Process(%d): %v", id, err)
	}
	e.clock.Advance(time.Second)
	return e.inquiry(id)
}

func (e *env) inquiry(id int64) *koban.Inquiry {
	e.t.Helper()
	inq, err := e.store.Inquiry(e.ctx, id)
	if err != nil {
		e.t.Fatalf("Inquiry(%d): %v", id, err)
	}
	return inq
}

func (e *env) events(id int64) []koban.Event {
	e.t.Helper()
	evs, err := e.store.Events(e.ctx, id)
	if err != nil {
		e.t.Fatalf("Events(%d): %v", id, err)
	}
	return evs
}

// ofKind returns the events of one kind, in order.
func ofKind(evs []koban.Event, k koban.EventKind) []koban.Event {
	var out []koban.Event
	for _, ev := range evs {
		if ev.Kind == k {
			out = append(out, ev)
		}
	}
	return out
}

func kinds(evs []koban.Event) []koban.EventKind {
	out := make([]koban.EventKind, len(evs))
	for i, ev := range evs {
		out[i] = ev.Kind
	}
	return out
}

var errTransient = errors.New("slack: 503 service unavailable")

// checkKinds fails the test unless the inquiry's events are of these kinds, in order.
func (e *env) checkKinds(id int64, want ...koban.EventKind) []koban.Event {
	e.t.Helper()
	evs := e.events(id)
	if got := kinds(evs); !slices.Equal(got, want) {
		e.t.Fatalf("events of inquiry %d = %v, want %v", id, got, want)
	}
	return evs
}

const (
	dbQuestion       = "How do I request a database for my service?"
	adminRequest     = "please grant me admin on prod"
	namespaceRequest = "please create a namespace for team payments"
)

func TestProcessAnswersDocsQuestion(t *testing.T) {
	tests := []struct {
		question string
		page     string // a page the answer must cite
	}{
		{dbQuestion, "how-to/request-a-database.md"},
		{"How do I roll back a deployment?", "how-to/roll-back-a-deployment.md"},
		{"How can I view the logs of my service?", "how-to/view-logs-and-metrics.md"},
	}
	for _, tt := range tests {
		t.Run(tt.question, func(t *testing.T) {
			e := newEnv(t, envOpts{})
			inq := e.ask(tt.question)
			if inq.State != koban.StateReceived || inq.Lang != "en" || inq.Redactions != 0 {
				t.Errorf("Ask: state %s, lang %q, redactions %d; want received, en, 0", inq.State, inq.Lang, inq.Redactions)
			}
			at := e.clock.Now()
			got := e.process(inq.ID)

			if got.State != koban.StateAnswered {
				t.Fatalf("state = %s, want answered", got.State)
			}
			if !slices.Contains(got.Citations, tt.page) {
				t.Errorf("Citations = %v, want %s among them", got.Citations, tt.page)
			}
			if want := (koban.Label{Category: koban.SelfSolvable, Detail: koban.DetailAnswered}); got.Predicted != want {
				t.Errorf("Predicted = %s, want %s", got.Predicted, want)
			}
			if !got.FirstResponseAt.Equal(at) {
				t.Errorf("FirstResponseAt = %v, want %v (when it was processed)", got.FirstResponseAt, at)
			}
			if !got.Final.IsZero() || !got.FirstHumanResponseAt.IsZero() {
				t.Errorf("Final %s, FirstHumanResponseAt %v: want both unset before any human", got.Final, got.FirstHumanResponseAt)
			}
			evs := e.checkKinds(inq.ID, koban.EventReceived, koban.EventAnswered, koban.EventDelivered)
			answered, delivered := evs[1], evs[2]
			if delivered.Data["reply_event"] != fmt.Sprint(answered.ID) || delivered.Data["via"] != string(koban.SourceChannel) {
				t.Errorf("delivered event data = %v, want reply_event %d via channel", delivered.Data, answered.ID)
			}
			if answered.Data["category"] != "self-solvable/answered" || answered.Data["domain"] != string(got.Domain) {
				t.Errorf("answered event data category %q domain %q, want self-solvable/answered and %q",
					answered.Data["category"], answered.Data["domain"], got.Domain)
			}

			reps := e.rep.delivered(inq.ID)
			if len(reps) != 1 {
				t.Fatalf("%d deliveries, want 1", len(reps))
			}
			r := reps[0]
			if r.Kind != koban.EventAnswered || !r.Answer.Known || r.Answer.Text == "" || r.Triage.Decision != koban.DecideAnswer {
				t.Errorf("reply kind %s, known %v, text %d bytes, decision %s; want an answer from the docs",
					r.Kind, r.Answer.Known, len(r.Answer.Text), r.Triage.Decision)
			}
			if paths := citedPaths(r.Answer.Citations); !slices.Equal(paths, got.Citations) {
				t.Errorf("reply cites %v, inquiry records %v", paths, got.Citations)
			}
			if r.Answer.Pages != nil {
				t.Errorf("reply carries %d ranked pages; only citations are recorded", len(r.Answer.Pages))
			}

			// The job runs again (a retry, or a rescue after a crash).
			e.clock.Advance(time.Minute)
			if err := e.desk.Process(e.ctx, inq.ID, 2); err != nil {
				t.Fatalf("Process again: %v", err)
			}
			if n := len(e.rep.tried(inq.ID)); n != 1 {
				t.Errorf("after a retry: %d delivery attempts, want still 1", n)
			}
			e.checkKinds(inq.ID, koban.EventReceived, koban.EventAnswered, koban.EventDelivered)
		})
	}
}

func TestAskDuplicateEvent(t *testing.T) {
	e := newEnv(t, envOpts{})
	in := Incoming{Source: koban.SourceChannel, EventID: "EvSame", Channel: helpChannel, MessageTS: "1700000500.000100", User: asker, Text: dbQuestion}
	first, created, err := e.desk.Ask(e.ctx, in)
	if err != nil || !created {
		t.Fatalf("Ask = created %v, %v; want a new inquiry", created, err)
	}
	if first.ThreadTS != in.MessageTS {
		t.Errorf("ThreadTS = %q, want the message ts %q for a top-level message", first.ThreadTS, in.MessageTS)
	}
	again, created, err := e.desk.Ask(e.ctx, in)
	if err != nil || created || again.ID != first.ID {
		t.Fatalf("Ask with the same event id = (inquiry %d, created %v, %v), want (inquiry %d, false, nil)", again.ID, created, err, first.ID)
	}
	e.checkKinds(first.ID, koban.EventReceived)
}

func TestProcessTransientDeliveryFailure(t *testing.T) {
	e := newEnv(t, envOpts{})
	inq := e.ask(dbQuestion)
	e.rep.failNext(errTransient)

	err := e.desk.Process(e.ctx, inq.ID, 1)
	if !errors.Is(err, errTransient) {
		t.Fatalf("Process = %v, want the delivery error so that the job is retried", err)
	}
	if got := e.inquiry(inq.ID); got.State != koban.StateAnswered || got.Failure != "" {
		t.Errorf("after the failure: state %s, Failure %q; want the decision kept (answered) and no failure recorded", got.State, got.Failure)
	}
	e.checkKinds(inq.ID, koban.EventReceived, koban.EventAnswered)

	// The retry comes later; the answer must be the one decided, not a new one.
	e.clock.Advance(30 * time.Second)
	if err := e.desk.Process(e.ctx, inq.ID, 2); err != nil {
		t.Fatalf("Process retry: %v", err)
	}
	evs := e.checkKinds(inq.ID, koban.EventReceived, koban.EventAnswered, koban.EventDelivered)
	tried := e.rep.tried(inq.ID)
	if len(tried) != 2 || tried[0].Err == nil || tried[1].Err != nil {
		t.Fatalf("delivery attempts = %+v, want a failed one then a successful one", tried)
	}
	if !reflect.DeepEqual(tried[0].Reply, tried[1].Reply) {
		t.Errorf("retry delivered another reply:\nfirst  %+v\nretry  %+v", tried[0].Reply, tried[1].Reply)
	}
	recorded, err := ReplyOf(evs[1])
	if err != nil {
		t.Fatalf("ReplyOf(answered event): %v", err)
	}
	if !reflect.DeepEqual(recorded, tried[1].Reply) {
		t.Errorf("delivered reply differs from the recorded one:\nrecorded  %+v\ndelivered %+v", recorded, tried[1].Reply)
	}

	// A third run finds nothing to do.
	if err := e.desk.Process(e.ctx, inq.ID, 3); err != nil {
		t.Fatalf("Process third run: %v", err)
	}
	if n := len(e.rep.delivered(inq.ID)); n != 1 {
		t.Errorf("%d successful deliveries, want exactly 1", n)
	}
}

func TestProcessUndeliverable(t *testing.T) {
	e := newEnv(t, envOpts{})
	inq := e.ask(dbQuestion)
	e.rep.failNext(fmt.Errorf("post message: channel_is_archived: %w", ErrUndeliverable))

	if err := e.desk.Process(e.ctx, inq.ID, 1); err != nil {
		t.Fatalf("Process = %v, want nil: an undeliverable reply is recorded, not retried", err)
	}
	got := e.inquiry(inq.ID)
	if !strings.Contains(got.Failure, "channel_is_archived") {
		t.Errorf("Failure = %q, want the delivery error", got.Failure)
	}
	if got.State != koban.StateAnswered {
		t.Errorf("state = %s, want answered (the decision stands)", got.State)
	}
	evs := e.checkKinds(inq.ID, koban.EventReceived, koban.EventAnswered, koban.EventDeliveryFailed)
	if evs[2].Data["reply_event"] != fmt.Sprint(evs[1].ID) || !strings.Contains(evs[2].Data["error"], "undeliverable") {
		t.Errorf("delivery-failed data = %v, want reply_event %d and the error", evs[2].Data, evs[1].ID)
	}

	// A rerun does not try again.
	if err := e.desk.Process(e.ctx, inq.ID, 2); err != nil {
		t.Fatalf("Process again: %v", err)
	}
	if n := len(e.rep.tried(inq.ID)); n != 1 {
		t.Errorf("%d delivery attempts, want 1 (no retry loop)", n)
	}
}

func TestProcessEscalatesPlatformRequests(t *testing.T) {
	onCall := koban.Escalation{Rotation: "platform-primary", OnCall: "UONCALL"}
	tests := []struct {
		name   string
		router *fixedRouter     // nil: no router configured
		want   koban.Escalation // Reason aside
	}{
		{"no router", nil, koban.Escalation{Group: fallbackGroup}},
		{"on-call", &fixedRouter{esc: onCall}, onCall},
		{"router finds nobody", &fixedRouter{}, koban.Escalation{Group: fallbackGroup}},
		{"router fails", &fixedRouter{err: koban.Errorf(koban.EUnavailable, "schedule not loaded")}, koban.Escalation{Group: fallbackGroup}},
	}
	for _, question := range []string{adminRequest, namespaceRequest} {
		for _, tt := range tests {
			t.Run(question+"/"+tt.name, func(t *testing.T) {
				o := envOpts{}
				var router *fixedRouter
				if tt.router != nil {
					router = &fixedRouter{esc: tt.router.esc, err: tt.router.err}
					o.router = router
				}
				e := newEnv(t, o)
				inq := e.process(e.ask(question).ID)

				if inq.State != koban.StateEscalated {
					t.Fatalf("state = %s, want escalated", inq.State)
				}
				if inq.Predicted.Category != koban.PlatformOnly {
					t.Errorf("Predicted = %s, want platform-only", inq.Predicted)
				}
				if inq.Assignee != tt.want.OnCall || inq.Rotation != tt.want.Rotation {
					t.Errorf("Assignee %q, Rotation %q; want %q, %q", inq.Assignee, inq.Rotation, tt.want.OnCall, tt.want.Rotation)
				}
				if len(inq.Citations) != 0 {
					t.Errorf("Citations = %v, want none for an escalation", inq.Citations)
				}
				if inq.FirstResponseAt.IsZero() {
					t.Error("FirstResponseAt unset: the escalation notice is koban's first response")
				}
				evs := e.checkKinds(inq.ID, koban.EventReceived, koban.EventEscalated, koban.EventDelivered)
				if evs[1].Data["oncall"] != tt.want.OnCall || evs[1].Data["group"] != tt.want.Group {
					t.Errorf("escalated event data = %v, want oncall %q group %q", evs[1].Data, tt.want.OnCall, tt.want.Group)
				}
				reps := e.rep.delivered(inq.ID)
				if len(reps) != 1 {
					t.Fatalf("%d deliveries, want 1", len(reps))
				}
				r := reps[0]
				// The sample docs have pages about access and namespaces:
				// they may be suggested to the asker, but the on-call is
				// brought in either way.
				if r.Kind != koban.EventEscalated || (r.Triage.Decision != koban.DecideEscalate && r.Triage.Decision != koban.DecideSuggest) {
					t.Errorf("reply kind %s decision %s, want an escalation", r.Kind, r.Triage.Decision)
				}
				want := tt.want
				want.Reason = "needs the platform team"
				if r.Escalation != want {
					t.Errorf("reply escalation = %+v, want %+v", r.Escalation, want)
				}
				if router != nil && !slices.Equal(router.domains, []koban.Domain{inq.Domain}) {
					t.Errorf("router asked about domains %v, want [%s]", router.domains, inq.Domain)
				}
			})
		}
	}
}

// answered asks the database question and processes it, failing unless koban answers.
func (e *env) answered() *koban.Inquiry {
	e.t.Helper()
	inq := e.process(e.ask(dbQuestion).ID)
	if inq.State != koban.StateAnswered {
		e.t.Fatalf("%q: state %s, want answered", dbQuestion, inq.State)
	}
	return inq
}

// escalated asks a platform request and processes it, failing unless koban escalates.
func (e *env) escalated() *koban.Inquiry {
	e.t.Helper()
	inq := e.process(e.ask(adminRequest).ID)
	if inq.State != koban.StateEscalated {
		e.t.Fatalf("%q: state %s, want escalated", adminRequest, inq.State)
	}
	return inq
}

func TestButtons(t *testing.T) {
	answeredLabel := koban.Label{Category: koban.SelfSolvable, Detail: koban.DetailAnswered}

	t.Run("solved", func(t *testing.T) {
		e := newEnv(t, envOpts{})
		inq := e.answered()
		at := e.clock.Now()
		got, err := e.desk.Solved(e.ctx, inq.ID, asker)
		if err != nil {
			t.Fatalf("Solved: %v", err)
		}
		if got.State != koban.StateResolved || got.Final != answeredLabel || !got.ResolvedAt.Equal(at) {
			t.Errorf("after Solved: state %s, Final %s, ResolvedAt %v; want resolved, %s, %v", got.State, got.Final, got.ResolvedAt, answeredLabel, at)
		}
		if stored := e.inquiry(inq.ID); stored.Final != answeredLabel || stored.Label() != answeredLabel {
			t.Errorf("stored Final %s, Label() %s; want %s", stored.Final, stored.Label(), answeredLabel)
		}
		evs := e.checkKinds(inq.ID, koban.EventReceived, koban.EventAnswered, koban.EventDelivered, koban.EventResolved)
		if ev := evs[3]; ev.Actor != asker || ev.Data["feedback"] != "solved" {
			t.Errorf("resolved event by %s with %v, want by the asker with feedback solved", ev.Actor, ev.Data)
		}
		if n := e.rep.resolvedCount(inq.ID); n != 1 {
			t.Errorf("conversation marked resolved %d times, want 1", n)
		}
	})

	t.Run("solved after escalation keeps the label open", func(t *testing.T) {
		e := newEnv(t, envOpts{})
		inq := e.escalated()
		got, err := e.desk.Solved(e.ctx, inq.ID, asker)
		if err != nil {
			t.Fatalf("Solved: %v", err)
		}
		// koban did not answer it: the docs answering it is not confirmed.
		if got.State != koban.StateResolved || !got.Final.IsZero() {
			t.Errorf("after Solved: state %s, Final %s; want resolved with no human label", got.State, got.Final)
		}
	})

	t.Run("need a human on an answered inquiry", func(t *testing.T) {
		e := newEnv(t, envOpts{})
		inq := e.answered()
		got, err := e.desk.NeedHuman(e.ctx, inq.ID, asker)
		if err != nil {
			t.Fatalf("NeedHuman: %v", err)
		}
		if got.State != koban.StateEscalated || got.Predicted != answeredLabel {
			t.Errorf("after NeedHuman: state %s, Predicted %s; want escalated, prediction kept (%s)", got.State, got.Predicted, answeredLabel)
		}
		evs := e.checkKinds(inq.ID, koban.EventReceived, koban.EventAnswered, koban.EventDelivered, koban.EventEscalated, koban.EventDelivered)
		if ev := evs[3]; ev.Actor != asker || ev.Data["feedback"] != "need-human" {
			t.Errorf("escalated event by %s with %v, want by the asker with feedback need-human", ev.Actor, ev.Data)
		}
		if evs[4].Data["reply_event"] != fmt.Sprint(evs[3].ID) {
			t.Errorf("last delivered event is for event %s, want the escalation %d", evs[4].Data["reply_event"], evs[3].ID)
		}
		reps := e.rep.delivered(inq.ID)
		if len(reps) != 2 || reps[1].Kind != koban.EventEscalated {
			t.Fatalf("deliveries = %d, want the answer then the escalation", len(reps))
		}
		want := koban.Escalation{Group: fallbackGroup, Reason: "the asker asked for a human"}
		if reps[1].Escalation != want {
			t.Errorf("escalation delivered = %+v, want %+v", reps[1].Escalation, want)
		}
		// The job, run again, has nothing to add.
		e.process(inq.ID)
		if n := len(e.rep.tried(inq.ID)); n != 2 {
			t.Errorf("%d delivery attempts after a rerun, want 2", n)
		}
	})

	t.Run("docs wrong", func(t *testing.T) {
		e := newEnv(t, envOpts{router: &fixedRouter{esc: koban.Escalation{Rotation: "platform-primary", OnCall: "UONCALL"}}})
		inq := e.answered()
		const note = "the page says size M but the form only offers S and L"
		got, err := e.desk.DocsWrong(e.ctx, inq.ID, asker, note)
		if err != nil {
			t.Fatalf("DocsWrong: %v", err)
		}
		// koban's prediction stays koban's: what the asker says is kept
		// apart, so that bot accuracy in the report is real.
		if got.State != koban.StateEscalated || got.Predicted != inq.Predicted || got.Predicted.IsZero() || !got.Final.IsZero() || got.Assignee != "UONCALL" {
			t.Errorf("after DocsWrong: state %s, Predicted %s, Final %s, Assignee %q; want escalated, %s (unchanged), no human label, UONCALL",
				got.State, got.Predicted, got.Final, got.Assignee, inq.Predicted)
		}
		evs := e.checkKinds(inq.ID, koban.EventReceived, koban.EventAnswered, koban.EventDelivered, koban.EventEscalated, koban.EventDelivered)
		if d := evs[3].Data; d["feedback"] != "docs-wrong" || d["note"] != note || d["asker_label"] != "docs-missing" || d["category"] != inq.Predicted.String() {
			t.Errorf("escalated event data = %v, want feedback docs-wrong, the note, asker_label docs-missing and koban's category", d)
		}
		reps := e.rep.delivered(inq.ID)
		if len(reps) != 2 || reps[1].Triage.Label != inq.Predicted || reps[1].Escalation.OnCall != "UONCALL" {
			t.Errorf("deliveries = %+v, want the answer then an escalation to UONCALL with koban's prediction", reps)
		}
	})

	for _, button := range []string{"need-human", "docs-wrong"} {
		t.Run(button+" while a human is on it", func(t *testing.T) {
			e := newEnv(t, envOpts{})
			inq := e.escalated()
			var err error
			var got *koban.Inquiry
			if button == "need-human" {
				got, err = e.desk.NeedHuman(e.ctx, inq.ID, asker)
			} else {
				got, err = e.desk.DocsWrong(e.ctx, inq.ID, asker, "")
			}
			if err != nil {
				t.Fatalf("%s: %v", button, err)
			}
			if got.State != koban.StateEscalated || got.Predicted != inq.Predicted {
				t.Errorf("state %s, Predicted %s; want unchanged (escalated, %s)", got.State, got.Predicted, inq.Predicted)
			}
			evs := e.checkKinds(inq.ID, koban.EventReceived, koban.EventEscalated, koban.EventDelivered, koban.EventFeedback)
			if ev := evs[3]; ev.Actor != asker || ev.Data["feedback"] != button {
				t.Errorf("feedback event by %s with %v, want by the asker with feedback %s", ev.Actor, ev.Data, button)
			}
			if n := len(e.rep.tried(inq.ID)); n != 1 {
				t.Errorf("%d deliveries, want 1 (no second escalation)", n)
			}
		})
	}

	t.Run("escalation delivery fails", func(t *testing.T) {
		e := newEnv(t, envOpts{})
		inq := e.answered()
		e.rep.failNext(errTransient)
		got, err := e.desk.NeedHuman(e.ctx, inq.ID, asker)
		if err != nil {
			t.Fatalf("NeedHuman = %v, want nil: the escalation is recorded even when Slack fails", err)
		}
		if got.State != koban.StateEscalated {
			t.Fatalf("state %s, want escalated", got.State)
		}
		// The inquiry's job, run again, delivers the recorded escalation.
		e.process(inq.ID)
		reps := e.rep.delivered(inq.ID)
		if len(reps) != 2 || reps[1].Kind != koban.EventEscalated {
			t.Errorf("deliveries = %d, want the answer and then, on the rerun, the escalation", len(reps))
		}
	})
}

func TestAcknowledgeAndResolve(t *testing.T) {
	e := newEnv(t, envOpts{router: &fixedRouter{esc: koban.Escalation{Rotation: "platform-primary", OnCall: "UONCALL"}}})
	inq := e.escalated()
	if inq.Assignee != "UONCALL" {
		t.Fatalf("Assignee = %q, want the routed on-call", inq.Assignee)
	}

	// Someone else on the rotation takes it.
	e.clock.Advance(5 * time.Minute)
	ackAt := e.clock.Now()
	got, err := e.desk.Acknowledge(e.ctx, inq.ID, "UCOVER")
	if err != nil {
		t.Fatalf("Acknowledge: %v", err)
	}
	if got.State != koban.StateAcknowledged || got.Assignee != "UCOVER" || !got.FirstHumanResponseAt.Equal(ackAt) {
		t.Errorf("after Acknowledge: state %s, Assignee %q, FirstHumanResponseAt %v; want acknowledged, UCOVER, %v",
			got.State, got.Assignee, got.FirstHumanResponseAt, ackAt)
	}
	if _, err := e.desk.Acknowledge(e.ctx, inq.ID, "UCOVER"); koban.ErrorCode(err) != koban.EConflict {
		t.Errorf("second Acknowledge = %v, want %s", err, koban.EConflict)
	}

	// A label that does not exist is refused, and changes nothing.
	if _, err := e.desk.Resolve(e.ctx, inq.ID, "UCOVER", Resolution{Label: koban.Label{Category: koban.DocsMissing, Detail: koban.DetailRequired}}); koban.ErrorCode(err) != koban.EInvalid {
		t.Errorf("Resolve with docs-missing/required = %v, want %s", err, koban.EInvalid)
	}
	if st := e.inquiry(inq.ID).State; st != koban.StateAcknowledged {
		t.Fatalf("after a refused Resolve: state %s, want acknowledged", st)
	}

	e.clock.Advance(20 * time.Minute)
	resolvedAt := e.clock.Now()
	label := koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailAutomationCandidate}
	r := Resolution{Label: label, Domain: "iam", Page: "how-to/request-access.md", Note: "granted for a day"}
	got, err = e.desk.Resolve(e.ctx, inq.ID, "UCOVER", r)
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	stored := e.inquiry(inq.ID)
	for _, g := range []*koban.Inquiry{got, stored} {
		if g.State != koban.StateResolved || g.Final != label || g.Domain != "iam" || g.Label() != label {
			t.Errorf("after Resolve: state %s, Final %s, Domain %s; want resolved, %s, iam", g.State, g.Final, g.Domain, label)
		}
		if !slices.Equal(g.Citations, []string{r.Page}) {
			t.Errorf("Citations = %v, want [%s]", g.Citations, r.Page)
		}
		if !g.ResolvedAt.Equal(resolvedAt) || !g.FirstHumanResponseAt.Equal(ackAt) {
			t.Errorf("ResolvedAt %v, FirstHumanResponseAt %v; want %v, %v (the ack)", g.ResolvedAt, g.FirstHumanResponseAt, resolvedAt, ackAt)
		}
	}
	evs := e.checkKinds(inq.ID, koban.EventReceived, koban.EventEscalated, koban.EventDelivered, koban.EventAcknowledged, koban.EventResolved)
	want := map[string]string{"category": label.String(), "domain": "iam", "page": r.Page, "note": r.Note}
	if ev := evs[4]; ev.Actor != "UCOVER" || !maps.Equal(ev.Data, want) {
		t.Errorf("resolved event by %s with %v, want by UCOVER with %v", ev.Actor, ev.Data, want)
	}
	if n := e.rep.resolvedCount(inq.ID); n != 1 {
		t.Errorf("conversation marked resolved %d times, want 1", n)
	}
	if n := e.tri.Learned(); n != 1 {
		t.Errorf("triage learned from %d labels, want 1", n)
	}
}

func TestResolveCitations(t *testing.T) {
	tests := []struct {
		name string
		page string
		want func(answered []string) []string
	}{
		{"no page", "", func(a []string) []string { return a }},
		{"page already cited", "how-to/request-a-database.md", func(a []string) []string { return a }},
		{"another page", "reference/quotas-and-limits.md", func(a []string) []string { return append(slices.Clone(a), "reference/quotas-and-limits.md") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envOpts{})
			inq := e.answered()
			if !slices.Contains(inq.Citations, "how-to/request-a-database.md") {
				t.Fatalf("Citations = %v, want the database page", inq.Citations)
			}
			got, err := e.desk.Resolve(e.ctx, inq.ID, "UONCALL", Resolution{Label: koban.Label{Category: koban.SelfSolvable, Detail: koban.DetailAnswered}, Page: tt.page})
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			if want := tt.want(inq.Citations); !slices.Equal(got.Citations, want) {
				t.Errorf("Citations = %v, want %v", got.Citations, want)
			}
			if got.Domain != koban.DomainOther {
				t.Errorf("Domain = %q, want %q when the resolver gives none", got.Domain, koban.DomainOther)
			}
		})
	}
}

// TestResolveTeachesTriage resolves a few similar requests with a label and
// domain that triage does not predict by itself, and checks that the next
// similar request follows the humans.
func TestResolveTeachesTriage(t *testing.T) {
	requests := []string{
		"please add my teammate alice to the payments team in the registry",
		"please add bob to the payments team in the registry",
		"please add carol to the search team in the registry",
	}
	const next = "please add dave to the billing team in the registry"
	human := koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailAutomationCandidate}
	const humanDomain koban.Domain = "iam"

	e := newEnv(t, envOpts{})
	// What triage says before any human labelled such a request.
	ans, err := e.desk.Knowledge.Answer(e.ctx, koban.Question{Text: next, Lang: "en"})
	if err != nil {
		t.Fatalf("Answer(%q): %v", next, err)
	}
	before, err := e.tri.Triage(e.ctx, koban.Question{Text: next, Lang: "en"}, ans)
	if err != nil {
		t.Fatalf("Triage(%q): %v", next, err)
	}
	if before.Label == human && before.Domain == humanDomain {
		t.Fatalf("triage already predicts %s in %s for %q: the test learns nothing", human, humanDomain, next)
	}

	for _, q := range requests {
		inq := e.process(e.ask(q).ID)
		if inq.State != koban.StateEscalated {
			t.Fatalf("%q: state %s, want escalated", q, inq.State)
		}
		if _, err := e.desk.Resolve(e.ctx, inq.ID, "UONCALL", Resolution{Label: human, Domain: humanDomain}); err != nil {
			t.Fatalf("Resolve(%q): %v", q, err)
		}
	}
	if n := e.tri.Learned(); n != len(requests) {
		t.Fatalf("triage learned from %d labels, want %d", n, len(requests))
	}

	got := e.process(e.ask(next).ID)
	if got.Predicted != human || got.Domain != humanDomain {
		t.Errorf("%q after %d resolutions: Predicted %s in %s, want %s in %s (before: %s in %s)",
			next, len(requests), got.Predicted, got.Domain, human, humanDomain, before.Label, before.Domain)
	}
	if got.State != koban.StateEscalated {
		t.Errorf("state = %s, want escalated (a platform-only request)", got.State)
	}
}

func TestFollowUp(t *testing.T) {
	t.Run("asker asks again on an answered inquiry", func(t *testing.T) {
		e := newEnv(t, envOpts{})
		inq := e.answered()
		got, err := e.followUp(inq, asker, "EvF1", "And how do I pick the size of the database?")
		if err != nil {
			t.Fatalf("FollowUp: %v", err)
		}
		if got.ID != inq.ID || got.State != koban.StateAnswered {
			t.Errorf("FollowUp = inquiry %d in %s, want inquiry %d still answered", got.ID, got.State, inq.ID)
		}
		e.process(inq.ID)
		evs := e.checkKinds(inq.ID, koban.EventReceived, koban.EventAnswered, koban.EventDelivered,
			koban.EventFollowUp, koban.EventAnswered, koban.EventDelivered)
		if evs[3].Actor != asker || evs[3].Data["text"] != "And how do I pick the size of the database?" || evs[3].Data["event_id"] != "EvF1" {
			t.Errorf("follow-up event by %s with %v", evs[3].Actor, evs[3].Data)
		}
		if evs[5].Data["reply_event"] != fmt.Sprint(evs[4].ID) {
			t.Errorf("second delivery is for event %s, want the second answer %d", evs[5].Data["reply_event"], evs[4].ID)
		}
		reps := e.rep.delivered(inq.ID)
		if len(reps) != 2 || reps[0].Kind != koban.EventAnswered || reps[1].Kind != koban.EventAnswered {
			t.Fatalf("deliveries = %d, want two answers", len(reps))
		}
		// Read in the context of the thread, the follow-up is still about databases.
		if !slices.Contains(citedPaths(reps[1].Answer.Citations), "how-to/request-a-database.md") {
			t.Errorf("second answer cites %v, want the database page", citedPaths(reps[1].Answer.Citations))
		}

		// Slack delivers the same message again.
		if _, err := e.followUp(inq, asker, "EvF1", "And how do I pick the size of the database?"); err != nil {
			t.Fatalf("repeated FollowUp: %v", err)
		}
		e.process(inq.ID)
		if got := kinds(e.events(inq.ID)); len(got) != len(evs) {
			t.Errorf("after a repeated follow-up: events %v, want the %d there were", got, len(evs))
		}
		if n := len(e.rep.tried(inq.ID)); n != 2 {
			t.Errorf("%d deliveries after a repeated follow-up, want 2", n)
		}
	})

	t.Run("someone else replies", func(t *testing.T) {
		e := newEnv(t, envOpts{})
		inq := e.escalated()
		at := e.clock.Now()
		got, err := e.followUp(inq, "UPEER", "EvH1", "I had the same problem, ask in #iam")
		if err != nil {
			t.Fatalf("FollowUp: %v", err)
		}
		if got.State != koban.StateEscalated || !got.FirstHumanResponseAt.Equal(at) {
			t.Errorf("after a human reply: state %s, FirstHumanResponseAt %v; want escalated, %v", got.State, got.FirstHumanResponseAt, at)
		}
		evs := e.checkKinds(inq.ID, koban.EventReceived, koban.EventEscalated, koban.EventDelivered, koban.EventHumanReplied)
		if evs[3].Actor != "UPEER" {
			t.Errorf("human-replied actor = %s, want UPEER", evs[3].Actor)
		}
		// A second reply keeps the first response time.
		if got, err = e.followUp(inq, "UONCALL", "EvH2", "looking"); err != nil {
			t.Fatalf("FollowUp: %v", err)
		}
		if !got.FirstHumanResponseAt.Equal(at) {
			t.Errorf("FirstHumanResponseAt = %v after a second reply, want %v", got.FirstHumanResponseAt, at)
		}
		e.process(inq.ID)
		if n := len(e.rep.tried(inq.ID)); n != 1 {
			t.Errorf("%d deliveries, want 1: human replies need no reply from koban", n)
		}
	})

	t.Run("asker writes while a human has it", func(t *testing.T) {
		e := newEnv(t, envOpts{})
		inq := e.escalated()
		got, err := e.followUp(inq, asker, "EvW1", "it is for the payments-api service account")
		if err != nil {
			t.Fatalf("FollowUp: %v", err)
		}
		if got.State != koban.StateEscalated || !got.FirstHumanResponseAt.IsZero() {
			t.Errorf("state %s, FirstHumanResponseAt %v; want escalated, unset", got.State, got.FirstHumanResponseAt)
		}
		e.process(inq.ID)
		e.checkKinds(inq.ID, koban.EventReceived, koban.EventEscalated, koban.EventDelivered, koban.EventFollowUp)
	})

	t.Run("asker writes after resolution", func(t *testing.T) {
		e := newEnv(t, envOpts{})
		inq := e.answered()
		if _, err := e.desk.Solved(e.ctx, inq.ID, asker); err != nil {
			t.Fatalf("Solved: %v", err)
		}
		got, err := e.followUp(inq, asker, "EvR1", "How do I roll back a deployment?")
		if err != nil {
			t.Fatalf("FollowUp: %v", err)
		}
		if got.State != koban.StateReopened {
			t.Fatalf("state = %s, want reopened", got.State)
		}
		got = e.process(inq.ID)
		if got.State != koban.StateAnswered || !slices.Contains(got.Citations, "how-to/roll-back-a-deployment.md") {
			t.Errorf("after processing the reopened inquiry: state %s, Citations %v; want answered citing the roll-back page", got.State, got.Citations)
		}
		evs := e.checkKinds(inq.ID, koban.EventReceived, koban.EventAnswered, koban.EventDelivered, koban.EventResolved,
			koban.EventReopened, koban.EventAnswered, koban.EventDelivered)
		if evs[4].Actor != asker || evs[4].Data["text"] != "How do I roll back a deployment?" {
			t.Errorf("reopened event by %s with %v", evs[4].Actor, evs[4].Data)
		}
		if n := len(e.rep.delivered(inq.ID)); n != 2 {
			t.Errorf("%d deliveries, want 2", n)
		}
	})

	t.Run("reopened without words", func(t *testing.T) {
		// A file or an emoji alone after resolution still reopens the
		// inquiry, and someone has to look at it.
		e := newEnv(t, envOpts{})
		inq := e.answered()
		if _, err := e.desk.Solved(e.ctx, inq.ID, asker); err != nil {
			t.Fatalf("Solved: %v", err)
		}
		if _, err := e.followUp(inq, asker, "EvR2", ""); err != nil {
			t.Fatalf("FollowUp: %v", err)
		}
		got := e.process(inq.ID)
		if got.State != koban.StateEscalated {
			t.Errorf("state = %s, want escalated: a reopened inquiry must not wait for nobody", got.State)
		}
		reps := e.rep.delivered(inq.ID)
		if len(reps) != 2 || reps[1].Kind != koban.EventEscalated {
			t.Errorf("deliveries = %d, want the answer and then an escalation", len(reps))
		}
	})

	t.Run("untracked thread", func(t *testing.T) {
		e := newEnv(t, envOpts{})
		_, err := e.desk.FollowUp(e.ctx, Incoming{Source: koban.SourceChannel, Channel: helpChannel, ThreadTS: "1600000000.000100", User: asker, Text: "hello?"})
		if koban.ErrorCode(err) != koban.ENotFound {
			t.Errorf("FollowUp in an untracked thread = %v, want %s", err, koban.ENotFound)
		}
	})

	t.Run("follow-up before the first answer", func(t *testing.T) {
		e := newEnv(t, envOpts{})
		inq := e.ask(dbQuestion)
		if _, err := e.followUp(inq, asker, "EvB1", "it is for the orders service, postgres please"); err != nil {
			t.Fatalf("FollowUp: %v", err)
		}
		// Two jobs are queued (the question's and the follow-up's); the
		// first one answers both messages at once, the second finds nothing.
		e.process(inq.ID)
		e.process(inq.ID)
		got := kinds(e.events(inq.ID))
		decided := slices.ContainsFunc(got, func(k koban.EventKind) bool { return k == koban.EventAnswered || k == koban.EventEscalated })
		if len(got) != 4 || got[1] != koban.EventFollowUp || !decided || got[3] != koban.EventDelivered {
			t.Errorf("events = %v, want received, follow-up, one decision (answered or escalated), delivered", got)
		}
		if n := len(e.rep.tried(inq.ID)); n != 1 {
			t.Errorf("%d deliveries, want 1", n)
		}
	})
}

func TestRedaction(t *testing.T) {
	// Well-known token prefixes are split with + so that this file does not
	// itself trip secret scanners.
	tests := []struct {
		name, text, secret string
	}{
		{"aws access key", "Our CI fails with AccessDenied, the key is {} — is it deactivated?", "AKIA" + "HBRPOIGF3CBFNOBM"},
		{"slack bot token", "our app posts with {} but gets not_in_channel, how do I fix it?", "xox" + "b-1234567890123-1234567890123-zren68K4TunPFz46PDjqipVJ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envOpts{})
			text := strings.ReplaceAll(tt.text, "{}", tt.secret)
			inq := e.ask(text)
			if strings.Contains(inq.Text, tt.secret) || inq.Redactions == 0 {
				t.Fatalf("Ask stored %q with %d redactions, want the secret masked", inq.Text, inq.Redactions)
			}
			if _, err := e.followUp(inq, asker, "EvS1", "also tried "+tt.secret); err != nil {
				t.Fatalf("FollowUp: %v", err)
			}
			e.process(inq.ID)
			stored := e.inquiry(inq.ID)
			if strings.Contains(stored.Text, tt.secret) || stored.Redactions != inq.Redactions {
				t.Errorf("stored Text %q, Redactions %d; want masked, %d", stored.Text, stored.Redactions, inq.Redactions)
			}
			for _, ev := range e.events(inq.ID) {
				for k, v := range ev.Data {
					if strings.Contains(v, tt.secret) {
						t.Errorf("%s event data %q holds the secret", ev.Kind, k)
					}
				}
				if ev.Kind == koban.EventFollowUp && ev.Data["redactions"] != "1" {
					t.Errorf("follow-up redactions = %q, want 1", ev.Data["redactions"])
				}
			}
			for _, d := range e.rep.tried(inq.ID) {
				if s := fmt.Sprintf("%+v", d.Reply); strings.Contains(s, tt.secret) {
					t.Errorf("delivered reply holds the secret: %s", s)
				}
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	long := strings.Repeat("my deploy is stuck and I do not know why ", 1300)[:50000]
	tests := []struct{ name, text string }{
		{"empty", ""},
		{"blank", " \n\t "},
		{"emoji only", "🙏🙏🙏"},
		{"slack emoji codes", ":pray: :fire:"},
		{"50,000 characters", long},
		{"go stack trace", "panic: runtime error: invalid memory address or nil pointer dereference\n" +
			"[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a2b3c]\n\n" +
			"goroutine 1 [running]:\nmain.main()\n\t/app/main.go:12 +0x1c\n"},
		{"java stack trace", "java.lang.NullPointerException: Cannot invoke \"String.length()\"\n" +
			"\tat com.example.orders.Handler.handle(Handler.java:42)\n" +
			"\tat com.example.orders.Server.lambda$route$0(Server.java:88)\n" +
			"\tat java.base/java.lang.Thread.run(Thread.java:1583)\n"},
		{"invalid utf-8", "\xff\xfe\xfd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envOpts{})
			inq := e.ask(tt.text)
			got := e.process(inq.ID)
			if got.State != koban.StateEscalated {
				t.Errorf("state = %s (Predicted %s, confidence %.2f), want escalated", got.State, got.Predicted, got.Confidence)
			}
			if got.Predicted.IsZero() || got.Domain == "" {
				t.Errorf("Predicted %q, Domain %q: want a triage even for unreadable input", got.Predicted, got.Domain)
			}
			e.checkKinds(inq.ID, koban.EventReceived, koban.EventEscalated, koban.EventDelivered)
			if reps := e.rep.delivered(inq.ID); len(reps) != 1 || reps[0].Escalation.Group != fallbackGroup {
				t.Errorf("deliveries = %+v, want one escalation to %s", reps, fallbackGroup)
			}
		})
	}
}

func TestAutoClose(t *testing.T) {
	const after = 72 * time.Hour
	e := newEnv(t, envOpts{autoClose: after})
	stale := e.answered()
	staleEsc := e.escalated()
	e.clock.Advance(48 * time.Hour)
	fresh := e.answered()
	resolved := e.answered()
	if _, err := e.desk.Solved(e.ctx, resolved.ID, asker); err != nil {
		t.Fatalf("Solved: %v", err)
	}
	e.clock.Advance(26 * time.Hour) // stale: 74h of silence; fresh: 26h
	now := e.clock.Now()

	open, err := e.store.OpenInquiries(e.ctx)
	if err != nil {
		t.Fatalf("OpenInquiries: %v", err)
	}
	closed, err := e.desk.AutoClose(e.ctx, now, open)
	if err != nil || closed != 1 {
		t.Fatalf("AutoClose = %d, %v; want 1, nil", closed, err)
	}
	tests := []struct {
		inq  *koban.Inquiry
		want koban.State
	}{
		{stale, koban.StateResolved},
		{staleEsc, koban.StateEscalated},
		{fresh, koban.StateAnswered},
		{resolved, koban.StateResolved},
	}
	for _, tt := range tests {
		if got := e.inquiry(tt.inq.ID); got.State != tt.want {
			t.Errorf("inquiry %d (%s) after AutoClose: state %s, want %s", tt.inq.ID, tt.inq.Text, got.State, tt.want)
		}
	}
	got := e.inquiry(stale.ID)
	if !got.ResolvedAt.Equal(now) || !got.Final.IsZero() {
		t.Errorf("auto-closed: ResolvedAt %v, Final %s; want %v and no human label", got.ResolvedAt, got.Final, now)
	}
	evs := e.checkKinds(stale.ID, koban.EventReceived, koban.EventAnswered, koban.EventDelivered, koban.EventAutoClosed)
	if ev := evs[3]; ev.Actor != koban.ActorKoban || ev.Data["silent_for"] != "74h0m0s" {
		t.Errorf("auto-closed event by %s with %v, want by koban, silent_for 74h0m0s", ev.Actor, ev.Data)
	}
	if kinds := kinds(e.events(fresh.ID)); slices.Contains(kinds, koban.EventAutoClosed) {
		t.Errorf("fresh inquiry events = %v, want no auto-close", kinds)
	}

	// Run again: nothing more to close.
	if open, err = e.store.OpenInquiries(e.ctx); err != nil {
		t.Fatalf("OpenInquiries: %v", err)
	}
	if closed, err := e.desk.AutoClose(e.ctx, now, open); err != nil || closed != 0 {
		t.Errorf("second AutoClose = %d, %v; want 0, nil", closed, err)
	}

	// Disabled, it closes nothing.
	off := newEnv(t, envOpts{})
	old := off.answered()
	off.clock.Advance(365 * 24 * time.Hour)
	if closed, err := off.desk.AutoClose(off.ctx, off.clock.Now(), []koban.Inquiry{*off.inquiry(old.ID)}); err != nil || closed != 0 {
		t.Errorf("AutoClose with AutoCloseAfter 0 = %d, %v; want 0, nil", closed, err)
	}
	if st := off.inquiry(old.ID).State; st != koban.StateAnswered {
		t.Errorf("state = %s, want answered", st)
	}
}

func TestIllegalTransitions(t *testing.T) {
	tests := []struct {
		name     string
		setup    func(e *env) *koban.Inquiry
		act      func(e *env, id int64) error
		from, to koban.State
		want     string // what the person reads
		wantJA   string // what a person whose Slack is in Japanese reads
	}{
		{"acknowledge an answered inquiry", (*env).answered,
			func(e *env, id int64) error { _, err := e.desk.Acknowledge(e.ctx, id, "UONCALL"); return err },
			koban.StateAnswered, koban.StateAcknowledged, "has not been brought to the on-call, so there is nothing to acknowledge",
			"はオンコール担当者に届いていないため、対応するものがありません。"},
		{"acknowledge a received inquiry", func(e *env) *koban.Inquiry { return e.ask(dbQuestion) },
			func(e *env, id int64) error { _, err := e.desk.Acknowledge(e.ctx, id, "UONCALL"); return err },
			koban.StateReceived, koban.StateAcknowledged, "nothing to acknowledge", "*人に相談したい* を使ってください"},
		{"acknowledge an acknowledged inquiry", func(e *env) *koban.Inquiry {
			inq := e.escalated()
			if _, err := e.desk.Acknowledge(e.ctx, inq.ID, "UONCALL"); err != nil {
				e.t.Fatalf("Acknowledge: %v", err)
			}
			return inq
		},
			func(e *env, id int64) error { _, err := e.desk.Acknowledge(e.ctx, id, "UONCALL"); return err },
			koban.StateAcknowledged, koban.StateAcknowledged, "Already acknowledged by <@UONCALL>.", "<@UONCALL> さんによりすでに対応中です。"},
		{"solve a resolved inquiry", func(e *env) *koban.Inquiry {
			inq := e.answered()
			if _, err := e.desk.Solved(e.ctx, inq.ID, asker); err != nil {
				e.t.Fatalf("Solved: %v", err)
			}
			return inq
		},
			func(e *env, id int64) error { _, err := e.desk.Solved(e.ctx, id, asker); return err },
			koban.StateResolved, koban.StateResolved, "is already resolved by <@" + asker + ">.", "は<@" + asker + "> さんによりすでに解決済みです。"},
		{"need a human on a resolved inquiry", func(e *env) *koban.Inquiry {
			inq := e.escalated()
			if _, err := e.desk.Resolve(e.ctx, inq.ID, "UONCALL", Resolution{Label: koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailRequired}}); err != nil {
				e.t.Fatalf("Resolve: %v", err)
			}
			return inq
		},
			func(e *env, id int64) error { _, err := e.desk.NeedHuman(e.ctx, id, asker); return err },
			koban.StateResolved, koban.StateEscalated, "is already resolved by <@UONCALL>.", "は<@UONCALL> さんによりすでに解決済みです。"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envOpts{})
			inq := tt.setup(e)
			before := e.events(inq.ID)
			err := tt.act(e, inq.ID)
			if koban.ErrorCode(err) != koban.EConflict {
				t.Fatalf("error = %v, want %s", err, koban.EConflict)
			}
			msg := koban.ErrorMessage(err)
			if !strings.Contains(msg, tt.want) || strings.Contains(msg, "cannot go from") {
				t.Errorf("message %q, want it to say %q in words", msg, tt.want)
			}
			if ja := koban.ErrorText("ja", err); !strings.Contains(ja, tt.wantJA) {
				t.Errorf("Japanese message %q, want it to say %q", ja, tt.wantJA)
			}
			if st := e.inquiry(inq.ID).State; st != tt.from {
				t.Errorf("state = %s after a refused move, want %s", st, tt.from)
			}
			if after := e.events(inq.ID); len(after) != len(before) {
				t.Errorf("events %v after a refused move, want %v", kinds(after), kinds(before))
			}
		})
	}
}

// TestJobRunner runs the whole path through the store's job runner: Ask
// enqueues the job in the same transaction as the inquiry, the runner calls
// Process, a transient delivery failure is retried, and a follow-up
// enqueues the next job.
func TestJobRunner(t *testing.T) {
	e := newEnv(t, envOpts{})
	e.rep.failNext(errTransient)
	e.startJobs()

	answer := e.ask(dbQuestion)
	escalation := e.ask(adminRequest)
	e.waitDeliveries(answer.ID, 1)
	e.waitDeliveries(escalation.ID, 1)

	failed := 0
	for _, inq := range []*koban.Inquiry{answer, escalation} {
		for _, d := range e.rep.tried(inq.ID) {
			if d.Err != nil {
				failed++
			}
		}
	}
	if failed != 1 {
		t.Errorf("%d failed delivery attempts, want the 1 injected", failed)
	}
	if st := e.inquiry(answer.ID).State; st != koban.StateAnswered {
		t.Errorf("%q: state %s, want answered", dbQuestion, st)
	}
	if st := e.inquiry(escalation.ID).State; st != koban.StateEscalated {
		t.Errorf("%q: state %s, want escalated", adminRequest, st)
	}

	// A follow-up in the thread is answered by the next job.
	if _, err := e.followUp(answer, asker, "EvJ1", "And how do I pick the size of the database?"); err != nil {
		t.Fatalf("FollowUp: %v", err)
	}
	e.waitDeliveries(answer.ID, 2)

	// Let the runner settle, then check nothing was delivered twice.
	time.Sleep(200 * time.Millisecond)
	for _, c := range []struct {
		inq  *koban.Inquiry
		want int
	}{{answer, 2}, {escalation, 1}} {
		if n := len(e.rep.delivered(c.inq.ID)); n != c.want {
			t.Errorf("inquiry %d: %d deliveries, want %d", c.inq.ID, n, c.want)
		}
		if n := len(ofKind(e.events(c.inq.ID), koban.EventDelivered)); n != c.want {
			t.Errorf("inquiry %d: %d delivered events, want %d", c.inq.ID, n, c.want)
		}
	}
}

// TestNeedHumanDeliveryRetried: when the escalation cannot be posted while
// the asker waits, the inquiry's job posts it.
func TestNeedHumanDeliveryRetried(t *testing.T) {
	e := newEnv(t, envOpts{})
	e.startJobs()
	inq := e.ask(dbQuestion)
	e.waitDeliveries(inq.ID, 1)

	e.rep.failNext(errTransient, errTransient)
	got, err := e.desk.NeedHuman(e.ctx, inq.ID, asker)
	if err != nil {
		t.Fatalf("NeedHuman: %v", err)
	}
	if got.State != koban.StateEscalated {
		t.Errorf("after NeedHuman: state %s, want escalated", got.State)
	}
	e.waitDeliveries(inq.ID, 2)
	time.Sleep(200 * time.Millisecond) // nothing more may come
	tried := e.rep.tried(inq.ID)
	if len(tried) != 4 {
		t.Errorf("%d delivery attempts, want 4 (answer, 2 failed escalations, the job's)", len(tried))
	}
	if last := tried[len(tried)-1]; last.Err != nil || last.Reply.Kind != koban.EventEscalated {
		t.Errorf("last delivery: %s, err %v; want the escalation, delivered", last.Reply.Kind, last.Err)
	}
	if n := len(ofKind(e.events(inq.ID), koban.EventDelivered)); n != 2 {
		t.Errorf("%d delivered events, want 2 (the answer and the escalation)", n)
	}
}

// startJobs runs the desk's jobs with short waits until the test ends.
func (e *env) startJobs() {
	e.t.Helper()
	err := e.store.StartJobs(e.ctx, store.Jobs{
		ProcessInquiry: e.desk.Process,
		Workers:        2,
		PollInterval:   20 * time.Millisecond,
		RetryDelay:     func(int) time.Duration { return 10 * time.Millisecond },
	})
	if err != nil {
		e.t.Fatalf("StartJobs: %v", err)
	}
	e.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := e.store.StopJobs(ctx); err != nil {
			e.t.Errorf("StopJobs: %v", err)
		}
	})
}

// waitDeliveries waits until an inquiry has n successful deliveries.
func (e *env) waitDeliveries(id int64, n int) {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for len(e.rep.delivered(id)) < n {
		if time.Now().After(deadline) {
			e.t.Fatalf("inquiry %d: %d deliveries after 20s, want %d; events %v", id, len(e.rep.delivered(id)), n, kinds(e.events(id)))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestProcessConcurrent runs several jobs of one inquiry at once, as happens
// when a follow-up's job lands on another worker or a stuck job is rescued:
// the question is decided once and the reply delivered once.
func TestProcessConcurrent(t *testing.T) {
	e := newEnv(t, envOpts{})
	for range 5 {
		inq := e.ask(dbQuestion)
		errs := make([]error, 3)
		var wg sync.WaitGroup
		for i := range errs {
			wg.Go(func() { errs[i] = e.desk.Process(e.ctx, inq.ID, 1) })
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatalf("concurrent Process: %v", err)
		}
		e.checkKinds(inq.ID, koban.EventReceived, koban.EventAnswered, koban.EventDelivered)
		if n := len(e.rep.tried(inq.ID)); n != 1 {
			t.Errorf("inquiry %d: %d deliveries, want 1", inq.ID, n)
		}
	}

	// A follow-up's job and a retry of the first one, at once.
	inq := e.answered()
	if _, err := e.followUp(inq, asker, "EvC1", "And how do I pick the size of the database?"); err != nil {
		t.Fatalf("FollowUp: %v", err)
	}
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			if err := e.desk.Process(e.ctx, inq.ID, 2); err != nil {
				t.Errorf("Process: %v", err)
			}
		})
	}
	wg.Wait()
	evs := e.events(inq.ID)
	if n, m := len(ofKind(evs, koban.EventAnswered)), len(ofKind(evs, koban.EventDelivered)); n != 2 || m != 2 {
		t.Errorf("events %v: %d answers and %d deliveries, want 2 and 2", kinds(evs), n, m)
	}
	if n := len(e.rep.tried(inq.ID)); n != 2 {
		t.Errorf("%d deliveries, want 2", n)
	}
}

// TestPostgres runs the core of the workflow on PostgreSQL: an answer
// delivered after a transient failure, concurrent jobs, an escalation
// acknowledged and resolved.
func TestPostgres(t *testing.T) {
	e := newEnv(t, envOpts{dbURL: pgtest.URL(t), router: &fixedRouter{esc: koban.Escalation{Rotation: "platform-primary", OnCall: "UONCALL"}}})

	inq := e.ask(dbQuestion)
	e.rep.failNext(errTransient)
	if err := e.desk.Process(e.ctx, inq.ID, 1); !errors.Is(err, errTransient) {
		t.Fatalf("Process = %v, want the delivery error", err)
	}
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			if err := e.desk.Process(e.ctx, inq.ID, 2); err != nil {
				t.Errorf("Process retry: %v", err)
			}
		})
	}
	wg.Wait()
	e.checkKinds(inq.ID, koban.EventReceived, koban.EventAnswered, koban.EventDelivered)
	if n := len(e.rep.delivered(inq.ID)); n != 1 {
		t.Errorf("%d deliveries, want 1", n)
	}

	esc := e.escalated()
	if esc.Assignee != "UONCALL" {
		t.Errorf("Assignee = %q, want UONCALL", esc.Assignee)
	}
	if _, err := e.desk.Acknowledge(e.ctx, esc.ID, "UONCALL"); err != nil {
		t.Fatalf("Acknowledge: %v", err)
	}
	label := koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailRequired}
	got, err := e.desk.Resolve(e.ctx, esc.ID, "UONCALL", Resolution{Label: label, Domain: "iam", Page: "how-to/request-access.md"})
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	if got.State != koban.StateResolved || got.Final != label || !slices.Equal(got.Citations, []string{"how-to/request-access.md"}) {
		t.Errorf("after Resolve: state %s, Final %s, Citations %v", got.State, got.Final, got.Citations)
	}
	if _, err := e.desk.Acknowledge(e.ctx, inq.ID, "UONCALL"); koban.ErrorCode(err) != koban.EConflict {
		t.Errorf("Acknowledge an answered inquiry = %v, want %s", err, koban.EConflict)
	}
}
