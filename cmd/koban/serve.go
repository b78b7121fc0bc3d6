package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/authz"
	"github.com/kobanhq/koban/bot"
	"github.com/kobanhq/koban/desk"
	docsindex "github.com/kobanhq/koban/docs-index"
	"github.com/kobanhq/koban/knowledge"
	"github.com/kobanhq/koban/metrics"
	"github.com/kobanhq/koban/oncall"
	"github.com/kobanhq/koban/redact"
	"github.com/kobanhq/koban/store"
	"github.com/kobanhq/koban/triage"
	"github.com/kobanhq/koban/web"
)

// serveFlags declares the flags of koban serve and returns what runs it.
func serveFlags(fs *flag.FlagSet, a *app) runner {
	return func(ctx context.Context, _ []string) error { return a.serve(ctx, nil) }
}

// serve runs koban's main job until ctx ends. ready, when not nil, receives
// the address the HTTP server listens on once everything has started.
//
// Each part is built once, from the parts it needs, and not changed after:
// the docs and answers, the outbound Slack client (replies, notifications,
// posts), the on-call rotations (their emails are looked up in Slack) and who
// may do what, the on-call service, the desk, the inbound Slack bot, and the
// web UI last.
func (a *app) serve(ctx context.Context, ready chan<- string) error {
	loc, err := time.LoadLocation(a.cfg.TimeZone)
	if err != nil {
		return fmt.Errorf("time zone: %w", err)
	}
	// Listen first: a taken port is the commonest start-up failure, and
	// the operator should hear of it before indexing starts.
	ln, err := net.Listen("tcp", a.cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on %s (KOBAN_HTTP_ADDR): %w", a.cfg.HTTPAddr, err)
	}
	defer ln.Close()

	c, err := a.wireCore(ctx)
	if err != nil {
		return err
	}
	defer c.close()
	sv, err := a.wireServer(ctx, c, loc)
	if err != nil {
		return err
	}
	if err := c.st.StartJobs(ctx, sv.jobs); err != nil {
		return fmt.Errorf("start jobs: %w", err)
	}
	url := "http://" + ln.Addr().String()
	fmt.Fprintf(a.stdout, "koban %s is running: open %s (docs: %d pages)\n", koban.Version, url, c.stats.Documents)
	if sv.slack == nil {
		fmt.Fprintln(a.stdout, "Slack is not connected: set SLACK_BOT_TOKEN with SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (Events API); see docs/slack.md")
	}
	if ready != nil {
		ready <- ln.Addr().String()
	}
	return sv.run(ctx, ln, c.st)
}

// core is what serve answers questions with: the store, the docs index, the
// answers, triage and the Prometheus registry.
type core struct {
	st       *store.Store
	ix       *docsindex.Index
	stats    docsindex.Stats // of the indexing at start
	red      *redact.Redactor
	answerer knowledge.Answerer
	tr       *triage.Service
	m        *metrics.Prometheus
	// refresher keeps the index in line with the sources, telling the
	// answers and triage of changes.
	refresher *docsindex.Refresher
	closers   []func() error
}

func (c *core) close() {
	for i := len(c.closers) - 1; i >= 0; i-- {
		c.closers[i]()
	}
}

// wireCore opens the store, indexes the docs and builds the answers and
// triage over them. On error, what was opened is closed.
func (a *app) wireCore(ctx context.Context) (_ *core, err error) {
	c := &core{}
	defer func() {
		if err != nil {
			c.close()
		}
	}()
	if c.st, err = wireStore(ctx, a, false); err != nil {
		return nil, err
	}
	c.closers = append(c.closers, c.st.Close)
	start := time.Now()
	ix, started, stats, err := wireIndex(ctx, a)
	if err != nil {
		return nil, err
	}
	c.ix, c.stats = ix, stats
	c.closers = append(c.closers, ix.Close)
	a.log.Info("docs indexed", "pages", stats.Documents, "sections", stats.Sections,
		"changed", stats.Added+stats.Changed+stats.Removed, "took", time.Since(start).Round(time.Millisecond))
	if c.red, err = redact.New(); err != nil {
		return nil, fmt.Errorf("secret redaction: %w", err)
	}
	model, err := wireLLM(a, c.red)
	if err != nil {
		return nil, err
	}
	answerer, closeAnswerer, docsChanged, err := wireAnswerer(ctx, a, ix, model, true, true)
	if err != nil {
		return nil, err
	}
	c.answerer = answerer
	c.closers = append(c.closers, closeAnswerer)
	if c.tr, err = wireTriage(ctx, a, c.st, wireClassifier(a, model), answerer); err != nil {
		return nil, err
	}
	setVocabulary(a, c.tr, ix)
	if c.m, err = wireMetrics(c.st, ix); err != nil {
		return nil, err
	}
	c.m.WatchLLM(model.Tokens)
	c.refresher = a.docsRefresher(started, c, docsChanged)
	return c, nil
}

