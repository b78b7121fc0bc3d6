package knowledge

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kobanhq/koban"
	docsindex "github.com/kobanhq/koban/docs-index"
)

// mustService indexes the sample docs (docs/samples) in memory.
func mustService(t *testing.T) *Service {
	t.Helper()
	ix, err := docsindex.OpenMem(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	srcs := []docsindex.Source{
		{Path: "../docs/samples/en", Lang: "en", BaseURL: "https://docs.example.com"},
		{Path: "../docs/samples/ja", Lang: "ja", BaseURL: "https://docs.example.com/ja"},
	}
	if _, _, err := ix.Update(context.Background(), srcs); err != nil {
		t.Fatal(err)
	}
	return New(ix, Config{MinConfidence: 0.35}, nil)
}

func TestAnswerRetrieval(t *testing.T) {
	svc := mustService(t)
	tests := []struct {
		q, want, lang string
		top           int // want must be among the first top pages
	}{
		{"How do I store an API key so my service can use it?", "how-to/manage-secrets.md", "en", 1},
		{"how do I request a postgres database", "how-to/request-a-database.md", "en", 1},
		{"my deploy is broken, how do I go back to the previous version?", "how-to/roll-back-a-deployment.md", "en", 1},
		{"Why can't I just kubectl apply my manifests?", "explanation/how-deploys-work.md", "en", 1},
		// The quota-increase how-to also states the defaults.
		{"what is the default CPU quota of a team namespace", "reference/quotas-and-limits.md", "en", 2},
		{"Pod が OOMKilled で再起動を繰り返します", "how-to/troubleshoot-deployments.md", "ja", 1},
	}
	for _, tt := range tests {
		ans, err := svc.Answer(context.Background(), koban.Question{Text: tt.q})
		if err != nil {
			t.Errorf("Answer(%q): %v", tt.q, err)
			continue
		}
		var got []string
		for _, p := range ans.Pages {
			got = append(got, p.Path)
		}
		if i := slices.Index(got, tt.want); i < 0 || i >= tt.top {
			t.Errorf("Answer(%q) pages = %v, want %s among the first %d", tt.q, got, tt.want, tt.top)
		}
		if ans.Lang != tt.lang {
			t.Errorf("Answer(%q).Lang = %q, want %q", tt.q, ans.Lang, tt.lang)
		}
		for _, p := range ans.Pages {
			if p.Lang != tt.lang {
				t.Errorf("Answer(%q) cites %s in %s, want pages in %s", tt.q, p.Path, p.Lang, tt.lang)
			}
		}
		seen := map[string]bool{}
		for _, p := range ans.Pages {
			if seen[p.Path] {
				t.Errorf("Answer(%q) lists page %s twice", tt.q, p.Path)
			}
			seen[p.Path] = true
		}
	}
}

func TestAnswerComposes(t *testing.T) {
	svc := mustService(t)
	ans, err := svc.Answer(context.Background(), koban.Question{Text: "How do I rotate a secret that leaked?"})
	if err != nil {
		t.Fatal(err)
	}
	if !ans.Known || ans.Confidence < 0.35 || ans.Confidence > 1 {
		t.Fatalf("Answer = known %v, confidence %v, want known with confidence in [0.35,1]", ans.Known, ans.Confidence)
	}
	if len(ans.Citations) == 0 {
		t.Fatal("Answer has no citations")
	}
	c := ans.Citations[0]
	if c.Path != "how-to/manage-secrets.md" || c.Anchor != "rotate-a-secret" || c.URL != "https://docs.example.com/how-to/manage-secrets/#rotate-a-secret" {
		t.Errorf("first citation = %+v, want the Rotate a secret section of manage-secrets.md", c)
	}
	if !strings.Contains(c.Snippet, "revoke") || !strings.Contains(ans.Text, c.URL) {
		t.Errorf("answer text %q / snippet %q: want the rotate passage and its link", ans.Text, c.Snippet)
	}
	if strings.Contains(c.Snippet, "```") {
		t.Errorf("snippet %q quotes code; want prose", c.Snippet)
	}

	ja, err := svc.Answer(context.Background(), koban.Question{Text: "イメージの取得に失敗して ImagePullBackOff になります"})
	if err != nil {
		t.Fatal(err)
	}
	if ja.Lang != "ja" || (ja.Known && !strings.HasPrefix(ja.Text, "ドキュメント")) {
		t.Errorf("Japanese answer lang %q text %q: want a Japanese answer", ja.Lang, ja.Text)
	}
}

func TestAnswerUnknown(t *testing.T) {
	svc := mustService(t)
	ans, err := svc.Answer(context.Background(), koban.Question{Text: "What is the airspeed velocity of an unladen swallow?"})
	if err != nil {
		t.Fatal(err)
	}
	if ans.Known || ans.Text != "" {
		t.Errorf("Answer(swallow) = known %v (confidence %v) text %q, want not known", ans.Known, ans.Confidence, ans.Text)
	}
}

func TestAnswerBadQuestions(t *testing.T) {
	svc := mustService(t)
	long := strings.Repeat("pods keep restarting with OOMKilled and the logs say nothing useful ", 800) // ~54,000 chars
	longJA := strings.Repeat("ポッドが再起動を繰り返します。", 4000)
	tests := []struct {
		name, q  string
		wantCode string // "" for an answer
	}{
		{"empty", "", koban.EInvalid},
		{"blank", "  \n\t ", koban.EInvalid},
		{"emoji only", "🙏🙏🔥", koban.EInvalid},
		{"punctuation only", "???!!", koban.EInvalid},
		{"long", long, ""},
		{"long japanese", longJA, ""},
		{"code block only", "```\nError from server (Forbidden): deployments.apps is forbidden\n```", ""},
		{"stack trace", "panic: runtime error\ngoroutine 1 [running]:\nmain.main()\n\t/app/main.go:12 +0x1d\nexit status 2", ""},
	}
	for _, tt := range tests {
		start := time.Now()
		ans, err := svc.Answer(context.Background(), koban.Question{Text: tt.q})
		took := time.Since(start)
		if got := koban.ErrorCode(err); got != tt.wantCode {
			t.Errorf("%s: Answer error = %v, want code %q", tt.name, err, tt.wantCode)
		}
		if err != nil && koban.ErrorMessage(err) == "" {
			t.Errorf("%s: error without a message", tt.name)
		}
		if err == nil && (ans.Confidence < 0 || ans.Confidence > 1) {
			t.Errorf("%s: confidence %v outside [0,1]", tt.name, ans.Confidence)
		}
		if took > 2*time.Second {
			t.Errorf("%s: Answer took %v, want well under 2s", tt.name, took)
		}
	}
}

func TestCleanQuery(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
		gone     []string
	}{
		{"url keeps path words", "see https://kubernetes.io/docs/tasks/configure-pod-container/pull-image/ please", []string{"configure", "pull", "image"}, []string{"https", "kubernetes.io"}},
		{"stack frames go", "crash\n\tat com.example.Main(Main.java:12)\ngoroutine 7 [running]:\nmain.go:33", []string{"crash"}, []string{"Main.java", "goroutine"}},
		{"hashes and ips go", "pod abcdef0123456789abcdef failed on 10.0.0.12:8080", []string{"pod", "failed"}, []string{"abcdef0123456789", "10.0.0.12"}},
		{"words people write stay", "Problem: the page is wrong. Expected: a working link", []string{"Problem", "page", "wrong", "Expected", "working link"}, nil},
		{"settings gain their words", "kubeletConfig containerLogMaxSize not working", []string{"containerLogMaxSize", "container log max size", "kubelet config"}, nil},
		{"field paths gain their words", "what does .spec.strategy.rollingUpdate.maxUnavailable do", []string{"spec strategy rolling update max unavailable"}, nil},
		{"snake case gains its words", "set MAX_SURGE", []string{"MAX_SURGE max surge"}, nil},
		{"kind names stay whole", "my ConfigMap and StatefulSet", []string{"ConfigMap", "StatefulSet"}, []string{"config map", "stateful set"}},
		{"code keeps first lines", "```\nline one\nline two\nline three\nline four\nline five\n```", []string{"one", "four"}, []string{"five"}},
	}
	for _, tt := range tests {
		got := CleanQuery(tt.in)
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: CleanQuery(%q) = %q, want %q in it", tt.name, tt.in, got, w)
			}
		}
		for _, g := range tt.gone {
			if strings.Contains(got, g) {
				t.Errorf("%s: CleanQuery(%q) = %q, want %q gone", tt.name, tt.in, got, g)
			}
		}
	}
	if got := CleanQuery(strings.Repeat("word ", 50000)); len(got) > MaxQuestionChars {
		t.Errorf("CleanQuery(long) has %d chars, want at most %d", len(got), MaxQuestionChars)
	}
}

