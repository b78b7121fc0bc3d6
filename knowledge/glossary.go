package knowledge

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kobanhq/koban"
	docsindex "github.com/kobanhq/koban/docs-index"
)

// Glossary maps the terms of one language to the words docs in another
// language use for them, so that a question asked in Japanese can be
// searched in docs written in English. Platform teams often keep their docs
// in one language while their users ask in two; without an LLM, BM25 cannot
// match a Japanese question to an English page unless the question's words
// are carried across.
type Glossary struct {
	From, To string // question and docs languages: "ja", "en"
	// terms by their first rune, longest first, so that a compound
	// (永続ボリューム) wins over the term inside it (ボリューム).
	terms map[rune][]glossTerm
	size  int
}

type glossTerm struct {
	term  string
	words string
}

//go:embed glossary-ja-en.tsv
var defaultGlossary string

// DefaultGlossary returns koban's Japanese to English glossary of platform
// vocabulary (glossary-ja-en.tsv).
func DefaultGlossary() *Glossary {
	g, err := ParseGlossary("ja", "en", strings.NewReader(defaultGlossary))
	if err != nil {
		// The file is compiled in; TestDefaultGlossary reads it.
		panic(err)
	}
	return g
}

// ParseGlossary reads a glossary from r: one term a line, the term in the
// from language, a tab, then the words of the to language; blank lines and
// lines starting with # are skipped. A line without a tab or without words
// is a koban.EInvalid error naming the line.
func ParseGlossary(from, to string, r io.Reader) (*Glossary, error) {
	g := &Glossary{From: from, To: to, terms: map[rune][]glossTerm{}}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		term, words, ok := strings.Cut(line, "\t")
		term, words = strings.TrimSpace(term), strings.Join(strings.Fields(words), " ")
		if !ok || term == "" || words == "" {
			return nil, koban.Errorf(koban.EInvalid, "glossary line %d: want a term, a tab and its words, got %q", n, line)
		}
		g.add(term, words)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read glossary: %w", err)
	}
	return g, nil
}

// add adds or replaces one term.
func (g *Glossary) add(term, words string) {
	first, _ := utf8.DecodeRuneInString(term)
	ts := g.terms[first]
	if i := slices.IndexFunc(ts, func(t glossTerm) bool { return t.term == term }); i >= 0 {
		ts[i].words = words
		return
	}
	ts = append(ts, glossTerm{term: term, words: words})
	slices.SortStableFunc(ts, func(a, b glossTerm) int { return len(b.term) - len(a.term) })
	g.terms[first] = ts
	g.size++
}

// Len is how many terms the glossary holds.
func (g *Glossary) Len() int { return g.size }

// Merge adds the terms of other to g, other's words winning for a term both
// have, and returns g. Teams add their own vocabulary (product names,
// in-house jargon) this way.
func (g *Glossary) Merge(other *Glossary) *Glossary {
	for _, ts := range other.terms {
		for _, t := range ts {
			g.add(t.term, t.words)
		}
	}
	return g
}

// Translate turns a question's search text into search text for docs in
// the To language: the words of every glossary term in it (each span of
// the text used once, longest term first) and the words the text already
// has in Latin script (identifiers, product names, error messages), in
// the order they occur, each once. A term matches whole words only, as the
// index's Japanese analyzer splits them: ログ does not match inside ログイン.
// It returns "" when nothing carries across.
func (g *Glossary) Translate(text string) string {
	var bounds map[int]bool // nil: any position is a word boundary
	if strings.ContainsFunc(text, func(r rune) bool { return r >= utf8.RuneSelf }) {
		bounds = docsindex.WordBoundaries(text)
	}
	boundary := func(i int) bool {
		if bounds != nil {
			return bounds[i]
		}
		// Latin script alone: anywhere but inside a word (DB is not in DBA).
		return i == 0 || i == len(text) || !isWordByte(text[i-1]) || !isWordByte(text[i])
	}
	// term returns the words of the glossary term that starts at i, and
	// its length.
	term := func(i int, r rune) (string, int) {
		if !boundary(i) {
			return "", 0
		}
		for _, t := range g.terms[r] {
			if strings.HasPrefix(text[i:], t.term) && boundary(i+len(t.term)) {
				return t.words, len(t.term)
			}
		}
		return "", 0
	}
	var out []string
	var latin strings.Builder
	flush := func() {
		if latin.Len() > 0 {
			out = append(out, latin.String())
			latin.Reset()
		}
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '.' || r == '/') {
			// A team's term may start in Latin script (DB移行).
			if latin.Len() == 0 {
				if words, n := term(i, r); n > 0 {
					out = append(out, words)
					i += n
					continue
				}
			}
			latin.WriteRune(r)
			i += size
			continue
		}
		flush()
		if words, n := term(i, r); n > 0 {
			out = append(out, words)
			i += n
			continue
		}
		i += size
	}
	flush()
	// Each word once: two terms of the question may name one English
	// word (アラートの通知: alert, notification alert), and a repeated
	// word would weigh as if the question had said it twice.
	seen := map[string]bool{}
	var words []string
	for _, w := range strings.Fields(strings.Join(out, " ")) {
		if k := strings.ToLower(w); !seen[k] {
			seen[k] = true
			words = append(words, w)
		}
	}
	return strings.Join(words, " ")
}

// isWordByte reports whether b is an ASCII letter or digit.
func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}
