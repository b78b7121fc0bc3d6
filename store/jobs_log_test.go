package store

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// TestRiverLogger: River's routine INFO lines become debug records, so a
// koban logging at info is quiet while idle; warnings and errors pass as
// they are, with their attributes and groups.
func TestRiverLogger(t *testing.T) {
	for _, level := range []slog.Level{slog.LevelInfo, slog.LevelDebug} {
		var buf bytes.Buffer
		log := riverLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: level})))
		log.Info("River client started", "client_id", "x")
		log.With("queue", "default").WithGroup("job").Warn("job failed", "attempt", 2)
		log.Error("lost leadership")
		out := buf.String()
		if got := strings.Contains(out, "River client started"); got != (level == slog.LevelDebug) {
			t.Errorf("at %v: routine line shown = %v:\n%s", level, got, out)
		}
		if level == slog.LevelDebug && !strings.Contains(out, "level=DEBUG msg=\"River client started\"") {
			t.Errorf("routine line not at debug:\n%s", out)
		}
		if !strings.Contains(out, `level=WARN msg="job failed" queue=default job.attempt=2`) || !strings.Contains(out, "level=ERROR msg=\"lost leadership\"") {
			t.Errorf("at %v: warnings and errors lost:\n%s", level, out)
		}
	}
}
