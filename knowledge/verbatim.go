package knowledge

import (
	"context"
	"log/slog"
	"strings"

	"github.com/kobanhq/koban"
)

// CodeChecked keeps a model-written answer only when every code block in it
// is found verbatim in the sections it cites: a command or YAML the model
// rewrote, however plausibly, is not what the docs say. Otherwise the
// extractive answer, which quotes code as it is, is given.
type CodeChecked struct {
	written    Answerer
	extractive Answerer
	pages      PageReader
	log        *slog.Logger
}

// WithCodeCheck returns an Answerer that answers through written and falls
// back to extractive when written's answer (one with a Model) shows code
// that its cited sections, read through pages, do not hold.
func WithCodeCheck(written, extractive Answerer, pages PageReader, log *slog.Logger) *CodeChecked {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &CodeChecked{written: written, extractive: extractive, pages: pages, log: log}
}

// Answer returns written's answer when its code is verbatim, and
// extractive's otherwise. Errors are theirs.
func (c *CodeChecked) Answer(ctx context.Context, q koban.Question) (koban.Answer, error) {
	return c.check(ctx, q, c.written.Answer, c.extractive.Answer)
}

// check answers q through written, or extractive when written's code is not
// verbatim.
func (c *CodeChecked) check(ctx context.Context, q koban.Question, written, extractive answerFunc) (koban.Answer, error) {
	ans, err := written(ctx, q)
	if err != nil || ans.Model == "" || !ans.Known {
		return ans, err
	}
	if bad := c.unquoted(ans); bad != "" {
		c.log.Warn("model answer rewrote code, answering from the docs extract", "model", ans.Model, "line", bad)
		ex, err := extractive(ctx, q)
		if err != nil {
			return koban.Answer{}, err
		}
		ex.Tokens += ans.Tokens
		ex.Took += ans.Took
		return ex, nil
	}
	return ans, nil
}

// unquoted returns the first line of a code block of ans that none of its
// cited sections holds, or "" when every one is quoted.
func (c *CodeChecked) unquoted(ans koban.Answer) string {
	var blocks [][]string
	for _, b := range splitBlocks(ans.Text) {
		if b.kind == code {
			blocks = append(blocks, b.lines)
		}
	}
	if len(blocks) == 0 {
		return ""
	}
	var src strings.Builder
	seen := map[string]bool{}
	for _, ct := range ans.Citations {
		src.WriteString(ct.Snippet + "\n")
		if seen[ct.Path] || c.pages == nil {
			continue
		}
		seen[ct.Path] = true
		secs, err := c.pages.Page(ct.Path)
		if err != nil {
			continue
		}
		for _, s := range secs {
			src.WriteString(s.Text + "\n")
		}
	}
	lines := map[string]bool{}
	for _, l := range strings.Split(src.String(), "\n") {
		lines[strings.Join(strings.Fields(l), " ")] = true
	}
	for _, b := range blocks {
		for _, l := range b {
			// Indentation may change inside an answer; the words may not.
			if l = strings.Join(strings.Fields(l), " "); l != "" && !lines[l] {
				return l
			}
		}
	}
	return ""
}
