package main

import (
	"bytes"
	"context"
	"encoding/json"
	"hash/fnv"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/docs/samples"
	"github.com/kobanhq/koban/eval"
)

// runEvalCmd runs koban eval on the sample docs with extra flags and
// returns stdout; it fails the test on error.
func runEvalCmd(t *testing.T, args ...string) []byte {
	t.Helper()
	data := t.TempDir()
	getenv := func(k string) string {
		if k == "KOBAN_DATA_DIR" {
			return data
		}
		return ""
	}
	var stdout, stderr bytes.Buffer
	args = append([]string{"eval", "--docs", "../../docs/samples"}, args...)
	if err := run(context.Background(), args, getenv, &stdout, &stderr); err != nil {
		t.Fatalf("koban %s: %v\nstderr:\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes()
}

// decodeOne decodes stdout, which must hold exactly one JSON object.
func decodeOne(t *testing.T, out []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(out))
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("stdout is not a JSON object: %v\n%s", err, out)
	}
	if _, err := dec.Token(); err != io.EOF {
		t.Fatalf("stdout holds more than one JSON value:\n%s", out)
	}
	return m
}

// num returns the number at a dotted path such as "retrieval.recall_at_5".
func num(t *testing.T, m map[string]any, path string) float64 {
	t.Helper()
	var v any = m
	for _, k := range strings.Split(path, ".") {
		obj, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%s: %v is not an object", path, v)
		}
		if v, ok = obj[k]; !ok {
			t.Fatalf("%s: key %q missing", path, k)
		}
	}
	f, ok := v.(float64)
	if !ok {
		t.Fatalf("%s = %v, want a number", path, v)
	}
	return f
}

func TestEvalCommandJSON(t *testing.T) {
	m := decodeOne(t, runEvalCmd(t, "--cases", "../../eval/testdata/hoshi.jsonl", "--json", "--online"))

	pages := 0
	fs.WalkDir(samples.FS, ".", func(_ string, d fs.DirEntry, _ error) error {
		if !d.IsDir() {
			pages++
		}
		return nil
	})
	if got := num(t, m, "index.documents"); int(got) != pages {
		t.Errorf("index.documents = %v, want the %d sample pages", got, pages)
	}
	if docs, secs := num(t, m, "index.documents"), num(t, m, "index.sections"); secs < docs {
		t.Errorf("index.sections = %v, want at least one per page (%v)", secs, docs)
	}
	if s := num(t, m, "index.seconds"); s <= 0 {
		t.Errorf("index.seconds = %v, want > 0", s)
	}
	if n := num(t, m, "cases"); n != 9 {
		t.Errorf("cases = %v, want the 9 cases of hoshi.jsonl", n)
	}
	if n := num(t, m, "retrieval.evaluated"); n != 7 {
		t.Errorf("retrieval.evaluated = %v, want the 7 cases with relevant_docs", n)
	}
	for _, k := range []string{
		"retrieval.recall_at_1", "retrieval.recall_at_5", "retrieval.recall_at_10",
		"retrieval.mrr_at_10", "retrieval.ndcg_at_10",
		"triage.accuracy", "triage.macro_f1", "triage.domain_accuracy", "triage.answered_precision",
		"triage_online.accuracy", "triage_online.macro_f1",
	} {
		if v := num(t, m, k); v < 0 || v > 1 {
			t.Errorf("%s = %v, want a value in [0,1]", k, v)
		}
	}
	r1, r5, r10 := num(t, m, "retrieval.recall_at_1"), num(t, m, "retrieval.recall_at_5"), num(t, m, "retrieval.recall_at_10")
	if r1 > r5 || r5 > r10 {
		t.Errorf("recall@1, @5, @10 = %v, %v, %v: want non-decreasing", r1, r5, r10)
	}
	// The cases ask about the sample docs in their own words: retrieval
	// must find most relevant pages, or the index or the cases are broken.
	if r5 < 0.7 {
		t.Errorf("recall@5 = %v on the sample docs, want at least 0.7", r5)
	}
	if p50, p99 := num(t, m, "latency_ms.p50"), num(t, m, "latency_ms.p99"); p50 <= 0 || p99 < p50 {
		t.Errorf("latency p50, p99 = %v, %v: want 0 < p50 <= p99", p50, p99)
	}
	if n := num(t, m, "triage.cases"); n != 9 {
		t.Errorf("triage.cases = %v, want 9", n)
	}
}

