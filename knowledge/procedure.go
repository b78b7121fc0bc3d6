package knowledge

import (
	"context"

	"github.com/kobanhq/koban"
)

// AnswerFrom answers q as Answer does, but composed from the ranked page
// whose Path is page: the answer quotes that page (the section that
// answers, and a second one when it answers nearly as well) and lists the
// other pages after it. It is for a request that a page describes doing
// (koban.Triage.Procedure): that page answers, whichever page ranks first.
// Pages holds the page first, then the others as ranked; Confidence and
// Known are those of the retrieval, as in Answer. No page given is a
// koban.EInvalid error, a page the question does not retrieve a
// koban.ENotFound error; other errors are Answer's.
func (s *Service) AnswerFrom(ctx context.Context, q koban.Question, page string) (koban.Answer, error) {
	if page == "" {
		return koban.Answer{}, koban.Errorf(koban.EInvalid, "answer from a page: no page given")
	}
	return s.answer(ctx, q, page)
}

// ledBy returns the ranked pages to compose an answer from, and compose's
// max (the citations after which no further page is quoted): pages as
// ranked and the configured MaxCitations when from is empty; otherwise the
// page whose Path is from first, then the others in rank order, and 1, so
// that only that page is quoted (its best section, and a second one when
// it answers nearly as well): the other pages rank above it for the
// question's words, not for what it asks to have done, so they are listed
// rather than quoted.
func (s *Service) ledBy(pages []*page, from string) ([]*page, int, error) {
	if from == "" {
		return pages, s.cfg.MaxCitations, nil
	}
	for i, p := range pages {
		if p.best.Path != from {
			continue
		}
		out := make([]*page, 0, len(pages))
		out = append(out, p)
		out = append(out, pages[:i]...)
		out = append(out, pages[i+1:]...)
		return out, 1, nil
	}
	return nil, 0, koban.Errorf(koban.ENotFound, "the docs page %q is not among the pages found for the question", from)
}

// AnswerFrom is Answer with the base answer composed from page (see
// Service.AnswerFrom): the model writes it from that page's sections
// first. A base that cannot compose from a page is a koban.EInvalid
// error.
func (g *Grounded) AnswerFrom(ctx context.Context, q koban.Question, page string) (koban.Answer, error) {
	pa, ok := g.base.(koban.PageAnswerer)
	if !ok {
		return koban.Answer{}, koban.Errorf(koban.EInvalid, "answer from a page: %T cannot compose from a given page", g.base)
	}
	ans, err := pa.AnswerFrom(ctx, q, page)
	if err != nil {
		return ans, err
	}
	return g.finish(ctx, q, ans)
}

// AnswerFrom is Answer with both answers composed from page (see
// Service.AnswerFrom). An answerer that cannot compose from a page is a
// koban.EInvalid error.
func (c *CodeChecked) AnswerFrom(ctx context.Context, q koban.Question, page string) (koban.Answer, error) {
	written, ok1 := c.written.(koban.PageAnswerer)
	extractive, ok2 := c.extractive.(koban.PageAnswerer)
	if !ok1 || !ok2 {
		return koban.Answer{}, koban.Errorf(koban.EInvalid, "answer from a page: %T or %T cannot compose from a given page", c.written, c.extractive)
	}
	from := func(pa koban.PageAnswerer) answerFunc {
		return func(ctx context.Context, q koban.Question) (koban.Answer, error) { return pa.AnswerFrom(ctx, q, page) }
	}
	return c.check(ctx, q, from(written), from(extractive))
}

// answerFunc answers a question, as Answerer.Answer does.
type answerFunc func(ctx context.Context, q koban.Question) (koban.Answer, error)

// The answerers cmd/koban wires compose from a page: the desk and the
// evaluation find it out at run time (koban.ReplyAnswer).
var (
	_ koban.PageAnswerer = (*Service)(nil)
	_ koban.PageAnswerer = (*Grounded)(nil)
	_ koban.PageAnswerer = (*CodeChecked)(nil)
)
