package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/internal/testclock"
)

func slackUser(id, name, display, real string) map[string]any {
	return map[string]any{"id": id, "name": name, "real_name": real,
		"profile": map[string]any{"display_name": display, "display_name_normalized": display, "real_name": real, "real_name_normalized": real}}
}

// workspace is 250 members, so that users.list takes two pages of 200, with
// the interesting ones on the second page.
func workspace() []map[string]any {
	var users []map[string]any
	for i := range 240 {
		users = append(users, slackUser(fmt.Sprintf("UFILL%03d", i), fmt.Sprintf("member%d", i), "", fmt.Sprintf("Member %d", i)))
	}
	deleted := slackUser("UCAROL", "carol", "carol", "Carol Old")
	deleted["deleted"] = true
	bot := slackUser("UDEPLOY", "deploybot", "deploybot", "Deploy Bot")
	bot["is_bot"] = true
	return append(users,
		slackUser("UALICE", "alice", "Alice", "Alice Tanaka"),
		slackUser("UBOB", "bob.smith", "bobby", "Bob Smith"),
		slackUser("USAM1", "sam.lee", "sam", "Sam Lee"),
		slackUser("USAM2", "samuel", "Sam", "Samuel Lee"),
		slackUser("UTARO", "taro", "", "山田 太郎"),
		slackUser("UTWIN", "bobby", "", "Bobby Twin"), // a username beats a display name
		deleted, bot,
		slackUser("UDUP", "member7", "", "Dup"), // member7 is taken: ambiguous
		slackUser("UZED", "zed", "", "Zed"),
	)
}

func TestLookupName(t *testing.T) {
	clk := testclock.New(time.Date(2026, 5, 11, 9, 0, 0, 0, time.UTC)) // the member cache's time
	b, fs := newTestBotWith(t, func(_ *ClientOptions, d *ClientDeps) { d.Now = clk.Now })
	fs.users = workspace()
	ctx := context.Background()

	tests := []struct {
		name, want, code string
	}{
		{"alice", "UALICE", ""},
		{"@Alice", "UALICE", ""},
		{"ALICE TANAKA", "UALICE", ""}, // real name
		{"bob.smith", "UBOB", ""},
		{"bobby", "UTWIN", ""}, // username first
		{"Bob Smith", "UBOB", ""},
		{"山田 太郎", "UTARO", ""},
		{"sam", "", koban.EInvalid}, // the display name of two people
		{"member7", "", koban.EInvalid},
		{"carol", "", koban.ENotFound},
		{"deploybot", "", koban.ENotFound},
		{"nobody", "", koban.ENotFound},
		{"@", "", koban.ENotFound},
	}
	for _, tt := range tests {
		got, err := b.LookupName(ctx, tt.name)
		if got != tt.want || koban.ErrorCode(err) != tt.code {
			t.Errorf("LookupName(%q) = %q, %v; want %q, code %q", tt.name, got, err, tt.want, tt.code)
		}
	}
	if n := len(fs.called("users.list")); n != 2 {
		t.Errorf("users.list calls = %d, want 2 (two pages, then the cache)", n)
	}

	// A new colleague is found once the list is a minute old.
	fs.mu.Lock()
	fs.users = append(fs.users, slackUser("UDAVE", "dave", "", "Dave"))
	fs.mu.Unlock()
	clk.Advance(30 * time.Second)
	if _, err := b.LookupName(ctx, "dave"); koban.ErrorCode(err) != koban.ENotFound {
		t.Errorf("LookupName(dave) 30s after the list = %v, want not found from the cache", err)
	}
	clk.Advance(31 * time.Second)
	if id, err := b.LookupName(ctx, "dave"); id != "UDAVE" || err != nil {
		t.Errorf("LookupName(dave) a minute after the list = %q, %v; want UDAVE", id, err)
	}
	if n := len(fs.called("users.list")); n != 4 {
		t.Errorf("users.list calls = %d, want 4 (one more listing)", n)
	}

	// After the TTL, hits reload too, and Slack being down shows.
	clk.Advance(usersTTL)
	fs.failNext("users.list", failure{status: http.StatusServiceUnavailable})
	if _, err := b.LookupName(ctx, "alice"); koban.ErrorCode(err) != koban.EUnavailable {
		t.Errorf("LookupName with Slack down: code %q (%v), want unavailable", koban.ErrorCode(err), err)
	}
	fs.failNext("users.list", failure{status: http.StatusTooManyRequests, retryAfter: "20"})
	_, err := b.LookupName(ctx, "alice")
	var rl *RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter() != 20*time.Second {
		t.Errorf("LookupName with users.list at 429 = %v, want a RateLimitError of 20s", err)
	}
	if id, err := b.LookupName(ctx, "alice"); id != "UALICE" || err != nil {
		t.Errorf("LookupName(alice) after Slack recovered = %q, %v; want UALICE", id, err)
	}
}

func TestMatchMembers(t *testing.T) {
	ms := []member{
		{id: "U1", name: "kim", display: "kimmy", real: "kim park"},
		{id: "U2", name: "kimmy", display: "", real: "kim lee"},
		{id: "U3", name: "lee", display: "kim", real: "lee kim"},
	}
	tests := []struct {
		want string
		ids  []string
	}{
		{"kim", []string{"U1"}},   // username beats U3's display name
		{"kimmy", []string{"U2"}}, // username beats U1's display name
		{"lee kim", []string{"U3"}},
		{"park", nil},
	}
	for _, tt := range tests {
		if got := matchMembers(ms, tt.want); fmt.Sprint(got) != fmt.Sprint(tt.ids) {
			t.Errorf("matchMembers(%q) = %v, want %v", tt.want, got, tt.ids)
		}
	}
}
