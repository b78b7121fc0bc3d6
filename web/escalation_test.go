package web

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kobanhq/koban"
)

// With no rotation and no fallback group, the playground says that nobody
// was notified and what the operator configures, never that someone was
// brought in.
func TestEscalationWithNoOnCallSaysSo(t *testing.T) {
	for _, tt := range []struct {
		name    string
		opts    envOpts
		want    []string
		notWant []string
	}{
		{"no on-call configured", envOpts{noRoute: true},
			[]string{"no on-call is configured", "nobody was notified", "oncall.rotations", "slack.fallback_group"},
			[]string{"I have brought in"}},
		{"a rotation", envOpts{},
			[]string{"I have brought in", "on call for"},
			[]string{"no on-call is configured", "oncall.rotations"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.opts)
			inq := e.askVia("Our production database is down since 10 minutes, please help!")
			if inq.State != koban.StateEscalated {
				t.Fatalf("state = %s, want escalated", inq.State)
			}
			page := e.get(fmt.Sprintf("/ask/%d", inq.ID)).Body.String()
			for _, w := range tt.want {
				if !strings.Contains(page, w) {
					t.Errorf("escalated thread lacks %q", w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(page, w) {
					t.Errorf("escalated thread says %q", w)
				}
			}
		})
	}
}
