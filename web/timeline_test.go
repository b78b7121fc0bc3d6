package web

import (
	"slices"
	"testing"

	"github.com/kobanhq/koban"
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
