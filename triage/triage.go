// Package triage classifies an inquiry: its category (self-solvable,
// docs-missing, platform-only, with detail), its problem domain, and whether
// koban should answer it from the docs or escalate it to the on-call. It
// learns from the labels humans give resolved inquiries.
package triage
