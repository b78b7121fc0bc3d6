// Package triage classifies an inquiry: its category (self-solvable,
// docs-missing, platform-only, with detail), its problem domain, and whether
// koban should answer it from the docs or escalate it to the on-call. It
// learns from the labels humans give resolved inquiries.
//
// Triage reads three kinds of evidence: what the question says (a request for
// the platform team to act, outage or regression language, a report about the
// docs, a how-to, a question about how to get something; in English and
// Japanese), how well retrieval matched the docs (the koban.Answer that
// package knowledge composed), and, weighed most, how humans labelled similar
// past inquiries, found by TF-IDF cosine over word and character n-grams in
// memory. The first two are weighed against each other: a request that a
// page describes doing exactly (a self-service procedure) is self-solvable
// however it is phrased, while a report about the docs is not answered by
// the page it is about. An LLM classification (Classifier, which writes its
// prompt and reads the model through the llm adapter) can be added as one
// more signal; triage works without one.
//
// Retrieval, storage and Slack are left to others: the caller passes the
// answer in, and loads past labels at startup by calling Learn for each.
package triage

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"sort"
	"strings"
	"sync"

	"github.com/kobanhq/koban"
)

// Config tunes triage. The zero value of a field means its default.
type Config struct {
	// AnswerThreshold is the confidence in self-solvable at and above which
	// koban answers from the docs (when retrieval also knows the answer).
	AnswerThreshold float64 `yaml:"answer_threshold"`
	// Neighbours is how many similar labelled inquiries vote.
	Neighbours int `yaml:"neighbours"`
	// MinSimilarity is the cosine similarity below which a labelled
	// inquiry is not considered similar.
	MinSimilarity float64 `yaml:"min_similarity"`
	// LearnedWeight scales the votes of similar labelled inquiries con
	// the signals read from the text (which weigh about 1–3 each).
	LearnedWeight float64 `yaml:"learned_weight"`
	// LLMWeight scales an LLM classification, when one is configured.
	LLMWeight float64 `yaml:"llm_weight"`
	// Domains is the problem-domain taxonomy. Inquiries that fit none get
	// koban.DomainOther.
	Domains []DomainConfig `yaml:"domains"`
}

// Defaults, chosen on the evaluation sets (see the package tests).
const (
	DefaultAnswerThreshold = 0.6
	DefaultNeighbours      = 7
	DefaultMinSimilarity   = 0.2
	DefaultLearnedWeight   = 4
	DefaultLLMWeight       = 2
)

// DefaultConfig is the default configuration, with the default taxonomy of
// koban.DefaultDomains.
func DefaultConfig() Config {
	return Config{
		AnswerThreshold: DefaultAnswerThreshold,
		Neighbours:      DefaultNeighbours,
		MinSimilarity:   DefaultMinSimilarity,
		LearnedWeight:   DefaultLearnedWeight,
		LLMWeight:       DefaultLLMWeight,
		Domains:         defaultDomains(),
	}
}

// withDefaults fills the zero fields of c from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.AnswerThreshold == 0 {
		c.AnswerThreshold = d.AnswerThreshold
	}
	if c.Neighbours == 0 {
		c.Neighbours = d.Neighbours
	}
	if c.MinSimilarity == 0 {
		c.MinSimilarity = d.MinSimilarity
	}
	if c.LearnedWeight == 0 {
		c.LearnedWeight = d.LearnedWeight
	}
	if c.LLMWeight == 0 {
		c.LLMWeight = d.LLMWeight
	}
	if len(c.Domains) == 0 {
		c.Domains = d.Domains
	}
	return c
}

// Validate checks the configuration; errors are koban.EInvalid.
func (c Config) Validate() error {
	switch {
	case c.AnswerThreshold < 0 || c.AnswerThreshold > 1:
		return koban.Errorf(koban.EInvalid, "triage answer_threshold %v: want a number in [0,1]", c.AnswerThreshold)
	case c.MinSimilarity < 0 || c.MinSimilarity > 1:
		return koban.Errorf(koban.EInvalid, "triage min_similarity %v: want a number in [0,1]", c.MinSimilarity)
	case c.Neighbours < 0:
		return koban.Errorf(koban.EInvalid, "triage neighbours %d: want a positive number", c.Neighbours)
	case c.LearnedWeight < 0 || c.LLMWeight < 0:
		return koban.Errorf(koban.EInvalid, "triage weights must not be negative")
	}
	seen := make(map[koban.Domain]bool)
	for i, d := range c.Domains {
		name := strings.TrimSpace(string(d.Name))
		switch {
		case name == "":
			return koban.Errorf(koban.EInvalid, "triage domain %d has no name", i+1)
		case seen[d.Name]:
			return koban.Errorf(koban.EInvalid, "triage domain %q is configured twice", d.Name)
		}
		seen[d.Name] = true
	}
	return nil
}

