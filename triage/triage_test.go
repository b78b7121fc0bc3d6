package triage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/kobanhq/koban"
	"gopkg.in/yaml.v3"
)

func mustNew(t *testing.T, cfg Config, llm LLMClassifier) *Service {
	t.Helper()
	s, err := New(cfg, llm, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

func mustTriage(t *testing.T, s *Service, text string, a koban.Answer) koban.Triage {
	t.Helper()
	got, err := s.Triage(context.Background(), koban.Question{Text: text}, a)
	if err != nil {
		t.Fatalf("Triage(%q): %v", text, err)
	}
	return got
}

func TestTriageTextOnly(t *testing.T) {
	s := mustNew(t, DefaultConfig(), nil)
	tests := []struct {
		in   string
		want koban.Label
	}{
		{"Could you please grant our new developer access to the payments namespace?", koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailAutomationCandidate}},
		{"Please increase the CPU quota of team-a-prod, we hit the limit", koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailAutomationCandidate}},
		{"Ingress returns 502 for every service since the cluster upgrade this morning", koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailRequired}},
		{"The shared Postgres is down, all our apps lost their connections", koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailRequired}},
		{"The logging how-to is outdated: the Fluentd section refers to a removed setting.", koban.Label{Category: koban.DocsMissing}},
		{"How do I mount a ConfigMap as a single file into my container?", koban.Label{Category: koban.SelfSolvable, Detail: koban.DetailDocsUnfindable}},
		{"本番環境のネームスペースへのアクセス権限を付与してください", koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailAutomationCandidate}},
		{"昨日からAPIサーバーが落ちています。障害ですか?", koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailRequired}},
		{"Podのログを見る方法はありますか?", koban.Label{Category: koban.SelfSolvable, Detail: koban.DetailDocsUnfindable}},
		{"Hi team, can we get a new Kafka topic for the orders service?", koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailAutomationCandidate}},
		{"S3 bucket for uploads please, name acme-uploads-prod", koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailAutomationCandidate}},
		{"Our certificate for api.example.com expires next week, can you renew it?", koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailAutomationCandidate}},
		{"Jenkins is down again, nobody can build", koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailRequired}},
		{"Deployments are failing since this morning with 503 from the registry", koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailRequired}},
		{"My pod is in CrashLoopBackOff, logs say permission denied on /data", koban.Label{Category: koban.SelfSolvable, Detail: koban.DetailDocsUnfindable}},
		{"What's the max size of a Postgres instance we can get?", koban.Label{Category: koban.SelfSolvable, Detail: koban.DetailDocsUnfindable}},
		{"There is nothing in the docs about setting up a custom domain with TLS", koban.Label{Category: koban.DocsMissing}},
		{"The onboarding tutorial still mentions the old VPN which no longer exists", koban.Label{Category: koban.DocsMissing}},
		{"Kafkaのトピックを作成してください", koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailAutomationCandidate}},
		{"DBのバックアップ手順がドキュメントに載っていません", koban.Label{Category: koban.DocsMissing}},
		{"CIのビルドが昨日から失敗しています。障害ですか?", koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailRequired}},
		{"Helm chartのvaluesの書き方を教えてください", koban.Label{Category: koban.SelfSolvable, Detail: koban.DetailDocsUnfindable}},
		{"How do I get access to the staging namespace?", koban.Label{Category: koban.SelfSolvable, Detail: koban.DetailDocsUnfindable}},
		{"What's the process for getting a new Postgres database?", koban.Label{Category: koban.SelfSolvable, Detail: koban.DetailDocsUnfindable}},
		{"Is there a form to request more CPU quota?", koban.Label{Category: koban.SelfSolvable, Detail: koban.DetailDocsUnfindable}},
	}
	for _, tt := range tests {
		got := mustTriage(t, s, tt.in, koban.Answer{})
		if got.Label != tt.want {
			t.Errorf("Triage(%q).Label = %s, want %s (reasons %q)", tt.in, got.Label, tt.want, got.Reasons)
		}
		if got.Decision != koban.DecideEscalate {
			t.Errorf("Triage(%q).Decision = %s without an answer, want escalate", tt.in, got.Decision)
		}
		if len(got.Reasons) == 0 {
			t.Errorf("Triage(%q).Reasons is empty, want the signals", tt.in)
		}
		if err := got.Label.Validate(); err != nil {
			t.Errorf("Triage(%q).Label = %s: %v", tt.in, got.Label, err)
		}
	}
}

