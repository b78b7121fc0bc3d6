package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/authz"
	"github.com/kobanhq/koban/desk"
	"github.com/kobanhq/koban/internal/i18n"
)

// Access decides who may act on and see inquiries (*authz.Policy). The desk
// checks every action itself; the bot asks first where it shows something
// (the Resolve… modal with the question in it, /koban status, App Home).
type Access interface {
	desk.Access
	// Visible returns the inquiries user may see, and how many private
	// ones were left out.
	Visible(ctx context.Context, user string, inqs []koban.Inquiry) ([]koban.Inquiry, int)
}

// actBudget is how long a click or a modal submission may take before its
// acknowledgement: Slack shows an error after 3 seconds. The state change is
// one transaction; Slack calls that follow it (reactions, retiring buttons)
// are cosmetic and give up at the deadline.
const actBudget = 2500 * time.Millisecond

// visible returns what user may see of inqs.
func (b *Bot) visible(ctx context.Context, user string, inqs []koban.Inquiry) ([]koban.Inquiry, int) {
	if b.deps.Access == nil {
		return inqs, 0
	}
	return b.deps.Access.Visible(ctx, user, inqs)
}

// check asks Access whether user may take act on inq; a refusal is logged.
func (b *Bot) check(ctx context.Context, user string, act authz.Action, inq *koban.Inquiry) error {
	if b.deps.Access == nil {
		return nil
	}
	if err := b.deps.Access.Check(ctx, user, act, inq); err != nil {
		b.deps.Access.Refused(user, act, inq)
		return err
	}
	return nil
}

// withHidden adds a line saying how many private inquiries were left out.
func withHidden(lang string, m message, hidden int) message {
	if hidden == 0 {
		return m
	}
	s := sayN(lang, "hidden", hidden)
	m.Blocks = append(m.Blocks, slack.NewContextBlock("", mrkdwn(s)))
	return m
}

// GroupMembers returns the members of a Slack user group
// (usergroups.users.list). It implements authz.Groups.
func (c *Client) GroupMembers(ctx context.Context, group string) ([]string, error) {
	users, err := c.api.GetUserGroupMembersContext(ctx, group)
	if err != nil {
		return nil, fmt.Errorf("members of user group %s: %w", group, classify(err))
	}
	return users, nil
}

// privacy caches whether channels are private (conversations.info), for
// mentions, whose events do not say.
type privacy struct {
	mu       sync.Mutex
	channels map[string]bool
}

// private reports whether a message was posted where not everyone in the
// workspace can read it: a DM, a group DM or a private channel. When Slack
// cannot say, the message counts as private: hiding a public question is
// the lesser mistake.
func (b *Bot) private(ctx context.Context, e event) bool {
	switch e.ChannelType {
	case "im", "mpim", "group":
		return true
	case "channel":
		return false
	}
	switch {
	case strings.HasPrefix(e.Channel, "D"), strings.HasPrefix(e.Channel, "G"):
		return true
	case e.Channel == "":
		return true
	}
	b.privacy.mu.Lock()
	p, ok := b.privacy.channels[e.Channel]
	b.privacy.mu.Unlock()
	if ok {
		return p
	}
	// Before the ack: Slack gets a second at most, or the channel counts as private.
	ictx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	ch, err := b.api.GetConversationInfoContext(ictx, &slack.GetConversationInfoInput{ChannelID: e.Channel})
	if err != nil {
		b.log.Warn("channel info; counting the channel as private", "channel", e.Channel, "err", classify(err))
		return true
	}
	p = ch.IsPrivate || ch.IsIM || ch.IsMpIM
	b.privacy.mu.Lock()
	if b.privacy.channels == nil {
		b.privacy.channels = map[string]bool{}
	}
	b.privacy.channels[e.Channel] = p
	b.privacy.mu.Unlock()
	return p
}

// commandPrivate reports whether a slash command came from a DM or a private
// channel, by the channel name Slack sends with it.
func commandPrivate(e event) bool {
	switch {
	case e.ChannelName == "directmessage", e.ChannelName == "privategroup", strings.HasPrefix(e.ChannelName, "mpdm-"):
		return true
	case strings.HasPrefix(e.Channel, "D"), strings.HasPrefix(e.Channel, "G"):
		return true
	}
	return false
}

