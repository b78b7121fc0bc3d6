package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/desk"
)

// Action ids of the suggestions shown while escalating and of past answers.
// "past_remove:7" names a past answer, not an inquiry.
const (
	actSuggestionSolved = "suggestion_solved"
	actPastRemove       = "past_remove"
	actRelabel          = "relabel"

	relabelCallback = "koban_relabel"
)

// renderSuggestions renders, for the asker, what koban found while it
// brings in the on-call (who: their mention, or "" for nobody), with the
// "This solved it" button: the passage koban would have answered with (its
// steps and code, within maxSuggestionBlocks) when retrieval knew one,
// then the pages.
func renderSuggestions(inq *koban.Inquiry, a koban.Answer, pages []koban.Citation, who string) []slack.Block {
	list := renderSuggested(pages)
	if list == "" {
		return nil
	}
	head := say(inq.Lang, "flow.suggest_no_one")
	if who != "" {
		head = say(inq.Lang, "flow.suggest", "Who", who)
	}
	var blocks []slack.Block
	if a.Known && strings.TrimSpace(a.Text) != "" {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(userRef(inq.AskedBy)+" "+head), nil, nil))
		// The pages the answer lists at its end are listed below, with the
		// button.
		body := answerBlocks(a.Passage(), cutNote(inq.Lang))
		if len(body) > maxSuggestionBlocks {
			body = append(body[:maxSuggestionBlocks-1], slack.NewContextBlock("", mrkdwn(cutNote(inq.Lang))))
		}
		blocks = append(blocks, body...)
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(truncate(list, 2900))))
	} else {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(userRef(inq.AskedBy)+" "+head+"\n"+truncate(list, 2800)), nil, nil))
	}
	return append(blocks, slack.NewActionBlock("suggest:"+strconv.FormatInt(inq.ID, 10),
		button(say(inq.Lang, "flow.solved_it"), actSuggestionSolved, inq.ID, slack.StylePrimary)))
}

// renderSuggested lists the suggested pages, one line each, with the
// glimpse of the section that answers best quoted under it.
func renderSuggested(pages []koban.Citation) string {
	var lines []string
	for _, c := range pages {
		l := renderCitations([]koban.Citation{c})
		if l == "" {
			continue
		}
		if g := c.Glimpse(); g != "" {
			l += "\n> " + escape(strings.ReplaceAll(g, "```", ""))
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}

// maxSuggestionBlocks bounds the passage shown with suggestions, which
// shares its message with the escalation card and past answers (Slack
// takes 50 blocks a message).
const maxSuggestionBlocks = 20

// renderPast renders past answers, each in a section of its own (block id
// "past:ID") with a Remove button for responders: under a docs answer for
// the asker (card false), or as the similar past inquiries on the
// escalation card. Mentions and broadcasts in them are inert: the desk made
// Slack markup plain words, and escape makes what is left text. Who
// answered is named by names (user ID → "@name"), not mentioned: showing an
// old answer must not notify its author every time.
func renderPast(lang string, past []koban.PastAnswer, card bool, names map[string]string) []slack.Block {
	if len(past) == 0 {
		return nil
	}
	head := say(lang, "flow.past_head")
	if card {
		head = say(lang, "flow.past_card")
	}
	blocks := []slack.Block{slack.NewContextBlock("", mrkdwn(head))}
	for _, p := range past {
		who, ok := names[p.AnsweredBy]
		if !ok {
			who = say(lang, "flow.someone")
		}
		line := say(lang, "flow.past_line", "Date", p.AnsweredAt.UTC().Format(say(lang, "flow.past_date")), "Who", escape(who))
		if !p.Label.IsZero() {
			line += " · _" + escape(p.Label.String()) + "_"
		}
		if u := safeURL(p.Link); u != "" {
			line += " · <" + u + "|" + say(lang, "flow.past_link") + ">"
		}
		n := 600
		if card {
			line += "\n> " + truncate(escape(oneLine(p.Question)), 150)
			n = 300
		}
		body := line + "\n" + quote(truncate(escape(p.Answer), n))
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(truncate(body, 2900)), nil,
			slack.NewAccessory(slack.NewButtonBlockElement(actionID(actPastRemove, p.ID), strconv.FormatInt(p.ID, 10), plain(say(lang, "flow.remove")))),
			slack.SectionBlockOptionBlockID(pastBlockID(p.ID))))
	}
	return blocks
}

func pastBlockID(id int64) string { return "past:" + strconv.FormatInt(id, 10) }

// quote renders text as a mrkdwn block quote, line by line.
func quote(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = "> " + l
	}
	return strings.Join(lines, "\n")
}

