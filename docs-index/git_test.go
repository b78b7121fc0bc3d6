package docsindex

import (
	"context"
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

// testRepo is a bare repository and a working copy that pushes to it, as
// a docs team's repository would be.
type testRepo struct {
	t    *testing.T
	bare string
	work *git.Repository
	dir  string
}

func newTestRepo(t *testing.T) *testRepo {
	t.Helper()
	r := &testRepo{t: t, bare: filepath.Join(t.TempDir(), "docs.git"), dir: t.TempDir()}
	if _, err := git.PlainInit(r.bare, true); err != nil {
		t.Fatal(err)
	}
	work, err := git.PlainInit(r.dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := work.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{r.bare}}); err != nil {
		t.Fatal(err)
	}
	r.work = work
	return r
}

// commit writes files (path → content; "" deletes), commits and pushes.
func (r *testRepo) commit(files map[string]string) {
	r.t.Helper()
	w, err := r.work.Worktree()
	if err != nil {
		r.t.Fatal(err)
	}
	for name, text := range files {
		p := filepath.Join(r.dir, filepath.FromSlash(name))
		if text == "" {
			if _, err := w.Remove(name); err != nil {
				r.t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			r.t.Fatal(err)
		}
		if _, err := w.Add(name); err != nil {
			r.t.Fatal(err)
		}
	}
	sig := &object.Signature{Name: "Docs", Email: "docs@example.com", When: time.Now()}
	if _, err := w.Commit("docs", &git.CommitOptions{Author: sig}); err != nil {
		r.t.Fatal(err)
	}
	if err := r.work.Push(&git.PushOptions{RemoteName: "origin"}); err != nil {
		r.t.Fatal(err)
	}
}

// TestGitSource clones a local bare repository, pulls an update and
// re-indexes it, and keeps the checkout and index when a pull fails.
func TestGitSource(t *testing.T) {
	ctx := context.Background()
	repo := newTestRepo(t)
	repo.commit(map[string]string{"docs/db.md": "# Request a database\n\nFile a ticket.\n", "README.md": "# Repo\n"})

	g := GitSource{URL: repo.bare, Dir: filepath.Join(t.TempDir(), "checkout")}
	changed, err := g.Sync(ctx)
	if err != nil || !changed {
		t.Fatalf("first Sync = %v, %v; want a clone", changed, err)
	}
	ix := mustOpen(t, t.TempDir())
	src := []Source{{Path: filepath.Join(g.Dir, "docs")}}
	if st, _, err := ix.Update(ctx, src); err != nil || st.Added != 1 {
		t.Fatalf("index the clone: %+v, %v", st, err)
	}
	if changed, err := g.Sync(ctx); err != nil || changed {
		t.Errorf("Sync with nothing pushed = %v, %v; want no change", changed, err)
	}

	repo.commit(map[string]string{"docs/db.md": "# Request a database\n\nUse the portal.\n", "docs/keys.md": "# Rotate keys\n\nRun the job.\n"})
	if changed, err := g.Sync(ctx); err != nil || !changed {
		t.Fatalf("Sync after a push = %v, %v; want the update", changed, err)
	}
	st, _, err := ix.Update(ctx, src)
	if err != nil || st.Added != 1 || st.Changed != 1 {
		t.Fatalf("re-index after the pull: %+v, %v; want 1 added, 1 changed", st, err)
	}

	repo.commit(map[string]string{"docs/keys.md": ""})
	if changed, err := g.Sync(ctx); err != nil || !changed {
		t.Fatalf("Sync after a deletion = %v, %v", changed, err)
	}
	if _, err := os.Stat(filepath.Join(g.Dir, "docs", "keys.md")); !os.IsNotExist(err) {
		t.Errorf("a file deleted upstream is still checked out: %v", err)
	}

	// The repository goes away: the pull fails, the checkout stays.
	if err := os.Rename(repo.bare, repo.bare+".gone"); err != nil {
		t.Fatal(err)
	}
	if changed, err := g.Sync(ctx); err == nil || changed {
		t.Errorf("Sync from a missing repository = %v, %v; want an error", changed, err)
	}
	b, err := os.ReadFile(filepath.Join(g.Dir, "docs", "db.md"))
	if err != nil || !strings.Contains(string(b), "Use the portal") {
		t.Errorf("checkout after a failed pull: %q, %v; want the last good one", b, err)
	}
	if st, _, err := ix.Update(ctx, src); err != nil || st.Documents != 1 {
		t.Errorf("index after a failed pull: %+v, %v; want the last good page", st, err)
	}
}

// TestGitSourceBranch checks out a branch other than the default.
func TestGitSourceBranch(t *testing.T) {
	repo := newTestRepo(t)
	repo.commit(map[string]string{"a.md": "# A\n"})
	g := GitSource{URL: repo.bare, Ref: "nope", Dir: filepath.Join(t.TempDir(), "c")}
	if _, err := g.Sync(context.Background()); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("Sync of a missing branch = %v, want an error naming it", err)
	}
	if _, err := os.Stat(g.Dir); !os.IsNotExist(err) {
		t.Errorf("a failed clone left %s behind: %v", g.Dir, err)
	}
}

// TestGitSourceCredentials: a repository that wants credentials, cloned
// without any, says so by name; with a token it is asked with it.
func TestGitSourceCredentials(t *testing.T) {
	var gotAuth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, pass, _ := r.BasicAuth()
		gotAuth = pass
		w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
		http.Error(w, "authentication required", http.StatusUnauthorized)
	}))
	defer srv.Close()
	g := GitSource{URL: srv.URL + "/team/docs.git", Dir: filepath.Join(t.TempDir(), "c")}
	_, err := g.Sync(context.Background())
	if err == nil || !strings.Contains(err.Error(), "needs credentials") || !strings.Contains(err.Error(), "token_env") {
		t.Errorf("clone without credentials = %v, want it to say credentials are needed", err)
	}
	g.Token = "tok-123"
	_, err = g.Sync(context.Background())
	if err == nil || !strings.Contains(err.Error(), "refused the credentials") || gotAuth != "tok-123" {
		t.Errorf("clone with a refused token = %v (sent %q), want it to say the credentials were refused", err, gotAuth)
	}
	if strings.Contains(err.Error(), "tok-123") {
		t.Errorf("error %q shows the token", err)
	}
	if s := (GitSource{URL: "https://user:secret@git.example.com/docs.git"}).String(); strings.Contains(s, "secret") {
		t.Errorf("GitSource.String() = %q shows the password", s)
	}
}

func TestGitSourceCheck(t *testing.T) {
	repo := newTestRepo(t)
	repo.commit(map[string]string{"a.md": "# A\n"})
	ctx := context.Background()
	got, err := GitSource{URL: repo.bare}.Check(ctx)
	if err != nil || !strings.HasPrefix(got, "branch master at ") {
		t.Errorf("Check of the default branch = %q, %v", got, err)
	}
	if _, err := (GitSource{URL: repo.bare, Ref: "nope"}).Check(ctx); err == nil || !strings.Contains(err.Error(), `no branch "nope"`) {
		t.Errorf("Check of a missing branch = %v", err)
	}
	if _, err := (GitSource{URL: repo.bare + ".gone"}).Check(ctx); err == nil {
		t.Error("Check of a missing repository: no error")
	}
}
