package oncall

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kobanhq/koban/redact"
)

// TestNoteIsRedacted: a handoff note is stored and posted with its secrets
// masked, since it goes to the rotation channel.
func TestNoteIsRedacted(t *testing.T) {
	red, err := redact.New()
	if err != nil {
		t.Fatal(err)
	}
	s, st, rec := mustService(t, weekly("platform"))
	s.redactor = red
	token := "gh" + "p_1OGMmjxWkI9X7H6aMuFbh7x41Ztpdp4K8ffU"
	sun := local(t, berlin, "2026-11-08 10:00") // UA's week, before the handoff to UB
	mustDo(t, s, "UA", "note the deploy bot now uses "+token+" until Vault is back", sun)
	if len(st.notes) != 1 {
		t.Fatalf("notes = %+v, want 1", st.notes)
	}
	if got := st.notes[0].Text; strings.Contains(got, token) || !strings.Contains(got, "[REDACTED:github-pat]") || !strings.Contains(got, "until Vault is back") {
		t.Errorf("stored note %q, want the token masked and the rest kept", got)
	}
	ranWith(st, "platform")
	if err := s.Tick(context.Background(), local(t, berlin, "2026-11-09 09:00").Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if len(rec.handoffs) != 1 || len(rec.handoffs[0].Notes) != 1 {
		t.Fatalf("handoffs = %+v, want one with the note", rec.handoffs)
	}
	if got := rec.handoffs[0].Notes[0].Text; strings.Contains(got, token) {
		t.Errorf("handoff posted note %q with the token", got)
	}
}
