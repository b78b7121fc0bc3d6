package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/slack-go/slack/slacktest"
	"gopkg.in/yaml.v3"

	"github.com/kobanhq/koban/deploy"
)

// newDoctorSlack starts the fake Slack Web API doctor talks to. Its tokens:
// xoxb-good has every scope koban needs plus usergroups:read, xoxb-noscope
// lacks reactions:write, xoxb-nogroups usergroups:write; anything else is
// refused. The bot is a member of
// C1 only; C2 exists; user group S1 exists.
func newDoctorSlack(t *testing.T) string {
	t.Helper()
	reply := func(w http.ResponseWriter, v map[string]any) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(v)
	}
	token := func(r *http.Request) string {
		r.ParseForm()
		if tok := r.Form.Get("token"); tok != "" {
			return tok
		}
		return strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	}
	srv := slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/auth.test", func(w http.ResponseWriter, r *http.Request) {
			scopes, err := deploy.SlackBotScopes()
			if err != nil {
				t.Error(err)
			}
			switch token(r) {
			case "xoxb-good":
				scopes = append(scopes, "usergroups:read")
			case "xoxb-noscope":
				scopes = slices.DeleteFunc(scopes, func(s string) bool { return s == "reactions:write" })
			case "xoxb-nogroups":
				scopes = slices.DeleteFunc(scopes, func(s string) bool { return s == "usergroups:write" })
			default:
				reply(w, map[string]any{"ok": false, "error": "invalid_auth"})
				return
			}
			w.Header().Set("X-OAuth-Scopes", strings.Join(scopes, ","))
			reply(w, map[string]any{"ok": true, "user": "koban", "user_id": "UKOBAN", "team": "Platform", "bot_id": "BKOBAN"})
		})
		c.Handle("/apps.connections.open", func(w http.ResponseWriter, r *http.Request) {
			if token(r) != "xapp-good" {
				reply(w, map[string]any{"ok": false, "error": "invalid_auth"})
				return
			}
			reply(w, map[string]any{"ok": true, "url": "wss://example.invalid/socket"})
		})
		c.Handle("/conversations.history", func(w http.ResponseWriter, r *http.Request) {
			switch token(r); r.Form.Get("channel") {
			case "C1":
				reply(w, map[string]any{"ok": true, "messages": []any{}})
			case "C2":
				reply(w, map[string]any{"ok": false, "error": "not_in_channel"})
			default:
				reply(w, map[string]any{"ok": false, "error": "channel_not_found"})
			}
		})
		c.Handle("/usergroups.list", func(w http.ResponseWriter, r *http.Request) {
			reply(w, map[string]any{"ok": true, "usergroups": []any{map[string]any{"id": "S1", "handle": "platform-oncall", "name": "On call"}}})
		})
	})
	srv.Start()
	t.Cleanup(srv.Stop)
	return srv.GetAPIURL()
}

