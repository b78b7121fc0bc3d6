package knowledge

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/kobanhq/koban"
	docsindex "github.com/kobanhq/koban/docs-index"
	"github.com/kobanhq/koban/eval"
)

// TestEvalSameLanguage measures whether a Japanese question is answered as
// well as an English one: each Japanese page of the Kubernetes docs with an
// English counterpart is a case, its title and first sentence the question
// and the page the answer, in Japanese and, for the same pages, in English.
// It prints for each language the share answered (Known), the share
// answered from the page (first citation), and Recall@1/@5 of the page.
// KOBAN_EVAL=1 runs it, on the index TestEvalRetrieval builds (or the one
// KOBAN_EVAL_K8S_INDEX names, e.g. one koban eval built).
func TestEvalSameLanguage(t *testing.T) {
	if os.Getenv("KOBAN_EVAL") == "" {
		t.Skip("set KOBAN_EVAL=1 to measure same-language answers on ../../shared/corpora/k8s-docs")
	}
	dir := os.Getenv("KOBAN_EVAL_K8S_INDEX")
	if dir == "" {
		base := evalIndexDir()
		dir = filepath.Join(base, "k8s")
	}
	shared, err := filepath.Abs(filepath.Join("..", "..", "shared", "corpora", "k8s-docs"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("corpus not found at %s: %v", shared, err)
	}
	ix, err := docsindex.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if _, _, err := ix.Update(context.Background(), []docsindex.Source{
		{Path: filepath.Join(shared, "en"), Lang: "en"}, {Path: filepath.Join(shared, "ja"), Lang: "ja"},
	}); err != nil {
		t.Fatal(err)
	}
	sections, err := ix.Sections()
	if err != nil {
		t.Fatal(err)
	}
	first := map[string]docsindex.Section{} // lang + path → first section
	for _, s := range sections {
		k := s.Lang + ":" + s.Path
		if _, ok := first[k]; !ok || s.ID < first[k].ID {
			first[k] = s
		}
	}
	var paths []string
	for k, s := range first {
		if s.Lang == "ja" {
			if _, ok := first["en:"+s.Path]; ok && firstSentence(s.Text) != "" && firstSentence(first["en:"+s.Path].Text) != "" {
				paths = append(paths, s.Path)
			}
		}
		_ = k
	}
	if len(paths) < 100 {
		t.Fatalf("%d Japanese pages with an English counterpart, want over 100", len(paths))
	}
	svc := New(ix, Config{}, nil)
	// A second kind of question asks about one section by its heading, as
	// "オンコールが対応しないことは何ですか？" asks for the section
	// "オンコールが対応しないこと": the second section of each page, in
	// each language.
	second := map[string]docsindex.Section{}
	for _, s := range sections {
		k := s.Lang + ":" + s.Path
		if s.Heading == "" || s.Heading == s.Title || s.ID == first[k].ID {
			continue
		}
		if cur, ok := second[k]; !ok || s.ID < cur.ID {
			second[k] = s
		}
	}
	for _, lang := range []string{"ja", "en"} {
		var known, fromSection, n float64
		for _, p := range paths {
			s, ok := second[lang+":"+p]
			if !ok {
				continue
			}
			if _, ok := second[map[string]string{"ja": "en", "en": "ja"}[lang]+":"+p]; !ok {
				continue
			}
			q := "What is " + s.Heading + "?"
			if lang == "ja" {
				q = s.Heading + "とは何ですか？"
			}
			ans, err := svc.Answer(context.Background(), koban.Question{Text: q, Lang: lang})
			if koban.ErrorCode(err) == koban.EInvalid {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			n++
			if ans.Known {
				known++
				for _, c := range ans.Citations {
					if c.Path == p && c.Lang == lang && c.Anchor == s.Anchor {
						fromSection++
						break
					}
				}
			}
		}
		t.Logf("%s, by heading: %.0f questions; answered %.3f, answered citing the section %.3f", lang, n, known/n, fromSection/n)
	}
	for _, lang := range []string{"ja", "en"} {
		var known, fromPage, r1, r5 float64
		for _, p := range paths {
			s := first[lang+":"+p]
			sep := ". "
			if lang == "ja" {
				sep = "。"
			}
			ans, err := svc.Answer(context.Background(), koban.Question{Text: s.Title + sep + firstSentence(s.Text), Lang: lang})
			if koban.ErrorCode(err) == koban.EInvalid {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, pg := range ans.Pages {
				if pg.Lang == lang {
					got = append(got, pg.Path)
				}
			}
			r1 += eval.ScoreRanking([]string{p}, got).Recall[0]
			r5 += eval.ScoreRanking([]string{p}, got).Recall[1]
			if ans.Known {
				known++
				if len(ans.Citations) > 0 && ans.Citations[0].Path == p && ans.Citations[0].Lang == lang {
					fromPage++
				}
			}
		}
		n := float64(len(paths))
		t.Logf("%s: %d questions; answered %.3f, answered from the page %.3f; Recall@1 %.3f, Recall@5 %.3f", lang, len(paths), known/n, fromPage/n, r1/n, r5/n)
	}
}
