package bot

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/desk"
	"github.com/kobanhq/koban/oncall"
)

// newTestBot is a Slack client over the fake Slack, for the Web API side
// alone.
func newTestBot(t *testing.T) (*Client, *fakeSlack) {
	t.Helper()
	return newTestBotWith(t, nil)
}

// newTestBotWith is newTestBot with options and dependencies set by with.
func newTestBotWith(t *testing.T, with func(*ClientOptions, *ClientDeps)) (*Client, *fakeSlack) {
	t.Helper()
	fs := newFakeSlack(t)
	opts := ClientOptions{BotToken: "xoxb-test", APIURL: fs.url()}
	deps := ClientDeps{Events: noInquiries{}, Log: testLogger(t)}
	if with != nil {
		with(&opts, &deps)
	}
	c, err := NewClient(context.Background(), opts, deps)
	if err != nil {
		t.Fatal(err)
	}
	if c.selfUser != botUser || c.selfBot != botID {
		t.Errorf("auth.test gave user %q bot %q, want %s %s", c.selfUser, c.selfBot, botUser, botID)
	}
	return c, fs
}

type noInquiries struct{}

func (noInquiries) Inquiry(context.Context, int64) (*koban.Inquiry, error) {
	return nil, koban.Errorf(koban.ENotFound, "no inquiry")
}
func (noInquiries) OpenInquiries(context.Context) ([]koban.Inquiry, error) { return nil, nil }
func (noInquiries) Events(context.Context, int64) ([]koban.Event, error)   { return nil, nil }

func TestNotifier(t *testing.T) {
	b, fs := newTestBot(t)
	ctx := context.Background()

	h := oncall.Handoff{Rotation: "platform", Channel: "CPLATFORM", Outgoing: "UOLD", Incoming: "UNEW"}
	if err := b.PostHandoff(ctx, h); err != nil {
		t.Fatalf("PostHandoff: %v", err)
	}
	if len(fs.posts("CPLATFORM", "")) != 1 || len(fs.posts("UNEW", "")) != 1 {
		t.Errorf("handoff posts: channel %d, DM %d; want 1 and 1", len(fs.posts("CPLATFORM", "")), len(fs.posts("UNEW", "")))
	}

	inq := koban.Inquiry{ID: 3, Channel: "CHELP", Text: "help"}
	if err := b.Remind(ctx, oncall.Reminder{Channel: "CPLATFORM", Person: "UNEW", Inquiry: inq, Percent: 50, Left: time.Hour}); err != nil {
		t.Fatal(err)
	}
	if err := b.Remind(ctx, oncall.Reminder{Channel: "CPLATFORM", Person: "UNEW", Inquiry: inq, Percent: 100, Left: -time.Hour}); err != nil {
		t.Fatal(err)
	}
	if len(fs.posts("UNEW", "")) != 2 || len(fs.posts("CPLATFORM", "")) != 2 {
		t.Errorf("reminders: want one DM to the on-call and the breach in the channel")
	}

	if err := b.SyncUserGroup(ctx, "SONCALL", []string{"UNEW", "UOTHER"}); err != nil {
		t.Fatal(err)
	}
	up := fs.called("usergroups.users.update")
	if len(up) != 1 || up[0].Form.Get("usergroup") != "SONCALL" || up[0].Form.Get("users") != "UNEW,UOTHER" {
		t.Errorf("usergroups.users.update calls = %+v", up)
	}

	if id, err := b.LookupEmail(ctx, "alice@example.com"); err != nil || id != "UALICE" {
		t.Errorf("LookupEmail(alice) = %q, %v; want UALICE", id, err)
	}
	if _, err := b.LookupEmail(ctx, "nobody@example.com"); koban.ErrorCode(err) != koban.ENotFound {
		t.Errorf("LookupEmail(nobody) error code = %q (%v), want not_found", koban.ErrorCode(err), err)
	} else if got, want := koban.ErrorText("ja", err), "メールアドレス nobody@example.com の Slack ユーザーはいません"; got != want {
		t.Errorf("LookupEmail(nobody) error in Japanese = %q, want %q", got, want)
	}
	fs.failNext("users.lookupByEmail", failure{status: http.StatusServiceUnavailable})
	if _, err := b.LookupEmail(ctx, "alice@example.com"); koban.ErrorCode(err) != koban.EUnavailable {
		t.Errorf("LookupEmail with Slack down: code %q (%v), want unavailable", koban.ErrorCode(err), err)
	}
}

func TestClassify(t *testing.T) {
	b, fs := newTestBot(t)
	ctx := context.Background()
	inq := &koban.Inquiry{ID: 1, Channel: "CHELP", ThreadTS: "1.1"}
	reply := desk.Reply{Kind: koban.EventAnswered, Answer: koban.Answer{Text: "x", Known: true}}
	tests := []struct {
		fail          failure
		undeliverable bool
		retryAfter    time.Duration
		code          string
	}{
		{failure{slackErr: "channel_not_found"}, true, 0, koban.EInternal},
		{failure{slackErr: "is_archived"}, true, 0, koban.EInternal},
		{failure{slackErr: "not_in_channel"}, true, 0, koban.EInternal},
		{failure{slackErr: "account_inactive"}, true, 0, koban.EInternal},
		{failure{status: 429, retryAfter: "30"}, false, 30 * time.Second, koban.EUnavailable},
		{failure{status: 500}, false, 0, koban.EUnavailable},
		{failure{status: 503}, false, 0, koban.EUnavailable},
		{failure{slackErr: "internal_error"}, false, 0, koban.EInternal},
	}
	for _, tt := range tests {
		fs.failNext("chat.postMessage", tt.fail)
		err := b.Deliver(ctx, inq, reply)
		if err == nil {
			t.Errorf("Deliver with %+v = nil, want an error", tt.fail)
			continue
		}
		if got := errors.Is(err, desk.ErrUndeliverable); got != tt.undeliverable {
			t.Errorf("Deliver with %+v: undeliverable = %v, want %v (%v)", tt.fail, got, tt.undeliverable, err)
		}
		var ra interface{ RetryAfter() time.Duration }
		if got := errors.As(err, &ra); got != (tt.retryAfter > 0) || (got && ra.RetryAfter() != tt.retryAfter) {
			t.Errorf("Deliver with %+v: RetryAfter = %v, want %v", tt.fail, got, tt.retryAfter)
		}
		if got := koban.ErrorCode(err); got != tt.code {
			t.Errorf("Deliver with %+v: code %q, want %q", tt.fail, got, tt.code)
		}
		if strings.Contains(err.Error(), "xoxb-") {
			t.Errorf("error leaks the token: %v", err)
		}
	}
}
