package main

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/oncall"
)

// koban serve wires past answers: the web page lists them.
func TestServePastAnswersPage(t *testing.T) {
	base := startServe(t, map[string]string{})
	resp, err := http.Get(base + "/past")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Past answers") {
		t.Errorf("GET /past = %d, want 200 with the past answers page:\n%.500s", resp.StatusCode, body)
	}
}

func TestResponders(t *testing.T) {
	rots, err := oncall.Config{Rotations: []oncall.RotationConfig{
		{Name: "a", Members: []string{"U1", "U2"}, Shift: "1w", Handoff: "monday 09:00", Start: "2026-01-05"},
		{Name: "b", Members: []string{"U2", "U3"}, Shift: "1w", Handoff: "monday 09:00", Start: "2026-01-05", Domains: []koban.Domain{"database"}},
	}}.Parse(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(responders(rots), ","); got != "U1,U2,U3" {
		t.Errorf("responders = %s, want U1,U2,U3", got)
	}
}
