package triage

import (
	"math"
	"regexp"
	"strings"
	"unicode"

	"github.com/kobanhq/koban"
)

// Detection: in a channel koban listens to in full, most messages are
// inquiries, but not all. A message that thanks, agrees ("+1"), closes,
// greets, announces ("FYI: …", a maintenance notice), chats, answers someone
// else, or only shares a link or an emoji asks for nothing and must not page
// anyone. Detect weighs what the message does, with the same speech-act cues
// triage reads, and says how sure it is; the bot offers help quietly when
// it is unsure.

// Detection thresholds on Detection.Confidence: at or above DetectInquiry a
// channel message is an inquiry; between DetectOffer and DetectInquiry koban
// is unsure and offers help to the author alone.
const (
	DetectInquiry = 0.5
	DetectOffer   = 0.25
)

var (
	// ackOnlyRE is a message that only thanks, agrees, acknowledges or closes.
	ackOnlyRE = regexp.MustCompile(`(?i)^\W*(?:(?:ok(?:ay)?|kk|great|cool|perfect|nice|awesome|amazing|got it|gotcha|understood|noted|makes sense|will do|sure|yes|yep|no worries|thanks?(?: you)?(?: so much| a lot| all| everyone| team| again)?|thx|ty|cheers|much appreciated|appreciated|that (?:worked|fixed it|did it|did the trick)|it works(?: now)?|works now|all (?:good|sorted|set)(?: now)?|sorted|solved|resolved|fixed|done|this|same here|same|me too|\+1|lgtm|nvm|never ?mind|figured it out|ありがとう\S*|助かりました|了解\S*|承知\S*|解決しました|できました|対応します|おつかれ\S*|お疲れ\S*)[\s,.!~]*)+\W*$`)
	// closingRE opens a message that closes a matter.
	closingRE = regexp.MustCompile(`(?i)^\W*(?:closing (?:this|the loop)|resolved[:,]|(?:thanks|thank you)[^?？]{0,40}(?:fixed|works|solved|sorted|resolved)|nvm|never ?mind|解決しました|ありがとうございま)`)
	// greetingRE is a greeting with little else.
	greetingRE = regexp.MustCompile(`(?i)^\W*(?:hi|hello|hey|morning|good (?:morning|afternoon|evening)|happy (?:monday|friday|new year)|welcome|おはよう\S*|こんにちは|お疲れ様\S*|よろしくお願いします)\b`)
	// announceRE opens an announcement or an FYI.
	announceRE = regexp.MustCompile(`(?i)^\W*(?::\w+:\s*)?(?:fyi|psa|heads[- ]up|reminder|announcement|notice|release notes?|maintenance|【[^】]*(?:お知らせ|連絡|告知|周知)[^】]*】|お知らせ|共有です|ご連絡|周知)`)
	// weAnnounceRE opens news of what the writer's team did or will do; it
	// is an announcement unless it goes on to report a problem ("we
	// deployed v2 and now the pods crash").
	weAnnounceRE = regexp.MustCompile(`(?i)^\W*(?:we (?:just )?(?:shipped|released|launched|deployed|rolled out)|we(?:'ll| will| are going to) (?:deploy|release|upgrade|restart|migrate|recycle|roll out))`)
	// chatterRE is small talk.
	chatterRE = regexp.MustCompile(`(?i)\b(?:lunch|coffee|beers?|weekend|the game|brb|afk|haha+|lol|ランチ|飲み会|在宅|休暇|お昼)\b|ランチ|在宅勤務|お昼`)
	// adviceRE opens an answer to someone else.
	adviceRE = regexp.MustCompile(`(?i)^\W*(?:you (?:can|could|should|need to|have to|must|might)|try (?:adding|setting|running|using|to)|just (?:run|set|add|use)|have you tried|that'?s because|it'?s because|the fix is|the trick is|it'?s in the (?:docs|runbook|wiki)|i think you|you'?re missing|see https?://)|(?:すれば(?:反映され|でき|動き)ますよ|してみてください|ですよ。?$)`)
	// statusRE is a status update or a reply in the conversation: how a
	// deploy or a fix went, what worked for the writer, what they think the
	// cause is.
	statusRE = regexp.MustCompile(`(?i)^\W*(?:(?:i|we) (?:had|have|hit|saw) the same|same (?:issue|problem|here)|(?:i|we)(?:'ve| have)? (?:just )?(?:deployed|released|merged|shipped|rolled (?:out|back)|fixed|restarted|upgraded)\b|(?:deployed|released|merged|shipped|rolled out) (?:\S+ )?(?:to|in|into) (?:prod|production|staging|main|dev)\b|i (?:think|guess|suspect|believe) (?:the (?:issue|problem|cause|fix) is|it'?s because|you)|(?:it|that|this|restarting[^.]*|rolling back[^.]*) (?:worked|fixed it) for (?:me|us)|(?:should|will) be (?:out|live|fixed) (?:in|by|with)|(?:all|looks?) (?:green|good)\b)`)
	// praiseRE is thanks by other words: praise, congratulations.
	praiseRE = regexp.MustCompile(`(?i)^\W*(?:(?:nice|great|awesome|amazing|good|excellent) (?:work|job|stuff|one)|kudos|congrat\w*|well done|shout-?out|props to|お見事|おめでとう)`)
	// cannotJaRE is a Japanese report that something cannot be done or
	// fails: 〜できません, 〜できない, 失敗します, 動きません, 繋がらない.
	// troubleRE is a problem told in passing: a status code or an error
	// returned, a fix that does not help.
	troubleRE  = regexp.MustCompile(`(?i)\b(?:returns?|returning|getting|gets|got|see|seeing|saw|throws?|throwing)\s+(?:an? |the )?(?:[45]\d\d|errors?|exceptions?|timeouts?)\b|\b(?:does(?:n'?t| not)|did(?:n'?t| not)) (?:help|work|fix)|\bstill (?:fail\w*|broken|crash\w*|not \w+ing)|\bexpired\b`)
	cannotJaRE = regexp.MustCompile(`(?:でき(?:ません|ない|なく)|失敗し|エラーに?な|動(?:きません|かない|かなく)|(?:繋|つな)がら(?:ない|なく)|(?:落ち|止まっ)て(?:い|ま)|見(?:え|られ)ません)`)
	// helpRE is someone about to ask: "help", "quick question".
	helpRE = regexp.MustCompile(`(?i)\b(?:help|question|q)\b|助けて|質問`)
	// askRE is a question without a question mark, in Japanese.
	askJaRE = regexp.MustCompile(`(?:ですか|ますか|でしょうか|ますでしょうか|教えて|ください|下さい|お願い|ほしい|欲しい|たい(?:です)?(?:$|[。、!])|かな|のですが|んですが)`)
	// techRE finds technical content: code, an error code, a path, a
	// hyphenated or dotted identifier, a number with a unit.
	techRE = regexp.MustCompile("`|\\b[45]\\d\\d\\b|\\b\\w+[-_.]\\w+[-_.]?\\w*\\b|/\\w+/|\\b\\d+(?:gi|mi|gb|mb|ms|s|m|h|%)\\b|\\b(?:error|exception|failed|failing|fails|timeout|denied|forbidden|refused|crash\\w*|oom\\w*)\\b")
)

