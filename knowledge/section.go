package knowledge

import (
	"math"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kobanhq/koban"
	docsindex "github.com/kobanhq/koban/docs-index"
	"github.com/kobanhq/koban/internal/textproc"
)

// SectionReader gives every section of one page of one source, in page
// order, so that the answer can quote the section that answers (the steps
// of a how-to, the row of a table) rather than the one that matched the
// question best as a whole. *docsindex.Index satisfies it; its errors are
// koban.ENotFound for a page it does not hold.
type SectionReader interface {
	PageSections(source, path string) ([]docsindex.Section, error)
}

// ask is what the answer is chosen for: the question's words, and what
// kind of text it asks for.
type ask struct {
	words  map[string]float64 // question words (see words) → weight: 1 for the question's own, less for its thread's
	order  []string           // the keys of words, sorted: sums over them come out the same on every run
	howTo  bool               // asks for steps, a command or a file to write
	lookup bool               // asks for a value, a limit or a list
	shown  []string           // the thread's earlier messages, as written
	plain  map[string]bool    // the question's words outside the links it quotes
}

var (
	// stepsCue marks a question after something to do or type.
	stepsCue = regexp.MustCompile(`(?i)\b(how (?:do|can|should|to|would)|what (?:command|yaml|file|manifest|config)|which (?:command|file)|steps?|commands?|yaml|manifest|run|create|set ?up|configure|enable|install|add|request|rollback|roll back|restore|rotate)\b|どうすれば|どうやって|方法|手順|やり方|コマンド|設定`)
	// lookupCue marks a question after a value, a limit or a list.
	lookupCue = regexp.MustCompile(`(?i)\b(which|what (?:is|are) the|how (?:much|many|long|big)|sizes?|limits?|defaults?|maximum|minimum|values?|options?|versions?|quotas?|list)\b|どれ|いくつ|上限|一覧|サイズ|デフォルト`)
	// asideHeading matches the headings of sections that frame a page
	// rather than answer: prerequisites, what comes next, clean-up.
	asideHeading = regexp.MustCompile(`(?i)^\s*(before you (?:begin|start)|pre[- ]?requisites?|requirements|what'?s next|next steps?|see also|further reading|learn more|objectives|cleaning up|clean ?up|feedback|references?|acknowledgements?|前提条件|前提知識|始める前に|次の項目|次のステップ|関連項目|参考)\s*$`)
	// introHeading matches the headings of sections that introduce a
	// page's subject.
	introHeading = regexp.MustCompile(`(?i)^\s*(overview|introduction|background|about( this (?:page|guide|document))?|summary|概要|はじめに)\s*$`)
)

// linkWordWeight is the weight of a word that the question has only in a
// link it quotes.
const linkWordWeight = 0.3

func askOf(question, query string, context []string) ask {
	plain := unlinked(question)
	a := ask{words: map[string]float64{}, howTo: stepsCue.MatchString(plain), lookup: lookupCue.MatchString(plain), plain: wordSet(CleanQuery(plain))}
	own := wordSet(CleanQuery(question))
	var ctx []string
	for _, c := range context {
		for _, w := range words(c) {
			if askedWord(w) && !own[w] && a.words[w] == 0 {
				a.words[w] = -1
				ctx = append(ctx, w)
			}
		}
		a.shown = append(a.shown, c)
	}
	// The thread's words together weigh at most half the question's: a
	// long answer earlier in the thread must not drown a short follow-up.
	wt := 0.5 * math.Min(1, float64(len(own))/math.Max(1, float64(len(ctx))))
	for _, w := range ctx {
		a.words[w] = wt
	}
	// The searched text holds the thread's words too when the question is
	// a short follow-up: those stay at the thread's weight, and the
	// question's own words count in full.
	qw := 1.0
	if len(ctx) > 0 {
		qw = wt
	}
	for _, w := range words(query) {
		if askedWord(w) && a.words[w] == 0 {
			a.words[w] = qw
		}
	}
	for _, w := range words(CleanQuery(question)) {
		if askedWord(w) {
			a.words[w] = 1
			if !a.plain[w] {
				// Only in a quoted link: it names the page, and says
				// little about which of its sections answers.
				a.words[w] = linkWordWeight
			}
		}
	}
	for w := range a.words {
		if isHiragana(w) {
			a.words[w] *= grammarWeight
		}
	}
	mergeInflections(a.words)
	a.order = make([]string, 0, len(a.words))
	for w := range a.words {
		a.order = append(a.order, w)
	}
	sort.Strings(a.order)
	return a
}

