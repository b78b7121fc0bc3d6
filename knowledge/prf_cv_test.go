package knowledge

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode"

	docsindex "github.com/kobanhq/koban/docs-index"
	"github.com/kobanhq/koban/eval"
	"github.com/kobanhq/koban/internal/textproc"
)

// prodCase is an evaluation case with the hits of the search Answer makes
// (default weights, the default number of candidates), so that what a
// cross-validation measures is what koban eval would.
type prodCase struct {
	evalCase
	set   string
	sig   signals
	query string
	lang  string // the language searched
	hits  []docsindex.Hit
}

// loadProdCases searches once per evaluation case with relevant pages, as
// retrieve does, and calls each with the case and its set's index (open
// until it returns) so that a test can search again.
func loadProdCases(t *testing.T, each func(ix *docsindex.Index, c *prodCase)) []*prodCase {
	t.Helper()
	shared, err := filepath.Abs(filepath.Join("..", "..", "shared"))
	if err != nil {
		t.Fatal(err)
	}
	size := Config{}.withDefaults().Candidates
	var cases []*prodCase
	for _, set := range evalSets {
		ix, _ := openEvalIndex(t, filepath.Join(evalIndexDir(), set.name), shared, set)
		for _, ec := range readCases(t, filepath.Join(shared, "eval", set.file)) {
			if len(ec.RelevantDocs) == 0 {
				continue
			}
			q := CleanQuery(ec.Question)
			lang := ec.Lang
			if lang == "" {
				lang = docsindex.DetectLang(ec.Question)
			}
			hits, err := ix.Search(context.Background(), docsindex.Query{Text: q, Lang: lang, Size: size, Weights: defaultRanking.weights})
			if err != nil {
				ix.Close()
				t.Fatal(err)
			}
			sig := signalsOf(ec.Question, q)
			sig.idf = nameIDF(ix, lang, hits)
			c := &prodCase{evalCase: ec, set: set.name, sig: sig, query: q, lang: lang, hits: hits}
			if each != nil {
				each(ix, c)
			}
			cases = append(cases, c)
		}
		ix.Close()
	}
	return cases
}

// scorePages gives Recall@5 and nDCG@10 of pages for c.
func scorePages(c *prodCase, pages []*page) [2]float64 {
	var got []string
	for _, p := range pages {
		got = append(got, p.best.Path)
	}
	rs := eval.ScoreRanking(c.RelevantDocs, got)
	return [2]float64{rs.Recall[1], rs.NDCG}
}

// crossValidateScores prints the figures of each of the settings labels
// names on every case (scores[setting][case]: Recall@5, nDCG@10), then
// those of the setting chosen (the best Recall@5 + nDCG@10 summed over
// cases, the first on ties) on four folds of the pooled cases and scored
// on the fifth, and on two sets and scored on the third, as crossValidate
// does for rankings.
func crossValidateScores(t *testing.T, sets []string, labels []string, scores [][][2]float64) {
	t.Helper()
	names := []string{"k8s", "bcgov", "moj"}
	report := func(name string, pick func(ci int) int) {
		var sum = map[string]*[3]float64{}
		for ci, set := range sets {
			s := sum[set]
			if s == nil {
				s = &[3]float64{}
				sum[set] = s
			}
			x := scores[pick(ci)][ci]
			s[0]++
			s[1] += x[0]
			s[2] += x[1]
		}
		for _, set := range names {
			if s := sum[set]; s != nil {
				t.Logf("%s %s R@5 %.3f nDCG %.3f", name, set, s[1]/s[0], s[2]/s[0])
			}
		}
	}
	for g, l := range labels {
		report(l, func(int) int { return g })
	}
	choose := func(train func(ci int) bool) int {
		best, bg := -1.0, 0
		for g := range labels {
			o := 0.0
			for ci := range sets {
				if train(ci) {
					o += scores[g][ci][0] + scores[g][ci][1]
				}
			}
			if o > best+1e-9 {
				best, bg = o, g
			}
		}
		return bg
	}
	heldOut := func(name string, splits []func(ci int) bool) {
		chosen := make([]int, len(sets))
		for i, held := range splits {
			g := choose(func(ci int) bool { return !held(ci) })
			t.Logf("%s, split %d: chose %s", name, i, labels[g])
			for ci := range sets {
				if held(ci) {
					chosen[ci] = g
				}
			}
		}
		report(name, func(ci int) int { return chosen[ci] })
	}
	var folds, bySet []func(int) bool
	for f := range 5 {
		folds = append(folds, func(ci int) bool { return ci%5 == f })
	}
	for _, set := range names {
		bySet = append(bySet, func(ci int) bool { return sets[ci] == set })
	}
	heldOut("pooled 5-fold CV", folds)
	heldOut("leave-one-set-out", bySet)
}

