package web

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// knownNames is a directory of display names, as Slack's users.info gives.
type knownNames map[string]string

func (n knownNames) PersonName(_ context.Context, id string) string { return n[id] }

func TestOnCallPageNames(t *testing.T) {
	names := knownNames{"UALICE": "Alice", "UBOB": "Bob Smith", "UDAVE": "山田"}
	tests := []struct {
		name        string
		names       Names
		want, avoid []string
	}{
		// UCAROL and UERIN are unknown to the directory: they stay IDs.
		{"names", names, []string{"@Alice", "@Bob Smith", "@山田", "@UCAROL", "@UERIN"}, []string{"@UALICE", "@UBOB", "@UDAVE"}},
		{"without Slack", nil, []string{"@UALICE", "@UBOB", "@UDAVE"}, []string{"@Alice", "@Bob Smith"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envOpts{names: tt.names})
			w := e.get("/oncall")
			if w.Code != 200 {
				t.Fatalf("GET /oncall = %d", w.Code)
			}
			page := w.Body.String()
			for _, s := range tt.want {
				if !strings.Contains(page, s) {
					t.Errorf("on-call page lacks %q", s)
				}
			}
			for _, s := range tt.avoid {
				if strings.Contains(page, s) {
					t.Errorf("on-call page shows %q", s)
				}
			}
		})
	}
}

func TestInquiryPageNames(t *testing.T) {
	e := newEnv(t, envOpts{names: knownNames{"UALICE": "Alice", "UBOB": "Bob Smith", "UCAROL": "Carol", "UDAVE": "Dave", "UERIN": "Erin"}})
	e.seed()
	inqs, err := e.store.OpenInquiries(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, inq := range inqs {
		if inq.Assignee == "" {
			continue
		}
		page := e.get(fmt.Sprintf("/inquiries/%d", inq.ID)).Body.String()
		if strings.Contains(page, "@"+inq.Assignee) {
			t.Errorf("inquiry %d page shows its on-call as @%s", inq.ID, inq.Assignee)
		}
		if !strings.Contains(page, "on call: @") {
			t.Errorf("inquiry %d page lacks the escalation's on-call line", inq.ID)
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("the seed has no assigned open inquiry")
	}
}