// LLMClassifier classifies an inquiry with a language model: a label, a
// domain and a confidence in [0,1]. Errors are koban.EUnavailable when the
// model cannot be reached; triage then goes on without it.
type LLMClassifier interface {
	Classify(ctx context.Context, q koban.Question, a koban.Answer) (koban.Label, koban.Domain, float64, error)
}

// Service triages inquiries. It is safe for concurrent use.
type Service struct {
	cfg     Config
	llm     LLMClassifier
	log     *slog.Logger
	domains *domainMatcher
	known   map[koban.Domain]bool

	// examples holds the taxonomy's example questions; exampleDomain[i] is
	// the domain of example i. Fixed after New.
	examples      *similarIndex
	exampleDomain []koban.Domain

	mu      sync.Mutex // guards learned and labels
	learned *similarIndex
	labels  []learnedLabel
}

type learnedLabel struct {
	label  koban.Label
	domain koban.Domain
}

// New returns a Service for cfg (zero fields take their defaults). llm may be
// nil: triage then uses the text, retrieval and learned labels only.
func New(cfg Config, llm LLMClassifier, log *slog.Logger) (*Service, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Service{
		cfg:      cfg,
		llm:      llm,
		log:      log,
		domains:  newDomainMatcher(cfg.Domains),
		known:    make(map[koban.Domain]bool),
		examples: newSimilarIndex(),
		learned:  newSimilarIndex(),
	}
	for _, d := range cfg.Domains {
		s.known[d.Name] = true
		for _, ex := range d.Examples {
			s.examples.add(ex)
			s.exampleDomain = append(s.exampleDomain, d.Name)
		}
	}
	s.examples.refresh()
	return s, nil
}

// Learned reports how many labelled inquiries the service has learned from.
func (s *Service) Learned() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.labels)
}

// Learn adds an inquiry labelled by a human. Similar inquiries triaged later
// lean to its label and domain. An invalid label is koban.EInvalid; a text
// with nothing to learn from (empty, only links or symbols) is ignored. A
// domain outside the configured taxonomy counts for the category only.
func (s *Service) Learn(ctx context.Context, q koban.Question, label koban.Label, domain koban.Domain) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := label.Validate(); err != nil {
		return err
	}
	text := questionText(q)
	if len(features(text)) == 0 {
		return nil
	}
	if !s.known[domain] {
		domain = ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.learned.add(text)
	s.labels = append(s.labels, learnedLabel{label: label, domain: domain})
	return nil
}

// questionText is the text triage reads: the question, then the thread's
// earlier messages, which say what the question is about.
func questionText(q koban.Question) string {
	if len(q.Context) == 0 {
		return q.Text
	}
	return q.Text + "\n" + strings.Join(q.Context, "\n")
}

