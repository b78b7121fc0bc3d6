package web

import (
	"context"
	"fmt"
	"html/template"
	"slices"
	"strings"
	"testing"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/internal/i18n"
)

// The timeline reads an escalation from the outcome it records, and says
// it in the reader's language; other events show their data.
func TestEventDetails(t *testing.T) {
	esc := koban.OutcomeEvent(koban.EventEscalated, "koban", koban.Outcome{
		Triage:     koban.Triage{Label: koban.Label{Category: koban.PlatformOnly}, Domain: "database"},
		Escalation: koban.Escalation{OnCall: "UONCALL", Rotation: "platform", Reason: "the asker asked for a human"},
		Feedback:   koban.FeedbackNeedHuman,
	})
	resolved := koban.Event{Kind: koban.EventResolved, Data: map[string]string{"category": "self-solvable/answered", "note": "done"}}
	who := func(id string) string { return "@" + id }
	tests := []struct {
		ev        koban.Event
		lang      string
		want, not []string
	}{
		{esc, "en", []string{"category: platform-only", "domain: database", "reason: the asker asked for a human", "on call: @UONCALL", "rotation: platform", "feedback: need-human"}, []string{"confidence: 0.000"}},
		{esc, "ja", []string{"分類: platform-only", "理由: 質問者が担当者との相談を希望しました", "オンコール: @UONCALL"}, nil},
		{resolved, "en", []string{"category: self-solvable/answered", "note: done"}, nil},
	}
	for _, tt := range tests {
		got := eventDetails(tt.ev, tt.lang, who)
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("%s in %s: details %q lack %q", tt.ev.Kind, tt.lang, got, w)
			}
		}
		for _, w := range tt.not {
			if slices.Contains(got, w) {
				t.Errorf("%s in %s: details %q hold %q", tt.ev.Kind, tt.lang, got, w)
			}
		}
	}
}

// An escalation on an inquiry's page gives its reason and triage's in the
// reader's language.
func TestReplyReasonsInLanguage(t *testing.T) {
	e := newEnv(t, envOpts{})
	inq := e.askVia("Our production database is down since 10 minutes, please help!")
	if inq.State != koban.StateEscalated {
		t.Fatalf("state = %s, want escalated", inq.State)
	}
	evs, err := e.store.Events(context.Background(), inq.ID)
	if err != nil {
		t.Fatal(err)
	}
	var reasons []koban.Reason
	var why string
	for _, ev := range evs {
		if o, err := ev.Outcome(); err == nil {
			reasons, why = o.Triage.Reasons, o.Escalation.Reason
		}
	}
	if len(reasons) == 0 {
		t.Fatal("the reply records no reasons")
	}
	for _, lang := range []string{"en", "ja"} {
		body := e.get(fmt.Sprintf("/inquiries/%d?lang=%s", inq.ID, lang)).Body.String()
		if want := template.HTMLEscapeString(i18n.Reword(lang, "reason.", why)); why == "" || !strings.Contains(body, want) {
			t.Errorf("page in %s lacks the escalation's reason %q", lang, want)
		}
		for _, r := range reasons {
			if want := template.HTMLEscapeString(r.In(lang)); !strings.Contains(body, "<li>"+want+"</li>") {
				t.Errorf("page in %s lacks reason %q", lang, want)
			}
		}
	}
	if reasons[0].In("ja") == reasons[0].Text || i18n.Reword("ja", "reason.", why) == why {
		t.Errorf("reasons %+v and %q read the same in Japanese", reasons[0], why)
	}
}