// act runs a state-changing click before its acknowledgement, within
// actBudget, and tells the user ephemerally when it was refused or failed.
// Nothing waits in memory: the change is recorded (or refused) when Slack
// hears back.
func (b *Bot) act(ctx context.Context, e event, what string, run func(context.Context) (*koban.Inquiry, error)) (*koban.Inquiry, error) {
	ctx, cancel := context.WithTimeout(ctx, actBudget)
	defer cancel()
	inq, err := run(ctx)
	if err != nil {
		b.replyError(e, what, err)
	}
	return inq, err
}

// tooLong tells the asker that koban kept only the first
// desk.MaxQuestionChars characters of their message.
func (b *Bot) tooLong(e event, text string) {
	if _, cut := desk.CapQuestion(text); !cut {
		return
	}
	b.later("tell question cut", func(ctx context.Context) error {
		msg := say(b.langOf(ctx, e.User), "ask.too_long", "Max", desk.MaxQuestionChars)
		_, err := b.api.PostEphemeralContext(ctx, e.Channel, e.User, slack.MsgOptionText(msg, false))
		if err != nil {
			return fmt.Errorf("tell %s their question was cut: %w", e.User, classify(err))
		}
		return nil
	})
}

// askRepeat is how long the same /koban ask from the same person counts as
// a repeat (a double submit, a replayed request) rather than a new question.
const askRepeat = 2 * time.Minute

// errRepeat is why a /koban ask is not asked again.
var errRepeat = errors.New("the same question was just asked")

// askOnce runs post for a /koban ask once per trigger id (for good) and
// once per person and question within askRepeat, so that a replay or a
// double submit asks once: fresh is false for a repeat. When post fails,
// both claims are given back.
func (b *Bot) askOnce(ctx context.Context, e event, q string, post func(context.Context) error) (fresh bool, err error) {
	if b.deps.Claims == nil {
		return true, post(ctx)
	}
	sum := sha256.Sum256([]byte(e.User + "\x00" + strings.TrimSpace(q)))
	textKey := "slash-ask-text:" + hex.EncodeToString(sum[:16])
	byText := func(ctx context.Context) error {
		ran, err := koban.Hold(ctx, b.deps.Claims, textKey, askRepeat, post)
		switch {
		case err != nil && !ran:
			return fmt.Errorf("claim /koban ask: %w", err)
		case !ran:
			return errRepeat
		}
		return err
	}
	ran := true
	if e.TriggerID == "" {
		err = byText(ctx)
	} else {
		ran, err = koban.Once(ctx, b.deps.Claims, "slash-ask:"+e.Team+":"+e.TriggerID, 24*time.Hour, byText)
		if err != nil && !ran {
			err = fmt.Errorf("claim /koban ask: %w", err)
		}
	}
	switch {
	case errors.Is(err, errRepeat), err == nil && !ran:
		return false, nil
	case errors.Is(err, koban.ErrNotDone):
		b.log.Warn("mark /koban ask claim done", "err", err)
		return true, nil
	}
	return true, err
}

// onSwapAction handles the swap confirmation buttons the on-call service
// asks for, before the ack.
func (b *Bot) onSwapAction(ctx context.Context, e event) error {
	sc, ok := b.deps.OnCall.(SwapConfirmer)
	if !ok || b.deps.OnCall == nil {
		return nil
	}
	var accept bool
	switch e.Action {
	case actSwapAccept:
		accept = true
	case actSwapDecline:
	default:
		return nil
	}
	actx, cancel := context.WithTimeout(i18n.WithLanguage(ctx, b.langOf(ctx, e.User)), actBudget)
	defer cancel()
	reply, err := sc.ConfirmSwap(actx, e.User, e.Value, accept)
	if err != nil {
		b.replyError(e, "confirm swap", err)
		return nil
	}
	b.later("swap confirmed", func(ctx context.Context) error {
		opts := []slack.MsgOption{slack.MsgOptionText(stripMarkup(reply), false),
			slack.MsgOptionBlocks(slack.NewSectionBlock(mrkdwn(truncate(reply, 2900)), nil, nil))}
		var err error
		if e.TS != "" && e.Channel != "" {
			_, _, _, err = b.api.UpdateMessageContext(ctx, e.Channel, e.TS, opts...)
		} else {
			_, _, err = b.api.PostMessageContext(ctx, e.User, opts...)
		}
		if err != nil {
			return fmt.Errorf("answer swap confirmation: %w", classify(err))
		}
		return nil
	})
	return nil
}
