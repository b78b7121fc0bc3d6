// Package knowledge answers questions from the platform docs: it retrieves
// sections through a Searcher (the docs index), collapses them to pages,
// composes an answer with citations (extractive, or written by a language
// model through the ChatModel interface that the client in llm/openai
// satisfies, when one is configured) and says how confident it is. Below
// the confidence threshold it answers "I don't know" and leaves escalation
// to the caller. AnswerFrom composes the answer from a page of the ranked
// list that the caller names (the procedure page triage found for a
// request), quoting that page alone.
//
// Loading and indexing the docs is left to package docsindex; deciding what
// to do with an inquiry (answer or escalate, category, domain) to package
// triage.
package knowledge

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/kobanhq/koban"
	docsindex "github.com/kobanhq/koban/docs-index"
	"github.com/kobanhq/koban/internal/textproc"
)

// Searcher ranks docs sections for a query. *docsindex.Index satisfies it.
type Searcher interface {
	Search(ctx context.Context, q docsindex.Query) ([]docsindex.Hit, error)
}

// Config tunes retrieval and answers. Zero values take the defaults.
type Config struct {
	// MinConfidence is the confidence below which Answer sets Known=false.
	MinConfidence float64
	// Candidates is how many sections, and how many pages, are retrieved
	// before they are collapsed to pages (default 300 each: the priors
	// lift pages from below the first hundred by BM25).
	Candidates int
	// MaxPages is how many ranked pages Answer.Pages holds (default 10).
	MaxPages int
	// MaxCitations is how many passages the answer quotes (default 3).
	MaxCitations int
	// Sections reads every section of a page, so that the answer quotes
	// the one that answers; nil takes the Searcher when it is a
	// SectionReader, and otherwise answers from the sections retrieved.
	Sections SectionReader
	// Glossary carries a question's words into the docs of another
	// language when its own language has no docs, or next to nothing on
	// the question (default DefaultGlossary: Japanese questions, English
	// docs).
	Glossary *Glossary
}

// crossLangMargin is how much more confident an answer from pages in
// another language must be to replace one from pages in the asker's: a page
// in their language is preferred when it answers.
const crossLangMargin = 0.15

// crossLangWeak is the confidence below which an answer from pages in the
// asker's language is weak enough to look in the other language's docs.
const crossLangWeak = 0.6

// DefaultMinConfidence is the confidence threshold when Config leaves it zero.
const DefaultMinConfidence = 0.35

func (c Config) withDefaults() Config {
	if c.Candidates <= 0 {
		c.Candidates = 300
	}
	if c.MaxPages <= 0 {
		c.MaxPages = 10
	}
	if c.MaxCitations <= 0 {
		c.MaxCitations = 3
	}
	if c.Glossary == nil {
		c.Glossary = DefaultGlossary()
	}
	return c
}

// Service answers questions from the docs index.
type Service struct {
	s     Searcher
	pages SectionReader
	cfg   Config
	log   *slog.Logger
	now   func() time.Time
}

// New returns a Service that retrieves through s.
func New(s Searcher, cfg Config, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	svc := &Service{s: s, pages: cfg.Sections, cfg: cfg.withDefaults(), log: log, now: time.Now}
	if svc.pages == nil {
		svc.pages, _ = s.(SectionReader)
	}
	return svc
}

// MaxQuestionChars is how much of a question is read; the rest of a pasted
// log or document adds nothing a search can use and slows it down.
const MaxQuestionChars = 4000

// Answer retrieves the docs sections most relevant to q and composes an
// extractive answer with citations. An empty question, or one without
// searchable words, is a koban.EInvalid error; an index that cannot be
// searched is returned as is (wrapped).
func (s *Service) Answer(ctx context.Context, q koban.Question) (koban.Answer, error) {
	return s.answer(ctx, q, "")
}

