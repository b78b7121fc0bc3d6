// Package web is koban's dashboard: a home page of what waits for a person,
// who is on call and this month's figures; the ask playground (which behaves
// like the Slack channel); the inquiries with their filters, text search,
// CSV and JSON export and timelines; the on-call schedule with its calendar
// subscription links; the monthly report with its charts and the docs gaps,
// all rendered on the server with html/template and usable without
// JavaScript, in English or Japanese (Accept-Language, or the switch). It
// also serves the process's /healthz and /readyz endpoints and, at
// /metrics, the Prometheus registry of package metrics, and mounts handlers
// of other packages (the Slack Events API, /oncall.ics) on the same
// listener.
//
// It leaves the workflow to desk, storage to the store (seen through the
// small Inquiries and Feeds interfaces declared here), the figures to
// metrics and the schedule to oncall: it renders what they return and posts
// the same actions as the Slack buttons.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/desk"
	"github.com/kobanhq/koban/internal/i18n"
	"github.com/kobanhq/koban/metrics"
	"github.com/kobanhq/koban/oncall"
)

// Desk is the inquiry workflow (*desk.Desk). Its methods return ENotFound for
// an unknown inquiry and EConflict for an action the inquiry's state forbids.
type Desk interface {
	Ask(ctx context.Context, in desk.Incoming) (*koban.Inquiry, bool, error)
	Process(ctx context.Context, id int64, attempt int) error
	desk.Actions // the buttons of the inquiry pages
}

// Inquiries reads inquiries and their events; the store implements it
// through a small adapter in cmd (its Filter type is its own).
type Inquiries interface {
	// Inquiry returns ENotFound for an unknown id.
	Inquiry(ctx context.Context, id int64) (*koban.Inquiry, error)
	// Inquiries returns the inquiries that match f, newest first.
	Inquiries(ctx context.Context, f Filter) ([]koban.Inquiry, error)
	// Events returns an inquiry's events in the order they happened.
	Events(ctx context.Context, id int64) ([]koban.Event, error)
}

// Filter selects inquiries. Zero fields select everything.
type Filter struct {
	States   []koban.State
	Category koban.Category // the reported label's category: the human's, else koban's
	Domain   koban.Domain
	From, To time.Time // created in [From, To)
	// Text selects inquiries whose question has these words (a search:
	// "quoted phrases", -excluded words).
	Text   string
	Limit  int
	Offset int
}

// Reports builds monthly reports (*metrics.Service).
type Reports interface {
	// Report returns the report of the month that month falls in.
	Report(ctx context.Context, month time.Time) (*metrics.Report, error)
}

// Charter renders a report's charts (*metrics.Charter).
type Charter interface {
	// Chart renders one chart ("volume", "categories", "domains",
	// "reply-times") as "svg" or "png".
	Chart(r *metrics.Report, name, format string) (metrics.Chart, error)
}

// OnCall gives the on-call schedule with its overrides (*oncall.Service).
type OnCall interface {
	Schedule(ctx context.Context, from, to time.Time) (*oncall.Schedule, error)
}

// Options configure the server.
type Options struct {
	// Addr is where Run listens, such as "127.0.0.1:8080".
	Addr string
	// Token guards every page but /healthz and /readyz. It is required when
	// Addr is not a loopback address; on loopback it may be empty.
	Token string
	// Location is the time zone months are cut in and times shown in; nil
	// means UTC.
	Location *time.Location
	// Language is the team's language ("en" or "ja"; default English):
	// the monthly report page reads in it, as the report is written. The
	// rest of the dashboard follows each viewer.
	Language string
	// Domains lists the problem domains offered in forms; nil means
	// koban.DefaultDomains.
	Domains []koban.Domain
	// Inline processes playground questions in the request, for when no job
	// runner works the queue. Otherwise the request waits up to Wait for
	// the job runner, and the page refreshes itself until the answer is in.
	Inline bool
	// AnswerTimeout bounds inline processing. Default 30s.
	AnswerTimeout time.Duration
	// Wait is how long an ask waits for the job runner. Default 5s.
	Wait time.Duration
	// Weeks is how far ahead the on-call page shows shifts. Default 4.
	Weeks int
	// Hosts are the host names the dashboard answers to besides localhost,
	// IP addresses and Addr's host (see allowedHosts): the name it is
	// reached by through a proxy or ingress.
	Hosts []string
	// Actor is who the dashboard acts as, recorded on every action: the
	// shared token's identity, which the policy treats as an admin.
	// Default "web".
	Actor string
	// OIDC, when set, turns on Sign in with Slack: people act as themselves.
	OIDC *OIDC
}

// Deps are the services the dashboard shows. Reports, OnCall and Calendar
// may be nil: their pages then say that they are not configured.
type Deps struct {
	Desk      Desk
	Inquiries Inquiries
	Reports   Reports
	Charter   Charter // nil: metrics.NewCharter(nil)
	OnCall    OnCall
	// Calendar serves /oncall.ics (oncall.Service.CalendarHandler), in
	// the dashboard and, with Feeds, at the subscription links.
	Calendar http.Handler
	// Feeds keeps the calendar subscription links' tokens (the store);
	// nil: no subscription links, only /oncall.ics behind the token.
	Feeds Feeds
	// Access checks who may replace a subscription link (*authz.Policy);
	// nil lets everyone who passed the token (an admin).
	Access Access
	// Ready are the readiness checks of /readyz, by name ("store", "index").
	Ready map[string]func(context.Context) error
	// Metrics is the Prometheus registry served at /metrics; nil: a new one.
	// The playground's inline answers are measured in it.
	Metrics *metrics.Prometheus
	Log     *slog.Logger
	Now     func() time.Time

	// Names shows people by their Slack display names; nil: by ID.
	Names Names

	// Viewers hides private inquiries from signed-in people who may not
	// see them; nil shows everything (the token's identity is an admin).
	Viewers Viewers
}

