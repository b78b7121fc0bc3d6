package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/desk"
	"github.com/kobanhq/koban/oncall"
	"github.com/kobanhq/koban/redact"
)

// steered is triage with the decision set by the test: the bot's side of a
// suggestion does not depend on how triage comes to it.
type steered struct {
	koban.Triager
	decision koban.Decision
	urgent   bool
}

func (s steered) Triage(ctx context.Context, q koban.Question, a koban.Answer) (koban.Triage, error) {
	t, err := s.Triager.Triage(ctx, q, a)
	t.Decision, t.Urgent = s.decision, s.urgent
	return t, err
}

// ephemerals returns the ephemeral messages posted to user.
func (f *fakeSlack) ephemerals(user string) []apiCall {
	var out []apiCall
	for _, c := range f.called("chat.postEphemeral") {
		if c.Form.Get("user") == user {
			out = append(out, c)
		}
	}
	return out
}

func TestSuggestWhileEscalatingThenThisSolvedIt(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.desk.Triage = steered{Triager: h.desk.Triage, decision: koban.DecideSuggest}
	inq := h.ask("EvS1", helpChannel, "How do I request a database for my service?", "1700000300.000100")
	h.process(inq.ID)
	if got := h.inquiry(inq.ID); got.State != koban.StateEscalated || got.Assignee != oncallUser {
		t.Fatalf("after a suggest decision: state %s, assignee %q; want escalated to %s", got.State, got.Assignee, oncallUser)
	}
	posts := h.slack.posts(helpChannel, inq.ThreadTS)
	if len(posts) != 1 {
		t.Fatalf("posts in the thread = %d, want one escalation with suggestions", len(posts))
	}
	raw := textOf(t, posts[0])
	if !strings.Contains(raw, "While <@"+oncallUser+"> looks at this, this from the docs may help:") || !strings.Contains(raw, "request-a-database") {
		t.Errorf("escalation lacks the suggested pages for the asker:\n%s", raw)
	}
	// The passage koban would have answered with is shown, its code as is.
	if !strings.Contains(raw, "```") {
		t.Errorf("escalation lacks the suggested passage's code:\n%s", raw)
	}
	// The pages are listed once: the escalation card's "Related docs" goes,
	// and so do the pages the passage lists at its end.
	if strings.Contains(raw, "Related docs") || strings.Contains(raw, koban.RelatedHead("en")) {
		t.Errorf("the suggested pages are listed twice:\n%s", raw)
	}
	want := []string{actionID(actSuggestionSolved, inq.ID), actionID(actAck, inq.ID), actionID(actResolve, inq.ID)}
	if got := actionIDs(blocksOf(t, posts[0])); !slices.Equal(got, want) {
		t.Errorf("buttons = %v, want %v", got, want)
	}

	// Someone else's click is refused, ephemerally, and changes nothing.
	clickButton(t, h.h, "USTRANGER", helpChannel, posts[0].TS, actionID(actSuggestionSolved, inq.ID))
	h.bot.idle()
	if got := h.inquiry(inq.ID); got.State != koban.StateEscalated {
		t.Errorf("state after a stranger's click = %s, want escalated", got.State)
	}
	if eph := h.slack.ephemerals("USTRANGER"); len(eph) != 1 || !strings.Contains(textOf(t, eph[0]), "Only the person who asked") {
		t.Errorf("ephemeral replies to the stranger = %+v, want one refusal", eph)
	}

	clickButton(t, h.h, asker, helpChannel, posts[0].TS, actionID(actSuggestionSolved, inq.ID))
	h.bot.idle()
	got := h.inquiry(inq.ID)
	label := koban.Label{Category: koban.SelfSolvable, Detail: koban.DetailDocsUnfindable}
	if got.State != koban.StateResolved || got.Final != label {
		t.Fatalf("after This solved it: state %s, label %s; want resolved, %s", got.State, got.Final, label)
	}
	posts = h.slack.posts(helpChannel, inq.ThreadTS)
	last := textOf(t, posts[len(posts)-1])
	if !strings.Contains(last, "<@"+oncallUser+">") || !strings.Contains(last, "suggested pages solved it") {
		t.Errorf("the on-call is not told in the thread; last post:\n%s", last)
	}
	for _, u := range h.slack.called("chat.update") {
		if ids := actionIDs(blocksOf(t, u)); len(ids) != 0 {
			t.Errorf("reply %s keeps buttons %v after resolution", u.Form.Get("ts"), ids)
		}
	}
}

