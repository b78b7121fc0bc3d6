package eval

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"text/tabwriter"

	"github.com/kobanhq/koban"
)

// WriteText writes the report for a person to read. With verbose, it also
// lists the evaluated cases whose relevant pages were not in the top 10.
func (r *Report) WriteText(w io.Writer, verbose bool) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "cases: %d\n", r.Cases)
	if r.Index != nil {
		fmt.Fprintf(w, "index: %d pages, %d sections, built or updated in %.2fs\n", r.Index.Documents, r.Index.Sections, r.Index.Seconds)
	}
	rt := r.Retrieval
	fmt.Fprintf(w, "\nretrieval (%d cases with relevant pages)\n", rt.Evaluated)
	fmt.Fprintf(tw, "\t@1\t@5\t@10\t\n")
	fmt.Fprintf(tw, "recall\t%.3f\t%.3f\t%.3f\t\n", rt.RecallAt1, rt.RecallAt5, rt.RecallAt10)
	fmt.Fprintf(tw, "hit\t%.3f\t%.3f\t%.3f\t\n", rt.HitAt1, rt.HitAt5, rt.HitAt10)
	tw.Flush()
	fmt.Fprintf(w, "MRR@10 %.3f   nDCG@10 %.3f\n", rt.MRRAt10, rt.NDCGAt10)
	writeTriage(w, "triage", r.Triage)
	if r.TriageOnline != nil {
		writeTriage(w, "triage, online (learning each label after predicting it)", r.TriageOnline)
	}
	if r.TriageCV != nil {
		writeTriage(w, fmt.Sprintf("triage, %d-fold cross-validated (learning the other folds' labels only)", r.CVFolds), r.TriageCV)
	}
	if d := r.InquiryDetection; d != nil {
		fmt.Fprintf(w, "\ninquiry detection (a channel of mode all)\n")
		fmt.Fprintf(w, "messages asking for nothing: %d, taken as inquiries %d (%.3f)\n", d.NonInquiries, d.TreatedAsInquiry, d.FalseInquiryRate)
		fmt.Fprintf(w, "inquiries: %d, missed %d (kept %.3f)\n", d.Inquiries, d.Missed, d.KeptRate)
	}
	if a := r.Answers; a != nil {
		fmt.Fprintf(w, "\nanswers: key hit rate %.3f (%d of %d cases with keys), section recall@3 %.3f (%d cases)\n", a.KeyHitRate, a.KeyHits, a.KeyCases, a.SectionRecallAt3, a.SectionCases)
	}
	fmt.Fprintf(w, "\nlatency per question: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", r.LatencyMS.P50, r.LatencyMS.P99, r.LatencyMS.Max)
	if verbose {
		fmt.Fprintf(w, "\nmisses (no relevant page in the top 10):\n")
		misses := 0
		for _, o := range r.Outcomes {
			if len(o.Case.RelevantDocs) == 0 || ScoreRanking(o.Case.RelevantDocs, o.Pages).Hit[2] == 1 {
				continue
			}
			top := o.Pages
			if len(top) > 3 {
				top = top[:3]
			}
			fmt.Fprintf(w, "  %s: want %v, got %v\n", o.Case.ID, o.Case.RelevantDocs, top)
			misses++
		}
		if misses == 0 {
			fmt.Fprintf(w, "  none\n")
		}
	}
	_, err := fmt.Fprintln(w)
	return err
}

