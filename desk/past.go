package desk

import (
	"context"
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/authz"
	"github.com/kobanhq/koban/internal/textproc"
)

// PastStore keeps the answers people gave when resolving inquiries (the
// store). Every replica reads the same rows: nothing is kept per process.
type PastStore interface {
	// SavePastAnswer stores or replaces the entry of p.InquiryID (a removed
	// entry stays removed).
	SavePastAnswer(ctx context.Context, p *koban.PastAnswer) error
	// PastAnswer returns an entry, removed or not; ENotFound when unknown.
	PastAnswer(ctx context.Context, id int64) (*koban.PastAnswer, error)
	// PastAnswers returns up to limit entries, newest first, the removed
	// ones only with withRemoved.
	PastAnswers(ctx context.Context, limit int, withRemoved bool) ([]koban.PastAnswer, error)
	// RemovePastAnswer marks an entry removed for good; ENotFound when unknown.
	RemovePastAnswer(ctx context.Context, id int64, by string) (*koban.PastAnswer, error)
	// PastShownIn lists the inquiries whose replies showed an entry, newest
	// first, up to limit.
	PastShownIn(ctx context.Context, id int64, limit int) ([]int64, error)
}

// PastRetractor is a Replier that can take a removed past answer off the
// replies it already posted in an inquiry's conversation.
type PastRetractor interface {
	RetractPast(ctx context.Context, inq *koban.Inquiry, pastID int64) error
}

// retractBound bounds the conversations a removal edits at once (Slack's
// rate limits): the most recent ones, where people still read.
const retractBound = 50

// Threads reads an inquiry's conversation where it was asked (Slack).
type Threads interface {
	// LastReply returns the last message in the inquiry's thread by
	// responder, else by anyone but the asker and koban, with its author:
	// ENotFound when there is none.
	LastReply(ctx context.Context, inq *koban.Inquiry, responder string) (text, author string, err error)
	// Link returns a link to the inquiry's conversation ("" when there is none).
	Link(ctx context.Context, inq *koban.Inquiry) (string, error)
}

// Thresholds of similarity (see pastScore) for showing a past answer: to
// the asker beside a docs answer, and to the on-call on the escalation card,
// which may show looser matches.
const (
	pastShowScore = 0.45
	pastCardScore = 0.25
	pastShown     = 3
	// pastCandidates bounds the entries scored per question: the newest
	// ones, read from the database each time (no cache to go stale).
	pastCandidates = 1000
	// pastMaxChars bounds a kept answer: a pasted log is not an answer.
	pastMaxChars = 2000
)

// similarPastShown returns the past answers similar to q that are shown
// with koban's decision: to the asker beside an answer only when close, to
// the on-call on an escalation when loosely similar. It returns none when it
// cannot tell.
func (d *Desk) similarPastShown(ctx context.Context, inq *koban.Inquiry, q koban.Question, answer bool) []koban.PastAnswer {
	if d.Past == nil {
		return nil
	}
	min := pastCardScore
	if answer {
		min = pastShowScore
	}
	past, err := d.similarPast(ctx, q, inq.ID, min)
	if err != nil {
		d.Log.Warn("past answers", "inquiry_id", inq.ID, "err", err)
		return nil
	}
	return past
}

// similarPast returns up to pastShown entries whose question is at least
// min similar to q, most similar first, leaving out the inquiry's own.
func (d *Desk) similarPast(ctx context.Context, q koban.Question, self int64, min float64) ([]koban.PastAnswer, error) {
	list, err := d.Past.PastAnswers(ctx, pastCandidates, false)
	if err != nil {
		return nil, err
	}
	text := q.Text
	if len(terms(text)) < 3 && len(q.Context) > 0 {
		text += "\n" + q.Context[len(q.Context)-1] // a short follow-up: what it follows
	}
	docs := make([][]string, len(list))
	for i, p := range list {
		docs[i] = terms(p.Question)
	}
	scores := pastScores(terms(text), docs)
	var out []koban.PastAnswer
	for i, p := range list {
		if p.InquiryID == self || scores[i] < min {
			continue
		}
		p.Score = scores[i]
		out = append(out, p)
	}
	slices.SortStableFunc(out, func(a, b koban.PastAnswer) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return b.AnsweredAt.Compare(a.AnsweredAt)
	})
	if len(out) > pastShown {
		out = out[:pastShown]
	}
	return out, nil
}