func TestTriageReasons(t *testing.T) {
	s := mustNew(t, DefaultConfig(), nil)
	got := mustTriage(t, s, "Please grant me access to the prod namespace", koban.Answer{})
	if len(got.Reasons) == 0 || !strings.Contains(got.Reasons[0].Text, "asks the platform team to act: grant") {
		t.Errorf("Reasons = %q, want the ask to act first", got.Reasons)
	}
	got = mustTriage(t, s, "How do I rotate my database password?", koban.Answer{
		Known: true, Confidence: 0.82,
		Pages: []koban.Citation{{Path: "how-to/rotate-db-password.md", Title: "Rotate a database password", Quadrant: koban.HowTo}},
	})
	if !containsReason(got.Reasons, "top doc match strong (0.82, how-to)") {
		t.Errorf("Reasons = %q, want the retrieval evidence", got.Reasons)
	}
	// Each reason is a catalogue message, said in Japanese to a Japanese
	// reader, with the same English text.
	var ja []string
	for _, r := range got.Reasons {
		if r.ID == "" || r.In("en") != r.Text || r.In("ja") == r.Text {
			t.Errorf("reason %+v: want a catalogue message said in Japanese too (ja %q)", r, r.In("ja"))
		}
		ja = append(ja, r.In("ja"))
	}
	if !slices.Contains(ja, "ドキュメントとよく一致(0.82、how-to)") {
		t.Errorf("reasons in Japanese = %q, want the retrieval evidence", ja)
	}
}

func containsReason(reasons []koban.Reason, want string) bool {
	for _, r := range reasons {
		if strings.Contains(r.Text, want) {
			return true
		}
	}
	return false
}

// TestLearnFromHumans shows that a handful of labelled inquiries about a
// recurring request change how the next similar one is triaged.
func TestLearnFromHumans(t *testing.T) {
	tests := []struct {
		name    string
		learn   []string
		label   koban.Label
		domain  koban.Domain
		next    string
		control string // an unrelated inquiry whose triage must not move
	}{
		{
			// The team made namespaces self-service: the docs answer it now.
			name: "namespace requests are self-service",
			learn: []string{
				"please create a new namespace for team payments",
				"please create a new namespace for team search",
				"can you create a new namespace for the team checkout?",
				"please create a new namespace for team billing in staging",
			},
			label:   koban.Label{Category: koban.SelfSolvable, Detail: koban.DetailDocsUnfindable},
			domain:  "computing",
			next:    "please create a new namespace for team loyalty",
			control: "Please grant me access to the production database",
		},
		{
			// Registry pull failures keep turning out to be the registry's fault.
			name: "image pull failures are a platform problem",
			learn: []string{
				"How do I fix ImagePullBackOff when pulling from the internal registry?",
				"how can I fix ImagePullBackOff from the internal registry for my deployment?",
				"ImagePullBackOff from internal registry again, how do I fix it?",
			},
			label:   koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailRequired},
			domain:  "ci-cd",
			next:    "How do I fix ImagePullBackOff from the internal registry in my namespace?",
			control: "How do I mount a ConfigMap as a single file?",
		},
		{
			name: "japanese quota requests are automation candidates",
			learn: []string{
				"チームAのメモリのクォータについて相談です",
				"チームBのメモリのクォータについて相談したいです",
				"メモリのクォータについて相談(チームC)",
			},
			label:   koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailAutomationCandidate},
			domain:  "computing",
			next:    "チームDのメモリのクォータについて相談です",
			control: "ログの保存期間はどのくらいですか?",
		},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.learn) > 5 {
				t.Fatalf("the test learns %d examples, want at most 5", len(tt.learn))
			}
			s := mustNew(t, DefaultConfig(), nil)
			before := mustTriage(t, s, tt.next, koban.Answer{})
			if before.Label == tt.label {
				t.Fatalf("before learning Triage(%q) = %s already; the test shows nothing", tt.next, before.Label)
			}
			controlBefore := mustTriage(t, s, tt.control, koban.Answer{})
			for _, text := range tt.learn {
				if err := s.Learn(ctx, koban.Question{Text: text}, tt.label, tt.domain); err != nil {
					t.Fatalf("Learn(%q): %v", text, err)
				}
			}
			if got := s.Learned(); got != len(tt.learn) {
				t.Errorf("Learned() = %d, want %d", got, len(tt.learn))
			}
			after := mustTriage(t, s, tt.next, koban.Answer{})
			if after.Label != tt.label {
				t.Errorf("after learning Triage(%q) = %s, want %s (reasons %q)", tt.next, after.Label, tt.label, after.Reasons)
			}
			if after.Domain != tt.domain {
				t.Errorf("after learning Triage(%q).Domain = %s, want %s", tt.next, after.Domain, tt.domain)
			}
			if !containsReason(after.Reasons, "similar past inquiries labelled "+string(tt.label.Category)) {
				t.Errorf("after learning Reasons = %q, want the similar past inquiries", after.Reasons)
			}
			if controlAfter := mustTriage(t, s, tt.control, koban.Answer{}); controlAfter.Label != controlBefore.Label {
				t.Errorf("Triage(%q) moved from %s to %s after learning unrelated labels", tt.control, controlBefore.Label, controlAfter.Label)
			}
		})
	}
}