// answer is Answer, composed from the ranked page whose Path is from when
// from is not empty (see AnswerFrom).
func (s *Service) answer(ctx context.Context, q koban.Question, from string) (koban.Answer, error) {
	start := s.now()
	text := strings.TrimSpace(q.Text)
	if text == "" {
		return koban.Answer{}, koban.Errorf(koban.EInvalid, "the question is empty: write what you want to know, e.g. \"how do I request a database?\"")
	}
	lang := q.Lang
	if lang == "" {
		lang = docsindex.DetectLang(text)
	}
	query := CleanQuery(text)
	terms := queryTerms(query)
	if len(terms) == 0 {
		return koban.Answer{}, koban.Errorf(koban.EInvalid, "the question has no words to search the docs for: ask in a sentence, e.g. \"how do I rotate a secret?\"")
	}
	// A short follow-up in a thread ("which sizes can I pick?") is
	// searched with the thread's question and koban's answer.
	thread := threadContext(q.Context)
	if len(thread) > 0 && len(terms) <= maxFollowUpTerms {
		query = withContext(query, thread)
	}
	s.log.Debug("retrieving", "question", text, "query", query, "lang", lang)

	min := s.cfg.MinConfidence
	if min == 0 {
		min = DefaultMinConfidence
	}
	// Search the docs in the question's language first; a team whose
	// docs are in one language still gets answers to questions in another.
	r, err := s.retrieve(ctx, text, query, lang, q.Lang == "")
	if err != nil {
		return koban.Answer{}, fmt.Errorf("answer: %w", err)
	}
	// Carry the question's words across to the docs in the glossary's
	// other language too. Pages in the asker's language that answer stay:
	// the other language's answer must be clearly more confident
	// (crossLangMargin). Without docs in the asker's language, both
	// searches found pages in the other one, and the better answer wins.
	inLang := len(r.pages) > 0 && r.pages[0].best.Lang == lang
	carriedText := "" // the question's own words in the docs' language, when the answer is from the glossary's other language
	if g := s.cfg.Glossary; g != nil && lang == g.From && (!inLang || r.confidence < crossLangWeak) {
		if tq := g.Translate(query); len(queryTerms(tq)) > 0 {
			tr, err := s.retrieve(ctx, text, tq, g.To, false)
			if err != nil {
				return koban.Answer{}, fmt.Errorf("answer: %w", err)
			}
			s.log.Debug("searched across languages", "query", tq, "lang", g.To, "confidence", tr.confidence)
			if tr.confidence >= min && (inLang && tr.confidence > r.confidence+crossLangMargin || !inLang && tr.confidence > r.confidence) {
				r = tr
				carriedText = carried(g, text)
			}
		}
	}
	ans := koban.Answer{Lang: lang}
	pages, quotes, err := s.ledBy(r.pages, from)
	if err != nil {
		return koban.Answer{}, fmt.Errorf("answer: %w", err)
	}
	for i, p := range pages {
		if i == s.cfg.MaxPages {
			break
		}
		ans.Pages = append(ans.Pages, citation(p.lead(), p.score, ""))
	}
	ans.Confidence = r.confidence
	ans.Known = len(r.pages) > 0 && ans.Confidence >= min
	if len(r.pages) > 0 {
		// Below the threshold the answer is not shown, but its sections
		// are what the pages suggested while escalating point at.
		a := askOf(text, r.query, threadPick(q.Context))
		a.carry(carriedText)
		text, cites, listed := s.compose(pages, a, lang, quotes)
		// The first pages are listed with their best section and its
		// glimpse, those the answer quotes with the quoted passage.
		leadWithCited(ans.Pages, listed)
		leadWithCited(ans.Pages, cites)
		if ans.Known {
			ans.Text, ans.Citations = text, cites
			// Pages without text to quote (headings only) answer nothing.
			ans.Known = text != ""
		}
	}
	ans.Took = s.now().Sub(start)
	s.log.Debug("answered", "pages", len(ans.Pages), "known", ans.Known, "confidence", ans.Confidence, "took", ans.Took)
	return ans, nil
}

// retrieval is what one search of the docs found for a question.
type retrieval struct {
	pages      []*page
	query      string   // the searched text
	terms      []string // the searched words, for confidence and passages
	confidence float64
}

