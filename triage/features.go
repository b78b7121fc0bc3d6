package triage

import (
	"math"
	"strings"
	"unicode/utf8"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/internal/textproc"
)

// The features the category model reads, each in [0,1]. They are general
// signals, not words: what the message does (its speech act), what retrieval
// found (calibrated confidence, margin, the matching page's quadrant,
// whether a page describes doing exactly what is asked, how much of the
// question the pages cover), whether it is urgent, and how humans labelled
// similar past inquiries.
const (
	fBias = iota
	fAskHow
	fAskLookup
	fAskWhy
	fAskProcedure
	fSelfRoute // asks about a self-service route (a form, a portal, a CLI)
	fAct       // asks the platform team to act
	fRequest   // a request or filled-in request form
	fProvision // names something the platform provisions
	fBreakage  // outage or regression language
	fBug       // a bug report's shape
	fFeature   // asks the platform to behave differently
	fDocsIssue // reports a problem with the docs
	fDocsRef   // points at a docs page
	fFollowed  // followed the docs already
	fErrorPaste
	fOwnSteps
	fOwnFault
	fStatement  // asks nothing: states a behaviour
	fPageReport // asks nothing: states something about a docs page
	fQuestionMark
	fUrgent
	fHasRetrieval // retrieval ran (the features below are meaningful)
	fConf         // retrieval confidence
	fConfHigh     // confidence at least 0.5
	fConfLow      // confidence under 0.3
	fKnown        // retrieval knows an answer
	fMargin       // how far the best page is ahead of the second
	fQuadHowTo    // the best page is a how-to or tutorial
	fQuadRef      // … reference
	fQuadExpl     // … explanation
	fQuadFits     // the best page is of the kind the question asks for
	fSelfServe    // a page describes doing exactly what a request asks
	fCoverage     // share of the question's key terms the best pages hold
	fAskConf      // a question (how/what/why) times confidence
	fAskMiss      // a question the docs do not answer: ask × (1 − coverage)
	fDemandConf   // a demand (act, request) times confidence
	fDocsConf     // a docs report times confidence
	fTroubleConf  // a pasted error with no outage, bug or demand language, times confidence
	fAbsent       // share of the question's key terms the docs never use
	fAskAbsent    // a question (how/what/why) times that share
	fNearSS       // similar human-labelled inquiries: share self-solvable × evidence mass, shrunk
	fNearDM
	fNearPO
	fWordsSS // the word model of the team's labels: posterior of self-solvable × trust
	fWordsDM
	fWordsPO
	numFeatures
)

var featureNames = [numFeatures]string{
	"bias", "ask-how", "ask-lookup", "ask-why", "ask-procedure", "self-route", "act", "request", "provision",
	"breakage", "bug", "feature", "docs-issue", "docs-ref", "followed", "error-paste", "own-steps", "own-fault",
	"statement", "page-report", "question-mark", "urgent", "has-retrieval", "confidence", "confidence-high", "confidence-low",
	"known", "margin", "quadrant-how-to", "quadrant-reference", "quadrant-explanation", "quadrant-fits",
	"self-serve", "coverage", "ask×confidence", "ask×uncovered", "demand×confidence", "docs-report×confidence", "trouble×confidence", "absent-terms", "ask×absent-terms",
	"similar-self-solvable", "similar-docs-missing", "similar-platform-only",
	"words-self-solvable", "words-docs-missing", "words-platform-only",
}

// vector is one inquiry's features.
type vector [numFeatures]float64

// signalFeature maps each text signal to its feature.
var signalFeature = map[signalKind]int{
	sigHowTo: fAskHow, sigLookup: fAskLookup, sigExplain: fAskWhy, sigProcedure: fAskProcedure,
	sigMechanism: fSelfRoute, sigAct: fAct, sigRequest: fRequest, sigProvision: fProvision,
	sigOutage: fBreakage, sigBug: fBug, sigFeature: fFeature, sigDocsIssue: fDocsIssue, sigDocsRef: fDocsRef,
	sigFollowed: fFollowed, sigErrorPaste: fErrorPaste, sigOwnSteps: fOwnSteps, sigOwnFault: fOwnFault,
	sigStatement: fStatement, sigPageReport: fPageReport, sigUrgent: fUrgent,
}

// textFeatures sets the features read from the text alone.
func textFeatures(v *vector, text string, sigs []signal) {
	v[fBias] = 1
	for _, sg := range sigs {
		if f, ok := signalFeature[sg.Kind]; ok {
			v[f] = 1
		}
	}
	if strings.ContainsAny(text, "?？") {
		v[fQuestionMark] = 1
	}
}

