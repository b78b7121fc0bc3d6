package knowledge

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/eval"
)

// maxPlaced is how far down the relevant page is placed by
// TestEvalComposition: the pages a suggestion lists.
const maxPlaced = koban.MaxSuggested

// TestEvalComposition measures what the asker is shown apart from how the
// pages are ranked: for each case of the shared evaluation sets with an
// answer key and relevant sections, the page of its relevant sections is
// placed first, second, … fifth among the pages retrieved for the question
// (the others keeping their order), and the answer is composed from them.
// It logs, for each place, how many answers and suggestions (the passage
// and the listed pages, as eval shows them) hold a key, and, for the
// relevant sections, their mean reciprocal rank among the sections of
// their page as the answer chooses them. KOBAN_EVAL=1 runs it, on the
// indexes TestEvalRetrieval keeps (KOBAN_EVAL_INDEX).
func TestEvalComposition(t *testing.T) {
	if os.Getenv("KOBAN_EVAL") == "" {
		t.Skip("set KOBAN_EVAL=1 to measure composition on ../../shared")
	}
	shared := filepath.Join("..", "..", "shared")
	if _, err := os.Stat(filepath.Join(shared, "eval")); err != nil {
		t.Skipf("evaluation data not found at %s: %v", shared, err)
	}
	var cases, first int
	for _, set := range evalSets {
		ix, _ := openEvalIndex(t, filepath.Join(evalIndexDir(), set.name), shared, set)
		svc := New(ix, Config{}, nil)
		var answered, suggested [maxPlaced]int
		var n, nsec int
		var rr float64
		for _, c := range readCases(t, filepath.Join(shared, "eval", set.file)) {
			if _, hasKey := eval.KeyHit(c, ""); !hasKey || len(c.RelevantSections) == 0 {
				continue
			}
			q := strings.TrimSpace(c.Question)
			r, err := svc.retrieve(context.Background(), q, CleanQuery(q), c.Lang, false)
			if err != nil {
				t.Fatal(err)
			}
			a := askOf(q, r.query, nil)
			rel, others := placeable(r.pages, c.RelevantSections)
			if rel == nil || len(others) < maxPlaced {
				t.Logf("%s %s: the relevant page is not among the pages retrieved", set.name, c.ID)
				continue
			}
			for _, ref := range c.RelevantSections {
				if p, anchor, _ := strings.Cut(ref, "#"); p == rel.best.Path {
					nsec++
					for i, ch := range chooseSections(rel, svc.pageSections(rel), a) {
						if strings.EqualFold(ch.sec.Anchor, anchor) {
							rr += 1 / float64(i+1)
							break
						}
					}
				}
			}
			n++
			line := c.ID
			for place := range maxPlaced {
				ans := svc.composeAt(rel, others, place, a, c.Lang)
				ah, _ := eval.KeyHit(c, ans.Text)
				sh, _ := eval.KeyHit(c, eval.SuggestionText(ans, ""))
				if ah {
					answered[place]++
				}
				if sh {
					suggested[place]++
				}
				line += map[bool]string{true: " A", false: " -"}[ah] + map[bool]string{true: "S", false: "-"}[sh]
			}
			if testing.Verbose() {
				t.Log(line)
			}
		}
		ix.Close()
		if n == 0 {
			continue
		}
		cases += n
		first += answered[0]
		t.Logf("%s: %d cases; keys shown with the relevant page placed 1st…%dth: answer %v, suggestion %v; relevant sections' MRR in their page %.3f (%d)", set.name, n, maxPlaced, answered, suggested, rr/float64(max(nsec, 1)), nsec)
	}
	if cases > 0 && 2*first < cases {
		t.Errorf("with the relevant page first, %d of %d answers show a key, want at least half", first, cases)
	}
}

// placeable splits pages into the first one that holds a relevant section
// and the pages that hold none.
func placeable(pages []*page, relevant []string) (*page, []*page) {
	paths := map[string]bool{}
	for _, r := range relevant {
		p, _, _ := strings.Cut(r, "#")
		paths[p] = true
	}
	var rel *page
	var others []*page
	for _, p := range pages {
		switch {
		case !paths[p.best.Path]:
			others = append(others, p)
		case rel == nil:
			rel = p
		}
	}
	return rel, others
}

// composeAt composes the answer with rel placed at place among others
// (scored between its neighbours) and fills its pages as Answer does.
func (s *Service) composeAt(rel *page, others []*page, place int, a ask, lang string) koban.Answer {
	pages := append(append(append([]*page{}, others[:place]...), rel), others[place:]...)
	saved := rel.score
	defer func() { rel.score = saved }()
	if place == 0 {
		rel.score = others[0].score * 1.01
	} else {
		rel.score = (others[place-1].score + others[place].score) / 2
	}
	text, cites, listed := s.compose(pages, a, lang, s.cfg.MaxCitations)
	ans := koban.Answer{Known: text != "", Text: text, Citations: cites, Lang: lang}
	for i, p := range pages {
		if i == s.cfg.MaxPages {
			break
		}
		ans.Pages = append(ans.Pages, citation(p.lead(), p.score, ""))
	}
	leadWithCited(ans.Pages, listed)
	leadWithCited(ans.Pages, cites)
	return ans
}
