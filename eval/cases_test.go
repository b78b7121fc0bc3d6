package eval

import (
	"strings"
	"testing"

	"github.com/kobanhq/koban"
)

func TestReadCases(t *testing.T) {
	good := `{"id": "a", "question": "How do I get a database?", "lang": "en", "category": "self-solvable", "domain": "database", "relevant_docs": ["./how-to/request-a-database.md"]}

# a comment
{"id": "b", "question": "Ingress gateway returns 502 for everyone", "lang": "en", "category": "platform-only", "domain": "network", "relevant_docs": [], "evidence": "outage"}
`
	cases, err := ReadCases(strings.NewReader(good), "good.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 2 {
		t.Fatalf("ReadCases(good) = %d cases, want 2", len(cases))
	}
	if got := cases[0].RelevantDocs[0]; got != "how-to/request-a-database.md" {
		t.Errorf("relevant path = %q, want it cleaned to how-to/request-a-database.md", got)
	}
	if cases[1].Category != koban.PlatformOnly || cases[1].Domain != "network" {
		t.Errorf("case b = %+v", cases[1])
	}

	const ok = `{"id": "ok", "question": "q", "lang": "en", "category": "docs-missing"}`
	tests := []struct {
		name, in, want string
	}{
		{"broken JSON", ok + "\n{\"id\": \"x\",", "bad.jsonl:2: not a JSON object"},
		{"two values", ok + " {}", "bad.jsonl:1: more than one JSON value"},
		{"no id", "\n\n" + `{"question": "q", "lang": "en", "category": "docs-missing"}`, "bad.jsonl:3: missing \"id\""},
		{"no question", `{"id": "x", "lang": "en", "category": "docs-missing"}`, "bad.jsonl:1: case x: missing \"question\""},
		{"bad category", `{"id": "x", "question": "q", "lang": "en", "category": "bug"}`, `bad.jsonl:1: case x: unknown category "bug"`},
		{"no lang", `{"id": "x", "question": "q", "category": "not-an-inquiry"}`, `bad.jsonl:1: case x: "lang" must name a docs folder`},
		{"duplicate id", ok + "\n" + ok, `bad.jsonl:2: id "ok" is already used on line 1`},
		{"empty path", `{"id": "x", "question": "q", "lang": "en", "category": "docs-missing", "relevant_docs": [" "]}`, "bad.jsonl:1: case x: empty path"},
		{"empty file", "\n", "bad.jsonl: no cases"},
	}
	for _, tt := range tests {
		_, err := ReadCases(strings.NewReader(tt.in), "bad.jsonl")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: ReadCases error = %v, want it to contain %q", tt.name, err, tt.want)
			continue
		}
		if code := koban.ErrorCode(err); code != koban.EInvalid {
			t.Errorf("%s: error code = %q, want %q", tt.name, code, koban.EInvalid)
		}
	}
}

func TestLoadCasesShared(t *testing.T) {
	// The cases shipped in testdata must load.
	cases, err := LoadCases("testdata/hoshi.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 5 {
		t.Errorf("testdata/hoshi.jsonl has %d cases, want at least 5", len(cases))
	}
}