// TestTuneSectionsCV cross-validates how a page's sections make its score:
// its best section's (and its page's) score plus extraSection times the
// scores of its next best sections, flat over the next 1 to 8 or damped
// geometrically, the ranking otherwise as it is; the first setting is the
// present one. KOBAN_TUNE=1 runs it.
func TestTuneSectionsCV(t *testing.T) {
	if os.Getenv("KOBAN_TUNE") == "" {
		t.Skip("set KOBAN_TUNE=1 to cross-validate page aggregation on ../../shared/eval")
	}
	grid := []ranking{defaultRanking}
	labels := []string{"present"}
	for _, extra := range []float64{0.05, 0.1, 0.2, 0.3, 0.5} {
		for _, n := range []int{1, 2, 4, 8} {
			r := defaultRanking
			r.extraSection, r.extraSections = extra, n
			grid = append(grid, r)
			labels = append(labels, fmt.Sprintf("extra %.2f next %d", extra, n))
		}
		for _, decay := range []float64{0.5, 0.7} {
			r := defaultRanking
			r.extraSection, r.extraSections, r.extraDecay = extra, 8, decay
			grid = append(grid, r)
			labels = append(labels, fmt.Sprintf("extra %.2f decay %.1f", extra, decay))
		}
	}
	cases := loadProdCases(t, nil)
	scores := make([][][2]float64, len(grid))
	sets := make([]string, len(cases))
	for ci, c := range cases {
		sets[ci] = c.set
		for g, r := range grid {
			hits := append([]docsindex.Hit(nil), c.hits...)
			scores[g] = append(scores[g], scorePages(c, r.rankPages(hits, c.sig)))
		}
	}
	crossValidateScores(t, sets, labels, scores)
}

// TestTuneFeedbackCV cross-validates pseudo-relevance feedback (feedback:
// how many pages feed back, how many words, their weight, words the
// question lacks or its own, in one page or two), the ranking as it is;
// the first setting is no feedback. With -v it prints the words one
// setting adds to each question. KOBAN_TUNE=1 runs it.
func TestTuneFeedbackCV(t *testing.T) {
	if os.Getenv("KOBAN_TUNE") == "" {
		t.Skip("set KOBAN_TUNE=1 to cross-validate pseudo-relevance feedback on ../../shared/eval")
	}
	type search struct {
		docs, terms int
		own         bool
		minPages    int
	}
	var searches []search
	for _, own := range []bool{false, true} {
		for _, minPages := range []int{1, 2} {
			for _, docs := range []int{3, 5, 10} {
				for _, terms := range []int{5, 10, 20} {
					searches = append(searches, search{docs, terms, own, minPages})
				}
			}
		}
	}
	lambdas := []float64{0.1, 0.2, 0.3, 0.5}
	labels := []string{"no feedback"}
	for _, s := range searches {
		for _, l := range lambdas {
			labels = append(labels, fmt.Sprintf("docs %d terms %d weight %.1f own %v in %d", s.docs, s.terms, l, s.own, s.minPages))
		}
	}
	size := Config{}.withDefaults().Candidates
	more := map[*prodCase][][]docsindex.Hit{}
	cases := loadProdCases(t, func(ix *docsindex.Index, c *prodCase) {
		if japaneseTermsIn(queryTerms(c.query)) {
			return // retrieve searches no feedback for them
		}
		hits := append([]docsindex.Hit(nil), c.hits...)
		pages := defaultRanking.rankPages(hits, c.sig)
		for _, s := range searches {
			words, m, err := feedbackSearch(context.Background(), ix, c.lang, size, defaultRanking.weights, pages, c.sig.words, feedback{docs: s.docs, terms: s.terms, weight: 1, ownWords: s.own, minPages: s.minPages})
			if err != nil {
				t.Fatal(err)
			}
			if s.docs == 5 && s.terms == 10 && s.minPages == 2 && !s.own && testing.Verbose() {
				t.Logf("%s %s: %v", c.set, c.ID, words)
			}
			more[c] = append(more[c], m)
		}
	})
	scores := make([][][2]float64, len(labels))
	sets := make([]string, len(cases))
	for ci, c := range cases {
		sets[ci] = c.set
		g := 0
		hits := append([]docsindex.Hit(nil), c.hits...)
		scores[g] = append(scores[g], scorePages(c, defaultRanking.rankPages(hits, c.sig)))
		for si := range searches {
			for _, l := range lambdas {
				g++
				hits := append([]docsindex.Hit(nil), c.hits...)
				if m := more[c]; m != nil {
					addFeedback(hits, m[si], l, defaultRanking.weights)
				}
				scores[g] = append(scores[g], scorePages(c, defaultRanking.rankPages(hits, c.sig)))
			}
		}
	}
	crossValidateScores(t, sets, labels, scores)
}

