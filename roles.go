package koban

import "context"

// The roles that more than one package drives: the desk when it processes
// an inquiry, the evaluation harness when it replays labelled questions.

// Answerer answers a question from the docs (package knowledge). Its
// Answer.Pages are the ranked pages retrieved, best section of each; a
// question it cannot search is an EInvalid error.
type Answerer interface {
	Answer(ctx context.Context, q Question) (Answer, error)
}

// Triager classifies a question given the answer koban found (package
// triage): category, domain, urgency and what to do.
type Triager interface {
	Triage(ctx context.Context, q Question, a Answer) (Triage, error)
}

// Learner takes a human's label for a question as evidence for future
// triage; EInvalid for a label it refuses.
type Learner interface {
	Learn(ctx context.Context, q Question, l Label, d Domain) error
}

// Redactor masks secrets in text and says how many (package redact).
type Redactor interface {
	Redact(text string) (masked string, n int)
}