// insertBefore puts extra before the first block of type typ (at the end
// when there is none).
func insertBefore(blocks []slack.Block, typ slack.MessageBlockType, extra ...slack.Block) []slack.Block {
	if len(extra) == 0 {
		return blocks
	}
	i := slices.IndexFunc(blocks, func(b slack.Block) bool { return b.BlockType() == typ })
	if i < 0 {
		return append(blocks, extra...)
	}
	return slices.Concat(blocks[:i:i], extra, blocks[i:])
}

// withFlow adds to a rendered reply what the desk's flow adds: the urgency
// mark and the pages suggested to the asker on an escalation, and past
// answers (after the docs: never before them).
func withFlow(inq *koban.Inquiry, r desk.Reply, msg message, names map[string]string) message {
	if r.Kind == koban.EventEscalated {
		if r.Urgent && len(msg.Blocks) > 0 {
			msg.Blocks = slices.Insert(msg.Blocks, 0, slack.Block(slack.NewContextBlock("urgent", mrkdwn(say(inq.Lang, "escalation.urgent")))))
			msg.Text = say(inq.Lang, "escalation.urgent_text") + msg.Text
		}
		// The asker's part and the past inquiries come before the on-call's buttons.
		who := escalationMention(r.Escalation)
		if len(r.Suggest) > 0 {
			// The suggested pages are listed once, for the asker and the on-call.
			msg.Blocks = slices.DeleteFunc(msg.Blocks, func(bl slack.Block) bool { return isRelatedDocs(bl, inq.Lang) })
		}
		extra := slices.Concat(renderSuggestions(inq, r.Answer, r.Suggest, who), renderPast(inq.Lang, r.Past, true, names))
		msg.Blocks = insertBefore(msg.Blocks, slack.MBTAction, extra...)
		return msg
	}
	msg.Blocks = insertBefore(msg.Blocks, slack.MBTAction, renderPast(inq.Lang, r.Past, false, names)...)
	return msg
}

// onFlowAction handles the buttons of suggestions, past answers and
// relabelling; false when the action is not one of them.
func (b *Bot) onFlowAction(ctx context.Context, e event, act string, id int64) bool {
	switch act {
	case actRelabel:
		// The modal opens at once: its trigger expires in 3 s.
		inq, err := b.deps.Inquiries.Inquiry(ctx, id)
		if err == nil {
			_, err = b.api.OpenViewContext(ctx, e.TriggerID, renderRelabelModal(b.langOf(ctx, e.User), inq, b.opts.Domains))
			err = classify(err)
		}
		if err != nil {
			b.replyError(e, "open relabel modal", err)
		}
	case actSuggestionSolved:
		b.later("button "+act, func(ctx context.Context) error {
			// The desk refuses anyone but the asker; they are told ephemerally.
			if _, err := b.flowDesk().SuggestionSolved(ctx, id, e.User); err != nil {
				b.replyError(e, "button "+act, err)
			}
			return nil
		})
	case actPastRemove:
		b.later("button "+act, func(ctx context.Context) error {
			// The desk takes it off the replies that showed it (RetractPast).
			if _, err := b.flowDesk().RemovePastAnswer(ctx, id, e.User); err != nil {
				b.replyError(e, "button "+act, err)
				return nil
			}
			b.tell(e, say(b.langOf(ctx, e.User), "flow.removed"))
			return nil
		})
	default:
		return false
	}
	return true
}

// FlowDesk is what the buttons of suggestions, past answers and
// relabelling call (desk.Desk).
type FlowDesk interface {
	// Relabel: EInvalid for a bad label or anyone but a responder.
	Relabel(ctx context.Context, id int64, user string, l koban.Label, dom koban.Domain) (*koban.Inquiry, error)
	// SuggestionSolved: EInvalid for anyone but the asker.
	SuggestionSolved(ctx context.Context, id int64, user string) (*koban.Inquiry, error)
	// RemovePastAnswer: EInvalid for anyone but a responder, ENotFound for
	// an unknown entry.
	RemovePastAnswer(ctx context.Context, id int64, user string) (*koban.PastAnswer, error)
}

var errNoFlow = koban.Say(koban.EUnavailable, "error.no_flow", nil)

type noFlow struct{}

func (noFlow) SuggestionSolved(context.Context, int64, string) (*koban.Inquiry, error) {
	return nil, errNoFlow
}

func (noFlow) Relabel(context.Context, int64, string, koban.Label, koban.Domain) (*koban.Inquiry, error) {
	return nil, errNoFlow
}

