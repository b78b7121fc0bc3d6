// Package triage classifies an inquiry: its category (self-solvable,
// docs-missing, platform-only, with detail), its problem domain, whether it
// is urgent, and what koban should do with it (answer from the docs, suggest
// related pages and bring a human, or escalate). It also tells a message
// that asks for nothing (thanks, an FYI, chatter) from an inquiry. It learns
// from the labels humans give resolved inquiries.
//
// The category comes from a small multinomial logistic regression over
// general signals (features.go): what the message does (asks how, what or
// why; asks the team to act; reports a breakage or a docs problem; states
// something), the retrieval evidence (confidence, margin, the quadrant of
// the matching page, whether a page describes doing exactly what is asked,
// how much of the question the pages cover), urgency, and how humans
// labelled similar past inquiries (TF-IDF cosine over word and character
// n-grams). Its weights start from priors written for a generic platform
// (model.go, taxonomy.yaml) and are refitted, pulled towards those priors,
// from the team's own labels as they come in through Learn. An LLM
// classification (Classifier, which writes its prompt and reads the model
// through the llm adapter) can be added as one more signal; triage works
// without one.
//
// When a page describes doing exactly what a request asks for, triage names
// it (koban.Triage.Procedure), so that the reply is composed from that page
// (koban.ReplyAnswer).
//
// Retrieval, storage and Slack are left to others: the caller passes the
// answer in, and loads past labels at startup by calling Learn for each.
package triage

import (
	"cmp"
	"context"
	"log/slog"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kobanhq/koban"
)

// Config tunes triage. The zero value of a field means its default.
type Config struct {
	// AnswerThreshold is the probability of self-solvable at and above
	// which koban answers from the docs (when retrieval also knows an answer).
	AnswerThreshold float64 `yaml:"answer_threshold"`
	// SuggestThreshold is the probability of self-solvable at and above
	// which koban shows the related pages while it brings the on-call.
	SuggestThreshold float64 `yaml:"suggest_threshold"`
	// Neighbours is how many similar labelled inquiries vote.
	Neighbours int `yaml:"neighbours"`
	// MinSimilarity is the cosine similarity below which a labelled
	// inquiry is not considered similar.
	MinSimilarity float64 `yaml:"min_similarity"`
	// PriorStrength is how firmly the model holds to its priors against
	// the team's labels: about the number of labels it takes to move a
	// weight halfway.
	PriorStrength float64 `yaml:"prior_strength"`
	// ExampleWeight is the weight of each of the taxonomy's generic
	// examples against one human label.
	ExampleWeight float64 `yaml:"example_weight"`
	// LLMWeight scales an LLM classification, when one is configured.
	LLMWeight float64 `yaml:"llm_weight"`
	// Domains is the problem-domain taxonomy. Inquiries that fit none get
	// koban.DomainOther.
	Domains []DomainConfig `yaml:"domains"`
	// ModelFile, when set, names a model file (see SaveModel) to start
	// from instead of the built-in priors. One that is missing or unusable
	// is logged and the built-in priors are used.
	ModelFile string `yaml:"model_file"`
}

// Defaults. The thresholds and the prior strength were chosen from
// cross-validated figures on labelled questions (koban eval --cv 5), never
// from figures on the labels they were trained on.
const (
	DefaultAnswerThreshold  = 0.8
	DefaultSuggestThreshold = 0.35
	DefaultNeighbours       = 7
	DefaultMinSimilarity    = 0.2
	DefaultPriorStrength    = 16
	DefaultExampleWeight    = 0.5
	DefaultLLMWeight        = 2
)

// DefaultConfig is the default configuration, with the default taxonomy of
// koban.DefaultDomains.
func DefaultConfig() Config {
	return Config{
		AnswerThreshold:  DefaultAnswerThreshold,
		SuggestThreshold: DefaultSuggestThreshold,
		Neighbours:       DefaultNeighbours,
		MinSimilarity:    DefaultMinSimilarity,
		PriorStrength:    DefaultPriorStrength,
		ExampleWeight:    DefaultExampleWeight,
		LLMWeight:        DefaultLLMWeight,
		Domains:          defaultDomains(),
	}
}

