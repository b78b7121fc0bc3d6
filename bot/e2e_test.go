package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/authz"
	"github.com/kobanhq/koban/desk"
	"github.com/kobanhq/koban/internal/sampledocs"
	"github.com/kobanhq/koban/knowledge"
	"github.com/kobanhq/koban/store"
	"github.com/kobanhq/koban/triage"
)

// harness is koban end to end: the bot's real HTTP handler and the real desk
// over the real store, docs index, knowledge and triage, with a fake Slack
// Web API at the edge.
type harness struct {
	t     testing.TB
	slack *fakeSlack
	store *store.Store
	desk  *desk.Desk
	bot   *Bot
	h     http.Handler
}

// fixedRouter sends every escalation to one on-call.
type fixedRouter struct{ user string }

func (r fixedRouter) Route(context.Context, koban.Domain, time.Time) (koban.Escalation, error) {
	return koban.Escalation{Rotation: "platform", OnCall: r.user, Channel: platformChan}, nil
}

type harnessOpts struct {
	appToken    string // set for Socket Mode
	databaseURL string
	workers     int
	channels    []Channel
	onCall      OnCall
	// platformOnCall builds the real on-call service over one daily
	// rotation of oncallUser and memberUser, in place of onCall.
	platformOnCall bool
	detector       Detector
	router         desk.Router  // default: fixedRouter to oncallUser
	noFallback     bool         // no fallback group (default: SPLATFORM)
	language       string       // the team's language (default English)
	log            *slog.Logger // default: the test's log with -v
}

func newHarness(t testing.TB, o harnessOpts) *harness {
	t.Helper()
	ctx := context.Background()
	fs := newFakeSlack(t)
	st, err := store.Open(ctx, store.Options{URL: o.databaseURL, DataDir: t.TempDir()})
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
	log := o.log
	if log == nil {
		log = testLogger(t)
	}
	// As serve wires it: the Slack client first, then who may do what (user
	// groups are read through the client), the desk, and the bot last.
	c, err := NewClient(ctx, ClientOptions{BotToken: "xoxb-test", APIURL: fs.url(), DocsBaseURLs: []string{sampledocs.BaseURL}, Language: o.language},
		ClientDeps{Events: st, Log: log})
	if err != nil {
		t.Fatalf("slack client: %v", err)
	}
	// The on-call is a rotation member; admins are an ID and a user group,
	// read from the fake Slack through the client.
	fs.groups = map[string][]string{"SADMINS": {groupAdmin}, "SRESPONDERS": {groupResponder}}
	policy := authz.New(authz.Config{Rotations: map[string][]string{"platform": {oncallUser, memberUser}},
		Admins: []string{adminUser, "SADMINS"}, RespondersGroup: "SRESPONDERS"}, c, log)
	onCall := o.onCall
	if o.platformOnCall {
		onCall = platformOnCall(t, c, st, policy)
	}
	var router desk.Router = fixedRouter{oncallUser}
	if o.router != nil {
		router = o.router
	}
	fallback := "SPLATFORM"
	if o.noFallback {
		fallback = ""
	}
	d := desk.New(desk.Config{FallbackGroup: fallback}, desk.Deps{
		Store:     st,
		Access:    policy,
		Knowledge: knowledge.New(ix, knowledge.Config{}, nil),
		Triage:    tri,
		Learner:   tri,
		Router:    router,
		Repliers:  c.Repliers(),
		Threads:   c,
	})
	channels := o.channels
	if channels == nil {
		channels = []Channel{{ID: helpChannel, Mode: "all"}, {ID: quietChan, Mode: "questions"}}
	}
	b, err := New(c, Options{AppToken: o.appToken, SigningSecret: testSecret, Channels: channels, Workers: o.workers},
		Deps{Desk: d, Inquiries: st, OnCall: onCall, Detector: o.detector, Access: policy, Claims: st})
	if err != nil {
		t.Fatalf("new bot: %v", err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- b.Run(runCtx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("bot.Run: %v", err)
		}
	})
	return &harness{t: t, slack: fs, store: st, desk: d, bot: b, h: b.Handler()}
}

