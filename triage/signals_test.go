package triage

import (
	"slices"
	"strings"
	"testing"
)

func kinds(sigs []signal) []signalKind {
	out := make([]signalKind, len(sigs))
	for i, s := range sigs {
		out[i] = s.Kind
	}
	return out
}

func TestExtractSignals(t *testing.T) {
	tests := []struct {
		in   string
		want []signalKind // must be present
		not  []signalKind // must be absent
	}{
		{"Could you please grant me access to the payments namespace?", []signalKind{sigAct, sigProvision}, []signalKind{sigStatement, sigHowTo}},
		{"Request for additional resources: CPU quota in team-a-prod", []signalKind{sigRequest, sigProvision}, nil},
		{"We need a new namespace created for the search team", []signalKind{sigAct, sigProvision}, nil},
		{"Please increase the memory quota of our project", []signalKind{sigAct, sigProvision}, nil},
		{"Need another storage bucket for the image uploads", []signalKind{sigAct, sigProvision}, []signalKind{sigStatement}},
		{"Hello. Our team requires a new database for the ledger", []signalKind{sigAct, sigProvision}, []signalKind{sigStatement}},
		{"The sidecar requires a restart whenever the config changes", nil, []signalKind{sigAct}},
		{"We need a faster build for the web app", nil, []signalKind{sigAct}},
		{"Restore our database from last night's snapshot please", []signalKind{sigAct}, nil},
		{"Ingress returns 502 since upgrading the cluster yesterday", []signalKind{sigOutage, sigStatement}, []signalKind{sigAct}},
		{"The build used to work but now it is broken", []signalKind{sigOutage}, nil},
		{"The cron job fails whenever the node it runs on is drained", []signalKind{sigBug}, nil},
		{"Our exporter crashes after a few hours without any load", []signalKind{sigBug}, nil},
		{"It fails. Any idea? When I retry it is fine", nil, []signalKind{sigBug}},
		{"Steps to reproduce: restart the pod. Expected behaviour: it keeps its volume.", []signalKind{sigBug}, nil},
		{"It would be great if the platform supported scaling to zero", []signalKind{sigFeature}, nil},
		{"The tutorial is outdated and references a removed API", []signalKind{sigDocsIssue, sigDocsRef}, nil},
		{"Clarify how the retention setting works in the logging guide", []signalKind{sigDocsIssue}, nil},
		{"Issue with docs/tasks/configure-pod/. The example does not show the probe port.", []signalKind{sigDocsRef, sigPageReport}, []signalKind{sigStatement}},
		{"How do I mount a ConfigMap as a single file?", []signalKind{sigHowTo}, []signalKind{sigStatement, sigAct}},
		{"What is the difference between a Deployment and a StatefulSet?", []signalKind{sigLookup, sigExplain}, nil},
		{"Error: forbidden: my user cannot list secrets. Am I missing a role?", []signalKind{sigErrorPaste, sigOwnFault}, nil},
		{"I want to create a new pod from a private image but I get an error", []signalKind{sigErrorPaste, sigOwnFault}, []signalKind{sigAct}},
		{"Alerts go to a channel which does not support our app", nil, []signalKind{sigLookup}},
		{"Full Name: Jane; GitHub ID: jane; Organization: Acme; Project Role: Developer", []signalKind{sigRequest}, nil},
		// Asking for the procedure, or about a self-service route, is a question.
		{"How do I get access to the staging namespace?", []signalKind{sigProcedure, sigHowTo}, []signalKind{sigStatement}},
		{"What's the process for getting a new database?", []signalKind{sigProcedure}, nil},
		{"Is there a form to request a new Kafka topic?", []signalKind{sigProcedure, sigMechanism}, nil},
		{"Can I create the namespace myself with the CLI?", []signalKind{sigMechanism}, nil},
		{"I raised a PR to add our namespace, please approve", []signalKind{sigAct}, []signalKind{sigMechanism, sigProcedure}},
		{"Please grant me access to the staging namespace", []signalKind{sigAct}, []signalKind{sigProcedure, sigMechanism}},
		{"I'm following these instructions to create alerts, please add our webhook", []signalKind{sigFollowed, sigAct}, nil},
		// Asking for docs about a procedure is a docs report, not a how-to.
		{"The docs should explain how to register long host names", []signalKind{sigDocsIssue}, []signalKind{sigHowTo}},
		{"Please document the upgrade steps for the queue operator", []signalKind{sigDocsIssue}, nil},
		{"How to register a long host name? The docs are unclear", []signalKind{sigDocsIssue, sigHowTo}, nil},
		{"The steps on the certificates page are incomplete for wildcard names", []signalKind{sigDocsIssue}, nil},
		{"Both examples are not clear about what happens on a retry", []signalKind{sigDocsIssue}, nil},
		// Asking for the docs to change is a docs report too.
		{"Update the backup guide with the new retention flag", []signalKind{sigDocsIssue}, nil},
		{"Could we add an example of a cron schedule to the jobs page?", []signalKind{sigDocsIssue}, nil},
		{"Migrate the queue and document the new endpoint for other teams", []signalKind{sigDocsIssue}, nil},
		{"Please update the image tag in our deployment", nil, []signalKind{sigDocsIssue}},
		{"The document the auditors sent lists three findings", nil, []signalKind{sigDocsIssue}},
		{"Can you add me to the docs repo? I need write access to the documentation site", []signalKind{sigAct}, []signalKind{sigDocsIssue}},
		{"Could you append a note on timeouts to the end of the ingress section", []signalKind{sigDocsIssue}, nil},
		{"The retention limit is not mentioned anywhere, we found it by trial", []signalKind{sigDocsIssue}, nil},
		{"Please add my colleague to the on-call rota", []signalKind{sigAct}, []signalKind{sigDocsIssue}},
		{"証明書の更新手順をドキュメントに追記してほしいです", []signalKind{sigDocsIssue}, nil},
		{"申請方法を教えてください", []signalKind{sigProcedure}, nil},
		// Japanese.
		{"本番環境の権限を付与してください", []signalKind{sigAct, sigProvision}, nil},
		{"クォータを増やしてほしいです。申請はどこからですか?", []signalKind{sigAct, sigRequest, sigProvision}, nil},
		{"昨日からAPIが落ちています。障害でしょうか", []signalKind{sigOutage}, nil},
		{"Podのログを見る方法を教えてください。どうすれば良いですか?", []signalKind{sigHowTo}, nil},
		{"デプロイでエラーになり動かない", []signalKind{sigErrorPaste, sigOutage}, nil},
	}
	for _, tt := range tests {
		got := kinds(extractSignals(tt.in))
		for _, k := range tt.want {
			if !slices.Contains(got, k) {
				t.Errorf("extractSignals(%q) = %v, want %s among them", tt.in, got, k)
			}
		}
		for _, k := range tt.not {
			if slices.Contains(got, k) {
				t.Errorf("extractSignals(%q) = %v, want no %s", tt.in, got, k)
			}
		}
	}
}

