package bot

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/desk"
	"github.com/kobanhq/koban/internal/textproc"
)

// message is one rendered Slack message: the notification text and the blocks.
type message struct {
	Text   string        `json:"text"`
	Blocks []slack.Block `json:"blocks"`
}

// Action ids. Each button's action id carries the inquiry id after a colon
// ("solved:42"), so that one message's buttons are unique and a click
// names its inquiry without a lookup.
const (
	actSolved    = "solved"
	actNeedHuman = "need_human"
	actDocsWrong = "docs_wrong"
	actAck       = "ack"
	actResolve   = "resolve"

	resolveCallback = "koban_resolve"
)

func actionID(kind string, id int64) string { return kind + ":" + strconv.FormatInt(id, 10) }

// parseActionID splits "solved:42" into its kind and inquiry id.
func parseActionID(s string) (kind string, id int64, ok bool) {
	kind, n, found := strings.Cut(s, ":")
	if !found {
		return "", 0, false
	}
	id, err := strconv.ParseInt(n, 10, 64)
	if err != nil || id <= 0 {
		return "", 0, false
	}
	return kind, id, true
}

// text holds koban's fixed strings in one language.
type text struct {
	sources                                           string
	solved, needHuman, docsWrong                      string
	footer                                            string
	escalated, escalatedNoOne                         string
	category, domain, confidence, reasons, docs, from string
	asked                                             string
	ack, resolve                                      string
	resolvedAs                                        string
	resolvedBy                                        string
	// On a reply whose buttons are gone: who resolved it and as what.
	retiredByAs, retiredBy, retiredAs string
}

var texts = map[string]text{
	"en": {
		sources:   "Sources",
		solved:    "Solved",
		needHuman: "I need a human",
		docsWrong: "Docs are wrong or missing",
		footer:    "koban answered from the docs. If this does not solve it, ask for a human.",
		escalated: "%s, koban needs a human for this inquiry: %s.",
		escalatedNoOne: "koban needs a human for this inquiry (%s), but no on-call is configured. " +
			"The platform team will see it in the open inquiries.",
		category:   "Category",
		domain:     "Domain",
		confidence: "Confidence",
		reasons:    "Why",
		docs:       "Related docs",
		from:       "Asked by",
		asked:      "%s ago",
		ack:        "Acknowledge",
		resolve:    "Resolve…",
		resolvedAs: "Resolved as *%s* (%s).",
		resolvedBy: "Resolved.",

		retiredByAs: "Resolved by %s as *%s*.",
		retiredBy:   "Resolved by %s.",
		retiredAs:   "Resolved as *%s*.",
	},
	"ja": {
		sources:   "出典",
		solved:    "解決しました",
		needHuman: "人に相談したい",
		docsWrong: "ドキュメントが誤り・不足",
		footer:    "koban がドキュメントから回答しました。解決しない場合は担当者を呼んでください。",
		escalated: "%s さん、この問い合わせには担当者の対応が必要です: %s。",
		escalatedNoOne: "この問い合わせには担当者の対応が必要です(%s)が、オンコールが設定されていません。" +
			"プラットフォームチームが未解決の問い合わせ一覧で確認します。",
		category:   "分類",
		domain:     "領域",
		confidence: "確信度",
		reasons:    "理由",
		docs:       "関連ドキュメント",
		from:       "質問者",
		asked:      "%s前",
		ack:        "対応します",
		resolve:    "解決にする…",
		resolvedAs: "*%s* として解決しました(%s)。",
		resolvedBy: "解決しました。",

		retiredByAs: "%s さんが *%s* として解決しました。",
		retiredBy:   "%s さんが解決しました。",
		retiredAs:   "*%s* として解決しました。",
	},
}

func textFor(lang string) text { return inLang(texts, lang) }

// inLang returns the texts of a language, English when there are none.
func inLang[T any](texts map[string]T, lang string) T {
	if t, ok := texts[lang]; ok {
		return t
	}
	return texts["en"]
}

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, true, false)
}

func button(label, action string, id int64, style slack.Style) *slack.ButtonBlockElement {
	b := slack.NewButtonBlockElement(actionID(action, id), strconv.FormatInt(id, 10), plain(label))
	if style != "" {
		b.Style = style
	}
	return b
}

