// Package bot connects koban to Slack. It decodes Slack traffic (Socket Mode
// or the HTTP Events API, interactivity and the /koban slash command) into one
// internal event, hands questions, follow-ups and button clicks to the desk,
// renders koban's replies as Block Kit messages, and implements the desk's
// Replier (answers, escalations, and taking the buttons off them once an
// inquiry is resolved), the on-call notifier (handoff digests, reminders,
// user groups, email and @name lookup) and the monthly report's Poster (the
// summary, its charts and the Markdown report) over the Slack Web API. What
// it delivers from the docs or a model has its mentions stripped first, and
// CountErrors counts the Web API calls that fail.
//
// It leaves the workflow to desk, storage to store, answers and triage to
// knowledge and triage, and rotations to oncall. slack-go types never leave
// this package.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/desk"
)

// Desk is the inquiry workflow the bot drives (desk.Desk).
type Desk interface {
	// Ask records a new inquiry; a repeated EventID returns created=false.
	Ask(ctx context.Context, in desk.Incoming) (*koban.Inquiry, bool, error)
	// FollowUp handles a message in a thread; ENotFound when the thread
	// belongs to no inquiry.
	FollowUp(ctx context.Context, in desk.Incoming) (*koban.Inquiry, error)
	Solved(ctx context.Context, id int64, user string) (*koban.Inquiry, error)
	NeedHuman(ctx context.Context, id int64, user string) (*koban.Inquiry, error)
	DocsWrong(ctx context.Context, id int64, user, note string) (*koban.Inquiry, error)
	Acknowledge(ctx context.Context, id int64, user string) (*koban.Inquiry, error)
	// Resolve records the human label; EInvalid for a bad label, EConflict
	// when the inquiry is already resolved.
	Resolve(ctx context.Context, id int64, user string, r desk.Resolution) (*koban.Inquiry, error)
}

// Inquiries reads inquiries for the App Home tab, /koban status, the
// Resolve… modal and the resolved replies (the store).
type Inquiries interface {
	// Inquiry returns ENotFound for an unknown id.
	Inquiry(ctx context.Context, id int64) (*koban.Inquiry, error)
	// OpenInquiries returns every inquiry that is not resolved, oldest first.
	OpenInquiries(ctx context.Context) ([]koban.Inquiry, error)
	// Events returns an inquiry's events, oldest first (who resolved it).
	Events(ctx context.Context, id int64) ([]koban.Event, error)
}

// OnCall answers who is on call and runs the /koban oncall override commands.
type OnCall interface {
	// Now returns the shifts in progress at t, one per rotation.
	Now(ctx context.Context, t time.Time) ([]koban.Shift, error)
	// Next returns the shift that follows the current one, per rotation.
	Next(ctx context.Context, t time.Time) ([]koban.Shift, error)
	// Command runs "/koban oncall TEXT" for user and returns the reply
	// (mrkdwn); EInvalid errors say how to write the command.
	Command(ctx context.Context, user, text string) (string, error)
}

// Channel is a channel koban listens to without being mentioned.
type Channel struct {
	ID string
	// Mode is "all" (every top-level message), "questions" (messages that
	// look like questions) or "mentions" (only @koban, the same as any
	// other channel).
	Mode string
}

// Options configure the bot. BotToken is required, with AppToken for Socket
// Mode or SigningSecret for the HTTP Events API (or both).
type Options struct {
	BotToken      string // xoxb-…
	AppToken      string // xapp-…, for Socket Mode
	SigningSecret string // for the HTTP Events API
	// APIURL points the Web API client at another base URL (tests, proxies);
	// empty for https://slack.com/api/.
	APIURL   string
	Channels []Channel
	// ReportChannel is where the monthly report is posted (a channel ID).
	ReportChannel string
	// Domains are offered in the Resolve… modal; default koban.DefaultDomains.
	Domains []koban.Domain
	// Workers run the cosmetic work that follows an ack (reactions, App
	// Home, notices); default 4. Queue bounds what waits for them; default
	// 256. Nothing that changes an inquiry waits here: clicks and modal
	// submissions are done before the ack.
	Workers int
	Queue   int
	// HTTPClient is used for the Web API; default a client with a 10 s timeout.
	HTTPClient *http.Client
	// DocsBaseURLs and AllowedLinkDomains say which links in koban's
	// answers stay live (see linkPolicy): links under a docs base URL, to
	// an allowed domain or its subdomains, and Slack permalinks.
	DocsBaseURLs       []string
	AllowedLinkDomains []string
	// Language is the team's language ("en" or "ja"; default "en"): of
	// handoffs, reminders, the report and notices to the on-call, and of
	// what a person is told alone when Slack does not know their locale.
	Language string
}

// Deps are the services the bot calls. OnCall may be nil (no rotations);
// Access and Claims may be nil in tests (everyone sees everything; /koban
// ask replays are not caught), never in serve.
type Deps struct {
	Desk      Desk
	Inquiries Inquiries
	OnCall    OnCall
	Detector  Detector // optional: tells channel messages that ask for nothing
	Access    Access
	Claims    koban.Claimer // the store: a replayed /koban ask posts and records its question once
	Log       *slog.Logger
	Now       func() time.Time
	// Redactor masks secrets in what the bot posts or logs of user text
	// (/koban ask, error details); nil: the Desk's, if it redacts
	// (desk.Desk does).
	Redactor Redactor
}