// docsRefresher returns the refresher that keeps the docs up to date after
// start: the one that indexed them (it remembers the files it reported as
// skipped), now telling the embeddings (docsChanged, nil without) and
// triage's vocabulary of every change, and the metrics of every refresh.
func (a *app) docsRefresher(started *docsindex.Refresher, c *core, docsChanged func(context.Context, docsindex.Stats)) *docsindex.Refresher {
	r := *started
	r.Changed = func(ctx context.Context, st docsindex.Stats) {
		if docsChanged != nil {
			docsChanged(ctx, st)
		}
		setVocabulary(a, c.tr, c.ix)
	}
	r.Observe = func(_ docsindex.Stats, err error) { c.m.ObserveDocsRefresh(err, time.Now()) }
	return &r
}

// server is what serve runs once everything is built.
type server struct {
	slack *bot.Bot // nil without Slack
	desk  *desk.Desk
	web   *web.Server
	jobs  store.Jobs
	// docs keeps the docs up to date: a git pull and refresh, a refresh, or
	// nil when they do not change (the shipped sample docs).
	docs func(context.Context) error
}

// wireServer builds, in order, the Slack client, the on-call service, the
// desk, the Slack bot, the web UI and the jobs.
func (a *app) wireServer(ctx context.Context, c *core, loc *time.Location) (*server, error) {
	client, err := a.wireSlackClient(ctx, c)
	if err != nil {
		return nil, err
	}
	var notifier oncall.Notifier = noNotifier{}
	if client != nil {
		notifier = client
	}
	rots, err := a.cfg.OnCall.Parse(ctx, notifier)
	if err != nil {
		return nil, fmt.Errorf("on-call rotations: %w", err)
	}
	if noOnCall(a.cfg) {
		a.log.Warn("no on-call configured: escalations notify nobody", "fix", noOnCallFix)
	}
	var groups authz.Groups // user groups are read in Slack
	if client != nil {
		groups = client
	}
	policy := wireAccess(a, rots, groups)
	oc := oncall.NewService(rots, oncall.Deps{Store: c.st, Notifier: notifier, Access: policy, Redactor: c.red, Log: a.log, Language: a.cfg.Language})
	d := a.wireDesk(c, client, rots, policy, oc)
	sv := &server{desk: d}
	if client != nil {
		if sv.slack, err = a.wireBot(client, d, c, botOnCall{oc}, policy); err != nil {
			return nil, err
		}
	}
	gitRef := newGitRefresher(gitDocs(a.cfg), c.refresher, a.cfg.DocsRefresh, a.log)
	if sv.web, err = a.wireWeb(c, client, sv.slack, d, oc, policy, gitRef, loc); err != nil {
		return nil, err
	}
	periodic, err := periodicJobs(a, c.st, d, oc, client, c.ix.Quadrant)
	if err != nil {
		return nil, err
	}
	if a.cfg.Retention > 0 {
		periodic = append(periodic, purgeJob(a, c.st))
	}
	sv.jobs = store.Jobs{ProcessInquiry: c.m.ObserveProcess(d.Process, c.st), Periodic: periodic}
	switch {
	case len(gitRef.docs) > 0:
		// Pull, then refresh every source, in one goroutine: a refresh
		// never reads a checkout while it is being updated.
		sv.docs = gitRef.Run
	case a.cfg.DocsRefresh > 0 && len(a.cfg.Docs) > 0:
		sv.docs = c.refresher.Run
	}
	return sv, nil
}

// wireSlackClient connects to the Slack Web API, or returns nil when Slack
// is not configured. Its failed calls count in the metrics.
func (a *app) wireSlackClient(ctx context.Context, c *core) (*bot.Client, error) {
	s := a.cfg.Slack
	if s.BotToken == "" || (s.AppToken == "" && s.SigningSecret == "") {
		return nil, nil
	}
	client, err := bot.NewClient(ctx, bot.ClientOptions{
		BotToken: s.BotToken, APIURL: s.APIURL, ReportChannel: a.cfg.Report.Channel,
		DocsBaseURLs: docsBaseURLs(a.cfg), AllowedLinkDomains: a.cfg.AllowedLinkDomains, Language: a.cfg.Language,
		HTTPClient: &http.Client{Timeout: 10 * time.Second, Transport: bot.CountErrors(nil, c.m.SlackError)},
	}, bot.ClientDeps{Events: c.st, Log: a.log})
	if err != nil {
		return nil, fmt.Errorf("connect to Slack: %w", err)
	}
	return client, nil
}

// wireDesk builds the inquiry workflow: replies go through the Slack client
// (none without Slack: the web UI shows them from the store), escalations to
// the on-call service's rotations.
func (a *app) wireDesk(c *core, client *bot.Client, rots []*oncall.Rotation, policy *authz.Policy, oc *oncall.Service) *desk.Desk {
	deps := desk.Deps{
		Store:     c.st,
		Access:    policy,
		Knowledge: c.answerer,
		Triage:    c.tr,
		Learner:   c.tr,
		Redactor:  c.red,
		Log:       a.log,
		Past:      c.st,
		Labels:    deskLabels{c.st},
	}
	if client != nil {
		deps.Repliers, deps.Threads = client.Repliers(), client
	}
	if len(rots) > 0 {
		deps.Router = oncallRouter{svc: oc, rots: rots, group: a.cfg.Slack.FallbackGroup}
		deps.Responders = responders(rots)
	}
	return desk.New(desk.Config{FallbackGroup: a.cfg.Slack.FallbackGroup, AutoCloseAfter: a.cfg.AutoCloseAfter}, deps)
}