// feedback is pseudo-relevance feedback (RM3): the words that the best
// pages of a first ranking share beyond the question's are searched for
// with a small weight, and their field scores added to the first search's
// before the pages are ranked again. docs 0 turns it off.
type feedback struct {
	docs   int     // how many of the first ranking's pages feed back
	terms  int     // how many words are added
	weight float64 // λ, the weight of the added words' scores
	// ownWords chooses among the question's own words instead of
	// leaving them out: the feedback then re-weighs the question, its
	// words that the best pages use counting more than a pasted log's.
	ownWords bool
	// minPages is how many of the feedback pages a word must be in (0
	// or 1: one): a word of one page off the subject pulls off with it.
	minPages int
}

// feedbackFields are the fields the added words are searched in: prose and
// names. Word pairs would pair added words that are not neighbours
// anywhere, and code and identifier fields hold a question's pasted names,
// not words a page uses about its subject.
var feedbackFields = []string{
	docsindex.FieldHeadings, docsindex.FieldBody,
	docsindex.FieldPageTitle, docsindex.FieldPageDesc, docsindex.FieldPageOutline, docsindex.FieldPageBody,
}

// maxFeedbackCandidates is how many of the feedback pages' words, by their
// share of those pages' text, are weighed by idf before the best are
// chosen: analysing every word of several pages for its idf would cost
// more than the second search.
const maxFeedbackCandidates = 100

// expansionWords chooses fb.terms words from the first fb.docs pages: each
// word weighs Σ over pages of its share of the page's matched sections'
// words times the page's share of the pages' scores (RM1's estimate of
// the relevance model), times its idf in the docs. Words of the question
// (qwords, by inflection stem), stop words, numbers and words of one or
// two letters are left out, and so is any word with a Japanese character:
// a Japanese run is a sentence, not a word.
func expansionWords(pages []*page, fb feedback, qwords map[string]bool, idfOf func([]string) []float64) []string {
	n := min(fb.docs, len(pages))
	var total float64
	for _, p := range pages[:n] {
		total += math.Max(p.score, 0)
	}
	if n == 0 || total == 0 || fb.terms <= 0 {
		return nil
	}
	rel := map[string]float64{}
	in := map[string]int{} // word → pages it is in
	for _, p := range pages[:n] {
		counts := map[string]int{}
		words := 0
		for _, h := range p.sections {
			textproc.Tokenizer{}.Scan(h.Heading+"\n"+h.Text, func(w string, s textproc.Script) bool {
				words++
				w = strings.ToLower(w)
				if s.CJK() || len(w) < 3 || textproc.IsStop(w) || strings.IndexFunc(w, unicode.IsLetter) < 0 || qwords[textproc.Inflections.Stem(w)] != fb.ownWords {
					return true
				}
				counts[w]++
				return true
			})
		}
		if words == 0 {
			continue
		}
		pw := math.Max(p.score, 0) / total
		for w, c := range counts {
			rel[w] += pw * float64(c) / float64(words)
			in[w]++
		}
	}
	for w := range rel {
		if in[w] < fb.minPages {
			delete(rel, w)
		}
	}
	cands := make([]string, 0, len(rel))
	for w := range rel {
		cands = append(cands, w)
	}
	byWeight := func(weight map[string]float64) {
		sort.Slice(cands, func(i, j int) bool {
			if weight[cands[i]] != weight[cands[j]] {
				return weight[cands[i]] > weight[cands[j]]
			}
			return cands[i] < cands[j]
		})
	}
	byWeight(rel)
	if len(cands) > maxFeedbackCandidates {
		cands = cands[:maxFeedbackCandidates]
	}
	if idfOf != nil {
		idf := idfOf(cands)
		if len(idf) == len(cands) {
			for i, w := range cands {
				rel[w] *= idf[i]
			}
			byWeight(rel)
		}
	}
	var out []string
	for _, w := range cands {
		if len(out) == fb.terms || rel[w] <= 0 {
			break
		}
		out = append(out, w)
	}
	return out
}