// ask posts a question as a message event and returns its inquiry.
func (h *harness) ask(eventID, channel, text, ts string) *koban.Inquiry {
	h.t.Helper()
	if w := postEvent(h.t, h.h, messageEvent(eventID, channel, asker, text, ts, "")); w.Code != http.StatusOK {
		h.t.Fatalf("event %s: status %d: %s", eventID, w.Code, w.Body)
	}
	inq, err := h.store.InquiryByThread(context.Background(), channel, ts)
	if err != nil {
		h.t.Fatalf("inquiry of %s: %v", ts, err)
	}
	return inq
}

// process runs the inquiry's durable job, as the job runner would.
func (h *harness) process(id int64) {
	h.t.Helper()
	if err := h.desk.Process(context.Background(), id, 1); err != nil {
		h.t.Fatalf("process inquiry %d: %v", id, err)
	}
}

func (h *harness) inquiry(id int64) *koban.Inquiry {
	h.t.Helper()
	inq, err := h.store.Inquiry(context.Background(), id)
	if err != nil {
		h.t.Fatalf("inquiry %d: %v", id, err)
	}
	return inq
}

// testLogger shows the bot's log with -v.
func testLogger(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return nil
}

func TestAnswerInThreadThenSolved(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	inq := h.ask("Ev1", helpChannel, "How do I request a database for my service?", "1700000001.000100")
	if inq.Source != koban.SourceChannel || inq.AskedBy != asker || inq.State != koban.StateReceived {
		t.Fatalf("stored inquiry = %+v, want a received channel inquiry by %s", inq, asker)
	}
	h.bot.idle()
	if got := h.slack.reactions(inq.MessageTS); !slices.Equal(got, []string{"eyes"}) {
		t.Errorf("reactions on the question = %v, want [eyes]", got)
	}

	h.process(inq.ID)
	if got := h.inquiry(inq.ID).State; got != koban.StateAnswered {
		t.Fatalf("state after processing = %s, want answered", got)
	}
	posts := h.slack.posts(helpChannel, inq.ThreadTS)
	if len(posts) != 1 {
		t.Fatalf("posts in the thread = %d, want 1 answer", len(posts))
	}
	blocks := blocksOf(t, posts[0])
	raw := textOf(t, posts[0])
	if !strings.Contains(raw, "request-a-database") || !strings.Contains(raw, "https://docs.example.com/") {
		t.Errorf("answer blocks cite no link to request-a-database: %s", raw)
	}
	wantActions := []string{actionID(actSolved, inq.ID), actionID(actNeedHuman, inq.ID), actionID(actDocsWrong, inq.ID)}
	if got := actionIDs(blocks); !slices.Equal(got, wantActions) {
		t.Errorf("answer buttons = %v, want %v", got, wantActions)
	}

	// Processing again (a retried job) posts nothing new.
	h.process(inq.ID)
	if n := len(h.slack.posts(helpChannel, inq.ThreadTS)); n != 1 {
		t.Errorf("posts after a retried job = %d, want still 1", n)
	}

	if w := clickButton(t, h.h, asker, helpChannel, "1700000002.000100", actionID(actSolved, inq.ID)); w.Code != http.StatusOK {
		t.Fatalf("click Solved: status %d", w.Code)
	}
	h.bot.idle()
	got := h.inquiry(inq.ID)
	want := koban.Label{Category: koban.SelfSolvable, Detail: koban.DetailAnswered}
	if got.State != koban.StateResolved || got.Final != want {
		t.Errorf("after Solved: state %s, final %v; want resolved, %v", got.State, got.Final, want)
	}
	if r := h.slack.reactions(inq.MessageTS); !slices.Contains(r, "white_check_mark") {
		t.Errorf("reactions after Solved = %v, want white_check_mark", r)
	}
	if n := len(h.slack.posts(helpChannel, inq.ThreadTS)); n != 2 {
		t.Errorf("posts in the thread after Solved = %d, want answer + resolved notice", n)
	}
}

