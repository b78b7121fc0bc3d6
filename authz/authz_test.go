package authz

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kobanhq/koban"
)

// groups is a Slack user group reader over a map, counting reads.
type groups struct {
	m     map[string][]string
	reads int
	fail  bool
}

func (g *groups) GroupMembers(_ context.Context, group string) ([]string, error) {
	g.reads++
	if g.fail {
		return nil, errors.New("slack is down")
	}
	return g.m[group], nil
}

func newPolicy() (*Policy, *groups) {
	g := &groups{m: map[string][]string{"SADMINS": {"UGADMIN"}, "SRESP": {"UGRESP"}}}
	p := New(Config{
		Admins:          []string{"UADMIN", "SADMINS", "web"},
		RespondersGroup: "SRESP",
		Rotations:       map[string][]string{"platform": {"UONCALL", "UMEMBER"}, "db": {"UDBA"}},
	}, g, nil)
	return p, g
}

func TestRole(t *testing.T) {
	p, _ := newPolicy()
	tests := []struct {
		user string
		want Role
	}{
		{"UADMIN", Admin},
		{"UGADMIN", Admin},
		{"web", Admin},
		{"UONCALL", Responder},
		{"UDBA", Responder},
		{"UGRESP", Responder},
		{"UEVIL", Outsider},
		{"", Outsider},
	}
	for _, tt := range tests {
		if got := p.Role(context.Background(), tt.user); got != tt.want {
			t.Errorf("Role(%q) = %v, want %v", tt.user, got, tt.want)
		}
	}
}

func TestCheck(t *testing.T) {
	p, _ := newPolicy()
	inq := &koban.Inquiry{ID: 7, AskedBy: "UASKER"}
	tests := []struct {
		user string
		act  Action
		ok   bool
	}{
		{"UASKER", Solved, true},
		{"UASKER", NeedHuman, true},
		{"UASKER", DocsWrong, true},
		{"UASKER", AddDetail, true},
		{"UASKER", Acknowledge, false},
		{"UASKER", Resolve, false},
		{"UEVIL", Solved, false},
		{"UEVIL", NeedHuman, false},
		{"UEVIL", Acknowledge, false},
		{"UEVIL", Resolve, false},
		{"UEVIL", Relabel, false},
		{"UONCALL", Acknowledge, true},
		{"UONCALL", Resolve, true},
		{"UGRESP", Relabel, true},
		{"UONCALL", Solved, false}, // the asker's confirmation, not the on-call's
		{"UADMIN", Solved, true},
		{"UGADMIN", Resolve, true},
		{"UADMIN", Action("delete-everything"), true},
		{"UONCALL", Action("delete-everything"), false},
		{"", Solved, false},
	}
	for _, tt := range tests {
		err := p.Check(context.Background(), tt.user, tt.act, inq)
		if (err == nil) != tt.ok {
			t.Errorf("Check(%q, %s) = %v, want allowed %v", tt.user, tt.act, err, tt.ok)
		}
		if err != nil && (koban.ErrorCode(err) != koban.EForbidden || koban.ErrorMessage(err) == "") {
			t.Errorf("Check(%q, %s) = %v, want an EForbidden error with a message", tt.user, tt.act, err)
		}
	}
	// An inquiry without an asker (the web playground's "web" user aside)
	// gives nobody the asker's rights.
	if err := p.Check(context.Background(), "", Solved, &koban.Inquiry{}); err == nil {
		t.Error("an empty user matched an empty asker")
	}
}

func TestVisible(t *testing.T) {
	p, _ := newPolicy()
	inqs := []koban.Inquiry{
		{ID: 1, AskedBy: "UA"},
		{ID: 2, AskedBy: "UA", Private: true},
		{ID: 3, AskedBy: "UB", Private: true},
	}
	tests := []struct {
		user   string
		ids    []int64
		hidden int
	}{
		{"UEVIL", []int64{1}, 2},
		{"UA", []int64{1, 2}, 1},
		{"UB", []int64{1, 3}, 1},
		{"UONCALL", []int64{1, 2, 3}, 0},
		{"UGADMIN", []int64{1, 2, 3}, 0},
	}
	for _, tt := range tests {
		shown, hidden := p.Visible(context.Background(), tt.user, inqs)
		var ids []int64
		for _, q := range shown {
			ids = append(ids, q.ID)
		}
		if len(ids) != len(tt.ids) || hidden != tt.hidden {
			t.Errorf("Visible(%s) = %v, %d hidden; want %v, %d", tt.user, ids, hidden, tt.ids, tt.hidden)
			continue
		}
		for i := range ids {
			if ids[i] != tt.ids[i] {
				t.Errorf("Visible(%s) = %v, want %v", tt.user, ids, tt.ids)
			}
		}
		for _, q := range inqs {
			want := !q.Private || q.AskedBy == tt.user || p.Role(context.Background(), tt.user) >= Responder
			if got := p.CanSee(context.Background(), tt.user, &q); got != want {
				t.Errorf("CanSee(%s, %d) = %v, want %v", tt.user, q.ID, got, want)
			}
		}
	}
}

// User groups are read once per cache period; when Slack fails, the members
// read before stand, and a group never read grants nothing.
func TestGroupCache(t *testing.T) {
	p, g := newPolicy()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	p.now = func() time.Time { return now }
	ctx := context.Background()
	for range 3 {
		if p.Role(ctx, "UGRESP") != Responder {
			t.Fatal("group responder not found")
		}
	}
	if g.reads != 2 { // SADMINS, then SRESP: each once
		t.Errorf("group reads = %d, want 2 (cached)", g.reads)
	}
	now = now.Add(6 * time.Minute)
	g.fail = true
	if p.Role(ctx, "UGRESP") != Responder {
		t.Error("a Slack failure dropped the cached members")
	}
	fresh, g2 := newPolicy()
	g2.fail = true
	if fresh.Role(ctx, "UGADMIN") != Outsider {
		t.Error("an unreadable admins group granted admin")
	}
}
