package bot

import (
	"context"
	"fmt"
	"sync"

	"github.com/slack-go/slack"
)

// redact masks secrets in text with Deps.Redactor, if there is one.
func (b *Bot) redact(text string) (string, int) {
	if b.deps.Redactor == nil {
		return text, 0
	}
	return b.deps.Redactor.Redact(text)
}

// errText is err's message with secrets masked, for the log: errors about
// bad input quote it ("… is not a time"), and the input may hold a token.
func (b *Bot) errText(err error) string {
	if err == nil {
		return ""
	}
	s, _ := b.redact(err.Error())
	return s
}

// secretWarning is what the asker is told, privately, when koban masked a
// secret in a message they posted: koban keeps only the masked text, but the
// message itself stays in Slack for everyone in the conversation to read.
func secretWarning(lang string, n int) string {
	return sayN(lang, "secret.warning", n)
}

// warnedMessages remembers the messages whose asker was warned, so that
// Slack's retry of an event does not warn twice. It forgets everything once
// it holds maxWarned: retries come within minutes.
type warnedMessages struct {
	mu   sync.Mutex
	seen map[string]bool
}

const maxWarned = 4096

// first reports whether key is seen for the first time.
func (w *warnedMessages) first(key string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.seen[key] {
		return false
	}
	if w.seen == nil || len(w.seen) >= maxWarned {
		w.seen = map[string]bool{}
	}
	w.seen[key] = true
	return true
}

// warnSecret tells user, ephemerally in channel, to delete their message ts
// and rotate the credential when koban masked n secrets in it.
func (b *Bot) warnSecret(channel, ts, user string, n int) {
	if n < 1 || !b.warned.first(channel+"/"+ts) {
		return
	}
	b.later("warn secret", func(ctx context.Context) error {
		text := secretWarning(b.langOf(ctx, user), n)
		if _, err := b.api.PostEphemeralContext(ctx, channel, user, slack.MsgOptionText(text, false)); err != nil {
			return fmt.Errorf("warn %s of a secret: %w", user, classify(err))
		}
		return nil
	})
}
