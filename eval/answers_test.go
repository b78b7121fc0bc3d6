package eval

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/kobanhq/koban"
)

func TestKeyHit(t *testing.T) {
	tests := []struct {
		name     string
		question string
		keys     []string
		shown    string
		hit, ok  bool
	}{
		{"found, any case", "how do I roll back?", []string{"hoshi rollback", "--to"}, "Run `HOSHI ROLLBACK api`", true, true},
		{"not found", "how do I roll back?", []string{"hoshi rollback"}, "Ask the on-call.", false, true},
		{"key in the question does not count", "does hoshi rollback work?", []string{"hoshi rollback"}, "hoshi rollback api", false, false},
		{"the other key counts", "does hoshi rollback work?", []string{"hoshi rollback", "--to r1"}, "hoshi rollback api --to r1", true, true},
		{"nothing shown", "how do I roll back?", []string{"hoshi rollback"}, "", false, true},
		{"no keys", "how?", nil, "anything", false, false},
	}
	for _, tt := range tests {
		hit, ok := KeyHit(Case{Question: tt.question, AnswerKey: tt.keys}, tt.shown)
		if hit != tt.hit || ok != tt.ok {
			t.Errorf("%s: keyHit = %v, %v; want %v, %v", tt.name, hit, ok, tt.hit, tt.ok)
		}
	}
}

func TestSectionRecall(t *testing.T) {
	tests := []struct {
		relevant, ranked []string
		want             float64
	}{
		{[]string{"a.md#x", "a.md#y"}, []string{"a.md#x", "b.md#", "c.md#z", "a.md#y"}, 0.5},
		{[]string{"./a.md#X"}, []string{"a.md#x"}, 1},
		{[]string{"a.md#"}, []string{"a.md#intro"}, 0},
		{[]string{"a.md#x"}, nil, 0},
	}
	for _, tt := range tests {
		if got := sectionRecall(tt.relevant, tt.ranked, 3); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("sectionRecall(%v, %v) = %v, want %v", tt.relevant, tt.ranked, got, tt.want)
		}
	}
}

// TestScoreAnswers scores outcomes decided in each way: an answer shows its
// text, a suggestion its pages, an escalation nothing.
func TestScoreAnswers(t *testing.T) {
	cite := koban.Citation{Path: "how-to/db.md", Anchor: "add-the-claim", Section: "DB > Add the claim", Lang: "en", Snippet: "kind: DatabaseClaim"}
	c := Case{ID: "1", Question: "how do I get a database?", Lang: "en", AnswerKey: []string{"DatabaseClaim"}, RelevantSections: []string{"how-to/db.md#add-the-claim"}}
	outs := []Outcome{
		{Case: c, Answer: koban.Answer{Known: true, Text: "Add a `DatabaseClaim`.", Citations: []koban.Citation{cite}}},
		{Case: c, Answer: koban.Answer{Known: false, Pages: []koban.Citation{cite}}, Triage: &koban.Triage{Decision: koban.DecideSuggest}},
		{Case: c, Answer: koban.Answer{Known: true, Text: "Add a `DatabaseClaim`.", Pages: []koban.Citation{cite}}, Triage: &koban.Triage{Decision: koban.DecideEscalate}},
		{Case: Case{ID: "4", Question: "why?", Lang: "en"}, Answer: koban.Answer{Known: true, Text: "because"}},
	}
	a := scoreAnswers(outs)
	if a == nil {
		t.Fatal("scoreAnswers = nil")
	}
	if a.KeyCases != 3 || a.KeyHits != 2 || math.Abs(a.KeyHitRate-2.0/3) > 1e-9 {
		t.Errorf("key hits = %d of %d (%v), want 2 of 3", a.KeyHits, a.KeyCases, a.KeyHitRate)
	}
	if a.SectionCases != 3 || a.SectionRecallAt3 != 1 {
		t.Errorf("section recall = %v over %d, want 1 over 3", a.SectionRecallAt3, a.SectionCases)
	}
	if got := outs[1].Shown(); !strings.Contains(got, "DB > Add the claim") || !strings.Contains(got, "how-to/db.md#add-the-claim") {
		t.Errorf("suggestion shown = %q, want the section and its link", got)
	}
	if got := outs[2].Shown(); got != "" {
		t.Errorf("escalation shown = %q, want nothing", got)
	}
	if scoreAnswers(outs[3:]) != nil {
		t.Error("scoreAnswers without keys or sections is not nil")
	}
}

// TestNewOutcomeListsEveryLanguage checks koban ask --json's line: a
// Japanese question answered from English pages lists those pages and
// sections, where an evaluation case keeps to its own language.
func TestNewOutcomeListsEveryLanguage(t *testing.T) {
	en := koban.Citation{Path: "how-to/request-a-quota-increase.md", Anchor: "steps", Lang: "en"}
	ja := koban.Citation{Path: "how-to/troubleshoot.md", Anchor: "logs", Lang: "ja"}
	a := koban.Answer{Known: true, Text: "…", Lang: "ja", Citations: []koban.Citation{en}, Pages: []koban.Citation{en, ja}}
	c := Case{ID: "ask", Question: "クォータを増やしたい", Lang: "ja"}

	var b strings.Builder
	rep := &Report{Outcomes: []Outcome{NewOutcome(c, a, nil, 0)}}
	if err := rep.WriteCases(&b); err != nil {
		t.Fatal(err)
	}
	var line struct {
		Lang     string   `json:"lang"`
		Pages    []string `json:"pages"`
		Sections []string `json:"sections"`
	}
	if err := json.Unmarshal([]byte(b.String()), &line); err != nil {
		t.Fatalf("%v in %s", err, b.String())
	}
	if want := []string{en.Path, ja.Path}; !reflect.DeepEqual(line.Pages, want) {
		t.Errorf("pages %v, want %v", line.Pages, want)
	}
	if want := []string{en.Path + "#steps", ja.Path + "#logs"}; !reflect.DeepEqual(line.Sections, want) {
		t.Errorf("sections %v, want %v", line.Sections, want)
	}
	if line.Lang != "ja" {
		t.Errorf("lang %q, want ja", line.Lang)
	}

	// An evaluation case's line keeps to the case's language.
	o := Outcome{Case: c, Answer: a, Pages: pagePaths(a.Pages, c.Lang)}
	if got := Sections(o.Replied(), o.listLang()); !reflect.DeepEqual(got, []string{ja.Path + "#logs"}) {
		t.Errorf("evaluation sections %v, want the Japanese one only", got)
	}
}