// Bot is koban's Slack adapter.
type Bot struct {
	opts     Options
	deps     Deps
	log      *slog.Logger
	api      *slack.Client
	channels map[string]string // channel ID → mode

	// Who koban is in this workspace, from auth.test: its messages are ignored
	// and its mentions stripped.
	selfUser, selfBot string

	users   directory // for LookupName
	privacy privacy   // which channels are private

	tasks   chan task
	pending sync.WaitGroup
	mu      sync.Mutex
	closed  bool

	warned warnedMessages // messages whose asker was told of a secret
}

type task struct {
	name string
	run  func(context.Context) error
}

// New checks the options and asks Slack who the bot is (auth.test).
func New(ctx context.Context, opts Options, deps Deps) (*Bot, error) {
	if opts.BotToken == "" {
		return nil, koban.Errorf(koban.EInvalid, "SLACK_BOT_TOKEN is not set")
	}
	if opts.AppToken == "" && opts.SigningSecret == "" {
		return nil, koban.Errorf(koban.EInvalid, "set SLACK_APP_TOKEN for Socket Mode or SLACK_SIGNING_SECRET for the Events API")
	}
	if deps.Desk == nil || deps.Inquiries == nil {
		return nil, errors.New("bot: Desk and Inquiries are required")
	}
	if deps.Log == nil {
		deps.Log = slog.New(slog.DiscardHandler)
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if r, ok := deps.Desk.(Redactor); ok && deps.Redactor == nil {
		deps.Redactor = r
	}
	if len(opts.Domains) == 0 {
		opts.Domains = koban.DefaultDomains
	}
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	if opts.Queue <= 0 {
		opts.Queue = 256
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	b := &Bot{
		opts:     opts,
		deps:     deps,
		log:      deps.Log,
		channels: map[string]string{},
		tasks:    make(chan task, opts.Queue),
	}
	for _, c := range opts.Channels {
		mode := c.Mode
		if mode == "" {
			mode = "all"
		}
		switch mode {
		case "all", "questions", "mentions":
		default:
			return nil, koban.Errorf(koban.EInvalid, "channel %s has mode %q: want all, questions or mentions", c.ID, c.Mode)
		}
		b.channels[c.ID] = mode
	}
	// Never slack.OptionDebug: it dumps requests, tokens included.
	apiOpts := []slack.Option{slack.OptionHTTPClient(opts.HTTPClient)}
	if opts.APIURL != "" {
		u := opts.APIURL
		if !strings.HasSuffix(u, "/") {
			u += "/"
		}
		apiOpts = append(apiOpts, slack.OptionAPIURL(u))
	}
	if opts.AppToken != "" {
		apiOpts = append(apiOpts, slack.OptionAppLevelToken(opts.AppToken))
	}
	b.api = slack.New(opts.BotToken, apiOpts...)
	auth, err := b.api.AuthTestContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("slack auth.test: %w", classify(err))
	}
	b.selfUser, b.selfBot = auth.UserID, auth.BotID
	b.log.Info("slack connected", "team", auth.TeamID, "bot_user", auth.UserID)
	return b, nil
}

// Run runs the workers for the slow work that follows each ack and, with an
// app token, the Socket Mode connection, until ctx ends. Then it stops taking
// work and waits for what was queued. The HTTP Handler needs Run running too.
func (b *Bot) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	// Queued work is finished with a context of its own, so that a shutdown
	// lets a reply in flight complete.
	workCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	for range b.opts.Workers {
		wg.Go(func() {
			for t := range b.tasks {
				b.runTask(workCtx, t)
			}
		})
	}
	var err error
	if b.opts.AppToken != "" {
		err = b.runSocket(ctx)
	} else {
		<-ctx.Done()
	}
	b.mu.Lock()
	b.closed = true
	close(b.tasks)
	b.mu.Unlock()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		b.log.Warn("slack workers still busy at shutdown")
		cancel()
		<-done
	}
	return err
}

func (b *Bot) runTask(ctx context.Context, t task) {
	defer b.pending.Done()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := t.run(ctx); err != nil {
		b.log.Warn(t.name, "err", err)
	}
}

// later queues slow work to run after the ack. When the queue is full the
// work is dropped: everything queued here is cosmetic (reactions, App Home,
// notices, ephemeral explanations); what changes an inquiry is recorded
// before the ack.
func (b *Bot) later(name string, f func(context.Context) error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		b.log.Warn("dropped slack work at shutdown", "task", name)
		return
	}
	b.pending.Add(1)
	select {
	case b.tasks <- task{name: name, run: f}:
	default:
		b.pending.Done()
		b.log.Warn("dropped slack work: queue full", "task", name)
	}
}

// idle waits until the queued work is done (tests and the load test).
func (b *Bot) idle() { b.pending.Wait() }

func (b *Bot) now() time.Time { return b.deps.Now() }