// withDefaults fills the zero fields of c from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	c.AnswerThreshold = cmp.Or(c.AnswerThreshold, d.AnswerThreshold)
	c.SuggestThreshold = cmp.Or(c.SuggestThreshold, d.SuggestThreshold)
	c.Neighbours = cmp.Or(c.Neighbours, d.Neighbours)
	c.MinSimilarity = cmp.Or(c.MinSimilarity, d.MinSimilarity)
	c.PriorStrength = cmp.Or(c.PriorStrength, d.PriorStrength)
	c.ExampleWeight = cmp.Or(c.ExampleWeight, d.ExampleWeight)
	c.LLMWeight = cmp.Or(c.LLMWeight, d.LLMWeight)
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
	case c.SuggestThreshold < 0 || c.SuggestThreshold > 1:
		return koban.Errorf(koban.EInvalid, "triage suggest_threshold %v: want a number in [0,1]", c.SuggestThreshold)
	case c.SuggestThreshold > c.AnswerThreshold && c.AnswerThreshold > 0:
		return koban.Errorf(koban.EInvalid, "triage suggest_threshold %v is above answer_threshold %v", c.SuggestThreshold, c.AnswerThreshold)
	case c.MinSimilarity < 0 || c.MinSimilarity > 1:
		return koban.Errorf(koban.EInvalid, "triage min_similarity %v: want a number in [0,1]", c.MinSimilarity)
	case c.Neighbours < 0:
		return koban.Errorf(koban.EInvalid, "triage neighbours %d: want a positive number", c.Neighbours)
	case c.PriorStrength < 0 || c.ExampleWeight < 0 || c.LLMWeight < 0:
		return koban.Errorf(koban.EInvalid, "triage prior_strength, example_weight and llm_weight must not be negative")
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

// Retriever answers a question from the docs. Triage uses it to recover the
// retrieval evidence of a labelled inquiry it learns from when it did not
// triage that inquiry itself (labels loaded at startup, another replica's).
type Retriever interface {
	Answer(ctx context.Context, q koban.Question) (koban.Answer, error)
}

// Service triages inquiries. It is safe for concurrent use.
type Service struct {
	cfg       Config
	llm       LLMClassifier
	retriever Retriever
	vocab     atomic.Pointer[Vocabulary]
	log       *slog.Logger
	domains   *domainMatcher
	known     map[koban.Domain]bool

	// examples holds the taxonomy's example questions; exampleDomain[i] is
	// the domain of example i. Fixed after New.
	examples      *similarIndex
	exampleDomain []koban.Domain
	// generic are the taxonomy's category examples as model examples.
	generic []example
	prior   model // the weights the fit is pulled towards
	// off lists features left out, for measuring what each signal is
	// worth; empty outside tests.
	off []int

	mu       sync.Mutex // guards the fields below
	learned  *similarIndex
	words    *wordModel
	labels   []learnedLabel
	byText   map[string]int // learned question text → its index in labels
	model    model
	stale    bool                    // labels changed since model was fitted
	fittedAt time.Time               // when model was fitted
	recent   map[string]koban.Answer // answers of recently triaged questions, for Learn
	order    []string                // keys of recent, oldest first
}

type learnedLabel struct {
	label  koban.Label
	domain koban.Domain
	v      vector      // features, with the votes of the labels learnt before it
	near   []neighbour // those labels that voted, for a relabel to recount the votes
}