// unlinked is the question without the links it quotes: a link names a
// page, not what the question asks.
func unlinked(question string) string {
	return docsLink.ReplaceAllString(urlRe.ReplaceAllString(question, " "), " ")
}

// carried is the question's own words as g carries them to the docs'
// language, for ask.carry; not those of a link it quotes, which askOf
// weighs less and does not count as asked (the glossary passes Latin-script
// words through as they are).
func carried(g *Glossary, question string) string {
	return g.Translate(CleanQuery(unlinked(question)))
}

// carry adds the question's own words as the glossary carried them to the
// docs' language (see Glossary.Translate): a Japanese question answered from
// English docs shares none of its words with them, so without these its
// weights, and the rules that read the question's plain words (a how-to that
// names the page's title asks for its steps, titleAsked), would see only the
// searched text at best, and the page's intro, which repeats the title,
// would be quoted instead of its steps.
func (a *ask) carry(translated string) {
	ws := words(translated)
	if len(ws) == 0 {
		return
	}
	for _, w := range ws {
		if askedWord(w) {
			a.words[w] = 1
			a.plain[w] = true
		}
	}
	mergeInflections(a.words)
	a.order = make([]string, 0, len(a.words))
	for w := range a.words {
		a.order = append(a.order, w)
	}
	sort.Strings(a.order)
}

// askedWord says whether w (see words) can say what a question asks
// about: not a stop word or a lone letter.
func askedWord(w string) bool {
	return !textproc.IsStop(w) && len(w) > 1
}

// grammarWeight scales the weight of a pair of hiragana: in Japanese
// mostly grammar (the "られ" and "ます" of "見られますか") that any section
// shares, so it only tells apart sections that match the question's other
// words alike, as a heading spelled as the question is ("…しないこと").
const grammarWeight = 0.2

// inflectionEnding matches what an inflected form adds to the stem another
// form of the word leaves ("certificate" and "certificat", of
// "certificates").
var inflectionEnding = regexp.MustCompile(`^(e|s|es|ed|d|y|ing)$`)

// mergeInflections drops a word that is another one of ws with an
// inflection ending, keeping the higher weight on the shorter: words are
// found in text as substrings (containedWords), so wherever the longer one
// is, the shorter is too, and keeping both would count one word twice.
func mergeInflections(ws map[string]float64) {
	// Longest first, so that a chain of forms folds the same way each run.
	all := make([]string, 0, len(ws))
	for w := range ws {
		all = append(all, w)
	}
	sort.Slice(all, func(i, j int) bool {
		if len(all[i]) != len(all[j]) {
			return len(all[i]) > len(all[j])
		}
		return all[i] < all[j]
	})
	for _, w := range all {
		wt, ok := ws[w]
		if !ok {
			continue
		}
		for n := len(w) - 1; n >= 3 && n >= len(w)-3; n-- {
			short := w[:n]
			if sw, ok := ws[short]; ok && inflectionEnding.MatchString(w[n:]) {
				ws[short] = math.Max(sw, wt)
				delete(ws, w)
				break
			}
		}
	}
}

// chosen is a section picked to answer, with its fitness.
type chosen struct {
	sec   docsindex.Section
	score float64
	order int // position in its page
}

