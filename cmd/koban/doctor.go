package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kobanhq/koban"
	docsindex "github.com/kobanhq/koban/docs-index"
	"github.com/kobanhq/koban/store"
)

// doctorFlags declares the flags of koban doctor and returns what runs it.
// koban doctor checks a deployment end to end and says what to fix:
// configuration, database, docs, Slack and the LLM, in that order. It
// exits non-zero when anything failed, so it can run as an init container
// or in CI. It changes nothing: it migrates no database and builds no index.
func doctorFlags(fs *flag.FlagSet, a *app) runner {
	timeout := fs.Duration("timeout", 10*time.Second, "how long each network check may take")
	return func(ctx context.Context, _ []string) error {
		d := &doctor{a: a, w: a.stdout, timeout: *timeout}
		d.run(ctx)
		return d.result()
	}
}

// checkStatus is how one check came out.
type checkStatus int

const (
	checkOK checkStatus = iota
	checkFailed
	checkSkipped
	checkNote // passed, with something worth knowing
)

// doctor runs the checks and prints one line for each.
type doctor struct {
	a       *app
	w       io.Writer
	timeout time.Duration

	passed, failed, skipped int
}

// report prints one check: its mark, what was checked and what was found,
// and for a failure what to do.
func (d *doctor) report(st checkStatus, what, detail, fix string) {
	mark := map[checkStatus]string{checkOK: "✓", checkFailed: "✗", checkSkipped: "-", checkNote: "!"}[st]
	switch st {
	case checkOK:
		d.passed++
	case checkFailed:
		d.failed++
	case checkSkipped:
		d.skipped++
		detail = "skipped: " + detail
	}
	fmt.Fprintf(d.w, "%s %s: %s\n", mark, what, detail)
	if fix != "" {
		fmt.Fprintf(d.w, "    → %s\n", fix)
	}
}

func (d *doctor) result() error {
	fmt.Fprintf(d.w, "\n%d passed, %d failed, %d skipped\n", d.passed, d.failed, d.skipped)
	if d.failed > 0 {
		return fmt.Errorf("doctor: %d of %d checks failed", d.failed, d.passed+d.failed)
	}
	return nil
}

// run runs every check in order. Checks that need what an earlier one
// found wrong are skipped, saying so.
func (d *doctor) run(ctx context.Context) {
	if !d.checkConfig() {
		for _, part := range []string{"database", "docs", "slack", "llm"} {
			d.report(checkSkipped, part, "the configuration has to load first", "")
		}
		return
	}
	d.checkEscalations()
	d.checkDatabase(ctx)
	d.checkDocs(ctx)
	d.checkSlack(ctx)
	d.checkLLM(ctx)
}

// checkConfig reports the configuration file, its unknown keys and what
// validation found. It returns false when the configuration could not be
// loaded at all, so that nothing else can be checked.
func (d *doctor) checkConfig() bool {
	path, explicit := configFile(d.a.configPath, d.a.getenv)
	_, err := os.Stat(path)
	switch {
	case err == nil:
		// Unknown keys are among the configuration errors below.
	case errors.Is(err, os.ErrNotExist) && !explicit:
		path = ""
	default:
		d.report(checkFailed, "configuration", err.Error(), "give --config or KOBAN_CONFIG a readable koban.yaml")
		return false
	}
	if d.a.cfgErr != nil {
		d.report(checkFailed, "configuration", strings.ReplaceAll(d.a.cfgErr.Error(), "\n", "; "), "fix these settings (README, Configuration)")
		// Settings that did not validate still load: go on with them,
		// unless the file could not be parsed.
		return d.a.cfg.DataDir != ""
	}
	switch {
	case path == "":
		d.report(checkOK, "configuration", "no koban.yaml: defaults and the environment", "")
	default:
		d.report(checkOK, "configuration", path+" and the environment", "")
	}
	return true
}

// configFile is the koban.yaml loadConfig reads, and whether it was named
// explicitly (then it must exist).
func configFile(path string, getenv func(string) string) (string, bool) {
	if path != "" {
		return path, true
	}
	if p := getenv("KOBAN_CONFIG"); p != "" {
		return p, true
	}
	return "koban.yaml", false
}

// checkDatabase opens the database without migrating it: reachable, and
// its schema that of this binary.
func (d *doctor) checkDatabase(ctx context.Context) {
	cfg := d.a.cfg
	where := "PostgreSQL " + redactURL(cfg.DatabaseURL)
	if cfg.DatabaseURL == "" {
		file := filepath.Join(cfg.DataDir, "koban.db")
		if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
			d.report(checkOK, "database", "SQLite "+file+" does not exist yet: koban serve or koban migrate creates it", "")
			return
		}
		where = "SQLite " + filepath.Join(cfg.DataDir, "koban.db")
	}
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	st, err := store.Open(ctx, store.Options{URL: cfg.DatabaseURL, DataDir: cfg.DataDir, NoMigrate: true, ConnectTimeout: d.timeout})
	if err != nil {
		fix := "check database_url (KOBAN_DATABASE_URL) and that the database is up and reachable from here"
		if koban.ErrorCode(err) == koban.EInvalid {
			fix = "run koban migrate (koban serve migrates on start too)"
		}
		d.report(checkFailed, "database", where+": "+err.Error(), fix)
		return
	}
	defer st.Close()
	v, err := st.SchemaVersion(ctx)
	if err != nil {
		d.report(checkFailed, "database", where+": "+err.Error(), "")
		return
	}
	d.report(checkOK, "database", fmt.Sprintf("%s reachable, schema version %s, up to date", where, v), "")
}

