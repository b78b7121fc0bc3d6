package store

import (
	"context"
	"log/slog"
)

// quietHandler passes River's log records on one level down: its routine
// INFO lines (a queue started, a periodic job enqueued, a leader elected)
// are debug detail for koban's operators, while its warnings and errors
// stay warnings and errors.
type quietHandler struct{ slog.Handler }

// riverLogger is the logger River writes through.
func riverLogger(log *slog.Logger) *slog.Logger {
	return slog.New(quietHandler{log.Handler()})
}

func (h quietHandler) level(l slog.Level) slog.Level {
	if l == slog.LevelInfo {
		return slog.LevelDebug
	}
	return l
}

func (h quietHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.Handler.Enabled(ctx, h.level(l))
}

func (h quietHandler) Handle(ctx context.Context, r slog.Record) error {
	r.Level = h.level(r.Level)
	return h.Handler.Handle(ctx, r)
}

func (h quietHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return quietHandler{h.Handler.WithAttrs(attrs)}
}

func (h quietHandler) WithGroup(name string) slog.Handler {
	return quietHandler{h.Handler.WithGroup(name)}
}
