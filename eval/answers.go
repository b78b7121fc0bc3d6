package eval

import (
	"strings"
	"time"

	"github.com/kobanhq/koban"
)

// Answers judges what the asker is shown, over the cases that say what a
// useful answer contains (answer_key) and which sections answer
// (relevant_sections).
type Answers struct {
	// KeyCases counts the cases with at least one answer key that does not
	// occur in the question; KeyHits those whose shown text contains one
	// of them (case-insensitively). An escalation that shows nothing is a
	// miss.
	KeyCases   int     `json:"key_cases"`
	KeyHits    int     `json:"key_hits"`
	KeyHitRate float64 `json:"key_hit_rate"`
	// SectionCases counts the cases with relevant sections;
	// SectionRecallAt3 is the share of a case's relevant sections among
	// its first three ranked sections, averaged over them.
	SectionCases     int     `json:"section_cases"`
	SectionRecallAt3 float64 `json:"section_recall_at_3"`
}

// Decision is what koban decided for the outcome: the triage's decision,
// or without a triager, answer when the answer is known and escalate
// otherwise.
func (o Outcome) Decision() koban.Decision {
	if o.Triage != nil && o.Triage.Decision != "" {
		return o.Triage.Decision
	}
	if o.Answer.Known {
		return koban.DecideAnswer
	}
	return koban.DecideEscalate
}

// Shown is the text the asker would see for the outcome: the answer when
// koban answers, the passage and pages suggested when it suggests, and
// nothing when it escalates or ignores.
func (o Outcome) Shown() string {
	switch o.Decision() {
	case koban.DecideAnswer:
		return o.Replied().Text
	case koban.DecideSuggest:
		procedure := ""
		if o.Triage != nil {
			procedure = o.Triage.Procedure
		}
		return SuggestionText(o.Answer, procedure)
	}
	return ""
}

// SuggestionText is what the asker sees when koban suggests rather than
// answers (bot's renderSuggestions): the passage koban would have answered
// with when retrieval knew one (without the pages it lists), then the pages
// the desk suggests (koban.SuggestedPages, the procedure page of a request
// first), one line each with the section, its link and its glimpse.
func SuggestionText(a koban.Answer, procedure string) string {
	var b strings.Builder
	if a.Known && strings.TrimSpace(a.Text) != "" {
		b.WriteString(a.Passage() + "\n\n")
	}
	for _, c := range koban.SuggestedPages(a, procedure) {
		label := c.Section
		if label == "" {
			label = c.Title
		}
		b.WriteString("• " + label + " — " + link(c))
		if g := c.Glimpse(); g != "" {
			b.WriteString(": " + g)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func link(c koban.Citation) string {
	if c.URL != "" {
		return c.URL
	}
	return SectionRef(c)
}

// SectionRef names a cited section as "path#anchor", as cases'
// relevant_sections do.
func SectionRef(c koban.Citation) string {
	return cleanPath(c.Path) + "#" + c.Anchor
}

// Sections ranks the sections of an answer in the case's language: the
// cited ones first (what the answer quotes), then the best section of each
// ranked page, without repeats.
func Sections(a koban.Answer, lang string) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range append(append([]koban.Citation(nil), a.Citations...), a.Pages...) {
		if c.Lang != "" && lang != "" && c.Lang != lang {
			continue
		}
		ref := SectionRef(c)
		if !seen[ref] {
			seen[ref] = true
			out = append(out, ref)
		}
	}
	return out
}

// KeyHit says whether shown contains one of the case's answer keys that
// the question does not already contain; ok is false when the case has no
// such key. It is how key hits are counted (Answers.KeyHits), for the
// harnesses in the tests of knowledge too.
func KeyHit(c Case, shown string) (hit, ok bool) {
	q := strings.ToLower(c.Question)
	shown = strings.ToLower(shown)
	for _, k := range c.AnswerKey {
		k = strings.ToLower(strings.TrimSpace(k))
		if k == "" || strings.Contains(q, k) {
			continue
		}
		ok = true
		if strings.Contains(shown, k) {
			hit = true
		}
	}
	return hit, ok
}

// sectionRecall is the share of relevant sections among the first k ranked.
func sectionRecall(relevant, ranked []string, k int) float64 {
	if len(relevant) == 0 {
		return 0
	}
	if len(ranked) > k {
		ranked = ranked[:k]
	}
	n := 0
	for _, r := range relevant {
		r = normSection(r)
		for _, s := range ranked {
			if normSection(s) == r {
				n++
				break
			}
		}
	}
	return float64(n) / float64(len(relevant))
}

func normSection(s string) string {
	p, anchor, _ := strings.Cut(s, "#")
	return cleanPath(p) + "#" + strings.ToLower(anchor)
}

// scoreAnswers judges the shown answers of the outcomes; nil when no case
// has an answer key or relevant sections.
func scoreAnswers(outs []Outcome) *Answers {
	var a Answers
	var recall float64
	for _, o := range outs {
		if hit, ok := KeyHit(o.Case, o.Shown()); ok {
			a.KeyCases++
			if hit {
				a.KeyHits++
			}
		}
		if len(o.Case.RelevantSections) > 0 {
			a.SectionCases++
			recall += sectionRecall(o.Case.RelevantSections, Sections(o.Replied(), o.Case.Lang), 3)
		}
	}
	if a.KeyCases == 0 && a.SectionCases == 0 {
		return nil
	}
	a.KeyHitRate = ratio(a.KeyHits, a.KeyCases)
	if a.SectionCases > 0 {
		recall /= float64(a.SectionCases)
	}
	a.SectionRecallAt3 = recall
	return &a
}

// answerLine is the part of a case line (WriteCases) that shows what the
// asker sees.
type answerLine struct {
	Sections []string `json:"sections"` // ranked, as path#anchor
	Answer   string   `json:"answer"`   // the text shown, "" when nothing is
	KeyHit   *bool    `json:"key_hit,omitempty"`
}

func answerLineOf(o Outcome) answerLine {
	secs := Sections(o.Replied(), o.listLang())
	if len(secs) > 10 {
		secs = secs[:10]
	}
	l := answerLine{Sections: secs, Answer: o.Shown()}
	if hit, ok := KeyHit(o.Case, l.Answer); ok {
		l.KeyHit = &hit
	}
	return l
}

// NewOutcome is the outcome of one question outside an evaluation (koban
// ask --json), so that it is written as a case line is. Its pages and
// sections are listed in every language: a question in one language may be
// answered from the docs in another.
func NewOutcome(c Case, a koban.Answer, t *koban.Triage, took time.Duration) Outcome {
	return Outcome{Case: c, Answer: a, Triage: t, Pages: pagePaths(a.Pages, ""), Took: took, anyLang: true}
}
