package desk

import (
	"strings"
	"testing"

	"github.com/kobanhq/koban"
)

// TestResolveFieldsAreRedacted: every free field of the Resolve… modal is
// stored with its secrets masked; the page and note feed reports and exports.
func TestResolveFieldsAreRedacted(t *testing.T) {
	e := newEnv(t, envOpts{router: &fixedRouter{esc: koban.Escalation{Rotation: "platform", OnCall: "UONCALL"}}})
	inq := e.escalated()
	token := "gh" + "p_1OGMmjxWkI9X7H6aMuFbh7x41Ztpdp4K8ffU"
	r := Resolution{
		Label: koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailAutomationCandidate},
		Page:  "https://x-access-token:" + token + "@github.com/acme/docs/blob/main/access.md",
		Note:  "rotated their " + token,
	}
	got, err := e.desk.Resolve(e.ctx, inq.ID, "UONCALL", r)
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	evs := ofKind(e.events(inq.ID), koban.EventResolved)
	if len(evs) != 1 {
		t.Fatalf("resolved events = %d, want 1", len(evs))
	}
	for _, k := range []string{"page", "note"} {
		if v := evs[0].Data[k]; strings.Contains(v, token) || !strings.Contains(v, "[REDACTED:") {
			t.Errorf("resolved event %s = %q, want the token masked", k, v)
		}
	}
	for _, c := range append(got.Citations, e.inquiry(inq.ID).Citations...) {
		if strings.Contains(c, token) {
			t.Errorf("citation %q keeps the token", c)
		}
	}
}