// stillShown drops the entries a responder removed since the reply was
// decided: a reply delivered late, or again, never shows them.
func (d *Desk) stillShown(ctx context.Context, past []koban.PastAnswer) ([]koban.PastAnswer, error) {
	if len(past) == 0 || d.Past == nil {
		return nil, nil
	}
	var out []koban.PastAnswer
	for _, p := range past {
		cur, err := d.Past.PastAnswer(ctx, p.ID)
		switch {
		case koban.ErrorCode(err) == koban.ENotFound:
			continue
		case err != nil:
			return nil, err
		case cur.Removed():
			continue
		}
		out = append(out, p)
	}
	return out, nil
}

// ShownPast is stillShown for the web UI, which renders recorded replies:
// the entries removed since are left out.
func (d *Desk) ShownPast(ctx context.Context, past []koban.PastAnswer) ([]koban.PastAnswer, error) {
	return d.stillShown(ctx, past)
}

// PastAnswers lists the kept answers for the web UI, newest first, the
// removed ones too.
func (d *Desk) PastAnswers(ctx context.Context, limit int) ([]koban.PastAnswer, error) {
	if d.Past == nil {
		return nil, nil
	}
	return d.Past.PastAnswers(ctx, limit, true)
}

// RemovePastAnswer removes a kept answer for good (a responder only): no
// reply shows it again, including replies decided before and delivered
// after.
func (d *Desk) RemovePastAnswer(ctx context.Context, id int64, user string) (*koban.PastAnswer, error) {
	if d.Past == nil {
		return nil, koban.Say(koban.ENotFound, "refusal.no_past_answer", map[string]any{"ID": id})
	}
	p, err := d.Past.PastAnswer(ctx, id)
	if err != nil {
		return nil, err
	}
	var inq *koban.Inquiry
	if got, err := d.Store.Inquiry(ctx, p.InquiryID); err == nil {
		inq = got
	}
	if err := d.mayRespond(ctx, user, authz.RemovePastAnswer, inq); err != nil {
		return nil, err
	}
	p, err = d.Past.RemovePastAnswer(ctx, id, user)
	if err != nil {
		return nil, err
	}
	d.Log.Info("past answer removed", "past_answer_id", id, "inquiry_id", p.InquiryID, "by", user)
	d.retractPast(ctx, id)
	return p, nil
}

// retractPast takes a removed entry off the replies that showed it, where
// their transport can edit them. Failures are logged: the entry is removed
// either way, and nothing shows it again.
func (d *Desk) retractPast(ctx context.Context, id int64) {
	ids, err := d.Past.PastShownIn(ctx, id, retractBound)
	if err != nil {
		d.Log.Warn("find replies showing a removed past answer", "past_answer_id", id, "err", err)
		return
	}
	for _, inqID := range ids {
		inq, err := d.Store.Inquiry(ctx, inqID)
		if err != nil {
			d.Log.Warn("retract past answer", "past_answer_id", id, "inquiry_id", inqID, "err", err)
			continue
		}
		r, ok := d.Repliers[inq.Source].(PastRetractor)
		if !ok {
			continue // the web renders replies without removed entries
		}
		if err := r.RetractPast(ctx, inq, id); err != nil {
			d.Log.Warn("retract past answer", "past_answer_id", id, "inquiry_id", inqID, "err", err)
		}
	}
}

// keepPastAnswer keeps what the responder answered when resolving inq: the
// Resolve note, else their last reply in the thread. Failures are logged:
// the resolution stands without it.
func (d *Desk) keepPastAnswer(ctx context.Context, inq *koban.Inquiry, user, note string) {
	if d.Past == nil || private(inq) {
		return
	}
	by := user
	if note == "" && d.Threads != nil && inq.Source != koban.SourceWeb {
		text, author, err := d.Threads.LastReply(ctx, inq, user)
		switch {
		case koban.ErrorCode(err) == koban.ENotFound:
		case err != nil:
			d.Log.Warn("read the answer in the thread", "inquiry_id", inq.ID, "err", err)
		default:
			note, by = text, author
		}
	}
	note, _ = d.redact(note)
	answer := inertMarkup(note)
	if len(terms(answer)) == 0 {
		return // nothing a person could use
	}
	if utf8.RuneCountInString(answer) > pastMaxChars {
		r := []rune(answer)
		answer = string(r[:pastMaxChars-1]) + "…"
	}
	p := &koban.PastAnswer{InquiryID: inq.ID, Question: inq.Text, Answer: answer, AnsweredBy: by,
		Label: inq.Final, Domain: inq.Domain, Lang: inq.Lang, AnsweredAt: d.Now().UTC()}
	if d.Threads != nil && inq.Source != koban.SourceWeb {
		link, err := d.Threads.Link(ctx, inq)
		if err != nil {
			d.Log.Warn("link to the thread", "inquiry_id", inq.ID, "err", err)
		}
		p.Link = link
	}
	if err := d.Past.SavePastAnswer(ctx, p); err != nil {
		d.Log.Warn("keep past answer", "inquiry_id", inq.ID, "err", err)
		return
	}
	d.Log.Info("past answer kept", "inquiry_id", inq.ID, "past_answer_id", p.ID)
}

