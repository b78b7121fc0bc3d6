package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// runSocket reads Socket Mode envelopes until ctx ends. Events API envelopes
// are handled (the inquiry written), then acknowledged; interactivity and
// slash commands are acknowledged with what handle returns (their reply).
func (b *Bot) runSocket(ctx context.Context) error {
	api := slack.New(b.cfg.BotToken, b.apiOptions(slack.OptionAppLevelToken(b.opts.AppToken))...)
	sm := socketmode.New(api, socketmode.OptionLog(slog.NewLogLogger(b.log.Handler(), slog.LevelDebug)))
	errc := make(chan error, 1)
	go func() { errc <- sm.RunContext(ctx) }()
	for {
		select {
		case <-ctx.Done():
			<-errc
			return nil
		case err := <-errc:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("slack socket mode: %w", classify(err))
		case ev := <-sm.Events:
			b.onEnvelope(ctx, sm, ev)
		}
	}
}

func (b *Bot) onEnvelope(ctx context.Context, sm *socketmode.Client, ev socketmode.Event) {
	switch ev.Type {
	case socketmode.EventTypeConnected:
		b.log.Info("slack socket mode connected")
	case socketmode.EventTypeConnectionError, socketmode.EventTypeIncomingError:
		b.log.Warn("slack socket mode", "event", string(ev.Type))
	case socketmode.EventTypeInvalidAuth:
		b.log.Error("slack socket mode: invalid app token")
	case socketmode.EventTypeEventsAPI:
		if ev.Request == nil {
			return
		}
		// Record first, then acknowledge, as the Events API does: an event
		// that could not be written (the database is down) is left
		// unacknowledged, so that Slack delivers it again.
		e, _, err := decodeCallback(ev.Request.Payload)
		if err == nil {
			_, err = b.handle(ctx, e)
		}
		if err != nil {
			b.log.Error("slack event not recorded; Slack will deliver it again", "event_id", e.ID, "channel", e.Channel, "err", err)
			return
		}
		b.ack(sm, ev.Request, nil)
	case socketmode.EventTypeInteractive:
		ic, ok := ev.Data.(slack.InteractionCallback)
		if !ok || ev.Request == nil {
			return
		}
		b.ackWith(ctx, sm, ev.Request, decodeInteraction(ic))
	case socketmode.EventTypeSlashCommand:
		sc, ok := ev.Data.(slack.SlashCommand)
		if !ok || ev.Request == nil {
			return
		}
		b.ackWith(ctx, sm, ev.Request, decodeCommand(sc))
	}
}

func (b *Bot) ackWith(ctx context.Context, sm *socketmode.Client, req *socketmode.Request, e event) {
	payload, err := b.handle(ctx, e)
	if err != nil {
		b.log.Error("slack interaction", "user", e.User, "err", err)
		payload = renderError(b.langOf(ctx, e.User), err).ephemeral()
	}
	b.ack(sm, req, payload)
}

func (b *Bot) ack(sm *socketmode.Client, req *socketmode.Request, payload any) {
	var err error
	if payload == nil {
		err = sm.Ack(*req)
	} else {
		err = sm.Ack(*req, payload)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		b.log.Warn("slack socket mode ack", "err", err)
	}
}