func TestLearnErrors(t *testing.T) {
	s := mustNew(t, DefaultConfig(), nil)
	ctx := context.Background()
	err := s.Learn(ctx, koban.Question{Text: "hello there"}, koban.Label{Category: "nonsense"}, "iam")
	if koban.ErrorCode(err) != koban.EInvalid {
		t.Errorf("Learn(bad label) = %v, want code %s", err, koban.EInvalid)
	}
	if err := s.Learn(ctx, koban.Question{Text: "  🔥 "}, koban.Label{Category: koban.DocsMissing}, "iam"); err != nil {
		t.Errorf("Learn(no words) = %v, want nil (ignored)", err)
	}
	if err := s.Learn(ctx, koban.Question{Text: "how do I rotate keys"}, koban.Label{Category: koban.DocsMissing}, "retired-domain"); err != nil {
		t.Errorf("Learn(unknown domain) = %v, want nil", err)
	}
	if got := s.Learned(); got != 1 {
		t.Errorf("Learned() = %d, want 1", got)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Learn(cctx, koban.Question{Text: "x y z"}, koban.Label{Category: koban.DocsMissing}, ""); !errors.Is(err, context.Canceled) {
		t.Errorf("Learn(cancelled) = %v, want context.Canceled", err)
	}
	if _, err := s.Triage(cctx, koban.Question{Text: "x y z"}, koban.Answer{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Triage(cancelled) = %v, want context.Canceled", err)
	}
}

func TestTriageBadInput(t *testing.T) {
	s := mustNew(t, DefaultConfig(), nil)
	// Even a confident, known answer must not be sent for input koban cannot read.
	strong := koban.Answer{Known: true, Confidence: 0.95, Text: "x", Pages: []koban.Citation{{Path: "how-to/x.md", Quadrant: koban.HowTo}}}
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"only a link", "https://wiki.example.com/display/PLAT/Runbook"},
		{"only a stack trace", "panic: runtime error: invalid memory address\n\ngoroutine 1 [running]:\nmain.main()\n\t/src/main.go:9 +0x1d\nexit status 2"},
		{"only emoji", "😭🙏🔥"},
		{"very long", strings.Repeat("how do I deploy my app to the cluster? ", 1300)},
		{"40,000 characters", strings.Repeat("x", 40000)},
		{"only Slack emoji codes", ":fire: :sob: :pray:"},
		{"only a Slack link", "<https://wiki.example.com/display/PLAT/Runbook|runbook>"},
		{"only log lines", "2024-05-01T10:00:00Z ERROR db timeout\n2024-05-01T10:00:01Z ERROR db timeout\n2024-05-01T10:00:02Z ERROR db timeout"},
		{"french", "Bonjour, comment est-ce que je peux obtenir un accès au cluster de production pour mon équipe ?"},
		{"korean", "프로덕션 클러스터에 접근하려면 어떻게 해야 하나요?"},
		{"nul bytes", "\x00\x00\x00"},
		{"invalid utf-8", "\xff\xfe\xfd how"},
	}
	for _, tt := range tests {
		for _, a := range []koban.Answer{{}, strong} {
			got, err := s.Triage(context.Background(), koban.Question{Text: tt.in}, a)
			if err != nil {
				t.Errorf("%s: Triage error %v, want none", tt.name, err)
				continue
			}
			if !got.Label.Category.Valid() {
				t.Errorf("%s: Label = %q, want a category", tt.name, got.Label)
			}
			if got.Decision != koban.DecideEscalate {
				t.Errorf("%s: Decision = %s, want escalate", tt.name, got.Decision)
			}
			if got.Confidence > 0.3 {
				t.Errorf("%s: Confidence = %.2f, want low (≤ 0.3)", tt.name, got.Confidence)
			}
			if got.Domain == "" {
				t.Errorf("%s: Domain empty, want one (other at least)", tt.name)
			}
		}
	}
}

