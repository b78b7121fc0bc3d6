package bot

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/desk"
	"github.com/kobanhq/koban/metrics"
	"github.com/kobanhq/koban/oncall"
)

// ClientOptions configure the Slack Web API client. BotToken is required.
type ClientOptions struct {
	BotToken string // xoxb-…
	// APIURL points the Web API client at another base URL (tests, proxies);
	// empty for https://slack.com/api/.
	APIURL string
	// HTTPClient is used for the Web API; default a client with a 10 s timeout.
	HTTPClient *http.Client
	// ReportChannel is where the monthly report is posted (a channel ID).
	ReportChannel string
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

// Events reads an inquiry's events, oldest first (the store): who resolved
// it and how, for the notice posted on resolution.
type Events interface {
	Events(ctx context.Context, id int64) ([]koban.Event, error)
}

// ClientDeps are what the client reads besides Slack; each may be nil.
// Without Events, the notice posted on resolution does not say who resolved
// an inquiry or how.
type ClientDeps struct {
	Events Events
	Log    *slog.Logger
	Now    func() time.Time
}

// Client is koban's outbound side of Slack, over the Web API: it is the
// desk's Replier and Threads (answers, escalations, resolutions, thread
// replies and permalinks), the on-call Notifier (handoffs, reminders, user
// groups, email and @name lookups, swap requests), the report's Poster and
// the web UI's Names. It is built from the bot token alone and needs no
// inbound connection: everything that handles what Slack sends is the Bot,
// built on a Client.
type Client struct {
	cfg    ClientOptions
	events Events
	log    *slog.Logger
	clock  func() time.Time
	api    *slack.Client

	// Who koban is in this workspace, from auth.test: its messages are ignored
	// and its mentions stripped.
	selfUser, selfBot string

	users directory // for LookupName
}

// The roles a Client plays for the rest of koban.
var (
	_ desk.Replier       = (*Client)(nil)
	_ desk.Threads       = (*Client)(nil)
	_ desk.PastRetractor = (*Client)(nil)
	_ oncall.Notifier    = (*Client)(nil)
	_ oncall.NameLookup  = (*Client)(nil)
	_ oncall.SwapAsker   = (*Client)(nil)
	_ metrics.Poster     = (*Client)(nil)
)

// NewClient checks the options and asks Slack who the bot is (auth.test).
func NewClient(ctx context.Context, opts ClientOptions, deps ClientDeps) (*Client, error) {
	if opts.BotToken == "" {
		return nil, koban.Errorf(koban.EInvalid, "SLACK_BOT_TOKEN is not set")
	}
	if deps.Log == nil {
		deps.Log = slog.New(slog.DiscardHandler)
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	c := &Client{cfg: opts, events: deps.Events, log: deps.Log, clock: deps.Now}
	c.api = slack.New(opts.BotToken, c.apiOptions()...)
	auth, err := c.api.AuthTestContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("slack auth.test: %w", classify(err))
	}
	c.selfUser, c.selfBot = auth.UserID, auth.BotID
	c.log.Info("slack connected", "team", auth.TeamID, "bot_user", auth.UserID)
	return c, nil
}

// apiOptions are the slack-go options of every Web API client koban makes.
// Never slack.OptionDebug: it dumps requests, tokens included.
func (c *Client) apiOptions(extra ...slack.Option) []slack.Option {
	opts := []slack.Option{slack.OptionHTTPClient(c.cfg.HTTPClient)}
	if c.cfg.APIURL != "" {
		u := c.cfg.APIURL
		if !strings.HasSuffix(u, "/") {
			u += "/"
		}
		opts = append(opts, slack.OptionAPIURL(u))
	}
	return append(opts, extra...)
}

// Repliers maps each inquiry source to where its replies go: the
// conversation it was asked in for Slack's sources, and the on-call in
// Slack for escalations from the web playground (see WebReplier).
func (c *Client) Repliers() map[koban.Source]desk.Replier {
	r := map[koban.Source]desk.Replier{koban.SourceWeb: c.WebReplier()}
	for _, src := range []koban.Source{koban.SourceChannel, koban.SourceMention, koban.SourceDM, koban.SourceCommand} {
		r[src] = c
	}
	return r
}

// eventsOf returns an inquiry's events; none without Events.
func (c *Client) eventsOf(ctx context.Context, id int64) ([]koban.Event, error) {
	if c.events == nil {
		return nil, nil
	}
	return c.events.Events(ctx, id)
}

func (c *Client) now() time.Time { return c.clock() }
