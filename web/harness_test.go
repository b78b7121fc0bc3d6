package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/desk"
	"github.com/kobanhq/koban/internal/sampledocs"
	"github.com/kobanhq/koban/internal/testclock"
	"github.com/kobanhq/koban/knowledge"
	"github.com/kobanhq/koban/metrics"
	"github.com/kobanhq/koban/oncall"
	"github.com/kobanhq/koban/store"
	"github.com/kobanhq/koban/triage"
)

// The harness is the dashboard over the real store (SQLite in a temporary
// folder), the real desk, docs index, knowledge, triage, report and on-call
// schedule. Only the clock is controlled.

// today is the harness's "now": November 2026, so October is last month.
var today = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

// inquirySource adapts the store to Inquiries, as cmd does.
type inquirySource struct{ st *store.Store }

func (s inquirySource) Inquiry(ctx context.Context, id int64) (*koban.Inquiry, error) {
	return s.st.Inquiry(ctx, id)
}

func (s inquirySource) Inquiries(ctx context.Context, f Filter) ([]koban.Inquiry, error) {
	return s.st.Inquiries(ctx, store.Filter{States: f.States, Category: f.Category, Domain: f.Domain,
		From: f.From, To: f.To, Text: f.Text, Limit: f.Limit, Offset: f.Offset})
}

func (s inquirySource) Events(ctx context.Context, id int64) ([]koban.Event, error) {
	return s.st.Events(ctx, id)
}

// quadrantOf gives a sample page's quadrant from its folder.
func quadrantOf(path string) koban.Quadrant {
	dir, _, _ := strings.Cut(path, "/")
	q, err := koban.ParseQuadrant(dir)
	if err != nil {
		return koban.Unknown
	}
	return q
}

// schedule serves a fixed on-call schedule (no overrides).
type schedule struct{ sch *oncall.Schedule }

func (s schedule) Schedule(context.Context, time.Time, time.Time) (*oncall.Schedule, error) {
	return s.sch, nil
}

// router escalates to the schedule's on-call, as cmd wires oncall.Service.
type router struct{ sch *oncall.Schedule }

func (r router) Route(_ context.Context, d koban.Domain, now time.Time) (koban.Escalation, error) {
	rot, err := r.sch.Route(d)
	if err != nil {
		return koban.Escalation{}, err
	}
	sh, err := r.sch.At(rot.Name, now)
	if err != nil {
		return koban.Escalation{}, err
	}
	return koban.Escalation{Rotation: rot.Name, OnCall: sh.Person,
		ReplyTarget: rot.ReplyTarget, ReplyBy: rot.Due(now), BusinessHours: rot.Hours != nil}, nil
}

// testRotations are two weekly rotations that started before the seeded month.
func testRotations(t testing.TB) []*oncall.Rotation {
	t.Helper()
	rots, err := oncall.Config{Rotations: []oncall.RotationConfig{
		{Name: "platform", Members: []string{"UALICE", "UBOB", "UCAROL"}, Shift: "1w", Handoff: "monday 09:00",
			TimeZone: "Asia/Tokyo", Start: "2026-09-07", Channel: "CPLATFORM"},
		{Name: "data", Members: []string{"UDAVE", "UERIN"}, Shift: "1w", Handoff: "monday 09:00",
			TimeZone: "UTC", Start: "2026-09-07", Domains: []koban.Domain{"database", "data-platform"}},
	}}.Parse(context.Background(), nil)
	if err != nil {
		t.Fatalf("parse rotations: %v", err)
	}
	return rots
}

type env struct {
	t     testing.TB
	clock *testclock.Clock // shared by the store, the desk and the server
	store *store.Store
	desk  *desk.Desk
	srv   *Server
	h     http.Handler
	reg   *metrics.Prometheus
}

type envOpts struct {
	addr, token string
	ready       map[string]func(context.Context) error
	noReports   bool
	noOnCall    bool
	// noRoute leaves the desk without rotations or a fallback group:
	// escalations reach nobody.
	noRoute bool
	// jobs runs the store's job runner (as koban serve does) instead of
	// processing playground questions inline.
	jobs bool
	// actor is who the dashboard acts as; access checks what it may do.
	actor  string
	access desk.Access
	// names shows people by display name.
	names Names
	// viewers hides private inquiries; webAccess checks the dashboard's
	// own actions (calendar links).
	viewers   Viewers
	webAccess Access
	// calendar replaces the fixed one-line calendar.
	calendar http.Handler
}