func TestDomain(t *testing.T) {
	s := mustNew(t, DefaultConfig(), nil)
	tests := []struct {
		in    string
		pages []koban.Citation
		want  koban.Domain
	}{
		{"Our pods are stuck in Pending, insufficient cpu on the nodes", nil, "computing"},
		{"Service DNS name does not resolve from another namespace", nil, "network"},
		{"Kafka consumer lag keeps growing on the orders topic", nil, "messaging"},
		{"How do I route Prometheus alerts to our Slack channel?", nil, "monitoring"},
		{"Where do I search my application logs? Kibana shows nothing", nil, "logging"},
		{"The pipeline cannot push the image to the registry", nil, "ci-cd"},
		{"Please restore our Postgres database from the snapshot", nil, "database"},
		{"Access denied when writing to the S3 bucket", nil, "object-storage"},
		{"How do I invalidate the CloudFront cache?", nil, "cdn"},
		{"Production is down, we need an incident channel and the on-call", nil, "incident-response"},
		{"pods is forbidden: the service account cannot list pods, which RBAC role do I need?", nil, "iam"},
		{"Our Airflow DAG fails to write to the data warehouse", nil, "data-platform"},
		{"ログが Kibana に表示されません", nil, "logging"},
		{"本番環境へのアクセス権限がありません", nil, "iam"},
		{"Lunch order for Friday", nil, koban.DomainOther},
		// Cited pages tip an otherwise vague question.
		{"It says something about the receiver, what now?", []koban.Citation{{Path: "monitoring-an-app/how-to-create-alarms.md", Title: "Create your own alerts"}}, "monitoring"},
	}
	for _, tt := range tests {
		got := mustTriage(t, s, tt.in, koban.Answer{Pages: tt.pages})
		if got.Domain != tt.want {
			t.Errorf("Triage(%q).Domain = %s, want %s", tt.in, got.Domain, tt.want)
		}
		if got.DomainConfidence < 0 || got.DomainConfidence > 1 {
			t.Errorf("Triage(%q).DomainConfidence = %v, want in [0,1]", tt.in, got.DomainConfidence)
		}
	}
}

// TestDomainWeighsKeywordsByTheDocs checks that a keyword on nearly every
// page of the docs counts less than a rare one: in docs where every page
// speaks of pods, nodes and containers, a question that names them all and
// a role binding is about access.
func TestDomainWeighsKeywordsByTheDocs(t *testing.T) {
	const q = "Each container of the pod restarts on its node and the replica loses its rolebinding"
	var pages []string
	for i := range 40 {
		pages = append(pages, fmt.Sprintf("Page %d: run the pod and its replica on a node with enough memory for the container.", i))
	}
	pages = append(pages, "Bind a role to a service account with a rolebinding.")
	v := NewVocabulary(pages)
	if common, rare := v.specificity("pod"), v.specificity("rolebinding"); common >= rare || rare != 1 {
		t.Errorf("specificity: pod %.2f, rolebinding %.2f; want pod lower, rolebinding 1", common, rare)
	}
	if got := (*Vocabulary)(nil).specificity("pod"); got != 1 {
		t.Errorf("nil vocabulary: specificity = %v, want 1", got)
	}
	s := mustNew(t, DefaultConfig(), nil)
	before := mustTriage(t, s, q, koban.Answer{})
	s.SetVocabulary(v)
	after := mustTriage(t, s, q, koban.Answer{})
	if before.Domain != "computing" || after.Domain != "iam" {
		t.Errorf("Domain = %s without the docs' words, %s with them; want computing, then iam", before.Domain, after.Domain)
	}
}

