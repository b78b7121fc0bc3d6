package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/oncall"
)

// Who else is in the test workspace.
const (
	outsider       = "UEVIL"
	adminUser      = "UADMIN"
	groupAdmin     = "UGADMIN"    // a member of the admins user group
	groupResponder = "URESPONDER" // a member of the responders user group
)

// The rotation in the access tests: the on-call and one more member.
const (
	memberUser   = "UMEMBER"
	platformChan = "CPLATFORM"
)

// logBuffer collects a logger's output, for checking that refusals are logged.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newLoggedHarness(t *testing.T, o harnessOpts) (*harness, *logBuffer) {
	t.Helper()
	buf := &logBuffer{}
	o.log = slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return newHarness(t, o), buf
}

// ephemeralsTo returns the ephemeral messages posted to user.
func (f *fakeSlack) ephemeralsTo(user string) []apiCall {
	var out []apiCall
	for _, c := range f.called("chat.postEphemeral") {
		if c.Form.Get("user") == user {
			out = append(out, c)
		}
	}
	return out
}

// refused checks that user was told ephemerally, with want in the text,
// and that the refusal was logged.
func refused(t *testing.T, h *harness, log *logBuffer, user, want string) {
	t.Helper()
	h.bot.idle()
	eph := h.slack.ephemeralsTo(user)
	if len(eph) == 0 || !strings.Contains(textOf(t, eph[len(eph)-1]), want) {
		t.Errorf("%s was not told %q ephemerally (ephemerals: %d)", user, want, len(eph))
	}
	if !strings.Contains(log.String(), "refused") || !strings.Contains(log.String(), "user="+user) {
		t.Errorf("the refusal of %s is not in the log", user)
	}
}

func TestOutsiderCannotActOnInquiries(t *testing.T) {
	h, log := newLoggedHarness(t, harnessOpts{})
	inq := h.ask("EvOut1", helpChannel, "How do I request a database for my service?", "1700000301.000100")
	h.process(inq.ID)
	if got := h.inquiry(inq.ID).State; got != koban.StateAnswered {
		t.Fatalf("state after processing = %s, want answered", got)
	}
	eventsBefore := func() int {
		evs, err := h.store.Events(context.Background(), inq.ID)
		if err != nil {
			t.Fatal(err)
		}
		return len(evs)
	}
	n := eventsBefore()

	// Solved and I need a human on someone else's answer.
	for _, act := range []string{actSolved, actNeedHuman, actDocsWrong} {
		if w := clickButton(t, h.h, outsider, helpChannel, "x", actionID(act, inq.ID)); w.Code != http.StatusOK {
			t.Fatalf("click %s: status %d", act, w.Code)
		}
	}
	refused(t, h, log, outsider, "Only the person who asked")
	if got := h.inquiry(inq.ID); got.State != koban.StateAnswered || !got.Final.IsZero() || eventsBefore() != n {
		t.Fatalf("after the outsider's clicks: state %s, final %v, %d events; want answered, no label, %d events", got.State, got.Final, eventsBefore(), n)
	}

	// The asker brings a human in; the outsider cannot acknowledge or resolve.
	clickButton(t, h.h, asker, helpChannel, "x", actionID(actNeedHuman, inq.ID))
	if got := h.inquiry(inq.ID).State; got != koban.StateEscalated {
		t.Fatalf("after the asker's I need a human: %s, want escalated (done before the ack)", got)
	}
	n = eventsBefore()
	posts := len(h.slack.posts(helpChannel, inq.ThreadTS))
	clickButton(t, h.h, outsider, helpChannel, "x", actionID(actAck, inq.ID))
	refused(t, h, log, outsider, "Only the platform on-call can acknowledge")
	clickButton(t, h.h, outsider, helpChannel, "x", actionID(actResolve, inq.ID))
	refused(t, h, log, outsider, "Only the platform on-call can resolve")
	if v := h.slack.called("views.open"); len(v) != 0 {
		t.Errorf("the Resolve… modal (with the question in it) opened for an outsider")
	}
	w := submitResolve(t, h.h, outsider, inq.ID, "self-solvable/answered", "database", "", "")
	if !strings.Contains(w.Body.String(), "Only the platform on-call can resolve") || !strings.Contains(w.Body.String(), `"errors"`) {
		t.Errorf("outsider's Resolve submission = %s, want the refusal in the modal", w.Body)
	}
	if got := h.inquiry(inq.ID); got.State != koban.StateEscalated || !got.Final.IsZero() || eventsBefore() != n ||
		len(h.slack.posts(helpChannel, inq.ThreadTS)) != posts {
		t.Fatalf("after the outsider's acknowledge and resolve: state %s, final %v; want escalated, nothing changed or posted", got.State, got.Final)
	}

	// Responders may: the on-call acknowledges, a responders-group member resolves.
	clickButton(t, h.h, oncallUser, helpChannel, "x", actionID(actAck, inq.ID))
	if got := h.inquiry(inq.ID); got.State != koban.StateAcknowledged || got.Assignee != oncallUser {
		t.Fatalf("after the on-call's Acknowledge: state %s, assignee %s", got.State, got.Assignee)
	}
	clickButton(t, h.h, groupResponder, helpChannel, "x", actionID(actResolve, inq.ID))
	if v := h.slack.called("views.open"); len(v) != 1 {
		t.Errorf("the Resolve… modal did not open for a responders-group member (views.open calls: %d)", len(v))
	}
	if w := submitResolve(t, h.h, groupResponder, inq.ID, "platform-only/required", "database", "", ""); strings.Contains(w.Body.String(), "errors") {
		t.Fatalf("responder's Resolve = %s", w.Body)
	}
	if got := h.inquiry(inq.ID); got.State != koban.StateResolved || got.Final.String() != "platform-only/required" {
		t.Errorf("after the responder's Resolve: state %s, final %v; want resolved, platform-only/required", got.State, got.Final)
	}
}

