package bot

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/desk"
	"github.com/kobanhq/koban/internal/i18n"
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

// say returns message id of the catalogue in lang, its placeholders
// filled from key/value pairs: say(lang, "resolved.by", "Who", "<@U1>").
func say(lang, id string, kv ...any) string { return i18n.Say(lang, id, kv...) }

// sayN is say for a message with plural forms, counted by n.
func sayN(lang, id string, n int, kv ...any) string { return i18n.SayN(lang, id, n, kv...) }

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
	var blocks []slack.Block
	blocks = append(blocks, answerBlocks(a.Text, cutNote(lang))...)
	if cites := renderCitations(a.Citations); cites != "" {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn("*"+say(lang, "answer.sources")+"*\n"+truncate(cites, 2900))))
	}
	blocks = append(blocks,
		slack.NewActionBlock("feedback:"+strconv.FormatInt(inq.ID, 10),
			button(say(lang, "answer.solved"), actSolved, inq.ID, slack.StylePrimary),
			button(say(lang, "answer.need_human"), actNeedHuman, inq.ID, ""),
			button(say(lang, "answer.docs_wrong"), actDocsWrong, inq.ID, ""),
		),
		slack.NewContextBlock("", mrkdwn(say(lang, "answer.footer"))),
	)
	return message{Text: truncate(plainText(a.Text), 300), Blocks: blocks}
}

// A source's label is its page title and heading path, which the docs
// can make any length; the list of sources fits one context block. A line
// that would not fit is left out whole, never cut inside its link.
const (
	maxSourceLabel = 200
	maxSources     = 2900
)

// renderCitations lists the cited sections, one line each, without repeats.
func renderCitations(cs []koban.Citation) string {
	var lines []string
	used := 0
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
		label = truncate(label, maxSourceLabel)
		var line string
		if u := safeURL(c.URL); u != "" {
			line = "• <" + u + "|" + escapeLinkText(label) + ">"
		} else {
			line = "• *" + escape(label) + "* (`" + escape(c.Path) + "`)"
		}
		if c.Quadrant != "" && c.Quadrant != koban.Unknown {
			line += " · _" + escape(string(c.Quadrant)) + "_"
		}
		n := utf8.RuneCountInString(line)
		if used+n > maxSources {
			break
		}
		used += n + 1
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// renderEscalation renders, in lang, the notice that brings the on-call
// in, with the triage summary they need to pick the inquiry up.
func renderEscalation(lang string, inq *koban.Inquiry, r desk.Reply, now time.Time) message {
	reason := say(lang, "reason.default")
	if r.Escalation.Reason != "" {
		reason = i18n.Reword(lang, "reason.", r.Escalation.Reason)
	}
	who := escalationMention(r.Escalation)
	var head string
	if who == "" {
		head = say(lang, "escalation.head_no_one", "Reason", escape(reason))
	} else {
		head = say(lang, "escalation.head", "Who", who, "Reason", escape(reason))
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
		mrkdwn("*" + say(lang, "escalation.category") + "*\n" + escape(orDash(label.String()))),
		mrkdwn("*" + say(lang, "escalation.domain") + "*\n" + escape(orDash(string(dom)))),
		mrkdwn("*" + say(lang, "escalation.confidence") + "*\n" + fmt.Sprintf("%.0f%%", conf*100)),
		mrkdwn("*" + say(lang, "escalation.from") + "*\n" + userRef(inq.AskedBy) + " · " + say(lang, "escalation.asked", "Ago", ago(lang, now.Sub(inq.CreatedAt)))),
	}
	blocks := []slack.Block{
		slack.NewSectionBlock(mrkdwn(head), nil, nil),
		slack.NewSectionBlock(nil, fields, nil),
	}
	if len(r.Triage.Reasons) > 0 {
		var rs []string
		for _, s := range r.Triage.Reasons {
			rs = append(rs, "• "+escape(s.In(lang)))
		}
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn("*"+say(lang, "escalation.reasons")+"*\n"+truncate(strings.Join(rs, "\n"), 2900))))
	}
	cites := r.Answer.Citations
	if len(cites) == 0 {
		cites = r.Answer.Pages
	}
	if s := renderCitations(cites); s != "" {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn("*"+say(lang, "escalation.docs")+"*\n"+truncate(s, 2900))))
	}
	blocks = append(blocks, slack.NewActionBlock("oncall:"+strconv.FormatInt(inq.ID, 10),
		button(say(lang, "escalation.ack"), actAck, inq.ID, slack.StylePrimary),
		button(say(lang, "escalation.resolve"), actResolve, inq.ID, ""),
	))
	return withExpect(message{Text: stripMarkup(head), Blocks: blocks}, lang, r.Escalation)
}