func TestCustomTaxonomy(t *testing.T) {
	src := `
answer_threshold: 0.7
domains:
  - name: payments
    keywords: [stripe, refund, 決済]
    examples: ["Refunds fail with a Stripe error"]
  - name: other
`
	var cfg Config
	if err := yaml.Unmarshal([]byte(src), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.AnswerThreshold != 0.7 || len(cfg.Domains) != 2 || cfg.Domains[0].Keywords[2] != "決済" {
		t.Fatalf("yaml decoded %+v, want threshold 0.7 and two domains", cfg)
	}
	s := mustNew(t, cfg, nil)
	for in, want := range map[string]koban.Domain{
		"Stripe refunds are failing since this morning": "payments",
		"決済が失敗します":                                      "payments",
		"Our pods are stuck in Pending":                 koban.DomainOther, // computing is not configured
	} {
		if got := mustTriage(t, s, in, koban.Answer{}); got.Domain != want {
			t.Errorf("Triage(%q).Domain = %s, want %s", in, got.Domain, want)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"default", DefaultConfig(), true},
		{"zero means defaults", Config{}, true},
		{"threshold above 1", Config{AnswerThreshold: 1.5}, false},
		{"negative similarity", Config{MinSimilarity: -0.1}, false},
		{"unnamed domain", Config{Domains: []DomainConfig{{Keywords: []string{"x"}}}}, false},
		{"duplicate domain", Config{Domains: []DomainConfig{{Name: "a"}, {Name: "a"}}}, false},
	}
	for _, tt := range tests {
		_, err := New(tt.cfg, nil, nil)
		if tt.ok && err != nil {
			t.Errorf("%s: New = %v, want no error", tt.name, err)
		}
		if !tt.ok && koban.ErrorCode(err) != koban.EInvalid {
			t.Errorf("%s: New = %v, want code %s", tt.name, err, koban.EInvalid)
		}
	}
}

func TestDecision(t *testing.T) {
	howTo := "How do I rotate the password of my database user?"
	known := func(c float64) koban.Answer {
		return koban.Answer{Known: true, Confidence: c, Text: "Run the rotate task.",
			Pages: []koban.Citation{{Path: "how-to/rotate-db-password.md", Title: "Rotate a database password", Quadrant: koban.HowTo}}}
	}
	tests := []struct {
		name      string
		threshold float64
		text      string
		answer    koban.Answer
		want      koban.Decision
	}{
		{"confident how-to, known answer", 0.5, howTo, known(0.85), koban.DecideAnswer},
		{"same, stricter threshold: the pages are suggested", 0.995, howTo, known(0.85), koban.DecideSuggest},
		{"retrieval does not know", 0.5, howTo, koban.Answer{Confidence: 0.85}, koban.DecideEscalate},
		{"confident how-to, default threshold", DefaultAnswerThreshold, howTo, known(0.85), koban.DecideAnswer},
		{"weak retrieval: suggested, not answered", DefaultAnswerThreshold, howTo, known(0.1), koban.DecideSuggest},
		{"platform request with a matching page: the page is suggested, the team brought in", 0.5, "Please grant me access to the prod namespace", known(0.85), koban.DecideSuggest},
		{"platform request, nothing retrieval can quote", 0.5, "Please grant me access to the prod namespace", koban.Answer{Confidence: 0.2, Pages: known(0.2).Pages}, koban.DecideEscalate},
		{"outage with a matching page: suggested, not answered", 0.5, "The ingress is down since the upgrade, everything returns 502", known(0.85), koban.DecideSuggest},
		{"urgent with a matching page: escalated at once", 0.5, "Production is down for all customers, the payment API returns 500 everywhere", known(0.85), koban.DecideEscalate},
		{"a docs report is not answered, however likely", 0.35, "How do I rotate the password of my database user? The how-to page is outdated.", known(0.85), koban.DecideSuggest},
	}
	for _, tt := range tests {
		cfg := DefaultConfig()
		cfg.AnswerThreshold = tt.threshold
		s := mustNew(t, cfg, nil)
		got := mustTriage(t, s, tt.text, tt.answer)
		if got.Decision != tt.want {
			t.Errorf("%s: Decision = %s (label %s, confidence %.2f; reasons %q), want %s", tt.name, got.Decision, got.Label, got.Confidence, got.Reasons, tt.want)
		}
		if got.Decision == koban.DecideAnswer && (got.Label != koban.Label{Category: koban.SelfSolvable, Detail: koban.DetailAnswered}) {
			t.Errorf("%s: answered with label %s, want self-solvable/answered", tt.name, got.Label)
		}
	}
}

// TestDocumentedRequest checks how retrieval weighs against request cues:
// a request is self-solvable when a page describes doing exactly what is
// asked, and stays with the platform team otherwise.
func TestDocumentedRequest(t *testing.T) {
	pages := func(conf float64, ps ...koban.Citation) koban.Answer {
		return koban.Answer{Known: true, Confidence: conf, Text: "From the docs.", Pages: ps}
	}
	page := func(title string, q koban.Quadrant) koban.Citation {
		return koban.Citation{Path: strings.ReplaceAll(strings.ToLower(title), " ", "-") + ".md", Title: title, Quadrant: q}
	}
	const needNamespace = "We need a new namespace created for the search team"
	const followed = "I'm following these instructions https://docs.example.com/alerts and need our Slack webhook added to Alertmanager"
	tests := []struct {
		name   string
		text   string
		answer koban.Answer
		want   koban.Category
	}{
		{"request, how-to about it", needNamespace, pages(0.75, page("Create a namespace", koban.HowTo)), koban.SelfSolvable},
		{"request, no retrieval", needNamespace, koban.Answer{}, koban.PlatformOnly},
		{"request, weak retrieval", needNamespace, pages(0.35, page("Create a namespace", koban.HowTo)), koban.PlatformOnly},
		{"request, explanation about it", needNamespace, pages(0.75, page("Namespaces and tenancy", koban.Explanation)), koban.PlatformOnly},
		{"request, the page is a request procedure", needNamespace, pages(0.75, page("Request a new namespace", koban.HowTo)), koban.PlatformOnly},
		{"request, page about something else", needNamespace, pages(0.75, page("Rotate a database password", koban.HowTo)), koban.PlatformOnly},
		{"request, the page third", "Provision a project for the payments team. Request to: create project. Full name: Jane; Role: lead",
			pages(0.72, page("Grant user access", koban.HowTo), page("Log in to the console", koban.Unknown), page("Provision a new project", koban.Unknown)), koban.SelfSolvable},
		{"request stated as a need, how-to about it", "We need another message queue for the checkout service",
			pages(0.7, page("Create a message queue", koban.HowTo)), koban.SelfSolvable},
		{"request stated as a need, no page about it", "We need another message queue for the checkout service",
			pages(0.7, page("Monitoring overview", koban.HowTo)), koban.PlatformOnly},
		{"request after a greeting", "Hi team! Can we get a Redis cluster created for the checkout service?",
			pages(0.7, page("Creating a Redis cluster", koban.HowTo)), koban.SelfSolvable},
		{"request, the page fifth", "Create a Kafka topic for the billing events. Requested by: Sam; Team: billing; Environment: staging",
			pages(0.66, page("Billing dashboards", koban.Unknown), page("Staging environments", koban.Explanation), page("Team onboarding", koban.HowTo),
				page("Event retention", koban.Reference), page("Create a Kafka topic", koban.HowTo)), koban.SelfSolvable},
		{"request, the page sixth", "Create a Kafka topic for the billing events. Requested by: Sam; Team: billing; Environment: staging",
			pages(0.66, page("Billing dashboards", koban.Unknown), page("Staging environments", koban.Explanation), page("Team onboarding", koban.HowTo),
				page("Event retention", koban.Reference), page("Alert routing", koban.HowTo), page("Create a Kafka topic", koban.HowTo)), koban.PlatformOnly},
		{"form fields match another page", "New alert route in Alertmanager. Namespace name: pay; team name: pay; slack channel: #pay-alerts; secret name: pay-slack",
			pages(0.8, page("Monitoring overview", koban.Explanation), page("Adding secrets to an application", koban.HowTo)), koban.PlatformOnly},
		{"access is granted by someone", "Please grant me access to the staging namespace", pages(0.85, page("Grant access to a namespace", koban.HowTo)), koban.PlatformOnly},
		{"request, access mentioned in passing", "Please create a message queue for the checkout service. Our build has no access to the old one.",
			pages(0.7, page("Create a message queue", koban.HowTo)), koban.SelfSolvable},
		{"access asked besides", "Please create a message queue for the checkout service. Also give Sam access to it.",
			pages(0.7, page("Create a message queue", koban.HowTo)), koban.PlatformOnly},
		{"access in the subject", "Message queue access for the checkout service. Please create it for us.",
			pages(0.7, page("Create a message queue", koban.HowTo)), koban.PlatformOnly},
		{"followed the docs already", followed, pages(0.8, page("Add a Slack webhook to Alertmanager", koban.HowTo)), koban.PlatformOnly},
		{"docs report about the matching page", "The custom domain how-to should explain how to register names over 64 characters",
			pages(0.8, page("Use a custom domain", koban.HowTo)), koban.DocsMissing},
		{"pasted error, the docs cover it", "Error: x509: certificate signed by unknown authority when pulling images from our registry",
			pages(0.8, page("Pull an image from a private registry", koban.HowTo)), koban.SelfSolvable},
		{"outage with the same error", "Since the upgrade this morning every pull fails with x509: certificate signed by unknown authority",
			pages(0.8, page("Pull an image from a private registry", koban.HowTo)), koban.PlatformOnly},
	}
	s := mustNew(t, DefaultConfig(), nil)
	for _, tt := range tests {
		got := mustTriage(t, s, tt.text, tt.answer)
		if got.Label.Category != tt.want {
			t.Errorf("%s: category %s (%.2f), want %s; reasons %q", tt.name, got.Label.Category, got.Confidence, tt.want, got.Reasons)
		}
		documented := containsReason(got.Reasons, "the docs describe doing what is asked")
		if documented != (tt.want == koban.SelfSolvable && strings.Contains(tt.name, "request")) {
			t.Errorf("%s: reasons %q, documented procedure reason %v", tt.name, got.Reasons, documented)
		}
	}
}

// TestConfidenceMonotone checks that stronger retrieval never lowers the
// confidence in self-solvable for a how-to question.
func TestConfidenceMonotone(t *testing.T) {
	s := mustNew(t, DefaultConfig(), nil)
	prev := -1.0
	for c := 0.0; c <= 1.0; c += 0.1 {
		got := mustTriage(t, s, "How do I rotate the password of my database user?", koban.Answer{Known: true, Confidence: c})
		p := got.Confidence
		if got.Label.Category != koban.SelfSolvable {
			p = 0
		}
		if p < prev {
			t.Errorf("confidence in self-solvable at retrieval %.1f = %.3f, below %.3f at the step before", c, p, prev)
		}
		prev = p
	}
}

// fakeLLM is a classifier at the edge: it returns what it is told.
type fakeLLM struct {
	label  koban.Label
	domain koban.Domain
	conf   float64
	err    error
	calls  int
	mu     sync.Mutex
}

func (f *fakeLLM) Classify(context.Context, koban.Question, koban.Answer) (koban.Label, koban.Domain, float64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	return f.label, f.domain, f.conf, f.err
}

func TestLLMClassifier(t *testing.T) {
	text := "Our deploys are slow today"
	base := mustTriage(t, mustNew(t, DefaultConfig(), nil), text, koban.Answer{})

	llm := &fakeLLM{label: koban.Label{Category: koban.DocsMissing}, domain: "ci-cd", conf: 1}
	got := mustTriage(t, mustNew(t, DefaultConfig(), llm), text, koban.Answer{})
	if llm.calls != 1 {
		t.Errorf("LLM called %d times, want 1", llm.calls)
	}
	if base.Label.Category == koban.DocsMissing {
		t.Fatalf("without the LLM %q is already docs-missing; the test shows nothing", text)
	}
	if got.Label.Category != koban.DocsMissing || !containsReason(got.Reasons, "LLM says docs-missing") {
		t.Errorf("with LLM: %s %q, want docs-missing with the LLM's reason", got.Label, got.Reasons)
	}

	down := &fakeLLM{err: koban.Errorf(koban.EUnavailable, "model unreachable")}
	got = mustTriage(t, mustNew(t, DefaultConfig(), down), text, koban.Answer{})
	if got.Label != base.Label || !containsReason(got.Reasons, "LLM classification unavailable") {
		t.Errorf("with LLM down: %s %q, want %s as without one, and a reason", got.Label, got.Reasons, base.Label)
	}
}

func TestConcurrentTriageAndLearn(t *testing.T) {
	s := mustNew(t, DefaultConfig(), nil)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for j := range 25 {
				q := koban.Question{Text: fmt.Sprintf("please create namespace team-%d-%d", i, j)}
				if err := s.Learn(ctx, q, koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailAutomationCandidate}, "computing"); err != nil {
					t.Error(err)
				}
			}
		}()
		go func() {
			defer wg.Done()
			for j := range 25 {
				if _, err := s.Triage(ctx, koban.Question{Text: fmt.Sprintf("namespace for team %d please", j)}, koban.Answer{}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if got := s.Learned(); got != 100 {
		t.Errorf("Learned() = %d, want 100", got)
	}
}

func BenchmarkTriage(b *testing.B) {
	s, err := New(DefaultConfig(), nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for i := range 2000 {
		q := koban.Question{Text: fmt.Sprintf("please create a namespace for team %d, we need access to the %d cluster", i, i%7)}
		if err := s.Learn(ctx, q, koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailAutomationCandidate}, "computing"); err != nil {
			b.Fatal(err)
		}
	}
	q := koban.Question{Text: "Our pods are stuck in Pending since the upgrade this morning. What happened: the scheduler says insufficient cpu. How do I get more quota?"}
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Triage(ctx, q, koban.Answer{}); err != nil {
			b.Fatal(err)
		}
	}
}

// A relabel of a question triage learnt replaces its label: the count of
// learnt labels stays, and similar questions follow the new label, not the
// old one.
func TestLearnRelabelReplaces(t *testing.T) {
	ctx := context.Background()
	learn := []string{
		"please create a new namespace for team payments",
		"please create a new namespace for team search",
		"can you create a new namespace for the team checkout?",
		"please create a new namespace for team billing in staging",
	}
	next := "please create a new namespace for team loyalty"
	first := koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailRequired}
	then := koban.Label{Category: koban.SelfSolvable, Detail: koban.DetailDocsUnfindable}
	s := mustNew(t, DefaultConfig(), nil)
	for _, l := range []koban.Label{first, then} {
		for _, text := range learn {
			if err := s.Learn(ctx, koban.Question{Text: text}, l, "computing"); err != nil {
				t.Fatalf("Learn(%q, %s): %v", text, l, err)
			}
		}
		if got := s.Learned(); got != len(learn) {
			t.Errorf("after learning %s: Learned() = %d, want %d (a relabel replaces)", l, got, len(learn))
		}
		if got := mustTriage(t, s, next, koban.Answer{}); got.Label.Category != l.Category {
			t.Errorf("after learning %s: Triage(%q) = %s (reasons %q), want %s", l, next, got.Label, got.Reasons, l.Category)
		}
	}
}