func (noFlow) RemovePastAnswer(context.Context, int64, string) (*koban.PastAnswer, error) {
	return nil, errNoFlow
}

func (b *Bot) flowDesk() FlowDesk {
	if f, ok := b.deps.Desk.(FlowDesk); ok {
		return f
	}
	return noFlow{}
}

// tell posts an ephemeral note to the user who clicked.
func (b *Bot) tell(e event, s string) {
	b.later("tell", func(ctx context.Context) error {
		_, err := b.api.PostEphemeralContext(ctx, e.Channel, e.User, slack.MsgOptionText(s, false))
		if err != nil {
			return fmt.Errorf("tell %s: %w", e.User, classify(err))
		}
		return nil
	})
}

// RetractPast takes a removed past answer off koban's replies in the
// inquiry's thread (the sections with block id "past:ID"), so that what was
// posted does not show it either. It implements desk.PastRetractor.
func (c *Client) RetractPast(ctx context.Context, inq *koban.Inquiry, id int64) error {
	return c.editOwnReplies(ctx, inq, func(m slack.Message) ([]slack.Block, bool) {
		keep := slices.DeleteFunc(slices.Clone(m.Blocks.BlockSet), func(bl slack.Block) bool {
			s, ok := bl.(*slack.SectionBlock)
			return ok && s.BlockID == pastBlockID(id)
		})
		return keep, len(keep) != len(m.Blocks.BlockSet)
	})
}

// resolvedNotice is the notice posted in the thread on resolution: when the
// asker said the suggested pages solved it, it tells the on-call that
// nothing is left to do.
func (c *Client) resolvedNotice(ctx context.Context, inq *koban.Inquiry) message {
	events, err := c.eventsOf(ctx, inq.ID)
	if err != nil {
		c.log.Warn("how it was resolved", "inquiry_id", inq.ID, "err", err)
		return renderResolved(inq)
	}
	for _, ev := range slices.Backward(events) {
		if ev.Kind != koban.EventResolved {
			continue
		}
		if ev.Feedback() != koban.FeedbackSuggestionSolved {
			break
		}
		who := userRef(inq.Assignee)
		if !validID(inq.Assignee) {
			who = say(inq.Lang, "resolved.platform_team")
		}
		s := say(inq.Lang, "resolved.suggestion", "Who", who, "Asker", userRef(inq.AskedBy), "Label", escape(inq.Label().String()))
		return message{Text: stripMarkup(s), Blocks: []slack.Block{slack.NewSectionBlock(mrkdwn(s), nil, nil)}}
	}
	return renderResolved(inq)
}

// LastReply returns the last message in the inquiry's thread by responder,
// else by any person but the asker (koban and other bots left out), with
// its author and Slack's escaping undone: the answer a resolution without
// a note keeps. ENotFound when nobody but the asker wrote. It implements
// desk.Threads.
func (c *Client) LastReply(ctx context.Context, inq *koban.Inquiry, responder string) (string, string, error) {
	if inq.Channel == "" || inq.ThreadTS == "" {
		return "", "", koban.Errorf(koban.ENotFound, "inquiry %d has no thread", inq.ID)
	}
	// At most 50 pages (10,000 messages) are read, keeping only the latest
	// candidates.
	var mine, anyone slack.Message
	err := c.eachReply(ctx, inq, 50, func(m slack.Message) {
		if m.Timestamp == inq.ThreadTS || m.BotID != "" || m.User == "" || m.User == c.selfUser || m.User == inq.AskedBy || m.SubType != "" {
			return
		}
		if strings.TrimSpace(m.Text) == "" {
			return
		}
		anyone = m
		if m.User == responder {
			mine = m
		}
	})
	if err != nil {
		return "", "", err
	}
	pick := mine
	if pick.Timestamp == "" {
		pick = anyone
	}
	if pick.Timestamp == "" {
		return "", "", koban.Errorf(koban.ENotFound, "nobody answered in the thread of inquiry %d", inq.ID)
	}
	return slackUnescape.Replace(pick.Text), pick.User, nil
}

// Link returns the permalink of the inquiry's question (chat.getPermalink).
// It implements desk.Threads.
func (c *Client) Link(ctx context.Context, inq *koban.Inquiry) (string, error) {
	ts := inq.ThreadTS
	if ts == "" {
		ts = inq.MessageTS
	}
	if inq.Channel == "" || ts == "" {
		return "", nil
	}
	link, err := c.api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: inq.Channel, Ts: ts})
	if err != nil {
		if errors.Is(classify(err), desk.ErrUndeliverable) {
			return "", nil // no such message any more: keep the answer without a link
		}
		return "", fmt.Errorf("permalink of %s in %s: %w", ts, inq.Channel, classify(err))
	}
	return link, nil
}