// renderAnswer renders koban's answer to inquiry inq.
func renderAnswer(inq *koban.Inquiry, a koban.Answer) message {
	lang := a.Lang
	if lang == "" {
		lang = inq.Lang
	}
	t := textFor(lang)
	var blocks []slack.Block
	blocks = append(blocks, answerBlocks(a.Text, cutNote(lang))...)
	if cites := renderCitations(a.Citations); cites != "" {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn("*"+t.sources+"*\n"+truncate(cites, 2900))))
	}
	blocks = append(blocks,
		slack.NewActionBlock("feedback:"+strconv.FormatInt(inq.ID, 10),
			button(t.solved, actSolved, inq.ID, slack.StylePrimary),
			button(t.needHuman, actNeedHuman, inq.ID, ""),
			button(t.docsWrong, actDocsWrong, inq.ID, ""),
		),
		slack.NewContextBlock("", mrkdwn(t.footer)),
	)
	return message{Text: truncate(plainText(a.Text), 300), Blocks: blocks}
}

// renderCitations lists the cited sections, one line each, without repeats.
func renderCitations(cs []koban.Citation) string {
	var lines []string
	seen := map[string]bool{}
	for _, c := range cs {
		key := c.Path + "#" + c.Anchor
		if seen[key] {
			continue
		}
		seen[key] = true
		title := c.Title
		if title == "" {
			title = c.Path
		}
		label := title
		if c.Section != "" && c.Section != title {
			label = c.Section
			if !strings.HasPrefix(c.Section, title) {
				label = title + " > " + c.Section
			}
			label = strings.ReplaceAll(label, " > ", " › ")
		}
		var line string
		if u := safeURL(c.URL); u != "" {
			line = "• <" + u + "|" + escapeLinkText(label) + ">"
		} else {
			line = "• *" + escape(label) + "* (`" + escape(c.Path) + "`)"
		}
		if c.Quadrant != "" && c.Quadrant != koban.Unknown {
			line += " · _" + escape(string(c.Quadrant)) + "_"
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// renderEscalation renders the notice that brings the on-call in, with the
// triage summary they need to pick the inquiry up.
func renderEscalation(inq *koban.Inquiry, r desk.Reply, now time.Time) message {
	t := textFor(inq.Lang)
	reason := r.Escalation.Reason
	if reason == "" {
		reason = "koban was not confident enough to answer"
	}
	who := escalationMention(r.Escalation)
	var head string
	if who == "" {
		head = fmt.Sprintf(t.escalatedNoOne, escape(reason))
	} else {
		head = fmt.Sprintf(t.escalated, who, escape(reason))
	}
	label := r.Triage.Label
	if label.IsZero() {
		label = inq.Predicted
	}
	dom := r.Triage.Domain
	if dom == "" {
		dom = inq.Domain
	}
	conf := r.Triage.Confidence
	if conf == 0 {
		conf = inq.Confidence
	}
	fields := []*slack.TextBlockObject{
		mrkdwn("*" + t.category + "*\n" + escape(orDash(label.String()))),
		mrkdwn("*" + t.domain + "*\n" + escape(orDash(string(dom)))),
		mrkdwn("*" + t.confidence + "*\n" + fmt.Sprintf("%.0f%%", conf*100)),
		mrkdwn("*" + t.from + "*\n" + userRef(inq.AskedBy) + " · " + fmt.Sprintf(t.asked, ago(now.Sub(inq.CreatedAt)))),
	}
	blocks := []slack.Block{
		slack.NewSectionBlock(mrkdwn(head), nil, nil),
		slack.NewSectionBlock(nil, fields, nil),
	}
	if len(r.Triage.Reasons) > 0 {
		var rs []string
		for _, s := range r.Triage.Reasons {
			rs = append(rs, "• "+escape(s))
		}
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn("*"+t.reasons+"*\n"+truncate(strings.Join(rs, "\n"), 2900))))
	}
	cites := r.Answer.Citations
	if len(cites) == 0 {
		cites = r.Answer.Pages
	}
	if s := renderCitations(cites); s != "" {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn("*"+t.docs+"*\n"+truncate(s, 2900))))
	}
	blocks = append(blocks, slack.NewActionBlock("oncall:"+strconv.FormatInt(inq.ID, 10),
		button(t.ack, actAck, inq.ID, slack.StylePrimary),
		button(t.resolve, actResolve, inq.ID, ""),
	))
	return withExpect(message{Text: stripMarkup(head), Blocks: blocks}, inq.Lang, r.Escalation)
}

