package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack/slacktest"
)

// TestServeQuietFirstStart starts a fresh koban with a rotation (its shift
// began days ago) and a report channel: once its on-call job has run (the
// user group is synced to the on-call), it has posted nothing: no handoff
// with an invented previous person, no report of last month's zeros.
func TestServeQuietFirstStart(t *testing.T) {
	var mu sync.Mutex
	var calls []string
	srv := slacktest.NewTestServer(func(c slacktest.Customize) {
		ok := func(extra map[string]any) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				r.ParseForm()
				mu.Lock()
				calls = append(calls, r.URL.Path+" "+r.PostForm.Get("channel")+r.PostForm.Get("usergroup"))
				mu.Unlock()
				resp := map[string]any{"ok": true}
				for k, v := range extra {
					resp[k] = v
				}
				w.Header().Set("Content-Type", "application/json")
				json.NewEncoder(w).Encode(resp)
			}
		}
		c.Handle("/auth.test", ok(map[string]any{"user_id": "UKOBAN", "bot_id": "BKOBAN", "team_id": "T1", "user": "koban"}))
		for _, m := range []string{"/chat.postMessage", "/files.uploadV2", "/files.getUploadURLExternal", "/files.completeUploadExternal", "/conversations.open", "/usergroups.users.update", "/views.publish"} {
			c.Handle(m, ok(map[string]any{"channel": map[string]any{"id": "D1"}, "ts": "1700000100.000001"}))
		}
	})
	srv.Start()
	t.Cleanup(srv.Stop)

	start := time.Now().AddDate(0, 0, -10).Format("2006-01-02")
	conf := filepath.Join(t.TempDir(), "koban.yaml")
	yaml := "report:\n  channel: C0REPORT\noncall:\n  rotations:\n    - name: platform\n      members: [U0ALICE, U0BOB, U0CAROL]\n      shift: 1w\n      handoff: \"" +
		time.Now().Add(-3*time.Hour).UTC().Format("Monday 15:04") + "\"\n      time_zone: UTC\n      start: \"" + start + "\"\n      channel: C0PLATFORM\n      user_group: S0ONCALL\n"
	if err := os.WriteFile(conf, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	startServe(t, map[string]string{
		"KOBAN_CONFIG":         conf,
		"SLACK_BOT_TOKEN":      "xoxb-quiet",
		"SLACK_SIGNING_SECRET": "quiet-secret",
		"KOBAN_SLACK_API_URL":  srv.GetAPIURL(),
	})
	synced := func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range calls {
			if strings.HasPrefix(c, "/usergroups.users.update") {
				return true
			}
		}
		return false
	}
	deadline := time.Now().Add(60 * time.Second)
	for !synced() && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if !synced() {
		t.Fatal("the on-call job did not run within a minute (no user group sync)")
	}
	time.Sleep(3 * time.Second) // the report job runs on start too
	mu.Lock()
	defer mu.Unlock()
	for _, c := range calls {
		if strings.HasPrefix(c, "/chat.postMessage") || strings.HasPrefix(c, "/files.") {
			t.Errorf("a fresh koban called %s in its first minute; calls: %q", c, calls)
		}
	}
}
