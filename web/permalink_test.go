package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/desk"
)

// TestInquiryPageLinksToItsThread checks the inquiry page links to the
// Slack thread koban kept, shows no link without one, and never renders a
// link that is not a web address.
func TestInquiryPageLinksToItsThread(t *testing.T) {
	e := newEnv(t, envOpts{})
	ctx := context.Background()
	tests := []struct {
		name, permalink, want, notWant string
	}{
		{"kept link", "https://example.slack.com/archives/CHELP/p1700000000000100",
			`href="https://example.slack.com/archives/CHELP/p1700000000000100"`, ""},
		{"no link yet", "", "", "Open the thread in Slack"},
		{"script", "javascript:alert(1)", "Open the thread in Slack", `href="javascript:`},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inq, _, err := e.desk.Ask(ctx, desk.Incoming{Source: koban.SourceChannel, Channel: "CHELP",
				MessageTS: fmt.Sprintf("1700000000.00010%d", i), User: "UASKER", Text: "How do I roll back a deployment?"})
			if err != nil {
				t.Fatal(err)
			}
			if tt.permalink != "" {
				if _, err := e.store.Update(ctx, inq.ID, koban.Event{Kind: koban.EventDelivered}, func(i *koban.Inquiry) { i.Permalink = tt.permalink }); err != nil {
					t.Fatal(err)
				}
			}
			w := e.get(fmt.Sprintf("/inquiries/%d", inq.ID))
			body := w.Body.String()
			if w.Code != http.StatusOK {
				t.Fatalf("GET inquiry = %d", w.Code)
			}
			if tt.want != "" && !strings.Contains(body, tt.want) {
				t.Errorf("page lacks %q", tt.want)
			}
			if tt.notWant != "" && strings.Contains(body, tt.notWant) {
				t.Errorf("page shows %q", tt.notWant)
			}
		})
	}
}

// TestLateActionSaysWhatHappened checks a second acknowledgement and a
// Solved on a resolved inquiry tell the web user what happened in words,
// not in states.
func TestLateActionSaysWhatHappened(t *testing.T) {
	e := newEnv(t, envOpts{})
	inq := e.askVia("Our production database is down since 10 minutes, please help!")
	if inq.State != koban.StateEscalated {
		t.Fatalf("state = %s, want escalated", inq.State)
	}
	if page := e.get(fmt.Sprintf("/ask/%d", inq.ID)).Body.String(); !strings.Contains(page, "Expect a human reply by") ||
		!strings.Contains(page, "rotation aims to reply within") {
		t.Errorf("the asker's escalation does not say when to expect a reply")
	}
	ack := fmt.Sprintf("/inquiries/%d/ack", inq.ID)
	if w := e.post(ack, nil); w.Code != http.StatusSeeOther {
		t.Fatalf("first ack = %d: %s", w.Code, w.Body)
	}
	by := e.inquiry(inq.ID).Assignee // the web's identity, not a Slack user
	w := e.post(ack, nil)
	body := w.Body.String()
	if w.Code != http.StatusConflict || !strings.Contains(body, "Already acknowledged by "+by+".") || strings.Contains(body, "cannot go from") || strings.Contains(body, "&lt;@") {
		t.Errorf("second ack = %d %s, want 409 \"Already acknowledged by %s\"", w.Code, body, by)
	}
}

func TestPlainMentions(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Already acknowledged by <@U0ALICE>.", "Already acknowledged by @U0ALICE."},
		{"overlaps #3 (cover by <@W0BOB|bob>)", "overlaps #3 (cover by @W0BOB)"},
		{"a <b> c <!channel>", "a <b> c <!channel>"},
	}
	for _, tt := range tests {
		if got := plainMentions(tt.in); got != tt.want {
			t.Errorf("plainMentions(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
