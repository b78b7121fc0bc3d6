package bot

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"

	"github.com/slack-go/slack"
)

// maxBody bounds what a Slack request may carry; event payloads are a few KB.
const maxBody = 1 << 20

// Handler serves the HTTP Events API: /slack/events (with url_verification),
// /slack/interactive and /slack/commands. Every request is checked against
// the signing secret and Slack's 5-minute replay window before anything else;
// a bad one gets 401 and is not looked at. Retries (X-Slack-Retry-Num) are
// handled like first deliveries: the desk drops repeated event ids.
func (b *Bot) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /slack/events", b.verified(b.serveEvents))
	mux.Handle("POST /slack/interactive", b.verified(b.serveInteractive))
	mux.Handle("POST /slack/commands", b.verified(b.serveCommands))
	return mux
}

// verified checks the request signature, then passes the body on.
// https://docs.slack.dev/authentication/verifying-requests-from-slack/
func (b *Bot) verified(next func(w http.ResponseWriter, r *http.Request, body []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if b.opts.SigningSecret == "" {
			http.Error(w, "the Events API is off: SLACK_SIGNING_SECRET is not set", http.StatusNotFound)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
			return
		}
		sv, err := slack.NewSecretsVerifier(r.Header, b.opts.SigningSecret)
		if err == nil {
			_, _ = sv.Write(body)
			err = sv.Ensure()
		}
		if err != nil {
			b.log.Warn("rejected slack request", "path", r.URL.Path, "remote", r.RemoteAddr, "reason", err.Error())
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next(w, r, body)
	})
}

func (b *Bot) serveEvents(w http.ResponseWriter, r *http.Request, body []byte) {
	e, challenge, err := decodeCallback(body)
	if err != nil {
		http.Error(w, "bad event", http.StatusBadRequest)
		return
	}
	if challenge != "" {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, challenge)
		return
	}
	if _, err := b.handle(r.Context(), e); err != nil {
		// Not recorded: a 5xx makes Slack deliver the event again.
		b.log.Error("slack event", "event_id", e.ID, "channel", e.Channel, "retry", r.Header.Get("X-Slack-Retry-Num"), "err", err)
		http.Error(w, "not recorded, retry later", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (b *Bot) serveInteractive(w http.ResponseWriter, r *http.Request, _ []byte) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	var ic slack.InteractionCallback
	if err := json.Unmarshal([]byte(r.PostForm.Get("payload")), &ic); err != nil {
		http.Error(w, "bad payload", http.StatusBadRequest)
		return
	}
	b.respond(w, r, decodeInteraction(ic))
}

func (b *Bot) serveCommands(w http.ResponseWriter, r *http.Request, _ []byte) {
	sc, err := slack.SlashCommandParse(r)
	if err != nil {
		http.Error(w, "bad command", http.StatusBadRequest)
		return
	}
	b.respond(w, r, decodeCommand(sc))
}

func (b *Bot) respond(w http.ResponseWriter, r *http.Request, e event) {
	ack, err := b.handle(r.Context(), e)
	if err != nil {
		b.log.Error("slack interaction", "user", e.User, "err", err)
		ack = renderError(b.langOf(r.Context(), e.User), err).ephemeral()
	}
	if ack == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(ack)
}