// retrieve searches the docs in lang for query (the question's search text)
// and ranks the pages. With anyLang, a search in lang that finds nothing is
// repeated over every language.
//
// Pseudo-relevance feedback (RM3, TestTuneFeedbackCV: the words of the best
// 3, 5 or 10 pages' matched sections, weighted by their share of each page's
// words times the page's share of the pages' scores times their idf, the
// best 5, 10 or 20 searched in the prose and name fields, their field scores
// added with weight 0.1 to 0.5) was not adopted. Against Kubernetes, BC Gov,
// MoJ Recall@5 / nDCG@10 0.875 / 0.781, 0.889 / 0.792, 0.833 / 0.833, words
// the question lacks gave Kubernetes 0.792 to 0.875 / 0.737 to 0.781 (best 3
// pages, 5 words, 0.1: 0.847 / 0.781) and BC Gov nDCG@10 0.696 to 0.792, MoJ
// unchanged: the words chosen follow the first pages wherever they are off
// the question's subject, and include words of no subject ("shell", a code
// block's language, among the most common). Re-weighing the question's own
// words the best pages use instead gave Kubernetes at best 0.861 / 0.788 (5
// pages, 20 words, 0.3) and BC Gov up to 0.889 / 0.807, but on the grid
// without the rule below pooled 5-fold cross-validation chose no feedback on
// four folds of five: Kubernetes 0.847 / 0.779 (chosen on the other two
// sets, 0.847 / 0.755), the others unchanged. Keeping only words that two or
// more of the pages share gave at best Kubernetes 0.875 / 0.784 and BC Gov
// 0.889 / 0.807 (the question's own words, 5 pages, 20 words, 0.5), but in a
// grid that large the folds' choices do not carry: pooled 5-fold
// cross-validated Kubernetes 0.847 / 0.750, BC Gov 0.889 / 0.792; chosen on
// two sets and scored on the third, Kubernetes 0.847 / 0.771, BC Gov 0.889 /
// 0.807, MoJ 0.833 / 0.833 throughout. Through koban eval that setting gave
// Kubernetes 0.861 / 0.773 (a Japanese-docs case whose lower confidence sent
// it to the English docs), BC Gov 0.889 / 0.807, MoJ 0.833 / 0.833 with
// triage macro-F1 0.409 → 0.242 (the added scores move confidence), and the
// second search took Answer's p99 latency on the Kubernetes docs from 27 to
// 95 ms on a loaded machine (p50 6 → 17 ms), above the 50 ms budget.
//
// Weighing a question's words by where they stand, its search text with a
// part of it repeated (TestTuneEmphasisCV), was not adopted either: its
// first sentence (an issue's title) once or twice more gave Kubernetes
// 0.875 / 0.765 and 0.875 / 0.749 and BC Gov 0.889 / 0.792 and 0.889 /
// 0.848; its first two sentences, 0.847 / 0.758 and 0.847 / 0.747, BC Gov
// up to 0.889 / 0.833; its prose outside inline code, 0.847 / 0.770 and
// 0.847 / 0.753; its inline code (pasted commands and errors), 0.861 /
// 0.769 and 0.833 / 0.756; MoJ unchanged throughout. Pooled 5-fold
// cross-validation chose none of them on every fold; chosen on BC Gov and
// MoJ, the title twice more gave Kubernetes 0.875 / 0.749.
//
// Nor are the other spellings the docs give a question's words searched,
// measured the same way with a prototype that was then removed: the long
// forms of the acronyms the docs define ("Long Form (LF)" or the other way
// round: 104, 42 and 32 in the Kubernetes, BC Gov and MoJ docs, though only
// six of the 87 questions with relevant pages write one) and adjacent words
// joined into a camel-case name the docs write twice or more. At weight
// 0.1 to 1 acronyms gave Kubernetes 0.875 / 0.781 down to 0.861 / 0.769,
// joined words 0.875 / 0.779 down to 0.875 / 0.764, the other sets
// unchanged; pooled 5-fold cross-validation chose neither on three folds
// (Kubernetes 0.875 / 0.768), leaving a set out chose neither for every
// set. Indexing camel-case words' parts as well, as Lucene's word-delimiter
// filter does, gave Kubernetes 0.819 / 0.774 and BC Gov 0.889 / 0.744.
func (s *Service) retrieve(ctx context.Context, question, query, lang string, anyLang bool) (retrieval, error) {
	hits, err := s.s.Search(ctx, docsindex.Query{Text: query, Lang: lang, Size: s.cfg.Candidates, Weights: defaultRanking.weights})
	if err == nil && len(hits) == 0 && anyLang {
		hits, err = s.s.Search(ctx, docsindex.Query{Text: query, Size: s.cfg.Candidates, Weights: defaultRanking.weights})
	}
	if err != nil {
		return retrieval{}, err
	}
	terms := queryTerms(query)
	sig := signalsOf(question, query)
	sig.idf = nameIDF(s.s, lang, hits)
	pages := defaultRanking.rankPages(hits, sig)
	return retrieval{pages: pages, query: query, terms: terms, confidence: confidence(pages, terms)}, nil
}

