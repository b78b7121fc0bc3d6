package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/desk"
)

// Detector tells a channel message that asks for something from one that
// asks for nothing (thanks, "+1", an FYI, chatter). Mentions, DMs and
// /koban ask are always inquiries and never go through it.
type Detector interface {
	Detect(text string) koban.Detection
}

// detectOffer is the confidence at and above which koban, unsure whether a
// channel message asks for anything, offers help to its author alone.
const detectOffer = 0.25

// actAskKoban is the button of the quiet offer: it turns the message into
// an inquiry. Its value holds the message's ts, author and text.
const actAskKoban = "ask_koban"

// maxOfferText bounds the text carried in the offer's button value, which
// Slack limits to 2,000 characters.
const maxOfferText = 1900

// channelInquiry decides whether a message in a channel of mode all or
// questions becomes an inquiry. When the detector is unsure it offers help
// quietly (an ephemeral "Need help with this?") instead, and the message
// pages no one. Without a Detector, mode questions keeps only messages that
// look like questions.
func (b *Bot) channelInquiry(e event, mode string) bool {
	if b.deps.Detector == nil {
		return mode != "questions" || looksLikeQuestion(e.Text)
	}
	d := b.deps.Detector.Detect(e.Text)
	if d.Inquiry && (mode != "questions" || looksLikeQuestion(e.Text) || d.Confidence >= 0.8) {
		return true
	}
	b.log.Debug("channel message not taken as an inquiry", "channel", e.Channel, "confidence", d.Confidence, "reason", d.Reason)
	if d.Confidence >= detectOffer {
		b.later("offer help", func(ctx context.Context) error { return b.offerHelp(ctx, e) })
	}
	return false
}

// offerHelp posts the quiet offer to the author of a message alone.
func (b *Bot) offerHelp(ctx context.Context, e event) error {
	lang := b.langOf(ctx, e.User)
	text := stripMention(b.selfUser, e.Text)
	if len(text) > maxOfferText {
		// Cut on a character boundary: a split one would not survive JSON.
		text = strings.ToValidUTF8(text[:maxOfferText], "")
	}
	btn := slack.NewButtonBlockElement(actAskKoban, e.TS+"\n"+e.User+"\n"+text, slack.NewTextBlockObject(slack.PlainTextType, say(lang, "offer.button"), false, false))
	btn.Style = slack.StylePrimary
	blocks := []slack.Block{
		slack.NewSectionBlock(mrkdwn(say(lang, "offer.question")), nil, slack.NewAccessory(btn)),
	}
	opts := []slack.MsgOption{slack.MsgOptionText(say(lang, "offer.question"), false), slack.MsgOptionBlocks(blocks...)}
	if e.ThreadTS != "" {
		opts = append(opts, slack.MsgOptionTS(e.ThreadTS))
	}
	if _, err := b.api.PostEphemeralContext(ctx, e.Channel, e.User, opts...); err != nil {
		return fmt.Errorf("offer help in %s: %w", e.Channel, classify(err))
	}
	return nil
}

// askFromOffer turns the message an offer was about into an inquiry, as if
// it had been asked in the channel.
func (b *Bot) askFromOffer(ctx context.Context, e event) (*koban.Inquiry, error) {
	ts, rest, _ := strings.Cut(e.Value, "\n")
	author, text, _ := strings.Cut(rest, "\n")
	switch {
	case ts == "" || strings.TrimSpace(text) == "":
		return nil, koban.Say(koban.EInvalid, "error.offer_gone", nil)
	case author != e.User:
		// Only its author was offered help; nobody asks in another's name.
		return nil, koban.Say(koban.EInvalid, "error.offer_not_yours", nil)
	}
	inq, created, err := b.deps.Desk.Ask(ctx, desk.Incoming{
		Source: koban.SourceChannel, EventID: "offer:" + e.Channel + ":" + ts, Team: e.Team,
		Channel: e.Channel, MessageTS: ts, User: e.User, Text: text, Private: b.private(ctx, e),
	})
	if err != nil {
		return nil, fmt.Errorf("ask from offer: %w", err)
	}
	if created {
		if err := b.react(ctx, inq.Channel, ts, "eyes"); err != nil {
			b.log.Warn("react received", "inquiry_id", inq.ID, "err", err)
		}
	}
	return inq, nil
}