func TestAdminsByIDAndGroup(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	for i, admin := range []string{adminUser, groupAdmin} {
		ts := fmt.Sprintf("17000004%02d.000100", i)
		inq := h.ask("EvAdm"+admin, helpChannel, "How do I request a database for my service?", ts)
		h.process(inq.ID)
		clickButton(t, h.h, admin, helpChannel, "x", actionID(actSolved, inq.ID))
		if got := h.inquiry(inq.ID).State; got != koban.StateResolved {
			t.Errorf("admin %s's Solved: state %s, want resolved", admin, got)
		}
	}
}

// A question asked in a DM is shown, text included, only to its asker and
// to responders.
func TestPrivateQuestionStaysPrivate(t *testing.T) {
	h, _ := newLoggedHarness(t, harnessOpts{})
	const secretish = "why does the payroll-export job of team kestrel crash at night"
	if w := postEvent(t, h.h, messageEvent("EvDM1", "DASKER", asker, secretish, "1700000501.000100", "")); w.Code != http.StatusOK {
		t.Fatalf("DM event: %d", w.Code)
	}
	inq, err := h.store.InquiryByThread(context.Background(), "DASKER", "1700000501.000100")
	if err != nil {
		t.Fatal(err)
	}
	if !inq.Private {
		t.Fatalf("a DM question is not private: %+v", inq)
	}
	// A public question beside it stays visible to all.
	h.ask("EvPub1", helpChannel, "How do I roll back a deployment?", "1700000502.000100")

	status := func(user string) string {
		w := slashCommand(t, h.h, user, helpChannel, "status")
		return w.Body.String()
	}
	if got := status(outsider); strings.Contains(got, "kestrel") || !strings.Contains(got, "roll back") || !strings.Contains(got, "1 private inquiry") {
		t.Errorf("outsider's /koban status = %s; want the public question, not the DM's text, and a count", got)
	}
	for _, user := range []string{asker, oncallUser} {
		if got := status(user); !strings.Contains(got, "kestrel") {
			t.Errorf("%s's /koban status does not show the DM question: %s", user, got)
		}
	}

	home := func(user string) string {
		before := len(h.slack.called("views.publish"))
		postEvent(t, h.h, callbackBody("EvHome"+user, map[string]any{"type": "app_home_opened", "user": user, "channel": "D" + user, "tab": "home"}))
		h.bot.idle()
		pub := h.slack.called("views.publish")
		if len(pub) != before+1 {
			t.Fatalf("no App Home published for %s", user)
		}
		view, _ := json.Marshal(pub[len(pub)-1].JSON["view"])
		return string(view)
	}
	if got := home(outsider); strings.Contains(got, "kestrel") || !strings.Contains(got, "roll back") || !strings.Contains(got, "1 private inquiry") {
		t.Errorf("outsider's App Home shows the DM question or hides the public one: %s", got)
	}
	if got := home(oncallUser); !strings.Contains(got, "kestrel") {
		t.Errorf("the on-call's App Home does not show the DM question: %s", got)
	}

	// The Resolve… modal of the DM inquiry: not for the outsider.
	clickButton(t, h.h, outsider, helpChannel, "x", actionID(actResolve, inq.ID))
	h.bot.idle()
	for _, v := range h.slack.called("views.open") {
		b, _ := json.Marshal(v.JSON)
		if strings.Contains(string(b), "kestrel") {
			t.Errorf("a modal with the DM question opened for the outsider")
		}
	}

	// Escalated, it reaches the on-call by DM and the rotation channel
	// without its text.
	h.process(inq.ID)
	if h.inquiry(inq.ID).State != koban.StateEscalated {
		clickButton(t, h.h, asker, "DASKER", "x", actionID(actNeedHuman, inq.ID))
	}
	if got := h.inquiry(inq.ID).State; got != koban.StateEscalated {
		t.Fatalf("DM inquiry state %s, want escalated", got)
	}
	for _, to := range []string{oncallUser, platformChan} {
		posts := h.slack.posts(to, "")
		if len(posts) == 0 {
			t.Errorf("the escalation from a DM did not reach %s", to)
			continue
		}
		raw := textOf(t, posts[len(posts)-1])
		if strings.Contains(raw, "kestrel") || strings.Contains(raw, "payroll") {
			t.Errorf("the notice to %s carries the question's text: %s", to, raw)
		}
		if !slices.Contains(actionIDs(blocksOf(t, posts[len(posts)-1])), actionID(actResolve, inq.ID)) {
			t.Errorf("the notice to %s has no Resolve… button", to)
		}
	}
}

