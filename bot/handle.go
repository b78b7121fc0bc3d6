package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/authz"
	"github.com/kobanhq/koban/desk"
	"github.com/kobanhq/koban/internal/i18n"
)

// handle handles one event from either transport. It returns what the
// transport sends back with its acknowledgement (a slash command's reply, a
// modal's validation errors), or nil. It only does fast work: persisting an
// inquiry is one transaction; everything slow is queued with later. An error
// means the event was not recorded and Slack should deliver it again.
func (b *Bot) handle(ctx context.Context, e event) (any, error) {
	switch e.Kind {
	case kindMessage, kindMention:
		return nil, b.onMessage(ctx, e)
	case kindHomeOpened:
		b.later("publish home", func(ctx context.Context) error { return b.publishHome(ctx, e.User) })
		return nil, nil
	case kindCommand:
		return b.onCommand(ctx, e), nil
	case kindAction:
		return nil, b.onAction(ctx, e)
	case kindSubmission:
		return b.onSubmission(ctx, e), nil
	}
	return nil, nil
}

// ignored reports whether a message is not for koban: from a bot (koban
// included), an edit, a join or any other subtype.
func (b *Bot) ignored(e event) bool {
	if e.BotID != "" || e.User == "" || e.User == b.selfUser {
		return true
	}
	switch e.Subtype {
	case "", "thread_broadcast", "file_share":
		return false
	}
	return true
}

// onMessage asks or follows up. Only errors a redelivery may fix (the
// database is down) are returned; the rest are logged and the event dropped,
// since Slack would retry it for nothing.
func (b *Bot) onMessage(ctx context.Context, e event) error {
	err := b.message(ctx, e)
	switch koban.ErrorCode(err) {
	case "", koban.EInternal, koban.EUnavailable:
		return err
	}
	b.log.Warn("slack message dropped", "event_id", e.ID, "channel", e.Channel, "err", b.errText(err))
	return nil
}

func (b *Bot) message(ctx context.Context, e event) error {
	if b.ignored(e) {
		return nil
	}
	im := e.ChannelType == "im" || strings.HasPrefix(e.Channel, "D")
	if e.Kind == kindMessage && !im && mentions(b.selfUser, e.Text) {
		// Slack sends an app_mention for the same message, with another
		// event id: that one is handled, so the question is asked once.
		return nil
	}
	in := desk.Incoming{
		EventID: e.ID, Team: e.Team, Channel: e.Channel, ThreadTS: e.ThreadTS,
		MessageTS: e.TS, User: e.User, Text: stripMention(b.selfUser, e.Text),
	}
	mode, configured := b.channels[e.Channel]
	if e.ThreadTS != "" && e.ThreadTS != e.TS {
		_, err := b.deps.Desk.FollowUp(ctx, in)
		switch {
		case err == nil:
			_, n := b.redact(in.Text)
			b.warnSecret(e.Channel, e.TS, e.User, n)
			return nil
		case koban.ErrorCode(err) != koban.ENotFound:
			return fmt.Errorf("follow-up in %s: %w", e.Channel, err)
		case e.Kind != kindMention && !im:
			return nil // people talking in a thread koban does not track
		}
		// A mention or DM in an untracked thread starts an inquiry there.
	}
	switch {
	case configured && mode != "mentions" && !im:
		in.Source = koban.SourceChannel
		if e.Kind == kindMessage && !b.channelInquiry(e, mode) {
			return nil
		}
	case e.Kind == kindMention:
		in.Source = koban.SourceMention
	case im:
		in.Source = koban.SourceDM
	default:
		return nil
	}
	in.Private = b.private(ctx, e)
	inq, created, err := b.deps.Desk.Ask(ctx, in)
	if err != nil {
		return fmt.Errorf("ask in %s: %w", e.Channel, err)
	}
	if created {
		b.tooLong(e, in.Text)
		b.later("react received", func(ctx context.Context) error {
			return b.react(ctx, inq.Channel, e.TS, "eyes")
		})
		b.warnSecret(e.Channel, e.TS, e.User, inq.Redactions)
	}
	return nil
}

func (b *Bot) onCommand(ctx context.Context, e event) any {
	sub, rest, _ := strings.Cut(strings.TrimSpace(e.Text), " ")
	rest = strings.TrimSpace(rest)
	var msg message
	var err error
	lang := b.langOf(ctx, e.User)
	switch strings.ToLower(sub) {
	case "", "help":
		msg = renderHelp(lang)
	case "ask":
		msg, err = b.commandAsk(ctx, e, lang, commandText(rest))
	case "status":
		var open []koban.Inquiry
		if open, err = b.deps.Inquiries.OpenInquiries(ctx); err == nil {
			shown, hidden := b.visible(ctx, e.User, open)
			msg = withHidden(lang, renderStatus(lang, shown, b.now()), hidden)
		}
	case "oncall", "on-call":
		msg, err = b.commandOnCall(ctx, e, lang, rest)
	default:
		err = koban.Say(koban.EInvalid, "error.unknown_command", map[string]any{"Command": sub})
	}
	if err != nil {
		b.logError("/koban "+sub, err, "user", e.User, "channel", e.Channel)
		return renderError(lang, err).ephemeral()
	}
	return msg.ephemeral()
}

