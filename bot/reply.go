package bot

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/desk"
)

// RateLimitError is Slack's 429: try again after RetryAfter. The job layer
// reads it through an interface { RetryAfter() time.Duration } to schedule
// the retry.
type RateLimitError struct {
	After time.Duration
	err   error
}

func (e *RateLimitError) Error() string { return e.err.Error() }
func (e *RateLimitError) Unwrap() error { return e.err }

// RetryAfter is how long Slack asked to wait before the next call.
func (e *RateLimitError) RetryAfter() time.Duration { return e.After }

// permanent are the Slack errors a retry can never fix.
// https://docs.slack.dev/reference/methods/chat.postMessage#errors
var permanent = map[string]bool{
	"channel_not_found":          true,
	"is_archived":                true,
	"not_in_channel":             true,
	"account_inactive":           true,
	"invalid_auth":               true,
	"not_authed":                 true,
	"token_revoked":              true,
	"token_expired":              true,
	"no_permission":              true,
	"missing_scope":              true,
	"restricted_action":          true,
	"msg_too_long":               true,
	"invalid_blocks":             true,
	"invalid_blocks_format":      true,
	"thread_not_found":           true,
	"message_not_found":          true,
	"cannot_reply_to_message":    true,
	"team_access_not_granted":    true,
	"ekm_access_denied":          true,
	"user_not_found":             true,
	"users_not_found":            true,
	"channel_type_not_supported": true,
	"is_inactive":                true,
}

// Errors a retry may fix; the user is told to try again.
var (
	errSlackBusy = koban.Say(koban.EUnavailable, "error.slack_busy", nil)
	errSlackDown = koban.Say(koban.EUnavailable, "error.slack_down", nil)
)

// classify turns a slack-go error into one the desk and the job layer
// understand: permanent Slack errors wrap desk.ErrUndeliverable, 429 becomes
// a *RateLimitError, and everything else (5xx, network) stays an ordinary,
// retryable error. The result never contains a token.
func classify(err error) error {
	if err == nil {
		return nil
	}
	if rl, ok := errors.AsType[*slack.RateLimitedError](err); ok {
		return &RateLimitError{After: rl.RetryAfter, err: fmt.Errorf("%w: %w", errSlackBusy, err)}
	}
	if se, ok := errors.AsType[slack.SlackErrorResponse](err); ok {
		if permanent[se.Err] {
			return fmt.Errorf("slack %s: %w", se.Err, desk.ErrUndeliverable)
		}
		return fmt.Errorf("slack: %w", err)
	}
	if sc, ok := errors.AsType[slack.StatusCodeError](err); ok {
		if sc.Code >= 500 {
			return fmt.Errorf("%w: %w", errSlackDown, err)
		}
		return fmt.Errorf("slack: %w", err)
	}
	if _, ok := errors.AsType[net.Error](err); ok {
		return fmt.Errorf("%w: %w", errSlackDown, err)
	}
	return fmt.Errorf("slack: %w", err)
}

// Deliver posts koban's answer or escalation in the inquiry's thread. It
// implements desk.Replier.
func (c *Client) Deliver(ctx context.Context, inq *koban.Inquiry, r desk.Reply) error {
	r.Answer = sanitizeAnswer(inq.Lang, r.Answer) // docs and model output must not ping anyone
	var msg message
	r = c.links().reply(r)
	switch r.Kind {
	case koban.EventAnswered:
		msg = renderAnswer(inq, r.Answer)
	case koban.EventEscalated:
		msg = renderEscalation(inq.Lang, inq, r, c.now())
	default:
		return fmt.Errorf("deliver inquiry %d: unknown reply kind %q: %w", inq.ID, r.Kind, desk.ErrUndeliverable)
	}
	msg = withFlow(inq, r, msg, c.pastNames(ctx, r.Past))
	if err := c.post(ctx, inq.Channel, inq.ThreadTS, msg, slack.MsgOptionMetadata(replyMetadata(inq.ID, r.Kind))); err != nil {
		return fmt.Errorf("deliver inquiry %d: %w", inq.ID, err)
	}
	if r.Kind == koban.EventEscalated && inq.Private {
		c.notifyPrivate(ctx, inq, r)
	}
	return nil
}

// replyEvent is the message metadata event type of koban's replies with
// buttons. Resolved finds them by it in the thread (conversations.replies),
// so that the desk need not keep the ts of each reply.
// https://docs.slack.dev/messaging/message-metadata
const replyEvent = "koban_reply"

func replyMetadata(id int64, kind koban.EventKind) slack.SlackMetadata {
	return slack.SlackMetadata{EventType: replyEvent, EventPayload: map[string]any{
		"inquiry_id": strconv.FormatInt(id, 10), "kind": string(kind),
	}}
}

