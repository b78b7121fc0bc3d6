package bot

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/authz"
	"github.com/kobanhq/koban/oncall"
	"github.com/kobanhq/koban/store"
)

// serviceOnCall is the bot's OnCall over the real on-call service.
type serviceOnCall struct{ svc *oncall.Service }

// platformOnCall is the on-call service over one daily rotation of
// oncallUser and memberUser that started ten days ago, notifying through c
// and checking access with policy, as serve builds it.
func platformOnCall(t testing.TB, c *Client, st *store.Store, policy *authz.Policy) *serviceOnCall {
	t.Helper()
	start := time.Now().UTC().AddDate(0, 0, -10).Format(time.DateOnly)
	rots, err := oncall.Config{Rotations: []oncall.RotationConfig{{Name: "platform", Members: []string{oncallUser, memberUser},
		Shift: "1d", Handoff: "09:00", Start: start, Channel: platformChan}}}.Parse(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return &serviceOnCall{oncall.NewService(rots, oncall.Deps{Store: st, Notifier: c, Access: policy, Log: c.log})}
}

func (o *serviceOnCall) Now(ctx context.Context, t time.Time) ([]koban.Shift, error) {
	return o.svc.Show(ctx, "", t)
}
func (o *serviceOnCall) Next(context.Context, time.Time) ([]koban.Shift, error) { return nil, nil }
func (o *serviceOnCall) Command(ctx context.Context, user, text string) (string, error) {
	cmd, err := oncall.ParseCommand(text)
	if err != nil {
		return "", err
	}
	return o.svc.Do(ctx, user, cmd, time.Now())
}
func (o *serviceOnCall) ConfirmSwap(ctx context.Context, user, token string, accept bool) (string, error) {
	return o.svc.ConfirmSwap(ctx, user, token, accept, time.Now())
}

// clickValue posts a block_actions click of a button that carries value.
func clickValue(t *testing.T, h http.Handler, user, channel, action, value string) {
	t.Helper()
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "trigger_id": "trig-" + action, "team": map[string]any{"id": testTeam},
		"user": map[string]any{"id": user}, "channel": map[string]any{"id": channel},
		"container": map[string]any{"type": "message", "message_ts": "1700000900.000100", "channel_id": channel},
		"actions":   []map[string]any{{"type": "button", "action_id": action, "block_id": "swap", "value": value}},
	})
	form := url.Values{"payload": {string(payload)}}.Encode()
	if w := slackRequest(t, h, "/slack/interactive", "application/x-www-form-urlencoded", []byte(form), nil); w.Code != http.StatusOK {
		t.Fatalf("click %s: status %d", action, w.Code)
	}
}

// The on-call commands through /koban: an outsider's cover, swap and remove
// are refused and change nothing; a member's swap waits for the other
// member's button.
func TestOnCallChangesNeedMembers(t *testing.T) {
	h, log := newLoggedHarness(t, harnessOpts{platformOnCall: true})
	ctx := context.Background()
	overrides := func() []koban.Override {
		t.Helper()
		list, err := h.store.Overrides(ctx, "platform", time.Now().AddDate(0, 0, -1), time.Now().AddDate(0, 1, 0))
		if err != nil {
			t.Fatal(err)
		}
		return list
	}
	command := func(user, text string) string {
		t.Helper()
		return slashCommand(t, h.h, user, helpChannel, text).Body.String()
	}

	if got := command(outsider, "oncall cover <@"+outsider+"> from now to tomorrow"); !strings.Contains(got, "Only members of *platform*") || len(overrides()) != 0 {
		t.Errorf("outsider's cover = %s with %d overrides; want refused, none", got, len(overrides()))
	}
	if got := command(outsider, "oncall swap <@"+oncallUser+">"); !strings.Contains(got, "Only members of *platform*") || len(overrides()) != 0 {
		t.Errorf("outsider's swap = %s; want refused", got)
	}

	// A member asks; koban asks the other member in a DM with buttons.
	if got := command(memberUser, "oncall swap <@"+oncallUser+">"); !strings.Contains(got, oncallUser+`\u003e to confirm`) || len(overrides()) != 0 {
		t.Fatalf("member's swap = %s with %d overrides; want a request, no change", got, len(overrides()))
	}
	dms := h.slack.posts(oncallUser, "")
	if len(dms) == 0 {
		t.Fatal("no confirmation request reached the other member")
	}
	var token string
	for _, b := range blocksOf(t, dms[len(dms)-1]) {
		for _, el := range asSlice(b["elements"]) {
			if m, ok := el.(map[string]any); ok && m["action_id"] == actSwapAccept {
				token, _ = m["value"].(string)
			}
		}
	}
	if token == "" {
		t.Fatal("the confirmation request has no Accept button")
	}
	clickValue(t, h.h, outsider, "D"+oncallUser[1:], actSwapAccept, token)
	refused(t, h, log, outsider, "can answer this swap request")
	if n := len(overrides()); n != 0 {
		t.Fatalf("an outsider's Accept stored %d overrides", n)
	}
	clickValue(t, h.h, oncallUser, "D"+oncallUser[1:], actSwapAccept, token)
	if n := len(overrides()); n != 2 {
		t.Fatalf("after the other member's Accept: %d overrides, want the 2 halves of the swap", n)
	}

	id := overrides()[0].ID
	if got := command(outsider, "oncall remove "+itoa(id)); !strings.Contains(got, "Only members of *platform*") || len(overrides()) != 2 {
		t.Errorf("outsider's remove = %s; want refused, the swap kept", got)
	}
	if got := command(memberUser, "oncall remove "+itoa(id)); !strings.Contains(got, "Removed override") || len(overrides()) != 0 {
		t.Errorf("member's remove = %s with %d overrides left", got, len(overrides()))
	}
	if got := command(oncallUser, "oncall cover <@"+memberUser+"> from now to tomorrow"); !strings.Contains(got, "covers *platform*") || len(overrides()) != 1 {
		t.Errorf("member's cover = %s", got)
	}
	if !strings.Contains(log.String(), "oncall command refused") {
		t.Errorf("refused on-call commands are not logged")
	}
}

func asSlice(v any) []any { s, _ := v.([]any); return s }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