func TestUrgentEscalationSaysSo(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.desk.Triage = steered{Triager: h.desk.Triage, decision: koban.DecideEscalate, urgent: true}
	inq := h.ask("EvU1", helpChannel, "prod is down: payments-api returns 503 for everyone", "1700000310.000100")
	h.process(inq.ID)
	posts := h.slack.posts(helpChannel, inq.ThreadTS)
	if len(posts) != 1 {
		t.Fatalf("posts = %d, want one escalation", len(posts))
	}
	if raw := textOf(t, posts[0]); !strings.Contains(raw, "Urgent") || !strings.Contains(raw, "<@"+oncallUser+">") {
		t.Errorf("urgent escalation does not say so:\n%s", raw)
	}
	if !strings.HasPrefix(posts[0].Form.Get("text"), "Urgent") {
		t.Errorf("notification text %q does not start with Urgent", posts[0].Form.Get("text"))
	}
}

func TestPastAnswersInSlack(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	red, err := redact.New()
	if err != nil {
		t.Fatal(err)
	}
	h.desk.Redactor, h.desk.Past, h.desk.Threads = red, h.store, h.bot
	h.slack.users = []map[string]any{slackUser(oncallUser, "olga", "Olga K", "Olga Kato")}
	h.desk.Triage = steered{Triager: h.desk.Triage, decision: koban.DecideEscalate}

	first := h.ask("EvP1", helpChannel, "how do I get read access to the billing bucket in staging?", "1700000400.000100")
	h.process(first.ID)
	const secret = "ghp_R7xK2mQ9vL4pT8nW3zY6bC1dF5gH0jS2aE4u"
	note := "<!channel> use the access form in #access; my token " + secret + " is not for you"
	if w := submitResolve(t, h.h, oncallUser, first.ID, "self-solvable/docs-unfindable", "iam", "", note); w.Code != http.StatusOK {
		t.Fatalf("submit resolve: %d %s", w.Code, w.Body)
	}
	h.bot.idle()
	kept, err := h.store.PastAnswers(context.Background(), 0, false)
	if err != nil || len(kept) != 1 {
		t.Fatalf("past answers = %+v, %v; want one", kept, err)
	}
	if strings.Contains(kept[0].Answer, secret) || strings.Contains(kept[0].Answer, "<!channel>") {
		t.Errorf("kept answer %q holds the secret or the broadcast", kept[0].Answer)
	}
	if !strings.HasPrefix(kept[0].Link, "https://koban-test.slack.com/archives/"+helpChannel+"/p") {
		t.Errorf("kept answer's link = %q, want the thread's permalink", kept[0].Link)
	}

	second := h.ask("EvP2", helpChannel, "How can I get read access to the billing bucket on staging", "1700000410.000100")
	h.process(second.ID)
	posts := h.slack.posts(helpChannel, second.ThreadTS)
	if len(posts) != 1 {
		t.Fatalf("posts = %d, want the escalation", len(posts))
	}
	rendered := textOf(t, posts[0])
	if !strings.Contains(rendered, "Similar past inquiries") || !strings.Contains(rendered, "use the access form in #access") ||
		!strings.Contains(rendered, "by @olga k") || !strings.Contains(rendered, "koban-test.slack.com/archives") {
		t.Errorf("escalation card lacks the past inquiry, who answered and the thread link:\n%s", rendered)
	}
	if strings.Contains(rendered, "<!channel>") || strings.Contains(rendered, secret) || strings.Contains(rendered, "<!here>") {
		t.Errorf("card blocks broadcast or leak:\n%s", rendered)
	}
	// Named, not mentioned: showing an old answer notifies nobody.
	var pastText string
	for _, bl := range blocksOf(t, posts[0]) {
		if bl["block_id"] == fmt.Sprintf("past:%d", kept[0].ID) {
			pastText = fmt.Sprint(bl["text"])
		}
	}
	if pastText == "" || strings.Contains(pastText, "<@") || strings.Contains(pastText, "<!") {
		t.Errorf("past answer block = %q, want one that mentions and broadcasts nobody", pastText)
	}
	removeID := actionID(actPastRemove, kept[0].ID)
	if ids := actionIDs(blocksOf(t, posts[0])); !slices.Contains(ids, removeID) && !strings.Contains(rendered, removeID) {
		t.Errorf("card has no %s button: %s", removeID, rendered)
	}

	// The asker cannot remove it; a responder can, and it leaves the message.
	clickButton(t, h.h, asker, helpChannel, posts[0].TS, removeID)
	h.bot.idle()
	if p, _ := h.store.PastAnswer(context.Background(), kept[0].ID); p.Removed() {
		t.Fatalf("the asker removed past answer %d", p.ID)
	}
	if eph := h.slack.ephemerals(asker); len(eph) == 0 {
		t.Errorf("the asker's Remove was not refused ephemerally")
	}
	clickButton(t, h.h, oncallUser, helpChannel, posts[0].TS, removeID)
	h.bot.idle()
	if p, _ := h.store.PastAnswer(context.Background(), kept[0].ID); !p.Removed() || p.RemovedBy != oncallUser {
		t.Fatalf("past answer after a responder's Remove = %+v, want removed by %s", p, oncallUser)
	}
	var updated bool
	for _, u := range h.slack.called("chat.update") {
		if u.Form.Get("ts") == posts[0].TS {
			updated = true
			if strings.Contains(u.Form.Get("blocks"), "access form") {
				t.Errorf("the message still shows the removed past answer: %s", u.Form.Get("blocks"))
			}
		}
	}
	if !updated {
		t.Errorf("the message with the removed past answer was not updated")
	}

	// Never shown again; resolving without a note keeps the responder's reply in the thread.
	h.slack.addReply(second.ThreadTS, asker, "any news?")
	h.slack.addReply(second.ThreadTS, "UHELPER", "try <@UX> first")
	h.slack.addReply(second.ThreadTS, oncallUser, "granted: you now have `storage.reader` on the bucket &amp; can read it")
	third := h.ask("EvP3", helpChannel, "read access to the billing bucket in staging please?", "1700000420.000100")
	h.process(third.ID)
	if s := textOf(t, h.slack.posts(helpChannel, third.ThreadTS)[0]); strings.Contains(s, "access form") {
		t.Errorf("removed past answer shown again:\n%s", s)
	}
	submitResolve(t, h.h, oncallUser, second.ID, "platform-only/required", "iam", "", "")
	h.bot.idle()
	kept, err = h.store.PastAnswers(context.Background(), 0, false)
	if err != nil || len(kept) != 1 || kept[0].InquiryID != second.ID || kept[0].AnsweredBy != oncallUser ||
		kept[0].Answer != "granted: you now have `storage.reader` on the bucket & can read it" {
		t.Errorf("past answers after a Resolve without note = %+v, %v; want the on-call's last reply", kept, err)
	}
}

