package koban_test

import (
	"testing"

	"github.com/kobanhq/koban"
)

func TestEventFeedback(t *testing.T) {
	tests := []struct {
		data map[string]string
		want koban.Feedback
	}{
		{map[string]string{"feedback": "docs-wrong", "note": "stale"}, koban.FeedbackDocsWrong},
		{map[string]string{"note": "stale"}, ""},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := (koban.Event{Data: tt.data}).Feedback(); got != tt.want {
			t.Errorf("Event{Data: %v}.Feedback() = %q, want %q", tt.data, got, tt.want)
		}
	}
}
