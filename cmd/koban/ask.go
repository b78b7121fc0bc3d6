package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/redact"
)

// askFlags declares the flags of koban ask and returns what runs it.
// koban ask answers one question from the docs index, as koban would in Slack.
func askFlags(fs *flag.FlagSet, a *app) runner {
	lang := fs.String("lang", "", `language of the question: "en", "ja" or "" to detect`)
	asJSON := fs.Bool("json", false, "print one JSON object, as a line of koban eval --out: decision, pages, sections, answer")
	return func(ctx context.Context, args []string) error {
		q := strings.TrimSpace(strings.Join(args, " "))
		if q == "" {
			return errors.New(`ask: give the question as an argument: koban ask "how do I request a database?"`)
		}
		start := time.Now()
		ix, err := openIndex(a.cfg, a.log)
		if err != nil {
			return err
		}
		defer ix.Close()
		if ix.Stats().Documents == 0 {
			// First use: build the index rather than answer from nothing.
			if _, warns, err := updateIndex(ctx, ix, a.cfg, a.log); err != nil {
				return err
			} else if len(warns) > 0 {
				fmt.Fprintf(a.stderr, "%d docs files skipped; run koban index to see which\n", len(warns))
			}
		}
		red, err := redact.New()
		if err != nil {
			return fmt.Errorf("ask: %w", err)
		}
		q, _ = red.Redact(q)
		llm, err := wireLLM(a, red)
		if err != nil {
			return err
		}
		svc, closeSvc, _, err := wireAnswerer(ctx, a, ix, llm, true, true)
		if err != nil {
			return err
		}
		defer closeSvc()
		ans, err := svc.Answer(ctx, koban.Question{Text: q, Lang: *lang})
		if koban.ErrorCode(err) == koban.EInvalid {
			return errors.New(koban.ErrorMessage(err))
		}
		if err != nil {
			return fmt.Errorf("ask: %w", err)
		}
		if *asJSON {
			return printAskJSON(ctx, a, llm, svc, koban.Question{Text: q, Lang: *lang}, ans)
		}
		w := a.stdout
		if ans.Known {
			fmt.Fprintln(w, ans.Text)
		} else {
			fmt.Fprintln(w, "I don't know: the docs do not answer this confidently. The on-call would be asked.")
		}
		fmt.Fprintf(w, "\nconfidence %.2f (threshold %.2f), language %s, took %v (total %v)\n",
			ans.Confidence, a.cfg.Knowledge.MinConfidence, ans.Lang, ans.Took.Round(time.Microsecond), time.Since(start).Round(time.Millisecond))
		if len(ans.Pages) > 0 {
			fmt.Fprintln(w, "\npages:")
			for i, p := range ans.Pages {
				link := p.URL
				if link == "" {
					link = p.Path
					if p.Anchor != "" {
						link += "#" + p.Anchor
					}
				}
				fmt.Fprintf(w, "%2d. %s [%s] %s (%.2f)\n", i+1, p.Section, p.Quadrant, link, p.Score)
			}
		}
		return nil
	}
}