// Where a question was asked decides whether it is private: DMs and private
// channels (asked by conversations.info for mentions, whose events do not
// say), and /koban ask from a DM.
func TestWhichQuestionsArePrivate(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.slack.privateChannels = map[string]bool{"CSECRET": true}
	mention := func(id, channel, ts string) {
		t.Helper()
		body := callbackBody(id, map[string]any{"type": "app_mention", "channel": channel, "user": asker,
			"text": "<@" + botUser + "> how do I roll back a deployment?", "ts": ts})
		if w := postEvent(t, h.h, body); w.Code != http.StatusOK {
			t.Fatalf("mention: %d", w.Code)
		}
	}
	mention("EvMs1", "CSECRET", "1700001001.000100")
	mention("EvMs2", "CPUBLIC", "1700001002.000100")
	mention("EvMs3", "CSECRET", "1700001003.000100") // cached: no second conversations.info
	for ch, want := range map[string]bool{"CSECRET": true, "CPUBLIC": false} {
		inq, err := h.store.InquiryByThread(context.Background(), ch, map[string]string{"CSECRET": "1700001001.000100", "CPUBLIC": "1700001002.000100"}[ch])
		if err != nil {
			t.Fatal(err)
		}
		if inq.Private != want {
			t.Errorf("mention in %s: private %v, want %v", ch, inq.Private, want)
		}
	}
	if n := len(h.slack.called("conversations.info")); n != 2 {
		t.Errorf("conversations.info calls = %d, want 2 (one per channel, cached)", n)
	}
	form := url.Values{"command": {"/koban"}, "text": {"ask how do I set up alerts?"}, "user_id": {asker}, "channel_id": {"DASKER"},
		"channel_name": {"directmessage"}, "team_id": {testTeam}, "trigger_id": {"trig-dm"}}.Encode()
	slackRequest(t, h.h, "/slack/commands", "application/x-www-form-urlencoded", []byte(form), nil)
	open, err := h.store.OpenInquiries(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, q := range open {
		if q.Source == "command" {
			found = true
			if !q.Private {
				t.Errorf("/koban ask in a DM is not private: %+v", q)
			}
		}
	}
	if !found {
		t.Error("/koban ask in a DM recorded nothing")
	}
}

// Handoff digests and reminders go to the rotation channel: a private
// question's text stays out of them.
func TestChannelPostsLeavePrivateTextOut(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	pub := koban.Inquiry{ID: 1, Channel: helpChannel, AskedBy: asker, Text: "how do I roll back a deployment"}
	priv := koban.Inquiry{ID: 2, Channel: "DASKER", AskedBy: asker, Text: "why is the kestrel payroll job slow", Private: true}
	if err := h.bot.PostHandoff(ctx, oncall.Handoff{Rotation: "platform", Channel: platformChan, Incoming: oncallUser,
		Open: []oncall.OpenInquiry{{Inquiry: pub}, {Inquiry: priv}}, Resolved: []koban.Inquiry{priv}}); err != nil {
		t.Fatal(err)
	}
	for _, pct := range []int{50, 100} {
		if err := h.bot.Remind(ctx, oncall.Reminder{Rotation: "platform", Channel: platformChan, Person: oncallUser, Inquiry: priv, Percent: pct}); err != nil {
			t.Fatal(err)
		}
	}
	posts := h.slack.called("chat.postMessage")
	if len(posts) != 4 { // the handoff twice (channel, on-call), two reminders
		t.Fatalf("posts = %d, want 4", len(posts))
	}
	for i, p := range posts {
		all := p.Form.Get("text") + p.Form.Get("blocks")
		if strings.Contains(all, "kestrel") {
			t.Errorf("post %d to %s shows the private question: %s", i, p.Form.Get("channel"), all)
		}
		if i < 2 && !strings.Contains(all, "roll back") {
			t.Errorf("the handoff hides the public question: %s", all)
		}
	}
	if priv.Text == "" || pub.Text == "" {
		t.Error("posting changed the caller's inquiries")
	}
}
