package koban

import (
	"strings"
	"time"
)

// Question is what the knowledge and triage services are asked.
type Question struct {
	Text    string   // redacted question text
	Lang    string   // "en", "ja", or "" to detect
	Context []string // earlier messages of the same thread, oldest first
}

// Citation is one docs section an answer rests on.
type Citation struct {
	Path     string   // page path relative to its docs source, e.g. "how-to/request-a-database.md"
	Title    string   // page title
	Section  string   // breadcrumb, e.g. "Request a database > Sizes"
	Anchor   string   // deep-link anchor, without '#'
	URL      string   // link to the section; empty when the source has no base URL
	Quadrant Quadrant // Diátaxis quadrant of the page
	Lang     string   // language of the page
	Snippet  string   // the passage quoted from the section, or a listed page's glimpse
	// Quoted says the Snippet is what the answer quotes; false, a page
	// listed with a glimpse picked for the question's words.
	Quoted bool    `json:",omitempty"`
	Score  float64 // retrieval score (engine-specific, higher is better)
}

// MaxSuggested is how many pages are listed to the asker while the on-call
// is brought in: a few to read, not a search result page.
const MaxSuggested = 5

// SuggestedPages are the pages listed to the asker while the on-call is
// brought in: the ranked pages of a (its cited ones when it ranks none),
// one entry a page, at most MaxSuggested, with the procedure page triage
// found for a request (Triage.Procedure; "" for none) first when a ranks it.
func SuggestedPages(a Answer, procedure string) []Citation {
	pages := a.Pages
	if len(pages) == 0 {
		pages = a.Citations
	}
	var out []Citation
	seen := map[string]bool{}
	add := func(c Citation) {
		if c.Path != "" && !seen[c.Path] && len(out) < MaxSuggested {
			seen[c.Path] = true
			out = append(out, c)
		}
	}
	if procedure != "" {
		for _, c := range pages {
			if c.Path == procedure {
				add(c)
				break
			}
		}
	}
	for _, c := range pages {
		add(c)
	}
	return out
}

// maxGlimpseRunes bounds the passage a listed page is shown with.
const maxGlimpseRunes = 300

// RelatedHead is the line that opens the pages an extractive answer lists
// after what it quotes, in lang ("en" or "ja").
func RelatedHead(lang string) string {
	if lang == "ja" {
		return "関連するページ:"
	}
	return "Also related:"
}

// Passage is the answer's text without the pages it lists at its end
// (after RelatedHead): what a suggestion shows above its own list of the
// same pages.
func (a Answer) Passage() string {
	text := a.Text
	for _, lang := range []string{"en", "ja"} {
		if i := strings.LastIndex(text, "\n"+RelatedHead(lang)+"\n"); i >= 0 {
			text = text[:i]
		}
	}
	return strings.TrimRight(text, "\n")
}

// Glimpse is the passage a listed page is shown with: its snippet on one
// line, at most 300 characters.
func (c Citation) Glimpse() string {
	s := []rune(strings.Join(strings.Fields(c.Snippet), " "))
	if len(s) <= maxGlimpseRunes {
		return string(s)
	}
	return string(s[:maxGlimpseRunes-1]) + "…"
}

// Answer is koban's reply to a Question.
type Answer struct {
	Text string // the answer in Markdown; empty when Known is false
	Lang string // language of the answer

	// Known is false when koban does not know: the caller escalates.
	Known      bool
	Confidence float64 // in [0,1], from retrieval evidence

	Citations []Citation // the sections cited in Text
	Pages     []Citation // ranked pages retrieved (best section of each), for triage and evaluation

	Model  string // LLM model that wrote Text; "" for an extractive answer
	Tokens int    // LLM tokens spent
	Took   time.Duration
}

// Decision is what triage decides to do with an inquiry.
type Decision string

// The decisions. Suggest shows the asker the related pages and brings the
// on-call too; Ignore is for a message that asks for nothing (it creates no
// inquiry).
const (
	DecideAnswer   Decision = "answer"   // reply from the docs
	DecideSuggest  Decision = "suggest"  // show related pages and bring the on-call
	DecideEscalate Decision = "escalate" // bring the on-call
	DecideIgnore   Decision = "ignore"   // not an inquiry
)

// Triage is the triage of one inquiry.
type Triage struct {
	Label            Label
	Confidence       float64 // confidence in Label, in [0,1]
	Domain           Domain
	DomainConfidence float64
	Decision         Decision
	Urgent           bool     // production down, an outage or a security issue: escalate at once
	Reasons          []Reason // the signals that decided it, short enough for the on-call
	// Procedure is the Path (as in Citation.Path) of the ranked page that
	// describes doing what a request asks for, when triage found one; ""
	// otherwise. An answer to the request leads with that page (see
	// ReplyAnswer). A ranked list holds the docs of one language, where a
	// path names one page unless two docs sources hold the same path: then
	// it names the better ranked of them.
	Procedure string `json:",omitempty"`
}

// Detection says whether a message in a channel asks for anything. Mentions,
// DMs and /koban ask are always inquiries; a channel message that thanks,
// greets, announces or chats is not, and must page no one.
type Detection struct {
	Inquiry    bool
	Confidence float64 // that the message is an inquiry, in [0,1]
	Reason     string  // short, for logs
}

// Shift is one person's turn on call in a rotation, in [Start, End).
type Shift struct {
	Rotation string
	Person   string // Slack user ID
	Start    time.Time
	End      time.Time
	Override bool // set by a cover or swap rather than the rotation order
}