// renderResolved renders the notice posted in the thread when an inquiry is resolved.
func renderResolved(inq *koban.Inquiry) message {
	lang := inq.Lang
	var s string
	if l := inq.Label(); !l.IsZero() {
		dom := string(inq.Domain)
		if dom == "" {
			dom = string(koban.DomainOther)
		}
		s = ":white_check_mark: " + say(lang, "resolved.as", "Label", escape(l.String()), "Domain", escape(dom))
	} else {
		s = ":white_check_mark: " + say(lang, "resolved.plain")
	}
	return message{Text: stripMarkup(s), Blocks: []slack.Block{slack.NewContextBlock("", mrkdwn(s))}}
}

// renderRetired renders one of koban's replies after the inquiry is
// resolved: blocks, as Slack has them, without the buttons and with a line
// saying who resolved it (a user ID; "" when unknown) and as what.
func renderRetired(blocks []slack.Block, inq *koban.Inquiry, by string) message {
	lang := inq.Lang
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
		s = say(lang, "resolved.by_as", "Who", userRef(by), "Label", escape(label.String()))
	case validID(by):
		s = say(lang, "resolved.by", "Who", userRef(by))
	case !label.IsZero():
		s = say(lang, "resolved.label_only", "Label", escape(label.String()))
	default:
		s = say(lang, "resolved.plain")
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

// labelText names a label for people, in lang.
func labelText(lang string, l koban.Label) string { return say(lang, "label."+l.String()) }

// Block and action ids of the Resolve… modal.
const (
	blockCategory = "category"
	blockDomain   = "domain"
	blockPage     = "page"
	blockNote     = "note"
	inputAction   = "value"
)

// renderResolveModal renders the on-call's Resolve… modal in lang. The
// inquiry id travels in private_metadata.
func renderResolveModal(lang string, inq *koban.Inquiry, domains []koban.Domain) slack.ModalViewRequest {
	var labels []*slack.OptionBlockObject
	var initial *slack.OptionBlockObject
	pred := inq.Label()
	for _, l := range koban.Labels {
		o := slack.NewOptionBlockObject(l.String(), plain(labelText(lang, l)), nil)
		labels = append(labels, o)
		if l == pred {
			initial = o
		}
	}
	cat := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain(say(lang, "modal.category_hint")), inputAction, labels...)
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
	dom := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain(say(lang, "modal.domain_hint")), inputAction, doms...)
	dom.InitialOption = initialDom

	page := slack.NewPlainTextInputBlockElement(plain(say(lang, "modal.page_hint")), inputAction)
	note := slack.NewPlainTextInputBlockElement(plain(say(lang, "modal.note_hint")), inputAction)
	note.Multiline = true

	pageBlock := slack.NewInputBlock(blockPage, plain(say(lang, "modal.page")), nil, page)
	pageBlock.Optional = true
	noteBlock := slack.NewInputBlock(blockNote, plain(say(lang, "modal.note")), nil, note)
	noteBlock.Optional = true

	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      resolveCallback,
		PrivateMetadata: strconv.FormatInt(inq.ID, 10),
		Title:           plain(say(lang, "modal.title")),
		Submit:          plain(say(lang, "modal.submit")),
		Close:           plain(say(lang, "modal.cancel")),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewContextBlock("", mrkdwn("> "+truncate(escape(inq.Text), 500))),
			slack.NewInputBlock(blockCategory, plain(say(lang, "modal.category")), nil, cat),
			slack.NewInputBlock(blockDomain, plain(say(lang, "modal.domain")), nil, dom),
			pageBlock,
			noteBlock,
		}},
	}
}

// homeData is what the App Home tab shows, in Lang.
type homeData struct {
	Lang   string
	Viewer string
	Mine   []koban.Inquiry
	Team   []koban.Inquiry
	Now    []koban.Shift
	Next   []koban.Shift
	At     time.Time
}

