package knowledge

import (
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/kobanhq/koban"
	docsindex "github.com/kobanhq/koban/docs-index"
	"github.com/kobanhq/koban/internal/textproc"
)

// maxCodeLines is how many lines of each pasted code block or log the query
// keeps: the first lines carry the command and the error; the rest repeats.
const maxCodeLines = 4

// maxQueryTerms caps the words sent to the index, so that a pasted document
// cannot make a slow query.
const maxQueryTerms = 80

var (
	fencedBlock = regexp.MustCompile("(?s)```[^\n]*\n(.*?)(```|$)")
	urlRe       = regexp.MustCompile(`https?://[^\s)>\]"'` + "`" + `]+`)
	htmlComment = regexp.MustCompile(`(?s)<!--.*?-->`)
	// stackLine matches lines of stack traces and log prefixes.
	stackLine = regexp.MustCompile(`^\s*(at\s+[\w.$<>]+\(|goroutine\s+\d+|\S+\.go:\d+|[\w/.-]+\.(?:py|java|js|ts|rb):\d+|File\s+".*", line \d+|Traceback\b|\.\.\. \d+ more)`)
	// noiseToken matches identifiers that never occur in docs: hashes,
	// UUIDs, hex addresses, timestamps, IPs.
	noiseToken = regexp.MustCompile(`\b(?:0x[0-9a-fA-F]+|[0-9a-fA-F]{12,}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d\S*|\d+\.\d+\.\d+\.\d+(?::\d+)?|[A-Za-z0-9+/]{40,}={0,2})\b`)
	mention    = regexp.MustCompile(`<[@#!][^>]*>`)
)

// CleanQuery turns a question as people write it (pasted logs, stack traces,
// links) into search text: code blocks keep their first lines, URLs keep the
// words of their path, stack frames, hashes and IPs go.
func CleanQuery(q string) string {
	if len(q) > MaxQuestionChars*4 {
		q = q[:MaxQuestionChars*4]
	}
	q = htmlComment.ReplaceAllString(q, " ")
	q = mention.ReplaceAllString(q, " ")
	q = fencedBlock.ReplaceAllStringFunc(q, func(b string) string {
		m := fencedBlock.FindStringSubmatch(b)
		lines := strings.Split(strings.TrimSpace(m[1]), "\n")
		var keep []string
		for _, l := range lines {
			if stackLine.MatchString(l) || strings.TrimSpace(l) == "" {
				continue
			}
			keep = append(keep, l)
			if len(keep) == maxCodeLines {
				break
			}
		}
		return "\n" + strings.Join(keep, "\n") + "\n"
	})
	q = urlRe.ReplaceAllStringFunc(q, urlWords)
	var out []string
	for _, line := range strings.Split(q, "\n") {
		if stackLine.MatchString(line) {
			continue
		}
		out = append(out, line)
	}
	q = strings.Join(out, " ")
	q = noiseToken.ReplaceAllString(q, " ")
	q = strings.Map(func(r rune) rune {
		if r == '`' || r == '*' || r == '>' || r == '#' || r == '|' {
			return ' '
		}
		return r
	}, q)
	fields := strings.Fields(q)
	if len(fields) > maxQueryTerms {
		fields = fields[:maxQueryTerms]
	}
	var b strings.Builder
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(f)
		if parts := identifierParts(f); len(parts) > 0 {
			b.WriteByte(' ')
			b.WriteString(strings.Join(parts, " "))
		}
	}
	s := b.String()
	if len(s) > MaxQuestionChars {
		s = s[:MaxQuestionChars]
		if i := strings.LastIndexByte(s, ' '); i > 0 {
			s = s[:i]
		}
	}
	return s
}

// identifierParts gives the words inside an identifier ("containerLogMaxSize",
// ".spec.template.spec", "max_surge") that the index's word splitting keeps
// whole, lower case, or nothing for a plain word. Docs name the same setting
// as a flag (--container-log-max-size), in prose, or in another spelling,
// and the parts find those; the identifier stays in the query too. Kind and
// type names (ConfigMap, StatefulSet) are words of their own in the docs and
// stay whole: splitting them only adds common words.
func identifierParts(f string) []string {
	f = strings.TrimFunc(f, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if f == "" || f[0] >= 0x80 {
		return nil
	}
	var parts []string
	for _, seg := range strings.FieldsFunc(f, func(r rune) bool { return r == '.' || r == '_' }) {
		if unicode.IsLower(rune(seg[0])) {
			parts = append(parts, splitCamel(seg)...)
		} else {
			parts = append(parts, seg)
		}
	}
	if len(parts) < 2 {
		return nil
	}
	for i, p := range parts {
		parts[i] = strings.ToLower(p)
	}
	return parts
}

// splitCamel splits "containerLogMaxSize" into container Log Max Size and
// "HTTPServer" into HTTP Server; other words come back whole.
func splitCamel(w string) []string {
	rs := []rune(w)
	var parts []string
	start := 0
	for i := 1; i < len(rs); i++ {
		lowerToUpper := (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1])) && unicode.IsUpper(rs[i])
		acronymEnd := unicode.IsUpper(rs[i-1]) && unicode.IsUpper(rs[i]) && i+1 < len(rs) && unicode.IsLower(rs[i+1])
		if lowerToUpper || acronymEnd {
			parts = append(parts, string(rs[start:i]))
			start = i
		}
	}
	return append(parts, string(rs[start:]))
}