// chooseSections ranks the sections of p for the question: by the
// question's words in their heading and text, each weighted by how few of
// the page's sections have it (the words every section shares say which
// page, not which section), with a little of the index's own evidence,
// lifted when their kind fits the question (steps and code for a how-to, a
// table for a lookup) and lowered for framing sections (prerequisites,
// what's next). all holds every section of the page, or nil to choose among
// the hits alone.
func chooseSections(p *page, all []docsindex.Section, a ask) []chosen {
	secs := all
	if len(secs) == 0 {
		for _, h := range p.sections {
			secs = append(secs, h.Section)
		}
	}
	hitScore := map[string]float64{}
	maxHit := 0.0
	for _, h := range p.sections {
		sc := h.Fields[docsindex.FieldBody] + h.Fields[docsindex.FieldHeadings] + h.Fields[docsindex.FieldPhrase] + h.Fields[docsindex.FieldCode]
		hitScore[h.ID] = sc
		maxHit = math.Max(maxHit, sc)
	}
	bags := make([]struct{ head, body map[string]bool }, len(secs))
	df := map[string]int{}
	for i, s := range secs {
		// Heading and text are matched alike, by the question's stems
		// (see containedWords): "expired" finds "expiry" in either.
		bags[i].head, bags[i].body = containedWords(s.Heading, a.words), containedWords(s.Text, a.words)
		for w := range a.words {
			if bags[i].head[w] || bags[i].body[w] {
				df[w]++
			}
		}
	}
	n := float64(len(secs))
	avgLen := 0.0
	for _, s := range secs {
		avgLen += float64(len(s.Text)) / n
	}
	out := make([]chosen, 0, len(secs))
	for i, s := range secs {
		if len(strings.TrimSpace(s.Text)) < 15 {
			continue // a heading with nothing under it
		}
		sc := 0.0
		for _, w := range a.order {
			wt := a.words[w]
			if df[w] == 0 {
				continue
			}
			idf := math.Log(1 + n/float64(df[w]))
			if bags[i].body[w] {
				sc += wt * idf
			}
			if bags[i].head[w] {
				sc += headingWeight * wt * idf
			}
		}
		// A long section shares more words with anything: its matches
		// count for less, as in BM25's length normalisation.
		sc /= math.Sqrt(0.5 + 0.5*float64(len(s.Text))/math.Max(avgLen, 1))
		if maxHit > 0 {
			sc *= 1 + 0.5*hitScore[s.ID]/maxHit
		}
		sc += 0.01 // so that with no evidence page order decides
		if a.howTo {
			// Steps are code or a numbered list; a page's opening text
			// without either, or its overview, introduces the task
			// rather than doing it.
			switch {
			case actionable(s.Text):
				sc *= 1.3
			case i == 0, introHeading.MatchString(s.Heading):
				sc *= 0.6
			}
		}
		if a.lookup && hasTable(s.Text) {
			sc *= 1.3
		}
		if asideHeading.MatchString(s.Heading) {
			sc *= 0.4
		}
		if inThread(s, a.shown) {
			// A follow-up asks for what the thread has not shown yet.
			sc *= 0.5
		}
		sc *= 1 - 0.01*math.Min(float64(i), 20) // earlier on ties
		out = append(out, chosen{sec: s, score: sc, order: i})
	}
	// A how-to question that names the page ("how do I request a
	// database?" on "Request a database") asks for the page's task: its
	// steps are the first section that shows what to do, not the intro
	// that repeats the title or the prerequisites.
	if a.howTo && len(out) > 1 && titleAsked(p.best.Title, a) && !specificHeading(out, secs, bags, df, p.best.Title, a) {
		best := 0.0
		for _, c := range out {
			best = math.Max(best, c.score)
		}
		for i := range out {
			c := &out[i]
			if c.order > 0 && !asideHeading.MatchString(c.sec.Heading) && actionable(c.sec.Text) {
				c.score = math.Max(c.score, 1.2*best)
				break
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].score > out[j].score })
	return out
}

// maxMatchChars is how much of a section's text is read for the
// question's words: generated references hold sections of hundreds of KB,
// and their start says what they are about.
const maxMatchChars = 32 << 10

// containedWords is the set of ws found in text (lower-cased) where a
// word of it starts: words are stems ("siz" finds "sizes", "log" the "Log"
// of "containerLogMaxSize") or Japanese character pairs, found anywhere.
// A number must end where the text's number does ("100" does not find
// "1000"). Scanning for the few question words is much cheaper than
// splitting a long section into its words.
func containedWords(text string, ws map[string]float64) map[string]bool {
	if len(text) > maxMatchChars {
		text = text[:maxMatchChars]
	}
	lower := strings.ToLower(text)
	if len(lower) != len(text) {
		// Lower-casing changed the length (rare letters): the cases of
		// text no longer line up, so camel-case starts are not read.
		text = lower
	}
	out := map[string]bool{}
	for w := range ws {
		if foundAtStart(text, lower, w) {
			out[w] = true
		}
	}
	return out
}