// submitRelabel posts the relabel modal's view_submission.
func submitRelabel(t testing.TB, h http.Handler, user string, id int64, category, domain string) *httptest.ResponseRecorder {
	t.Helper()
	sel := func(v string) map[string]any {
		return map[string]any{inputAction: map[string]any{"type": "static_select", "selected_option": map[string]any{"value": v}}}
	}
	payload, _ := json.Marshal(map[string]any{
		"type": "view_submission", "team": map[string]any{"id": testTeam}, "user": map[string]any{"id": user},
		"view": map[string]any{
			"callback_id": relabelCallback, "private_metadata": strconv.FormatInt(id, 10),
			"state": map[string]any{"values": map[string]any{blockCategory: sel(category), blockDomain: sel(domain)}},
		},
	})
	form := url.Values{"payload": {string(payload)}}.Encode()
	return slackRequest(t, h, "/slack/interactive", "application/x-www-form-urlencoded", []byte(form), nil)
}

func TestRelabelAfterResolution(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.desk.Responders = []string{oncallUser}
	inq := h.ask("EvR1", helpChannel, "please create a namespace for team payments", "1700000500.000100")
	h.process(inq.ID)
	submitResolve(t, h.h, oncallUser, inq.ID, "platform-only/required", "computing", "", "")
	h.bot.idle()
	resolved := h.inquiry(inq.ID)
	if resolved.State != koban.StateResolved {
		t.Fatalf("state = %s, want resolved", resolved.State)
	}
	// The retired reply offers Relabel…
	var retired []apiCall
	for _, u := range h.slack.called("chat.update") {
		if strings.Contains(u.Form.Get("blocks"), actionID(actRelabel, inq.ID)) {
			retired = append(retired, u)
		}
	}
	if len(retired) == 0 {
		t.Fatalf("no retired reply offers %s", actionID(actRelabel, inq.ID))
	}
	clickButton(t, h.h, oncallUser, helpChannel, retired[0].Form.Get("ts"), actionID(actRelabel, inq.ID))
	opened := h.slack.called("views.open")
	if len(opened) != 1 {
		t.Fatalf("views.open calls = %d, want the relabel modal", len(opened))
	}
	if view, _ := json.Marshal(opened[0].JSON["view"]); !strings.Contains(string(view), relabelCallback) || strings.Contains(string(view), `"block_id":"note"`) {
		t.Errorf("relabel modal = %s, want callback %s without the note", view, relabelCallback)
	}

	if w := submitRelabel(t, h.h, oncallUser, inq.ID, "bogus", "computing"); !strings.Contains(w.Body.String(), `"response_action":"errors"`) {
		t.Errorf("relabel with a bad label = %s, want the modal's errors", w.Body)
	}
	// Only responders: the asker's relabel is refused in the modal and changes nothing.
	w := submitRelabel(t, h.h, asker, inq.ID, "self-solvable/answered", "computing")
	h.bot.idle()
	if got := h.inquiry(inq.ID); got.Final != resolved.Final {
		t.Errorf("the asker relabelled the inquiry to %s", got.Final)
	}
	if body := w.Body.String(); !strings.Contains(body, `"response_action":"errors"`) || !strings.Contains(body, "on-call") {
		t.Errorf("the asker's relabel = %s, want the modal's errors saying who may", body)
	}
	submitRelabel(t, h.h, oncallUser, inq.ID, "platform-only/automation-candidate", "computing")
	h.bot.idle()
	got := h.inquiry(inq.ID)
	want := koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailAutomationCandidate}
	if got.Final != want || got.Predicted != resolved.Predicted || got.State != koban.StateResolved {
		t.Errorf("after relabel: Final %s, Predicted %s, State %s; want %s, %s (koban's), resolved", got.Final, got.Predicted, got.State, want, resolved.Predicted)
	}
}