// urlWords keeps the words of a link's path (docs URLs name their page);
// the scheme, host and query string are noise.
func urlWords(raw string) string {
	u, err := url.Parse(strings.TrimRight(raw, ".,;:"))
	if err != nil {
		return " "
	}
	p := strings.Map(func(r rune) rune {
		if r == '/' || r == '-' || r == '_' || r == '.' {
			return ' '
		}
		return r
	}, u.Path)
	var words []string
	for _, w := range strings.Fields(p) {
		switch strings.ToLower(w) {
		case "docs", "doc", "en", "ja", "html", "htm", "md", "blob", "tree", "main", "master", "issues", "wiki", "www":
			continue
		}
		words = append(words, w)
	}
	return " " + strings.Join(words, " ") + " "
}

// queryTerms lists the searchable words of a cleaned query (textproc's
// tokenizer), without stop words; a run with Japanese in it gives its words
// (japaneseTerms). A run that mixes scripts ("podの作成") stays whole:
// kagome splits it better in context.
func queryTerms(q string) []string {
	seen := map[string]bool{}
	var terms []string
	textproc.Tokenizer{Mixed: true}.Scan(q, func(f string, _ textproc.Script) bool {
		switch {
		case textproc.IsStop(f) || seen[f] || (len(f) < 2 && f[0] < 0x80):
		case strings.IndexFunc(f, unicode.IsLetter) < 0:
		case strings.IndexFunc(f, textproc.IsCJK) >= 0:
			// An unspaced Japanese run is a sentence, not a word: its
			// words are what the docs can share with it.
			for _, w := range japaneseTerms(f) {
				if !seen[w] {
					seen[w] = true
					terms = append(terms, w)
				}
			}
		default:
			seen[f] = true
			terms = append(terms, f)
		}
		return true
	})
	return terms
}

var (
	howToCue     = regexp.MustCompile(`(?i)^\s*(how (?:do|can|should|to)|is there a way|what(?:'s| is) the best way)\b|どうすれば|方法|手順|やり方`)
	referenceCue = regexp.MustCompile(`(?i)\b(what does .+ mean|which (?:flag|option|field|parameter|setting)s?|what (?:flag|option|field|parameter)s?|what (?:is|are) the (?:default|maximum|minimum|max|min|limit|limits|syntax|format)|default value|list of|syntax)\b|とは|意味|一覧|オプション|上限|デフォルト`)
	explainCue   = regexp.MustCompile(`(?i)^\s*why\b|\bwhy (?:does|do|is|are)\b|なぜ|どうして`)
	tutorialCue  = regexp.MustCompile(`(?i)\b(getting started|get started|tutorial|new to|beginner|first steps)\b|入門|はじめ|チュートリアル`)
)

// intentOf guesses the Diátaxis quadrant a question asks for, or Unknown.
func intentOf(q string) koban.Quadrant {
	switch {
	case tutorialCue.MatchString(q):
		return koban.Tutorial
	case explainCue.MatchString(q):
		return koban.Explanation
	case referenceCue.MatchString(q):
		return koban.Reference
	case howToCue.MatchString(q):
		return koban.HowTo
	}
	return koban.Unknown
}

// words splits text into lower-case words (textproc.Words), English ones
// without their inflections (textproc.Inflections: see there why); runs of Japanese (or other unspaced) script become character
// bigrams.
func words(text string) []string {
	var out []string
	textproc.Tokenizer{}.Scan(text, func(w string, s textproc.Script) bool {
		if s.CJK() {
			out = append(out, textproc.Bigrams(w)...)
		} else {
			out = append(out, textproc.Inflections.Stem(w))
		}
		return true
	})
	return out
}

// wordSet is the set of words of text.
func wordSet(text string) map[string]bool {
	m := map[string]bool{}
	for _, w := range words(text) {
		m[w] = true
	}
	return m
}