// Triage classifies one inquiry given the answer retrieval composed for it
// (a zero koban.Answer when there is none). It always returns a category:
// input it cannot read gets a low confidence and DecideEscalate. The only
// errors are those of ctx.
func (s *Service) Triage(ctx context.Context, q koban.Question, a koban.Answer) (koban.Triage, error) {
	if err := ctx.Err(); err != nil {
		return koban.Triage{}, err
	}
	text := questionText(q)
	bad := badInput(q.Text, q.Lang)

	var ev evidence
	ev.scores = map[koban.Category]float64{koban.PlatformOnly: priorPlatformOnly}
	ev.signals = extractSignals(text)
	ev.retrieval(a)
	ev.documentedRequest(text, a)
	for _, sg := range ev.signals {
		f := ev.demandFactor(sg.Kind)
		for _, c := range koban.Categories {
			ev.scores[c] += f * signalWeights[sg.Kind][c]
		}
	}

	s.mu.Lock()
	s.learned.refresh()
	near := s.learned.nearest(text, s.cfg.Neighbours, s.cfg.MinSimilarity)
	labels := make([]learnedLabel, len(near))
	for i, n := range near {
		labels[i] = s.labels[n.id]
	}
	s.mu.Unlock()
	ev.learnedVotes(near, labels, s.cfg.LearnedWeight)

	var llmLabel koban.Label
	var llmDomain koban.Domain
	var llmConf float64
	if s.llm != nil && bad == "" {
		l, d, conf, err := s.llm.Classify(ctx, q, a)
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return koban.Triage{}, ctx.Err()
			}
			s.log.Warn("llm classification", "err", err)
			ev.reasons = append(ev.reasons, "LLM classification unavailable")
		case l.Validate() == nil:
			llmLabel, llmDomain, llmConf = l, d, clamp01(conf)
			ev.scores[l.Category] += s.cfg.LLMWeight * llmConf
			ev.reasons = append(ev.reasons, fmt.Sprintf("LLM says %s (%.2f)", l, llmConf))
		}
	}

	t := koban.Triage{}
	t.Label.Category, t.Confidence = ev.decide()
	t.Label.Detail = ev.detail(t.Label.Category, a, llmLabel)
	t.Domain, t.DomainConfidence = s.domain(text, a, near, labels, llmDomain, llmConf, &ev)

	if bad != "" {
		t.Confidence = math.Min(t.Confidence, 0.2)
		t.DomainConfidence = math.Min(t.DomainConfidence, 0.2)
	}
	t.Decision = koban.DecideEscalate
	if bad == "" && a.Known && t.Label.Category == koban.SelfSolvable && t.Confidence >= s.cfg.AnswerThreshold {
		t.Decision = koban.DecideAnswer
		t.Label.Detail = koban.DetailAnswered
	}
	t.Reasons = ev.reasonList(t.Label.Category)
	if bad != "" {
		t.Reasons = append([]string{"cannot read the question: " + bad}, t.Reasons...)
	}
	s.log.Debug("triaged", "label", t.Label.String(), "confidence", t.Confidence, "domain", t.Domain,
		"decision", t.Decision, "neighbours", len(near), "question", q.Text)
	return t, nil
}

// priorPlatformOnly tips ties to escalation: a wrong escalation costs the
// on-call a minute, a wrong answer costs the asker trust.
const priorPlatformOnly = 0.3

// signalWeights says how much each kind of text evidence weighs on each
// category. The weights encode what a platform team would tell a newcomer:
// requests and defect reports need us; reports about a page are docs gaps;
// how-tos, questions about how to get something and pasted errors from
// one's own setup are usually in the docs; having followed the docs already
// and still asking means they were not enough.
var signalWeights = map[signalKind]map[koban.Category]float64{
	sigAct:        {koban.PlatformOnly: 2},
	sigRequest:    {koban.PlatformOnly: 1.5},
	sigProvision:  {koban.PlatformOnly: 0.3},
	sigOutage:     {koban.PlatformOnly: 1},
	sigBug:        {koban.PlatformOnly: 1.5},
	sigFeature:    {koban.PlatformOnly: 1.5},
	sigDocsIssue:  {koban.DocsMissing: 2.5},
	sigDocsRef:    {koban.DocsMissing: 1, koban.SelfSolvable: 0.3},
	sigHowTo:      {koban.SelfSolvable: 1.5, koban.DocsMissing: 0.3},
	sigLookup:     {koban.SelfSolvable: 0.8},
	sigExplain:    {koban.SelfSolvable: 0.5, koban.DocsMissing: 0.5},
	sigErrorPaste: {koban.SelfSolvable: 0.8, koban.PlatformOnly: 0.3},
	sigOwnFault:   {koban.SelfSolvable: 1.5},
	sigOwnSteps:   {koban.SelfSolvable: 0.8},
	sigStatement:  {koban.PlatformOnly: 1},
	sigPageReport: {koban.DocsMissing: 1},
	sigProcedure:  {koban.SelfSolvable: 1, koban.DocsMissing: 0.3},
	sigMechanism:  {koban.SelfSolvable: 0.8},
	sigFollowed:   {koban.DocsMissing: 0.5, koban.PlatformOnly: 0.3},
}

// demandFactor scales the weight of a demand (a request, an ask to act)
// when the message is rather a question about how to get the thing, or when
// the docs describe how to do exactly what is asked: the asker then needs
// the procedure, not the platform team.
func (ev *evidence) demandFactor(k signalKind) float64 {
	if k != sigAct && k != sigRequest {
		return 1
	}
	switch {
	case ev.selfServe:
		return 0.3
	case ev.has(sigProcedure, sigMechanism):
		return 0.4
	}
	return 1
}