// recentAnswers is how many answers of triaged questions are kept for Learn.
const recentAnswers = 2048

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
		byText:   make(map[string]int),
		words:    newWordModel(),
		recent:   make(map[string]koban.Answer),
		stale:    true,
		prior:    priorWeights,
	}
	if cfg.ModelFile != "" {
		m, err := loadModel(cfg.ModelFile)
		if err != nil {
			log.Warn("triage model file unusable: using the built-in priors", "path", cfg.ModelFile, "err", err)
		} else {
			s.prior = m
		}
	}
	for _, d := range cfg.Domains {
		s.known[d.Name] = true
		for _, ex := range d.Examples {
			s.examples.add(ex)
			s.exampleDomain = append(s.exampleDomain, d.Name)
		}
	}
	s.examples.refresh()
	for _, c := range koban.Categories {
		for _, text := range builtin.Categories[c] {
			var v vector
			textFeatures(&v, text, extractSignals(text))
			s.generic = append(s.generic, example{v: v, class: classIndex(c), weight: cfg.ExampleWeight})
		}
	}
	return s, nil
}

// SetRetriever gives triage a way to recover the retrieval evidence of
// labelled inquiries it learns from without having triaged them. Call it
// before the service is used.
func (s *Service) SetRetriever(r Retriever) { s.retriever = r }

// Learned reports how many labelled inquiries the service has learned from.
func (s *Service) Learned() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.labels)
}

// Learn adds an inquiry labelled by a human. Similar inquiries triaged later
// lean to its label and domain, and the model is refitted with it. The
// retrieval evidence is the answer of the question's own triage when this
// service made it, else the Retriever's (see SetRetriever), else none. An
// invalid label is koban.EInvalid; a text with nothing to learn from (empty,
// only links or symbols) is ignored. A domain outside the configured
// taxonomy counts for the category only.
func (s *Service) Learn(ctx context.Context, q koban.Question, label koban.Label, domain koban.Domain) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	text := questionText(q)
	s.mu.Lock()
	a, ok := s.recent[text]
	s.mu.Unlock()
	if !ok && s.retriever != nil && label.Validate() == nil {
		var err error
		if a, err = s.retriever.Answer(ctx, q); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			s.log.Debug("learn without retrieval evidence", "err", err)
			a = koban.Answer{}
		}
	}
	return s.LearnAnswer(ctx, q, a, label, domain)
}

// LearnAnswer is Learn with the retrieval evidence given: the answer
// retrieval composed for the question.
func (s *Service) LearnAnswer(ctx context.Context, q koban.Question, a koban.Answer, label koban.Label, domain koban.Domain) error {
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
	f := features(text)
	terms := wordTerms(f)
	s.mu.Lock()
	if i, ok := s.byText[text]; ok {
		s.relabel(i, terms, label, domain)
		s.mu.Unlock()
		return nil
	}
	s.mu.Unlock()
	v := s.vectorOf(text, a)
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := s.byText[text]; ok { // learnt meanwhile by another call
		s.relabel(i, terms, label, domain)
		return nil
	}
	// The label's votes of similar inquiries and word model are those of
	// the labels learnt before it: what triage knew when it came in. So
	// the model learns how far to trust them, and a refit costs no search.
	s.learned.refresh()
	near := s.learned.nearestTo(byTerm(f), s.cfg.Neighbours, s.cfg.MinSimilarity, -1)
	labels := make([]learnedLabel, len(near))
	for i, n := range near {
		labels[i] = s.labels[n.id]
	}
	neighbourVotes(&v, near, labels)
	wp := s.words.posterior(terms)
	v[fWordsSS], v[fWordsDM], v[fWordsPO] = wp[0], wp[1], wp[2]
	s.mask(&v)

	s.learned.add(text)
	s.words.add(terms, classIndex(label.Category), 1)
	s.byText[text] = len(s.labels)
	s.labels = append(s.labels, learnedLabel{label: label, domain: domain, v: v, near: near})
	s.stale = true
	return nil
}

// relabel replaces the label learnt for the i-th question (a human changed
// it), in the word model at once and in the model's next fit. The votes it
// gave the labels learnt after it are counted again, so that the fit does
// not learn from votes for a label no one gives any more. s.mu is held.
func (s *Service) relabel(i int, terms map[string]float64, label koban.Label, domain koban.Domain) {
	old := s.labels[i]
	s.words.add(terms, classIndex(old.label.Category), -1)
	s.words.add(terms, classIndex(label.Category), 1)
	s.labels[i].label, s.labels[i].domain = label, domain
	for j := i + 1; j < len(s.labels); j++ {
		l := &s.labels[j]
		if !slices.ContainsFunc(l.near, func(n neighbour) bool { return n.id == i }) {
			continue
		}
		voters := make([]learnedLabel, len(l.near))
		for k, n := range l.near {
			voters[k] = s.labels[n.id]
		}
		neighbourVotes(&l.v, l.near, voters)
		s.mask(&l.v)
	}
	s.stale = true
}

