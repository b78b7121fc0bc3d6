package triage

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/internal/i18n"
	"github.com/kobanhq/koban/internal/textproc"
)

// signalKind names one kind of evidence read from the question text.
type signalKind string

// The kinds of evidence the text gives. Each kind weighs on the categories
// through signalWeights.
const (
	sigAct        signalKind = "act"         // asks the platform team to do something
	sigRequest    signalKind = "request"     // a request form or ticket ("request for", "are you requesting")
	sigProvision  signalKind = "provision"   // names something the platform provisions: access, quota, namespace, repository…
	sigOutage     signalKind = "outage"      // outage or regression language
	sigBug        signalKind = "bug"         // a bug-report shape: what happened / what was expected
	sigFeature    signalKind = "feature"     // asks for the platform to behave differently
	sigDocsIssue  signalKind = "docs-issue"  // reports a problem with the docs
	sigDocsRef    signalKind = "docs-ref"    // points at a docs page, tutorial or guide
	sigHowTo      signalKind = "how-to"      // asks how to do something
	sigLookup     signalKind = "lookup"      // asks what, which or where: a reference lookup
	sigExplain    signalKind = "explanation" // asks why, or the difference between things
	sigErrorPaste signalKind = "error"       // pastes an error message
	sigOwnFault   signalKind = "own-fault"   // wonders whether they did something wrong
	sigOwnSteps   signalKind = "own-steps"   // tells what they did themselves
	sigStatement  signalKind = "statement"   // states a behaviour and asks nothing
	sigPageReport signalKind = "page-report" // states something about a docs page and asks nothing
	sigProcedure  signalKind = "procedure"   // asks how to get or request something: the process, not the thing
	sigMechanism  signalKind = "mechanism"   // asks about a self-service mechanism: a form, a portal, a pull request, a CLI
	sigFollowed   signalKind = "followed"    // says they followed the docs already
	sigUrgent     signalKind = "urgent"      // production down, an outage, a security issue
)

// signal is one piece of evidence with the words that triggered it.
type signal struct {
	Kind signalKind
	Cue  string // the matched words, lower case
}

// Reason gives the signal as a short reason for the on-call.
func (s signal) Reason() koban.Reason {
	switch s.Kind {
	case sigStatement, sigPageReport:
		return koban.Why("why.signal." + string(s.Kind))
	}
	if id := "why.signal." + string(s.Kind); i18n.Has(id) {
		return koban.Why(id, "Cue", s.Cue)
	}
	return koban.Why("why.signal.other", "Kind", string(s.Kind), "Cue", s.Cue)
}

// cue is a pattern for one kind of signal. English patterns match on word
// boundaries, case-insensitively; Japanese ones as substrings.
type cue struct {
	kind signalKind
	re   *regexp.Regexp
}

func cues(kind signalKind, patterns ...string) []cue {
	out := make([]cue, len(patterns))
	for i, p := range patterns {
		if utf8.RuneLen(firstRune(p)) > 1 && textproc.IsCJK(firstRune(p)) {
			out[i] = cue{kind, regexp.MustCompile(p)}
			continue
		}
		out[i] = cue{kind, regexp.MustCompile(`(?i)(?:^|[^\pL\pN])(` + p + `)(?:$|[^\pL\pN])`)}
	}
	return out
}

// actVerbs are what app teams ask a platform team to do for them.
const actVerbs = `grant|create|increase|raise|extend|restore|enable|disable|delete|remove|provision|add|set ?up|approve|invite|rename|migrate|allocate|assign|register|allowlist|whitelist|reset|rotate|renew|unlock|upgrade|give|merge|revoke`

var actVerbRE = regexp.MustCompile(`(?i)\b(?:` + actVerbs + `|created|provisioned|granted|enabled|added|increased|raised|approved|restored|get)\b|付与|増やして|作成して|追加して|削除して|有効にして|復元して|発行して|戻して`)