func TestNeedHumanEscalatesToOnCallAndResolve(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	inq := h.ask("Ev2", helpChannel, "How do I request a database for my service?", "1700000010.000100")
	h.process(inq.ID)

	clickButton(t, h.h, asker, helpChannel, "x", actionID(actNeedHuman, inq.ID))
	h.bot.idle()
	if got := h.inquiry(inq.ID); got.State != koban.StateEscalated || got.Assignee != oncallUser {
		t.Fatalf("after I need a human: state %s, assignee %q; want escalated to %s", got.State, got.Assignee, oncallUser)
	}
	posts := h.slack.posts(helpChannel, inq.ThreadTS)
	if len(posts) != 2 {
		t.Fatalf("posts in the thread = %d, want answer + escalation", len(posts))
	}
	esc := posts[1]
	if raw := textOf(t, esc); !strings.Contains(raw, "<@"+oncallUser+">") || !strings.Contains(raw, "<@"+asker+">") {
		t.Errorf("escalation does not mention the on-call and the asker: %s", raw)
	}
	if got, want := actionIDs(blocksOf(t, esc)), []string{actionID(actAck, inq.ID), actionID(actResolve, inq.ID)}; !slices.Equal(got, want) {
		t.Errorf("escalation buttons = %v, want %v", got, want)
	}

	clickButton(t, h.h, oncallUser, helpChannel, "x", actionID(actAck, inq.ID))
	h.bot.idle()
	if got := h.inquiry(inq.ID); got.State != koban.StateAcknowledged || got.FirstHumanResponseAt.IsZero() {
		t.Errorf("after Acknowledge: state %s, first human response %v", got.State, got.FirstHumanResponseAt)
	}

	clickButton(t, h.h, oncallUser, helpChannel, "x", actionID(actResolve, inq.ID))
	opened := h.slack.called("views.open")
	if len(opened) != 1 || opened[0].JSON["trigger_id"] != "trig-"+actionID(actResolve, inq.ID) {
		t.Fatalf("views.open calls = %+v, want one with the click's trigger", opened)
	}
	view, _ := json.Marshal(opened[0].JSON["view"])
	for _, l := range koban.Labels {
		if !strings.Contains(string(view), `"value":"`+l.String()+`"`) {
			t.Errorf("resolve modal lacks label %s", l)
		}
	}

	if w := submitResolve(t, h.h, oncallUser, inq.ID, "not-a-category", "database", "", ""); !strings.Contains(w.Body.String(), `"response_action":"errors"`) {
		t.Errorf("submitting a bad category = %s, want the modal's errors", w.Body)
	}
	if w := submitResolve(t, h.h, oncallUser, inq.ID, "platform-only/automation-candidate", "database", "how-to/request-a-database.md", "needed a bigger size"); w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Fatalf("submit resolve: %d %s", w.Code, w.Body)
	}
	h.bot.idle()
	got := h.inquiry(inq.ID)
	want := koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailAutomationCandidate}
	if got.State != koban.StateResolved || got.Final != want || got.Domain != "database" {
		t.Errorf("after Resolve: state %s, final %v, domain %s; want resolved, %v, database", got.State, got.Final, got.Domain, want)
	}
	if !slices.Contains(h.slack.reactions(inq.MessageTS), "white_check_mark") {
		t.Errorf("no ✅ after Resolve")
	}
}

func TestFollowUpInThread(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	inq := h.ask("Ev3", helpChannel, "How do I request a database for my service?", "1700000020.000100")
	h.process(inq.ID)

	body := messageEvent("Ev4", helpChannel, asker, "And how do I pick the size of the database?", "1700000021.000100", inq.ThreadTS)
	if w := postEvent(t, h.h, body); w.Code != http.StatusOK {
		t.Fatalf("follow-up: status %d", w.Code)
	}
	postEvent(t, h.h, body) // Slack retries it
	events, err := h.store.Events(context.Background(), inq.ID)
	if err != nil {
		t.Fatal(err)
	}
	var followUps int
	for _, ev := range events {
		if ev.Kind == koban.EventFollowUp {
			followUps++
		}
	}
	if followUps != 1 {
		t.Errorf("follow-up events = %d, want 1", followUps)
	}
	h.process(inq.ID)
	if n := len(h.slack.posts(helpChannel, inq.ThreadTS)); n != 2 {
		t.Errorf("posts in the thread = %d, want the first answer and the follow-up's", n)
	}

	// Someone else answering in the thread is a human reply.
	postEvent(t, h.h, messageEvent("Ev5", helpChannel, oncallUser, "use medium", "1700000022.000100", inq.ThreadTS))
	if got := h.inquiry(inq.ID); got.FirstHumanResponseAt.IsZero() {
		t.Errorf("a colleague's reply was not recorded as a human response")
	}
	if n, err := h.store.OpenInquiries(context.Background()); err != nil || len(n) != 1 {
		t.Errorf("open inquiries = %d (%v), want 1: thread replies are not new inquiries", len(n), err)
	}
}

