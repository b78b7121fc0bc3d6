package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/store"
)

func TestTrustSettings(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "koban.yaml")
	yml := "retention: 400d\nslack:\n  responders_group: S0RESP\n  admins: [U0ADMIN, S0ADMINS]\nweb:\n  actor: U0WEB\n"
	if err := os.WriteFile(file, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := loadConfig(file, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if time.Duration(c.Retention) != 400*24*time.Hour || c.Slack.RespondersGroup != "S0RESP" ||
		len(c.Slack.Admins) != 2 || c.Slack.Admins[1] != "S0ADMINS" || c.Web.Actor != "U0WEB" {
		t.Errorf("from yaml: retention %v, responders %q, admins %v, web actor %q", time.Duration(c.Retention), c.Slack.RespondersGroup, c.Slack.Admins, c.Web.Actor)
	}
	env := map[string]string{"KOBAN_RETENTION": "2160h", "KOBAN_SLACK_ADMINS": "U1,U2"}
	c, err = loadConfig("", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if time.Duration(c.Retention) != 90*24*time.Hour || len(c.Slack.Admins) != 2 || c.Web.Actor != "web" {
		t.Errorf("from env: retention %v, admins %v, web actor %q", time.Duration(c.Retention), c.Slack.Admins, c.Web.Actor)
	}
	for _, tt := range []struct{ key, value, want string }{
		{"KOBAN_RETENTION", "forever", "retention"},
		{"KOBAN_RETENTION", "1h", "under a day"},
		{"KOBAN_SLACK_ADMINS", "alice", "slack.admins"},
		{"KOBAN_SLACK_RESPONDERS_GROUP", "U0ONE", "responders_group"},
		{"KOBAN_WEB_OIDC_CLIENT_ID", "123.456", "web.oidc"}, // no secret, no redirect URL
	} {
		_, err := loadConfig("", func(k string) string {
			if k == tt.key {
				return tt.value
			}
			return ""
		})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s=%s: err = %v, want one naming %s", tt.key, tt.value, err, tt.want)
		}
	}
}

// koban purge --before removes old resolved inquiries' text and keeps what
// reports count, on the configured database.
func TestPurgeCommand(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	old := &koban.Inquiry{Source: koban.SourceChannel, EventID: "Ev1", Channel: "C1", ThreadTS: "1.1", MessageTS: "1.1", AskedBy: "U1",
		Text: "how do I get a database?", CreatedAt: time.Date(2025, 1, 5, 9, 0, 0, 0, time.UTC)}
	if _, err := st.CreateInquiry(ctx, old); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Transition(ctx, old.ID, koban.StateResolved, koban.Event{Kind: koban.EventResolved, Actor: "U2"}, nil); err != nil {
		t.Fatal(err)
	}
	st.Close()

	env := map[string]string{"KOBAN_DATA_DIR": dir}
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"purge"}, func(k string) string { return env[k] }, &out, &errOut); koban.ErrorCode(err) != koban.EInvalid {
		t.Errorf("purge without --before = %v, want EInvalid", err)
	}
	if err := run(ctx, []string{"purge", "--before", "2099-01-01"}, func(k string) string { return env[k] }, &out, &errOut); err == nil {
		t.Error("purge --before a future date succeeded")
	}
	if err := run(ctx, []string{"purge", "--before", "2025-06-01"}, func(k string) string { return env[k] }, &out, &errOut); err != nil {
		t.Fatalf("purge: %v (%s)", err, errOut.String())
	}
	if !strings.Contains(out.String(), "purged 1 inquiries") {
		t.Errorf("purge printed %q", out.String())
	}
	st, err = store.Open(ctx, store.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got, err := st.Inquiry(ctx, old.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Text != "" || got.AskedBy != "" || got.Channel != "" || got.State != koban.StateResolved {
		t.Errorf("after purge: %+v", got)
	}
}
