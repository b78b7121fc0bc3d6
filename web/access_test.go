package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/authz"
)

// With the shared token, the dashboard acts as the token's admin identity,
// and every action is recorded under it.
func TestWebActsAsItsAdminIdentity(t *testing.T) {
	policy := authz.New(authz.Config{Admins: []string{"UWEBADMIN"}}, nil, nil)
	e := newEnv(t, envOpts{actor: "UWEBADMIN", access: policy})
	inq := e.askVia("How do I request a database for my service?")
	if inq.AskedBy != "UWEBADMIN" {
		t.Errorf("playground question asked by %q, want the web identity", inq.AskedBy)
	}
	if w := e.post(fmt.Sprintf("/inquiries/%d/resolve", inq.ID), url.Values{"label": {"self-solvable/answered"}, "domain": {"database"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("resolve = %d: %s", w.Code, w.Body)
	}
	evs, err := e.store.Events(context.Background(), inq.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := evs[len(evs)-1]
	if last.Kind != koban.EventResolved || last.Actor != "UWEBADMIN" {
		t.Errorf("last event = %s by %q, want resolved by UWEBADMIN", last.Kind, last.Actor)
	}
}

// The dashboard's actions go through the same checks as Slack's: an
// identity that is no admin (nor responder) is refused with 403.
func TestWebActionsAreChecked(t *testing.T) {
	policy := authz.New(authz.Config{Admins: []string{"USOMEONEELSE"}}, nil, nil)
	e := newEnv(t, envOpts{actor: "UVIEWER", access: policy})
	inq := e.askVia("How do I request a database for my service?")
	before := e.inquiry(inq.ID).State
	for _, action := range []string{"ack", "resolve"} {
		w := e.post(fmt.Sprintf("/inquiries/%d/%s", inq.ID, action), url.Values{"label": {"self-solvable/answered"}})
		if w.Code != http.StatusForbidden {
			t.Errorf("%s by a non-responder = %d, want 403", action, w.Code)
		}
	}
	if got := e.inquiry(inq.ID).State; got != before {
		t.Errorf("state after refused actions = %s, want %s", got, before)
	}
	// The refusal is said in the reader's language.
	for _, tt := range []struct{ lang, want string }{
		{"en", "Only the platform on-call can acknowledge inquiries."},
		{"ja", "問い合わせの対応を始められるのはプラットフォームのオンコール担当者だけです。"},
	} {
		w := e.post(fmt.Sprintf("/inquiries/%d/ack?lang=%s", inq.ID, tt.lang), nil)
		if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), tt.want) {
			t.Errorf("refused ack in %s = %d, want 403 saying %q:\n%s", tt.lang, w.Code, tt.want, w.Body)
		}
	}
}