func TestDuplicateDeliveryCreatesNothing(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	body := messageEvent("EvDup", helpChannel, asker, "How do I roll back a deployment?", "1700000030.000100", "")
	for i := range 3 {
		r := slackRequest(t, h.h, "/slack/events", "application/json", body, http.Header{"X-Slack-Retry-Num": {fmt.Sprint(i)}, "X-Slack-Retry-Reason": {"http_timeout"}})
		if r.Code != http.StatusOK {
			t.Fatalf("delivery %d: status %d", i, r.Code)
		}
	}
	h.bot.idle()
	open, err := h.store.OpenInquiries(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != 1 {
		t.Fatalf("inquiries after 3 deliveries = %d, want 1", len(open))
	}
	if got := h.slack.reactions("1700000030.000100"); len(got) != 1 {
		t.Errorf("reactions after 3 deliveries = %v, want one 👀", got)
	}
}

func TestBadSignatureIsRejected(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	body := messageEvent("EvBad", helpChannel, asker, "How do I roll back a deployment?", "1700000040.000100", "")
	tests := []struct {
		name string
		sign func(r *http.Request)
	}{
		{"wrong secret", func(r *http.Request) { sign(r, body, "not-the-secret", time.Now()) }},
		{"replayed after 10 minutes", func(r *http.Request) { sign(r, body, testSecret, time.Now().Add(-10*time.Minute)) }},
		{"body changed", func(r *http.Request) { sign(r, append([]byte(nil), body[:len(body)-2]...), testSecret, time.Now()) }},
		{"unsigned", func(r *http.Request) { r.Header.Set("X-Slack-Signature", "v0=") }},
	}
	for _, tt := range tests {
		for _, path := range []string{"/slack/events", "/slack/interactive", "/slack/commands"} {
			r, _ := http.NewRequest(http.MethodPost, path, strings.NewReader(string(body)))
			tt.sign(r)
			w := httptest.NewRecorder()
			h.h.ServeHTTP(w, r)
			if w.Code != http.StatusUnauthorized {
				t.Errorf("%s to %s: status %d, want 401", tt.name, path, w.Code)
			}
		}
	}
	if open, _ := h.store.OpenInquiries(context.Background()); len(open) != 0 {
		t.Errorf("inquiries after bad requests = %d, want 0", len(open))
	}
	if n := len(h.slack.called("reactions.add")); n != 0 {
		t.Errorf("Slack calls after bad requests: %d reactions", n)
	}
}

func TestRateLimitedReplyIsRetriedAfterRetryAfter(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	inq := h.ask("Ev6", helpChannel, "How do I request a database for my service?", "1700000050.000100")
	h.slack.failNext("chat.postMessage", failure{status: http.StatusTooManyRequests, retryAfter: "7"})

	err := h.desk.Process(context.Background(), inq.ID, 1)
	var ra interface{ RetryAfter() time.Duration }
	if !errors.As(err, &ra) || ra.RetryAfter() != 7*time.Second {
		t.Fatalf("Process with Slack at 429 = %v, want an error with RetryAfter 7s", err)
	}
	if errors.Is(err, desk.ErrUndeliverable) {
		t.Fatalf("429 is undeliverable: %v", err)
	}
	if err := h.desk.Process(context.Background(), inq.ID, 2); err != nil {
		t.Fatalf("retry after the rate limit: %v", err)
	}
	if n := len(h.slack.posts(helpChannel, inq.ThreadTS)); n != 1 {
		t.Errorf("answers delivered = %d, want exactly 1", n)
	}

	// A 5xx is retried too.
	inq2 := h.ask("Ev7", helpChannel, "How do I roll back a deployment?", "1700000051.000100")
	h.slack.failNext("chat.postMessage", failure{status: http.StatusBadGateway})
	if err := h.desk.Process(context.Background(), inq2.ID, 1); err == nil || errors.Is(err, desk.ErrUndeliverable) {
		t.Fatalf("Process with Slack at 502 = %v, want a retryable error", err)
	}
	if err := h.desk.Process(context.Background(), inq2.ID, 2); err != nil {
		t.Fatalf("retry after 502: %v", err)
	}
}

func TestUndeliverableReplyIsRecorded(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	inq := h.ask("Ev8", helpChannel, "How do I request a database for my service?", "1700000060.000100")
	h.slack.failNext("chat.postMessage", failure{slackErr: "is_archived"})
	if err := h.desk.Process(context.Background(), inq.ID, 1); err != nil {
		t.Fatalf("Process into an archived channel = %v, want nil (recorded, not retried)", err)
	}
	if got := h.inquiry(inq.ID); !strings.Contains(got.Failure, "is_archived") {
		t.Errorf("inquiry failure = %q, want is_archived", got.Failure)
	}
}

func TestWhereKobanListens(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	mention := func(id, channel, text, ts, thread string) []byte {
		inner := map[string]any{"type": "app_mention", "channel": channel, "user": asker, "text": text, "ts": ts}
		if thread != "" {
			inner["thread_ts"] = thread
		}
		return callbackBody(id, inner)
	}
	withInner := func(id string, extra map[string]any) []byte {
		inner := map[string]any{"type": "message", "channel": helpChannel, "user": asker, "text": "how do I view logs?", "ts": "1700000100.0001" + id[len(id)-1:], "channel_type": "channel"}
		for k, v := range extra {
			inner[k] = v
		}
		return callbackBody(id, inner)
	}
	tests := []struct {
		name   string
		body   []byte
		source koban.Source // "" when ignored
	}{
		{"question in an all channel", messageEvent("L1", helpChannel, asker, "prod is down for us", "1700000101.000100", ""), koban.SourceChannel},
		{"statement in a questions channel", messageEvent("L2", quietChan, asker, "thanks all, deployed fine", "1700000102.000100", ""), ""},
		{"question in a questions channel", messageEvent("L3", quietChan, asker, "how do I view logs", "1700000103.000100", ""), koban.SourceChannel},
		{"error in a questions channel", messageEvent("L4", quietChan, asker, "deploy fails with ImagePullBackOff error", "1700000104.000100", ""), koban.SourceChannel},
		{"message in another channel", messageEvent("L5", "COTHER", asker, "how do I view logs?", "1700000105.000100", ""), ""},
		{"mention in another channel", mention("L6", "COTHER", "<@"+botUser+"> how do I view logs?", "1700000106.000100", ""), koban.SourceMention},
		{"message event of a mention", messageEvent("L7", "COTHER", asker, "<@"+botUser+"> how do I view logs?", "1700000106.000100", ""), ""},
		{"direct message", messageEvent("L8", "DASKER", asker, "how do I view logs?", "1700000108.000100", ""), koban.SourceDM},
		{"bot message", withInner("L9", map[string]any{"bot_id": "BOTHER", "subtype": "bot_message"}), ""},
		{"koban itself", withInner("La", map[string]any{"user": botUser}), ""},
		{"edit", withInner("Lb", map[string]any{"subtype": "message_changed"}), ""},
		{"join", withInner("Lc", map[string]any{"subtype": "channel_join"}), ""},
		{"reply in an untracked thread", messageEvent("Ld", helpChannel, asker, "how do I view logs?", "1700000113.000100", "1600000000.000100"), ""},
		{"mention in an untracked thread", mention("Le", "COTHER", "<@"+botUser+"> how do I view logs?", "1700000114.000100", "1600000001.000100"), koban.SourceMention},
	}
	before := 0
	for _, tt := range tests {
		if w := postEvent(t, h.h, tt.body); w.Code != http.StatusOK {
			t.Fatalf("%s: status %d", tt.name, w.Code)
		}
		open, err := h.store.OpenInquiries(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case tt.source == "" && len(open) != before:
			t.Errorf("%s: created an inquiry, want it ignored", tt.name)
		case tt.source != "" && len(open) != before+1:
			t.Errorf("%s: inquiries %d → %d, want one more", tt.name, before, len(open))
		case tt.source != "" && open[len(open)-1].Source != tt.source:
			t.Errorf("%s: source %s, want %s", tt.name, open[len(open)-1].Source, tt.source)
		}
		if tt.source == koban.SourceMention && strings.Contains(open[len(open)-1].Text, botUser) {
			t.Errorf("%s: stored text %q still mentions koban", tt.name, open[len(open)-1].Text)
		}
		before = len(open)
	}
}

func TestSlashCommands(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	w := slashCommand(t, h.h, asker, helpChannel, "ask how do I roll back a deployment?")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"response_type":"ephemeral"`) {
		t.Fatalf("/koban ask: %d %s", w.Code, w.Body)
	}
	posted := h.slack.posts(helpChannel, "")
	if len(posted) != 1 || !strings.Contains(posted[0].Form.Get("text"), "roll back") {
		t.Fatalf("/koban ask posted %+v, want the question in the channel", posted)
	}
	open, _ := h.store.OpenInquiries(context.Background())
	if len(open) != 1 || open[0].Source != koban.SourceCommand || open[0].ThreadTS == "" {
		t.Fatalf("inquiries after /koban ask = %+v, want one command inquiry with a thread", open)
	}
	h.process(open[0].ID)
	if n := len(h.slack.posts(helpChannel, open[0].ThreadTS)); n != 1 {
		t.Errorf("replies in the /koban ask thread = %d, want 1", n)
	}

	// Not in the channel: the question goes to a DM.
	h.slack.failNext("chat.postMessage", failure{slackErr: "not_in_channel"})
	slashCommand(t, h.h, asker, "CPRIVATE", "ask where are my logs?")
	open, _ = h.store.OpenInquiries(context.Background())
	if len(open) != 2 || !strings.HasPrefix(open[1].Channel, "D") {
		t.Errorf("inquiries = %+v, want the second in a DM", open)
	}

	tests := []struct{ text, want string }{
		{"", "/koban ask"},
		{"help", "/koban oncall"},
		{"status", "2 open inquiries"},
		{"ask", "Write your question"},
		{"oncall", "No on-call rotation is configured"},
		{"frobnicate", "/koban help"},
	}
	for _, tt := range tests {
		w := slashCommand(t, h.h, asker, helpChannel, tt.text)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), tt.want) || !strings.Contains(w.Body.String(), "ephemeral") {
			t.Errorf("/koban %s = %d %s, want an ephemeral reply containing %q", tt.text, w.Code, w.Body, tt.want)
		}
	}
}

func TestAppHomeOpened(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.ask("Ev9", helpChannel, "How do I request a database for my service?", "1700000070.000100")
	postEvent(t, h.h, callbackBody("EvHome", map[string]any{"type": "app_home_opened", "user": asker, "channel": "DASKER", "tab": "home"}))
	h.bot.idle()
	pub := h.slack.called("views.publish")
	if len(pub) != 1 || pub[0].JSON["user_id"] != asker {
		t.Fatalf("views.publish calls = %+v, want one for %s", pub, asker)
	}
	view, _ := json.Marshal(pub[0].JSON["view"])
	if !strings.Contains(string(view), "Your open inquiries* (1)") {
		t.Errorf("home view does not list the viewer's open inquiry: %s", view)
	}
}

func TestURLVerification(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	w := postEvent(t, h.h, []byte(`{"type":"url_verification","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","token":"x"}`))
	if w.Code != http.StatusOK || w.Body.String() != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Errorf("url_verification = %d %q, want the challenge", w.Code, w.Body)
	}
}

func TestDocsWrongBringsAHuman(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	inq := h.ask("EvDW", helpChannel, "How do I request a database for my service?", "1700000080.000100")
	h.process(inq.ID)
	inq = h.inquiry(inq.ID)
	clickButton(t, h.h, asker, helpChannel, "x", actionID(actDocsWrong, inq.ID))
	h.bot.idle()
	got := h.inquiry(inq.ID)
	// koban's prediction stays koban's; the asker's word is the escalation's reason.
	if got.State != koban.StateEscalated || got.Predicted != inq.Predicted || got.Predicted.IsZero() {
		t.Errorf("after Docs are wrong: state %s, predicted %v; want escalated, %v (koban's, unchanged)", got.State, got.Predicted, inq.Predicted)
	}
	posts := h.slack.posts(helpChannel, inq.ThreadTS)
	if len(posts) != 2 || !strings.Contains(textOf(t, posts[1]), "the asker says the docs are wrong or missing") {
		t.Errorf("want the escalation saying the asker finds the docs wrong in the thread, got %d posts", len(posts))
	}
}

func TestJapaneseQuestionGetsJapaneseReply(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	inq := h.ask("EvJA", helpChannel, "本番環境へのアクセス権を申請する方法を教えてください", "1700000090.000100")
	h.process(inq.ID)
	got := h.inquiry(inq.ID)
	posts := h.slack.posts(helpChannel, inq.ThreadTS)
	if len(posts) != 1 {
		t.Fatalf("posts = %d, want 1", len(posts))
	}
	text := textOf(t, posts[0])
	want := "解決しました"
	if got.State == koban.StateEscalated {
		want = "対応します"
	}
	if got.Lang != "ja" || !strings.Contains(text, want) {
		t.Errorf("reply to a Japanese question (lang %q, state %s) lacks %q:\n%s", got.Lang, got.State, want, text)
	}
}

// recordingOnCall is a rotation with one person on call, that records the
// override commands it is given.
type recordingOnCall struct {
	mu       sync.Mutex
	commands []string
}

func (o *recordingOnCall) Now(_ context.Context, t time.Time) ([]koban.Shift, error) {
	return []koban.Shift{{Rotation: "platform", Person: oncallUser, Start: t.Add(-time.Hour), End: t.Add(time.Hour)}}, nil
}

func (o *recordingOnCall) Next(_ context.Context, t time.Time) ([]koban.Shift, error) {
	return []koban.Shift{{Rotation: "platform", Person: "UNEXT", Start: t.Add(time.Hour), End: t.Add(25 * time.Hour)}}, nil
}

func (o *recordingOnCall) Command(_ context.Context, user, text string) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if strings.HasPrefix(text, "cover") && !strings.Contains(text, "<@") {
		return "", koban.Errorf(koban.EInvalid, "Say who covers: /koban oncall cover platform @someone tomorrow")
	}
	o.commands = append(o.commands, user+" "+text)
	return "Done: " + text, nil
}

func TestOnCallCommands(t *testing.T) {
	oc := &recordingOnCall{}
	h := newHarness(t, harnessOpts{onCall: oc})
	tests := []struct{ text, want string }{
		{"oncall", "<@" + oncallUser + "> (platform) until"},
		{"oncall", "<@UNEXT> (platform) from"},
		{"oncall cover platform <@UOTHER|other> tomorrow", "Done: cover platform"},
		{"oncall cover platform tomorrow", "Say who covers"},
		{"oncall list", "Done: list"},
	}
	for _, tt := range tests {
		w := slashCommand(t, h.h, asker, helpChannel, tt.text)
		var reply struct {
			ResponseType string `json:"response_type"`
			Text         string `json:"text"`
			Blocks       []any  `json:"blocks"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &reply); err != nil {
			t.Fatalf("/koban %s: %v (%s)", tt.text, err, w.Body)
		}
		var all strings.Builder
		enc := json.NewEncoder(&all)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(reply.Blocks); err != nil {
			t.Fatal(err)
		}
		s := reply.Text + all.String()
		if reply.ResponseType != "ephemeral" || !strings.Contains(s, tt.want) {
			t.Errorf("/koban %s = %s, want an ephemeral reply containing %q", tt.text, s, tt.want)
		}
	}
	want := []string{asker + " cover platform <@UOTHER|other> tomorrow", asker + " list"}
	if !slices.Equal(oc.commands, want) {
		t.Errorf("delegated commands = %q, want %q", oc.commands, want)
	}
}

