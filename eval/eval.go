package eval

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/kobanhq/koban"
)

// Outcome is what koban did with one case.
type Outcome struct {
	Case   Case
	Pages  []string     // ranked page paths from Answer.Pages, in the case's language
	Answer koban.Answer // the full answer, as triage read it
	// Reply is the answer koban replies with when it is not Answer: one
	// composed from the procedure page triage found (koban.ReplyAnswer).
	Reply  *koban.Answer
	Triage *koban.Triage // nil without a Triager
	Online *koban.Triage // the prediction made in online mode, before learning the case's label
	CV     *koban.Triage // the cross-validated prediction, learnt from the other folds only
	// Detection says whether koban would take the message as an inquiry
	// in a channel of mode all; nil without a Detector.
	Detection *koban.Detection
	Took      time.Duration // answer plus triage
	// anyLang lists pages and sections in every language, not only the
	// case's: a question asked outside an evaluation (NewOutcome) is
	// answered from the docs in the other language when its own do not
	// answer, and its line must show those pages.
	anyLang bool
}

// listLang is the language Pages and the sections of o's line are listed
// in: the case's, or "" for all.
func (o Outcome) listLang() string {
	if o.anyLang {
		return ""
	}
	return o.Case.Lang
}

// Report is the result of an evaluation.
type Report struct {
	Cases     int       `json:"cases"`
	Retrieval Retrieval `json:"retrieval"`
	// Triage is null when no Triager was given.
	Triage *Triage `json:"triage"`
	// TriageOnline is the triage of each case made before the triager
	// learnt that case's label, learning the cases in file order.
	TriageOnline *Triage `json:"triage_online,omitempty"`
	// TriageCV is the K-fold cross-validated triage (CVFolds folds): each
	// case triaged by a triager that learnt the other folds' labels only.
	// Quote these figures rather than Triage's.
	TriageCV *Triage `json:"triage_cv,omitempty"`
	CVFolds  int     `json:"cv_folds,omitempty"`
	// InquiryDetection counts which messages would be taken as inquiries.
	InquiryDetection *Detection `json:"inquiry_detection,omitempty"`
	LatencyMS        Latency    `json:"latency_ms"`
	// Answers judges what the asker is shown; null when no case has an
	// answer key or relevant sections.
	Answers *Answers `json:"answers"`
	// Index describes the index the cases were run against; set by the caller.
	Index *IndexStats `json:"index,omitempty"`

	Outcomes []Outcome `json:"-"`
}

// IndexStats describes the docs index an evaluation ran against.
type IndexStats struct {
	Seconds   float64 `json:"seconds"` // time to build or update it
	Documents int     `json:"documents"`
	Sections  int     `json:"sections"`
}

// Runner runs cases through the services under evaluation.
type Runner struct {
	// Answerer's Answer.Pages is what retrieval is judged on; a question it
	// cannot search (EInvalid) counts as retrieving nothing, and any other
	// error stops the evaluation, as any error of Triager and Learner does.
	Answerer koban.Answerer
	Triager  koban.Triager // optional
	// Learner, when set (usually the Triager itself), turns on online
	// evaluation: a second pass that predicts each case, then learns its label.
	Learner koban.Learner
	// Detector, when set, decides for each case whether the message would
	// be taken as an inquiry in a channel of mode all.
	Detector Detector
	// CVFolds and NewTriager, when both set, add K-fold cross-validated
	// triage: NewTriager gives a triager that knows no labels.
	CVFolds    int
	NewTriager func() (FreshTriager, error)
	Log        *slog.Logger
}

