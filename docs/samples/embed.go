// Package samples embeds the sample platform docs (the fictional "Hoshi
// Platform") that koban indexes when no docs are configured, and that tests
// use as a small, stable corpus. It only ships the files; loading and
// indexing them is left to package docsindex.
package samples

import "embed"

// FS holds the sample pages, one folder per language: "en/…" and "ja/…",
// each with tutorials/, how-to/, reference/ and explanation/ below it.
//
//go:embed en ja
var FS embed.FS