// renderResolved renders the notice posted in the thread when an inquiry is resolved.
func renderResolved(inq *koban.Inquiry) message {
	t := textFor(inq.Lang)
	var s string
	if l := inq.Label(); !l.IsZero() {
		dom := string(inq.Domain)
		if dom == "" {
			dom = string(koban.DomainOther)
		}
		s = ":white_check_mark: " + fmt.Sprintf(t.resolvedAs, escape(l.String()), escape(dom))
	} else {
		s = ":white_check_mark: " + t.resolvedBy
	}
	return message{Text: stripMarkup(s), Blocks: []slack.Block{slack.NewContextBlock("", mrkdwn(s))}}
}

// renderRetired renders one of koban's replies after the inquiry is
// resolved: blocks, as Slack has them, without the buttons and with a line
// saying who resolved it (a user ID; "" when unknown) and as what.
func renderRetired(blocks []slack.Block, inq *koban.Inquiry, by string) message {
	t := textFor(inq.Lang)
	var out []slack.Block
	for _, bl := range blocks {
		if bl.BlockType() != slack.MBTAction {
			out = append(out, bl)
		}
	}
	label := inq.Label()
	var s string
	switch {
	case validID(by) && !label.IsZero():
		s = fmt.Sprintf(t.retiredByAs, userRef(by), escape(label.String()))
	case validID(by):
		s = fmt.Sprintf(t.retiredBy, userRef(by))
	case !label.IsZero():
		s = fmt.Sprintf(t.retiredAs, escape(label.String()))
	default:
		s = t.resolvedBy
	}
	s = ":white_check_mark: " + s
	out = append(out, slack.NewContextBlock("resolved:"+strconv.FormatInt(inq.ID, 10), mrkdwn(s)))
	return message{Text: stripMarkup(s), Blocks: out}
}

// hasActions reports whether blocks hold buttons.
func hasActions(blocks []slack.Block) bool {
	for _, bl := range blocks {
		if bl.BlockType() == slack.MBTAction {
			return true
		}
	}
	return false
}

// labelText names the five labels for people.
var labelText = map[koban.Label]string{
	{Category: koban.SelfSolvable, Detail: koban.DetailAnswered}:            "Self-solvable: answered by the docs",
	{Category: koban.SelfSolvable, Detail: koban.DetailDocsUnfindable}:      "Self-solvable: docs exist but were not found",
	{Category: koban.DocsMissing}:                                           "Docs missing or wrong",
	{Category: koban.PlatformOnly, Detail: koban.DetailRequired}:            "Platform-only: needs the platform team",
	{Category: koban.PlatformOnly, Detail: koban.DetailAutomationCandidate}: "Platform-only: could be self-service",
}

// Block and action ids of the Resolve… modal.
const (
	blockCategory = "category"
	blockDomain   = "domain"
	blockPage     = "page"
	blockNote     = "note"
	inputAction   = "value"
)

// renderResolveModal renders the on-call's Resolve… modal. The inquiry id
// travels in private_metadata.
func renderResolveModal(inq *koban.Inquiry, domains []koban.Domain) slack.ModalViewRequest {
	var labels []*slack.OptionBlockObject
	var initial *slack.OptionBlockObject
	pred := inq.Label()
	for _, l := range koban.Labels {
		o := slack.NewOptionBlockObject(l.String(), plain(labelText[l]), nil)
		labels = append(labels, o)
		if l == pred {
			initial = o
		}
	}
	cat := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Choose a category"), inputAction, labels...)
	cat.InitialOption = initial

	var doms []*slack.OptionBlockObject
	var initialDom *slack.OptionBlockObject
	for _, d := range domains {
		o := slack.NewOptionBlockObject(string(d), plain(string(d)), nil)
		doms = append(doms, o)
		if d == inq.Domain {
			initialDom = o
		}
	}
	dom := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Choose a domain"), inputAction, doms...)
	dom.InitialOption = initialDom

	page := slack.NewPlainTextInputBlockElement(plain("how-to/request-a-database.md"), inputAction)
	note := slack.NewPlainTextInputBlockElement(plain("What solved it, for the next person"), inputAction)
	note.Multiline = true

	pageBlock := slack.NewInputBlock(blockPage, plain("Doc page that answers it"), nil, page)
	pageBlock.Optional = true
	noteBlock := slack.NewInputBlock(blockNote, plain("Note"), nil, note)
	noteBlock.Optional = true

	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      resolveCallback,
		PrivateMetadata: strconv.FormatInt(inq.ID, 10),
		Title:           plain("Resolve inquiry"),
		Submit:          plain("Resolve"),
		Close:           plain("Cancel"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewContextBlock("", mrkdwn("> "+truncate(escape(inq.Text), 500))),
			slack.NewInputBlock(blockCategory, plain("Final category"), nil, cat),
			slack.NewInputBlock(blockDomain, plain("Problem domain"), nil, dom),
			pageBlock,
			noteBlock,
		}},
	}
}

