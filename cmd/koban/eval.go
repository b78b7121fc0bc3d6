package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"time"

	"github.com/kobanhq/koban"
	docsindex "github.com/kobanhq/koban/docs-index"
	"github.com/kobanhq/koban/eval"
	"github.com/kobanhq/koban/llm/openai"
	"github.com/kobanhq/koban/triage"
)

// evalFlags declares the flags of koban eval and returns what runs it.
// koban eval measures retrieval and triage on labelled cases.
func evalFlags(fs *flag.FlagSet, a *app) runner {
	var o evalOptions
	fs.StringVar(&o.docs, "docs", "", "docs folder with one folder per language (DIR/en, DIR/ja); required")
	fs.StringVar(&o.cases, "cases", "", "cases file, JSON Lines (see eval/testdata/hoshi.jsonl); required")
	fs.BoolVar(&o.json, "json", false, "print one JSON object on stdout instead of text")
	fs.BoolVar(&o.online, "online", false, "also triage online: predict each case, then learn its label")
	fs.BoolVar(&o.noTriage, "no-triage", false, "evaluate retrieval only")
	fs.StringVar(&o.index, "index", "", "index folder, reused between runs (default DATA_DIR/eval-index/<hash of --docs>)")
	fs.BoolVar(&o.verbose, "v", false, "list the cases whose relevant pages were not retrieved")
	fs.BoolVar(&o.llm, "llm", false, "answer through the configured LLM (KOBAN_LLM_*) and add its triage signal")
	fs.BoolVar(&o.hybrid, "hybrid", false, "fuse BM25 with section embeddings (KOBAN_LLM_EMBEDDING_MODEL), cached in DATA_DIR/embeddings")
	fs.StringVar(&o.out, "out", "", "also write one JSON line per case (pages, rank, prediction, decision, inquiry) to this file")
	fs.StringVar(&o.saveModel, "save-model", "", "write the triage model to this file after the run (with --online: fitted to every case's label), for triage.model_file")
	fs.IntVar(&o.cv, "cv", 0, "also report K-fold cross-validated triage, learning only from the other folds' labels (K ≥ 2)")
	return func(ctx context.Context, args []string) error {
		if len(args) > 0 {
			return koban.Errorf(koban.EInvalid, "eval takes no arguments, got %q", args)
		}
		return runEval(ctx, a, o)
	}
}

type evalOptions struct {
	docs, cases, index, out         string
	saveModel                       string
	json, online, noTriage, verbose bool
	llm, hybrid                     bool
	cv                              int
}

// langFolder matches the names of language folders: "en", "ja", "pt-br"
// (two letters, so that "how-to" or "api" are not taken for one).
var langFolder = regexp.MustCompile(`^[a-z]{2}([-_][a-zA-Z]{2,4})?$`)

