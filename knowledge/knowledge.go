// Package knowledge answers questions from the platform docs: it retrieves
// sections through a Searcher (the docs index), collapses them to pages,
// composes an answer with citations (extractive, or through an LLM when one is
// configured) and says how confident it is. Below the confidence threshold it
// answers "I don't know" and leaves escalation to the caller.
package knowledge
