package triage

import (
	"bufio"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// overlapWordRE splits text as the overlap check does: runs of Latin letters
// and digits, and single kana or kanji.
var overlapWordRE = regexp.MustCompile(`[a-z0-9]+|[\x{3040}-\x{30ff}\x{4e00}-\x{9fff}]`)

// overlapCommon are the stop words a shared run may be made of, beyond two.
var overlapCommon = wordSet(`the a an to of in on and or is are be it i my we you for with how do does can what why when this that not no from at as by if`)

// overlapRuns gives the runs of n words of text that have at least n−2
// words that are not stop words.
func overlapRuns(text string, n int) []string {
	w := overlapWordRE.FindAllString(strings.ToLower(text), -1)
	var out []string
	for i := 0; i+n <= len(w); i++ {
		rare := 0
		for _, x := range w[i : i+n] {
			if !overlapCommon[x] {
				rare++
			}
		}
		if rare >= n-2 {
			out = append(out, strings.Join(w[i:i+n], " "))
		}
	}
	return out
}

// TestNoEvalQuestionWordsInSource fails when any non-test source file of the
// module (.go, .yaml, .tsv) shares a run of 5 words, stop words aside, with
// a question of the shared evaluation sets: cues, keywords and examples
// must be written for a platform in general, never lifted from the
// questions koban is measured on. Skipped when the sets are absent.
func TestNoEvalQuestionWordsInSource(t *testing.T) {
	dir := evalDir
	if d := os.Getenv("KOBAN_EVAL_DIR"); d != "" {
		dir = d
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if len(files) == 0 {
		t.Skip("no evaluation sets in " + dir)
	}
	const n = 5
	questions := make(map[string]string) // run → case id
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<22)
		for sc.Scan() {
			var c struct {
				ID       string `json:"id"`
				Question string `json:"question"`
			}
			if json.Unmarshal(sc.Bytes(), &c) != nil {
				continue
			}
			for _, r := range overlapRuns(c.Question, n) {
				if _, ok := questions[r]; !ok {
					questions[r] = c.ID
				}
			}
		}
		fh.Close()
	}
	hits := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != ".." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		ext := filepath.Ext(name)
		if (ext != ".go" && ext != ".yaml" && ext != ".yml" && ext != ".tsv") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for ln, line := range strings.Split(string(b), "\n") {
			seen := make(map[string]bool)
			for _, r := range overlapRuns(line, n) {
				if id, ok := questions[r]; ok && !seen[r] {
					seen[r] = true
					hits++
					t.Errorf("%s:%d shares %q with evaluation question %s", path, ln+1, r, id)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if hits > 0 {
		t.Logf("%d runs of %d words shared with evaluation questions", hits, n)
	}
}