// commandAsk posts the question in the channel, so that the answer has a
// thread to go to, and records it. A replayed command (the same trigger) or
// the same question sent again at once posts and records nothing.
func (b *Bot) commandAsk(ctx context.Context, e event, lang, q string) (message, error) {
	if q == "" {
		return message{}, koban.Say(koban.EInvalid, "error.ask_empty", nil)
	}
	var inq *koban.Inquiry
	var masked int
	fresh, err := b.askOnce(ctx, e, q, func(ctx context.Context) (err error) {
		inq, masked, err = b.postAsk(ctx, e, q)
		return err
	})
	if err != nil {
		return message{}, err
	}
	if !fresh {
		return message{Text: say(lang, "ask.again")}, nil
	}
	reply := say(lang, "ask.got_it")
	if _, cut := desk.CapQuestion(q); cut {
		reply += say(lang, "ask.cut", "Max", desk.MaxQuestionChars)
	}
	if masked > 0 {
		reply += say(lang, "ask.masked")
	}
	b.log.Debug("asked by command", "inquiry_id", inq.ID)
	return message{Text: reply}, nil
}

// postAsk posts the question, with secrets masked, where it was asked (or in
// a DM with the asker when koban is not in that channel) and records it. It
// says how many secrets it masked.
func (b *Bot) postAsk(ctx context.Context, e event, q string) (*koban.Inquiry, int, error) {
	shown, masked := b.redact(q)
	text := say(b.teamLang(), "ask.posted", "Who", userRef(e.User), "Text", escape(shown))
	private := commandPrivate(e)
	channel, ts, err := b.api.PostMessageContext(ctx, e.Channel, slack.MsgOptionText(text, false))
	if err != nil {
		if !errors.Is(classify(err), desk.ErrUndeliverable) {
			return nil, 0, fmt.Errorf("post question: %w", classify(err))
		}
		// koban is not in that channel: answer in a DM with the asker.
		if channel, ts, err = b.api.PostMessageContext(ctx, e.User, slack.MsgOptionText(text, false)); err != nil {
			return nil, 0, fmt.Errorf("post question in DM: %w", classify(err))
		}
		private = true
	}
	inq, _, err := b.deps.Desk.Ask(ctx, desk.Incoming{
		Source: koban.SourceCommand, EventID: e.ID, Team: e.Team, Channel: channel,
		MessageTS: ts, User: e.User, Text: q, Private: private,
	})
	if err != nil {
		return nil, 0, fmt.Errorf("ask: %w", err)
	}
	return inq, masked, nil
}

func (b *Bot) commandOnCall(ctx context.Context, e event, lang, rest string) (message, error) {
	if b.deps.OnCall == nil {
		return message{}, koban.Say(koban.EInvalid, "error.no_rotation", nil)
	}
	if rest == "" {
		at := b.now()
		now, err := b.deps.OnCall.Now(ctx, at)
		if err != nil {
			return message{}, err
		}
		next, err := b.deps.OnCall.Next(ctx, at)
		if err != nil {
			return message{}, err
		}
		return renderOnCall(lang, now, next, at), nil
	}
	// The on-call service replies in the person's language.
	reply, err := b.deps.OnCall.Command(i18n.WithLanguage(ctx, lang), e.User, rest)
	if err != nil {
		return message{}, err
	}
	return message{Text: reply, Blocks: []slack.Block{slack.NewSectionBlock(mrkdwn(truncate(reply, 2900)), nil, nil)}}, nil
}

