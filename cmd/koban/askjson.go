package main

import (
	"context"
	"fmt"

	"github.com/kobanhq/koban"
	docsindex "github.com/kobanhq/koban/docs-index"
	"github.com/kobanhq/koban/eval"
	"github.com/kobanhq/koban/llm/openai"
)

// printAskJSON triages the answered question from the docs alone (no past
// labels: ask opens no database) and prints it as koban eval --out prints
// a case: what koban would decide and what the asker would see (the answer
// svc composes from the procedure page triage names, as the desk replies).
func printAskJSON(ctx context.Context, a *app, cl *openai.Client, svc koban.Answerer, q koban.Question, ans koban.Answer) error {
	tr, err := wireTriage(ctx, a, nil, wireClassifier(a, cl), nil)
	if err != nil {
		return err
	}
	t, err := tr.Triage(ctx, q, ans)
	if err != nil {
		return fmt.Errorf("ask: triage: %w", err)
	}
	lang := q.Lang
	if lang == "" {
		lang = docsindex.DetectLang(q.Text)
	}
	o := eval.NewOutcome(eval.Case{ID: "ask", Question: q.Text, Lang: lang}, ans, &t, ans.Took)
	if err := o.Recompose(ctx, svc); err != nil {
		a.log.Warn("answer from the procedure page", "page", t.Procedure, "err", err)
	}
	rep := &eval.Report{Outcomes: []eval.Outcome{o}}
	return rep.WriteCases(a.stdout)
}