// private reports whether an inquiry was asked where not everyone can read
// it: a DM with koban, or a DM or private channel by its Slack ID (D…, G…).
// Its answer is not kept, since it would be shown to others.
func private(inq *koban.Inquiry) bool {
	return inq.Source == koban.SourceDM || strings.HasPrefix(inq.Channel, "D") || strings.HasPrefix(inq.Channel, "G")
}

// slackMarkup matches Slack's control sequences: <!channel>, <!here>,
// <!everyone>, <!subteam^S1|@team>, <!date^…|text>, <@U1>, <@U1|name>,
// <#C1|name> and <https://…|label>.
var slackMarkup = regexp.MustCompile(`<([!@#])([^<>|]*)(?:\|([^<>]*))?>|<((?:https?|mailto):[^<>|]*)(?:\|([^<>]*))?>`)

// inertMarkup rewrites Slack control sequences in a kept answer as plain
// words, so that showing it again mentions and broadcasts nobody: the
// renderers escape what is left.
func inertMarkup(s string) string {
	return slackMarkup.ReplaceAllStringFunc(s, func(m string) string {
		g := slackMarkup.FindStringSubmatch(m)
		if g[4] != "" { // a link
			if g[5] != "" && g[5] != g[4] {
				return g[5] + " (" + g[4] + ")"
			}
			return g[4]
		}
		sigil, id, label := g[1], g[2], g[3]
		switch sigil {
		case "!":
			if label != "" {
				return strings.TrimPrefix(label, "@")
			}
			name, _, _ := strings.Cut(id, "^")
			return name // channel, here, everyone: without the @ that pings
		case "@":
			if label != "" {
				return label
			}
			return "user " + id
		}
		if label != "" {
			return "#" + label
		}
		return "channel " + id
	})
}

// terms splits text into the words that say what it is about: Latin words
// of two letters or more that are not on the stop list, their plural
// folded, and overlapping pairs of kana and kanji, which find Japanese
// words without a dictionary (textproc).
func terms(text string) []string {
	var out []string
	textproc.Tokenizer{}.Scan(text, func(w string, s textproc.Script) bool {
		switch {
		case s.CJK():
			out = append(out, textproc.Bigrams(w)...)
		case len(w) > 1 && !textproc.IsStop(w):
			out = append(out, textproc.Plurals.Stem(w))
		}
		return true
	})
	return out
}

// pastScores scores each document's terms against the question's: the
// cosine of their sets of terms weighted by inverse document frequency over
// the documents. A term-overlap score over the few hundred questions
// people answered is enough to find the same question asked again, needs
// no index to keep in step with the database, and stays in [0,1].
func pastScores(q []string, docs [][]string) []float64 {
	out := make([]float64, len(docs))
	// The sums below run over sorted terms, not over sets: a map's order
	// would change their last bits from run to run, and two documents of
	// the same terms would not tie.
	qt := sortedSet(q)
	if len(qt) == 0 || len(docs) == 0 {
		return out
	}
	qs := set(qt)
	df := map[string]int{}
	dts := make([][]string, len(docs))
	for i, d := range docs {
		dts[i] = sortedSet(d)
		for _, t := range dts[i] {
			df[t]++
		}
	}
	n := float64(len(docs))
	w := make(map[string]float64, len(df)) // squared idf of each term
	for t, f := range df {
		idf := 1 + math.Log((n+1)/(float64(f)+1))
		w[t] = idf * idf
	}
	var qn float64
	for _, t := range qt {
		if wt, ok := w[t]; ok {
			qn += wt
		} else {
			idf := 1 + math.Log(n+1) // a term no document has
			qn += idf * idf
		}
	}
	for i, dt := range dts {
		var dot, dn float64
		for _, t := range dt {
			w := w[t]
			dn += w
			if qs[t] {
				dot += w
			}
		}
		if dot > 0 {
			out[i] = dot / math.Sqrt(qn*dn)
		}
	}
	return out
}

// sortedSet is ts sorted, without repeats.
func sortedSet(ts []string) []string {
	out := slices.Clone(ts)
	slices.Sort(out)
	return slices.Compact(out)
}

func set(ts []string) map[string]bool {
	m := make(map[string]bool, len(ts))
	for _, t := range ts {
		m[t] = true
	}
	return m
}
