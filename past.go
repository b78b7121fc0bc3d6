package koban

import "time"

// PastAnswer is what a person answered when resolving an inquiry, kept so
// that the next person who asks something similar sees it. It is never a
// docs section: replies show it apart from the docs, after them.
type PastAnswer struct {
	ID         int64
	InquiryID  int64
	Question   string // the inquiry's redacted text
	Answer     string // the answer: redacted, with Slack mentions and broadcasts made inert
	AnsweredBy string // Slack user ID (or the web actor) of who answered
	Label      Label  // the human label of the inquiry
	Domain     Domain
	Lang       string
	Link       string // the conversation: a Slack permalink or the web UI's page
	AnsweredAt time.Time
	RemovedAt  time.Time // zero while it may be shown
	RemovedBy  string

	// Score is how similar the entry is to the question it was found for,
	// in [0,1]; set by the search, not stored.
	Score float64
}

// Removed reports whether a responder removed the entry: it is never shown again.
func (p *PastAnswer) Removed() bool { return !p.RemovedAt.IsZero() }