// page is the retrieval evidence for one docs page.
type page struct {
	best     *docsindex.Hit   // its best section
	sections []*docsindex.Hit // its sections among the hits, best first
	score    float64
}

// lead is the section that best answers within the page: the one whose own
// text (rather than its page's title or path) matches the question most.
func (p *page) lead() docsindex.Hit {
	best, bestScore := p.best, -1.0
	for _, h := range p.sections {
		sc := h.Fields[docsindex.FieldBody] + h.Fields[docsindex.FieldHeadings] + h.Fields[docsindex.FieldPhrase]
		if sc > bestScore {
			best, bestScore = h, sc
		}
	}
	return *best
}

// ranking holds the parameters of page ranking, measured on the
// evaluation sets with TestTuneRanking and TestEvalRetrieval (eval_test.go).
// What moved the Kubernetes dev figures (Recall@5 / nDCG@10), from one BM25
// query over all fields at 0.60 / 0.57: page-level documents and tuned
// per-field weights 0.68 / 0.63; title word coverage 0.75 / 0.67; quadrant
// and length priors 0.81 / 0.70; word-pair (proximity) fields, retuned,
// 0.81 / 0.71. An in-link prior (linkPrior) and repeating the first
// sentence of the question were measured and did not help. With the index
// merged to one segment (deterministic BM25 statistics, lower than the
// per-segment sums they were tuned on) and one pass summing the fields, the
// same parameters gave 0.75 / 0.68; 300 candidates of each kind instead of
// 100 and the section's prose as evidence (docsindex.FieldBody, weight 1)
// give 0.81 / 0.70 again. The words inside identifiers in the query
// (identifierParts) 0.81 / 0.73; pages the question links to (linked)
// 0.81 / 0.74. Splitting identifiers in the index as well (a token filter
// adding their words) gave 0.81 / 0.72, and BC Gov nDCG@10 0.77 against
// 0.78: the docs' own identifiers are better matched whole. Pseudo-relevance feedback (the top pages' titles or
// headings added to the query) was measured and lowered both, as it
// tends to on long questions. bleve takes a field's average length for BM25
// as its term dictionary's size over the document count, far below the
// true average, so long sections and pages are normalised hard (and
// lengthPrior gives some of it back); the true average length per field and
// kind of document, read from the postings' norms and retuned with
// TestTuneRanking, gave 0.81 / 0.71 (BC Gov 0.89 / 0.76), and was dropped.
// On the docs index's own BM25 (0.82 / 0.76), page names weighted by idf
// and counted apart from the length prior (nameScale) give 0.85 / 0.78.
type ranking struct {
	// weights combine the per-field scores (docsindex.Field* keys).
	weights map[string]float64
	// extraSection is the weight of a page's next best sections (its
	// best section's score and its page's are the page's score): a page
	// that matches in several places might be more likely the page than
	// one lucky section. It is 0, the page scored by its best section:
	// TestTuneSectionsCV tried 0.05 to 0.5 over the next 1, 2, 4 or 8
	// sections, or over the next 8 damped geometrically (× 0.5 or 0.7 each),
	// against Kubernetes, BC Gov, MoJ Recall@5 / nDCG@10 0.875 / 0.781,
	// 0.889 / 0.792, 0.833 / 0.833. None was better on any set: Kubernetes
	// 0.819 to 0.875 / 0.761 to 0.771, BC Gov nDCG@10 0.729 to 0.792, MoJ
	// unchanged. Pooled 5-fold cross-validation chose 0 on four folds
	// (Kubernetes 0.875 / 0.771), leaving a set out chose 0 on all three.
	// (Presumably long reference and concept pages match a long question
	// in many sections, and the page that answers in one.)
	extraSection float64
	// extraSections is how many of a page's next best sections count
	// with extraSection (0 means 2); extraDecay, when not 0, weighs the
	// i-th of them (from 0) extraSection × extraDecay^i instead.
	extraSections int
	extraDecay    float64
	// intentBoost multiplies the score of pages in the quadrant the
	// question asks for.
	intentBoost float64
	// titleCover gives a page's title factor 1 + titleCover × the share
	// of its title's words the question contains: people name the page
	// they are looking for ("pull an image from a private registry"). The
	// words are weighted by their idf in the docs (nameCover): a title
	// that shares only a word most pages use ("project", "example") names
	// little. With titleCover 0.5, pathCover 2 and the name multiplied
	// with the length prior (s × L × N, see nameScale), weighting moved the
	// koban eval figures by one case or less (Kubernetes nDCG@10 0.760 →
	// 0.757, BC Gov 0.753 → 0.758), and TestTuneRankingCV's 5-fold
	// cross-validated Kubernetes nDCG@10 from 0.751 to 0.772 (Recall@5
	// 0.819 both; BC Gov 0.752 → 0.750, MoJ unchanged).
	titleCover float64
	// pathCover does the same for the words of the page's file name.
	pathCover float64
	// quadrantPrior multiplies the score of pages by quadrant: in the
	// evaluation sets reference pages are 69% of the corpus but 17% of the
	// pages that answer questions (generated command and API references
	// match many words and answer few questions). Explanation pages are
	// discounted less: a concept page on a subject shares the words of the
	// task page on it, and people asking for help mostly want the task.
	// Explanation 0.6 was chosen from 0.5 to 1 by pooled 5-fold
	// cross-validation over the three sets (every fold chose it): Kubernetes
	// Recall@5 / nDCG@10 0.792 / 0.720 → cross-validated 0.819 / 0.755, BC Gov
	// and MoJ unchanged (koban eval, Kubernetes Recall@1 0.51 → 0.58). Only
	// the Kubernetes set moves with it: chosen on the other two sets, the
	// value is 1, so leaving a set out shows no gain.
	quadrantPrior map[koban.Quadrant]float64
	// lengthPrior makes L = (page length in KB)^lengthPrior (see nameScale):
	// pages that answer questions are longer than the median page (20 KB
	// against 2.3 KB on the Kubernetes docs); stubs rarely answer. With
	// the docs index's BM25, 0, 0.1 and 0.2 gave BC Gov nDCG@10 0.78, 0.78
	// and 0.77 against 0.75 at 0.3, and Kubernetes 0.69, 0.71 and 0.71
	// against 0.72 (Recall@5 0.76, 0.78, 0.79 against 0.81); chosen on two
	// sets, the value lowers the third, so 0.3 stays.
	lengthPrior float64
	// linkPrior raises the score by (1 + ln(1 + in-links))^linkPrior: the
	// pages people are pointed to are the ones the docs themselves link to.
	linkPrior float64
	// linked multiplies the score of a page the question links to ("Issue
	// with docs.example.com/tasks/configure-dns/", a pasted docs URL): a
	// question about a page names it. Its words already count through
	// pathCover; a link names the page exactly.
	linked float64
	// nameScale scales the evidence of the page's name apart from the
	// length prior: a page's score is s × (L + nameScale × (N − 1)), where
	// s is its BM25 score with the quadrant and link priors, L its length
	// prior and N its name factor, the product of the title's and the file
	// name's. A page the question names is asked for whatever its length;
	// as the product s × L × N, the name counted for a 20 KB page twice
	// what it counted for a 2 KB one, and short pages that the question
	// names (BC Gov's request pages) fell below long pages that share its
	// common words. titleCover 1, pathCover 0.5 and nameScale 2 were chosen
	// together by TestTuneNameCV (grid: nameScale 1 to 3, titleCover 0.5 or
	// 1, pathCover 0.5 to 2; every pooled fold chose titleCover 1, pathCover
	// 0.5 and nameScale 1.5 or 2). Recall@5 / nDCG@10 against s × L × N
	// with titleCover 0.5 and pathCover 2: koban eval Kubernetes 0.819 /
	// 0.757 → 0.847 / 0.779 (MRR 0.751 → 0.772), BC Gov 0.889 / 0.758 →
	// 0.889 / 0.792 (MRR 0.717 → 0.759), MoJ 0.833 / 0.833 both; pooled
	// 5-fold cross-validated Kubernetes 0.847 / 0.777, BC Gov 0.889 / 0.770,
	// MoJ 0.833 / 0.833; chosen on two sets and scored on the third,
	// Kubernetes 0.847 / 0.743, BC Gov 0.889 / 0.762, MoJ 0.833 / 0.833.
	// Measured on the product s × L × N and not adopted: one cover of the
	// title's and file name's words together (Kubernetes 0.847 / 0.780 and
	// BC Gov 0.778 / 0.752 at 2, 0.819 / 0.768 and 0.889 / 0.758 at 3); a
	// factor for the best section heading the question covers (0.5 to 1:
	// Kubernetes 0.861 / 0.761 to 0.768, BC Gov 0.778 / 0.750 to 0.754);
	// the length prior capped at 2 to 32 KB (Kubernetes nDCG@10 0.70 to
	// 0.74) or taken on the prose without code (no better). With nameScale,
	// the reference and explanation priors cross-validated together (folds
	// chose 0.6 to 1 and 0.6 to 0.8) gave pooled Kubernetes 0.861 / 0.761
	// against 0.847 / 0.774 with the explanation prior alone; both stay.
	nameScale float64
}