func newEnv(t testing.TB, o envOpts) *env {
	t.Helper()
	ctx := context.Background()
	clk := testclock.New(today)
	st, err := store.Open(ctx, store.Options{DataDir: t.TempDir(), Now: clk.Now})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	ix, err := sampledocs.Index()
	if err != nil {
		t.Fatalf("sample index: %v", err)
	}
	tri, err := triage.New(triage.Config{}, nil, nil)
	if err != nil {
		t.Fatalf("triage: %v", err)
	}
	sch := oncall.NewSchedule(testRotations(t))
	var route desk.Router = router{sch}
	group := "SPLATFORM"
	if o.noRoute {
		route, group = nil, ""
	}
	d := desk.New(desk.Config{FallbackGroup: group}, desk.Deps{
		Store:     st,
		Knowledge: knowledge.New(ix, knowledge.Config{}, nil),
		Triage:    tri,
		Learner:   tri,
		Router:    route,
		Access:    o.access,
		Now:       clk.Now,
	})
	deps := Deps{
		Desk: d, Inquiries: inquirySource{st},
		Calendar: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/calendar")
			w.Write([]byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"))
		}),
		Feeds:   st,
		Viewers: o.viewers,
		Access:  o.webAccess,
		Ready:   o.ready,
		Names:   o.names,
		Log:     testLogger(t),
		Now:     clk.Now,
		// As koban serve wires it: the inquiry gauge counts the store.
		Metrics: metrics.NewPrometheus(),
	}
	if err := deps.Metrics.WatchInquiries(st); err != nil {
		t.Fatal(err)
	}
	if o.calendar != nil {
		deps.Calendar = o.calendar
	}
	if !o.noReports {
		deps.Reports = metrics.NewService(metrics.StoreSource(st), metrics.Options{Quadrant: quadrantOf}, slog.New(slog.DiscardHandler), clk.Now)
	}
	if !o.noOnCall {
		deps.OnCall = schedule{sch}
	}
	addr := o.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if o.jobs {
		err := st.StartJobs(ctx, store.Jobs{ProcessInquiry: d.Process, Workers: 1, PollInterval: 50 * time.Millisecond})
		if err != nil {
			t.Fatalf("start jobs: %v", err)
		}
		t.Cleanup(func() { st.StopJobs(context.Background()) })
	}
	srv, err := New(Options{Addr: addr, Token: o.token, Inline: !o.jobs, Actor: o.actor, Hosts: []string{"example.com"}}, deps)
	if err != nil {
		t.Fatalf("new server: %v", err)
	}
	return &env{t: t, clock: clk, store: st, desk: d, srv: srv, h: srv.Handler(), reg: srv.metrics}
}

// testLogger shows the server's log with -v.
func testLogger(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return nil
}

// get requests path and returns the recorded response.
func (e *env) get(path string, hdr ...string) *httptest.ResponseRecorder {
	e.t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	return w
}

// post submits a form as a same-origin browser would.
func (e *env) post(path string, form url.Values) *httptest.ResponseRecorder {
	e.t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	return w
}

// askVia asks through the playground form and returns the new inquiry.
func (e *env) askVia(text string) *koban.Inquiry {
	e.t.Helper()
	w := e.post("/ask", url.Values{"text": {text}, "key": {newKey()}})
	if w.Code != http.StatusSeeOther {
		e.t.Fatalf("POST /ask = %d, want 303: %s", w.Code, w.Body)
	}
	loc := w.Header().Get("Location")
	id, ok := strings.CutPrefix(loc, "/ask/")
	if !ok {
		e.t.Fatalf("POST /ask redirected to %q, want /ask/{id}", loc)
	}
	var n int64
	for _, c := range id {
		n = n*10 + int64(c-'0')
	}
	return e.inquiry(n)
}

func (e *env) inquiry(id int64) *koban.Inquiry {
	e.t.Helper()
	inq, err := e.store.Inquiry(context.Background(), id)
	if err != nil {
		e.t.Fatalf("inquiry %d: %v", id, err)
	}
	return inq
}