// A relabel recounts the votes the relabelled inquiry gave the labels learnt
// after it, so that the model is not fitted to votes for the old label.
func TestRelabelRecountsVotes(t *testing.T) {
	ctx := context.Background()
	learn := []string{
		"the nightly export job in the reports namespace keeps getting evicted",
		"the nightly export job in the reports namespace was evicted again",
		"nightly export job evicted in the reports namespace, third time this week",
	}
	s := mustNew(t, DefaultConfig(), nil)
	for _, c := range []koban.Category{koban.PlatformOnly, koban.SelfSolvable} {
		for _, text := range learn {
			if err := s.Learn(ctx, koban.Question{Text: text}, koban.Label{Category: c}, ""); err != nil {
				t.Fatalf("Learn(%q, %s): %v", text, c, err)
			}
		}
		f := fNearSS + classIndex(c)
		s.mu.Lock()
		for j, l := range s.labels[1:] {
			var other float64
			for k := fNearSS; k <= fNearPO; k++ {
				if k != f {
					other += l.v[k]
				}
			}
			if l.v[f] <= 0 || other != 0 {
				t.Errorf("labelled %s: label %d has votes %v, want them all for %s", c, j+1, l.v[fNearSS:fNearPO+1], c)
			}
		}
		s.mu.Unlock()
	}
}