func TestSignalReasonsShort(t *testing.T) {
	long := "please grant " + strings.Repeat("very ", 40) + "long access"
	for _, s := range extractSignals(long) {
		if r := s.Reason().Text; len([]rune(r)) > 80 {
			t.Errorf("reason %q is %d runes, want at most 80", r, len([]rune(r)))
		}
	}
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		in, lang string
		want     string // a word of the reason; "" for readable input
	}{
		{"", "", "empty"},
		{"   \n\t ", "", "empty"},
		{"https://example.com/some/page", "", "link"},
		{"<https://example.com/a|a link>", "", "link"},
		{"🔥🔥🔥 😭", "", "symbols"},
		{":fire: :sob:", "", "link"}, // Slack emoji codes are stripped like links
		{"panic: runtime error: index out of range\n\ngoroutine 1 [running]:\nmain.main()\n\t/app/main.go:12 +0x1d\nexit status 2", "", "stack trace"},
		{"Exception in thread main java.lang.NullPointerException\n\tat com.acme.App.run(App.java:10)\n\tat com.acme.App.main(App.java:3)\n\tat java.base/Thread.run(Thread.java:1)", "", "stack trace"},
		{strings.Repeat("a", 50000), "", "very long"},
		{"Comment est-ce que je peux créer un namespace pour mon équipe? Je ne trouve pas la page dans la documentation.", "", "French"},
		{"네임스페이스를 만들려면 어떻게 해야 하나요?", "", "Korean"},
		{"How do I get access to the staging cluster?", "", ""},
		{"本番環境の権限を付与してください", "", ""},
		{"My pod crashes with this:\npanic: runtime error\n\tat foo.go:1\n\tat bar.go:2\nwhat am I doing wrong?", "", ""},
		{"DNS broken", "", ""},
	}
	for _, tt := range tests {
		got := badInput(tt.in, tt.lang)
		switch {
		case tt.want == "" && got != "":
			t.Errorf("badInput(%.40q) = %q, want readable", tt.in, got)
		case tt.want != "" && !strings.Contains(got, tt.want):
			t.Errorf("badInput(%.40q) = %q, want a reason with %q", tt.in, got, tt.want)
		}
	}
}

func TestFeaturesJapanese(t *testing.T) {
	x := newSimilarIndex()
	x.add("本番環境のネームスペースを作成してください")
	x.add("ログの保存期間はどこで設定しますか")
	x.refresh()
	got := x.nearest("ステージング環境のネームスペースを作成してほしい", 2, 0.1)
	if len(got) == 0 || got[0].id != 0 {
		t.Fatalf("nearest = %v, want example 0 (namespace request) first", got)
	}
	if len(got) > 1 && got[1].sim >= got[0].sim {
		t.Errorf("nearest = %v, want the namespace request clearly first", got)
	}
}

func TestNearestIgnoresUnrelated(t *testing.T) {
	x := newSimilarIndex()
	x.add("please create a new namespace for team payments")
	x.refresh()
	if got := x.nearest("kafka consumer lag keeps growing", 3, 0.2); len(got) != 0 {
		t.Errorf("nearest(unrelated) = %v, want none", got)
	}
	if got := x.nearest("please create a new namespace for team search", 3, 0.2); len(got) != 1 || got[0].sim < 0.5 {
		t.Errorf("nearest(similar) = %v, want one with similarity ≥ 0.5", got)
	}
}