func runEval(ctx context.Context, a *app, o evalOptions) error {
	if o.docs == "" || o.cases == "" {
		return koban.Errorf(koban.EInvalid, "eval needs --docs DIR and --cases FILE")
	}
	cases, err := eval.LoadCases(o.cases)
	if err != nil {
		return err
	}
	docs, err := filepath.Abs(o.docs)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	sources, err := langSources(docs)
	if err != nil {
		return err
	}
	for _, c := range cases {
		if !slices.ContainsFunc(sources, func(s docsindex.Source) bool { return s.Lang == c.Lang }) {
			return koban.Errorf(koban.EInvalid, "case %s has lang %q but %s has no %s/ folder", c.ID, c.Lang, o.docs, c.Lang)
		}
	}

	dir := o.index
	if dir == "" {
		sum := sha256.Sum256([]byte(docs))
		dir = filepath.Join(a.cfg.DataDir, "eval-index", hex.EncodeToString(sum[:8]))
	}
	ix, err := docsindex.Open(dir, a.log)
	if err != nil {
		return err
	}
	defer ix.Close()
	start := time.Now()
	st, warns, err := ix.Update(ctx, sources)
	if err != nil {
		return fmt.Errorf("eval: index %s: %w", o.docs, err)
	}
	took := time.Since(start)
	for _, w := range warns {
		a.log.Debug("docs page skipped", "path", w.Path, "reason", w.Reason)
	}
	a.log.Info("eval index ready", "dir", dir, "pages", st.Documents, "sections", st.Sections, "added", st.Added, "changed", st.Changed, "skipped", st.Skipped, "took", took)

	var cl *openai.Client
	if o.llm || o.hybrid {
		if cl, err = wireLLM(a, nil); err != nil {
			return err
		}
		if o.llm && a.cfg.LLM.Model == "" || o.hybrid && a.cfg.LLM.EmbeddingModel == "" {
			return koban.Errorf(koban.EInvalid, "--llm needs KOBAN_LLM_MODEL and --hybrid needs KOBAN_LLM_EMBEDDING_MODEL")
		}
	}
	answerer, closeAnswerer, _, err := wireAnswerer(ctx, a, ix, cl, o.hybrid, o.llm)
	if err != nil {
		return err
	}
	defer closeAnswerer()
	r := &eval.Runner{Answerer: answerer, Log: a.log}
	var tr *triage.Service
	if !o.noTriage {
		var cls triage.LLMClassifier
		if o.llm {
			cls = wireClassifier(a, cl)
		}
		tr, err = triage.New(a.cfg.Triage, cls, a.log)
		if err != nil {
			return err
		}
		vocab, err := docsVocabulary(ix)
		if err != nil {
			return err
		}
		tr.SetVocabulary(vocab)
		r.Triager = tr
		r.Detector = tr
		if o.online {
			r.Learner = tr
		}
		if o.cv != 0 {
			r.CVFolds = o.cv
			r.NewTriager = func() (eval.FreshTriager, error) {
				t, err := triage.New(a.cfg.Triage, cls, a.log)
				if err == nil {
					t.SetVocabulary(vocab)
				}
				return t, err
			}
		}
	} else if o.online || o.cv != 0 || o.saveModel != "" {
		return koban.Errorf(koban.EInvalid, "--online, --cv and --save-model need triage: drop --no-triage")
	}
	if o.cv == 1 || o.cv < 0 {
		return koban.Errorf(koban.EInvalid, "--cv %d: want at least 2 folds", o.cv)
	}
	rep, err := r.Run(ctx, cases)
	if err != nil {
		return fmt.Errorf("eval %s: %w", o.cases, err)
	}
	rep.Index = &eval.IndexStats{Seconds: took.Seconds(), Documents: st.Documents, Sections: st.Sections}
	a.log.Info("evaluated", "cases", rep.Cases, "retrieval_cases", rep.Retrieval.Evaluated, "recall_at_5", rep.Retrieval.RecallAt5, "ndcg_at_10", rep.Retrieval.NDCGAt10)

	if o.out != "" {
		if err := createFile(o.out, rep.WriteCases); err != nil {
			return err
		}
	}
	if o.saveModel != "" {
		if err := createFile(o.saveModel, tr.SaveModel); err != nil {
			return err
		}
	}
	if o.json {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return rep.WriteText(a.stdout, o.verbose)
}

// langSources lists the language folders of docs as index sources, one per
// language, in name order.
func langSources(docs string) ([]docsindex.Source, error) {
	entries, err := os.ReadDir(docs)
	if errors.Is(err, os.ErrNotExist) {
		return nil, koban.Errorf(koban.EInvalid, "docs folder %s does not exist", docs)
	}
	if err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	var out []docsindex.Source
	for _, e := range entries {
		if e.IsDir() && langFolder.MatchString(e.Name()) {
			out = append(out, docsindex.Source{Path: filepath.Join(docs, e.Name()), Lang: e.Name()})
		}
	}
	if len(out) == 0 {
		return nil, koban.Errorf(koban.EInvalid, "docs folder %s has no language folders: put the pages in %s/en/ (and %s/ja/ …)", docs, docs, docs)
	}
	return out, nil
}

// createFile writes the file name with write, for koban eval's outputs.
func createFile(name string, write func(io.Writer) error) error {
	f, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("eval: write %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("eval: write %s: %w", name, err)
	}
	return nil
}
