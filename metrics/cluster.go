package metrics

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kobanhq/koban/internal/textproc"
)

// terms returns the distinct content words of a question, sorted, as
// textproc's tokenizer splits it (hyphens and underscores kept inside
// words: "kube-proxy"). Latin words are kept when they have three letters
// or more, are not on the stop list and are not numbers, their plural
// folded (textproc.Plurals: the report shows them, so no stem). Japanese
// has no spaces, but hiragana mostly carries grammar (particles, endings),
// so each run of kanji or of katakana is taken as one word: "本番データベース
// の権限がほしい" gives 本番, データベース, 権限.
func terms(text string) []string {
	var out []string
	words.Scan(text, func(w string, s textproc.Script) bool {
		switch s {
		case textproc.Hiragana:
			return true
		case textproc.Han, textproc.Katakana, textproc.Hangul:
			if utf8.RuneCountInString(w) < 2 {
				return true
			}
		default:
			if utf8.RuneCountInString(w) < 3 || textproc.IsStop(w) || isNumber(w) {
				return true
			}
			w = textproc.Plurals.Stem(w)
		}
		// A copy: the words would keep the whole lower-cased text alive.
		out = append(out, strings.Clone(w))
		return true
	})
	slices.Sort(out)
	return slices.Compact(out)
}

// words is the tokenizer of questions' terms.
var words = textproc.Tokenizer{Joiners: "-_", ByScript: true}

func isNumber(w string) bool {
	return strings.IndexFunc(w, func(r rune) bool { return !unicode.IsDigit(r) && r != '-' && r != '_' }) < 0
}

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