// wordCover is the share of title's words found in set, English stop words
// aside. A Japanese title counts all its character pairs: leaving out
// those on the stop list made one of 319 Japanese questions that name a
// section cite another (TestEvalSameLanguage).
func wordCover(title string, set map[string]bool) float64 {
	n, in := 0, 0
	for _, w := range words(title) {
		if textproc.IsStop(w) && !textproc.IsCJK([]rune(w)[0]) {
			continue
		}
		n++
		if set[w] {
			in++
		}
	}
	if n == 0 {
		return 0
	}
	return float64(in) / float64(n)
}

// nameCover is wordCover with each word of name weighted by its inverse
// document frequency in the docs (idf, by lower-case word): a page whose
// name shares a rare word with the question is more likely the page asked
// for than one whose name shares a word most pages use. Without idf, or for
// a name in Japanese (or other unspaced) script, it is wordCover. Words
// without a weight (those the docs index drops as stop words) do not count.
func nameCover(name string, set map[string]bool, idf map[string]float64) float64 {
	if idf == nil || strings.IndexFunc(name, textproc.IsCJK) >= 0 {
		return wordCover(name, set)
	}
	var n, in float64
	textproc.Tokenizer{}.Scan(name, func(w string, _ textproc.Script) bool {
		if textproc.IsStop(w) {
			return true
		}
		x := idf[w]
		n += x
		if set[textproc.Inflections.Stem(w)] {
			in += x
		}
		return true
	})
	if n == 0 {
		return 0
	}
	return in / n
}

// nameWords lists the distinct lower-case words of the names (titles and
// file names) of the pages of hits, for nameCover's weights.
func nameWords(hits []docsindex.Hit) []string {
	seen := map[string]bool{}
	var out []string
	add := func(name string) {
		textproc.Tokenizer{}.Scan(name, func(w string, s textproc.Script) bool {
			if !s.CJK() && !seen[w] && !textproc.IsStop(w) {
				seen[w] = true
				out = append(out, w)
			}
			return true
		})
	}
	done := map[[2]string]bool{}
	for i := range hits {
		h := &hits[i]
		if k := [2]string{h.Source, h.Path}; !done[k] {
			done[k] = true
			add(h.Title)
			add(fileWords(h.Path))
		}
	}
	return out
}

// fileWords gives the words of a page's file name ("_index" names its folder).
func fileWords(p string) string {
	p = strings.TrimSuffix(p, path.Ext(p))
	base := path.Base(p)
	if base == "_index" || base == "index" {
		base = path.Base(path.Dir(p))
	}
	return fileWordSep.Replace(base)
}

var fileWordSep = strings.NewReplacer("-", " ", "_", " ")

// docsLink matches what may be a link to a docs page: a URL, or a path of
// two or more segments ("k8s.io/docs/tasks/run/", "/docs/admin/kubelet/",
// "tutorials/clusters/apparmor/#profiles").
var docsLink = regexp.MustCompile(`(?:https?://)?[\w.-]*(?:/[\w.%~-]+){2,}/?`)

// linkedPaths lists the paths the question links to, each as its segments
// without the site's decoration: scheme and host, a language segment, a
// "docs" or "documentation" prefix, an .html or .md ending, a trailing
// index page.
func linkedPaths(q string) [][]string {
	var out [][]string
	for _, m := range docsLink.FindAllString(q, 8) {
		if u, err := url.Parse(m); err == nil && u.Host != "" {
			m = u.Path
		} else {
			if i := strings.IndexAny(m, "#?"); i >= 0 {
				m = m[:i]
			}
			// A host without its scheme: "k8s.io/docs/home/".
			if first, rest, ok := strings.Cut(m, "/"); ok && strings.Contains(first, ".") {
				m = rest
			}
		}
		if segs := pathSegments(m); len(segs) > 0 {
			out = append(out, segs)
		}
	}
	return out
}

// pathSegments normalises a URL or file path into its meaningful segments.
func pathSegments(p string) []string {
	var segs []string
	for _, s := range strings.Split(strings.ToLower(p), "/") {
		for _, ext := range []string{".html", ".htm", ".md", ".mdx", ".erb"} {
			s = strings.TrimSuffix(s, ext)
		}
		switch s {
		case "", ".", "_index", "index", "readme", "docs", "documentation", "en", "ja":
			continue
		}
		segs = append(segs, s)
	}
	return segs
}

// linksTo reports whether one of links names the page at path: their last
// segments agree, at least two of them or all of the shorter one's.
// Sites move pages between versions, so the path's tail decides, not
// its prefix.
func linksTo(links [][]string, path string) bool {
	if len(links) == 0 {
		return false
	}
	page := pathSegments(path)
	for _, l := range links {
		n := min(len(l), len(page))
		if n == 0 || (n < 2 && len(l) != len(page)) {
			continue
		}
		if slices.Equal(l[len(l)-n:], page[len(page)-n:]) {
			return true
		}
	}
	return false
}
