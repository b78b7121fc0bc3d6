package triage

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/internal/textproc"
)

// Requests that the docs answer. App teams often ask the platform team for
// something they could do themselves: "we need a project created" when the
// docs describe how to create one. The request cues then mislead; what
// decides is whether a page describes doing exactly what is asked. That
// page must be an instruction (not an explanation), about the asked thing
// (its title's words are in the request), and not itself a request
// procedure ("Request a quota adjustment" documents how to ask the team).

// selfServeConfidence is the retrieval confidence below which no page is
// taken to describe what a request asks for.
const selfServeConfidence = 0.5

// selfServePages is how many of the best pages are looked at: the page
// about the asked thing is not always first when a request form repeats
// other words (names, roles, environments), and the title test below, not
// the rank, is what says the page is about the asked thing.
const selfServePages = 5

// selfServeWeight is the weight a documented procedure adds to
// self-solvable (its demand cues are also cleared, see retrievalFeatures).
const selfServeWeight = 1.5

// grantRE finds, in what a request asks for, access or permissions:
// granted by someone who holds them, so the platform team acts even when
// the docs describe how.
var grantRE = regexp.MustCompile(`(?i)\b(?:access|permissions?|rbac|role ?bindings?|admin rights|privileges?)\b|権限|アクセス`)

// grantAskRE finds, anywhere in a message, an ask to grant access besides
// the thing requested ("… and give Sam access to it").
var grantAskRE = regexp.MustCompile(`(?i)\b(?:grant|give|add|provide)\b(?:\s+\S+){0,4}?\s+(?:access|permissions?|rights|privileges?|role ?bindings?)\b|権限(?:を)?(?:付与|追加|ください|下さい)`)

// requestTitleRE finds pages that document how to ask the platform team.
var requestTitleRE = regexp.MustCompile(`(?i)\b(?:requests?|requesting|ask|contact|apply for)\b|申請|依頼`)

// docsLinkRE finds a link to a docs page: the asker has read it already.
var docsLinkRE = regexp.MustCompile(`(?i)https?://\S*(?:docs?|guide|documentation)\S*`)

// titleFiller are the words of page titles that say nothing about the
// subject, besides the stop list's.
var titleFiller = wordSet(`new own set setup up started guide overview introduction via`)

// documentedRequest sets ev.selfServe and ev.procedure (the page's Path) and
// weighs self-solvable when a request is answered by a page that describes
// doing exactly what is asked.
func (ev *evidence) documentedRequest(text string, a koban.Answer) {
	if !ev.has(sigAct, sigRequest) || ev.has(sigFollowed, sigOutage, sigBug, sigDocsIssue, sigFeature) {
		return
	}
	if clamp01(a.Confidence) < selfServeConfidence || grantAskRE.MatchString(text) || docsLinkRE.MatchString(text) {
		return
	}
	// Access named elsewhere ("we have no access to the old one") asks
	// for nothing; named in the subject, it is what is asked.
	asked := strings.ToLower(subject(linkRE.ReplaceAllString(truncateRunes(text, maxTextRunes), " ")))
	if grantRE.MatchString(asked) {
		return
	}
	stems := make(map[string]bool)
	for _, w := range textproc.Words(asked) {
		if !textproc.IsCJK(firstRune(w)) {
			stems[textproc.Stem(w)] = true
		}
	}
	for i, p := range a.Pages {
		if i == selfServePages {
			break
		}
		title := pageTitle(p)
		if p.Quadrant == koban.Explanation || title == "" || requestTitleRE.MatchString(title) {
			continue
		}
		if matched, total := titleOverlap(title, asked, stems); matched >= 2 && 3*matched >= 2*total {
			ev.selfServe, ev.procedure = true, p.Path
			ev.scores[koban.SelfSolvable] += selfServeWeight
			ev.reasons = append(ev.reasons, koban.Why("why.self_serve_page", "Title", strconv.Quote(shorten(title, 60))))
			return
		}
	}
}

// subject is the first sentence or line of a message: what a request asks
// for. The fields of a filled-in form after it (names, channels, secrets)
// would match pages about other things. A greeting that opens the message
// ("Hi team!") is passed over for the sentence after it.
func subject(text string) string {
	text = strings.TrimSpace(text)
	i := subjectEndRE.FindStringIndex(text)
	if i == nil {
		return text
	}
	// The sentence ends with its punctuation, which may be a multi-byte
	// rune ("。").
	_, n := utf8.DecodeRuneInString(text[i[0]:])
	if first := text[:i[0]+n]; !greetingOnlyRE.MatchString(first) {
		return first
	}
	return subject(text[i[1]:])
}

// greetingOnlyRE is a sentence that only greets or addresses the team.
var greetingOnlyRE = regexp.MustCompile(`(?i)^\W*(?:hi|hello|hey|hiya|morning|good (?:morning|afternoon|evening)|dear|greetings)(?:\s+(?:there|all|everyone|folks|team|\S+ team))?\W*$`)

var subjectEndRE = regexp.MustCompile(`[.?!:;。？！\n]\s`)

// pageTitle is the title of a page, or the first part of its breadcrumb.
func pageTitle(p koban.Citation) string {
	if t := strings.TrimSpace(p.Title); t != "" {
		return t
	}
	t, _, _ := strings.Cut(p.Section, " > ")
	return strings.TrimSpace(t)
}

// titleOverlap counts the subject words of a page title and how many of them
// the asked text has: Latin words by stem (textproc.Stem), CJK runs as
// substrings.
func titleOverlap(title, asked string, stems map[string]bool) (matched, total int) {
	for _, w := range textproc.Words(strings.ToLower(title)) {
		if textproc.IsCJK(firstRune(w)) {
			if utf8.RuneCountInString(w) < 2 {
				continue
			}
			total++
			if strings.Contains(asked, w) {
				matched++
			}
			continue
		}
		if utf8.RuneCountInString(w) < 3 || textproc.IsStop(w) || titleFiller[w] {
			continue
		}
		total++
		if stems[textproc.Stem(w)] {
			matched++
		}
	}
	return matched, total
}
