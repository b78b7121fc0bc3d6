package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	docsindex "github.com/kobanhq/koban/docs-index"
)

// gitDoc is a docs source from a git repository: where koban checks it out
// and the folder in the checkout that holds the docs.
type gitDoc struct {
	repo docsindex.GitSource
	docs string // the docs folder: the checkout, or a folder in it
	// tokenMissing names the variable token_env names when it is empty.
	tokenMissing string
}

// gitCheckoutDir is where a git source is checked out: the data folder,
// one folder per repository and branch.
func gitCheckoutDir(cfg Config, d DocSource) string {
	h := sha256.Sum256([]byte(d.Git + "\x00" + d.Ref))
	return filepath.Join(cfg.DataDir, "git", hex.EncodeToString(h[:6]))
}

// gitDocs lists the configured git sources.
func gitDocs(cfg Config) []gitDoc {
	var out []gitDoc
	for _, d := range cfg.Docs {
		if d.Git == "" {
			continue
		}
		dir := gitCheckoutDir(cfg, d)
		g := gitDoc{repo: docsindex.GitSource{URL: d.Git, Ref: d.Ref, Dir: dir, Username: d.Username}, docs: filepath.Join(dir, filepath.FromSlash(d.Path))}
		if d.TokenEnv != "" {
			g.repo.Token = d.token
			if g.repo.Token == "" {
				g.tokenMissing = d.TokenEnv
			}
		}
		out = append(out, g)
	}
	return out
}

// syncGitDocs clones or updates every git source and reports whether any
// checkout changed. A source that fails is logged by name and keeps its
// last checkout; one never checked out gets an empty folder, so that the
// other sources are indexed meanwhile.
func syncGitDocs(ctx context.Context, docs []gitDoc, log *slog.Logger) bool {
	changed := false
	for _, g := range docs {
		var err error
		var ch bool
		if g.tokenMissing != "" {
			err = fmt.Errorf("git %s: token_env names %s, which is not set", g.repo, g.tokenMissing)
		} else {
			start := time.Now()
			ch, err = g.repo.Sync(ctx)
			if err == nil && ch {
				log.Info("docs checked out", "git", g.repo.String(), "took", time.Since(start).Round(time.Millisecond))
			}
		}
		if err != nil && ctx.Err() == nil {
			log.Error("docs git source not updated: keeping the last checkout", "git", g.repo.String(), "err", err)
		}
		changed = changed || ch
		if fi, err := os.Stat(g.docs); err != nil || !fi.IsDir() {
			if _, gitErr := os.Stat(filepath.Join(g.repo.Dir, ".git")); gitErr == nil {
				log.Error("docs git source has no such folder", "git", g.repo.String(), "path", strings.TrimPrefix(g.docs, g.repo.Dir))
			}
			if err := os.MkdirAll(g.docs, 0o755); err != nil {
				log.Error("docs git source", "git", g.repo.String(), "err", err)
			}
		}
	}
	return changed
}

// gitRefresher pulls the git sources on the refresh schedule and when a
// push webhook asks, then refreshes the index (all sources: the others may
// have changed too). It replaces the Refresher's own loop, so that no
// refresh reads a checkout while a pull updates it.
type gitRefresher struct {
	docs      []gitDoc
	refresher *docsindex.Refresher
	every     time.Duration
	log       *slog.Logger
	kick      chan struct{}
}

func newGitRefresher(docs []gitDoc, r *docsindex.Refresher, every time.Duration, log *slog.Logger) *gitRefresher {
	return &gitRefresher{docs: docs, refresher: r, every: every, log: log, kick: make(chan struct{}, 1)}
}

// Run pulls every g.every (never when 0) and on each kick until ctx ends.
func (g *gitRefresher) Run(ctx context.Context) error {
	var tick <-chan time.Time
	if g.every > 0 {
		t := time.NewTicker(g.every)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick:
			g.RunOnce(ctx, true)
		case <-g.kick:
			g.RunOnce(ctx, false)
		}
	}
}