// TestEvalCommandHit checks a case whose relevant page is clearly the top
// hit counts as a hit, and one whose "relevant" page is unrelated does not.
func TestEvalCommandHit(t *testing.T) {
	cases := filepath.Join(t.TempDir(), "cases.jsonl")
	lines := `{"id": "hit", "question": "How do I request a PostgreSQL database with a DatabaseClaim?", "lang": "en", "category": "self-solvable", "domain": "database", "relevant_docs": ["how-to/request-a-database.md"]}
{"id": "miss", "question": "How do I request a PostgreSQL database with a DatabaseClaim?", "lang": "en", "category": "self-solvable", "domain": "database", "relevant_docs": ["reference/hoshi-cli.md"]}
{"id": "ja-hit", "question": "本番環境で kubectl exec するための権限はどう申請しますか？", "lang": "ja", "category": "self-solvable", "domain": "iam", "relevant_docs": ["how-to/request-access.md"]}
`
	if err := os.WriteFile(cases, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "cases-out.jsonl")
	m := decodeOne(t, runEvalCmd(t, "--cases", cases, "--json", "--no-triage", "--out", out))
	if got := num(t, m, "retrieval.hit_at_1"); got != 2.0/3 {
		t.Errorf("hit@1 = %v, want 2/3: the two hits at rank 1 and the miss not", got)
	}
	if got := num(t, m, "retrieval.recall_at_1"); got != 2.0/3 {
		t.Errorf("recall@1 = %v, want 2/3", got)
	}
	if v, ok := m["triage"]; !ok || v != nil {
		t.Errorf("triage = %v (present %v), want null with --no-triage", v, ok)
	}

	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	ranks := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var l struct {
			ID   string `json:"id"`
			Rank int    `json:"rank"`
		}
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("--out line %q: %v", line, err)
		}
		ranks[l.ID] = l.Rank
	}
	if ranks["hit"] != 1 || ranks["ja-hit"] != 1 || ranks["miss"] == 1 || len(ranks) != 3 {
		t.Errorf("--out ranks = %v, want hit and ja-hit at 1, miss elsewhere", ranks)
	}
}

func TestEvalCommandText(t *testing.T) {
	out := string(runEvalCmd(t, "--cases", "../../eval/testdata/hoshi.jsonl"))
	for _, want := range []string{"cases: 9", "retrieval (7 cases", "MRR@10", "triage (9 labelled inquiries)", "latency per question"} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
}

func TestEvalCommandErrors(t *testing.T) {
	dir := t.TempDir()
	fr := filepath.Join(dir, "fr.jsonl")
	os.WriteFile(fr, []byte(`{"id": "fr-1", "question": "Comment déployer ?", "lang": "fr", "category": "self-solvable"}`+"\n"), 0o644)
	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte(`{"id": "ok", "question": "q", "lang": "en", "category": "docs-missing"}`+"\nnot json\n"), 0o644)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"eval", "--docs", "../../docs/samples"}, "needs --docs DIR and --cases FILE"},
		{[]string{"eval", "--docs", "../../docs/samples", "--cases", fr}, `lang "fr" but ../../docs/samples has no fr/ folder`},
		{[]string{"eval", "--docs", "../../docs/samples", "--cases", bad}, "bad.jsonl:2: not a JSON object"},
		{[]string{"eval", "--docs", "../../docs/samples/en", "--cases", "../../eval/testdata/hoshi.jsonl"}, "has no language folders"},
	}
	for _, tt := range tests {
		getenv := func(k string) string {
			if k == "KOBAN_DATA_DIR" {
				return dir
			}
			return ""
		}
		err := run(context.Background(), tt.args, getenv, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("koban %s: error = %v, want it to contain %q", strings.Join(tt.args, " "), err, tt.want)
			continue
		}
		if code := koban.ErrorCode(err); code != koban.EInvalid {
			t.Errorf("koban %s: error code %q, want %q", strings.Join(tt.args, " "), code, koban.EInvalid)
		}
	}
}

