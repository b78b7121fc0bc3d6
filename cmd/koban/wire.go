package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/kobanhq/koban"
	docsindex "github.com/kobanhq/koban/docs-index"
	"github.com/kobanhq/koban/knowledge"
	"github.com/kobanhq/koban/llm/openai"
	"github.com/kobanhq/koban/redact"
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

// wireIndex opens the docs index in the data folder and brings it up to date
// with the sources (the sample docs when none are configured). The
// refresher it returns keeps it so.
func wireIndex(ctx context.Context, a *app) (*docsindex.Index, *docsindex.Refresher, docsindex.Stats, error) {
	srcs, err := docSources(a.cfg)
	if err != nil {
		return nil, nil, docsindex.Stats{}, err
	}
	ix, err := openIndex(a.cfg, a.log)
	if err != nil {
		return nil, nil, docsindex.Stats{}, fmt.Errorf("open docs index: %w", err)
	}
	ref := &docsindex.Refresher{Index: ix, Sources: srcs, Every: a.cfg.DocsRefresh, Log: a.log}
	syncGitDocs(ctx, gitDocs(a.cfg), a.log)
	stats, err := ref.RunOnce(ctx)
	if errors.Is(err, docsindex.ErrSourceEmptied) {
		// A docs volume not mounted yet, or a sync half way: serve the
		// docs indexed before rather than none.
		a.log.Warn("docs not refreshed at start", "err", err)
		stats, err = ix.Stats(), nil
	}
	if err != nil {
		return nil, nil, docsindex.Stats{}, errors.Join(fmt.Errorf("index docs: %w", err), ix.Close())
	}
	return ix, ref, stats, nil
}

// wireLLM returns the configured LLM client, or nil when no model is set.
func wireLLM(a *app, red *redact.Redactor) (*openai.Client, error) {
	c := a.cfg.LLM
	if c.MaxAnswerChars < 0 {
		return nil, koban.Errorf(koban.EInvalid, "llm: max answer chars must not be negative")
	}
	cl, err := openai.New(openai.Config{BaseURL: c.BaseURL, APIKey: c.APIKey, Model: c.Model, EmbeddingModel: c.EmbeddingModel,
		Timeout: c.Timeout, Azure: c.Azure, APIVersion: c.APIVersion}, red, a.log)
	if err != nil {
		return nil, fmt.Errorf("llm: %w", err)
	}
	return cl, nil
}

// wireAnswerer builds the answer service over the index: BM25, fused with
// section embeddings when hybrid is set, and answers written by the LLM when
// grounded is set. close releases the embeddings cache; docsChanged, to be
// called when the docs change, embeds their new sections (nil without
// embeddings).
func wireAnswerer(ctx context.Context, a *app, ix *docsindex.Index, cl *openai.Client, hybrid, grounded bool) (ans knowledge.Answerer, close func() error, docsChanged func(context.Context, docsindex.Stats), err error) {
	var s knowledge.Searcher = ix
	close = func() error { return nil }
	if hybrid && cl.EmbeddingModel() != "" {
		hy, err := knowledge.NewHybrid(ix, ix, cl, filepath.Join(a.cfg.DataDir, "embeddings"), a.log)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("hybrid retrieval: %w", err)
		}
		sync := func(ctx context.Context, _ docsindex.Stats) {
			start := time.Now()
			n, err := hy.Sync(ctx)
			if err != nil {
				// BM25 alone still answers: the rest is embedded at the
				// next change or start.
				a.log.Warn("embed sections", "embedded", n, "err", err)
				return
			}
			a.log.Info("sections embedded", "new", n, "took", time.Since(start).Round(time.Millisecond))
		}
		sync(ctx, docsindex.Stats{})
		s, close, docsChanged = hy, hy.Close, sync
	}
	glossary, err := loadGlossary(a.cfg.Knowledge.Glossary)
	if err != nil {
		close()
		return nil, nil, nil, err
	}
	svc := knowledge.New(s, knowledge.Config{MinConfidence: a.cfg.Knowledge.MinConfidence, Glossary: glossary}, a.log)
	if grounded && cl.Model() != "" {
		// A command or YAML the model rewrote is not what the docs say:
		// such an answer gives way to the extract, which quotes code as is.
		written := knowledge.WithLLM(svc, cl, knowledge.GroundedConfig{Pages: ix, MaxChars: a.cfg.LLM.MaxAnswerChars, Log: a.log})
		extract := knowledge.WithLLM(svc, nil, knowledge.GroundedConfig{Pages: ix, MaxChars: a.cfg.LLM.MaxAnswerChars, Log: a.log})
		return knowledge.WithCodeCheck(written, extract, ix, a.log), close, docsChanged, nil
	}
	return svc, close, docsChanged, nil
}

// wireClassifier returns the LLM's triage signal, or nil without a chat model.
func wireClassifier(a *app, cl *openai.Client) triage.LLMClassifier {
	if c := triage.NewClassifier(cl, domainsOf(a), a.log); c != nil {
		return c // a typed nil would look like a classifier to triage
	}
	return nil
}

// wireTriage builds triage and teaches it the labels humans gave resolved
// inquiries, most recent first; ret (optional) recovers their retrieval
// evidence.
func wireTriage(ctx context.Context, a *app, st *store.Store, cls triage.LLMClassifier, ret triage.Retriever) (*triage.Service, error) {
	tr, err := triage.New(a.cfg.Triage, cls, a.log)
	if err != nil {
		return nil, err
	}
	if st == nil {
		if ret != nil {
			tr.SetRetriever(ret)
		}
		return tr, nil
	}
	start := time.Now()
	labelled, err := st.Labelled(ctx, 5000)
	if err != nil {
		return nil, fmt.Errorf("load labelled inquiries: %w", err)
	}
	for i := len(labelled) - 1; i >= 0; i-- {
		inq := labelled[i]
		q := koban.Question{Text: inq.Text, Lang: inq.Lang}
		var ans koban.Answer
		if ret != nil && i < startupRetrievals {
			// Retrieval takes some milliseconds a question: only the most
			// recent labels, those the model weighs, get their evidence.
			if ans, err = ret.Answer(ctx, q); err != nil {
				ans = koban.Answer{}
			}
		}
		if err := tr.LearnAnswer(ctx, q, ans, inq.Final, inq.Domain); err != nil {
			// One odd label must not keep koban from starting.
			a.log.Warn("skip label", "inquiry_id", inq.ID, "err", err)
		}
	}
	a.log.Info("triage learned past labels", "inquiries", len(labelled), "took", time.Since(start).Round(time.Millisecond))
	if ret != nil {
		tr.SetRetriever(ret)
	}
	return tr, nil
}

// startupRetrievals is how many of the most recent labels triage learns at
// start with their retrieval evidence; older ones teach it by their words.
const startupRetrievals = 300

// loadGlossary returns koban's Japanese to English glossary with the terms
// of the file at path added, or koban's alone when path is empty.
func loadGlossary(path string) (*knowledge.Glossary, error) {
	g := knowledge.DefaultGlossary()
	if path == "" {
		return g, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, koban.Errorf(koban.EInvalid, "knowledge.glossary (KOBAN_GLOSSARY): %v", err)
	}
	defer f.Close()
	extra, err := knowledge.ParseGlossary(g.From, g.To, f)
	if err != nil {
		return nil, fmt.Errorf("knowledge.glossary %s: %w", path, err)
	}
	return g.Merge(extra), nil
}