var defaultRanking = ranking{
	weights:      docsindex.DefaultWeights,
	extraSection: 0,
	intentBoost:  1.2,
	titleCover:   1,
	pathCover:    0.5,
	quadrantPrior: map[koban.Quadrant]float64{
		koban.Reference:   0.5,
		koban.Explanation: 0.6,
	},
	lengthPrior: 0.3,
	linkPrior:   0,
	linked:      2,
	nameScale:   2,
}

// signals is what page ranking reads from the question besides the hits.
type signals struct {
	intent koban.Quadrant  // the quadrant it asks for, or Unknown
	words  map[string]bool // the words of its search text (see words)
	links  [][]string      // the docs paths it links to (see linkedPaths)
	// idf weighs the words of the pages' names (see nameCover); nil
	// weighs them alike.
	idf map[string]float64
}

// wordIDFer is a Searcher that knows how rare a word is in the docs, as
// *docsindex.Index does.
type wordIDFer interface {
	WordIDF(lang string, words []string) []float64
}

// nameIDF weighs the words of the names of the pages of hits by their
// inverse document frequency in the docs of lang, or returns nil when s
// cannot tell.
func nameIDF(s Searcher, lang string, hits []docsindex.Hit) map[string]float64 {
	w, ok := s.(wordIDFer)
	if !ok {
		return nil
	}
	words := nameWords(hits)
	idf := w.WordIDF(lang, words)
	if len(idf) != len(words) {
		return nil
	}
	m := make(map[string]float64, len(words))
	for i, word := range words {
		m[word] = idf[i]
	}
	return m
}

