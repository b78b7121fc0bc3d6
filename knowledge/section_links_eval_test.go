package knowledge

import (
	"context"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	docsindex "github.com/kobanhq/koban/docs-index"
)

// linkCase is a sentence of the docs that links to a section of a page:
// the sentence (its links read as their text) asks for what the section
// says, as a maintainer answering a question with a link does.
type linkCase struct {
	query  string // the sentence, links as their text
	bare   string // the sentence without the linked text: the context alone
	source string // the page the sentence is on
	from   string // the ID of the section the sentence is in
	path   string // the linked page
	anchor string // the linked section
}

// docsLinkRe matches a Markdown link with an anchor: its text, the page
// part of its target and the anchor.
var docsLinkRe = regexp.MustCompile(`\[([^\]]+)\]\(([^)#\s]*)#([^)\s]+)\)`)

// anyLinkRe matches any Markdown link, to read it as its text.
var anyLinkRe = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)

// linkCases reads the sentences of secs that link to a section of another
// page of the same docs (or of the same page, from another section), at
// most max of them spread evenly over the docs, in a fixed order.
func linkCases(secs []docsindex.Section, max int) []linkCase {
	anchors := map[string]map[string]bool{} // page path → its anchors
	for _, s := range secs {
		if anchors[s.Path] == nil {
			anchors[s.Path] = map[string]bool{}
		}
		anchors[s.Path][strings.ToLower(s.Anchor)] = true
	}
	var out []linkCase
	seen := map[string]bool{}
	for _, s := range secs {
		for _, sent := range linkSentences(s.Text) {
			for _, m := range docsLinkRe.FindAllStringSubmatch(sent, -1) {
				target := resolveDocsLink(s.Path, m[2], anchors)
				anchor := strings.ToLower(m[3])
				if target == "" || !anchors[target][anchor] || anchor == "" {
					continue
				}
				if target == s.Path && strings.EqualFold(s.Anchor, anchor) {
					continue
				}
				q := anyLinkRe.ReplaceAllString(sent, "$1")
				bare := strings.Replace(sent, m[0], " ", 1)
				bare = anyLinkRe.ReplaceAllString(bare, "$1")
				k := target + "#" + anchor + "|" + q
				if seen[k] || len(words(bare)) < 3 {
					continue
				}
				seen[k] = true
				out = append(out, linkCase{query: q, bare: bare, source: s.Path, from: s.ID, path: target, anchor: anchor})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].path+out[i].anchor+out[i].query < out[j].path+out[j].anchor+out[j].query
	})
	if max > 0 && len(out) > max {
		step := float64(len(out)) / float64(max)
		var keep []linkCase
		for i := 0; i < max; i++ {
			keep = append(keep, out[int(float64(i)*step)])
		}
		out = keep
	}
	return out
}

// itemStart matches a line that starts a list item or a table row: it
// starts a new sentence, as a blank line does.
var itemStart = regexp.MustCompile(`^\s*([-*+]|\d+[.)]|\|)\s`)

// linkSentences splits text into sentences: prose wrapped over lines is
// joined, and each list item or table row starts anew, so that a list of
// links is read as one link a line.
func linkSentences(text string) []string {
	var out, para []string
	flush := func() {
		if len(para) > 0 {
			out = append(out, splitSentences(strings.Join(strings.Fields(strings.Join(para, " ")), " "))...)
			para = para[:0]
		}
	}
	for _, l := range strings.Split(text, "\n") {
		if strings.TrimSpace(l) == "" || itemStart.MatchString(l) {
			flush()
		}
		if t := strings.TrimSpace(l); t != "" {
			para = append(para, t)
		}
	}
	flush()
	return out
}

// resolveDocsLink is the page path a link's page part names from the page
// at from: "" for the same page, a site path (/docs/x/y/, with the docs
// folder first), a relative .md path or an .html page; "" when no page of
// anchors matches.
func resolveDocsLink(from, target string, anchors map[string]map[string]bool) string {
	if target == "" {
		return from
	}
	if strings.Contains(target, "://") {
		return ""
	}
	var base string
	if strings.HasPrefix(target, "/") {
		base = strings.Trim(target, "/")
		// Site paths carry the docs' folder ("/docs/…",
		// "/documentation/…") first.
		if _, rest, ok := strings.Cut(base, "/"); ok {
			base = rest
		}
	} else {
		base = path.Join(path.Dir(from), target)
		if _, ok := anchors[base]; !ok && !strings.HasSuffix(target, ".md") {
			base = strings.Trim(target, "/")
			if _, rest, ok := strings.Cut(base, "/"); ok && strings.HasPrefix(target, "documentation/") {
				base = rest
			}
		}
	}
	base = strings.TrimSuffix(strings.TrimSuffix(base, ".html"), ".md")
	for _, c := range []string{base + ".md", base + "/_index.md", base + "/index.md", base + ".html.md", base + ".html.md.erb"} {
		if _, ok := anchors[c]; ok {
			return c
		}
	}
	return ""
}