// vectorOf computes the features of a text and its answer, all but the
// votes of similar inquiries.
func (s *Service) vectorOf(text string, a koban.Answer) vector {
	var v vector
	sigs := extractSignals(text)
	textFeatures(&v, text, sigs)
	ev := evidence{signals: sigs, scores: map[koban.Category]float64{}}
	ev.documentedRequest(text, a)
	retrievalFeatures(&v, text, a, ev.selfServe, s.vocab.Load())
	s.mask(&v)
	return v
}

// SetVocabulary gives triage the words of the docs, so that it can tell a
// docs question whose terms the docs never use (a docs gap). Call it again
// when the docs change; nil forgets them.
func (s *Service) SetVocabulary(v *Vocabulary) { s.vocab.Store(v) }

// mask zeroes the features left out.
func (s *Service) mask(v *vector) {
	for _, f := range s.off {
		v[f] = 0
	}
}

// remember keeps the answer of a triaged question for Learn. s.mu is held.
func (s *Service) remember(text string, a koban.Answer) {
	if _, ok := s.recent[text]; ok {
		return
	}
	if len(s.order) == recentAnswers {
		delete(s.recent, s.order[0])
		s.order = s.order[1:]
	}
	s.recent[text] = a
	s.order = append(s.order, text)
}

// questionText is the text triage reads: the question, then the thread's
// earlier messages, which say what the question is about.
func questionText(q koban.Question) string {
	if len(q.Context) == 0 {
		return q.Text
	}
	return q.Text + "\n" + strings.Join(q.Context, "\n")
}

// learnedDomainWeight is the weight of the domains of similar labelled
// inquiries against the keywords (about 1 each) and examples (up to 2).
const learnedDomainWeight = 4

// domain picks the problem domain from keywords in the question and the
// retrieved pages, the taxonomy's examples, learned labels and the LLM.
func (s *Service) domain(text string, a koban.Answer, near []neighbour, labels []learnedLabel, llm koban.Domain, llmConf float64, ev *evidence) (koban.Domain, float64) {
	scores := make(map[koban.Domain]float64)
	hits := make(map[koban.Domain]string)
	vocab := s.vocab.Load()
	s.domains.match(text, 1, scores, hits, vocab)
	for i, p := range a.Pages {
		if i == 3 {
			break
		}
		page := strings.NewReplacer("/", " ", "-", " ", "_", " ", ".md", "").Replace(p.Path) + " " + p.Title
		s.domains.match(page, 0.6/float64(i+1), scores, nil, vocab)
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
				scores[labels[i].domain] += learnedDomainWeight * (1 - miss) * n.sim / total
			}
		}
	}
	if llm != "" && s.known[llm] {
		scores[llm] += s.cfg.LLMWeight * llmConf
	}
	delete(scores, koban.DomainOther)

	names := make([]koban.Domain, 0, len(scores))
	for d := range scores {
		names = append(names, d)
	}
	sort.Slice(names, func(i, j int) bool {
		if scores[names[i]] != scores[names[j]] {
			return scores[names[i]] > scores[names[j]]
		}
		return names[i] < names[j]
	})
	var sum float64 // in the names' order, so the same on every run
	for _, d := range names {
		sum += scores[d]
	}
	if len(names) == 0 || scores[names[0]] < 0.8 {
		return koban.DomainOther, 0.3
	}
	best := names[0]
	if h := hits[best]; h != "" {
		ev.reasons = append(ev.reasons, koban.Why("why.domain", "Domain", string(best), "Hint", strconv.Quote(h)))
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
