package triage

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kobanhq/koban"
)

// DomainConfig is one problem domain of the taxonomy: the words that point
// at it and a few example inquiries that belong to it.
type DomainConfig struct {
	Name     koban.Domain `yaml:"name"`
	Keywords []string     `yaml:"keywords"` // matched at word starts in English, as substrings in Japanese
	Examples []string     `yaml:"examples"` // example questions; similar inquiries lean to this domain
}

// domainMatcher scores domains by keywords.
type domainMatcher struct {
	names    []koban.Domain
	keywords [][]string // lower case
}

func newDomainMatcher(domains []DomainConfig) *domainMatcher {
	m := &domainMatcher{}
	for _, d := range domains {
		var ks []string
		for _, k := range d.Keywords {
			if k = strings.ToLower(strings.TrimSpace(k)); k != "" {
				ks = append(ks, k)
			}
		}
		m.names = append(m.names, d.Name)
		m.keywords = append(m.keywords, ks)
	}
	return m
}

// match adds weight to each domain for every distinct keyword in text, and
// records the first keyword hit per domain for the reasons. With the docs'
// vocabulary (may be nil), a keyword counts by its specificity in the docs:
// a word on every page says little about a question's domain.
func (m *domainMatcher) match(text string, weight float64, scores map[koban.Domain]float64, hits map[koban.Domain]string, vocab *Vocabulary) {
	text = strings.ToLower(truncateRunes(text, maxTextRunes))
	for i, ks := range m.keywords {
		best, sum := 0.0, 0.0
		for _, k := range ks {
			if containsWordStart(text, k) {
				sp := vocab.specificity(k)
				best, sum = math.Max(best, sp), sum+sp
				if _, ok := hits[m.names[i]]; !ok && hits != nil {
					hits[m.names[i]] = k
				}
			}
		}
		if sum > 0 {
			// Diminishing: the keywords after the strongest count half.
			scores[m.names[i]] += weight * (best + 0.5*(sum-best))
		}
	}
}

// containsWordStart reports whether k occurs in text at the start of a word,
// so "deploy" meets "deployment" but "cd" does not meet "abcd". Japanese
// keywords match anywhere: Japanese has no spaces between words.
func containsWordStart(text, k string) bool {
	if isCJK(firstRune(k)) {
		return strings.Contains(text, k)
	}
	for off := 0; ; {
		i := strings.Index(text[off:], k)
		if i < 0 {
			return false
		}
		i += off
		if i == 0 {
			return true
		}
		r, _ := utf8.DecodeLastRuneInString(text[:i])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return true
		}
		off = i + 1
	}
}
