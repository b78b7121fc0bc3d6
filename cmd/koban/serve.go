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
	"github.com/kobanhq/koban/bot"
	"github.com/kobanhq/koban/desk"
	docsindex "github.com/kobanhq/koban/docs-index"
	"github.com/kobanhq/koban/metrics"
	"github.com/kobanhq/koban/oncall"
	"github.com/kobanhq/koban/redact"
	"github.com/kobanhq/koban/store"
	"github.com/kobanhq/koban/web"
)

var serveCommand = command{
	name:    "serve",
	summary: "run koban: Slack bot, web UI, durable jobs and schedules",
	flags: func(fs *flag.FlagSet, a *app) func(context.Context, []string) error {
		return func(ctx context.Context, _ []string) error { return a.serve(ctx, nil) }
	},
}

// serve runs koban's main job until ctx ends. ready, when not nil, receives
// the address the HTTP server listens on once everything has started.
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

	st, err := wireStore(ctx, a, false)
	if err != nil {
		return err
	}
	defer st.Close()

	start := time.Now()
	ix, refresher, stats, err := wireIndex(ctx, a)
	if err != nil {
		return err
	}
	defer ix.Close()
	a.log.Info("docs indexed", "pages", stats.Documents, "sections", stats.Sections,
		"changed", stats.Added+stats.Changed+stats.Removed, "took", time.Since(start).Round(time.Millisecond))

	red, err := redact.New()
	if err != nil {
		return fmt.Errorf("secret redaction: %w", err)
	}
	model, err := wireLLM(a, red)
	if err != nil {
		return err
	}
	answerer, closeAnswerer, docsChanged, err := wireAnswerer(ctx, a, ix, model, true, true)
	if err != nil {
		return err
	}
	defer closeAnswerer()
	tr, err := wireTriage(ctx, a, st, wireClassifier(a, model), answerer)
	if err != nil {
		return err
	}
	setVocabulary(a, tr, ix)
	m, err := wireMetrics(st, ix, refresher)
	if err != nil {
		return err
	}
	m.WatchLLM(model.Tokens)
	d := desk.New(desk.Config{FallbackGroup: a.cfg.Slack.FallbackGroup, AutoCloseAfter: a.cfg.AutoCloseAfter}, desk.Deps{
		Store:     st,
		Knowledge: answerer,
		Triage:    tr,
		Learner:   tr,
		Redactor:  red,
		Log:       a.log,
		Past:      st,
		Labels:    deskLabels{st},
	})

	var b *bot.Bot
	var notifier oncall.Notifier = noNotifier{}
	// The bot shows the on-call, and the on-call service posts through the
	// bot: the bot gets the service once both exist.
	botOC := &botOnCall{}
	// The policy needs the rotations, which need the bot (email lookups):
	// the bot gets it once all three exist, before anything is served.
	botAccess := &lateAccess{}
	slackOn := a.cfg.Slack.BotToken != "" && (a.cfg.Slack.AppToken != "" || a.cfg.Slack.SigningSecret != "")
	if slackOn {
		if b, err = wireBot(ctx, a, d, st, botOC, m, tr, botAccess); err != nil {
			return err
		}
		for _, src := range []koban.Source{koban.SourceChannel, koban.SourceMention, koban.SourceDM, koban.SourceCommand} {
			d.Repliers[src] = b
		}
		// Web playground escalations are sent to the on-call in Slack too.
		d.Repliers[koban.SourceWeb] = b.WebReplier()
		notifier = b
		d.Threads = b
	}

	rots, err := a.cfg.OnCall.Parse(ctx, notifier)
	if err != nil {
		return fmt.Errorf("on-call rotations: %w", err)
	}
	if noOnCall(a.cfg) {
		a.log.Warn("no on-call configured: escalations notify nobody", "fix", noOnCallFix)
	}
	oc := oncall.NewService(rots, st, notifier, a.log)
	oc.Redactor = red
	if len(rots) > 0 {
		d.Router = oncallRouter{svc: oc, rots: rots, group: a.cfg.Slack.FallbackGroup}
		d.Responders = responders(rots)
	}
	botOC.svc = oc
	policy := wireAccess(a, rots, b)
	d.Access, oc.Access = policy, policy
	botAccess.Policy = policy

	var names web.Names // people by Slack display name; by ID without Slack
	if b != nil {
		names = b
	}
	reportOpts := metrics.Options{Location: loc, Quadrant: ix.Quadrant}
	if names != nil {
		reportOpts.PersonName = names.PersonName
	}
	reports := metrics.NewService(metrics.StoreSource(st), reportOpts, a.log, nil)
	srv, err := web.New(web.Options{Addr: a.cfg.HTTPAddr, Token: a.cfg.Web.Token, Actor: a.cfg.Web.Actor, OIDC: webOIDC(a), Location: loc, Domains: domainsOf(a)}, web.Deps{
		Viewers:   policy,
		Names:     names,
		Desk:      d,
		Inquiries: webInquiries{st},
		Reports:   reports,
		Charter:   newCharter(a),
		OnCall:    oc,
		Calendar:  oc.CalendarHandler(time.Now),
		Feeds:     st,
		Access:    policy,
		Ready: map[string]func(context.Context) error{
			"store": st.Ping,
		},
		Metrics: m,
		Log:     a.log,
	})
	if err != nil {
		return err
	}
	srv.AllowHosts(a.cfg.Web.Hosts...)
	if b != nil && a.cfg.Slack.SigningSecret != "" {
		// Slack signs its requests: no web token on these.
		srv.Handle("/slack/", b.Handler())
	}
	gitRef := newGitRefresher(gitDocs(a.cfg), refresher, a.cfg.DocsRefresh, a.log)
	if len(gitRef.docs) > 0 && a.cfg.DocsWebhookSecret != "" {
		// Signed with the shared secret: no web token on it either.
		srv.Handle("/hooks/docs", gitRef.webhook(a.cfg.DocsWebhookSecret))
	}

	periodic, err := periodicJobs(a, st, d, oc, b, ix.Quadrant)
	if err != nil {
		return err
	}
	if a.cfg.Retention > 0 {
		periodic = append(periodic, purgeJob(a, st))
	}
	process := m.ObserveProcess(d.Process, st)
	if err := st.StartJobs(ctx, store.Jobs{ProcessInquiry: process, Periodic: periodic}); err != nil {
		return fmt.Errorf("start jobs: %w", err)
	}

	url := "http://" + ln.Addr().String()
	fmt.Fprintf(a.stdout, "koban %s is running: open %s (docs: %d pages)\n", koban.Version, url, stats.Documents)
	if !slackOn {
		fmt.Fprintln(a.stdout, "Slack is not connected: set SLACK_BOT_TOKEN with SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (Events API); see docs/slack.md")
	}
	if ready != nil {
		ready <- ln.Addr().String()
	}

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return srv.Serve(gctx, ln) })
	// Every replica learns the labels humans gave on the others.
	g.Go(func() error { return d.RunLabelSync(gctx) })
	if b != nil {
		g.Go(func() error { return b.Run(gctx) })
	}
	// The shipped sample docs do not change; configured ones may.
	changed := func(ctx context.Context, st docsindex.Stats) {
		if docsChanged != nil {
			docsChanged(ctx, st)
		}
		setVocabulary(a, tr, ix)
	}
	switch {
	case len(gitRef.docs) > 0:
		// Pull, then refresh every source, in one goroutine: a refresh
		// never reads a checkout while it is being updated.
		refresher.Changed = changed
		g.Go(func() error { return gitRef.Run(gctx) })
	case a.cfg.DocsRefresh > 0 && len(a.cfg.Docs) > 0:
		refresher.Changed = changed
		g.Go(func() error { return refresher.Run(gctx) })
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

// wireBot connects to Slack. Its failed Web API calls count in m; det tells
// channel messages that ask for nothing from inquiries; access decides who
// may do what.
func wireBot(ctx context.Context, a *app, d *desk.Desk, st *store.Store, oc bot.OnCall, m *metrics.Prometheus, det bot.Detector, access bot.Access) (*bot.Bot, error) {
	channels := make([]bot.Channel, len(a.cfg.Slack.Channels))
	for i, c := range a.cfg.Slack.Channels {
		channels[i] = bot.Channel{ID: c.ID, Mode: c.Mode}
	}
	b, err := bot.New(ctx, bot.Options{
		BotToken: a.cfg.Slack.BotToken, AppToken: a.cfg.Slack.AppToken, SigningSecret: a.cfg.Slack.SigningSecret, DocsBaseURLs: docsBaseURLs(a.cfg), AllowedLinkDomains: a.cfg.AllowedLinkDomains,
		APIURL: a.cfg.Slack.APIURL, Channels: channels, Domains: domainsOf(a), ReportChannel: a.cfg.Report.Channel,
		HTTPClient: &http.Client{Timeout: 10 * time.Second, Transport: bot.CountErrors(nil, m.SlackError)},
	}, bot.Deps{Desk: d, Inquiries: st, OnCall: oc, Detector: det, Access: access, Claims: st, Log: a.log})
	if err != nil {
		return nil, fmt.Errorf("connect to Slack: %w", err)
	}
	return b, nil
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
