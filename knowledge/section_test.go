package knowledge

import (
	"testing"

	docsindex "github.com/kobanhq/koban/docs-index"
)

// testPage is a page of sections (heading, text) with its first section as
// the best hit, and every section a hit of equal weight.
func testPage(title string, secs [][2]string) (*page, []docsindex.Section) {
	var all []docsindex.Section
	for _, s := range secs {
		all = append(all, docsindex.Section{ID: "p.md#" + s[0], Path: "p.md", Title: title, Heading: s[0], Anchor: s[0], Breadcrumb: title + " > " + s[0], Text: s[1]})
	}
	p := &page{}
	for i := range all {
		h := &docsindex.Hit{Section: all[i], Score: 1, Fields: map[string]float64{docsindex.FieldBody: 1}}
		p.sections = append(p.sections, h)
	}
	p.best = p.sections[0]
	return p, all
}

// TestChooseSectionsHeadingInflections wants a question word found in a
// heading under another inflection ("expired" in "expiry", "access" in
// "accessing") to count as a heading match, as it counts in the text.
func TestChooseSectionsHeadingInflections(t *testing.T) {
	tests := []struct {
		name, question, want string
		secs                 [][2]string
	}{
		{
			name:     "expiry",
			question: "the signing key expired, what now?",
			want:     "Key expiry",
			secs: [][2]string{
				{"Overview", "Signing keys sign the release artifacts. The key is kept in the vault and read by the pipeline."},
				{"Key expiry", "Run `relctl keys rotate` to issue a new one; the old one stops working at once."},
				{"Storage", "The signing key is stored encrypted; what the pipeline reads is a short-lived copy."},
			},
		},
		{
			name:     "accessing",
			question: "how do I get access to the build cache?",
			want:     "Accessing the cache",
			secs: [][2]string{
				{"What the build cache holds", "The build cache keeps the layers of recent builds for a week."},
				{"Accessing the cache", "Ask for the cache-reader role, then run `cachectl login`."},
				{"Cache size", "The build cache is bounded at 200 GB per team; the oldest layers go first."},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, all := testPage("Build tools", tt.secs)
			got := chooseSections(p, all, askOf(tt.question, CleanQuery(tt.question), nil))
			if len(got) == 0 || got[0].sec.Heading != tt.want {
				var hs []string
				for _, c := range got {
					hs = append(hs, c.sec.Heading)
				}
				t.Errorf("chooseSections(%q) = %q, want %q first", tt.question, hs, tt.want)
			}
		})
	}
}

// TestMergeInflections wants the forms of one word counted once, on the
// shortest, and distinct words that share a beginning kept apart.
func TestMergeInflections(t *testing.T) {
	tests := []struct {
		in, want map[string]float64
	}{
		{map[string]float64{"certificat": 1, "certificate": 1, "renew": 1}, map[string]float64{"certificat": 1, "renew": 1}},
		{map[string]float64{"expir": 0.5, "expire": 1, "expired": 0.3}, map[string]float64{"expir": 1}},
		{map[string]float64{"pod": 1, "pods": 1}, map[string]float64{"pod": 1}},
		{map[string]float64{"app": 1, "apply": 1}, map[string]float64{"app": 1, "apply": 1}},
		{map[string]float64{"use": 1, "user": 1}, map[string]float64{"use": 1, "user": 1}},
		{map[string]float64{"ab": 1, "abs": 1}, map[string]float64{"ab": 1, "abs": 1}},
	}
	for _, tt := range tests {
		got := map[string]float64{}
		for w, v := range tt.in {
			got[w] = v
		}
		mergeInflections(got)
		if len(got) != len(tt.want) {
			t.Errorf("mergeInflections(%v) = %v, want %v", tt.in, got, tt.want)
			continue
		}
		for w, v := range tt.want {
			if got[w] != v {
				t.Errorf("mergeInflections(%v) = %v, want %v", tt.in, got, tt.want)
				break
			}
		}
	}
}

