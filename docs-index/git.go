package docsindex

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/go-git/go-git/v5/storage/memory"

	"github.com/kobanhq/koban"
)

// GitSource is a docs source kept in a git repository: koban clones it
// into Dir and brings the checkout up to date on every refresh, with a
// pure-Go git (no git binary in the image).
type GitSource struct {
	URL      string // https://…, or a local path or file:// URL
	Ref      string // branch; "" for the repository's default branch
	Dir      string // where the checkout lives, under koban's data folder
	Username string // HTTP user for Token; "git" when empty
	Token    string // HTTP password or access token; "" for public repositories
}

// String names the repository without any credentials in its URL.
func (g GitSource) String() string {
	u, err := url.Parse(g.URL)
	if err != nil || u.User == nil {
		return g.URL
	}
	u.User = nil
	return u.String()
}

func (g GitSource) auth() transport.AuthMethod {
	if g.Token == "" {
		return nil
	}
	user := g.Username
	if user == "" {
		user = "git"
	}
	return &githttp.BasicAuth{Username: user, Password: g.Token}
}

// Sync clones the repository the first time and afterwards fetches it and
// moves the checkout to the ref's newest commit. It reports whether the
// checkout changed. A clone is made beside Dir and moved into place when
// complete, and a failed fetch leaves the checkout as it was, so the index
// keeps the last good docs either way.
func (g GitSource) Sync(ctx context.Context) (changed bool, err error) {
	repo, err := git.PlainOpen(g.Dir)
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return true, g.clone(ctx)
	}
	if err != nil {
		return false, fmt.Errorf("git %s: open checkout %s: %w", g, g.Dir, err)
	}
	head, err := repo.Head()
	if err != nil {
		return false, fmt.Errorf("git %s: %w", g, err)
	}
	branch := head.Name()
	if g.Ref != "" {
		branch = plumbing.NewBranchReferenceName(strings.TrimPrefix(g.Ref, "refs/heads/"))
	}
	err = repo.FetchContext(ctx, &git.FetchOptions{
		RemoteName: "origin",
		RefSpecs:   []config.RefSpec{config.RefSpec("+" + branch.String() + ":refs/remotes/origin/" + branch.Short())},
		Auth:       g.auth(),
		Force:      true,
	})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return false, g.explain("fetch", err)
	}
	remote, err := repo.Reference(plumbing.NewRemoteReferenceName("origin", branch.Short()), true)
	if err != nil {
		return false, fmt.Errorf("git %s: branch %s: %w", g, branch.Short(), err)
	}
	if remote.Hash() == head.Hash() && head.Name() == branch {
		return false, nil
	}
	// Point the local branch at the fetched commit and check it out, as
	// "git checkout -B branch origin/branch" would: the checkout is
	// koban's own, so nothing local is kept.
	if err := repo.Storer.SetReference(plumbing.NewHashReference(branch, remote.Hash())); err != nil {
		return false, fmt.Errorf("git %s: %w", g, err)
	}
	w, err := repo.Worktree()
	if err != nil {
		return false, fmt.Errorf("git %s: %w", g, err)
	}
	if err := w.Checkout(&git.CheckoutOptions{Branch: branch, Force: true}); err != nil {
		return false, fmt.Errorf("git %s: check out %s: %w", g, branch.Short(), err)
	}
	return true, nil
}

// clone makes the first checkout in a folder beside Dir, then moves it in.
func (g GitSource) clone(ctx context.Context) error {
	if err := os.MkdirAll(filepath.Dir(g.Dir), 0o755); err != nil {
		return fmt.Errorf("git %s: %w", g, err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(g.Dir), filepath.Base(g.Dir)+".clone-")
	if err != nil {
		return fmt.Errorf("git %s: %w", g, err)
	}
	defer os.RemoveAll(tmp)
	opts := &git.CloneOptions{URL: g.URL, Auth: g.auth(), SingleBranch: true, Tags: git.NoTags}
	if g.Ref != "" {
		opts.ReferenceName = plumbing.NewBranchReferenceName(strings.TrimPrefix(g.Ref, "refs/heads/"))
	}
	if _, err := git.PlainCloneContext(ctx, tmp, false, opts); err != nil {
		return g.explain("clone", err)
	}
	// A placeholder left by an earlier failed clone goes; a real checkout
	// is never there, or PlainOpen would have found it.
	if err := os.RemoveAll(g.Dir); err != nil {
		return fmt.Errorf("git %s: %w", g, err)
	}
	if err := os.Rename(tmp, g.Dir); err != nil {
		return fmt.Errorf("git %s: %w", g, err)
	}
	return nil
}

// explain turns go-git's transport errors into what the operator can do.
func (g GitSource) explain(op string, err error) error {
	switch {
	case errors.Is(err, transport.ErrAuthenticationRequired) && g.Token == "":
		return koban.Errorf(koban.EInvalid, "git %s: %s: the repository needs credentials: set token_env to a variable holding an access token", g, op)
	case errors.Is(err, transport.ErrAuthenticationRequired), errors.Is(err, transport.ErrAuthorizationFailed):
		return koban.Errorf(koban.EInvalid, "git %s: %s: the repository refused the credentials (token_env): check the token and its read access", g, op)
	case errors.Is(err, transport.ErrRepositoryNotFound):
		return koban.Errorf(koban.EInvalid, "git %s: %s: no such repository (or it is private and needs credentials)", g, op)
	case errors.Is(err, plumbing.ErrReferenceNotFound), errors.As(err, new(git.NoMatchingRefSpecError)):
		return koban.Errorf(koban.EInvalid, "git %s: %s: no branch %q", g, op, g.Ref)
	}
	return koban.Errorf(koban.EUnavailable, "git %s: %s: %v", g, op, err)
}

// Check asks the repository for its branches without cloning it, and
// returns the commit the ref points at: whether the URL, the credentials
// and the branch are right.
func (g GitSource) Check(ctx context.Context) (string, error) {
	remote := git.NewRemote(memory.NewStorage(), &config.RemoteConfig{Name: "origin", URLs: []string{g.URL}})
	refs, err := remote.ListContext(ctx, &git.ListOptions{Auth: g.auth()})
	if err != nil {
		return "", g.explain("list branches", err)
	}
	want := plumbing.HEAD
	if g.Ref != "" {
		want = plumbing.NewBranchReferenceName(strings.TrimPrefix(g.Ref, "refs/heads/"))
	}
	byName := map[plumbing.ReferenceName]*plumbing.Reference{}
	for _, r := range refs {
		byName[r.Name()] = r
	}
	r := byName[want]
	if r != nil && r.Type() == plumbing.SymbolicReference {
		want, r = r.Target(), byName[r.Target()]
	}
	if r == nil {
		return "", koban.Errorf(koban.EInvalid, "git %s: no branch %q", g, strings.TrimPrefix(want.String(), "refs/heads/"))
	}
	return fmt.Sprintf("branch %s at %s", want.Short(), r.Hash().String()[:7]), nil
}
