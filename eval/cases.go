// Package eval measures how well koban retrieves docs and triages questions,
// against labelled cases: real questions with the pages that answer them and
// the category a human gave them. It loads cases (JSON Lines), runs them
// through an Answerer and, optionally, a Triager, and computes retrieval
// metrics (Recall@k, MRR@10, nDCG@10), triage metrics (accuracy, macro-F1,
// per-category scores, confusion; offline, online and K-fold
// cross-validated), how many messages would be taken as inquiries, what
// the asker is shown (answer keys and sections, in the reply composed from
// the procedure page triage names, as the desk replies), and latency
// percentiles. It is the one home of that arithmetic: the
// evaluation harnesses in the tests of triage and knowledge score with
// ScoreRanking and Confusion too.
//
// It leaves building the docs index and choosing the corpus to the caller
// (koban eval in cmd/koban); it only needs the small interfaces below.
package eval

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/kobanhq/koban"
)

// NotAnInquiry is the category of a case that is a real message asking for
// nothing (thanks, an FYI, chatter): it must not become an inquiry. A case
// with no category is an inquiry of unknown category, counted only for
// detection.
const NotAnInquiry koban.Category = "not-an-inquiry"

// Inquiry reports whether the case is an inquiry (labelled or not).
func (c Case) Inquiry() bool { return c.Category != NotAnInquiry }

// Labelled reports whether the case is an inquiry with a known category,
// one that triage figures count.
func (c Case) Labelled() bool { return c.Category.Valid() }

// Case is one labelled question, one line of a cases file.
type Case struct {
	ID       string         `json:"id"`
	Question string         `json:"question"`
	Lang     string         `json:"lang"` // "en" or "ja": the docs folder it is judged against
	Category koban.Category `json:"category"`
	Domain   koban.Domain   `json:"domain"`
	// RelevantDocs are page paths relative to the language's docs folder,
	// with '/' separators. Empty when no page answers the question.
	RelevantDocs []string `json:"relevant_docs"`
	SourceURL    string   `json:"source_url,omitempty"`
	Evidence     string   `json:"evidence,omitempty"`
	// RelevantSections are the sections that answer, as "path#anchor"
	// ("path#" for the text before the first heading); optional.
	RelevantSections []string `json:"relevant_sections,omitempty"`
	// AnswerKey holds 1–3 strings from those sections that a useful
	// answer shows the asker; optional.
	AnswerKey []string `json:"answer_key,omitempty"`
}

// LoadCases reads a cases file in JSON Lines format. Errors name the file
// and line and have code koban.EInvalid when the content is at fault.
func LoadCases(name string) ([]Case, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("cases: %w", err)
	}
	defer f.Close()
	return ReadCases(f, name)
}

// ReadCases parses cases, one JSON object per line; blank lines and lines
// starting with '#' are skipped. name is used in error messages.
func ReadCases(r io.Reader, name string) ([]Case, error) {
	var cases []Case
	seen := map[string]int{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 4*1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		var c Case
		dec := json.NewDecoder(bytes.NewReader(line))
		if err := dec.Decode(&c); err != nil {
			return nil, koban.Errorf(koban.EInvalid, "%s:%d: not a JSON object: %v", name, n, err)
		}
		if dec.More() {
			return nil, koban.Errorf(koban.EInvalid, "%s:%d: more than one JSON value on the line", name, n)
		}
		if err := c.validate(); err != nil {
			return nil, koban.Errorf(koban.EInvalid, "%s:%d: %v", name, n, err)
		}
		if prev, ok := seen[c.ID]; ok {
			return nil, koban.Errorf(koban.EInvalid, "%s:%d: id %q is already used on line %d", name, n, c.ID, prev)
		}
		seen[c.ID] = n
		for i, p := range c.RelevantDocs {
			c.RelevantDocs[i] = cleanPath(p)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(cases) == 0 {
		return nil, koban.Errorf(koban.EInvalid, "%s: no cases", name)
	}
	return cases, nil
}

func (c *Case) validate() error {
	switch {
	case c.ID == "":
		return fmt.Errorf("missing \"id\"")
	case strings.TrimSpace(c.Question) == "":
		return fmt.Errorf("case %s: missing \"question\"", c.ID)
	case c.Lang == "" || strings.ContainsAny(c.Lang, `/\.`):
		return fmt.Errorf("case %s: \"lang\" must name a docs folder such as \"en\" or \"ja\", got %q", c.ID, c.Lang)
	case !c.Category.Valid() && c.Category != NotAnInquiry && c.Category != "":
		return fmt.Errorf("case %s: unknown category %q: want self-solvable, docs-missing, platform-only, not-an-inquiry or none", c.ID, c.Category)
	}
	for _, p := range c.RelevantDocs {
		if strings.TrimSpace(p) == "" {
			return fmt.Errorf("case %s: empty path in \"relevant_docs\"", c.ID)
		}
	}
	return nil
}

// cleanPath normalises a page path so that case paths and citation paths
// compare equal: '/' separators, no "./" or leading '/'.
func cleanPath(p string) string {
	p = strings.ReplaceAll(strings.TrimSpace(p), `\`, "/")
	return strings.TrimPrefix(path.Clean("/"+p), "/")
}
