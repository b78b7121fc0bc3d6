package eval

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/kobanhq/koban"
)

// procedureDocs answers every question from a.md, and from any other page of
// its ranked list when asked to; it has no page gone.md.
type procedureDocs struct{}

var procedurePages = []koban.Citation{
	{Path: "a.md", Anchor: "grant", Lang: "en"},
	{Path: "b.md", Anchor: "create", Lang: "en"},
}

func (procedureDocs) Answer(context.Context, koban.Question) (koban.Answer, error) {
	return koban.Answer{Known: true, Confidence: 0.8, Text: "Grant the role.", Citations: procedurePages[:1], Pages: procedurePages}, nil
}

func (procedureDocs) AnswerFrom(_ context.Context, _ koban.Question, page string) (koban.Answer, error) {
	if page != "b.md" {
		return koban.Answer{}, koban.Errorf(koban.ENotFound, "no page %s", page)
	}
	return koban.Answer{Known: true, Confidence: 0.8, Text: "Run `make topic`.", Citations: procedurePages[1:],
		Pages: []koban.Citation{procedurePages[1], procedurePages[0]}}, nil
}

// procedureTriager answers, naming the page its question names after "#",
// and records the answer texts it triaged.
type procedureTriager struct{ read []string }

func (p *procedureTriager) Triage(_ context.Context, q koban.Question, a koban.Answer) (koban.Triage, error) {
	p.read = append(p.read, a.Text)
	_, page, _ := strings.Cut(q.Text, "#")
	return koban.Triage{Label: koban.Label{Category: koban.SelfSolvable}, Decision: koban.DecideAnswer, Procedure: page}, nil
}

// TestRunnerShowsProcedureAnswer checks that the evaluation shows what the
// desk replies: the answer composed from the procedure page triage names,
// while retrieval and triage are judged on the answer retrieval gave.
func TestRunnerShowsProcedureAnswer(t *testing.T) {
	cases, err := ReadCases(strings.NewReader(`
{"id": "named", "question": "make one #b.md", "lang": "en", "category": "self-solvable", "relevant_docs": ["b.md"], "answer_key": ["make topic"], "relevant_sections": ["b.md#create"]}
{"id": "none", "question": "make one", "lang": "en", "category": "self-solvable", "relevant_docs": ["b.md"], "answer_key": ["make topic"], "relevant_sections": ["b.md#create"]}
{"id": "gone", "question": "make one #gone.md", "lang": "en", "category": "self-solvable", "relevant_docs": ["b.md"], "answer_key": ["make topic"], "relevant_sections": ["b.md#create"]}
`), "cases.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	tr := &procedureTriager{}
	rep, err := (&Runner{Answerer: procedureDocs{}, Triager: tr}).Run(context.Background(), cases)
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range tr.read {
		if text != "Grant the role." {
			t.Errorf("triage read %q, want the answer retrieval gave", text)
		}
	}
	if !near(rep.Retrieval.RecallAt1, 0) || !near(rep.Retrieval.MRRAt10, 0.5) {
		t.Errorf("recall@1, MRR@10 = %.3f, %.3f; want 0, 1/2: the ranking retrieval gave", rep.Retrieval.RecallAt1, rep.Retrieval.MRRAt10)
	}
	if rep.Answers == nil || rep.Answers.KeyHits != 1 || !near(rep.Answers.SectionRecallAt3, 1) {
		t.Errorf("answers = %+v, want 1 key hit (the named procedure) and every relevant section among the first three", rep.Answers)
	}
	var buf bytes.Buffer
	if err := rep.WriteCases(&buf); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"named": "Run `make topic`.", "none": "Grant the role.", "gone": "Grant the role."}
	dec := json.NewDecoder(&buf)
	seen := map[string]bool{}
	for dec.More() {
		var l struct {
			ID        string   `json:"id"`
			Answer    string   `json:"answer"`
			Sections  []string `json:"sections"`
			Procedure string   `json:"procedure"`
		}
		if err := dec.Decode(&l); err != nil {
			t.Fatal(err)
		}
		seen[l.ID] = true
		if _, page, _ := strings.Cut(cases[0].Question, "#"); l.ID == "named" && l.Procedure != page {
			t.Errorf("case %s: procedure %q, want %q", l.ID, l.Procedure, page)
		}
		if l.Answer != want[l.ID] {
			t.Errorf("case %s shows %q, want %q", l.ID, l.Answer, want[l.ID])
		}
		if lead := strings.HasPrefix(l.Answer, "Run"); lead != (len(l.Sections) > 0 && l.Sections[0] == "b.md#create") {
			t.Errorf("case %s: sections %v do not follow the answer shown %q", l.ID, l.Sections, l.Answer)
		}
	}
	for id := range want {
		if !seen[id] {
			t.Errorf("no case line for %s", id)
		}
	}
}