func TestSplitCamel(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"containerLogMaxSize", []string{"container", "Log", "Max", "Size"}},
		{"runAsNonRoot", []string{"run", "As", "Non", "Root"}},
		{"useHTTPServer", []string{"use", "HTTP", "Server"}},
		{"v1beta1", []string{"v1beta1"}},
		{"word", []string{"word"}},
	}
	for _, tt := range tests {
		if got := splitCamel(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("splitCamel(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLinksTo(t *testing.T) {
	tests := []struct {
		question, page string
		want           bool
	}{
		{"Page to Update: https://v1-14.docs.kubernetes.io/docs/reference/command-line-tools-reference/kubelet/", "reference/command-line-tools-reference/kubelet.md", true},
		{"see https://user-guide.example.gov.uk/documentation/monitoring-an-app/how-to-create-alarms.html#custom-alerts", "monitoring-an-app/how-to-create-alarms.md", true},
		{"Issue with k8s.io/ja/docs/home/. The link is broken", "home/_index.md", true},
		{"Issue with /docs/tasks/debug/dns-debugging-resolution/ again", "tasks/administer-cluster/dns-debugging-resolution.md", false},
		{"Issue with /docs/tasks/administer-cluster/dns-debugging-resolution/ again", "tasks/administer-cluster/dns-debugging-resolution.md", true},
		{"Page: tutorials/security/apparmor/#restricting-profiles", "tutorials/security/apparmor.md", true},
		{"https://github.com/example/platform/issues/1283", "platform/issues.md", false},
		{"how do I deploy?", "deploy.md", false},
		{"see /docs/kubelet/", "reference/kubelet.md", false},
	}
	for _, tt := range tests {
		if got := linksTo(linkedPaths(tt.question), tt.page); got != tt.want {
			t.Errorf("linksTo(linkedPaths(%q) = %q, %q) = %v, want %v", tt.question, linkedPaths(tt.question), tt.page, got, tt.want)
		}
	}
}

func TestIntentOf(t *testing.T) {
	tests := []struct {
		q    string
		want koban.Quadrant
	}{
		{"How do I request a database?", koban.HowTo},
		{"Why does my deploy wait for approval?", koban.Explanation},
		{"What does the --wait flag mean?", koban.Reference},
		{"Getting started with the platform", koban.Tutorial},
		{"データベースを申請する方法", koban.HowTo},
		{"pods are crashing", koban.Unknown},
	}
	for _, tt := range tests {
		if got := intentOf(tt.q); got != tt.want {
			t.Errorf("intentOf(%q) = %q, want %q", tt.q, got, tt.want)
		}
	}
}

func TestNameCover(t *testing.T) {
	idf := map[string]float64{"rotate": 3, "database": 1, "credentials": 2}
	tests := []struct {
		name     string
		question string
		idf      map[string]float64
		want     float64
	}{
		{"Rotate database credentials", "how do I rotate it", idf, 3.0 / 6},
		{"Rotate database credentials", "which database", idf, 1.0 / 6},
		{"Rotate database credentials", "my database credential expired", idf, 3.0 / 6},
		{"Rotate the database credentials", "rotate the database credentials", idf, 1},
		{"Rotate database credentials", "nothing in common", idf, 0},
		// Without weights, or for a Japanese name, every word counts alike.
		{"Rotate database credentials", "which database", nil, 1.0 / 3},
		{"データベースの作成", "データベース", idf, wordCover("データベースの作成", wordSet("データベース"))},
		// A word without a weight does not count.
		{"Rotate database passwords", "rotate passwords", idf, 3.0 / 4},
	}
	for _, tt := range tests {
		got := nameCover(tt.name, wordSet(tt.question), tt.idf)
		if math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("nameCover(%q, %q) = %v, want %v", tt.name, tt.question, got, tt.want)
		}
	}
}

func TestRankPagesNameScale(t *testing.T) {
	r := ranking{intentBoost: 1, titleCover: 1, pathCover: 0.5, lengthPrior: 0.3, nameScale: 2}
	hit := func(path, title string, chars int, score float64) docsindex.Hit {
		return docsindex.Hit{Section: docsindex.Section{Source: "docs", Path: path, Title: title}, Score: score, PageChars: chars}
	}
	// A short page the question names, and a long one with twice its BM25
	// score that shares none of its name: (1 + 1)(1 + 0.5) = 3, 1 + 2 × 2 = 5
	// against 20^0.3 × 2 ≈ 4.9.
	sig := signalsOf("rotate the database credentials", "rotate the database credentials")
	hits := []docsindex.Hit{
		hit("guides/networking-overview.md", "Networking overview", 20000, 2),
		hit("tasks/rotate-database-credentials.md", "Rotate database credentials", 1000, 1),
	}
	pages := r.rankPages(hits, sig)
	if len(pages) != 2 || pages[0].best.Path != "tasks/rotate-database-credentials.md" {
		t.Fatalf("rankPages first = %s, want the page the question names", pages[0].best.Path)
	}
	for _, p := range pages {
		l := math.Pow(float64(p.best.PageChars)/1000, r.lengthPrior)
		n := (1 + r.titleCover*wordCover(p.best.Title, sig.words)) * (1 + r.pathCover*wordCover(fileWords(p.best.Path), sig.words))
		if want := p.best.Score * (l + r.nameScale*(n-1)); math.Abs(p.score-want) > 1e-9 {
			t.Errorf("score of %s = %v, want %v", p.best.Path, p.score, want)
		}
	}
	// Without name evidence, length decides between equal scores.
	hits = []docsindex.Hit{
		hit("a/short.md", "Alpha", 1000, 1),
		hit("a/long.md", "Beta", 20000, 1),
	}
	if pages := r.rankPages(hits, signalsOf("what is it", "what is it")); pages[0].best.Path != "a/long.md" {
		t.Errorf("rankPages first = %s, want the longer page", pages[0].best.Path)
	}
}
