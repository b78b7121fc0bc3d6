package main

import (
	docsindex "github.com/kobanhq/koban/docs-index"
	"github.com/kobanhq/koban/triage"
)

// docsVocabulary collects the words of the indexed docs, for triage to tell
// a docs question in words the docs never use (a docs gap).
func docsVocabulary(ix *docsindex.Index) (*triage.Vocabulary, error) {
	secs, err := ix.Sections()
	if err != nil {
		return nil, err
	}
	texts := make([]string, len(secs))
	for i, s := range secs {
		texts[i] = s.Breadcrumb + "\n" + s.Text
	}
	return triage.NewVocabulary(texts), nil
}

// setVocabulary gives triage the docs' words; on failure triage goes on
// without them.
func setVocabulary(a *app, tr *triage.Service, ix *docsindex.Index) {
	v, err := docsVocabulary(ix)
	if err != nil {
		a.log.Warn("docs vocabulary for triage", "err", err)
		return
	}
	tr.SetVocabulary(v)
}
