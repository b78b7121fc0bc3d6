package bot

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/internal/testclock"
	"github.com/kobanhq/koban/oncall"
)

func TestPersonName(t *testing.T) {
	clk := testclock.New(time.Date(2026, 5, 11, 9, 0, 0, 0, time.UTC))
	b, fs := newTestBotWith(t, func(_ *ClientOptions, d *ClientDeps) { d.Now = clk.Now })
	fs.users = workspace()
	ctx := context.Background()

	tests := []struct{ id, want string }{
		{"UALICE", "Alice"},       // display name
		{"UTARO", "山田 太郎"},        // no display name: real name
		{"UNOBODY", ""},           // users.info says user_not_found
		{"C0GENERAL", ""},         // not a person
		{"web", ""},               // not a Slack ID
		{"alice@example.com", ""}, // not a Slack ID
	}
	for _, tt := range tests {
		if got := b.PersonName(ctx, tt.id); got != tt.want {
			t.Errorf("PersonName(%q) = %q, want %q", tt.id, got, tt.want)
		}
	}
	if n := len(fs.called("users.info")); n != 3 {
		t.Errorf("users.info calls = %d, want 3 (one per user ID)", n)
	}

	// Cached for a day, even across a rename; then refreshed.
	fs.mu.Lock()
	for _, u := range fs.users {
		if u["id"] == "UALICE" {
			u["profile"] = map[string]any{"display_name": "Alice T"}
		}
	}
	fs.mu.Unlock()
	clk.Advance(23 * time.Hour)
	if got := b.PersonName(ctx, "UALICE"); got != "Alice" {
		t.Errorf("PersonName(UALICE) within a day = %q, want the cached Alice", got)
	}
	if n := len(fs.called("users.info")); n != 3 {
		t.Errorf("users.info calls within a day = %d, want still 3", n)
	}
	clk.Advance(2 * time.Hour)
	if got := b.PersonName(ctx, "UALICE"); got != "Alice T" {
		t.Errorf("PersonName(UALICE) after a day = %q, want the new Alice T", got)
	}

	// Slack down: the last known name stays.
	clk.Advance(25 * time.Hour)
	fs.failNext("users.info", failure{status: http.StatusServiceUnavailable})
	if got := b.PersonName(ctx, "UALICE"); got != "Alice T" {
		t.Errorf("PersonName(UALICE) with Slack down = %q, want the stale Alice T", got)
	}

	// The member list LookupName caches also supplies names.
	if _, err := b.LookupName(ctx, "zed"); err != nil {
		t.Fatal(err)
	}
	before := len(fs.called("users.info"))
	if got := b.PersonName(ctx, "UZED"); got != "Zed" {
		t.Errorf("PersonName(UZED) after users.list = %q, want Zed", got)
	}
	if n := len(fs.called("users.info")); n != before {
		t.Errorf("users.info called for a listed member")
	}
}

// TestAskSwapSlackDates: the swap request gives both shifts as Slack date
// tokens, in each reader's own zone.
func TestAskSwapSlackDates(t *testing.T) {
	b, fs := newTestBot(t)
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 12, 7, 9, 0, 0, 0, tokyo)
	to := from.AddDate(0, 0, 7)
	req := oncall.SwapRequest{From: "UALICE", To: "UBOB", Rotation: "platform", Token: "tok",
		FromShift: koban.Shift{Rotation: "platform", Person: "UALICE", Start: from, End: to},
		ToShift:   koban.Shift{Rotation: "platform", Person: "UBOB", Start: to, End: to.AddDate(0, 0, 7)}}
	if err := b.AskSwap(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	posts := fs.called("chat.postMessage")
	if len(posts) != 1 {
		t.Fatalf("%d posts, want 1", len(posts))
	}
	got := posts[0].Form.Get("blocks") + posts[0].Form.Get("text")
	for _, want := range []string{
		fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|Mon Dec 7 00:00 UTC>", from.Unix()),
		fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|Mon Dec 14 00:00 UTC>", to.Unix()),
	} {
		if !strings.Contains(got, want) {
			t.Errorf("swap request lacks %q:\n%s", want, got)
		}
	}
}
