package metrics

import (
	"bytes"
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// terms returns the distinct content words of a question, sorted. Latin
// words are lower-cased and kept when they have three letters or more and
// are not stop words. Japanese has no spaces, but hiragana mostly carries
// grammar (particles, endings), so a run of kanji or katakana between them
// or of katakana between them is taken as one word: "本番データベースの権限が
// ほしい" gives 本番, データベース, 権限.
//
// It runs over every gap and platform-only question of the month, so it
// works on a reused byte buffer and allocates only the words it keeps.
func terms(text string) []string {
	var out []string
	var buf [64]byte
	word := buf[:0]
	var kind runeKind
	flush := func() {
		w := word
		word = word[:0]
		if len(w) == 0 {
			return
		}
		switch kind {
		case latin:
			// The map lookup with string(w) does not allocate.
			if utf8.RuneCount(w) < 3 || stopWords[string(w)] || isNumber(w) {
				return
			}
			w = stem(w)
		case han, kana:
			if utf8.RuneCount(w) < 2 {
				return
			}
		}
		out = append(out, string(w))
	}
	for _, r := range text {
		k := kindOf(r)
		if k != kind || k == separator {
			flush()
			kind = k
		}
		switch {
		case k == separator:
		case 'A' <= r && r <= 'Z':
			word = append(word, byte(r+'a'-'A'))
		case r < utf8.RuneSelf:
			word = append(word, byte(r))
		default:
			word = utf8.AppendRune(word, unicode.ToLower(r))
		}
	}
	flush()
	slices.Sort(out)
	return slices.Compact(out)
}

type runeKind int

const (
	separator runeKind = iota
	latin
	han
	kana
)

func kindOf(r rune) runeKind {
	if r < 0x80 { // most text: skip the Unicode tables
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9', r == '-', r == '_':
			return latin
		}
		return separator
	}
	switch {
	case unicode.In(r, unicode.Han):
		return han
	case unicode.In(r, unicode.Katakana) || r == 'ー':
		return kana
	case unicode.In(r, unicode.Hiragana):
		return separator
	case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
		return latin
	}
	return separator
}

func isNumber(w []byte) bool {
	return bytes.IndexFunc(w, func(r rune) bool { return !unicode.IsDigit(r) && r != '-' && r != '_' }) < 0
}

// stem folds the commonest English plural so that "buckets" meets "bucket".
func stem(w []byte) []byte {
	if len(w) > 4 && bytes.HasSuffix(w, []byte("s")) && !bytes.HasSuffix(w, []byte("ss")) {
		return w[:len(w)-1]
	}
	return w
}

// stopWords are the English words that say nothing about a question's topic.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
		the and for are but not you your our can could would should will was were
		has have had does did doing how what why when where which who whom this that
		these those there their them they with from into onto about any all some
		get got getting need needs want wants please thanks thank hello anyone
		someone know help use using used way new also just like it's i'm its
		don't doesn't can't won't than then too very more most via per out
		team my me is to of on in do be by or if as at an it we us so no`) {
		m[w] = true
	}
	return m
}()

// clusterItem is one inquiry as the clustering sees it.
type clusterItem struct {
	key   string // items with different keys never share a cluster
	terms []string
}

// similarity is the Jaccard similarity, against a cluster's first inquiry,
// above which an inquiry joins the cluster.
const similarity = 0.4

// cluster groups items greedily, in order: an item joins the existing
// cluster with the same key whose first item shares the most of its terms
// (Jaccard similarity at least 0.4), or starts a new one. Items without terms
// group by key alone. It returns the groups as indexes into items, each in
// item order, groups in order of their first item.
//
// Candidate clusters come from an inverted index of the seeds' terms, so
// the cost grows with the postings an item touches, not with every pair.
func cluster(items []clusterItem) [][]int {
	type seed struct {
		key   string
		terms []string
	}
	var (
		seeds    []seed
		groups   [][]int
		postings = map[string][]int{} // key + "\x00" + term → seeds
		bare     = map[string]int{}   // key → group of items without terms
		overlap  []int                // per seed, reused
		touched  []int
	)
	for i, it := range items {
		if len(it.terms) == 0 {
			g, ok := bare[it.key]
			if !ok {
				g = len(groups)
				bare[it.key] = g
				groups = append(groups, nil)
				seeds = append(seeds, seed{key: it.key})
				overlap = append(overlap, 0)
			}
			groups[g] = append(groups[g], i)
			continue
		}
		for _, t := range it.terms {
			for _, s := range postings[it.key+"\x00"+t] {
				if overlap[s] == 0 {
					touched = append(touched, s)
				}
				overlap[s]++
			}
		}
		best, bestSim := -1, 0.0
		for _, s := range touched {
			inter := overlap[s]
			sim := float64(inter) / float64(len(it.terms)+len(seeds[s].terms)-inter)
			if sim >= similarity && (sim > bestSim || sim == bestSim && s < best) {
				best, bestSim = s, sim
			}
			overlap[s] = 0
		}
		touched = touched[:0]
		if best >= 0 {
			groups[best] = append(groups[best], i)
			continue
		}
		s := len(seeds)
		seeds = append(seeds, seed{key: it.key, terms: it.terms})
		overlap = append(overlap, 0)
		groups = append(groups, []int{i})
		for _, t := range it.terms {
			k := it.key + "\x00" + t
			postings[k] = append(postings[k], s)
		}
	}
	return groups
}

// topTerms returns up to n terms the most items of a group use, most used
// first, ties alphabetically.
func topTerms(items []clusterItem, group []int, n int) []string {
	freq := map[string]int{}
	for _, i := range group {
		for _, t := range items[i].terms {
			freq[t]++
		}
	}
	ts := make([]string, 0, len(freq))
	for t := range freq {
		ts = append(ts, t)
	}
	slices.SortFunc(ts, func(a, b string) int {
		if c := cmp.Compare(freq[b], freq[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	if len(ts) > n {
		ts = ts[:n]
	}
	return ts
}
