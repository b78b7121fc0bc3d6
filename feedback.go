package koban

// Feedback is what the asker says of koban's reply, by its buttons (in
// Slack or on the web). It is Data["feedback"] of the feedback, resolved
// and escalated events it causes, and what the monthly report counts.
type Feedback string

// The asker's feedback.
const (
	// FeedbackSolved: koban's answer solved it.
	FeedbackSolved Feedback = "solved"
	// FeedbackNeedHuman: the asker wants a human.
	FeedbackNeedHuman Feedback = "need-human"
	// FeedbackDocsWrong: the docs are wrong or missing; a human is brought in.
	FeedbackDocsWrong Feedback = "docs-wrong"
	// FeedbackSuggestionSolved: the pages koban suggested while bringing in
	// the on-call solved it, before any human replied.
	FeedbackSuggestionSolved Feedback = "suggestion-solved"
)

// Feedback returns the asker's feedback that e records, or "" when it
// records none.
func (e Event) Feedback() Feedback { return Feedback(e.Data["feedback"]) }