// withRelabel adds a Relabel… button to a reply whose buttons were retired
// on resolution: a responder can correct the human label afterwards. It is
// a section's accessory, not an actions block, so that the reply is never
// retired twice.
func withRelabel(msg message, inq *koban.Inquiry) message {
	btn := slack.NewButtonBlockElement(actionID(actRelabel, inq.ID), strconv.FormatInt(inq.ID, 10), plain(say(inq.Lang, "flow.relabel")))
	msg.Blocks = append(msg.Blocks, slack.NewSectionBlock(mrkdwn(say(inq.Lang, "flow.wrong_label")), nil, slack.NewAccessory(btn),
		slack.SectionBlockOptionBlockID("relabel:"+strconv.FormatInt(inq.ID, 10))))
	return msg
}

// renderRelabelModal is the Resolve… modal for a resolved inquiry: only
// the label and the domain.
func renderRelabelModal(lang string, inq *koban.Inquiry, domains []koban.Domain) slack.ModalViewRequest {
	v := renderResolveModal(lang, inq, domains)
	v.CallbackID = relabelCallback
	v.Title, v.Submit = plain(say(lang, "modal.relabel_title")), plain(say(lang, "modal.relabel_submit"))
	v.Blocks.BlockSet = slices.DeleteFunc(v.Blocks.BlockSet, func(bl slack.Block) bool {
		in, ok := bl.(*slack.InputBlock)
		return ok && (in.BlockID == blockPage || in.BlockID == blockNote)
	})
	return v
}

// onRelabel handles the relabel modal before its acknowledgement, within
// actBudget: bad input and a refusal show in the modal, and nothing changes.
func (b *Bot) onRelabel(ctx context.Context, e event) any {
	return b.onLabelModal(ctx, e, "relabel", func(ctx context.Context, id int64, label koban.Label) error {
		_, err := b.flowDesk().Relabel(ctx, id, e.User, label, koban.Domain(e.Values[blockDomain]))
		return err
	})
}

// onLabelModal handles a modal that labels an inquiry (Resolve…,
// Relabel…) before its acknowledgement, within actBudget: bad input, a
// refusal or a conflict shows in the modal, which stays open, and nothing
// changes. apply does what the modal asks.
func (b *Bot) onLabelModal(ctx context.Context, e event, what string, apply func(ctx context.Context, id int64, label koban.Label) error) any {
	id, err := strconv.ParseInt(e.Metadata, 10, 64)
	if err != nil {
		return nil
	}
	label, err := koban.ParseLabel(e.Values[blockCategory])
	if err != nil {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{blockCategory: koban.ErrorText(b.langOf(ctx, e.User), err)})
	}
	actx, cancel := context.WithTimeout(ctx, actBudget)
	defer cancel()
	if err := apply(actx, id, label); err != nil {
		b.logError(what, err, "user", e.User, "inquiry_id", id)
		return slack.NewErrorsViewSubmissionResponse(map[string]string{blockCategory: koban.ErrorText(b.langOf(actx, e.User), err)})
	}
	return nil
}

// pastNames names the authors of past answers as "@name" from the
// workspace's member list (users.list, cached like LookupName's); an author
// Slack does not know is left out, and rendered as "a responder".
func (c *Client) pastNames(ctx context.Context, past []koban.PastAnswer) map[string]string {
	names := map[string]string{}
	if len(past) == 0 {
		return names
	}
	c.users.mu.Lock()
	defer c.users.mu.Unlock()
	if c.users.fetched.IsZero() || c.now().Sub(c.users.fetched) >= usersTTL {
		if err := c.fetchUsers(ctx); err != nil {
			c.log.Warn("names of past answers' authors", "err", err)
		}
	}
	for _, p := range past {
		for _, m := range c.users.members {
			if m.id == p.AnsweredBy {
				names[m.id] = "@" + cmp.Or(m.display, m.name, m.real)
			}
		}
	}
	return names
}

// isRelatedDocs reports whether bl is the escalation's "Related docs" list.
func isRelatedDocs(bl slack.Block, lang string) bool {
	c, ok := bl.(*slack.ContextBlock)
	if !ok || len(c.ContextElements.Elements) == 0 {
		return false
	}
	t, ok := c.ContextElements.Elements[0].(*slack.TextBlockObject)
	return ok && strings.HasPrefix(t.Text, "*"+say(lang, "escalation.docs")+"*")
}