// renderHome renders the App Home tab.
func renderHome(h homeData) slack.HomeTabViewRequest {
	lang := h.Lang
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain("koban")),
		slack.NewSectionBlock(mrkdwn(say(lang, "home.intro")), nil, nil),
		slack.NewDividerBlock(),
		slack.NewSectionBlock(mrkdwn(say(lang, "home.on_call_now")+"\n"+shiftLines(lang, h.Now, h.At)), nil, nil),
	}
	if len(h.Next) > 0 {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(say(lang, "home.next")+"\n"+shiftLines(lang, h.Next, h.At)), nil, nil))
	}
	blocks = append(blocks,
		slack.NewDividerBlock(),
		slack.NewSectionBlock(mrkdwn(say(lang, "home.mine", "Count", len(h.Mine))+"\n"+inquiryLines(lang, h.Mine, h.At, 10)), nil, nil),
		slack.NewSectionBlock(mrkdwn(say(lang, "home.team", "Count", len(h.Team))+"\n"+inquiryLines(lang, h.Team, h.At, 20)), nil, nil),
	)
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
}

func shiftLines(lang string, shifts []koban.Shift, now time.Time) string {
	if len(shifts) == 0 {
		return say(lang, "home.nobody")
	}
	var lines []string
	for _, s := range shifts {
		line := "• " + userRef(s.Person)
		if s.Rotation != "" {
			line += " (" + escape(s.Rotation) + ")"
		}
		switch {
		case !s.End.IsZero() && s.Start.Before(now):
			line += say(lang, "shift.until", "When", slackDate(s.End))
		case !s.Start.IsZero():
			line += say(lang, "shift.from", "When", slackDate(s.Start))
		}
		if s.Override {
			line += say(lang, "shift.override")
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

func inquiryLines(lang string, inqs []koban.Inquiry, now time.Time, max int) string {
	if len(inqs) == 0 {
		return say(lang, "home.none")
	}
	var lines []string
	for i, inq := range inqs {
		if i == max {
			lines = append(lines, say(lang, "home.more", "Count", len(inqs)-max))
			break
		}
		line := say(lang, "inquiry.line", "Ref", inquiryRef(lang, inq), "State", stateText(lang, inq.State), "Ago", ago(lang, now.Sub(inq.CreatedAt)))
		if inq.Assignee != "" {
			line += " · " + userRef(inq.Assignee)
		}
		line += "\n   " + truncate(escape(oneLine(inq.Text)), 120)
		lines = append(lines, line)
	}
	return truncate(strings.Join(lines, "\n"), 2900)
}

// stateText names an inquiry state in lang.
func stateText(lang string, s koban.State) string { return say(lang, "state."+string(s)) }

func permalinkish(inq koban.Inquiry) string {
	if validID(inq.Channel) {
		return "<#" + inq.Channel + ">"
	}
	return escape(inq.Channel)
}

// renderStatus renders the answer to /koban status.
func renderStatus(lang string, open []koban.Inquiry, now time.Time) message {
	counts := map[koban.State]int{}
	for _, i := range open {
		counts[i.State]++
	}
	var parts []string
	for _, s := range koban.States {
		if counts[s] > 0 {
			parts = append(parts, say(lang, "status.part", "Count", counts[s], "State", stateText(lang, s)))
		}
	}
	head := say(lang, "status.head", "Count", len(open))
	if len(parts) > 0 {
		head += ": " + strings.Join(parts, say(lang, "list.sep"))
	}
	return message{
		Text: stripMarkup(head),
		Blocks: []slack.Block{
			slack.NewSectionBlock(mrkdwn(head), nil, nil),
			slack.NewSectionBlock(mrkdwn(inquiryLines(lang, open, now, 15)), nil, nil),
		},
	}
}

// renderOnCall renders the answer to /koban oncall.
func renderOnCall(lang string, now, next []koban.Shift, at time.Time) message {
	s := say(lang, "home.on_call_now") + "\n" + shiftLines(lang, now, at)
	if len(next) > 0 {
		s += "\n" + say(lang, "home.next") + "\n" + shiftLines(lang, next, at)
	}
	return message{Text: stripMarkup(s), Blocks: []slack.Block{slack.NewSectionBlock(mrkdwn(s), nil, nil)}}
}

// renderError renders an error, in lang, for the user who caused it.
func renderError(lang string, err error) message {
	s := ":warning: " + keepMentions(escape(koban.ErrorText(lang, err)))
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

// ago renders a duration the way people say it: "3m", "2h", "5d" (in
// Japanese "3分", "2時間", "5日").
func ago(lang string, d time.Duration) string {
	switch {
	case d < time.Minute:
		return say(lang, "duration.minutes", "N", 0)
	case d < time.Hour:
		return say(lang, "duration.minutes", "N", int(d.Minutes()))
	case d < 48*time.Hour:
		return say(lang, "duration.hours", "N", int(d.Hours()))
	}
	return say(lang, "duration.days", "N", int(d.Hours()/24))
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
