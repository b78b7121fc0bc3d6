// Package bot connects koban to Slack, in two parts built in turn.
//
// Client is the outbound part, over the Slack Web API and built from the bot
// token alone: it implements the desk's Replier and Threads (answers,
// escalations, taking the buttons off them once an inquiry is resolved,
// thread replies, permalinks), the on-call Notifier (handoff digests,
// reminders, user groups, email and @name lookup, swap requests), the
// monthly report's Poster (the summary, its charts and the Markdown report)
// and the web UI's Names. What it delivers from the docs or a model has its
// mentions stripped first, and CountErrors counts the Web API calls that
// fail.
//
// Bot is the inbound part, built last on a Client with the desk and the
// on-call service: it decodes Slack traffic (Socket Mode or the HTTP Events
// API, interactivity and the /koban slash command) into one internal event
// and hands questions, follow-ups and button clicks to the desk.
//
// It leaves the workflow to desk, storage to store, answers and triage to
// knowledge and triage, and rotations to oncall. slack-go types never leave
// this package.
package bot

import (
	"context"
	"errors"
	"sync"
	"time"

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
	desk.Actions
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

// Options configure the inbound bot: AppToken for Socket Mode or
// SigningSecret for the HTTP Events API (or both).
type Options struct {
	AppToken      string // xapp-…, for Socket Mode
	SigningSecret string // for the HTTP Events API
	Channels      []Channel
	// Domains are offered in the Resolve… modal; default koban.DefaultDomains.
	Domains []koban.Domain
	// Workers run the cosmetic work that follows an ack (reactions, App
	// Home, notices); default 4. Queue bounds what waits for them; default
	// 256. Nothing that changes an inquiry waits here: clicks and modal
	// submissions are done before the ack.
	Workers int
	Queue   int
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
	// Redactor masks secrets in what the bot posts or logs of user text
	// (/koban ask, error details); nil: the Desk's, if it redacts
	// (desk.Desk does).
	Redactor koban.Redactor
}

// Bot is koban's inbound side of Slack: it handles events, slash commands
// and interactions (over Socket Mode or HTTP) with the desk and the on-call
// service, and answers through its Client.
type Bot struct {
	*Client
	opts     Options
	deps     Deps
	channels map[string]string // channel ID → mode

	privacy privacy // which channels are private

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

// New checks the options and returns the bot that handles what Slack sends,
// replying through c.
func New(c *Client, opts Options, deps Deps) (*Bot, error) {
	if c == nil {
		return nil, errors.New("bot: a Client is required")
	}
	if opts.AppToken == "" && opts.SigningSecret == "" {
		return nil, koban.Errorf(koban.EInvalid, "set SLACK_APP_TOKEN for Socket Mode or SLACK_SIGNING_SECRET for the Events API")
	}
	if deps.Desk == nil || deps.Inquiries == nil {
		return nil, errors.New("bot: Desk and Inquiries are required")
	}
	if r, ok := deps.Desk.(koban.Redactor); ok && deps.Redactor == nil {
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
	b := &Bot{
		Client:   c,
		opts:     opts,
		deps:     deps,
		channels: map[string]string{},
		tasks:    make(chan task, opts.Queue),
	}
	for _, ch := range opts.Channels {
		mode := ch.Mode
		if mode == "" {
			mode = "all"
		}
		switch mode {
		case "all", "questions", "mentions":
		default:
			return nil, koban.Errorf(koban.EInvalid, "channel %s has mode %q: want all, questions or mentions", ch.ID, ch.Mode)
		}
		b.channels[ch.ID] = mode
	}
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