// Detect says whether a channel message asks for anything. It never fails:
// an empty, emoji-only or link-only message is not an inquiry.
func (s *Service) Detect(text string) koban.Detection {
	t := strings.TrimSpace(mentionRE.ReplaceAllString(truncateRunes(text, maxTextRunes), " "))
	bare := strings.TrimSpace(linkRE.ReplaceAllString(t, " "))
	letters := 0
	for _, r := range bare {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	switch {
	case letters == 0 && urlRE.MatchString(t):
		return koban.Detection{Confidence: 0.1, Reason: "only a link"}
	case letters == 0:
		return koban.Detection{Confidence: 0.02, Reason: "no words"}
	case ackOnlyRE.MatchString(bare):
		return koban.Detection{Confidence: 0.05, Reason: "thanks, agrees or acknowledges"}
	}
	sigs := extractSignals(t)
	ev := evidence{signals: sigs}
	lower := strings.ToLower(bare)
	nWords := len(words(lower))
	scores := make(map[koban.Domain]float64)
	s.domains.match(lower, 1, scores, nil, nil)
	delete(scores, koban.DomainOther)
	tech := len(scores) > 0 || techRE.MatchString(lower)

	question := strings.ContainsAny(t, "?？") || askJaRE.MatchString(t)
	asks := ev.has(sigHowTo, sigLookup, sigExplain, sigProcedure, sigAct, sigRequest, sigOwnFault)
	reports := ev.has(sigOutage, sigBug, sigErrorPaste, sigUrgent, sigDocsIssue, sigFeature) || cannotJaRE.MatchString(t) || troubleRE.MatchString(bare)
	help := helpRE.MatchString(bare)

	// The reason is the strongest push towards the outcome.
	var score, pro, con float64
	proWhy, conWhy := "asks for something", "says little"
	add := func(w float64, why string) {
		score += w
		switch {
		case w > pro:
			pro, proWhy = w, why
		case -w > con:
			con, conWhy = -w, why
		}
	}
	add(-0.5, "says little")
	if help {
		add(0.7, "mentions needing help")
	}
	if question {
		add(1.5, "asks a question")
	}
	if asks {
		add(1.5, "asks how, what or why, or for something")
	}
	if reports {
		add(1.5, "reports a problem")
	}
	if tech {
		add(1, "about the platform")
	}
	if nWords >= 12 || len([]rune(bare)) >= 40 {
		add(0.5, "long enough to be a question")
	}
	switch {
	case announceRE.MatchString(bare), weAnnounceRE.MatchString(bare) && !reports:
		add(-3, "an announcement or FYI")
	case closingRE.MatchString(bare):
		add(-3, "closes or thanks")
	case adviceRE.MatchString(bare) && !strings.ContainsAny(t, "?？"):
		add(-3, "answers someone else")
	case chatterRE.MatchString(bare) && !reports:
		add(-3.5, "chatter")
	case praiseRE.MatchString(bare) && !question && !reports:
		add(-3, "praise or congratulations")
	case greetingRE.MatchString(bare) && nWords <= 12 && !question && !asks && !reports:
		add(-2, "a greeting")
	case urlOnlyShare(t, bare) && !question && !reports:
		add(-2.5, "shares a link")
	case statusRE.MatchString(bare) && !question && !reports && !help:
		add(-2.5, "tells how something went")
	}
	if !question && !asks && !reports && !tech {
		add(-1, "asks nothing")
	}
	conf := 1 / (1 + math.Exp(-score))
	reason := conWhy
	if conf >= DetectInquiry {
		reason = proWhy
	}
	return koban.Detection{Inquiry: conf >= DetectInquiry, Confidence: conf, Reason: reason}
}

// urlRE finds a web link.
var urlRE = regexp.MustCompile(`https?://`)

// mentionRE finds Slack mentions of users, channels and groups.
var mentionRE = regexp.MustCompile(`<[@#!][^>]*>`)

// urlOnlyShare reports whether a message is mostly a shared link: a link
// with a few words around it.
func urlOnlyShare(t, bare string) bool {
	return urlRE.MatchString(t) && len(words(strings.ToLower(bare))) <= 8
}