// Resolved adds ✅ to the question, replaces the buttons of koban's replies
// in the thread with who resolved it and how, and says in the thread how it
// was resolved. It implements desk.Replier.
func (c *Client) Resolved(ctx context.Context, inq *koban.Inquiry) error {
	var errs []error
	if inq.MessageTS != "" {
		if err := c.react(ctx, inq.Channel, inq.MessageTS, "white_check_mark"); err != nil {
			errs = append(errs, err)
		}
	}
	if err := c.retireButtons(ctx, inq); err != nil {
		errs = append(errs, err)
	}
	if err := c.post(ctx, inq.Channel, inq.ThreadTS, c.resolvedNotice(ctx, inq)); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("mark inquiry %d resolved: %w", inq.ID, err)
	}
	return nil
}

// post posts msg in channel (in thread, if set), its links checked against
// the link policy whatever rendered it.
func (c *Client) post(ctx context.Context, channel, thread string, msg message, extra ...slack.MsgOption) error {
	msg = c.links().message(msg)
	opts := []slack.MsgOption{slack.MsgOptionText(msg.Text, false), slack.MsgOptionBlocks(msg.Blocks...), slack.MsgOptionDisableLinkUnfurl()}
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	opts = append(opts, extra...)
	if _, _, err := c.api.PostMessageContext(ctx, channel, opts...); err != nil {
		return fmt.Errorf("post in %s: %w", channel, classify(err))
	}
	return nil
}

// retireButtons takes the buttons off koban's replies to inq in its thread
// (answers and escalations, found by their metadata) and says instead who
// resolved it and as what, so that nobody clicks a stale button.
func (c *Client) retireButtons(ctx context.Context, inq *koban.Inquiry) error {
	if inq.Channel == "" || inq.ThreadTS == "" {
		return nil
	}
	by := c.resolvedBy(ctx, inq)
	id := strconv.FormatInt(inq.ID, 10)
	return c.editOwnReplies(ctx, inq, func(m slack.Message) ([]slack.Block, bool) {
		if m.Metadata.EventType != replyEvent || fmt.Sprint(m.Metadata.EventPayload["inquiry_id"]) != id || !hasActions(m.Blocks.BlockSet) {
			return nil, false
		}
		return withRelabel(renderRetired(m.Blocks.BlockSet, inq, by), inq).Blocks, true
	})
}

// resolvedBy returns who resolved inq last (a Slack user ID), or "" when
// koban cannot tell or it was not a person.
func (c *Client) resolvedBy(ctx context.Context, inq *koban.Inquiry) string {
	events, err := c.eventsOf(ctx, inq.ID)
	if err != nil {
		c.log.Warn("who resolved", "inquiry_id", inq.ID, "err", err)
		return ""
	}
	for _, ev := range slices.Backward(events) {
		if ev.Kind == koban.EventResolved {
			if validID(ev.Actor) {
				return ev.Actor
			}
			return ""
		}
	}
	return ""
}

// react adds an emoji reaction; one that is already there is fine.
func (c *Client) react(ctx context.Context, channel, ts, emoji string) error {
	err := c.api.AddReactionContext(ctx, emoji, slack.ItemRef{Channel: channel, Timestamp: ts})
	if se, ok := errors.AsType[slack.SlackErrorResponse](err); ok && se.Err == "already_reacted" {
		return nil
	}
	if err != nil {
		return fmt.Errorf("react %s in %s: %w", emoji, channel, classify(err))
	}
	return nil
}

// SyncUserGroup makes the user group's members exactly users (the on-call),
// with usergroups.users.update. It implements oncall.Notifier. Slack refuses an empty group, so an empty
// list leaves the group as it is.
func (c *Client) SyncUserGroup(ctx context.Context, group string, users []string) error {
	if len(users) == 0 {
		return nil
	}
	if _, err := c.api.UpdateUserGroupMembersContext(ctx, group, strings.Join(users, ",")); err != nil {
		return fmt.Errorf("update user group %s: %w", group, classify(err))
	}
	return nil
}

// LookupEmail returns the Slack user ID of email (users.lookupByEmail):
// ENotFound when nobody in the workspace has it, EUnavailable when Slack
// cannot be reached. It implements oncall.Notifier.
func (c *Client) LookupEmail(ctx context.Context, email string) (string, error) {
	u, err := c.api.GetUserByEmailContext(ctx, email)
	if se, ok := errors.AsType[slack.SlackErrorResponse](err); ok && se.Err == "users_not_found" {
		return "", koban.Say(koban.ENotFound, "error.no_email_user", map[string]any{"Email": email})
	}
	if err != nil {
		return "", fmt.Errorf("look up %s: %w", email, classify(err))
	}
	return u.ID, nil
}
