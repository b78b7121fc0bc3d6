package koban

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

// pageAnswerer answers from a page with what it is given, and counts calls.
type pageAnswerer struct {
	ans   Answer
	err   error
	calls []string
}

func (p *pageAnswerer) Answer(context.Context, Question) (Answer, error) { return Answer{}, nil }

func (p *pageAnswerer) AnswerFrom(_ context.Context, _ Question, page string) (Answer, error) {
	p.calls = append(p.calls, page)
	return p.ans, p.err
}

// answerOnly cannot compose from a page.
type answerOnly struct{}

func (answerOnly) Answer(context.Context, Question) (Answer, error) { return Answer{}, nil }

func TestReplyAnswer(t *testing.T) {
	const proc = "how-to/create-a-topic.md"
	first := Answer{Text: "Grant access first.", Known: true, Confidence: 0.7, Tokens: 3, Took: time.Second,
		Citations: []Citation{{Path: "how-to/grant-access.md"}}}
	fromProc := Answer{Text: "Create the topic.", Known: true, Confidence: 0.7, Tokens: 2, Took: time.Second,
		Citations: []Citation{{Path: proc}}}
	answer := Triage{Decision: DecideAnswer, Procedure: proc}
	with := func(t Triage, f func(*Triage)) Triage { f(&t); return t }
	boom := errors.New("index closed")
	tests := []struct {
		name      string
		ans       Answer
		t         Triage
		from      Answer
		fromErr   error
		plain     bool // the Answerer cannot compose from a page
		want      Answer
		wantErr   error
		wantCalls int
	}{
		{"answered request led by another page", first, answer, fromProc, nil, false,
			Answer{Text: "Create the topic.", Known: true, Confidence: 0.7, Tokens: 5, Took: 2 * time.Second, Citations: []Citation{{Path: proc}}}, nil, 1},
		{"already led by the procedure", fromProc, answer, first, nil, false, fromProc, nil, 0},
		{"no procedure page", first, with(answer, func(t *Triage) { t.Procedure = "" }), fromProc, nil, false, first, nil, 0},
		{"suggested, not answered", first, with(answer, func(t *Triage) { t.Decision = DecideSuggest }), fromProc, nil, false, first, nil, 0},
		{"urgent", first, with(answer, func(t *Triage) { t.Urgent = true }), fromProc, nil, false, first, nil, 0},
		{"answer not known", Answer{Citations: first.Citations}, answer, fromProc, nil, false, Answer{Citations: first.Citations}, nil, 0},
		{"answerer cannot compose from a page", first, answer, fromProc, nil, true, first, nil, 0},
		{"composing fails", first, answer, Answer{}, boom, false, first, boom, 1},
		{"the page has nothing to quote", first, answer, Answer{Confidence: 0.7}, nil, false, first, nil, 1},
		{"composed answer led by another page", first, answer, first, nil, false, first, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pa := &pageAnswerer{ans: tt.from, err: tt.fromErr}
			var a Answerer = pa
			if tt.plain {
				a = answerOnly{}
			}
			got, err := ReplyAnswer(context.Background(), a, Question{Text: "q"}, tt.ans, tt.t)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v, want %v", err, tt.wantErr)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("answer\n%+v\nwant\n%+v", got, tt.want)
			}
			if len(pa.calls) != tt.wantCalls || tt.wantCalls > 0 && pa.calls[0] != proc {
				t.Errorf("AnswerFrom calls %q, want %d for %s", pa.calls, tt.wantCalls, proc)
			}
		})
	}
}

// TestSuggestedPages checks the pages listed beside an escalation: one a
// page, at most MaxSuggested, the request's procedure page first when it
// is ranked at all, the cited pages when none are ranked.
func TestSuggestedPages(t *testing.T) {
	pages := func(paths ...string) []Citation {
		var out []Citation
		for _, p := range paths {
			out = append(out, Citation{Path: p})
		}
		return out
	}
	paths := func(cs []Citation) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Path)
		}
		return out
	}
	tests := []struct {
		name      string
		a         Answer
		procedure string
		want      []string
	}{
		{"ranked order", Answer{Pages: pages("a", "b", "c")}, "", []string{"a", "b", "c"}},
		{"one entry a page", Answer{Pages: pages("a", "a", "b", "", "b")}, "", []string{"a", "b"}},
		{"at most five", Answer{Pages: pages("a", "b", "c", "d", "e", "f", "g")}, "", []string{"a", "b", "c", "d", "e"}},
		{"procedure first", Answer{Pages: pages("a", "b", "c", "d", "e", "f")}, "d", []string{"d", "a", "b", "c", "e"}},
		{"procedure below the fifth", Answer{Pages: pages("a", "b", "c", "d", "e", "f")}, "f", []string{"f", "a", "b", "c", "d"}},
		{"procedure not ranked", Answer{Pages: pages("a", "b")}, "z", []string{"a", "b"}},
		{"cited pages when none ranked", Answer{Citations: pages("x", "y", "x")}, "", []string{"x", "y"}},
		{"nothing", Answer{}, "a", nil},
	}
	for _, tt := range tests {
		if got := paths(SuggestedPages(tt.a, tt.procedure)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: SuggestedPages = %v, want %v", tt.name, got, tt.want)
		}
	}
}