// textCues are the cues read from the question, in the order signals lists
// them. They name what a message does (asks how, asks the team to act,
// reports a breakage, reports a docs problem), in words any platform's users
// write; nothing here names a particular platform's features.
var textCues = concat(
	cues(sigAct,
		`(?:please|pls|kindly|could you|can you|can someone|would you|could someone|can we get|could we get|can i get)\s+(?:\w+\s+){0,2}(?:`+actVerbs+`)`,
		`(?:can|could|may) (?:we|i) (?:get|have) (?:a |an |some |more |the )?(?:new |additional |extra |bigger )?\w+`,
		`(?:need|needs|want|would like|'d like) (?:\w+ ){0,4}(?:created|provisioned|granted|enabled|added|increased|set up|raised|approved|restored|renewed|removed|deleted)`,
		`(?:we|i) (?:need|would like|'d like) (?:\w+ ){0,2}(?:access|permissions?|quota)`,
		`^(?:`+actVerbs+`)\s+\S+`,
		`(?:need|want|ask|asking) (?:you|the team|someone|somebody) to`,
		`(?:grant|give) (?:\w+ ){0,3}(?:access|permissions?|rights)`,
		`してください`, `して下さい`, `お願いします`, `お願いいたします`, `をお願い`, `てほしい`, `てもらえ`, `付与`, `増やして`, `作成して`, `追加して`, `削除して`, `有効にして`, `復元して`, `発行して`,
	),
	cues(sigRequest,
		`request for`, `requesting`, `access request`, `quota request`, `(?:new|a) (?:\w+ )?request:`, `申請`, `依頼`,
	),
	cues(sigProvision,
		`access`, `permissions?`, `role ?bindings?`, `rbac`, `quotas?`, `more (?:cpu|memory|storage|resources|disk)`,
		`additional (?:resources|quota|storage|cpu|memory)`, `limit increase`,
		`namespaces?`, `projects?`, `repos?`, `repository`, `repositories`, `accounts?`, `(?:dns )?zones?`,
		`certificates?`, `buckets?`, `licen[cs]es?`, `service accounts?`, `api keys?`,
		`topics?`, `queues?`, `databases?`, `dns records?`, `domains?`, `vpn`, `static ips?`,
		`権限`, `クォータ`, `ネームスペース`, `名前空間`, `アカウント`, `リポジトリ`, `プロジェクト`, `トピック`, `キュー`, `バケット`, `データベース`, `証明書`, `ドメイン`,
	),
	cues(sigOutage,
		`since (?:upgrading|the upgrade|updating|the update|yesterday|this morning|last night)\b`, `after (?:upgrading|the upgrade|updating|the update)`,
		`used to work`, `worked before`, `was working`, `stopped working`, `no longer works?`, `regression`, `regressed`,
		`broken`, `broke`, `is down`, `are down`, `went down`, `outage`, `degraded`, `(?:service|temporarily|is|are|became) unavailable`, `unreachable`,
		`\b5\d\d\b`, `crash(?:es|ing|ed)?`, `incident`,
		`障害`, `落ちて`, `動かない`, `止まって`, `停止`, `繋がらない`, `つながらない`, `使えない`,
	),
	cues(sigBug,
		`steps to reproduce`, `to reproduce`, `reproducible`, `expected (?:behaviou?r|result|output)`, `actual (?:behaviou?r|result|output)`,
		`i (?:would )?expect(?:ed)?`, `is this a bug`, `bug`,
		`(?:fails?|failing|breaks|crashes|hangs|stops) (?:\w+ ){0,2}(?:when|whenever|if|after|once)`,
		`not (?:honou?red|respected)`, `ignores?`, `期待`, `再現`, `バグ`,
	),
	cues(sigFeature,
		`feature request`, `support for`, `should support`, `add support`, `would be (?:nice|great|useful|helpful)`, `it would help`,
		`(?:could|can) (?:the platform|koban|you) (?:support|offer|provide)`, `please (?:support|consider)`, `機能`, `要望`,
	),
	cues(sigDocsIssue,
		`not documented`, `undocumented`, `no documentation`, `isn'?t documented`,
		`(?:docs|documentation|page|tutorial|guide|example|section|instruction|readme|step)s? (?:is |are |seems |seem |looks |look )?(?:missing|wrong|incorrect|outdated|out of date|unclear|not clear|confusing|broken|misleading|stale|incomplete|inaccurate|not accurate|not correct)`,
		`(?:broken|dead) links?`, `typos?`, `outdated`, `out of date`, `clarify`, `unclear`,
		`(?:docs|documentation|guide|page|tutorial) (?:doesn'?t|does not|don'?t|do not) (?:say|mention|cover|explain|describe)`,
		`nothing in the (?:docs|documentation|guide)`, `(?:couldn'?t|could not|can'?t|cannot) find (?:\w+ ){0,4}in the (?:docs|documentation|guide)`,
		`(?:docs|documentation|guide|page) should`, `should (?:mention|explain|document|describe)`, `(?:please|should|must) document`,
		`(?:add|update|improve|expand|extend|correct|fix) (?:(?:a|an|the|some|more|better|clearer|this|that|its|missing) )?(?:\w+ )?(?:docs|documentation|guidance|instructions|readme|guides?|tutorials?|runbooks?|examples?)`,
		`add (?:it |this |that )?(?:to|in) (?:the )?(?:docs|documentation|guide|readme)`,
		`(?:add|append|include|mention) (?:\w+ ){0,4}(?:to|in|at the end of) (?:the|this|that) (?:\S+ ){0,4}?(?:section|page|tutorial|guide|readme)`,
		`(?:is|are|was|were) not (?:\w+ )?(?:stated|mentioned|explained|documented|described)`, `(?:nowhere|never) (?:stated|mentioned|explained|documented|described)`,
		`(?:^|[.!;:]\s*|and |to )document (?:how|what|why|when|the|that|this|it)`, `missing (?:\w+ ){0,2}(?:step|example|section|page|docs|documentation)`,
		`ドキュメント(?:が|に)(?:ない|無い|古い|間違)`, `記載(?:が)?(?:ない|ありません)`, `記載されていな`, `記載されていませ`, `載っていな`, `載っていませ`, `書かれていな`, `書かれていませ`, `誤記`, `誤字`, `リンク(?:が)?切れ`, `ドキュメント(?:を|に)\S{0,6}(?:追加|追記|更新|修正)`, `手順書(?:を|に)\S{0,6}(?:追加|追記|更新|修正)`, `マニュアル(?:を|に)\S{0,6}(?:追加|追記|更新|修正)`,
	),
	cues(sigDocsRef,
		`docs?`, `documentation`, `user ?guide`, `tutorial`, `the guide`, `this guide`, `the page`, `this page`, `the example`,
		`the instructions`, `readme`, `https?://\S*(?:docs?|guide|documentation)\S*`, `\S*/docs?/\S*`, `ドキュメント`, `手順書`, `マニュアル`,
	),
	cues(sigHowTo,
		`how (?:do|can|should|would) (?:i|we|you|one)`, `how to`, `is there a way`, `is it possible`, `what is the (?:best|right|recommended) way`,
		`どうすれば`, `どうやって`, `方法`, `手順`, `やり方`, `書き方`, `使い方`, `教えて`, `したい`,
	),
	cues(sigLookup,
		`what (?:is|are|does|do|size|version)`, `what'?s`, `how (?:much|many|long|big|often)`, `is there`, `are there`, `(?:^|[.?!:]\s*)which`, `where (?:is|are|can|do)`, `とは`, `どこ`, `どれ`, `何`,
	),
	cues(sigExplain,
		`why`, `difference between`, `how does`, `what happens`, `なぜ`, `違い`, `仕組み`,
	),
	cues(sigErrorPaste,
		`error:?`, `failed`, `fails`, `failing`, `forbidden`, `refused`, `denied`, `not found`, `exception`, `panic`, `timed? ?out`,
		`cannot`, `can'?t`, `unable to`, `エラー`, `失敗`,
	),
	cues(sigOwnSteps,
		`(?:i|we) (?:have )?(?:tried|ran|run|installed|deployed|followed|configured|created|applied|set up|added|changed|upgraded)`,
		`(?:i|we)'ve (?:tried|installed|deployed|followed|configured|created|applied|set up|added|changed)`,
		`(?:my|our) (?:own )?(?:pod|app|application|service|deployment|container|job|workload|chart|manifest|config)s?`,
		`試した`, `試しました`, `実行した`, `実行しました`, `設定した`, `設定しました`,
	),
	cues(sigOwnFault,
		`am i (?:missing|doing)`, `did i`, `what am i`, `on my side`, `something wrong (?:with|in) (?:my|our)`, `i get (?:the |an |this )?error`, `i got`,
		`設定(?:が)?間違`, `何か足りな`,
	),
	cues(sigProcedure,
		`how (?:do|can|should|would|could|does) (?:i|we|one|you|a team) (?:\w+ ){0,2}(?:get|request|obtain|apply for|ask for|gain|order)`,
		`how to (?:\w+ ){0,1}(?:get|request|obtain|apply for|ask for|gain|order)`,
		`(?:what|where|which)(?: is| are|'s) the (?:\w+ )?(?:process|procedure|form|steps|way|channel) (?:to|for)`,
		`is there (?:a|an) (?:\w+ )?(?:process|procedure|form|way) (?:to|for)`,
		`who (?:do|should|can|would) (?:i|we) (?:ask|contact|talk to)`, `where (?:do|can|should) (?:i|we) (?:request|apply|ask)`,
		`申請方法`, `申請の(?:仕方|方法|手順)`, `(?:どこ|どうやって|どのように)(?:から|で)?申請`, `申請は(?:どこ|どう)`,
	),
	cues(sigMechanism,
		`self[- ]?serv(?:e|ice)`, `(?:a|the|some) (?:web |request |online )?form`, `(?:developer |self-service |internal )?portal`,
		`pull requests?`, `(?:a|the|my|our) pr`, `(?:the|a|our) (?:\w+ )?cli`, `(?:with|via|using|through) (?:the )?(?:\w+ )?(?:terraform|cli|api|portal|template)`,
		`セルフサービス`, `ポータル`, `フォーム`, `プルリク\S*`,
	),
	cues(sigFollowed,
		`follow(?:ed|ing) (?:\w+ ){0,3}(?:instructions|process|steps|guide|docs|documentation|page|tutorial|how-?to)`,
		`(?:according to|as per|as described in) (?:the |your )?(?:docs|documentation|guide|instructions|page|tutorial)`,
		`手順(?:通り|どおり)`, `ドキュメント(?:通り|どおり)`,
	),
	cues(sigUrgent,
		`(?:prod|production|live)\b(?:\s+\S+){0,4}\s+(?:is |are |went |seems )?(?:down|broken|unavailable|unreachable)`,
		`outage`, `all (?:of our |our )?(?:services|requests|users|customers)\b(?:\s+\S+){0,3}\s+(?:fail|down|get|are|see)`,
		`customers? (?:can'?t|cannot|are affected|see errors)`, `security (?:incident|issue|breach|hole|vulnerability)`, `vulnerabilit(?:y|ies)`,
		`leak(?:ed)? (?:\w+ ){0,2}(?:secret|token|password|key|credential)s?`, `(?:secret|token|password|key|credential)s? (?:\w+ ){0,2}(?:leaked|exposed|compromised)`,
		`compromised`, `data breach`, `sev ?[12]\b`, `p[01]\b`, `urgent`, `asap`, `emergency`,
		`本番(?:環境)?.{0,12}(?:障害|停止|落ち|止ま|ダウン|繋がらな|つながらな)`, `緊急`, `至急`, `情報漏[洩えい]`, `脆弱性`, `漏洩`,
	),
)