// onAction handles a button before acknowledging it: the Resolve… modal
// opens at once (its trigger expires in 3 s) for responders only, since it
// shows the question; every other button changes the inquiry within
// actBudget, or tells the user it could not. Nothing is queued in memory.
func (b *Bot) onAction(ctx context.Context, e event) error {
	if e.Action == actAskKoban {
		if _, err := b.askFromOffer(ctx, e); err != nil {
			b.replyError(e, "ask from offer", err)
		}
		return nil
	}
	if e.Action == actSwapAccept || e.Action == actSwapDecline {
		return b.onSwapAction(ctx, e)
	}
	act, id, ok := parseActionID(e.Action)
	if !ok || b.onFlowAction(ctx, e, act, id) {
		return nil
	}
	d := b.deps.Desk
	var run func(context.Context) (*koban.Inquiry, error)
	switch act {
	case actResolve:
		inq, err := b.deps.Inquiries.Inquiry(ctx, id)
		if err == nil {
			err = b.check(ctx, e.User, authz.Resolve, inq)
		}
		if err == nil {
			_, err = b.api.OpenViewContext(ctx, e.TriggerID, renderResolveModal(b.langOf(ctx, e.User), inq, b.opts.Domains))
			err = classify(err)
		}
		if err != nil {
			b.replyError(e, "open resolve modal", err)
		}
		return nil
	case actSolved:
		run = func(ctx context.Context) (*koban.Inquiry, error) { return d.Solved(ctx, id, e.User) }
	case actNeedHuman:
		run = func(ctx context.Context) (*koban.Inquiry, error) { return d.NeedHuman(ctx, id, e.User) }
	case actDocsWrong:
		run = func(ctx context.Context) (*koban.Inquiry, error) { return d.DocsWrong(ctx, id, e.User, "") }
	case actAck:
		run = func(ctx context.Context) (*koban.Inquiry, error) { return d.Acknowledge(ctx, id, e.User) }
	default:
		return nil
	}
	inq, err := b.act(ctx, e, "button "+act, run)
	if err == nil && act == actAck {
		b.later("post acknowledgement", func(ctx context.Context) error {
			s := pickedUp(inq.Lang, e.User)
			_, _, err := b.api.PostMessageContext(ctx, inq.Channel, slack.MsgOptionTS(inq.ThreadTS),
				slack.MsgOptionText(stripMarkup(s), false), slack.MsgOptionBlocks(slack.NewContextBlock("", mrkdwn(s))))
			if err != nil {
				return fmt.Errorf("post acknowledgement of inquiry %d: %w", id, classify(err))
			}
			return b.markPickedUp(ctx, inq, e.User)
		})
	}
	return nil
}

// onSubmission handles the Resolve… modal before acknowledging it: bad
// input, a refusal or a conflict shows in the modal, which stays open.
func (b *Bot) onSubmission(ctx context.Context, e event) any {
	if e.Callback == relabelCallback {
		return b.onRelabel(ctx, e)
	}
	if e.Callback != resolveCallback {
		return nil
	}
	return b.onLabelModal(ctx, e, "resolve", func(ctx context.Context, id int64, label koban.Label) error {
		_, err := b.deps.Desk.Resolve(ctx, id, e.User, desk.Resolution{
			Label:  label,
			Domain: koban.Domain(e.Values[blockDomain]),
			Page:   strings.TrimSpace(e.Values[blockPage]),
			Note:   strings.TrimSpace(e.Values[blockNote]),
		})
		return err
	})
}

// replyError tells the user who clicked what went wrong, and logs it.
func (b *Bot) replyError(e event, what string, err error) {
	b.logError(what, err, "user", e.User, "channel", e.Channel)
	b.later("reply error", func(ctx context.Context) error {
		msg := renderError(b.langOf(ctx, e.User), err)
		var perr error
		if strings.HasPrefix(e.Channel, "U") || strings.HasPrefix(e.Channel, "W") {
			_, _, perr = b.api.PostMessageContext(ctx, e.Channel, slack.MsgOptionText(msg.Text, false), slack.MsgOptionBlocks(msg.Blocks...))
		} else {
			_, perr = b.api.PostEphemeralContext(ctx, e.Channel, e.User, slack.MsgOptionText(msg.Text, false), slack.MsgOptionBlocks(msg.Blocks...))
		}
		if perr != nil {
			return fmt.Errorf("tell %s about %s: %w", e.User, what, classify(perr))
		}
		return nil
	})
}

// logError logs what the user was told: conflicts and bad input at info,
// the rest as errors with the whole chain.
func (b *Bot) logError(what string, err error, args ...any) {
	args = append(args, "err", b.errText(err))
	switch koban.ErrorCode(err) {
	case koban.EInvalid, koban.EConflict, koban.ENotFound, koban.EForbidden:
		b.log.Info(what, args...)
	default:
		b.log.Error(what, args...)
	}
}

// publishHome publishes the App Home tab for user.
func (b *Bot) publishHome(ctx context.Context, user string) error {
	h := homeData{Lang: b.langOf(ctx, user), Viewer: user, At: b.now()}
	open, err := b.deps.Inquiries.OpenInquiries(ctx)
	if err != nil {
		return fmt.Errorf("home for %s: %w", user, err)
	}
	var hidden int
	h.Team, hidden = b.visible(ctx, user, open)
	for _, inq := range h.Team {
		if inq.AskedBy == user || inq.Assignee == user {
			h.Mine = append(h.Mine, inq)
		}
	}
	if b.deps.OnCall != nil {
		if h.Now, err = b.deps.OnCall.Now(ctx, h.At); err != nil {
			b.log.Warn("home: who is on call", "err", err)
		}
		if h.Next, err = b.deps.OnCall.Next(ctx, h.At); err != nil {
			b.log.Warn("home: who is next", "err", err)
		}
	}
	view := renderHome(h)
	view.Blocks.BlockSet = withHidden(h.Lang, message{Blocks: view.Blocks.BlockSet}, hidden).Blocks
	_, err = b.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: user, View: view})
	if err != nil {
		return fmt.Errorf("publish home for %s: %w", user, classify(err))
	}
	return nil
}
