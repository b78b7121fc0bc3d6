package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/kobanhq/koban"
	docsindex "github.com/kobanhq/koban/docs-index"
)

// listIndex brings the index up to date and prints its pages, so a team
// can see what koban made of its docs: the title it cites each page by,
// its Diátaxis quadrant, language and link. When a koban serve holds the
// index, it prints the pages as serve last indexed them instead.
func listIndex(ctx context.Context, a *app, asJSON bool) error {
	var pages []docsindex.IndexedPage
	ix, err := openIndex(a.cfg, a.log)
	switch {
	case err == nil:
		defer ix.Close()
		st, warns, err := updateIndex(ctx, ix, a.cfg, a.log)
		if err != nil {
			return err
		}
		// The list goes to stdout for scripts; what the update did, to stderr.
		printIndexStats(a.stderr, st, warns)
		pages = ix.Pages()
	case koban.ErrorCode(err) == koban.EUnavailable:
		fmt.Fprintf(a.stderr, "the docs index is in use by koban serve: listing the pages it last indexed\n")
		if pages, err = docsindex.ReadPages(indexDir(a.cfg)); err != nil {
			return err
		}
	default:
		return err
	}
	return printPages(a.stdout, pages, asJSON)
}

// listedPage is one line of koban index --list --json.
type listedPage struct {
	Source   string `json:"source"`
	Path     string `json:"path"`
	Title    string `json:"title"`
	Quadrant string `json:"quadrant"`
	Lang     string `json:"lang"`
	URL      string `json:"url"`
	Sections int    `json:"sections"`
}

// printPages writes pages as tab-separated lines (the file, title,
// quadrant, language and URL) or as JSON lines.
func printPages(w io.Writer, pages []docsindex.IndexedPage, asJSON bool) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, p := range pages {
		if asJSON {
			if err := enc.Encode(listedPage{Source: p.Source, Path: p.Path, Title: p.Title, Quadrant: string(p.Quadrant), Lang: p.Lang, URL: p.URL, Sections: p.Sections}); err != nil {
				return err
			}
			continue
		}
		q := p.Quadrant
		if q == "" {
			q = koban.Unknown
		}
		fields := []string{filepath.Join(p.Source, filepath.FromSlash(p.Path)), p.Title, string(q), p.Lang, p.URL}
		for i, f := range fields {
			// A tab or newline in a title would shift the columns.
			fields[i] = strings.Join(strings.Fields(f), " ")
		}
		if _, err := fmt.Fprintln(w, strings.Join(fields, "\t")); err != nil {
			return err
		}
	}
	return nil
}