// Server is the dashboard's HTTP server.
type Server struct {
	opts    Options
	deps    Deps
	log     *slog.Logger
	now     func() time.Time
	loc     *time.Location
	metrics *metrics.Prometheus
	pages   *pages
	reports *reportCache
	signIn  *signIn // nil without OIDC

	outer *http.ServeMux // health checks and mounted handlers: no token
	inner *http.ServeMux // the dashboard: token and CSRF protected
	h     http.Handler
}

// New checks the options and returns a Server. A non-loopback Addr without
// a Token is an EInvalid error: the dashboard shows every inquiry and lets
// anyone resolve them.
func New(opts Options, deps Deps) (*Server, error) {
	if deps.Desk == nil || deps.Inquiries == nil {
		return nil, errors.New("web: Desk and Inquiries are required")
	}
	if opts.Token == "" && opts.OIDC == nil && !IsLoopback(opts.Addr) {
		return nil, koban.Errorf(koban.EInvalid,
			"the web UI listens on %q, which is reachable from other machines: set a web token (web.token in koban.yaml or KOBAN_WEB_TOKEN), or listen on 127.0.0.1", opts.Addr)
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.Domains == nil {
		opts.Domains = koban.DefaultDomains
	}
	opts.Language = i18n.Normalize(opts.Language)
	if opts.AnswerTimeout <= 0 {
		opts.AnswerTimeout = 30 * time.Second
	}
	if opts.Wait <= 0 {
		opts.Wait = 5 * time.Second
	}
	if opts.Weeks <= 0 {
		opts.Weeks = 4
	}
	if opts.Actor == "" {
		opts.Actor = webUser
	}
	if deps.Log == nil {
		deps.Log = slog.New(slog.DiscardHandler)
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Charter == nil {
		deps.Charter = metrics.NewCharter(nil)
	}
	if deps.Metrics == nil {
		deps.Metrics = metrics.NewPrometheus()
	}
	var si *signIn
	if opts.OIDC != nil {
		var err error
		if si, err = newSignIn(context.Background(), *opts.OIDC); err != nil {
			return nil, fmt.Errorf("web: sign in with slack: %w", err)
		}
	}
	p, err := parsePages()
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	s := &Server{
		opts: opts, deps: deps, log: deps.Log, now: deps.Now, loc: opts.Location,
		metrics: deps.Metrics, pages: p,
		reports: newReportCache(deps.Reports, time.Minute, deps.Now),
		outer:   http.NewServeMux(), inner: http.NewServeMux(),
		signIn: si,
	}
	s.routes()
	s.h = securityHeaders(s.outer)
	return s, nil
}

// Handle mounts h at pattern outside the dashboard's token check and CSRF
// protection, for endpoints that authenticate themselves (the Slack Events
// API checks its signing secret). Call it before serving.
func (s *Server) Handle(pattern string, h http.Handler) { s.outer.Handle(pattern, h) }

// Handler returns the server's handler.
func (s *Server) Handler() http.Handler { return s.h }

// Serve serves on ln until ctx ends.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.h,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.log.Info("web ui listening", "addr", ln.Addr().String(), "token", s.opts.Token != "")
	select {
	case err := <-errc:
		return fmt.Errorf("serve http: %w", err)
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("shut down http: %w", err)
	}
	return nil
}

// IsLoopback reports whether addr ("host:port") listens on the loopback
// interface only. An empty host (":8080") listens everywhere.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (s *Server) routes() {
	o, in := s.outer, s.inner
	o.HandleFunc("GET /healthz", s.healthz)
	o.HandleFunc("GET /readyz", s.readyz)
	dashboard := http.NewCrossOriginProtection().Handler(s.boundForms(in))
	o.Handle("/", s.checkHost(s.identify(dashboard, s.auth(dashboard))))
	if s.signIn != nil {
		o.Handle("GET /auth/login", s.checkHost(http.HandlerFunc(s.login)))
		o.Handle("GET /auth/callback", s.checkHost(http.HandlerFunc(s.callback)))
		o.Handle("POST /auth/logout", s.checkHost(http.NewCrossOriginProtection().Handler(http.HandlerFunc(s.logout))))
	}

	in.Handle("GET /metrics", s.metrics.Handler())
	in.Handle("GET /static/", staticHandler())
	in.HandleFunc("GET /{$}", s.home)
	in.HandleFunc("GET /ask", s.askPage)
	in.HandleFunc("POST /ask", s.ask)
	in.HandleFunc("GET /ask/{id}", s.thread)
	in.HandleFunc("GET /inquiries", s.inquiries)
	in.HandleFunc("GET /inquiries.csv", s.export)
	in.HandleFunc("GET /inquiries.json", s.export)
	in.HandleFunc("GET /inquiries/{id}", s.inquiry)
	in.HandleFunc("POST /inquiries/{id}/{action}", s.action)
	in.HandleFunc("GET /oncall", s.oncall)
	if s.deps.Calendar != nil {
		in.Handle("GET /oncall.ics", s.deps.Calendar)
	}
	in.HandleFunc("GET /report", s.report)
	in.HandleFunc("GET /report/{month}/{file}", s.reportFile)
	in.HandleFunc("GET /gaps", s.gaps)
	in.HandleFunc("GET /past", s.pastPage)
	in.HandleFunc("POST /past/{id}/remove", s.removePast)
	s.feedRoutes()
	in.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, s.errorf(r, koban.ENotFound, "web.err.no_page", "Path", r.URL.Path))
	})
}