func TestResolvedRetiresButtons(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	// Asked and answered before the first resolution teaches triage otherwise.
	inq := h.ask("EvRB1", helpChannel, "How do I request a database for my service?", "1700000200.000100")
	inq2 := h.ask("EvRB2", helpChannel, "How do I request a database for my service?", "1700000210.000100")
	inq3 := h.ask("EvRB3", helpChannel, "How do I request a database for my service?", "1700000220.000100")
	for _, i := range []*koban.Inquiry{inq, inq2, inq3} {
		h.process(i.ID)
		if got := h.inquiry(i.ID).State; got != koban.StateAnswered {
			t.Fatalf("inquiry %d is %s, want answered", i.ID, got)
		}
	}
	clickButton(t, h.h, asker, helpChannel, "x", actionID(actNeedHuman, inq.ID))
	h.bot.idle()
	posts := h.slack.posts(helpChannel, inq.ThreadTS)
	if len(posts) != 2 {
		t.Fatalf("posts in the thread = %d, want answer + escalation", len(posts))
	}
	for _, p := range posts {
		var md struct {
			EventType    string         `json:"event_type"`
			EventPayload map[string]any `json:"event_payload"`
		}
		if err := json.Unmarshal([]byte(p.Form.Get("metadata")), &md); err != nil || md.EventType != replyEvent || md.EventPayload["inquiry_id"] != fmt.Sprint(inq.ID) {
			t.Errorf("reply %s metadata = %q (%v), want %s for inquiry %d", p.TS, p.Form.Get("metadata"), err, replyEvent, inq.ID)
		}
	}
	if n := len(h.slack.called("chat.update")); n != 0 {
		t.Fatalf("chat.update calls before resolution = %d, want 0", n)
	}

	submitResolve(t, h.h, oncallUser, inq.ID, "platform-only/automation-candidate", "database", "", "")
	h.bot.idle()
	if got := h.inquiry(inq.ID); got.State != koban.StateResolved {
		t.Fatalf("state after Resolve = %s, want resolved", got.State)
	}
	reads := h.slack.called("conversations.replies")
	if len(reads) == 0 || reads[0].Form.Get("ts") != inq.ThreadTS || reads[0].Form.Get("include_all_metadata") != "1" {
		t.Errorf("conversations.replies calls = %+v, want the thread with its metadata", reads)
	}
	updates := h.slack.called("chat.update")
	var updated []string
	for _, u := range updates {
		updated = append(updated, u.Form.Get("ts"))
		if u.Form.Get("channel") != helpChannel {
			t.Errorf("chat.update in %s, want %s", u.Form.Get("channel"), helpChannel)
		}
		if ids := actionIDs(blocksOf(t, u)); len(ids) != 0 {
			t.Errorf("reply %s still has buttons %v", u.Form.Get("ts"), ids)
		}
		if s := textOf(t, u); !strings.Contains(s, "Resolved by <@"+oncallUser+"> as *platform-only/automation-candidate*") {
			t.Errorf("reply %s does not say who resolved it as what:\n%s", u.Form.Get("ts"), s)
		}
		if !strings.Contains(u.Form.Get("metadata"), replyEvent) {
			t.Errorf("reply %s lost its metadata: %q", u.Form.Get("ts"), u.Form.Get("metadata"))
		}
	}
	if want := []string{posts[0].TS, posts[1].TS}; !slices.Equal(updated, want) {
		t.Errorf("updated replies %v, want the answer and the escalation %v", updated, want)
	}
	if s := textOf(t, updates[0]); !strings.Contains(s, "request-a-database") {
		t.Errorf("the updated answer lost its citations:\n%s", s)
	}

	// Solved by the asker; reading the thread fails, but the rest is done.
	clickButton(t, h.h, asker, helpChannel, "x", actionID(actSolved, inq2.ID))
	h.bot.idle()
	answer := h.slack.posts(helpChannel, inq2.ThreadTS)[0]
	var got []apiCall
	for _, u := range h.slack.called("chat.update") {
		if u.Form.Get("ts") == answer.TS {
			got = append(got, u)
		}
	}
	if len(got) != 1 || !strings.Contains(textOf(t, got[0]), "Resolved by <@"+asker+"> as *self-solvable/answered*") {
		t.Errorf("after Solved: updates of the answer = %+v, want one saying %s solved it", got, asker)
	}

	h.slack.failNext("conversations.replies", failure{slackErr: "missing_scope"})
	clickButton(t, h.h, asker, helpChannel, "x", actionID(actSolved, inq3.ID))
	h.bot.idle()
	if n := len(h.slack.posts(helpChannel, inq3.ThreadTS)); n != 2 {
		t.Errorf("posts after Solved with the thread unreadable = %d, want answer + resolved notice", n)
	}
	if r := h.slack.reactions(inq3.MessageTS); !slices.Contains(r, "white_check_mark") {
		t.Errorf("reactions after Solved with the thread unreadable = %v, want white_check_mark", r)
	}
}
