package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/kobanhq/koban"
	docsindex "github.com/kobanhq/koban/docs-index"
	"github.com/kobanhq/koban/docs/samples"
)

// indexFlags declares the flags of koban index and returns what runs it.
// koban index (re)builds the docs index from the configured sources.
func indexFlags(fs *flag.FlagSet, a *app) runner {
	list := fs.Bool("list", false, "then print one line per indexed page: file, title, quadrant, language, URL (tab-separated); beside a running koban serve, the pages it indexed")
	asJSON := fs.Bool("json", false, "with --list: one JSON object per page and line")
	return func(ctx context.Context, args []string) error {
		if err := indexFolderArg(a, args, *list); err != nil {
			return err
		}
		if *asJSON && !*list {
			return koban.Errorf(koban.EInvalid, "index: --json goes with --list")
		}
		if *list {
			return listIndex(ctx, a, *asJSON)
		}
		ix, err := openIndex(a.cfg, a.log)
		if err != nil {
			return err
		}
		defer ix.Close()
		st, warns, err := updateIndex(ctx, ix, a.cfg, a.log)
		if err != nil {
			return err
		}
		printIndexStats(a.stdout, st, warns)
		return nil
	}
}

// indexDir is where the docs index lives.
func indexDir(cfg Config) string { return filepath.Join(cfg.DataDir, "index") }

// openIndex opens the on-disk docs index in the data directory.
func openIndex(cfg Config, log *slog.Logger) (*docsindex.Index, error) {
	return docsindex.Open(indexDir(cfg), log)
}

// updateIndex brings the index in line with the configured docs, or with the
// shipped sample docs when none are configured.
func updateIndex(ctx context.Context, ix *docsindex.Index, cfg Config, log *slog.Logger) (docsindex.Stats, []docsindex.Warning, error) {
	syncGitDocs(ctx, gitDocs(cfg), log)
	srcs, err := docSources(cfg)
	if err != nil {
		return docsindex.Stats{}, nil, err
	}
	return ix.Update(ctx, srcs)
}

// docSources turns the configured docs into index sources; with none
// configured, the sample docs.
func docSources(cfg Config) ([]docsindex.Source, error) {
	if len(cfg.Docs) == 0 {
		return sampleDocSources(cfg.DataDir)
	}
	srcs := make([]docsindex.Source, 0, len(cfg.Docs))
	for _, d := range cfg.Docs {
		p := d.Path
		if d.Git != "" {
			p = filepath.Join(gitCheckoutDir(cfg, d), filepath.FromSlash(d.Path))
		}
		srcs = append(srcs, docsindex.Source{Path: p, Lang: d.Lang, BaseURL: d.BaseURL, LinkStyle: d.LinkStyle})
	}
	return srcs, nil
}

// sampleDocSources writes the embedded sample docs to DataDir/sample-docs
// (the index reads folders) and returns one source per language.
func sampleDocSources(dataDir string) ([]docsindex.Source, error) {
	dst := filepath.Join(dataDir, "sample-docs")
	if err := os.RemoveAll(dst); err != nil {
		return nil, fmt.Errorf("sample docs: %w", err)
	}
	err := fs.WalkDir(samples.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		out := filepath.Join(dst, filepath.FromSlash(p))
		if d.IsDir() {
			return os.MkdirAll(out, 0o755)
		}
		b, err := samples.FS.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(out, b, 0o644)
	})
	if err != nil {
		return nil, fmt.Errorf("sample docs: %w", err)
	}
	var srcs []docsindex.Source
	for _, lang := range []string{"en", "ja"} {
		if fi, err := os.Stat(filepath.Join(dst, lang)); err == nil && fi.IsDir() {
			srcs = append(srcs, docsindex.Source{Path: filepath.Join(dst, lang), Lang: lang})
		}
	}
	return srcs, nil
}

func printIndexStats(w io.Writer, st docsindex.Stats, warns []docsindex.Warning) {
	fmt.Fprintf(w, "indexed %d pages (%d sections): %d added, %d changed, %d relinked, %d removed, %d skipped in %v\n",
		st.Documents, st.Sections, st.Added, st.Changed, st.Relinked, st.Removed, st.Skipped, st.Took.Round(time.Millisecond))
	for _, wn := range warns {
		fmt.Fprintf(w, "skipped %s\n", wn)
	}
}
