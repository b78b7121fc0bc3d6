package knowledge

import "strings"

// Limits of the thread a follow-up is read with: a thread of hundreds of
// replies costs no more than one of three.
const (
	maxContextMessages = 3
	maxContextChars    = 500
	// maxFollowUpTerms is the most searchable words a message may have and
	// still be searched with its thread: a longer one says what it asks.
	maxFollowUpTerms = 6
	// maxContextTerms caps the words the thread adds to the search.
	maxContextTerms = 16
)

// threadContext picks the messages of a thread a follow-up is read with:
// the first (the inquiry's question) and the last ones before the
// follow-up (usually koban's answer), each cut to maxContextChars and
// cleaned for search.
func threadContext(msgs []string) []string {
	var out []string
	for _, m := range threadPick(msgs) {
		c := truncate(CleanQuery(m), maxContextChars)
		if strings.TrimSpace(c) != "" {
			out = append(out, c)
		}
	}
	return out
}

// threadPick picks the first message of a thread and the last ones, each
// cut to a few times maxContextChars, as they were written.
func threadPick(msgs []string) []string {
	var pick []string
	switch n := len(msgs); {
	case n == 0:
		return nil
	case n <= maxContextMessages:
		pick = msgs
	default:
		pick = append([]string{msgs[0]}, msgs[n-maxContextMessages+1:]...)
	}
	out := make([]string, len(pick))
	for i, m := range pick {
		out[i] = truncate(m, maxContextChars*4)
	}
	return out
}

// withContext adds to query the searchable words of the thread not in it,
// the thread's first message first, up to maxContextTerms.
func withContext(query string, thread []string) string {
	have := map[string]bool{}
	for _, t := range queryTerms(query) {
		have[t] = true
	}
	var add []string
	for _, m := range thread {
		for _, t := range queryTerms(m) {
			if len(add) == maxContextTerms {
				break
			}
			if !have[t] {
				have[t] = true
				add = append(add, t)
			}
		}
	}
	if len(add) == 0 {
		return query
	}
	return query + " " + strings.Join(add, " ")
}