// feedbackSearch searches for the words that the best of pages (a first
// ranking) share beyond the question's (expansionWords), in
// feedbackFields, and returns the words and the hits.
func feedbackSearch(ctx context.Context, s Searcher, lang string, size int, weights map[string]float64, pages []*page, qwords map[string]bool, fb feedback) ([]string, []docsindex.Hit, error) {
	if fb.docs <= 0 || fb.weight == 0 || len(pages) == 0 {
		return nil, nil, nil
	}
	var idfOf func([]string) []float64
	if w, ok := s.(wordIDFer); ok {
		idfOf = func(words []string) []float64 { return w.WordIDF(lang, words) }
	}
	words := expansionWords(pages, fb, qwords, idfOf)
	if len(words) == 0 {
		return nil, nil, nil
	}
	ew := make(map[string]float64, len(feedbackFields))
	for _, f := range feedbackFields {
		if w, ok := weights[f]; ok {
			ew[f] = w
		}
	}
	more, err := s.Search(ctx, docsindex.Query{Text: strings.Join(words, " "), Lang: lang, Size: size, Weights: ew})
	if err != nil {
		return nil, nil, err
	}
	return words, more, nil
}

// addFeedback adds to hits (a first search's) the field scores of more (a
// feedbackSearch's) times weight, and sorts hits again by weights. A hit
// whose section or page more does not hold keeps its scores; sections only
// more holds are left out, as their scores for the question are unknown.
func addFeedback(hits, more []docsindex.Hit, weight float64, weights map[string]float64) {
	if len(more) == 0 || weight == 0 {
		return
	}
	type pageKey struct{ source, path string }
	secs := map[string]map[string]float64{}
	pageFields := map[pageKey]map[string]float64{}
	for i := range more {
		h := &more[i]
		secs[h.Source+"\x00"+h.ID] = h.Fields
		if pageFields[pageKey{h.Source, h.Path}] == nil {
			pageFields[pageKey{h.Source, h.Path}] = h.Fields
		}
	}
	for i := range hits {
		h := &hits[i]
		sec := secs[h.Source+"\x00"+h.ID]
		pg := pageFields[pageKey{h.Source, h.Path}]
		if sec == nil && pg == nil {
			continue
		}
		// A fresh map: the first search's may be shared with a caller.
		fields := make(map[string]float64, len(h.Fields)+len(feedbackFields))
		for k, v := range h.Fields {
			fields[k] = v
		}
		h.Score, h.PageScore = 0, 0
		// Sum in a fixed order, as docsindex does.
		for _, f := range docsindex.AllFields {
			page := strings.HasPrefix(f, "page.")
			src := sec
			if page {
				src = pg
			}
			if v, ok := src[f]; ok {
				fields[f] += weight * v
			}
			if page {
				h.PageScore += weights[f] * fields[f]
			} else {
				h.Score += weights[f] * fields[f]
			}
		}
		h.Fields = fields
	}
	docsindex.SortHits(hits)
}

// TestTuneEmphasisCV cross-validates weighing a long question's words by
// where they stand: the search text with a part of it repeated, so that
// the part's words count more (the first setting repeats nothing): its
// first sentence (an issue's title), its first two, its prose outside
// inline code, or its inline code. KOBAN_TUNE=1 runs it.
func TestTuneEmphasisCV(t *testing.T) {
	if os.Getenv("KOBAN_TUNE") == "" {
		t.Skip("set KOBAN_TUNE=1 to cross-validate query emphasis on ../../shared/eval")
	}
	type variant struct {
		label string
		part  func(question, query string) string
		times int
	}
	first := func(_, q string) string { return leadSentence(q) }
	firstTwo := func(_, q string) string {
		s := leadSentence(q)
		return strings.TrimSpace(s + " " + leadSentence(strings.TrimSpace(q[len(s):])))
	}
	inlineCode := regexp.MustCompile("`[^`]+`")
	prose := func(question, _ string) string {
		return CleanQuery(inlineCode.ReplaceAllString(question, " "))
	}
	code := func(question, _ string) string {
		return CleanQuery(strings.Join(inlineCode.FindAllString(question, -1), " "))
	}
	variants := []variant{{"none", nil, 0}}
	for _, times := range []int{1, 2} {
		variants = append(variants,
			variant{fmt.Sprintf("first sentence +%d", times), first, times},
			variant{fmt.Sprintf("first two sentences +%d", times), firstTwo, times},
			variant{fmt.Sprintf("prose outside inline code +%d", times), prose, times},
			variant{fmt.Sprintf("inline code +%d", times), code, times},
		)
	}
	text := func(v variant, question, query string) string {
		if v.part == nil {
			return query
		}
		p := v.part(question, query)
		if p == "" || p == query {
			return query
		}
		return query + strings.Repeat(" "+p, v.times)
	}
	labels := make([]string, len(variants))
	for i, v := range variants {
		labels[i] = v.label
	}
	crossValidateQueries(t, labels, func(g int, c *prodCase) docsindex.Query {
		return docsindex.Query{Text: text(variants[g], c.Question, c.query)}
	})
}

