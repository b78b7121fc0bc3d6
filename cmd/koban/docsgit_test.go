package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// pushDocs commits files to a working copy of bare (made on first use in
// work) and pushes them.
func pushDocs(t *testing.T, bare, work string, files map[string]string) {
	t.Helper()
	repo, err := git.PlainOpen(work)
	if err != nil {
		if _, err := git.PlainInit(bare, true); err != nil {
			t.Fatal(err)
		}
		if repo, err = git.PlainInit(work, false); err != nil {
			t.Fatal(err)
		}
		if _, err := repo.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{bare}}); err != nil {
			t.Fatal(err)
		}
	}
	w, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	writeFiles(t, work, files)
	for name := range files {
		if _, err := w.Add(name); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Commit("docs", &git.CommitOptions{Author: &object.Signature{Name: "d", Email: "d@example.com", When: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	if err := repo.Push(&git.PushOptions{RemoteName: "origin"}); err != nil {
		t.Fatal(err)
	}
}

func signGitHub(body []byte, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// TestGitDocsWebhook indexes a git source (the first clone), then pushes
// an update and lets a signed push webhook pull and re-index it; unsigned,
// wrongly signed and oversized webhooks are refused, and a failed pull
// keeps the index.
func TestGitDocsWebhook(t *testing.T) {
	bare, work := filepath.Join(t.TempDir(), "docs.git"), t.TempDir()
	pushDocs(t, bare, work, map[string]string{"docs/db.md": "# Request a database\n\nFile a ticket.\n"})
	cfgPath := filepath.Join(t.TempDir(), "koban.yaml")
	if err := os.WriteFile(cfgPath, []byte("docs:\n  - {git: "+bare+", path: docs, lang: en}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"KOBAN_DATA_DIR": t.TempDir(), "KOBAN_LOG_LEVEL": "error", "KOBAN_CONFIG": cfgPath}
	getenv := func(k string) string { return env[k] }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var out, errb bytes.Buffer
	if err := run(ctx, []string{"index", "--list"}, getenv, &out, &errb); err != nil {
		t.Fatalf("koban index --list of a git source: %v\n%s", err, errb.String())
	}
	if !strings.Contains(out.String(), "db.md\tRequest a database\t") {
		t.Fatalf("koban index --list printed %q, want the cloned page", out.String())
	}

	cfg, err := loadConfig("", getenv)
	if err != nil {
		t.Fatal(err)
	}
	a := &app{cfg: cfg, log: newLogger(io.Discard, "text", "error")}
	ix, refresher, _, err := wireIndex(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	gitRef := newGitRefresher(gitDocs(cfg), refresher, 0, a.log)
	done := make(chan error, 1)
	go func() { done <- gitRef.Run(ctx) }()
	defer func() { cancel(); <-done }()
	h := gitRef.webhook("s3cret")

	hasTitle := func(title string) bool {
		for _, p := range ix.Pages() {
			if p.Title == title {
				return true
			}
		}
		return false
	}
	pushDocs(t, bare, work, map[string]string{"docs/keys.md": "# Rotate keys\n\nRun the job.\n"})
	push := []byte(`{"ref":"refs/heads/master","repository":{"clone_url":"` + bare + `"}}`)
	other := []byte(`{"ref":"refs/heads/main","repository":{"clone_url":"https://github.com/someone/else.git"}}`)
	tests := []struct {
		name   string
		body   []byte
		header map[string]string
		want   int
	}{
		{"unsigned", push, map[string]string{"X-GitHub-Event": "push"}, http.StatusUnauthorized},
		{"wrong signature", push, map[string]string{"X-GitHub-Event": "push", "X-Hub-Signature-256": signGitHub(push, "guess")}, http.StatusUnauthorized},
		{"wrong GitLab token", push, map[string]string{"X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": "guess"}, http.StatusUnauthorized},
		{"50 MB body", bytes.Repeat([]byte("x"), 50<<20), map[string]string{"X-GitHub-Event": "push"}, http.StatusRequestEntityTooLarge},
		{"ping", []byte(`{}`), map[string]string{"X-GitHub-Event": "ping", "X-Hub-Signature-256": signGitHub([]byte(`{}`), "s3cret")}, http.StatusOK},
		{"another repository", other, map[string]string{"X-GitHub-Event": "push", "X-Hub-Signature-256": signGitHub(other, "s3cret")}, http.StatusAccepted},
		{"signed but not JSON", []byte("nope"), map[string]string{"X-GitHub-Event": "push", "X-Hub-Signature-256": signGitHub([]byte("nope"), "s3cret")}, http.StatusBadRequest},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(http.MethodPost, "/hooks/docs", bytes.NewReader(tt.body))
		for k, v := range tt.header {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tt.want {
			t.Errorf("%s: webhook answered %d %q, want %d", tt.name, rec.Code, rec.Body.String(), tt.want)
		}
	}
	time.Sleep(100 * time.Millisecond)
	if hasTitle("Rotate keys") {
		t.Fatal("the pushed page was indexed before any valid webhook")
	}

	req := httptest.NewRequest(http.MethodPost, "/hooks/docs", bytes.NewReader(push))
	req.Header.Set("X-GitHub-Event", "push")
	req.Header.Set("X-Hub-Signature-256", signGitHub(push, "s3cret"))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusAccepted {
		t.Fatalf("signed push webhook answered %d %q, want 202", rec.Code, rec.Body.String())
	}
	waitUntil(t, "the pushed page indexed", func() bool { return hasTitle("Rotate keys") })

	// GitLab's push hook, with its token.
	pushDocs(t, bare, work, map[string]string{"docs/net.md": "# Network policies\n\nAllow traffic.\n"})
	gl := []byte(`{"object_kind":"push","project":{"git_http_url":"` + bare + `"}}`)
	req = httptest.NewRequest(http.MethodPost, "/hooks/docs", bytes.NewReader(gl))
	req.Header.Set("X-Gitlab-Event", "Push Hook")
	req.Header.Set("X-Gitlab-Token", "s3cret")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusAccepted {
		t.Fatalf("GitLab push webhook answered %d %q, want 202", rec.Code, rec.Body.String())
	}
	waitUntil(t, "the page pushed to GitLab indexed", func() bool { return hasTitle("Network policies") })

	// The repository goes away: the pull fails and the index keeps its pages.
	if err := os.Rename(bare, bare+".gone"); err != nil {
		t.Fatal(err)
	}
	gitRef.RunOnce(ctx, true)
	if n := len(ix.Pages()); n != 3 || !hasTitle("Rotate keys") {
		t.Errorf("after a failed pull the index has %d pages, want the 3 it had", n)
	}
}

// TestGitDocsMissingCredentials: a git source whose token_env is not set
// is reported by name, and the other sources are indexed all the same.
func TestGitDocsMissingCredentials(t *testing.T) {
	local := t.TempDir()
	if err := os.WriteFile(filepath.Join(local, "a.md"), []byte("# Local page\n\nHere.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(t.TempDir(), "koban.yaml")
	yaml := "docs:\n  - {git: https://git.example.invalid/team/docs.git, token_env: DOCS_GIT_TOKEN}\n  - {path: " + local + "}\n"
	if err := os.WriteFile(cfgPath, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"KOBAN_DATA_DIR": t.TempDir(), "KOBAN_CONFIG": cfgPath}
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"index", "--list"}, func(k string) string { return env[k] }, &out, &errb); err != nil {
		t.Fatalf("koban index with a git source lacking credentials: %v\n%s", err, errb.String())
	}
	if !strings.Contains(errb.String(), "DOCS_GIT_TOKEN") || !strings.Contains(errb.String(), "git.example.invalid/team/docs.git") {
		t.Errorf("logs %q, want the source and the missing variable named", errb.String())
	}
	if !strings.Contains(out.String(), "Local page") {
		t.Errorf("koban index --list printed %q, want the local source indexed", out.String())
	}
}

func TestRepoKey(t *testing.T) {
	same := []string{"https://github.com/Team/Docs.git", "git@github.com:team/docs.git", "https://bot@github.com/team/docs/", "ssh://git@github.com/team/docs"}
	for _, u := range same {
		if repoKey(u) != repoKey(same[0]) {
			t.Errorf("repoKey(%q) = %q, want %q", u, repoKey(u), repoKey(same[0]))
		}
	}
	if repoKey("https://github.com/team/docs-old") == repoKey(same[0]) {
		t.Error("repoKey matches another repository")
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestDoctorGitSource: doctor asks the repository for its branch, and
// checks the checkout once there is one.
func TestDoctorGitSource(t *testing.T) {
	bare, work := filepath.Join(t.TempDir(), "docs.git"), t.TempDir()
	pushDocs(t, bare, work, map[string]string{"docs/db.md": "# Request a database\n\nFile a ticket.\n"})
	cfgPath := filepath.Join(t.TempDir(), "koban.yaml")
	if err := os.WriteFile(cfgPath, []byte("docs:\n  - {git: "+bare+", path: docs}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"KOBAN_DATA_DIR": t.TempDir(), "KOBAN_LOG_LEVEL": "error", "KOBAN_CONFIG": cfgPath}
	getenv := func(k string) string { return env[k] }
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"doctor"}, getenv, &out, io.Discard); err != nil {
		t.Fatalf("koban doctor before the first clone: %v\n%s", err, out.String())
	}
	for _, want := range []string{"✓ docs " + bare + ": repository answers: branch master at ", "! docs " + bare + ": not checked out yet"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("koban doctor printed\n%s\nwant %q", out.String(), want)
		}
	}
	if err := run(ctx, []string{"index"}, getenv, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(ctx, []string{"doctor"}, getenv, &out, io.Discard); err != nil || !strings.Contains(out.String(), "1 page readable, 1 indexed") {
		t.Errorf("koban doctor after indexing = %v:\n%s\nwant the checkout's page readable and indexed", err, out.String())
	}
}

// TestServeGitDocsWebhook runs koban serve on a git source: the push
// webhook is served without the web token, refuses an unsigned push, and a
// signed one gets the pushed page indexed.
func TestServeGitDocsWebhook(t *testing.T) {
	bare, work := filepath.Join(t.TempDir(), "docs.git"), t.TempDir()
	pushDocs(t, bare, work, map[string]string{"db.md": "# Request a database\n\nFile a ticket.\n"})
	cfgPath := filepath.Join(t.TempDir(), "koban.yaml")
	if err := os.WriteFile(cfgPath, []byte("docs:\n  - {git: "+bare+"}\ndocs_refresh: 0s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	base := startServe(t, map[string]string{"KOBAN_CONFIG": cfgPath, "KOBAN_DOCS_WEBHOOK_SECRET": "s3cret", "KOBAN_WEB_TOKEN": "web-token"})
	pages := func() string {
		req, _ := http.NewRequest(http.MethodGet, base+"/metrics", nil)
		req.Header.Set("Authorization", "Bearer web-token")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "koban_docs_pages ") {
				return strings.TrimPrefix(line, "koban_docs_pages ")
			}
		}
		return ""
	}
	if got := pages(); got != "1" {
		t.Fatalf("koban_docs_pages = %q at start, want 1", got)
	}
	pushDocs(t, bare, work, map[string]string{"keys.md": "# Rotate keys\n\nRun the job.\n"})
	body := []byte(`{"repository":{"clone_url":"` + bare + `"}}`)
	post := func(sig string) int {
		req, _ := http.NewRequest(http.MethodPost, base+"/hooks/docs", bytes.NewReader(body))
		req.Header.Set("X-GitHub-Event", "push")
		if sig != "" {
			req.Header.Set("X-Hub-Signature-256", sig)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(""); code != http.StatusUnauthorized {
		t.Errorf("unsigned push webhook: %d, want 401", code)
	}
	if code := post(signGitHub(body, "s3cret")); code != http.StatusAccepted {
		t.Fatalf("signed push webhook: %d, want 202", code)
	}
	waitUntil(t, "the pushed page indexed", func() bool { return pages() == "2" })
}
