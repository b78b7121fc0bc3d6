package docsindex

import (
	"strings"
	stdunicode "unicode"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/shingle"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/ikawaha/kagome/v2/tokenizer"

	"github.com/kobanhq/koban/internal/textproc"
)

// Japanese analysis. Two analyzers were compared on the Japanese evaluation
// cases (k8s-docs/ja): bleve's built-in cjk bigram analyzer and kagome (IPA
// dictionary) morphological analysis wrapped as a bleve tokenizer. Kagome
// ranked better (Recall@5 0.75 and nDCG@10 0.81 against 0.75 and 0.51 for
// cjk; only two labelled cases, so a weak signal) at the cost of ~2 s to load
// its dictionary and ~130 MB of heap. jaAnalyzer names the one the index
// uses; WithJapaneseAnalyzer selects the other for measurement.
const (
	analyzerCJK    = cjk.AnalyzerName
	analyzerKagome = "koban_ja_kagome"
	kagomeName     = "koban_kagome"

	jaAnalyzer = analyzerKagome
)

func init() {
	// Registration is how bleve finds tokenizers by name (its own
	// analyzers register the same way).
	if err := registry.RegisterTokenizer(kagomeName, func(map[string]any, *registry.Cache) (analysis.Tokenizer, error) {
		t, err := textproc.Kagome()
		if err != nil {
			return nil, err
		}
		return &kagomeTok{t: t}, nil
	}); err != nil {
		panic(err)
	}
}

// registerJA adds the chosen Japanese analyzer to m.
func registerJA(m *mapping.IndexMappingImpl, name string) error {
	if err := m.AddCustomTokenFilter(pairFilter, map[string]any{
		"type": shingle.Name, "min": 2.0, "max": 2.0, "output_original": false, "separator": " ", "filler": "",
	}); err != nil {
		return err
	}
	for _, a := range []struct{ name, tok string }{{phraseEN, unicode.Name}, {phraseJA, kagomeName}} {
		if err := m.AddCustomAnalyzer(a.name, map[string]any{
			"type":          custom.Name,
			"tokenizer":     a.tok,
			"token_filters": []any{cjk.WidthName, lowercase.Name, en.PossessiveName, en.SnowballStemmerName, pairFilter},
		}); err != nil {
			return err
		}
	}
	if name != analyzerKagome {
		return nil
	}
	return m.AddCustomAnalyzer(analyzerKagome, map[string]any{
		"type":          custom.Name,
		"tokenizer":     kagomeName,
		"token_filters": []any{cjk.WidthName, lowercase.Name, en.SnowballStemmerName},
	})
}

// Word-pair (shingle) analysis: a pair of adjacent words in the question
// that also stands together in a section is evidence of proximity that
// single-word BM25 does not see.
const (
	pairFilter = "koban_pairs"
	phraseEN   = "koban_phrase_en"
	phraseJA   = "koban_phrase_ja"
)

func phraseAnalyzer(lang, ja string) string {
	if lang == "ja" && ja == analyzerKagome {
		return phraseJA
	}
	return phraseEN
}

// kagomeTok is a bleve tokenizer over kagome's search mode, which also splits
// long compounds. Particles, auxiliary verbs and symbols are dropped: they
// carry no meaning for search.
type kagomeTok struct{ t *tokenizer.Tokenizer }

func (k *kagomeTok) Tokenize(input []byte) analysis.TokenStream {
	toks := k.t.Analyze(string(input), tokenizer.Search)
	out := make(analysis.TokenStream, 0, len(toks))
	pos := 0
	for _, t := range toks {
		s := t.Surface
		if strings.TrimFunc(s, func(r rune) bool { return stdunicode.IsSpace(r) || stdunicode.IsPunct(r) || stdunicode.IsSymbol(r) }) == "" {
			continue
		}
		if p := t.POS(); len(p) > 0 {
			switch p[0] {
			case "助詞", "助動詞", "記号":
				continue
			}
		}
		pos++
		typ := analysis.Ideographic
		if isASCII(s) {
			typ = analysis.AlphaNumeric
		}
		out = append(out, &analysis.Token{
			Term:     []byte(s),
			Start:    t.Position,
			End:      t.Position + len(s),
			Position: pos,
			Type:     typ,
		})
	}
	return out
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// WordBoundaries returns the byte offsets at which the words of text start
// and end, as kagome's search mode splits Japanese (particles and symbols
// included), so that a caller matching terms inside unspaced Japanese can
// tell ポート in ポート番号 from ポート in レポート. It returns nil when the
// dictionary cannot be loaded.
func WordBoundaries(text string) map[int]bool {
	t, err := textproc.Kagome()
	if err != nil {
		return nil
	}
	b := map[int]bool{0: true, len(text): true}
	for _, tok := range t.Analyze(text, tokenizer.Search) {
		b[tok.Position] = true
		b[tok.Position+len(tok.Surface)] = true
	}
	return b
}