func concat(lists ...[]cue) []cue {
	var out []cue
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// extractSignals reads the evidence in a question's text: at most one signal
// of each kind, with the first cue that matched.
func extractSignals(text string) []signal {
	text = truncateRunes(text, maxTextRunes)
	var out []signal
	seen := make(map[signalKind]bool)
	for _, c := range textCues {
		if seen[c.kind] {
			continue
		}
		m := c.re.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		cue := m[0]
		if len(m) > 1 {
			cue = m[1]
		}
		if c.kind == sigAct {
			// Name the action, not the politeness around it.
			if v := actVerbRE.FindString(cue); v != "" {
				cue = v
			}
		}
		seen[c.kind] = true
		out = append(out, signal{Kind: c.kind, Cue: shorten(strings.ToLower(strings.TrimSpace(cue)), 40)})
	}
	if seen[sigHowTo] && seen[sigDocsIssue] && docsAboutHowRE.MatchString(text) {
		// "Add guidance on how to register long names" asks for docs about
		// a procedure; it does not ask the procedure.
		out = slices.DeleteFunc(out, func(sg signal) bool { return sg.Kind == sigHowTo })
		seen[sigHowTo] = false
	}
	if seen[sigDocsIssue] && ownDocsChange(text, out) {
		// "I'll update the runbook", "we fixed the typo": the writer
		// tells what they do to the docs; they report nothing.
		out = slices.DeleteFunc(out, func(sg signal) bool { return sg.Kind == sigDocsIssue })
		seen[sigDocsIssue] = false
	}
	if seen[sigMechanism] && !seen[sigHowTo] && !seen[sigLookup] && !seen[sigProcedure] && !strings.ContainsAny(text, "?？") {
		// "I raised a PR, please merge" names the mechanism but asks the
		// team to act; only a question about the route counts.
		out = slices.DeleteFunc(out, func(sg signal) bool { return sg.Kind == sigMechanism })
		seen[sigMechanism] = false
	}
	if !seen[sigRequest] && formFields(text) >= 3 {
		seen[sigRequest] = true
		out = append(out, signal{Kind: sigRequest, Cue: "a filled-in request form"})
	}
	if !seen[sigAct] && seen[sigProvision] {
		// "S3 bucket for uploads please": a polite ask naming something to
		// provision; "we need a new topic for billing": a need stated.
		m := politeRE.FindString(text)
		if m == "" {
			if i := needRE.FindStringSubmatchIndex(text); i != nil {
				m = text[i[2]:i[3]]
			}
		}
		if m != "" {
			seen[sigAct] = true
			out = append(out, signal{Kind: sigAct, Cue: strings.ToLower(strings.TrimSpace(m))})
		}
	}
	if !asksSomething(text, seen) && !seen[sigOwnSteps] {
		// Without a question, a message about a docs page reports on the
		// page; any other statement describes a behaviour of the platform.
		if seen[sigDocsRef] {
			out = append(out, signal{Kind: sigPageReport})
		} else {
			out = append(out, signal{Kind: sigStatement})
		}
	}
	return out
}

// ownChangeRE finds the writer changing something themselves.
var ownChangeRE = regexp.MustCompile(`(?i)\b(?:i|we)(?:'ll|'ve|'d| will| have| just| already)*\s+(?:add|added|update|updated|improve|improved|expand|expanded|extend|extended|correct|corrected|fix|fixed|document|documented|append|appended|include|included|mention|mentioned)\b`)

// ownDocsChange reports whether the docs report among sigs is the writer's
// own change to the docs: a statement, with the docs cue right after the
// writer's change verb.
func ownDocsChange(text string, sigs []signal) bool {
	if strings.ContainsAny(text, "?？") {
		return false
	}
	lower := strings.ToLower(truncateRunes(text, maxTextRunes))
	m := ownChangeRE.FindStringIndex(lower)
	if m == nil {
		return false
	}
	for _, sg := range sigs {
		if sg.Kind != sigDocsIssue {
			continue
		}
		i := strings.Index(lower[m[0]:], sg.Cue)
		return i >= 0 && i <= m[1]-m[0]+30
	}
	return false
}

// docsAboutHowRE finds a request for docs about how to do something.
var docsAboutHowRE = regexp.MustCompile(`(?i)\b(?:guidance|guide|docs|documentation|document|explain|explanation|clarify|describe|example|section|note|instructions)s? (?:\w+ ){0,3}how (?:to|do|can|does)\b`)

// needRE finds a need stated by the writer or at the start of a sentence:
// "we need a", "Need another", "our team requires more".
var needRE = regexp.MustCompile(`(?i)(?:^|[.!?;:]\s+|\b(?:we|i|team)\s+)(needs?|require|requires)\s+(?:a|an|some|more|new|another|additional|extra)\b`)

var politeRE = regexp.MustCompile(`(?i)\bplease\b|\bpls\b|\bplz\b|お願い|ください|下さい`)

var formFieldRE = regexp.MustCompile(`(?:^|[;\n.?!]\s*)[\pL][\pL\pN ()/'-]{1,40}:\s*\S`)

// formFields counts "Field name: value" pairs: request templates (access,
// quota, new project) arrive as forms filled in.
func formFields(text string) int {
	return len(formFieldRE.FindAllStringIndex(text, -1))
}

// asksSomething reports whether the text asks a question or for something.
func asksSomething(text string, seen map[signalKind]bool) bool {
	if strings.ContainsAny(text, "?？") {
		return true
	}
	for _, k := range []signalKind{sigAct, sigRequest, sigHowTo, sigLookup, sigExplain, sigOwnFault, sigDocsIssue} {
		if seen[k] {
			return true
		}
	}
	for _, s := range []string{"ですか", "ますか", "でしょうか", "教えて", "ください", "下さい"} {
		if strings.Contains(text, s) {
			return true
		}
	}
	return false
}

func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return truncateRunes(s, n-1) + "…"
}