// wireBot builds the handler of what Slack sends, which replies through
// client; the triage service tells channel messages that ask for nothing
// from inquiries.
func (a *app) wireBot(client *bot.Client, d *desk.Desk, c *core, oc bot.OnCall, policy *authz.Policy) (*bot.Bot, error) {
	channels := make([]bot.Channel, len(a.cfg.Slack.Channels))
	for i, ch := range a.cfg.Slack.Channels {
		channels[i] = bot.Channel{ID: ch.ID, Mode: ch.Mode}
	}
	b, err := bot.New(client, bot.Options{
		AppToken: a.cfg.Slack.AppToken, SigningSecret: a.cfg.Slack.SigningSecret, Channels: channels, Domains: domainsOf(a),
	}, bot.Deps{Desk: d, Inquiries: c.st, OnCall: oc, Detector: c.tr, Access: policy, Claims: c.st})
	if err != nil {
		return nil, fmt.Errorf("connect to Slack: %w", err)
	}
	return b, nil
}

// wireWeb builds the web UI, with Slack's request endpoint when Slack signs
// its requests and the docs webhook when git docs have a secret.
func (a *app) wireWeb(c *core, client *bot.Client, b *bot.Bot, d *desk.Desk, oc *oncall.Service, policy *authz.Policy, gitRef *gitRefresher, loc *time.Location) (*web.Server, error) {
	var names web.Names // people by Slack display name; by ID without Slack
	reportOpts := metrics.Options{Location: loc, Quadrant: c.ix.Quadrant, Language: a.cfg.Language}
	if client != nil {
		names, reportOpts.PersonName = client, client.PersonName
	}
	reports := metrics.NewService(metrics.StoreSource(c.st), reportOpts, a.log, nil)
	srv, err := web.New(web.Options{Addr: a.cfg.HTTPAddr, Token: a.cfg.Web.Token, Actor: a.cfg.Web.Actor, OIDC: webOIDC(a), Location: loc, Domains: domainsOf(a), Language: a.cfg.Language}, web.Deps{
		Viewers:   policy,
		Names:     names,
		Desk:      d,
		Inquiries: webInquiries{c.st},
		Reports:   reports,
		Charter:   newCharter(a),
		OnCall:    oc,
		Calendar:  oc.CalendarHandler(time.Now),
		Feeds:     c.st,
		Access:    policy,
		Ready:     map[string]func(context.Context) error{"store": c.st.Ping},
		Metrics:   c.m,
		Log:       a.log,
	})
	if err != nil {
		return nil, err
	}
	srv.AllowHosts(a.cfg.Web.Hosts...)
	if b != nil && a.cfg.Slack.SigningSecret != "" {
		// Slack signs its requests: no web token on these.
		srv.Handle("/slack/", b.Handler())
	}
	if len(gitRef.docs) > 0 && a.cfg.DocsWebhookSecret != "" {
		// Signed with the shared secret: no web token on it either.
		srv.Handle("/hooks/docs", gitRef.webhook(a.cfg.DocsWebhookSecret))
	}
	return srv, nil
}

// run serves the web UI, the Slack bot, the labels' sync and the docs'
// refresh until ctx ends, then stops the jobs.
func (sv *server) run(ctx context.Context, ln net.Listener, st *store.Store) error {
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return sv.web.Serve(gctx, ln) })
	// Every replica learns the labels humans gave on the others.
	g.Go(func() error { return sv.desk.RunLabelSync(gctx) })
	if sv.slack != nil {
		g.Go(func() error { return sv.slack.Run(gctx) })
	}
	if sv.docs != nil {
		g.Go(func() error { return sv.docs(gctx) })
	}
	g.Go(func() error {
		<-gctx.Done()
		stop, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		return st.StopJobs(stop)
	})
	if err := g.Wait(); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// domainsOf lists the configured problem domains.
func domainsOf(a *app) []koban.Domain {
	out := make([]koban.Domain, 0, len(a.cfg.Triage.Domains))
	for _, d := range a.cfg.Triage.Domains {
		out = append(out, d.Name)
	}
	return out
}

// webInquiries is web.Inquiries over the store.
type webInquiries struct{ *store.Store }

func (s webInquiries) Inquiries(ctx context.Context, f web.Filter) ([]koban.Inquiry, error) {
	return s.Store.Inquiries(ctx, store.Filter{States: f.States, Category: f.Category, Domain: f.Domain, From: f.From, To: f.To, Text: f.Text, Limit: f.Limit, Offset: f.Offset})
}

// docsBaseURLs are the base URLs of the doc sources: links under them stay
// live in Slack.
func docsBaseURLs(cfg Config) []string {
	var out []string
	for _, d := range cfg.Docs {
		if d.BaseURL != "" {
			out = append(out, d.BaseURL)
		}
	}
	return out
}