// TestContainedWords wants a question's word found where a word of the
// text starts, stems finding their longer forms, and Japanese pairs
// anywhere.
func TestContainedWords(t *testing.T) {
	tests := []struct {
		text, word string
		want       bool
	}{
		{"Pick one of the sizes below.", "siz", true},
		{"Set containerLogMaxSize in the file.", "log", true},
		{"Set containerLogMaxSize in the file.", "containerlogmaxsize", true},
		{"Run setup.sh first.", "sh", true},
		{"A catalog of images.", "log", false},
		{"Limits of 1000 requests.", "100", false},
		{"A limit of 100m CPU.", "100", true},
		{"port 8100 is free", "100", false},
		{"port 100, then 1000", "100", true},
		{"(expired) tokens", "expir", true},
		{"証明書の有効期限を確認する", "期限", true},
		{"このPodを作成します", "pod", true},
	}
	for _, tt := range tests {
		got := containedWords(tt.text, map[string]float64{tt.word: 1})[tt.word]
		if got != tt.want {
			t.Errorf("containedWords(%q)[%q] = %v, want %v", tt.text, tt.word, got, tt.want)
		}
	}
}

// TestChooseSectionsHowToSkipsOverview wants a how-to question answered
// from the section that does the task, not the page's overview that names
// the same words.
func TestChooseSectionsHowToSkipsOverview(t *testing.T) {
	q := "how do I route alerts to our team channel?"
	p, all := testPage("Alerts", [][2]string{
		{"Alerts", "Alerts are sent by the monitoring stack."},
		{"Overview", "Each team's alerts are routed to its channel."},
		{"Ask for a change", "Ask the platform team to route the alerts to the channel you name."},
	})
	got := chooseSections(p, all, askOf(q, CleanQuery(q), nil))
	if len(got) == 0 || got[0].sec.Heading != "Ask for a change" {
		var hs []string
		for _, c := range got {
			hs = append(hs, c.sec.Heading)
		}
		t.Errorf("chooseSections(%q) = %q, want %q first", q, hs, "Ask for a change")
	}
}

// TestAsideHeading wants the headings that frame a page told from those
// that answer, however the docs spell them.
func TestAsideHeading(t *testing.T) {
	tests := []struct {
		heading string
		want    bool
	}{
		{"Prerequisites", true},
		{"Pre-requisites", true},
		{"Pre-Requisites", true},
		{"Before you begin", true},
		{"What's next", true},
		{"前提知識", true},
		{"Request a prerequisite check", false},
		{"Add the claim", false},
	}
	for _, tt := range tests {
		if got := asideHeading.MatchString(tt.heading); got != tt.want {
			t.Errorf("asideHeading(%q) = %v, want %v", tt.heading, got, tt.want)
		}
	}
}

// TestChooseSectionsJapaneseGrammar wants a Japanese question's section
// chosen by what it asks about, not by the grammar every section shares:
// pairs of hiragana ("られ", "ます") weigh little.
func TestChooseSectionsJapaneseGrammar(t *testing.T) {
	p, all := testPage("デプロイの問題", [][2]string{
		{"メモリ不足", "メモリの上限を上げられない場合は、クォータの引き上げを申請します。上限を下げるのは逆効果です。"},
		{"起動しない", "`hoshi logs <アプリ名>` で直前のログを確認します。ログが空なら手元で起動してみます。"},
	})
	q := "ログはどこで見られますか？"
	a := askOf(q, CleanQuery(q), nil)
	for w, wt := range a.words {
		if isHiragana(w) && wt > grammarWeight {
			t.Errorf("grammar %q weighs %v, want at most %v", w, wt, grammarWeight)
		}
	}
	got := chooseSections(p, all, a)
	if len(got) == 0 || got[0].sec.Heading != "起動しない" {
		var hs []string
		for _, c := range got {
			hs = append(hs, c.sec.Heading)
		}
		t.Errorf("chooseSections(%q) = %q, want %q first", q, hs, "起動しない")
	}
}