// badInput says why a text cannot be triaged with any confidence, or "".
func badInput(q string, lang string) string {
	t := strings.TrimSpace(q)
	switch {
	case t == "":
		return "empty message"
	case utf8.RuneCountInString(t) > 20000:
		return fmt.Sprintf("very long message (%d characters)", utf8.RuneCountInString(t))
	}
	rest := strings.TrimSpace(linkRE.ReplaceAllString(t, " "))
	if rest == "" {
		return "only a link"
	}
	letters := 0
	for _, r := range rest {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	if letters == 0 {
		return "no words, only symbols or emoji"
	}
	if stackTrace(t) {
		return "only a stack trace or log output"
	}
	if l := otherLanguage(t, lang); l != "" {
		return "written in a language the docs do not cover (" + l + ")"
	}
	if len(textproc.Words(strings.ToLower(rest))) < 2 && letters < 8 {
		return "too short to tell"
	}
	if ackRE.MatchString(rest) {
		return "a thank-you or acknowledgement, not a question"
	}
	return ""
}

var ackRE = regexp.MustCompile(`(?i)^\W*(?:(?:ok|okay|great|cool|perfect|nice|awesome|got it|thanks|thank you|thx|ty|cheers|that worked|it works|works now|solved|resolved|fixed|all good|ありがとう\S*|了解\S*|解決しました|できました)[\s,.!]*)+\W*$`)

var linkRE = regexp.MustCompile(`<https?://[^>]*>|https?://\S+|<[#@!][^>]*>|:[a-z0-9_+\-]+:`)

var traceLineRE = regexp.MustCompile(`^\s*(?:at [\w$.<>/]+\(|goroutine \d+|File ".*", line \d+|[\w./-]+\.go:\d+|Traceback|panic:|Caused by:|\.\.\. \d+ more|[\w.$]+(?:Exception|Error)\b|\d{4}-\d\d-\d\d[T ]\d\d:\d\d|[IWEF]\d{4} \d\d:\d\d|\[?(?:INFO|WARN|ERROR|DEBUG|FATAL)\]?\b|\s*\w+\.\w+\(.*\)\s*$|created by )`)

// stackTrace reports whether the text is a pasted trace or log with no
// words of the asker's own around it.
func stackTrace(t string) bool {
	lines := strings.Split(t, "\n")
	if len(lines) < 3 {
		return false
	}
	trace, other := 0, 0
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		if traceLineRE.MatchString(l) || strings.HasPrefix(l, "\t") || strings.HasPrefix(l, "    ") {
			trace++
		} else {
			other++
		}
	}
	return trace >= 3 && other <= 1
}