// Past answers come after the docs answer and its sources, marked as not
// from the docs, before the buttons; their text can neither mention nor
// broadcast.
func TestPastAnswersAfterTheDocs(t *testing.T) {
	inq := &koban.Inquiry{ID: 4, Lang: "en", AskedBy: asker}
	ans := koban.Answer{Text: "Run `hoshi db create`.", Known: true, Citations: []koban.Citation{{Path: "how-to/request-a-database.md", Title: "Request a database"}}}
	past := []koban.PastAnswer{{ID: 9, InquiryID: 2, Question: "db?", Answer: "channel: ask <@U1> & co",
		AnsweredBy: "UOLGA", Label: koban.Label{Category: koban.SelfSolvable, Detail: koban.DetailDocsUnfindable},
		Link: "https://koban-test.slack.com/archives/C1/p1", AnsweredAt: time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)}}
	msg := withFlow(inq, desk.Reply{Kind: koban.EventAnswered, Answer: ans, Past: past}, renderAnswer(inq, ans), map[string]string{"UOLGA": "@olga"})
	var order []string
	for _, bl := range msg.Blocks {
		b, _ := json.Marshal(bl)
		s := string(b)
		switch {
		case strings.Contains(s, "hoshi db create"):
			order = append(order, "answer")
		case strings.Contains(s, "Sources"):
			order = append(order, "sources")
		case strings.Contains(s, "Answered before"):
			order = append(order, "past-head")
		case strings.Contains(s, `"block_id":"past:9"`):
			order = append(order, "past")
			if !strings.Contains(s, "answered on 3 Dec by @olga") || !strings.Contains(s, actionID(actPastRemove, 9)) {
				t.Errorf("past answer block = %s, want the date, the author's name and a Remove button", s)
			}
			if strings.Contains(s, `\u003c@U1`) || !strings.Contains(s, `\u0026lt;@U1\u0026gt;`) {
				t.Errorf("past answer block = %s, want <@U1> escaped", s)
			}
		case bl.BlockType() == slack.MBTAction:
			order = append(order, "buttons")
		}
	}
	if want := []string{"answer", "sources", "past-head", "past", "buttons"}; !slices.Equal(order, want) {
		t.Errorf("block order = %v, want %v", order, want)
	}
}

