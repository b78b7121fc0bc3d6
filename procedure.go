package koban

import "context"

// PageAnswerer composes the answer to a question from one given page of the
// pages retrieval ranks for it (package knowledge): the page, named by its
// Path, leads the answer. A page retrieval does not rank for the question
// is an ENotFound error; no page given, or an answerer that wraps one
// unable to compose from a page, is an EInvalid error.
type PageAnswerer interface {
	AnswerFrom(ctx context.Context, q Question, page string) (Answer, error)
}

// ReplyAnswer returns the answer koban replies with to q, answered ans by a
// and triaged t. It is ans, unless koban answers (ans is known, t decides to
// answer and is not urgent) a request whose procedure page (t.Procedure)
// ans does not lead with: then it is the answer a composes from that page,
// when a is a PageAnswerer and that answer is known and leads with the
// page. On error it returns ans with the error, so that the
// caller can still reply with it.
func ReplyAnswer(ctx context.Context, a Answerer, q Question, ans Answer, t Triage) (Answer, error) {
	if t.Decision != DecideAnswer || t.Urgent || !ans.Known || t.Procedure == "" || ans.leadsWith(t.Procedure) {
		return ans, nil
	}
	pa, ok := a.(PageAnswerer)
	if !ok {
		return ans, nil
	}
	out, err := pa.AnswerFrom(ctx, q, t.Procedure)
	if err != nil {
		return ans, err
	}
	if !out.Known || !out.leadsWith(t.Procedure) {
		return ans, nil
	}
	out.Tokens += ans.Tokens
	out.Took += ans.Took
	return out, nil
}

// leadsWith says whether the first section a cites is on the page path.
func (a Answer) leadsWith(path string) bool {
	return len(a.Citations) > 0 && a.Citations[0].Path == path
}