// linkEval is one docs' link cases with what retrieval found for each.
type linkEval struct {
	name  string
	cases []linkCase
	page  []*page               // the linked page as retrieval found it for the query (its hits), or with none
	all   [][]docsindex.Section // its sections, the linking section left out
}

// loadLinkEvals builds the link cases of each evaluation corpus (English),
// at most max each, and retrieves each case's query once.
func loadLinkEvals(t *testing.T, max int, bare bool) []linkEval {
	t.Helper()
	shared := filepath.Join("..", "..", "shared")
	var out []linkEval
	for _, set := range evalSets {
		set.langs = []string{"en"}
		ix, _ := openEvalIndex(t, filepath.Join(evalIndexDir(), set.name+"-en"), shared, set)
		secs, err := ix.Sections()
		if err != nil {
			t.Fatal(err)
		}
		svc := New(ix, Config{}, nil)
		le := linkEval{name: set.name, cases: linkCases(secs, max)}
		for _, c := range le.cases {
			q := c.query
			if bare {
				q = c.bare
			}
			var p *page
			if r, err := svc.retrieve(context.Background(), q, CleanQuery(q), "en", false); err == nil {
				for _, rp := range r.pages {
					if rp.best.Path == c.path {
						p = rp
						break
					}
				}
			}
			all, _ := ix.PageSections(secs[0].Source, c.path)
			var keep []docsindex.Section
			for _, s := range all {
				if s.ID != c.from {
					keep = append(keep, s)
				}
			}
			if p == nil {
				h := docsindex.Hit{Section: keep[0]}
				p = &page{best: &h}
			} else if c.path == c.source {
				// The linking section's own hit would count for it.
				var hs []*docsindex.Hit
				for _, h := range p.sections {
					if h.ID != c.from {
						hs = append(hs, h)
					}
				}
				p = &page{best: p.best, sections: hs, score: p.score}
			}
			le.page = append(le.page, p)
			le.all = append(le.all, keep)
		}
		ix.Close()
		out = append(out, le)
	}
	return out
}

// linkRanks is, for each case, the rank (from 1) of its linked section
// among its page's sections as chooseSections ranks them for the case's
// sentence, from all of them or, with hitsOnly, from those the search
// found; 0 when not ranked.
func linkRanks(le linkEval, bare, hitsOnly bool) []int {
	out := make([]int, len(le.cases))
	for i, c := range le.cases {
		q := c.query
		if bare {
			q = c.bare
		}
		all := le.all[i]
		if hitsOnly {
			all = nil
		}
		for r, ch := range chooseSections(le.page[i], all, askOf(q, CleanQuery(q), nil)) {
			if strings.EqualFold(ch.sec.Anchor, c.anchor) {
				out[i] = r + 1
				break
			}
		}
	}
	return out
}

// TestEvalSectionLinks measures how the section that answers is chosen
// within its page on a set far larger than the evaluation cases' relevant
// sections, and apart from them: the docs' own sentences that link to a
// section of a page (links with an anchor), each sentence the question and
// the linked section the answer, with the page given. It logs, for each
// evaluation corpus, the share of linked sections chosen first and within
// the first two (what an answer quotes of its page) and their MRR, and the
// share chosen first from the sections the search found alone (as a long
// page listed but not quoted is); with the linked text kept (it often
// repeats the section's heading) and without it (the sentence's context
// alone). KOBAN_EVAL=1 runs it.
func TestEvalSectionLinks(t *testing.T) {
	if os.Getenv("KOBAN_EVAL") == "" {
		t.Skip("set KOBAN_EVAL=1 to measure section choice on the docs' own links")
	}
	if _, err := os.Stat(filepath.Join("..", "..", "shared", "corpora")); err != nil {
		t.Skipf("corpora not found: %v", err)
	}
	for _, bare := range []bool{false, true} {
		for _, le := range loadLinkEvals(t, 1500, bare) {
			ranks := linkRanks(le, bare, false)
			var top1, top2, rr, found, hitTop1 float64
			for i, r := range linkRanks(le, bare, true) {
				// Only where the search found the page: the pages an
				// answer lists are.
				if len(le.page[i].sections) > 0 {
					found++
					if r == 1 {
						hitTop1++
					}
				}
			}
			for _, r := range ranks {
				if r == 1 {
					top1++
				}
				if r >= 1 && r <= 2 {
					top2++
				}
				if r > 0 {
					rr += 1 / float64(r)
				}
			}
			n := float64(max(len(ranks), 1))
			t.Logf("%s (linked text kept %v): %d links; linked section first %.3f, in the first two %.3f, MRR %.3f; chosen from the sections the search found: first %.3f of %.0f", le.name, !bare, len(ranks), top1/n, top2/n, rr/n, hitTop1/max(found, 1), found)
		}
	}
}