// homeData is what the App Home tab shows.
type homeData struct {
	Viewer string
	Mine   []koban.Inquiry
	Team   []koban.Inquiry
	Now    []koban.Shift
	Next   []koban.Shift
	At     time.Time
}

// renderHome renders the App Home tab.
func renderHome(h homeData) slack.HomeTabViewRequest {
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain("koban")),
		slack.NewSectionBlock(mrkdwn("Ask platform questions in the help channel, mention me, DM me or use `/koban ask …`. Type `/koban help` for everything else."), nil, nil),
		slack.NewDividerBlock(),
		slack.NewSectionBlock(mrkdwn("*On call now*\n"+shiftLines(h.Now, h.At)), nil, nil),
	}
	if len(h.Next) > 0 {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn("*Next*\n"+shiftLines(h.Next, h.At)), nil, nil))
	}
	blocks = append(blocks,
		slack.NewDividerBlock(),
		slack.NewSectionBlock(mrkdwn(fmt.Sprintf("*Your open inquiries* (%d)\n", len(h.Mine))+inquiryLines(h.Mine, h.At, 10)), nil, nil),
		slack.NewSectionBlock(mrkdwn(fmt.Sprintf("*All open inquiries* (%d)\n", len(h.Team))+inquiryLines(h.Team, h.At, 20)), nil, nil),
	)
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
}