func writeTriage(w io.Writer, title string, t *Triage) {
	if t == nil {
		fmt.Fprintf(w, "\n%s: not evaluated (no triager)\n", title)
		return
	}
	fmt.Fprintf(w, "\n%s (%d labelled inquiries)\n", title, t.Cases)
	fmt.Fprintf(w, "accuracy %.3f   macro-F1 %.3f   domain accuracy %.3f\n", t.Accuracy, t.MacroF1, t.DomainAccuracy)
	fmt.Fprintf(w, "answered %d, of which self-solvable %.3f\n", t.Answered, t.AnsweredPrecision)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "\tprecision\trecall\tF1\tsupport\t\n")
	for _, c := range koban.Categories {
		s := t.PerCategory[c]
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%.3f\t%d\t\n", c, s.Precision, s.Recall, s.F1, s.Support)
	}
	tw.Flush()
	fmt.Fprintf(w, "confusion (rows: true, columns: predicted)\n")
	fmt.Fprintf(tw, "\t")
	for _, c := range koban.Categories {
		fmt.Fprintf(tw, "%s\t", c)
	}
	fmt.Fprintf(tw, "other\t\n")
	for _, truth := range koban.Categories {
		fmt.Fprintf(tw, "%s\t", truth)
		other := 0
		for got, n := range t.Confusion[truth] {
			if !got.Valid() {
				other += n
			}
		}
		for _, got := range koban.Categories {
			fmt.Fprintf(tw, "%d\t", t.Confusion[truth][got])
		}
		fmt.Fprintf(tw, "%d\t\n", other)
	}
	tw.Flush()
}

// caseLine is one line of WriteCases.
type caseLine struct {
	ID           string         `json:"id"`
	Lang         string         `json:"lang"`
	Category     koban.Category `json:"category"`
	Domain       koban.Domain   `json:"domain,omitempty"`
	RelevantDocs []string       `json:"relevant_docs"`
	Pages        []string       `json:"pages"` // the top 10, collapsed
	// Rank is the 1-based rank of the first relevant page in Pages, 0 if none.
	Rank       int            `json:"rank"`
	Known      bool           `json:"known"`
	Confidence float64        `json:"confidence"`
	Predicted  string         `json:"predicted,omitempty"` // category[/detail]
	PredDomain koban.Domain   `json:"predicted_domain,omitempty"`
	Decision   koban.Decision `json:"decision,omitempty"`
	// Procedure is the page triage found describing what a request asks
	// for (koban.Triage.Procedure).
	Procedure string `json:"procedure,omitempty"`
	Online    string `json:"online,omitempty"`
	CV        string `json:"cv,omitempty"` // the cross-validated prediction
	// Inquiry says whether koban would take the message as an inquiry in
	// a channel of mode all; absent without detection.
	Inquiry *bool   `json:"inquiry,omitempty"`
	TookMS  float64 `json:"took_ms"`
	answerLine
}

// WriteCases writes one JSON object per case: what was retrieved and
// predicted for it, for looking into the figures case by case.
func (r *Report) WriteCases(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, o := range r.Outcomes {
		pages := collapse(o.Pages)
		if len(pages) > 10 {
			pages = pages[:10]
		}
		l := caseLine{
			ID: o.Case.ID, Lang: o.Case.Lang, Category: o.Case.Category, Domain: o.Case.Domain,
			RelevantDocs: o.Case.RelevantDocs, Pages: pages,
			Known: o.Answer.Known, Confidence: o.Answer.Confidence,
			TookMS:     float64(o.Took.Microseconds()) / 1000,
			answerLine: answerLineOf(o),
		}
		if s := ScoreRanking(o.Case.RelevantDocs, pages); s.RR > 0 {
			l.Rank = int(math.Round(1 / s.RR))
		}
		if o.Triage != nil {
			l.Predicted, l.PredDomain, l.Decision = o.Triage.Label.String(), o.Triage.Domain, o.Triage.Decision
			l.Procedure = o.Triage.Procedure
		}
		if l.Decision == "" {
			l.Decision = o.Decision()
		}
		if o.Online != nil {
			l.Online = o.Online.Label.String()
		}
		if o.CV != nil {
			l.CV = o.CV.Label.String()
		}
		if o.Detection != nil {
			l.Inquiry = &o.Detection.Inquiry
		}
		if err := enc.Encode(l); err != nil {
			return err
		}
	}
	return nil
}