// retrievalFeatures sets the features of the retrieval evidence. A zero
// Answer (no retrieval) leaves them 0. vocab may be nil.
func retrievalFeatures(v *vector, text string, a koban.Answer, selfServe bool, vocab *Vocabulary) {
	if share, n := vocab.absent(text); n >= 2 {
		v[fAbsent] = share
		ask := math.Max(v[fAskHow], math.Max(v[fAskLookup], math.Max(v[fAskWhy], v[fAskProcedure])))
		v[fAskAbsent] = ask * share * (1 - v[fDocsIssue])
	}
	if len(a.Pages) == 0 && a.Confidence == 0 && !a.Known {
		return
	}
	v[fHasRetrieval] = 1
	c := clamp01(a.Confidence)
	v[fConf] = c
	if c >= 0.5 {
		v[fConfHigh] = 1
	}
	if c < 0.3 {
		v[fConfLow] = 1
	}
	if a.Known {
		v[fKnown] = 1
	}
	if len(a.Pages) >= 2 && a.Pages[0].Score > 0 {
		v[fMargin] = clamp01((a.Pages[0].Score - a.Pages[1].Score) / a.Pages[0].Score)
	} else if len(a.Pages) == 1 {
		v[fMargin] = 1
	}
	if len(a.Pages) > 0 {
		switch a.Pages[0].Quadrant {
		case koban.HowTo, koban.Tutorial:
			v[fQuadHowTo] = 1
			v[fQuadFits] = v[fAskHow] + v[fAskProcedure]
		case koban.Reference:
			v[fQuadRef] = 1
			v[fQuadFits] = v[fAskLookup]
		case koban.Explanation:
			v[fQuadExpl] = 1
			v[fQuadFits] = v[fAskWhy]
		}
		v[fQuadFits] = math.Min(1, v[fQuadFits])
	}
	if selfServe {
		// A page describes doing what the request asks: the ask is
		// explained by the asker not knowing they can do it themselves,
		// so the demand cues say nothing more about who must act.
		v[fSelfServe] = 1
		v[fAct], v[fRequest] = 0, 0
	}
	v[fCoverage] = coverage(text, a.Pages)
	ask := math.Max(v[fAskHow], math.Max(v[fAskLookup], math.Max(v[fAskWhy], v[fAskProcedure])))
	v[fAskConf] = ask * c
	v[fAskMiss] = ask * (1 - v[fCoverage]) * (1 - v[fDocsIssue])
	v[fDemandConf] = math.Max(v[fAct], v[fRequest]) * c
	v[fDocsConf] = v[fDocsIssue] * c
	if v[fErrorPaste] == 1 && v[fBreakage]+v[fBug]+v[fAct]+v[fRequest]+v[fFeature]+v[fUrgent] == 0 {
		// A pasted error from one's own setup is a troubleshooting
		// question, even without a question mark.
		v[fTroubleConf] = c
	}
}

// coverage is the share of the question's key terms (words of four letters
// or more that are not function words, CJK runs of two characters or more)
// that the best three pages hold in their path, title, breadcrumb or
// quoted passage (not a listed page's glimpse, which is picked for the
// question's words and would find them there by construction). A how-to question whose key terms the docs lack is a docs
// gap; one whose terms are all there was probably answerable.
func coverage(text string, pages []koban.Citation) float64 {
	terms := keyTerms(text)
	if len(terms) == 0 || len(pages) == 0 {
		return 0
	}
	var b strings.Builder
	for i, p := range pages {
		if i == 3 {
			break
		}
		b.WriteString(strings.ToLower(p.Path + " " + p.Title + " " + p.Section))
		if p.Quoted {
			b.WriteString(" " + strings.ToLower(p.Snippet))
		}
		b.WriteByte(' ')
	}
	hay := b.String()
	found := 0
	for _, t := range terms {
		if strings.Contains(hay, t) {
			found++
		}
	}
	return float64(found) / float64(len(terms))
}

// keyTerms lists the distinct key terms of a text, at most 30.
func keyTerms(text string) []string {
	text = strings.ToLower(linkRE.ReplaceAllString(truncateRunes(text, maxTextRunes), " "))
	seen := make(map[string]bool)
	var out []string
	for _, w := range textproc.Words(text) {
		if textproc.IsCJK(firstRune(w)) {
			r := []rune(w)
			for i := 0; i+2 <= len(r); i += 2 {
				seen[string(r[i:i+2])] = true
				out = append(out, string(r[i:i+2]))
			}
			continue
		}
		if utf8.RuneCountInString(w) < 4 || textproc.IsStop(w) || seen[w] {
			continue
		}
		seen[w] = true
		// Its root, so that "deployments" meets "deployment".
		out = append(out, textproc.Inflections.Stem(w))
	}
	if len(out) > 30 {
		out = out[:30]
	}
	return out
}
