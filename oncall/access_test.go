package oncall

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kobanhq/koban"
)

// staticAccess is Access over fixed lists.
type staticAccess struct{ admins, responders []string }

func (a staticAccess) IsAdmin(_ context.Context, u string) bool { return slices.Contains(a.admins, u) }
func (a staticAccess) IsResponder(_ context.Context, u string) bool {
	return slices.Contains(a.responders, u) || slices.Contains(a.admins, u)
}

// swapRecorder is a notifier that can ask for swap confirmations.
type swapRecorder struct {
	*recorder
	asked []SwapRequest
}

func (r *swapRecorder) AskSwap(_ context.Context, req SwapRequest) error {
	r.asked = append(r.asked, req)
	return nil
}

func TestScheduleChangesNeedMembersOrAdmins(t *testing.T) {
	other := weekly("db")
	other.Members = []string{"UD", "UE"}
	s, st, _ := mustService(t, weekly("platform"), other)
	s.access = staticAccess{admins: []string{"UADMIN"}, responders: []string{"UGROUP"}}
	now := local(t, berlin, "2026-11-10 10:00") // UB's week in platform

	tests := []struct {
		name, user, text string
		code             string // "" when allowed
	}{
		{"outsider covers themselves", "UEVIL", "cover <@UEVIL0000> from now to tomorrow in platform", koban.EForbidden},
		{"member covers with an outsider", "UB", "cover <@UEVIL0000> from now to tomorrow in platform", koban.EForbidden},
		{"member covers with an outsider by name", "UB", "cover @alice from now to tomorrow in platform", koban.EForbidden},
		{"member of another rotation", "UD", "cover <@UC> from now to tomorrow in platform", koban.EForbidden},
		{"responders group is no member", "UGROUP", "cover <@UC> from now to tomorrow in platform", koban.EForbidden},
		{"outsider leaves a note", "UEVIL", "note all is fine", koban.EForbidden},
		{"outsider swaps", "UEVIL", "swap <@UC> in platform", koban.EForbidden},
		{"member covers with a member", "UB", "cover <@UC> from now to today 18:00 in platform", ""},
		{"admin puts anyone on call", "UADMIN", "cover <@UEVIL0000> from today 19:00 to today 20:00 in platform", ""},
		{"responder leaves a note", "UGROUP", "note watch the disk alert in platform", ""},
		{"anyone looks", "UEVIL", "list platform", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(st.overrides) + len(st.notes)
			err := doErr(t, s, tt.user, tt.text, now)
			if got := koban.ErrorCode(err); got != tt.code {
				t.Fatalf("Do(%s, %q) = %v, want code %q", tt.user, tt.text, err, tt.code)
			}
			if tt.code != "" && len(st.overrides)+len(st.notes) != before {
				t.Errorf("a refused command changed the schedule")
			}
		})
	}

	// Removing: only members of the override's rotation, or admins.
	id := st.overrides[0].ID
	for _, user := range []string{"UEVIL", "UD"} {
		if err := doErr(t, s, user, "remove "+itoa(id), now); koban.ErrorCode(err) != koban.EForbidden {
			t.Errorf("remove by %s = %v, want EForbidden", user, err)
		}
	}
	n := len(st.overrides)
	mustDo(t, s, "UC", "remove "+itoa(id), now)
	if len(st.overrides) != n-1 {
		t.Errorf("remove by a member left %d overrides, want %d", len(st.overrides), n-1)
	}
}

func TestSwapNeedsTheOtherMembersConfirmation(t *testing.T) {
	ctx := context.Background()
	rc := weekly("platform")
	rc.Members = []string{"UA", "UBOB", "UC"}
	s, st, rec := mustService(t, rc)
	sr := &swapRecorder{recorder: rec}
	s.notifier = sr
	s.access = staticAccess{admins: []string{"UADMIN"}}
	now := local(t, berlin, "2026-11-03 10:00") // UA's week; UBOB next (11-09), UC (11-16)

	reply := mustDo(t, s, "UC", "swap @bob", now)
	if !strings.Contains(reply, "asked <@UBOB> to confirm") || len(st.overrides) != 0 || len(sr.asked) != 1 {
		t.Fatalf("swap by a member: reply %q, %d overrides, %d requests; want a request and no change", reply, len(st.overrides), len(sr.asked))
	}
	req := sr.asked[0]
	if req.From != "UC" || req.To != "UBOB" {
		t.Errorf("request = %+v, want UC asking UBOB", req)
	}
	// Someone else cannot accept it for UBOB.
	if _, err := s.ConfirmSwap(ctx, "UA", req.Token, true, now); koban.ErrorCode(err) != koban.EForbidden {
		t.Errorf("ConfirmSwap by UA = %v, want EForbidden", err)
	}
	if len(st.overrides) != 0 {
		t.Fatalf("a refused confirmation stored %d overrides", len(st.overrides))
	}
	// A declined swap changes nothing.
	if reply, err := s.ConfirmSwap(ctx, "UBOB", req.Token, false, now); err != nil || !strings.Contains(reply, "declined") || len(st.overrides) != 0 {
		t.Errorf("decline = %q, %v with %d overrides; want declined and none", reply, err, len(st.overrides))
	}
	// A forged token is not read.
	if _, err := s.ConfirmSwap(ctx, "UBOB", "platform|UC", true, now); koban.ErrorCode(err) != koban.EInvalid {
		t.Errorf("ConfirmSwap(bad token) = %v, want EInvalid", err)
	}
	reply, err := s.ConfirmSwap(ctx, "UBOB", req.Token, true, now)
	if err != nil || !strings.Contains(reply, "Swapped") {
		t.Fatalf("accept = %q, %v", reply, err)
	}
	for at, want := range map[string]string{"2026-11-10 09:00": "UC", "2026-11-17 09:00": "UBOB"} {
		if sh, err := s.Now(ctx, "platform", local(t, berlin, at)); err != nil || sh.Person != want {
			t.Errorf("after the confirmed swap, Now(%s) = %v, %v; want %s", at, sh.Person, err, want)
		}
	}
	// Accepting twice finds the shifts changed.
	if _, err := s.ConfirmSwap(ctx, "UBOB", req.Token, true, now); koban.ErrorCode(err) != koban.EConflict {
		t.Errorf("second accept = %v, want EConflict", err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