func TestUrgentReminderSaysSo(t *testing.T) {
	for _, urgent := range []bool{false, true} {
		inq := koban.Inquiry{ID: 3, Channel: "CHELP", Text: "payments down", Urgent: urgent}
		msg := renderReminder("en", oncall.Reminder{Person: "UNEW", Inquiry: inq, Percent: 50, Left: time.Hour})
		if got := strings.HasPrefix(msg.Text, "Urgent"); got != urgent {
			t.Errorf("reminder of an inquiry with Urgent %v = %q, want the Urgent mark %v", urgent, msg.Text, urgent)
		}
	}
}

// TestRenderSuggestedShowsGlimpses lists suggested pages with the glimpse
// of their best section under each: escaped, on one line, bounded, and
// without code fences that would swallow the lines after it.
func TestRenderSuggestedShowsGlimpses(t *testing.T) {
	long := strings.Repeat("quota ", 200)
	tests := []struct {
		name    string
		pages   []koban.Citation
		want    []string
		notWant []string
	}{
		{"command shown", []koban.Citation{{Path: "how-to/db.md", Title: "Request a database", Anchor: "add-the-claim", Snippet: "Add the claim to your repo. — `hoshi db claim --size small`"}},
			[]string{"Request a database", "> Add the claim to your repo. — `hoshi db claim --size small`"}, nil},
		{"markup inert", []koban.Citation{{Path: "a.md", Title: "A", Snippet: "ping <!channel> & <@U1> then\n```sh\nrun it\n```"}},
			[]string{"&lt;!channel&gt;", "&amp;", "run it"}, []string{"<!channel>", "```"}},
		{"bounded", []koban.Citation{{Path: "q.md", Title: "Quotas", Snippet: long}},
			[]string{"quota quota", "…"}, []string{long}},
		{"no snippet, no quote line", []koban.Citation{{Path: "b.md", Title: "B"}},
			[]string{"B"}, []string{"\n>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := renderSuggested(tt.pages)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("renderSuggested = %q, want %q in it", got, w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(got, w) {
					t.Errorf("renderSuggested = %q, want no %q in it", got, w)
				}
			}
			if n := len([]rune(got)); n > 600 {
				t.Errorf("renderSuggested has %d characters for one page, want a few lines", n)
			}
		})
	}
}