// evidence collects category scores and the reasons behind them.
type evidence struct {
	scores   map[koban.Category]float64
	signals  []signal
	reasons  []string // retrieval, learned and LLM reasons
	learned  map[koban.Category]float64
	learnedD map[koban.Label]float64
	strong   bool // retrieval matched a page well
	// selfServe is set when a page that is not itself a request procedure
	// is about exactly what a request asks for (see documentedRequest).
	selfServe bool
}

// retrieval weighs how well the docs matched. A zero Answer (no retrieval)
// adds nothing.
func (ev *evidence) retrieval(a koban.Answer) {
	if len(a.Pages) == 0 && a.Confidence == 0 && !a.Known {
		return
	}
	c := clamp01(a.Confidence)
	quadrant := koban.Unknown
	if len(a.Pages) > 0 && a.Pages[0].Quadrant != "" {
		quadrant = a.Pages[0].Quadrant
	}
	// A strong match answers a question; for a report or a request it
	// only says that the docs talk about the same thing.
	w := 0.5
	switch {
	case ev.has(sigDocsIssue):
		// A report about the docs is not answered by the page it is
		// about, however well that page matches.
	case ev.has(sigHowTo, sigLookup, sigExplain, sigOwnFault, sigProcedure):
		w = 2
	case ev.has(sigErrorPaste) && !ev.has(sigOutage, sigBug, sigAct, sigRequest, sigFeature):
		// A pasted error with no defect or outage language is a
		// troubleshooting question, even without a question mark.
		w = 2
	}
	ev.scores[koban.SelfSolvable] += w * (c - 0.4)
	if c < 0.4 && ev.has(sigHowTo, sigLookup, sigExplain) {
		// A reasonable question the docs do not answer.
		ev.scores[koban.DocsMissing] += 2 * (0.4 - c)
	}
	if a.Known {
		ev.scores[koban.SelfSolvable] += 0.5
	}
	if c >= 0.4 && quadrantFits(ev, quadrant) && !ev.has(sigDocsIssue) {
		ev.scores[koban.SelfSolvable] += 0.3
		ev.reasons = append(ev.reasons, fmt.Sprintf("the question fits the %s page it matched", quadrant))
	}
	switch {
	case c >= 0.5:
		ev.strong = true
		ev.reasons = append(ev.reasons, fmt.Sprintf("top doc match strong (%.2f, %s)", c, quadrant))
	case c >= 0.3:
		ev.reasons = append(ev.reasons, fmt.Sprintf("top doc match weak (%.2f, %s)", c, quadrant))
	default:
		ev.reasons = append(ev.reasons, fmt.Sprintf("no doc matches well (%.2f)", c))
	}
}

// quadrantFits reports whether the best page is of the kind the question
// asks for: a how-to or tutorial for a how-to, reference for a lookup,
// explanation for a why.
func quadrantFits(ev *evidence, q koban.Quadrant) bool {
	switch q {
	case koban.HowTo, koban.Tutorial:
		return ev.has(sigHowTo)
	case koban.Reference:
		return ev.has(sigLookup)
	case koban.Explanation:
		return ev.has(sigExplain)
	}
	return false
}

func (ev *evidence) has(kinds ...signalKind) bool {
	for _, sg := range ev.signals {
		for _, k := range kinds {
			if sg.Kind == k {
				return true
			}
		}
	}
	return false
}

// learnedVotes adds the votes of similar labelled inquiries. Their weight
// in all is LearnedWeight times the evidence mass 1 − Π(1 − sim): one loose
// match weighs little, several close ones nearly the full weight. That mass
// is shared among the categories by similarity.
func (ev *evidence) learnedVotes(near []neighbour, labels []learnedLabel, weight float64) {
	if len(near) == 0 {
		return
	}
	ev.learned = make(map[koban.Category]float64)
	ev.learnedD = make(map[koban.Label]float64)
	miss, total := 1.0, 0.0
	for i, n := range near {
		ev.learned[labels[i].label.Category] += n.sim
		ev.learnedD[labels[i].label] += n.sim
		miss *= 1 - n.sim
		total += n.sim
	}
	for _, c := range koban.Categories {
		ev.scores[c] += weight * (1 - miss) * ev.learned[c] / total
	}
	best := topCategory(ev.learned)
	count := 0
	for i := range near {
		if labels[i].label.Category == best {
			count++
		}
	}
	ev.reasons = append(ev.reasons, fmt.Sprintf("%d of %d similar past inquiries labelled %s (best match %.2f)", count, len(near), best, near[0].sim))
}