func shiftLines(shifts []koban.Shift, now time.Time) string {
	if len(shifts) == 0 {
		return "_nobody: no rotation is configured_"
	}
	var lines []string
	for _, s := range shifts {
		line := "• " + userRef(s.Person)
		if s.Rotation != "" {
			line += " (" + escape(s.Rotation) + ")"
		}
		switch {
		case !s.End.IsZero() && s.Start.Before(now):
			line += " until " + slackDate(s.End)
		case !s.Start.IsZero():
			line += " from " + slackDate(s.Start)
		}
		if s.Override {
			line += " · override"
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

func inquiryLines(inqs []koban.Inquiry, now time.Time, max int) string {
	if len(inqs) == 0 {
		return "_none_"
	}
	var lines []string
	for i, inq := range inqs {
		if i == max {
			lines = append(lines, fmt.Sprintf("_…and %d more_", len(inqs)-max))
			break
		}
		line := fmt.Sprintf("• %s · %s · %s ago", inquiryRef(inq), inq.State, ago(now.Sub(inq.CreatedAt)))
		if inq.Assignee != "" {
			line += " · " + userRef(inq.Assignee)
		}
		line += "\n   " + truncate(escape(oneLine(inq.Text)), 120)
		lines = append(lines, line)
	}
	return truncate(strings.Join(lines, "\n"), 2900)
}

func permalinkish(inq koban.Inquiry) string {
	if validID(inq.Channel) {
		return "<#" + inq.Channel + ">"
	}
	return escape(inq.Channel)
}

// renderStatus renders the answer to /koban status.
func renderStatus(open []koban.Inquiry, now time.Time) message {
	counts := map[koban.State]int{}
	for _, i := range open {
		counts[i.State]++
	}
	var parts []string
	for _, s := range koban.States {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	head := fmt.Sprintf("*%d open inquiries*", len(open))
	if len(parts) > 0 {
		head += ": " + strings.Join(parts, ", ")
	}
	return message{
		Text: stripMarkup(head),
		Blocks: []slack.Block{
			slack.NewSectionBlock(mrkdwn(head), nil, nil),
			slack.NewSectionBlock(mrkdwn(inquiryLines(open, now, 15)), nil, nil),
		},
	}
}

// renderOnCall renders the answer to /koban oncall.
func renderOnCall(now, next []koban.Shift, at time.Time) message {
	s := "*On call now*\n" + shiftLines(now, at)
	if len(next) > 0 {
		s += "\n*Next*\n" + shiftLines(next, at)
	}
	return message{Text: stripMarkup(s), Blocks: []slack.Block{slack.NewSectionBlock(mrkdwn(s), nil, nil)}}
}

// renderError renders an error for the user who caused it.
func renderError(err error) message {
	s := ":warning: " + keepMentions(escape(koban.ErrorMessage(err)))
	return message{Text: stripMarkup(s), Blocks: []slack.Block{slack.NewSectionBlock(mrkdwn(s), nil, nil)}}
}

// ephemeral is the JSON body of a slash command's immediate reply.
type ephemeral struct {
	ResponseType string        `json:"response_type"`
	Text         string        `json:"text"`
	Blocks       []slack.Block `json:"blocks,omitempty"`
}

func (m message) ephemeral() ephemeral {
	return ephemeral{ResponseType: slack.ResponseTypeEphemeral, Text: m.Text, Blocks: m.Blocks}
}

// escape makes doc-derived or user text inert in mrkdwn: no links, no
// <!channel>, <!here> or <!everyone> broadcasts, no user mentions.
// https://docs.slack.dev/messaging/formatting-message-text#escaping
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func escapeLinkText(s string) string { return strings.ReplaceAll(escape(s), "|", "¦") }

// safeURL returns u escaped for a mrkdwn link when it is an http(s) or
// mailto URL, and "" otherwise.
func safeURL(u string) string {
	u = strings.TrimSpace(u)
	l := strings.ToLower(u)
	if !strings.HasPrefix(l, "https://") && !strings.HasPrefix(l, "http://") && !strings.HasPrefix(l, "mailto:") {
		return ""
	}
	if strings.ContainsAny(u, " \n|") {
		return ""
	}
	return escape(u)
}

var (
	mdLink    = regexp.MustCompile(`\[([^\]\n]+)\]\(([^)\s]+)\)`)
	mdBold    = regexp.MustCompile(`\*\*([^*\n]+)\*\*|__([^_\n]+)__`)
	mdHeading = regexp.MustCompile(`(?m)^#{1,6}[ \t]+(.+?)[ \t#]*$`)
	mdCode    = regexp.MustCompile("```[a-zA-Z0-9_-]*\n")
)

// toMrkdwn converts the Markdown koban's answers are written in to Slack
// mrkdwn: links, bold and headings; everything else is escaped, so that text
// from the docs can never mention or broadcast.
func toMrkdwn(md string) string {
	md = mdCode.ReplaceAllString(md, "```\n") // mrkdwn has no language tags
	var b strings.Builder
	last := 0
	for _, m := range mdLink.FindAllStringSubmatchIndex(md, -1) {
		b.WriteString(inline(md[last:m[0]]))
		label, u := md[m[2]:m[3]], md[m[4]:m[5]]
		if su := safeURL(u); su != "" {
			b.WriteString("<" + su + "|" + escapeLinkText(label) + ">")
		} else {
			b.WriteString(inline(label))
		}
		last = m[1]
	}
	b.WriteString(inline(md[last:]))
	return strings.TrimSpace(b.String())
}

func inline(s string) string {
	s = escape(s)
	s = mdHeading.ReplaceAllString(s, "*$1*")
	return mdBold.ReplaceAllStringFunc(s, func(m string) string {
		return "*" + m[2:len(m)-2] + "*"
	})
}

// plainText is the notification text of a Markdown answer: no markup, escaped.
func plainText(md string) string {
	s := mdLink.ReplaceAllString(md, "$1")
	s = strings.NewReplacer("**", "", "__", "", "```", "", "`", "").Replace(s)
	s = mdHeading.ReplaceAllString(s, "$1")
	return escape(oneLine(s))
}

// emojiCode matches an emoji shortcode such as :white_check_mark: or a
// Slack date token (<!date^…^{date_short_pretty}|…>), whose underscores are
// not emphasis.
var emojiCode = regexp.MustCompile(`:[a-z0-9_+'-]+:|<!date\^[^>]*>`)

// stripMarkup removes mrkdwn emphasis for the notification text; mentions,
// emoji and escapes stay.
func stripMarkup(s string) string {
	return oneLine(textproc.ReplaceOutside(emojiCode, s, strings.NewReplacer("*", "", "_", "", "`", "").Replace))
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// truncate cuts s to at most n runes, marking the cut; Slack rejects
// section text over 3000 characters.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func userRef(id string) string {
	if validID(id) {
		return "<@" + id + ">"
	}
	return escape(orDash(id))
}

// validID reports whether s looks like a Slack ID (U…, W…, S…, C…), so that
// nothing else is ever wrapped in mention syntax.
func validID(s string) bool {
	if len(s) < 2 || len(s) > 24 {
		return false
	}
	for _, r := range s {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// ago renders a duration the way people say it: "3m", "2h", "5d".
func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "0m"
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

// escalationMention mentions who an escalation brings in: the on-call, else
// the user group; "" for nobody.
func escalationMention(e koban.Escalation) string {
	switch {
	case validID(e.OnCall):
		return "<@" + e.OnCall + ">"
	case validID(e.Group):
		return "<!subteam^" + e.Group + ">"
	}
	return ""
}