func signalsOf(question, query string) signals {
	return signals{intent: intentOf(question), words: wordSet(query), links: linkedPaths(question)}
}

// rankPages collapses section hits (best first) to pages and orders them.
// The pages point into hits.
func (r ranking) rankPages(hits []docsindex.Hit, sig signals) []*page {
	want, qwords := sig.intent, sig.words
	type key struct{ source, path string }
	byKey := map[key]*page{}
	var pages []*page
	for i := range hits {
		h := &hits[i]
		k := key{h.Source, h.Path}
		p := byKey[k]
		if p == nil {
			p = &page{best: h}
			byKey[k] = p
			pages = append(pages, p)
		}
		p.sections = append(p.sections, h)
	}
	for _, p := range pages {
		p.score = p.best.Score + p.best.PageScore
		if r.extraSection != 0 {
			n := r.extraSections
			if n == 0 {
				n = 2
			}
			w := r.extraSection
			for i, h := range p.sections[1:] {
				if i == n {
					break
				}
				p.score += w * h.Score
				if r.extraDecay != 0 {
					w *= r.extraDecay
				}
			}
		}
		// The quadrant prior stands for questions that do not say what
		// they want; one that does gets its quadrant unpenalised.
		if want != koban.Unknown && p.best.Quadrant == want {
			p.score *= r.intentBoost
		} else if f, ok := r.quadrantPrior[p.best.Quadrant]; ok {
			p.score *= f
		}
		lenF, name := 1.0, 1.0
		if r.lengthPrior != 0 {
			lenF = math.Pow(math.Max(float64(p.best.PageChars), 500)/1000, r.lengthPrior)
		}
		if r.linkPrior != 0 {
			p.score *= math.Pow(1+math.Log1p(float64(p.best.PageInlinks)), r.linkPrior)
		}
		if r.titleCover != 0 {
			name *= 1 + r.titleCover*nameCover(p.best.Title, qwords, sig.idf)
		}
		if r.pathCover != 0 {
			name *= 1 + r.pathCover*nameCover(fileWords(p.best.Path), qwords, sig.idf)
		}
		p.score *= lenF + r.nameScale*(name-1)
		if r.linked != 0 && linksTo(sig.links, p.best.Path) {
			p.score *= r.linked
		}
	}
	sort.SliceStable(pages, func(i, j int) bool { return pages[i].score > pages[j].score })
	return pages
}