// decide picks the category with the highest score and gives its softmax
// probability as the confidence.
func (ev *evidence) decide() (koban.Category, float64) {
	best := topCategory(ev.scores)
	var z float64
	for _, c := range koban.Categories {
		z += math.Exp(ev.scores[c] - ev.scores[best])
	}
	return best, 1 / z
}

func topCategory(scores map[koban.Category]float64) koban.Category {
	best := koban.PlatformOnly
	for _, c := range koban.Categories {
		if scores[c] > scores[best] {
			best = c
		}
	}
	return best
}

// detail refines the category: learned labels first, then the text.
func (ev *evidence) detail(c koban.Category, a koban.Answer, llm koban.Label) koban.Detail {
	var best koban.Label
	for l, w := range ev.learnedD {
		if l.Category == c && l.Detail != koban.DetailNone && (w > ev.learnedD[best] || (w == ev.learnedD[best] && l.String() < best.String())) {
			best = l
		}
	}
	if !best.IsZero() {
		return best.Detail
	}
	if llm.Category == c && llm.Detail != koban.DetailNone {
		return llm.Detail
	}
	switch c {
	case koban.PlatformOnly:
		// Recurring asks for access, quota or provisioning are what
		// self-service could remove; defects and outages are not.
		if ev.has(sigAct, sigRequest) && ev.has(sigProvision) && !ev.has(sigOutage, sigBug) {
			return koban.DetailAutomationCandidate
		}
		return koban.DetailRequired
	case koban.SelfSolvable:
		if a.Known || ev.strong {
			return koban.DetailAnswered
		}
		return koban.DetailDocsUnfindable
	}
	return koban.DetailNone
}

// reasonList gives the reasons for the on-call: the signals that pointed at
// the chosen category first, then retrieval, learned and LLM evidence, then
// the signals that pointed elsewhere.
func (ev *evidence) reasonList(c koban.Category) []string {
	var pro, con []string
	for _, sg := range ev.signals {
		if signalWeights[sg.Kind][c] > 0 {
			pro = append(pro, sg.Reason())
		} else {
			con = append(con, sg.Reason())
		}
	}
	out := append(pro, ev.reasons...)
	out = append(out, con...)
	if len(out) > 6 {
		out = out[:6]
	}
	return out
}

// domain picks the problem domain from keywords in the question and the
// retrieved pages, the taxonomy's examples, learned labels and the LLM.
func (s *Service) domain(text string, a koban.Answer, near []neighbour, labels []learnedLabel, llm koban.Domain, llmConf float64, ev *evidence) (koban.Domain, float64) {
	scores := make(map[koban.Domain]float64)
	hits := make(map[koban.Domain]string)
	s.domains.match(text, 1, scores, hits)
	for i, p := range a.Pages {
		if i == 3 {
			break
		}
		page := strings.NewReplacer("/", " ", "-", " ", "_", " ", ".md", "").Replace(p.Path) + " " + p.Title
		s.domains.match(page, 0.6/float64(i+1), scores, nil)
	}
	for _, n := range s.examples.nearest(text, 3, 0.1) {
		scores[s.exampleDomain[n.id]] += 2 * n.sim
	}
	if len(near) > 0 {
		miss, total := 1.0, 0.0
		for _, n := range near {
			miss *= 1 - n.sim
			total += n.sim
		}
		for i, n := range near {
			if labels[i].domain != "" {
				scores[labels[i].domain] += s.cfg.LearnedWeight * (1 - miss) * n.sim / total
			}
		}
	}
	if llm != "" && s.known[llm] {
		scores[llm] += s.cfg.LLMWeight * llmConf
	}
	delete(scores, koban.DomainOther)

	names := make([]koban.Domain, 0, len(scores))
	var sum float64
	for d, v := range scores {
		names = append(names, d)
		sum += v
	}
	sort.Slice(names, func(i, j int) bool {
		if scores[names[i]] != scores[names[j]] {
			return scores[names[i]] > scores[names[j]]
		}
		return names[i] < names[j]
	})
	if len(names) == 0 || scores[names[0]] < 0.8 {
		return koban.DomainOther, 0.3
	}
	best := names[0]
	if h := hits[best]; h != "" {
		ev.reasons = append(ev.reasons, fmt.Sprintf("domain %s: mentions %q", best, h))
	}
	conf := scores[best] / (sum + 1) * math.Min(1, scores[best]/2)
	return best, clamp01(conf)
}

func clamp01(x float64) float64 {
	switch {
	case math.IsNaN(x) || x < 0:
		return 0
	case x > 1:
		return 1
	}
	return x
}
