package docsindex

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/kobanhq/koban/internal/textproc"
)

// Fields of the search index. Section and page documents share the text
// fields they both have (headings, body, phrase), so that a term's document
// frequency, and so its BM25 weight, counts both; a search keeps each kind
// apart by the documents' kind.
//
//   - title, path, desc: what names a page (pages only)
//   - headings: a section's headings below the page title; a page's outline
//   - body: prose without fenced code
//   - code: fenced code (sections only)
//   - phrase: word pairs of the headings and prose, for proximity
//   - ident: the identifiers of the headings, prose and code, whole
//     (see identAnalyzer)
//   - anchor: the texts of the links to a page from the other pages of its
//     source (pages only; see anchors.go)
var fieldNames = [numFields]string{
	fTitle:    "title",
	fHeadings: "headings",
	fBody:     "body",
	fCode:     "code",
	fPath:     "path",
	fDesc:     "desc",
	fPhrase:   "phrase",
	fIdent:    "ident",
	fAnchor:   "anchor",
}

// analyzers holds the bleve analyzers the index uses, by role: the
// language's words, ASCII identifiers (code and paths) and word pairs.
type analyzers struct {
	words, ascii, pairs [2]analysis.Analyzer // by language: 0 en, 1 ja
}

// newAnalyzers builds the analyzers for a Japanese analyzer name (see
// WithJapaneseAnalyzer). They come from a bleve mapping, the registry that
// builds bleve's own and custom analyzers; no bleve index is made.
func newAnalyzers(ja string) (*analyzers, error) {
	m := mapping.NewIndexMapping()
	if err := registerJA(m, ja); err != nil {
		return nil, err
	}
	get := func(name string) (analysis.Analyzer, error) {
		if a := m.AnalyzerNamed(name); a != nil {
			return a, nil
		}
		return nil, fmt.Errorf("no analyzer %q", name)
	}
	a := &analyzers{}
	for i, lang := range []string{"en", "ja"} {
		var err error
		if a.words[i], err = get(analyzerFor(lang, ja)); err != nil {
			return nil, err
		}
		if a.ascii[i], err = get(en.AnalyzerName); err != nil {
			return nil, err
		}
		if a.pairs[i], err = get(phraseAnalyzer(lang, ja)); err != nil {
			return nil, err
		}
	}
	return a, nil
}

func langNum(lang string) int {
	if lang == "ja" {
		return 1
	}
	return 0
}

func analyzerFor(lang, ja string) string {
	if lang == "ja" {
		return ja
	}
	return en.AnalyzerName
}

// forField returns the analyzer of field f for text in lang.
func (a *analyzers) forField(f field, lang string) analysis.Analyzer {
	l := langNum(lang)
	switch f {
	case fCode, fPath:
		// Code and paths are mostly ASCII identifiers in either language.
		return a.ascii[l]
	case fPhrase:
		return a.pairs[l]
	case fIdent:
		return identAnalyzer{}
	}
	return a.words[l]
}

// analyse turns a document's field texts into term frequencies.
func (a *analyzers) analyse(info docInfo, texts [numFields]string) *analysedDoc {
	d := &analysedDoc{info: info}
	for f, text := range texts {
		if text == "" {
			continue
		}
		toks := a.forField(field(f), info.Lang).Analyze([]byte(text))
		if len(toks) == 0 {
			continue
		}
		tf := make(map[string]uint32, len(toks))
		for _, t := range toks {
			tf[string(t.Term)]++
		}
		d.terms[f], d.lens[f] = tf, uint32(len(toks))
	}
	return d
}

// sectionTexts are the fields of one section: its headings below the page
// title, its prose and its code.
func sectionTexts(s *Section) [numFields]string {
	prose, code := SplitCode(s.Text)
	heads := s.Breadcrumb
	if t := s.Title; strings.HasPrefix(heads, t) {
		heads = strings.TrimPrefix(strings.TrimPrefix(heads, t), " > ")
	}
	var out [numFields]string
	out[fHeadings], out[fBody], out[fPhrase], out[fCode] = heads, prose, heads+"\n"+prose, code
	out[fIdent] = heads + "\n" + s.Text
	return out
}

// pageTexts are the fields of a page as a whole: what names it (title,
// path, description) and its outline and prose. Kept apart from the
// sections so that a page with many sections does not count its title many
// times.
func pageTexts(title, path, desc, anchor string, sections []Section) [numFields]string {
	var heads []string
	var body, all strings.Builder
	for _, s := range sections {
		all.WriteString(s.Heading)
		all.WriteByte('\n')
		all.WriteString(s.Text)
		all.WriteByte('\n')
		if s.Heading != "" && s.Heading != title {
			heads = append(heads, s.Heading)
		}
		prose, _ := SplitCode(s.Text)
		body.WriteString(prose)
		body.WriteByte('\n')
	}
	var out [numFields]string
	out[fTitle], out[fPath], out[fDesc] = title, pathWords(path), desc
	out[fHeadings], out[fBody], out[fPhrase] = strings.Join(heads, "\n"), body.String(), title+"\n"+body.String()
	out[fIdent] = title + "\n" + all.String()
	out[fAnchor] = anchor
	return out
}

// pathWords turns "tasks/configure-pod-container/pull-image.md" into words.
func pathWords(p string) string {
	p = strings.TrimSuffix(p, filepath.Ext(p))
	return strings.Map(func(r rune) rune {
		switch r {
		case '/', '-', '_', '.':
			return ' '
		}
		return r
	}, p)
}

// SplitCode separates a section's text into prose and fenced code.
func SplitCode(text string) (prose, code string) {
	var p, c strings.Builder
	var fence string
	for _, line := range strings.SplitAfter(text, "\n") {
		trim := strings.TrimSpace(line)
		if fence != "" {
			if textproc.FenceCloses(trim, fence) {
				fence = ""
				continue
			}
			c.WriteString(line)
			continue
		}
		if f := textproc.FenceOpen(trim); f != "" {
			fence = f
			continue
		}
		p.WriteString(line)
	}
	return p.String(), c.String()
}
