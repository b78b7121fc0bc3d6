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