// seedQuestions are asked in the seeded month, each with what the people
// involved do next. Their answers and escalations come from the real desk.
var seedQuestions = []struct {
	text  string
	after string // for an answer: "solved", "docs-wrong", "need-human" or ""; for an escalation: the final label
	page  string
}{
	{"How do I request a database for my service?", "solved", ""},
	{"How do I roll back a deployment?", "solved", ""},
	{"How can I view the logs of my service?", "solved", ""},
	{"How do I set up alerts for my service?", "docs-wrong", ""},
	{"How do I request a quota increase?", "solved", ""},
	{"How do I manage secrets for my app?", "", ""},
	{"Our production database is down since 10 minutes, please help!", "platform-only/required", ""},
	{"Please create a new Kafka topic for the billing team", "platform-only/automation-candidate", ""},
	{"Please create a new Kafka topic for the payments team", "platform-only/automation-candidate", ""},
	{"Is there a way to use GPUs for batch jobs?", "docs-missing", ""},
	{"How do I get a GPU quota for machine learning training?", "docs-missing", ""},
	{"Where is the CDN cache purge documented?", "docs-missing", ""},
	{"Which role lets me read the prod logs?", "self-solvable/docs-unfindable", "reference/access-roles.md"},
	{"I need prod access for on-call tomorrow", "platform-only/required", ""},
}

// seed asks the seed questions through the real desk, one a day in October
// 2026, processes them and applies what people did next.
func (e *env) seed() {
	e.t.Helper()
	ctx := context.Background()
	for i, sq := range seedQuestions {
		at := time.Date(2026, 10, 1+2*i, 9, 0, 0, 0, time.UTC)
		e.clock.Set(at)
		inq, _, err := e.desk.Ask(ctx, desk.Incoming{Source: koban.SourceChannel, Channel: "CHELP",
			MessageTS: at.Format("20060102.150405"), User: "UASKER" + string(rune('A'+i%3)), Text: sq.text})
		if err != nil {
			e.t.Fatalf("seed ask %q: %v", sq.text, err)
		}
		e.clock.Set(at.Add(3 * time.Second))
		if err := e.desk.Process(ctx, inq.ID, 1); err != nil {
			e.t.Fatalf("seed process %q: %v", sq.text, err)
		}
		inq = e.inquiry(inq.ID)
		e.clock.Set(at.Add(40 * time.Minute))
		switch {
		case inq.State == koban.StateAnswered && sq.after == "solved":
			_, err = e.desk.Solved(ctx, inq.ID, inq.AskedBy)
		case inq.State == koban.StateAnswered && sq.after == "docs-wrong":
			_, err = e.desk.DocsWrong(ctx, inq.ID, inq.AskedBy, "the alert rules page is outdated")
		case inq.State == koban.StateAnswered && sq.after == "need-human":
			_, err = e.desk.NeedHuman(ctx, inq.ID, inq.AskedBy)
		case inq.State == koban.StateEscalated && strings.Contains(sq.after, "-"):
			if _, err = e.desk.Acknowledge(ctx, inq.ID, inq.Assignee); err != nil {
				break
			}
			e.clock.Set(at.Add(3 * time.Hour))
			l, perr := koban.ParseLabel(sq.after)
			if perr != nil {
				e.t.Fatalf("seed label %q: %v", sq.after, perr)
			}
			dom := inq.Domain
			if dom == "" || !slices.Contains(koban.DefaultDomains, dom) {
				dom = koban.DomainOther
			}
			_, err = e.desk.Resolve(ctx, inq.ID, inq.Assignee, desk.Resolution{Label: l, Domain: dom, Page: sq.page})
		}
		if err != nil {
			e.t.Fatalf("seed %q after %s: %v", sq.text, inq.State, err)
		}
	}
	e.clock.Set(today)
}

// httptestRequest builds a form request.
func httptestRequest(method, path string, form url.Values) *http.Request {
	req := httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

func serve(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// deskIncoming is a playground question as the ask form sends it.
func deskIncoming(text string) desk.Incoming {
	key := newKey()
	return desk.Incoming{Source: koban.SourceWeb, EventID: "web-" + key, Channel: "web", MessageTS: "web-" + key, User: webUser, Text: text}
}