// foundAtStart says whether w occurs in lower (text lower-cased, of the
// same length) where a word starts: after a character that is not a letter
// or digit, or at a lower-to-upper case change in text; a w not in ASCII
// (Japanese character pairs: no spaces between words) may start anywhere.
// A w that ends in a digit must not be followed by one.
func foundAtStart(text, lower, w string) bool {
	if w == "" {
		return false
	}
	anywhere := w[0] >= utf8.RuneSelf
	last := w[len(w)-1]
	digitEnd := last >= '0' && last <= '9'
	for off := 0; ; {
		i := strings.Index(lower[off:], w)
		if i < 0 {
			return false
		}
		i += off
		off = i + 1
		if !anywhere && i > 0 && !wordStart(text, lower, i) {
			continue
		}
		if end := i + len(w); end < len(lower) {
			next, _ := utf8.DecodeRuneInString(lower[end:])
			if digitEnd && unicode.IsDigit(next) {
				continue
			}
		}
		return true
	}
}

// wordStart says whether a word starts at byte i (> 0) of text: after a
// character that is not a letter or digit, after a letter of a script
// written without spaces ("Podを" in Japanese text), or at a camel-case
// capital.
func wordStart(text, lower string, i int) bool {
	p, _ := utf8.DecodeLastRuneInString(lower[:i])
	if !unicode.IsLetter(p) && !unicode.IsDigit(p) || textproc.IsCJK(p) {
		return true
	}
	// camelCase: a capital after a small letter.
	c, _ := utf8.DecodeRuneInString(text[i:])
	q, _ := utf8.DecodeLastRuneInString(text[:i])
	return unicode.IsUpper(c) && unicode.IsLower(q)
}

// specificHeading says whether the best of ranked names in its heading a
// question word that no other section of the page has and the title does
// not: the question asks for that section, not for the page's task.
func specificHeading(ranked []chosen, secs []docsindex.Section, bags []struct{ head, body map[string]bool }, df map[string]int, title string, a ask) bool {
	if len(ranked) == 0 {
		return false
	}
	best := ranked[0]
	for _, c := range ranked {
		if c.score > best.score {
			best = c
		}
	}
	tw := wordSet(title)
	for w, wt := range a.words {
		if wt == 1 && df[w] == 1 && !tw[w] && bags[best.order].head[w] {
			return true
		}
	}
	return false
}

// inThread says whether a message of the thread quotes the section: names
// its breadcrumb or links to it.
func inThread(s docsindex.Section, msgs []string) bool {
	for _, m := range msgs {
		if s.Breadcrumb != "" && strings.Contains(m, s.Breadcrumb) || s.Anchor != "" && strings.Contains(m, "#"+s.Anchor) {
			return true
		}
	}
	return false
}

// titleAsked says whether the question holds most of the title's words.
func titleAsked(title string, a ask) bool {
	return wordCover(title, a.plain) >= 0.5
}

// hasTable says whether a section holds a Markdown table.
func hasTable(text string) bool {
	if len(text) > maxMatchChars {
		text = text[:maxMatchChars]
	}
	return strings.Contains(text, "|") && tableLine.MatchString(text)
}

// actionable says whether a section shows what to do: a code block or
// numbered steps.
func actionable(text string) bool {
	if strings.Contains(text, "```") {
		return true
	}
	if len(text) > maxMatchChars {
		text = text[:maxMatchChars]
	}
	return numberedStep.MatchString(text)
}

// headingWeight is how much more a question word counts in a section's
// heading than in its text: the heading says what the section is about.
const headingWeight = 2

var (
	numberedStep = regexp.MustCompile(`(?m)^\s*\d+[.)]\s+\S`)
	tableLine    = regexp.MustCompile(`(?m)^\s*\|.*\|\s*$`)
)

// quadrantLabel names a quadrant for the one-line lead.
func quadrantLabel(q koban.Quadrant) string {
	if q == koban.Unknown || q == "" {
		return "docs"
	}
	return string(q)
}
