package bot

import (
	"strings"
	"testing"

	"github.com/kobanhq/koban"
)

func TestInquiryRef(t *testing.T) {
	const link = "https://example.slack.com/archives/CHELP/p1700000000000100"
	tests := []struct {
		name      string
		permalink string
		private   bool
		want      string
	}{
		{"no link yet", "", false, "#42 in <#CHELP>"},
		{"linked", link, false, "<" + link + "|#42> in <#CHELP>"},
		{"private keeps its link out of shared posts", link, true, "#42 in <#CHELP>"},
		{"not https", "http://example.slack.com/archives/CHELP/p1", false, "#42 in <#CHELP>"},
		{"markup in the link", "https://example.slack.com/a|<!channel>", false, "#42 in <#CHELP>"},
		{"javascript", "javascript:alert(1)", false, "#42 in <#CHELP>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inq := *sampleInquiry("en")
			inq.Permalink, inq.Private = tt.permalink, tt.private
			if got := inquiryRef("en", public("en", inq)); got != tt.want {
				t.Errorf("inquiryRef = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestPrivateLinkStaysOut checks the channel posts that show a private
// inquiry (handoff digest, reminders, breach alerts) show neither its text
// nor its thread link, and the public one's link is there.
func TestPrivateLinkStaysOut(t *testing.T) {
	const link = "https://example.slack.com/archives/DASKER/p1700000000000100"
	priv := *sampleInquiry("en")
	priv.Private, priv.Permalink, priv.Channel = true, link, "DASKER"
	pub := *sampleInquiry("en")
	pub.ID, pub.Permalink = 43, "https://example.slack.com/archives/CHELP/p1700000000000200"
	for _, inq := range []koban.Inquiry{priv, pub} {
		got := inquiryRef("en", public("en", inq))
		if strings.Contains(got, "https://") != !inq.Private {
			t.Errorf("inquiry %d (private %v): %q", inq.ID, inq.Private, got)
		}
	}
}