// crossValidateQueries searches each case once for each setting of
// labels, with the query setting g gives (its Lang, Size and Weights, when
// unset, the production search's), ranks the pages as the ranking is, and
// cross-validates the settings as crossValidateScores does.
func crossValidateQueries(t *testing.T, labels []string, query func(g int, c *prodCase) docsindex.Query) {
	t.Helper()
	size := Config{}.withDefaults().Candidates
	hits := map[*prodCase][][]docsindex.Hit{}
	cases := loadProdCases(t, func(ix *docsindex.Index, c *prodCase) {
		for g := range labels {
			q := query(g, c)
			q.Lang = cmp.Or(q.Lang, c.lang)
			q.Size = cmp.Or(q.Size, size)
			if q.Weights == nil {
				q.Weights = defaultRanking.weights
			}
			h, err := ix.Search(context.Background(), q)
			if err != nil {
				t.Fatal(err)
			}
			hits[c] = append(hits[c], h)
		}
	})
	scores := make([][][2]float64, len(labels))
	sets := make([]string, len(cases))
	for ci, c := range cases {
		sets[ci] = c.set
		for g := range labels {
			scores[g] = append(scores[g], scorePages(c, defaultRanking.rankPages(hits[c][g], c.sig)))
		}
	}
	crossValidateScores(t, sets, labels, scores)
}

// TestTuneRepeatsCV cross-validates the saturation of a question's
// repeated words (docsindex.Query.TermWeight: BM25's k3, n repeats weigh
// n(k3+1)/(n+k3)), the ranking as it is; the first setting counts every
// repeat in full. KOBAN_TUNE=1 runs it.
func TestTuneRepeatsCV(t *testing.T) {
	if os.Getenv("KOBAN_TUNE") == "" {
		t.Skip("set KOBAN_TUNE=1 to cross-validate query term saturation on ../../shared/eval")
	}
	k3s := []float64{0, 1e-6, 0.5, 1, 2, 5, 10}
	labels := []string{"in full"}
	for _, k := range k3s[1:] {
		labels = append(labels, fmt.Sprintf("k3 %g", k))
	}
	crossValidateQueries(t, labels, func(g int, c *prodCase) docsindex.Query {
		return docsindex.Query{Text: c.query, TermWeight: saturate(k3s[g])}
	})
}

// saturate weighs a query term's repeats as BM25's k3 does, or in full
// when k3 is 0.
func saturate(k3 float64) func(int, float64) float64 {
	if k3 == 0 {
		return nil
	}
	return func(n int, idf float64) float64 {
		return float64(n) * (k3 + 1) / (float64(n) + k3) * idf
	}
}

// TestTuneIDFPowerCV cross-validates how much a query term's idf weighs
// (docsindex.Query.TermWeight: repeats × idf^p; BM25 alone is p 0, as its
// document side weighs the idf already), the ranking as it is; the first
// setting is the present p 1. KOBAN_TUNE=1 runs it.
func TestTuneIDFPowerCV(t *testing.T) {
	if os.Getenv("KOBAN_TUNE") == "" {
		t.Skip("set KOBAN_TUNE=1 to cross-validate the query's idf weight on ../../shared/eval")
	}
	powers := []float64{1, 0, 0.5, 1.5, 2}
	var labels []string
	for _, p := range powers {
		labels = append(labels, fmt.Sprintf("idf^%g", p))
	}
	crossValidateQueries(t, labels, func(g int, c *prodCase) docsindex.Query {
		p := powers[g]
		return docsindex.Query{Text: c.query, TermWeight: func(n int, idf float64) float64 { return float64(n) * math.Pow(idf, p) }}
	})
}

// leadSentence is the text of q up to the end of its first sentence (a
// full stop, question or exclamation mark before a space), or all of q.
func leadSentence(q string) string {
	for i := 0; i+1 < len(q); i++ {
		switch q[i] {
		case '.', '?', '!':
			if q[i+1] == ' ' {
				return q[:i+1]
			}
		}
	}
	return q
}