// RunOnce pulls the git sources, then refreshes the index when a checkout
// changed or, with all set, in any case.
func (g *gitRefresher) RunOnce(ctx context.Context, all bool) {
	if !syncGitDocs(ctx, g.docs, g.log) && !all {
		return
	}
	if _, err := g.refresher.RunOnce(ctx); err != nil && ctx.Err() == nil {
		g.log.Error("refresh docs index", "err", err)
	}
}

// maxHookBody bounds a push webhook's body: pushes are a few KB, and the
// body is read whole to check its signature.
const maxHookBody = 5 << 20

// webhook is the push webhook endpoint (POST /hooks/docs): GitHub's, signed
// with the shared secret (X-Hub-Signature-256), or GitLab's, carrying it
// (X-Gitlab-Token). A push to a configured repository triggers a pull and
// re-index at once; anything unsigned is refused.
func (g *gitRefresher) webhook(secret string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "POST a push event", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxHookBody))
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			http.Error(w, fmt.Sprintf("body larger than %d bytes", maxHookBody), http.StatusRequestEntityTooLarge)
			return
		case err != nil:
			http.Error(w, "unreadable body", http.StatusBadRequest)
			return
		}
		event, ok := verifyHook(r.Header, body, secret)
		if !ok {
			g.log.Warn("docs webhook refused: bad or missing signature", "remote", r.RemoteAddr)
			http.Error(w, "bad or missing signature", http.StatusUnauthorized)
			return
		}
		switch event {
		case "ping":
			fmt.Fprintln(w, "pong")
			return
		case "push", "Push Hook":
		default:
			w.WriteHeader(http.StatusAccepted)
			fmt.Fprintf(w, "ignored: %s is not a push\n", event)
			return
		}
		urls, err := pushedRepos(body)
		if err != nil {
			http.Error(w, "not a push event payload: "+err.Error(), http.StatusBadRequest)
			return
		}
		if !g.matches(urls) {
			w.WriteHeader(http.StatusAccepted)
			fmt.Fprintln(w, "ignored: no docs source is this repository")
			return
		}
		select {
		case g.kick <- struct{}{}:
		default: // a refresh is queued already
		}
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprintln(w, "docs refresh queued")
	})
}

// verifyHook checks a webhook's secret and returns its event name.
func verifyHook(h http.Header, body []byte, secret string) (string, bool) {
	if sig := h.Get("X-Hub-Signature-256"); sig != "" {
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write(body)
		want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
		return h.Get("X-GitHub-Event"), hmac.Equal([]byte(sig), []byte(want))
	}
	if tok := h.Get("X-Gitlab-Token"); tok != "" {
		return h.Get("X-Gitlab-Event"), subtle.ConstantTimeCompare([]byte(tok), []byte(secret)) == 1
	}
	return "", false
}

// pushedRepos lists the URLs a GitHub or GitLab push payload gives for
// its repository.
func pushedRepos(body []byte) ([]string, error) {
	var p struct {
		Repository map[string]any `json:"repository"`
		Project    map[string]any `json:"project"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, err
	}
	var urls []string
	for _, m := range []map[string]any{p.Repository, p.Project} {
		for _, k := range []string{"clone_url", "html_url", "ssh_url", "git_http_url", "git_ssh_url", "web_url", "url", "homepage"} {
			if s, ok := m[k].(string); ok && s != "" {
				urls = append(urls, s)
			}
		}
	}
	if len(urls) == 0 {
		return nil, errors.New("no repository URL")
	}
	return urls, nil
}

// matches reports whether one of urls names a configured git source.
func (g *gitRefresher) matches(urls []string) bool {
	for _, d := range g.docs {
		for _, u := range urls {
			if repoKey(u) == repoKey(d.repo.URL) {
				return true
			}
		}
	}
	return false
}

// repoKey reduces the forms of a repository's URL to host/owner/name:
// https://github.com/o/r.git, git@github.com:o/r.git, https://user@github.com/o/r/.
func repoKey(u string) string {
	u = strings.ToLower(strings.TrimSpace(u))
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
	}
	if at := strings.LastIndex(u, "@"); at >= 0 {
		u = u[at+1:]
	}
	u = strings.Replace(u, ":", "/", 1)
	u = strings.TrimSuffix(strings.TrimSuffix(u, "/"), ".git")
	return u
}