// checkDocs reads every docs source and compares what it finds with what
// the index holds. A source not indexed yet is a note, not a failure: an
// init container runs before koban serve has built the index.
func (d *doctor) checkDocs(ctx context.Context) {
	cfg := d.a.cfg
	if cfg.DocsWebhookSecret != "" && len(gitDocs(cfg)) == 0 {
		d.report(checkNote, "docs webhook", "docs_webhook_secret is set, but no docs source is a git repository: /hooks/docs is off", "")
	}
	if len(cfg.Docs) == 0 {
		d.report(checkSkipped, "docs", "none configured: koban serves its sample docs", "list your doc folders under docs (KOBAN_DOCS)")
		return
	}
	srcs, err := docSources(cfg)
	if err != nil {
		d.report(checkFailed, "docs", err.Error(), "")
		return
	}
	indexed := map[string]int{}
	pages, idxErr := docsindex.ReadPages(indexDir(cfg))
	for _, p := range pages {
		indexed[p.Source]++
	}
	for i, src := range srcs {
		what := "docs " + src.Path
		if gd := cfg.Docs[i]; gd.Git != "" {
			what = "docs " + (docsindex.GitSource{URL: gd.Git}).String()
			if !d.checkGit(ctx, gd, what, src.Path) {
				continue
			}
		}
		fi, err := os.Stat(src.Path)
		if err != nil || !fi.IsDir() {
			if err == nil {
				err = errors.New("not a folder")
			}
			d.report(checkFailed, what, err.Error(), "mount or check out the docs there, or fix the path under docs (KOBAN_DOCS)")
			continue
		}
		found, warns := docsindex.Load(src, nil)
		if len(found) == 0 {
			d.report(checkFailed, what, fmt.Sprintf("no Markdown pages (%d files skipped)", len(warns)), "point the source at the folder that holds the .md files")
			continue
		}
		detail := fmt.Sprintf("%d %s readable", len(found), map[bool]string{true: "page", false: "pages"}[len(found) == 1])
		switch n := indexed[src.Path]; {
		case idxErr != nil:
			detail += ", not indexed yet"
		case n != len(found):
			detail += fmt.Sprintf(", %d indexed (koban serve catches up within docs_refresh)", n)
		default:
			detail += fmt.Sprintf(", %d indexed", n)
		}
		d.report(checkOK, what, detail, "")
		for i, w := range warns {
			if i == 5 {
				d.report(checkNote, what, fmt.Sprintf("and %d more files skipped", len(warns)-5), "")
				break
			}
			d.report(checkNote, what, "skipped "+w.String(), "")
		}
	}
}

// channelsToCheck lists the channels koban must be a member of, with what
// each is for, without duplicates.
func channelsToCheck(cfg Config) (ids []string, purpose map[string]string) {
	purpose = map[string]string{}
	add := func(id, why string) {
		if id == "" {
			return
		}
		if _, ok := purpose[id]; !ok {
			ids = append(ids, id)
			purpose[id] = why
		}
	}
	for _, ch := range cfg.Slack.Channels {
		add(ch.ID, "slack.channels")
	}
	for _, r := range cfg.OnCall.Rotations {
		add(r.Channel, "rotation "+r.Name)
	}
	add(cfg.Report.Channel, "report.channel")
	return ids, purpose
}

// userGroupsToCheck lists the user groups koban mentions or keeps current.
func userGroupsToCheck(cfg Config) (ids []string, purpose map[string]string) {
	purpose = map[string]string{}
	for _, r := range cfg.OnCall.Rotations {
		if r.UserGroup != "" && purpose[r.UserGroup] == "" {
			ids = append(ids, r.UserGroup)
			purpose[r.UserGroup] = "rotation " + r.Name
		}
	}
	if g := cfg.Slack.FallbackGroup; g != "" && purpose[g] == "" {
		ids = append(ids, g)
		purpose[g] = "slack.fallback_group"
	}
	return ids, purpose
}

// checkGit checks that a git source's repository answers with its branch,
// and reports whether there is a checkout to check further.
func (d *doctor) checkGit(ctx context.Context, src DocSource, what, docs string) bool {
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	g := docsindex.GitSource{URL: src.Git, Ref: src.Ref, Username: src.Username, Token: src.token}
	if src.TokenEnv != "" && src.token == "" {
		d.report(checkFailed, what, "token_env names "+src.TokenEnv+", which is not set", "set "+src.TokenEnv+" to an access token with read access to the repository")
		return false
	}
	got, err := g.Check(ctx)
	if err != nil {
		d.report(checkFailed, what, err.Error(), "check git, ref and token_env under docs")
		return false
	}
	d.report(checkOK, what, "repository answers: "+got, "")
	if _, err := os.Stat(docs); err != nil {
		d.report(checkNote, what, "not checked out yet: koban serve or koban index clones it into the data folder", "")
		return false
	}
	return true
}
