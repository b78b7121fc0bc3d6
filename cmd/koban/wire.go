package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/kobanhq/koban"
	docsindex "github.com/kobanhq/koban/docs-index"
	"github.com/kobanhq/koban/docs/samples"
	"github.com/kobanhq/koban/knowledge"
	"github.com/kobanhq/koban/store"
	"github.com/kobanhq/koban/triage"
)

// wireStore opens the configured store: PostgreSQL when database_url is set,
// else SQLite in the data folder. It migrates unless noMigrate is set.
func wireStore(ctx context.Context, a *app, noMigrate bool) (*store.Store, error) {
	if a.cfg.DatabaseURL == "" {
		if err := os.MkdirAll(a.cfg.DataDir, 0o750); err != nil {
			return nil, fmt.Errorf("data folder: %w", err)
		}
	}
	st, err := store.Open(ctx, store.Options{URL: a.cfg.DatabaseURL, DataDir: a.cfg.DataDir, Log: a.log, NoMigrate: noMigrate})
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	return st, nil
}

// wireSources returns the configured doc sources, or the shipped sample docs
// (written out to the data folder) when none are configured.
func wireSources(a *app) ([]docsindex.Source, error) {
	if len(a.cfg.Docs) == 0 {
		dir := filepath.Join(a.cfg.DataDir, "sample-docs")
		if err := writeSamples(dir); err != nil {
			return nil, fmt.Errorf("sample docs: %w", err)
		}
		return langSources(dir)
	}
	out := make([]docsindex.Source, 0, len(a.cfg.Docs))
	for _, d := range a.cfg.Docs {
		if _, err := os.Stat(d.Path); err != nil {
			return nil, koban.Errorf(koban.EInvalid, "docs folder %s: %v", d.Path, err)
		}
		out = append(out, docsindex.Source{Path: d.Path, Lang: d.Lang, BaseURL: d.BaseURL})
	}
	return out, nil
}

// writeSamples writes the embedded sample docs to dir, rewriting only files
// whose content differs, so that the incremental index sees no change.
func writeSamples(dir string) error {
	return fs.WalkDir(samples.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".md" {
			return err
		}
		b, err := samples.FS.ReadFile(path)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, filepath.FromSlash(path))
		if old, err := os.ReadFile(dst); err == nil && bytes.Equal(old, b) {
			return nil
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o640)
	})
}

// wireIndex opens the docs index in the data folder and brings it up to date
// with the sources.
func wireIndex(ctx context.Context, a *app) (*docsindex.Index, docsindex.Stats, error) {
	srcs, err := wireSources(a)
	if err != nil {
		return nil, docsindex.Stats{}, err
	}
	ix, err := docsindex.Open(filepath.Join(a.cfg.DataDir, "index"), a.log)
	if err != nil {
		return nil, docsindex.Stats{}, fmt.Errorf("open docs index: %w", err)
	}
	stats, warnings, err := ix.Update(ctx, srcs)
	for _, w := range warnings {
		a.log.Warn("docs skipped", "file", w.Path, "reason", w.Reason)
	}
	if err != nil {
		return nil, docsindex.Stats{}, errors.Join(fmt.Errorf("index docs: %w", err), ix.Close())
	}
	return ix, stats, nil
}

// wireKnowledge builds the answer service over the index.
func wireKnowledge(a *app, ix *docsindex.Index) *knowledge.Service {
	return knowledge.New(ix, knowledge.Config{MinConfidence: a.cfg.Knowledge.MinConfidence}, a.log)
}

// wireTriage builds triage and teaches it the labels humans gave resolved
// inquiries, most recent first.
func wireTriage(ctx context.Context, a *app, st *store.Store) (*triage.Service, error) {
	tr, err := triage.New(a.cfg.Triage, nil, a.log)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return tr, nil
	}
	start := time.Now()
	labelled, err := st.Labelled(ctx, 5000)
	if err != nil {
		return nil, fmt.Errorf("load labelled inquiries: %w", err)
	}
	for i := len(labelled) - 1; i >= 0; i-- {
		inq := labelled[i]
		if err := tr.Learn(ctx, koban.Question{Text: inq.Text, Lang: inq.Lang}, inq.Final, inq.Domain); err != nil {
			// One odd label must not keep koban from starting.
			a.log.Warn("skip label", "inquiry_id", inq.ID, "err", err)
		}
	}
	a.log.Info("triage learned past labels", "inquiries", len(labelled), "took", time.Since(start).Round(time.Millisecond))
	return tr, nil
}