// newDoctorLLM starts an OpenAI-compatible endpoint that takes the key
// sk-good and serves the models chat-1 and embed-1.
func newDoctorLLM(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Authorization") != "Bearer sk-good" {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}`))
			return
		}
		var req struct{ Model string }
		json.NewDecoder(r.Body).Decode(&req)
		switch {
		case r.URL.Path == "/v1/chat/completions" && req.Model == "chat-1":
			w.Write([]byte(`{"id":"1","object":"chat.completion","model":"chat-1","choices":[{"index":0,"message":{"role":"assistant","content":"OK"},"finish_reason":"stop"}]}`))
		case r.URL.Path == "/v1/embeddings" && req.Model == "embed-1":
			w.Write([]byte(`{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,0.2]}],"model":"embed-1"}`))
		default:
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"error":{"message":"The model does not exist","type":"invalid_request_error","code":"model_not_found"}}`))
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/v1"
}

// closedPort returns an address nobody listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestDoctor(t *testing.T) {
	slackURL := newDoctorSlack(t)
	llmURL := newDoctorLLM(t)
	docs := t.TempDir()
	for name, text := range map[string]string{"a.md": "# Request a database\n\nFile a ticket.\n", "b.md": "# Rotate keys\n\nRun the job.\n", "bad.md": "---\ntitle: [\n---\n# x\n"} {
		if err := os.WriteFile(filepath.Join(docs, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	slackEnv := func(token string, more map[string]string) map[string]string {
		env := map[string]string{"SLACK_BOT_TOKEN": token, "SLACK_APP_TOKEN": "xapp-good", "KOBAN_SLACK_API_URL": slackURL}
		for k, v := range more {
			env[k] = v
		}
		return env
	}
	tests := []struct {
		name    string
		env     map[string]string
		yaml    string // koban.yaml, if any
		migrate bool   // run koban migrate first
		emptyDB bool   // an empty, unmigrated SQLite file in the data folder
		wantErr bool
		want    []string
		notWant []string
	}{{
		name: "zero config",
		want: []string{"✓ configuration: no koban.yaml", "✓ database: SQLite", "does not exist yet", "- docs: skipped", "- slack: skipped", "- llm: skipped", "0 failed",
			"! escalations: no on-call is configured", "→ set oncall.rotations", "or slack.fallback_group"},
	}, {
		name: "webhook secret without git sources",
		env:  map[string]string{"KOBAN_DOCS_WEBHOOK_SECRET": "s"},
		want: []string{"! docs webhook: docs_webhook_secret is set, but no docs source is a git repository", "0 failed"},
	}, {
		name:    "migrated SQLite and docs not indexed yet",
		env:     map[string]string{"KOBAN_DOCS": docs + "@en"},
		migrate: true,
		want:    []string{"✓ database: SQLite", "up to date", "✓ docs " + docs + ": 2 pages readable", "! docs " + docs + ": skipped " + filepath.Join(docs, "bad.md") + ": broken front matter", "0 failed"},
	}, {
		name:    "git source lacking its token",
		yaml:    "docs:\n  - {git: https://git.example.invalid/team/docs.git, token_env: DOCS_GIT_TOKEN}\n",
		wantErr: true,
		want:    []string{"✗ docs https://git.example.invalid/team/docs.git: token_env names DOCS_GIT_TOKEN, which is not set"},
	}, {
		name:    "unmigrated database",
		emptyDB: true,
		wantErr: true,
		want:    []string{"✗ database: SQLite ", "older than this koban binary needs", "→ run koban migrate"},
	}, {
		name:    "unreachable database",
		env:     map[string]string{"KOBAN_DATABASE_URL": "postgres://koban:secret@" + closedPort(t) + "/koban?sslmode=disable"},
		wantErr: true,
		want:    []string{"✗ database: PostgreSQL postgres://…@127.0.0.1:", "→ check database_url (KOBAN_DATABASE_URL)"},
		notWant: []string{"secret"},
	}, {
		name:    "missing docs folder",
		env:     map[string]string{"KOBAN_DOCS": filepath.Join(docs, "nope")},
		wantErr: true,
		want:    []string{"✗ docs " + filepath.Join(docs, "nope") + ": ", "→ mount or check out the docs"},
	}, {
		name: "everything in order",
		env:  slackEnv("xoxb-good", map[string]string{"KOBAN_LLM_BASE_URL": llmURL, "KOBAN_LLM_API_KEY": "sk-good", "KOBAN_LLM_MODEL": "chat-1", "KOBAN_LLM_EMBEDDING_MODEL": "embed-1"}),
		yaml: "slack:\n  fallback_group: S1\n  channels:\n    - {id: C1, mode: all}\n",
		want: []string{"✓ slack token: valid: @koban (UKOBAN) in team Platform", "✓ slack scopes: all ", "✓ slack app token", "✓ slack channel C1 (slack.channels): koban is a member",
			"✓ slack user group S1 (slack.fallback_group): @platform-oncall exists", "✓ llm model chat-1", "✓ llm embedding model embed-1", "0 failed"},
		notWant: []string{"escalations"},
	}, {
		name:    "token without a needed scope",
		env:     slackEnv("xoxb-noscope", nil),
		yaml:    "slack:\n  channels:\n    - {id: C1, mode: all}\n",
		wantErr: true,
		want:    []string{"✗ slack scopes: the token lacks reactions:write", "→ add them under OAuth & Permissions"},
	}, {
		name:    "channel the bot is not in",
		env:     slackEnv("xoxb-good", nil),
		yaml:    "slack:\n  channels:\n    - {id: C1, mode: all}\n    - {id: C2, mode: mentions}\nreport:\n  channel: C3\n",
		wantErr: true,
		want:    []string{"✓ slack channel C1", "✗ slack channel C2 (slack.channels): koban is not a member of it", "→ invite it: /invite @koban", "✗ slack channel C3 (report.channel): no such channel", "2 failed"},
	}, {
		name: "token without usergroups:write, no rotation user group",
		env:  slackEnv("xoxb-nogroups", nil),
		yaml: "oncall:\n  rotations:\n    - {name: ops, members: [U1, ops@example.com], shift: 1w, handoff: monday 09:00, channel: C1}\n",
		want: []string{"✓ slack scopes: all "},
	}, {
		name:    "token without usergroups:write, with a rotation user group",
		env:     slackEnv("xoxb-nogroups", nil),
		yaml:    "oncall:\n  rotations:\n    - {name: ops, members: [U1], shift: 1w, handoff: monday 09:00, channel: C1, user_group: S1}\n",
		wantErr: true,
		want:    []string{"✗ slack scopes: the token lacks usergroups:write"},
	}, {
		name:    "missing user group",
		env:     slackEnv("xoxb-good", nil),
		yaml:    "slack:\n  fallback_group: S9\n",
		wantErr: true,
		want:    []string{"✗ slack user group S9 (slack.fallback_group): no such user group"},
	}, {
		name:    "rotation's channel and user group",
		env:     slackEnv("xoxb-good", nil),
		yaml:    "oncall:\n  rotations:\n    - {name: ops, members: [U1], shift: 1w, handoff: monday 09:00, channel: C2, user_group: S9}\n",
		wantErr: true,
		want:    []string{"✗ slack channel C2 (rotation ops): koban is not a member", "✗ slack user group S9 (rotation ops): no such user group"},
	}, {
		name:    "revoked token",
		env:     slackEnv("xoxb-revoked", nil),
		wantErr: true,
		want:    []string{"✗ slack token: Slack refused SLACK_BOT_TOKEN: invalid_auth"},
		notWant: []string{"slack scopes"},
	}, {
		name:    "LLM refuses the key",
		env:     map[string]string{"KOBAN_LLM_BASE_URL": llmURL, "KOBAN_LLM_API_KEY": "sk-wrong", "KOBAN_LLM_MODEL": "chat-1"},
		wantErr: true,
		want:    []string{"✗ llm model chat-1: ", "→ the endpoint refused the key"},
	}, {
		name:    "unknown model",
		env:     map[string]string{"KOBAN_LLM_BASE_URL": llmURL, "KOBAN_LLM_API_KEY": "sk-good", "KOBAN_LLM_MODEL": "chat-9"},
		wantErr: true,
		want:    []string{"✗ llm model chat-9: ", "→ the endpoint does not serve this model"},
	}, {
		name:    "unknown keys",
		yaml:    "slack:\n  chanels:\n    - {id: C1}\ndocs_refesh: 1m\n",
		wantErr: true,
		want:    []string{"✗ configuration: ", "line 2: unknown key slack.chanels (did you mean slack.channels?); line 4: unknown key docs_refesh (did you mean docs_refresh?)", "✓ database"},
		notWant: []string{"✓ configuration"},
	}, {
		name:    "invalid settings",
		yaml:    "slack:\n  channels:\n    - {id: C1, mode: sometimes}\n",
		wantErr: true,
		want:    []string{"✗ configuration: ", `mode "sometimes"`, "✓ database"},
	}, {
		name:    "unparsable koban.yaml",
		yaml:    "docs: [\n",
		wantErr: true,
		want:    []string{"✗ configuration: config ", "- database: skipped: the configuration has to load first", "- llm: skipped"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"KOBAN_DATA_DIR": filepath.Join(t.TempDir(), "data"), "KOBAN_LOG_LEVEL": "error"}
			for k, v := range tt.env {
				env[k] = v
			}
			if tt.yaml != "" {
				p := filepath.Join(t.TempDir(), "koban.yaml")
				if err := os.WriteFile(p, []byte(tt.yaml), 0o644); err != nil {
					t.Fatal(err)
				}
				env["KOBAN_CONFIG"] = p
			}
			getenv := func(k string) string { return env[k] }
			ctx := context.Background()
			if tt.emptyDB {
				if err := os.MkdirAll(env["KOBAN_DATA_DIR"], 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(env["KOBAN_DATA_DIR"], "koban.db"), nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if tt.migrate {
				if err := run(ctx, []string{"migrate"}, getenv, &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
					t.Fatalf("koban migrate: %v", err)
				}
			}
			var out, errb bytes.Buffer
			err := run(ctx, []string{"doctor", "--timeout", "5s"}, getenv, &out, &errb)
			if testing.Verbose() {
				t.Log("\n" + out.String())
			}
			if (err != nil) != tt.wantErr {
				t.Errorf("koban doctor = %v, want error: %v\n%s", err, tt.wantErr, out.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("koban doctor printed\n%s\nwant %q in it", out.String(), w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(out.String(), w) {
					t.Errorf("koban doctor printed\n%s\nwant no %q in it", out.String(), w)
				}
			}
		})
	}
}

// TestDoctorPostgres checks a migrated PostgreSQL database as reachable
// and up to date.
func TestDoctorPostgres(t *testing.T) {
	url := os.Getenv("KOBAN_TEST_DATABASE_URL")
	if url == "" {
		t.Skip("KOBAN_TEST_DATABASE_URL not set")
	}
	env := map[string]string{"KOBAN_DATA_DIR": t.TempDir(), "KOBAN_DATABASE_URL": url, "KOBAN_LOG_LEVEL": "error"}
	getenv := func(k string) string { return env[k] }
	if err := run(context.Background(), []string{"migrate"}, getenv, &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Fatalf("koban migrate: %v", err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"doctor"}, getenv, &out, &bytes.Buffer{}); err != nil {
		t.Fatalf("koban doctor: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "✓ database: PostgreSQL") || !strings.Contains(out.String(), "up to date") {
		t.Errorf("koban doctor printed\n%s\nwant the database reachable and up to date", out.String())
	}
}

func TestNeededSlackScopes(t *testing.T) {
	all, err := deploy.SlackBotScopes()
	if err != nil {
		t.Fatal(err)
	}
	var plain Config
	got := neededSlackScopes(plain)
	for _, s := range []string{"usergroups:write", "users:read", "users:read.email"} {
		if slices.Contains(got, s) {
			t.Errorf("neededSlackScopes without rotations has %s", s)
		}
	}
	if !slices.Contains(got, "chat:write") || len(got) != len(all)-3 {
		t.Errorf("neededSlackScopes without rotations = %v, want all of %v but three", got, all)
	}
	var full Config
	if err := yaml.Unmarshal([]byte("oncall:\n  rotations:\n    - {name: ops, members: [a@example.com], user_group: S1}\n"), &full); err != nil {
		t.Fatal(err)
	}
	if got := neededSlackScopes(full); !slices.Equal(got, all) {
		t.Errorf("neededSlackScopes with a user group and an email member = %v, want all of %v", got, all)
	}
}