// fakeEmbeddings is an OpenAI-compatible embeddings endpoint returning
// deterministic vectors (hashed bags of words); it counts the texts it embeds.
type fakeEmbeddings struct {
	mu    sync.Mutex
	texts int
}

func (f *fakeEmbeddings) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Input []string `json:"input"`
		Model string   `json:"model"`
	}
	if r.URL.Path != "/v1/embeddings" || json.NewDecoder(r.Body).Decode(&req) != nil {
		http.Error(w, `{"error":{"message":"bad request"}}`, http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.texts += len(req.Input)
	f.mu.Unlock()
	data := make([]map[string]any, len(req.Input))
	for i, text := range req.Input {
		v := make([]float32, 64)
		for _, w := range strings.Fields(strings.ToLower(text)) {
			h := fnv.New32a()
			h.Write([]byte(strings.Trim(w, ".,:;!?()`\"'")))
			v[h.Sum32()%64]++
		}
		data[i] = map[string]any{"object": "embedding", "index": i, "embedding": v}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": req.Model,
		"usage": map[string]int{"prompt_tokens": len(req.Input), "total_tokens": len(req.Input)}})
}

func (f *fakeEmbeddings) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.texts
}

// TestEvalHybrid runs koban eval with hybrid retrieval against a fake
// embeddings server: every section is embedded once, a second run embeds
// nothing, and after one page changes only that page's sections are embedded.
func TestEvalHybrid(t *testing.T) {
	fake := &fakeEmbeddings{}
	srv := httptest.NewServer(fake)
	defer srv.Close()

	docs := filepath.Join(t.TempDir(), "docs")
	if err := os.CopyFS(docs, samples.FS); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	env := map[string]string{"KOBAN_DATA_DIR": data, "KOBAN_LLM_BASE_URL": srv.URL + "/v1", "KOBAN_LLM_EMBEDDING_MODEL": "fake-embed"}
	evalHybrid := func() map[string]any {
		t.Helper()
		var stdout, stderr bytes.Buffer
		args := []string{"eval", "--docs", docs, "--cases", "../../eval/testdata/hoshi.jsonl", "--hybrid", "--json", "--no-triage"}
		if err := run(context.Background(), args, func(k string) string { return env[k] }, &stdout, &stderr); err != nil {
			t.Fatalf("koban %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		return decodeOne(t, stdout.Bytes())
	}

	cases, err := eval.LoadCases("../../eval/testdata/hoshi.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	// Each run embeds every question once, and a Japanese question once
	// more when its words are searched in the English docs too.
	questions, ja := len(cases), 0
	for _, c := range cases {
		if c.Lang == "ja" {
			ja++
		}
	}

	m := evalHybrid()
	first := fake.count()
	sections := int(num(t, m, "index.sections"))
	if first < sections+questions || first > sections+questions+ja {
		t.Errorf("first hybrid run embedded %d texts, want one per section and question (%d + %d, + up to %d)", first, sections, questions, ja)
	}
	questions = first - sections
	if r5 := num(t, m, "retrieval.recall_at_5"); r5 < 0.5 {
		t.Errorf("hybrid recall@5 on the sample cases = %.2f, want at least 0.5", r5)
	}

	evalHybrid()
	if again := fake.count() - first - questions; again != 0 {
		t.Errorf("second run embedded %d section texts, want 0 (cached by content hash)", again)
	}

	page := filepath.Join(docs, "en", "how-to", "request-a-database.md")
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, append(b, []byte("\n\n## Retention\n\nBackups are kept for 35 days.\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	before := fake.count()
	evalHybrid()
	changed := fake.count() - before - questions
	if changed == 0 || changed > 12 {
		t.Errorf("after changing one page, %d texts were embedded; want that page's sections only (1..12)", changed)
	}
}

// TestEvalCommandCVAndDetection runs koban eval --cv on cases that include
// messages asking for nothing and an inquiry of unknown category: triage
// figures count the labelled inquiries only, detection counts all, and each
// --out line says whether the message would be taken as an inquiry.
func TestEvalCommandCVAndDetection(t *testing.T) {
	b, err := os.ReadFile("../../eval/testdata/hoshi.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	extra := `{"id": "nq-1", "question": "thanks everyone, it works now!", "lang": "en", "category": "not-an-inquiry"}
{"id": "nq-2", "question": "FYI: we will restart the build runners at 18:00", "lang": "en", "category": "not-an-inquiry"}
{"id": "unk-1", "question": "How do I see the logs of my service?", "lang": "en"}
`
	cases := filepath.Join(t.TempDir(), "cases.jsonl")
	if err := os.WriteFile(cases, append(b, extra...), 0o644); err != nil {
		t.Fatal(err)
	}
	outFile := filepath.Join(t.TempDir(), "out.jsonl")
	modelFile := filepath.Join(t.TempDir(), "model.json")
	m := decodeOne(t, runEvalCmd(t, "--cases", cases, "--cv", "3", "--json", "--out", outFile, "--online", "--save-model", modelFile))
	var model struct {
		Version int                           `json:"version"`
		Weights map[string]map[string]float64 `json:"weights"`
	}
	if b, err := os.ReadFile(modelFile); err != nil || json.Unmarshal(b, &model) != nil || model.Version != 1 || len(model.Weights) != 3 {
		t.Errorf("--save-model wrote %+v (%v), want a model file with weights for the 3 categories", model, err)
	}
	if got := num(t, m, "cases"); got != 12 {
		t.Errorf("cases = %v, want 12", got)
	}
	for _, path := range []string{"triage.cases", "triage_cv.cases"} {
		if got := num(t, m, path); got != 9 {
			t.Errorf("%s = %v, want the 9 labelled inquiries", path, got)
		}
	}
	if got := num(t, m, "cv_folds"); got != 3 {
		t.Errorf("cv_folds = %v, want 3", got)
	}
	for path, want := range map[string]float64{"inquiry_detection.non_inquiries": 2, "inquiry_detection.treated_as_inquiry": 0, "inquiry_detection.inquiries": 10, "inquiry_detection.missed": 0} {
		if got := num(t, m, path); got != want {
			t.Errorf("%s = %v, want %v", path, got, want)
		}
	}
	lines, err := os.ReadFile(outFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(lines)), "\n") {
		var l struct {
			ID        string `json:"id"`
			Inquiry   *bool  `json:"inquiry"`
			Predicted string `json:"predicted"`
			Domain    string `json:"predicted_domain"`
			Decision  string `json:"decision"`
			CV        string `json:"cv"`
		}
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("--out line %q: %v", line, err)
		}
		if l.Inquiry == nil || *l.Inquiry != !strings.HasPrefix(l.ID, "nq-") {
			t.Errorf("%s: inquiry = %v, want %v", l.ID, l.Inquiry, !strings.HasPrefix(l.ID, "nq-"))
		}
		if l.Predicted == "" || l.Domain == "" || l.Decision == "" {
			t.Errorf("%s: predicted %q, predicted_domain %q, decision %q: want all set", l.ID, l.Predicted, l.Domain, l.Decision)
		}
		if labelled := strings.HasPrefix(l.ID, "hoshi-"); labelled != (l.CV != "") {
			t.Errorf("%s: cv = %q, want a prediction for the labelled inquiries only", l.ID, l.CV)
		}
	}
}
