package store

import (
	"strings"
	"unicode"
)

// SearchTerm is one term of a text search: a word or a quoted phrase,
// wanted or, with a leading "-", excluded.
type SearchTerm struct {
	Text    string
	Exclude bool
}

// SearchTerms splits a search into its terms, the syntax of PostgreSQL's
// websearch_to_tsquery: words, "quoted phrases" and -excluded words. Terms
// are lower case.
func SearchTerms(q string) []SearchTerm {
	var out []SearchTerm
	rs := []rune(strings.ToLower(q))
	for i := 0; i < len(rs); {
		if unicode.IsSpace(rs[i]) {
			i++
			continue
		}
		exclude := rs[i] == '-'
		if exclude {
			i++
		}
		var term string
		if i < len(rs) && rs[i] == '"' {
			end := i + 1
			for end < len(rs) && rs[end] != '"' {
				end++
			}
			term = strings.Join(strings.Fields(string(rs[i+1:min(end, len(rs))])), " ")
			i = end + 1
		} else {
			end := i
			for end < len(rs) && !unicode.IsSpace(rs[end]) {
				end++
			}
			term = strings.Trim(string(rs[i:end]), `"`)
			i = end
		}
		if term != "" {
			out = append(out, SearchTerm{Text: term, Exclude: exclude})
		}
	}
	return out
}

// unspaced reports whether s has Japanese or Chinese characters, whose
// words are not separated by spaces: full-text search does not find them.
func unspaced(s string) bool {
	for _, r := range s {
		if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) {
			return true
		}
	}
	return false
}

// textMatch returns the conditions selecting inquiries whose text matches
// the search q; arg binds a value and returns its placeholder.
func (s *Store) textMatch(q string, arg func(any) string) []string {
	if s.dialect == postgresDialect && !unspaced(q) {
		return []string{"to_tsvector('simple', text) @@ websearch_to_tsquery('simple', " + arg(q) + "::text)"}
	}
	var where []string
	for _, t := range SearchTerms(q) {
		p := arg(t.Text)
		cond := "instr(lower(text), " + p + ") > 0"
		if s.dialect == postgresDialect {
			cond = "strpos(lower(text), " + p + "::text) > 0"
		}
		if t.Exclude {
			cond = "NOT " + cond
		}
		where = append(where, cond)
	}
	if len(where) == 0 {
		return []string{"1 = 0"} // only quotes and dashes: nothing to find
	}
	return where
}