// confidence combines the evidence into [0,1]: how many of the question's
// terms the best page covers, how strong its score is, and how far it is
// ahead of the next page.
func confidence(pages []*page, terms []string) float64 {
	if len(pages) == 0 || len(terms) == 0 {
		return 0
	}
	top := pages[0]
	var text strings.Builder
	secs := top.sections
	if japaneseTermsIn(terms) {
		// Japanese words are found inside longer ones, and a page's worth
		// of Japanese text holds most common nouns: the section that
		// answers must hold them, as an English question's words are
		// held by its section far more often than by chance.
		l := top.lead()
		secs = []*docsindex.Hit{&l}
	}
	for _, h := range secs {
		text.WriteString(strings.ToLower(h.Title + " " + h.Breadcrumb + " " + h.Text))
		text.WriteByte(' ')
	}
	cov := coverage(text.String(), terms)
	// Half strength near the median best-page score of the evaluation
	// sets (Kubernetes 505, BC Gov 251, MoJ 322): the point scales with
	// the page scores, so it moves whenever ranking's scale does. At 760,
	// the Kubernetes median of a ranking whose scores ran 28% higher, BC
	// Gov's 5-fold cross-validated triage macro-F1 was 0.625 against 0.867.
	strength := top.score / (top.score + 540)
	margin := 1.0
	if len(pages) > 1 && top.score > 0 {
		margin = (top.score - pages[1].score) / top.score
	}
	c := 0.55*cov + 0.3*strength + 0.15*margin
	return math.Round(math.Max(0, math.Min(1, c))*1000) / 1000
}

// coverage is the share of terms that occur in text (lower case), by the
// prefix their inflections share (textproc.Inflections), so that
// "deployments" finds "deployment".
func coverage(text string, terms []string) float64 {
	if len(terms) == 0 {
		return 0
	}
	n := 0
	for _, t := range terms {
		if strings.Contains(text, textproc.Inflections.Stem(t)) {
			n++
		}
	}
	return float64(n) / float64(len(terms))
}

func citation(h docsindex.Hit, score float64, snippet string) koban.Citation {
	return koban.Citation{
		Path:     h.Path,
		Title:    h.Title,
		Section:  h.Breadcrumb,
		Anchor:   h.Anchor,
		URL:      h.URL,
		Quadrant: h.Quadrant,
		Lang:     h.Lang,
		Snippet:  snippet,
		Score:    score,
	}
}
