package bot

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kobanhq/koban"
)

// targetRouter sends every escalation to one on-call of a rotation with a
// reply target counted in business hours.
type targetRouter struct{ by time.Time }

func (r targetRouter) Route(context.Context, koban.Domain, time.Time) (koban.Escalation, error) {
	return koban.Escalation{Rotation: "platform", OnCall: oncallUser, Channel: platformChan,
		ReplyTarget: 8 * time.Hour, ReplyBy: r.by, BusinessHours: true}, nil
}

// ephemeralTexts returns the text of the ephemeral messages user was sent.
func ephemeralTexts(t testing.TB, f *fakeSlack, user string) []string {
	var out []string
	for _, c := range f.ephemerals(user) {
		out = append(out, textOf(t, c))
	}
	return out
}

// TestEscalationSaysWhenAndWho checks, through the real handlers, that the
// escalation the asker reads says when to expect a reply (the rotation's
// reply target, in business hours), that acknowledging says who picked it
// up, and that a second acknowledgement and a late Solved are told in words.
func TestEscalationSaysWhenAndWho(t *testing.T) {
	by := time.Date(2026, 12, 7, 11, 0, 0, 0, time.UTC)
	h := newHarness(t, harnessOpts{router: targetRouter{by: by}})
	inq := h.ask("EvWhen", helpChannel, "How do I request a database for my service?", "1700000095.000100")
	h.process(inq.ID)
	clickButton(t, h.h, asker, helpChannel, "x", actionID(actNeedHuman, inq.ID))
	h.bot.idle()
	posts := h.slack.posts(helpChannel, inq.ThreadTS)
	if len(posts) != 2 {
		t.Fatalf("posts in the thread = %d, want answer + escalation", len(posts))
	}
	card := textOf(t, posts[1])
	for _, want := range []string{"Expect a human reply by", "<!date^1796641200^", "*platform* rotation aims to reply within 8h of business hours"} {
		if !strings.Contains(card, want) {
			t.Errorf("escalation lacks %q: %s", want, card)
		}
	}

	clickButton(t, h.h, oncallUser, helpChannel, "x", actionID(actAck, inq.ID))
	h.bot.idle()
	posts = h.slack.posts(helpChannel, inq.ThreadTS)
	if got := textOf(t, posts[len(posts)-1]); !strings.Contains(got, "<@"+oncallUser+"> picked this up") {
		t.Errorf("after Acknowledge the thread says %s, want who picked it up", got)
	}

	var edited bool
	for _, c := range h.slack.called("chat.update") {
		if s := textOf(t, c); strings.Contains(s, "Picked up by <@"+oncallUser+">") && !strings.Contains(s, "Expect a human reply") {
			edited = true
		}
	}
	if !edited {
		t.Errorf("the escalation was not edited to say who picked it up (chat.update calls: %d)", len(h.slack.called("chat.update")))
	}

	// A second responder acknowledges too late.
	clickButton(t, h.h, groupResponder, helpChannel, "x", actionID(actAck, inq.ID))
	h.bot.idle()
	got := ephemeralTexts(t, h.slack, groupResponder)
	if len(got) != 1 || !strings.Contains(got[0], "Already acknowledged by <@"+oncallUser+">") || strings.Contains(got[0], "cannot go from") {
		t.Errorf("a late Acknowledge tells %q, want \"Already acknowledged by <@%s>\"", got, oncallUser)
	}

	if w := submitResolve(t, h.h, oncallUser, inq.ID, "platform-only/required", "database", "", ""); w.Code != http.StatusOK {
		t.Fatalf("resolve: %d %s", w.Code, w.Body)
	}
	h.bot.idle()
	clickButton(t, h.h, oncallUser, helpChannel, "x", actionID(actAck, inq.ID))
	h.bot.idle()
	got = ephemeralTexts(t, h.slack, oncallUser)
	if len(got) != 1 || !strings.Contains(got[0], "is already resolved by <@"+oncallUser+">") {
		t.Errorf("Acknowledge on a resolved inquiry tells %q, want that it is already resolved", got)
	}
}