// Run evaluates the cases in order and scores them. It stops at the first
// error, naming the case, since a partial evaluation would report wrong
// figures; only a question the Answerer rejects as koban.EInvalid counts
// as retrieving nothing.
func (r *Runner) Run(ctx context.Context, cases []Case) (*Report, error) {
	log := r.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	outs := make([]Outcome, 0, len(cases))
	for i, c := range cases {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		q := question(c)
		start := time.Now()
		ans, err := r.Answerer.Answer(ctx, q)
		switch {
		case koban.ErrorCode(err) == koban.EInvalid:
			// A question koban refuses (no searchable words) retrieves
			// nothing; the bot would escalate it, so it still counts.
			log.Warn("case not answerable", "case", c.ID, "err", err)
			ans = koban.Answer{Lang: c.Lang}
		case err != nil:
			return nil, fmt.Errorf("case %s: answer: %w", c.ID, err)
		}
		o := Outcome{Case: c, Answer: ans, Pages: pagePaths(ans.Pages, c.Lang)}
		if r.Triager != nil {
			tr, err := r.Triager.Triage(ctx, q, ans)
			if err != nil {
				return nil, fmt.Errorf("case %s: triage: %w", c.ID, err)
			}
			o.Triage = &tr
			if err := o.Recompose(ctx, r.Answerer); err != nil {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				// The desk replies with the answer as composed: so does the evaluation.
				log.Warn("answer from the procedure page", "case", c.ID, "page", tr.Procedure, "err", err)
			}
		}
		o.Took = time.Since(start)
		if r.Detector != nil {
			d := r.Detector.Detect(c.Question)
			o.Detection = &d
		}
		outs = append(outs, o)
		log.Debug("evaluated case", "case", c.ID, "n", i+1, "of", len(cases), "pages", len(o.Pages), "took", o.Took)
	}
	if r.Triager != nil && r.Learner != nil {
		// After the offline pass, so that learning does not leak into it.
		for i := range outs {
			o := &outs[i]
			q := question(o.Case)
			tr, err := r.Triager.Triage(ctx, q, o.Answer)
			if err != nil {
				return nil, fmt.Errorf("case %s: online triage: %w", o.Case.ID, err)
			}
			o.Online = &tr
			if !o.Case.Labelled() {
				continue
			}
			if err := r.Learner.Learn(ctx, q, koban.Label{Category: o.Case.Category}, o.Case.Domain); err != nil {
				return nil, fmt.Errorf("case %s: learn: %w", o.Case.ID, err)
			}
		}
	}
	if r.CVFolds > 0 && r.NewTriager != nil {
		preds, err := CrossValidate(ctx, outs, r.CVFolds, r.NewTriager)
		if err != nil {
			return nil, fmt.Errorf("cross-validation: %w", err)
		}
		for i := range outs {
			outs[i].CV = preds[i]
		}
	}
	rep := Score(outs)
	if r.CVFolds > 0 && r.NewTriager != nil {
		rep.CVFolds = r.CVFolds
	}
	return rep, nil
}

// Score computes a report from outcomes; latency is computed from their Took.
func Score(outs []Outcome) *Report {
	took := make([]time.Duration, len(outs))
	for i, o := range outs {
		took[i] = o.Took
	}
	return &Report{
		Cases:            len(outs),
		Retrieval:        scoreRetrieval(outs),
		Triage:           scoreTriage(outs, func(o Outcome) *koban.Triage { return o.Triage }),
		TriageOnline:     scoreTriage(outs, func(o Outcome) *koban.Triage { return o.Online }),
		TriageCV:         scoreTriage(outs, func(o Outcome) *koban.Triage { return o.CV }),
		InquiryDetection: scoreDetection(outs),
		LatencyMS:        latency(took),
		Answers:          scoreAnswers(outs),
		Outcomes:         outs,
	}
}

func question(c Case) koban.Question {
	return koban.Question{Text: c.Question, Lang: c.Lang}
}

// pagePaths lists the paths of the ranked pages in lang. Pages whose
// language is unknown are kept: the caller may have one source per language.
func pagePaths(pages []koban.Citation, lang string) []string {
	out := make([]string, 0, len(pages))
	for _, p := range pages {
		if p.Lang != "" && lang != "" && p.Lang != lang {
			continue
		}
		out = append(out, cleanPath(p.Path))
	}
	return out
}

// Recompose sets o.Reply to the answer koban replies with given o's triage,
// as the desk does (koban.ReplyAnswer), when it is not o.Answer. On error
// o.Reply stays nil: the desk then replies with the answer as composed.
func (o *Outcome) Recompose(ctx context.Context, a koban.Answerer) error {
	if o.Triage == nil {
		return nil
	}
	reply, err := koban.ReplyAnswer(ctx, a, question(o.Case), o.Answer, *o.Triage)
	if err != nil {
		return err
	}
	if reply.Text != o.Answer.Text {
		o.Reply = &reply
	}
	return nil
}

// Replied is the answer koban replies with: Reply, or Answer without one.
func (o Outcome) Replied() koban.Answer {
	if o.Reply != nil {
		return *o.Reply
	}
	return o.Answer
}