// otherLanguage names the language of a text written in neither English nor
// Japanese, or gives "" for those two (and for text too short to tell).
func otherLanguage(t, lang string) string {
	if lang != "" && lang != "en" && lang != "ja" {
		return lang
	}
	var kana, han, hangul, latin, other int
	for _, r := range t {
		switch {
		case unicode.In(r, unicode.Hiragana, unicode.Katakana):
			kana++
		case unicode.Is(unicode.Han, r):
			han++
		case unicode.Is(unicode.Hangul, r):
			hangul++
		case unicode.Is(unicode.Latin, r):
			latin++
		case unicode.IsLetter(r):
			other++
		}
	}
	switch {
	case kana > 0:
		return ""
	case hangul > han && hangul > latin/2:
		return "Korean"
	case han > latin:
		return "Chinese"
	case other > latin:
		return "non-Latin script"
	}
	// Among Latin-script texts, compare function words.
	best, bestN := "", 0
	en := 0
	latinCount := make(map[string]int)
	for _, w := range textproc.Words(strings.ToLower(t)) {
		if englishFunc[w] {
			en++
		}
		for l, set := range latinFunc {
			if set[w] {
				latinCount[l]++
			}
		}
	}
	for l, n := range latinCount {
		if n > bestN || (n == bestN && l < best) {
			best, bestN = l, n
		}
	}
	if bestN >= 3 && bestN > 2*en {
		return best
	}
	return ""
}

func wordSet(s string) map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

var englishFunc = wordSet(`the is are to and of in for with my how what why can does not it this that on i we you be have from when`)

var latinFunc = map[string]map[string]bool{
	"French":     wordSet(`le la les des est une je ne pas pour avec dans sur mon ma mes nous vous comment pourquoi qui que du au aux ce cette il elle sont`),
	"Spanish":    wordSet(`el la los las es una por para con en mi mis cómo como qué que porque está están del al este esta yo no pero se`),
	"German":     wordSet(`der die das ist ein eine ich nicht und mit für wie warum auf den dem des sind wir ihr mein es auch kann`),
	"Portuguese": wordSet(`o os as é um uma não para com em meu minha como por que está estão do da dos das eu se`),
}
